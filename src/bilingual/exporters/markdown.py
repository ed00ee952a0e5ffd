"""Bilingual Markdown (`--format md`): headings in both languages, each Chinese paragraph
followed by its English; captions in italics, code blocks fenced as they are, photos as images
linked to their files in the assets folder beside the Markdown. The reader's
edition opens with the headline as its first heading, byline and date under it, and has no
line about the state of the English."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from ..document import Block, Document, assets_folder
from . import ExportOptions, Finding, Rendered
from .text import (
    Cleaner,
    converter,
    english_status,
    headline,
    missing_images,
    reader_blocks,
    reader_front,
    require_segments,
    shown_blocks,
)

# What would make a line of text into Markdown syntax at the start of a line, or inline.
_LINE_START = re.compile(r"^(\s*)([#>+\-*=|]|\d+[.)]\s)")
_INLINE = re.compile(r"([\\`*_\[\]<>])")
_BACKTICKS = re.compile("`+")


class MarkdownExporter:
    name = "md"
    extension = ".md"
    media_type = "text/markdown"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        require_segments(document)
        return Rendered.streamed(functools.partial(write_markdown, document, options))


def write_markdown(document: Document, options: ExportOptions, handle: BinaryIO) -> list[str]:
    """Write the Markdown text into `handle` as UTF-8, a block at a time; the warnings of the
    run (characters removed)."""
    clean = Cleaner()
    separator = b""
    for part in _parts(document, options, clean):
        if part.strip():  # blank paragraphs are left out
            handle.write(separator + part.encode("utf-8"))
            separator = b"\n\n"
    handle.write(b"\n")
    return [*clean.warnings(), *missing_images(document)]


def _parts(document: Document, options: ExportOptions, clean: Cleaner) -> Iterator[str]:
    """The Markdown's paragraphs (headings, lines, fenced code, images), in order."""
    convert = converter(document, options)

    def chinese(block: Block) -> str:
        text = clean(block.source.strip(), f"block {block.id} (Chinese)")
        return convert(text) if convert and text else text

    def english(block: Block) -> str:
        return clean(block.target.strip(), f"block {block.id} (English)")

    if options.reader:
        front = reader_front(document, options, clean, convert)
        if front.headline:
            yield from (f"# {_escape(t)}" for t in (front.title_zh, front.title_en) if t)
        lines = [front.chinese_line, front.english_line, front.credit]
        yield "  \n".join(_escape(line) for line in lines if line)
        blocks = reader_blocks(document, options, front)
    else:
        top = headline(document)
        if top is not None:
            zh = clean(top.source.strip(), f"segment {top.id} (Chinese)")
            yield f"# {_escape(convert(zh) if convert else zh)}"
            if top.target.strip():
                en = clean(top.target.strip(), f"segment {top.id} (English)")
                yield f"# {_escape(en)}"
        yield f"*{_escape(english_status(document))}*"
        blocks = shown_blocks(document, options)
    for block in blocks:
        zh, en = chinese(block), english(block)
        if block.kind == "figure":
            yield _image(document, block, options, clean)
            continue
        if block.kind == "code":
            fence = _fence(block.source)
            yield f"{fence}\n{block.source.rstrip(chr(10))}\n{fence}"
            continue
        if block.kind in ("title", "heading"):
            marks = "#" * (1 if block.kind == "title" else max(2, min(block.level or 2, 6)))
            yield f"{marks} {_escape(zh)}"
            if en:
                yield f"{marks} {_escape(en)}"
            continue
        if block.kind == "caption":
            yield f"*{_escape(zh)}*"
            if en:
                yield f"*{_escape(en)}*"
            continue
        yield _escape(zh)
        if en:
            yield _escape(en)


def _image(document: Document, block: Block, options: ExportOptions, clean: Cleaner) -> str:
    """`![alt](<assets folder>/<sha256>.<ext>)`, the path relative to the Markdown file (the
    run writes the assets folder beside it; a library caller without one gets the folder named
    after the input) and percent-encoded, so that no file name can end the link early."""
    figure = block.figure
    assert figure is not None  # shown_blocks keeps only figures with their image
    beside_input = assets_folder(Path(str(document.meta.get("input") or "stdin")).name).name
    path = quote(f"{options.assets or beside_input}/{figure.name}")
    alt = _INLINE.sub(r"\\\1", " ".join(clean(figure.alt, f"figure {block.id} (alt text)").split()))
    return f"![{alt}]({path})"


def _escape(text: str) -> str:
    """Text shown as text: inline marks escaped, and each line kept from starting a list, a
    heading or a quote."""
    lines = [_INLINE.sub(r"\\\1", line) for line in text.splitlines() or [""]]
    return "  \n".join(_LINE_START.sub(r"\1\\\2", line) for line in lines)


def _fence(code: str) -> str:
    """A code block's fence by CommonMark's rule: a backtick fence is closed only by a line of
    at least as many backticks, so one longer than every run of backticks in the code cannot be
    closed by it (tildes close only a tilde fence)."""
    longest = max((len(run) for run in _BACKTICKS.findall(code)), default=0)
    return "`" * max(3, longest + 1)
