"""Segmentation: a reader's raw blocks -> typed blocks -> sentences, as one Document.

`segment` keeps the kind a structured reader gave a block and classifies only the blocks
without one; it also decides the text's script (`source_lang`).

Lossless by construction: the segments of a block joined give back the block's text exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast, get_args

from .document import Block, BlockKind, Document, RawBlock, RawText, Segment, renumber
from .news import (
    SOURCE_NOTE,
    agency_credit,
    date_in_english,
    ends_in_a_mark,
    find_date,
    is_flash_tag,
    is_short_line,
    source_note_meta,
    source_note_pieces,
    structure,
    without_date_label,
)
from .script import CHINESE_FULL_STOPS, CLOSERS, SENTENCE_END_MARKS, han_characters

# Full-width marks end a sentence wherever they stand; a run of them (？！, ……。) is one end.
# Closing quotes and brackets travel with the mark they follow: 「…成果。」 is one sentence.
_CLOSE = re.escape(CLOSERS)  # for use inside a character class
_SENTENCE_END = re.compile(
    rf"""
    (?:
        [{CHINESE_FULL_STOPS}]+[{SENTENCE_END_MARKS}]*  # full-width end marks, in runs
      | [!?]+(?=[{_CLOSE}]*(?:\s|$))  # ASCII ! ? only before space or the end
      | \.(?=[{_CLOSE}]*(?:\s|$))      # ASCII . likewise, so never inside 3.5
    )
    [{_CLOSE}{CHINESE_FULL_STOPS}]*  # closing quotes and brackets that follow, and a
                                     # mark after them: 「好嗎？」！ is one end
    \s*                                # the space after a sentence belongs to it
    """,
    re.VERBOSE,
)


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences; `"".join(result) == text` always holds."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if end > start and text[start:end].strip():
            pieces.append(text[start:end])
            start = end
    if start < len(text):
        rest = text[start:]
        if pieces and not rest.strip():
            pieces[-1] += rest  # trailing space stays with the last sentence
        else:
            pieces.append(rest)
    return pieces or [text]


# The segmenter's version, recorded in the signature of every JSON form: ids are positional, so
# a text segmented by another version may number its blocks differently (see review.py).
# Version 4: a picture is a `figure` block of its own (and its alt text may add a caption), so
# the blocks after it are numbered one further on.
SEGMENTER_VERSION = 4


def _is_dateline(text: str) -> bool:
    found = find_date(text)
    return (
        found is not None
        and "\n" not in text.strip()
        and len(text.strip()) <= 80
        and not ends_in_a_mark(text)
        and found[1].start() <= 12  # the date leads the line, after an optional label
    )


def parse_dateline(text: str) -> dict[str, str]:
    """Date (ISO) and byline of a dateline such as ` date 2026-02-03 即時中心／梁博超報導`."""
    found = find_date(text)
    if not found:
        return {}
    date, m = found
    byline = (text[: m.start()] + " " + text[m.end() :]).strip()
    byline = without_date_label(byline).strip(" ，,|｜")
    byline = agency_credit(byline) or ("" if is_flash_tag(byline) else byline)
    meta = {"date": date}
    if byline:
        meta["byline"] = byline
    return meta


_KINDS = get_args(BlockKind)


def classify_blocks(
    texts: Sequence[str], hints: Sequence[str | None] | None = None
) -> list[BlockKind]:
    """The kind of each block, from its text and its place among the others.

    A block with a hint (a kind its reader knew, such as a DOCX heading style) keeps it; the
    hinted kinds still count as context for the blocks around them.
    """
    hints = list(hints) if hints is not None else [None] * len(texts)
    kind_of = _Classifier()
    return [kind_of(text, hint) for text, hint in zip(texts, hints, strict=True)]


class _Classifier:
    """`classify_blocks` one block at a time, in order: what it needs of the blocks before
    (whether a paragraph or a title came yet) it keeps, so no list of them is ever held."""

    def __init__(self) -> None:
        self.first = True
        self.seen_paragraph = False
        self.seen_title = False

    def __call__(self, text: str, hint: str | None) -> BlockKind:
        kind: BlockKind
        if hint:
            if hint not in _KINDS:  # a reader's mistake, not the user's: fail loudly
                raise ValueError(f"unknown block kind {hint!r} from a reader")
            kind = cast(BlockKind, hint)
        elif self.first and _is_dateline(text):
            kind = "dateline"
        elif SOURCE_NOTE.match(text):
            kind = "source_note"
        elif is_short_line(text):
            # Before any body text a short unpunctuated line is the title; between paragraphs
            # it is a heading.
            kind = "heading" if self.seen_paragraph or self.seen_title else "title"
        else:
            kind = "paragraph"
        self.first = False
        self.seen_paragraph = self.seen_paragraph or kind == "paragraph"
        self.seen_title = self.seen_title or kind == "title"
        return kind


def detect_script(text: str) -> str:
    """`zh-Hant` when the text has more Traditional-only characters than Simplified-only ones."""
    import opencc

    han = traditional = 0
    to_simplified = opencc.OpenCC("t2s")
    for chunk in _han_chunks(text):
        han += len(chunk)
        traditional += _changed(chunk, to_simplified)
    if not han or traditional * 50 >= han:  # 2% or more: a Traditional text (names aside)
        return "zh-Hant"
    # Only now build the (slower to load) s2t converter: the text looks Simplified or neutral.
    to_traditional = opencc.OpenCC("s2t")
    simplified = sum(_changed(chunk, to_traditional) for chunk in _han_chunks(text))
    return "zh-Hans" if simplified > traditional else "zh-Hant"


_SCRIPT_CHUNK = 65_536  # characters looked at, and converted, at a time


def _han_chunks(text: str) -> Iterator[str]:
    """The Han characters of `text`, a slice of it at a time: OpenCC takes some 60 bytes a
    character while it converts, and the runs of Han found in a whole text of a million lines
    are two million strings."""
    for start in range(0, len(text), _SCRIPT_CHUNK):
        if han := han_characters(text[start : start + _SCRIPT_CHUNK]):
            yield han


def _changed(han: str, converter: Any) -> int:
    """How many characters of `han` `converter` changes."""
    return sum(a != b for a, b in zip(han, converter.convert(han), strict=False))


# Kinds whose text is one segment whatever its punctuation: a heading is translated whole, code
# is shown as it is, a byline or boilerplate line is one unit.
_WHOLE_KINDS = ("dateline", "title", "heading", "source_note", "code", "byline", "boilerplate")


def _separated(blocks: Iterable[RawBlock]) -> Iterator[RawBlock]:
    """Blocks split where the text says so: U+2029 separates paragraphs, U+2028 is a line break
    (Word and some editors write them in place of a paragraph or a line)."""
    for block in blocks:
        if block.kind == "code" or ("\u2028" not in block.text and "\u2029" not in block.text):
            yield block
            continue
        for piece in block.text.replace("\u2028", "\n").split("\u2029"):
            if piece.strip():
                yield RawBlock(piece.strip(), block.kind, dict(block.meta))


def _taken(raw: RawText) -> Iterator[RawBlock]:
    """`raw`'s blocks, each let go as it is given (`raw.blocks` is empty from the start): a text
    of a million lines never holds its raw blocks beside its segments."""
    blocks, raw.blocks = raw.blocks, []
    for index, block in enumerate(blocks):
        blocks[index] = _GIVEN
        yield block


_GIVEN = RawBlock("")


def segment(raw: RawText) -> Document:
    """Turn a reader's raw blocks into a segmented Document with positional ids and metadata.

    The news pass (news.py) runs first on every reader's blocks: datelines, bylines, captions
    and boilerplate get their kinds and pieces; the classifier decides the kinds left open.
    The blocks go through one at a time and `raw` lets go of each once read (`raw.blocks` is
    empty after).
    """
    meta = dict(raw.meta)
    kind_of = _Classifier()
    blocks: list[Block] = []
    assets: dict[str, bytes] = {}
    flash_tags: set[int] = set()  # blocks that are a flash tag: never the title
    for news_block in structure(_separated(_taken(raw))):
        text = news_block.text
        kind = kind_of(text, news_block.kind)
        if "flash" in news_block.found:
            flash_tags.add(len(blocks))
        pieces = news_block.pieces
        if kind == "dateline" and pieces is None:
            # a date inside the first line, not leading it (記者王小明 2026年2月3日): a byline
            # with its date, translated whole
            meta.update(parse_dateline(text))
            kind = "byline"
        elif kind == "source_note":
            meta.update(source_note_meta(text))
            pieces = source_note_pieces(text)
        elif kind == "title" and not meta.get("title"):
            meta["title"] = text.strip()
        if kind == "dateline" and "date" in news_block.found:
            meta["date"] = news_block.found["date"]  # the text's own date wins over the page's
        if "byline" in news_block.found and not meta.get("byline"):
            meta["byline"] = news_block.found["byline"]
        if "date" in news_block.found:
            meta.setdefault("date", news_block.found["date"])
        if kind == "figure" and news_block.figure is not None:
            # a picture holds no segment; its bytes go with the document, once each
            blocks.append(Block(id="", kind="figure", figure=news_block.figure))
            if news_block.image is not None:
                assets[news_block.figure.name] = news_block.image
            continue
        if pieces is None:
            pieces = [text] if kind in _WHOLE_KINDS else split_sentences(text)
        block = Block(
            id="",
            kind=kind,
            # a literal list is the exact size; a comprehension's keeps room for four
            segments=[Segment(id="", source=pieces[0])]
            if len(pieces) == 1
            else [Segment(id="", source=s) for s in pieces],
            level=news_block.meta.get("level") if news_block.kind else None,
        )
        if kind == "dateline" and "date" in news_block.found:
            # the date is written out, never sent to the engine (Document.translatable_segments)
            block.segments[0].apply_draft(date_in_english(news_block.found["date"]), [], [])
        blocks.append(block)
    if not meta.get("title") and meta.get("source_headline"):
        meta["title"] = meta["source_headline"]
    if not meta.get("title"):
        heading = next(
            (b for i, b in enumerate(blocks) if b.kind == "heading" and i not in flash_tags), None
        )
        if heading is not None:
            meta["title"] = heading.source.strip()
    renumber(blocks)
    # the segments joined are the text (lossless), so the script is read from them
    text = "".join(s.source for b in blocks for s in b.segments)
    return Document(blocks=blocks, source_lang=detect_script(text), meta=meta, assets=assets)
