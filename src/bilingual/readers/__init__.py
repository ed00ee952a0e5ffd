"""Readers turn an input file into raw blocks (a RawText); `segment` makes the Document.

They are looked up by file extension (or by name, `--input-format`) and imported on first use.
Each reader parses bytes, so a file and standard input (`-`) are read the same way.
"""

from __future__ import annotations

import sys
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from ..document import RawBlock, RawText
from ..errors import InputError
from ..files import read_bytes
from ..registry import load
from ..script import has_han

STDIN = "-"


class Reader(Protocol):
    name: str

    def parse(self, data: bytes, name: str) -> RawText:
        """Raw blocks of `data`, the content of the input called `name` (for messages)."""
        ...


# name -> "module:Class"; importing every reader up front would load libraries no run needs.
# So the extensions each reader takes are said here, once, and not on its class.
READERS: dict[str, str] = {
    "text": "bilingual.readers.text:TextReader",
    "docx": "bilingual.readers.docx:DocxReader",
    "html": "bilingual.readers.html:HtmlReader",
    "markdown": "bilingual.readers.markdown:MarkdownReader",
    "pdf": "bilingual.readers.pdf:PdfReader",
}
EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    "": "text",
    ".docx": "docx",
    ".doc": "docx",  # so a legacy .doc gets the message saying how to convert it
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
}
# What `--input-format` accepts: the reader names and their usual short forms.
FORMAT_NAMES: dict[str, str] = {**{name: name for name in READERS}, "txt": "text", "md": "markdown"}


def get_reader(name: str) -> Reader:
    try:
        target = READERS[FORMAT_NAMES.get(name, name)]
    except KeyError:
        raise InputError(f"no reader named {name!r} (known: {', '.join(READERS)})") from None
    return load(target)()


def input_bytes(path: Path) -> bytes:
    """The content of `path`, or a one-line InputError saying why it cannot be read."""
    return read_bytes(Path(path))


def stem(path: str | Path) -> str:
    """The name outputs are written under: the file's stem, `stdin` for standard input."""
    return "stdin" if str(path) == STDIN else Path(path).stem


def read(
    path: str | Path,
    input_format: str | None = None,
    *,
    data: bytes | None = None,
    known_words: frozenset[str] = frozenset(),
) -> RawText:
    """Read `path` (`-`: standard input) with the reader for `input_format`, else for its
    extension (plain text for anything unknown and for standard input); `data`: the content of
    `path`, already read (a batch reads each input once, as a regular file only).
    `known_words` (the glossary's Latin words) tell the plain-text reader a word cut by a line
    wrap."""
    said: list[str] = []
    token = _SAID.set(said)
    try:
        raw = _parse(path, input_format, data, known_words)
    except BaseException:
        # the error ends the run: what was said before it may explain it (text nested too deep
        # before "the page has no text"), so it is said now
        for line in said:
            print(f"warning: {line}", file=sys.stderr, flush=True)
        raise
    finally:
        _SAID.reset(token)
    raw.warnings = said
    return raw


def _parse(
    path: str | Path, input_format: str | None, data: bytes | None, known_words: frozenset[str]
) -> RawText:
    name = input_format or ("text" if str(path) == STDIN else None)
    reader = get_reader(name or EXTENSIONS.get(Path(path).suffix.lower(), "text"))
    if known_words and hasattr(reader, "known_words"):  # only a reader that re-wraps lines
        reader.known_words = known_words
    if str(path) == STDIN:
        raw = reader.parse(sys.stdin.buffer.read() if data is None else data, "stdin")
    else:
        path = Path(path)
        raw = reader.parse(input_bytes(path) if data is None else data, str(path))
    raw.blocks = with_captions(raw.blocks)
    return raw


# What the readers say while `read` runs: it hands the lines over in `RawText.warnings`, so
# that a run says them with its other warnings and a batch's report keeps them.
_SAID: ContextVar[list[str] | None] = ContextVar("reader_warnings", default=None)


def warn(message: str) -> None:
    """Say what a reader could not read (it names the file): text is never dropped without a
    word. Within `read`, the line goes to `RawText.warnings`; a reader used on its own prints
    it on stderr."""
    said = _SAID.get()
    if said is None:
        print(f"warning: {message}", file=sys.stderr, flush=True)
    else:
        said.append(message)


def first_heading_is_title(blocks: list[RawBlock]) -> list[RawBlock]:
    """The first top-level heading (a Markdown `#`, an `<h1>`, Word's Heading 1) is the
    document's headline when no title stands before it; any later one is a heading."""
    for index, block in enumerate(blocks):
        if block.kind == "title":
            break
        # a heading in a table cell heads the cell, not the document
        if (
            block.kind == "heading"
            and block.meta.get("level") == 1
            and not block.meta.get("table_cell")
        ):
            blocks[index] = RawBlock(block.text, "title", block.meta)
            break
    return blocks


def with_captions(blocks: list[RawBlock]) -> list[RawBlock]:
    """A figure with no caption after it gets its alt text as one, when that text has Chinese
    in it (an alt text of `photo` or a file name describes nothing a reader needs)."""
    out: list[RawBlock] = []
    for index, block in enumerate(blocks):
        out.append(block)
        if block.kind != "figure" or block.figure is None:
            continue
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        alt = block.figure.alt
        if (after is None or after.kind != "caption") and has_han(alt):
            out.append(RawBlock(alt, "caption"))
    return out
