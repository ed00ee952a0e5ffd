"""The front of a document: its headline, byline and date, as found in the text or given on the
command line (`translate --title/--title-en/--byline/--date`), and the title every output shows
when there is no headline (never a file name).

The exporters show the front; this module decides what it holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date

from .document import Block, Document, Segment, renumber

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class GivenFront:
    """What the user gave on the command line; None: keep what the text has."""

    title: str | None = None
    title_en: str | None = None
    byline: str | None = None
    date: str | None = None  # YYYY-MM-DD

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.title, self.title_en, self.byline, self.date))


def parse_date(text: str) -> str:
    """`2026-01-29` checked as a real day, or ValueError saying what is wrong."""
    m = _ISO_DATE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        Date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as e:
        raise ValueError(f"{text!r} is not a day of the calendar ({e})") from None
    return m[0]


def apply_given(document: Document, given: GivenFront) -> None:
    """Put a given title, byline and date into the document (they win over the text's own).

    A given title becomes the headline segment, so it is translated like any other: the first
    title block's text is replaced, or a title block is put first. The byline and date are
    metadata; the exporters show them under the headline. `title_en` is applied later, once the
    glossary has annotated the headline (see `apply_title_en`)."""
    if given.title is not None and given.title.strip():
        title = given.title.strip()
        block = headline_block(document)
        if block is None:
            document.blocks.insert(0, Block(id="", kind="title", segments=[Segment("", title)]))
        else:
            block.segments = [Segment("", title)]
        renumber(document.blocks)
        document.meta["title"] = title
    if given.byline is not None and given.byline.strip():
        document.meta["byline"] = given.byline.strip()
        document.meta["byline_given"] = True
    if given.date is not None:
        document.meta["date"] = parse_date(given.date)


def apply_title_en(document: Document, title_en: str | None, at: str) -> None:
    """The headline's English as the user gave it: a person's translation, kept as reviewed."""
    block = headline_block(document)
    if title_en is None or not title_en.strip() or block is None:
        return
    from .review import record_review

    for segment in block.segments[1:]:
        segment.clear_target()
    record_review(block.segments[0], title_en.strip(), at)


def headline_block(document: Document) -> Block | None:
    """The block that holds the headline: the first title block."""
    return next((b for b in document.blocks if b.kind == "title"), None)


def has_headline(document: Document) -> bool:
    """Whether the text has a headline of its own (a title block, or one in its source note)."""
    return headline_block(document) is not None or bool(document.meta.get("source_headline"))


def untitled_warning(document: Document) -> str | None:
    """One line saying how to give a title, when the text has no headline of its own."""
    if has_headline(document):
        return None
    name = document.meta.get("input") or "the document"
    return (
        f"{name}: no headline found; the title is {document.title!r} "
        "(give one with --title, and its English with --title-en)"
    )


def date_in_chinese(iso: str) -> str:
    """`2026-02-03` -> `2026年2月3日` (the same in Traditional and Simplified)."""
    year, month, day = (int(p) for p in iso.split("-"))
    return f"{year}年{month}月{day}日"


def written_dates(value: str) -> tuple[str, str]:
    """The document's date written out in Chinese and in English; a date that is not
    YYYY-MM-DD (a page's own wording) is shown as it is, once."""
    from .news import date_in_english

    m = _ISO_DATE.match(value.strip())
    if m is None:
        return value.strip(), ""
    try:
        iso = parse_date(m[0])
    except ValueError:
        return value.strip(), ""
    return date_in_chinese(iso), date_in_english(iso)
