"""A large JSON form read a block at a time (ijson): parsed whole, a form of a million segments
was about 1 KB a segment of dicts beside its Document (1.6 GB at its peak).

`document.load` calls `read` for a form of `STREAM_BYTES` or more; any form this path does not
take exactly as `json.loads` would (see `streamable`), or that is not a valid form at all, is
read whole instead, which also gives the one-line error that names the field or the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

STREAM_BYTES = 16 * 2**20  # smaller forms are read whole: quicker, and small anyway
_CHUNK = 2**20
# An escaped surrogate (\ud800-\udfff): yajl writes a lone one as "?" where json.loads keeps it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")


class NotStreamed(Exception):
    """This form is read whole instead (not valid JSON, or not what this path takes)."""


def streamable(path: Path) -> bool:
    """Whether the form at `path` is large enough to stream and holds no escaped surrogate."""
    try:
        if path.stat().st_size < STREAM_BYTES:
            return False
        with path.open("rb") as handle:
            tail = b""
            while chunk := handle.read(_CHUNK):
                if _SURROGATE_ESCAPE.search(tail + chunk):
                    return False
                tail = chunk[-5:]  # an escape cut between two chunks
    except OSError:
        return False  # the whole read says why
    return True


def read(
    path: Path, on_head: Callable[[dict[str, Any]], None], on_block: Callable[[Any, int], None]
) -> None:
    """Parse the form at `path`, giving its head (every key but `blocks`, with `"blocks": []`)
    to `on_head` once it is whole and each block, parsed, to `on_block` with its index as it
    comes. NotStreamed when the file is not one JSON object whose `blocks` is a list."""
    import ijson

    with path.open("rb") as handle:
        try:
            _read(handle, on_head, on_block, ijson)
        except (ijson.JSONError, UnicodeDecodeError, ValueError, StopIteration) as e:
            raise NotStreamed(str(e)) from None


def _read(handle: IO[bytes], on_head: Any, on_block: Any, ijson: Any) -> None:
    if handle.read(3) != b"\xef\xbb\xbf":  # utf-8-sig, as the whole read decodes it
        handle.seek(0)
    events = ijson.parse(handle, use_float=True)
    if next(events)[1] != "start_map":
        raise NotStreamed("not an object")
    head: dict[str, Any] = {}
    seen_blocks = False
    for _, event, key in events:
        if event == "end_map":
            break
        _, event, value = next(events)
        if key != "blocks":
            head[key] = _value(event, value, events)
            continue
        if seen_blocks or event != "start_array":  # twice, or not a list: read whole
            raise NotStreamed("blocks")
        seen_blocks = True
        for index, (_, event, value) in enumerate(events):
            if event == "end_array":
                break
            on_block(_value(event, value, events), index)
    for _ in events:  # anything after the object: read whole, which says what
        raise NotStreamed("extra data")
    if not seen_blocks:
        raise NotStreamed("no blocks")
    on_head({**head, "blocks": []})


def _value(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """One JSON value, from its first event on."""
    if event not in _OPEN:
        return value
    from ijson.common import ObjectBuilder

    builder = ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in _OPEN:
            depth += 1
        elif event in _CLOSE:
            depth -= 1
            if not depth:
                return builder.value
    raise NotStreamed("the file ends inside a value")


def parts(path: Path, on_block: Callable[[Any, int], None]) -> dict[str, Any]:
    """The head of the form at `path` (as `read` gives it), each block given to `on_block` on
    the way: streamed when the form is large, else parsed whole. For the callers that want only
    the head and a count of the blocks (who made a form, whether it is up to date), never the
    Document. ValueError when it is not a JSON object with a list of blocks; InputError
    (`files.read_regular_file`) when it cannot be read."""
    import json

    from .files import read_regular_file

    if streamable(path):
        head: dict[str, Any] = {}
        try:
            read(path, head.update, on_block)
            return head
        except NotStreamed:
            pass  # read whole: json.loads takes what yajl does not (NaN, say)
    data = json.loads(read_regular_file(path))
    if not isinstance(data, dict) or not isinstance(data.get("blocks"), list):
        raise ValueError("not a JSON form")
    for index, block in enumerate(data.pop("blocks")):
        on_block(block, index)
    return {**data, "blocks": []}
