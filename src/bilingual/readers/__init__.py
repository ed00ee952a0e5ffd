"""Readers turn an input file into raw blocks (a RawText); `segment` makes the Document.

They are looked up by file extension and imported on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from ..document import RawText
from ..errors import InputError


class Reader(Protocol):
    name: str
    extensions: tuple[str, ...]

    def read(self, path: Path) -> RawText: ...


# name -> "module:Class"; importing every reader up front would load libraries no run needs.
READERS: dict[str, str] = {
    "text": "bilingual.readers.text:TextReader",
}
EXTENSIONS: dict[str, str] = {".txt": "text", ".text": "text", "": "text"}


def get_reader(name: str) -> Reader:
    try:
        target = READERS[name]
    except KeyError:
        raise InputError(f"no reader named {name!r} (known: {', '.join(READERS)})") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)()


def read(path: str | Path) -> RawText:
    """Read `path` with the reader for its extension (plain text for anything unknown)."""
    path = Path(path)
    return get_reader(EXTENSIONS.get(path.suffix.lower(), "text")).read(path)
