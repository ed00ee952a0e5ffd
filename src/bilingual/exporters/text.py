"""The text the exporters show: cleaned of characters XML cannot carry, the Chinese column in the
script asked for, and each segment cut into pieces at its glossary terms (in both columns).

DOCX, HTML, TMX and XLIFF all build on these, so a control character, a term highlight or a
Simplified column behaves the same in every format.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..document import Block, Document, Figure, Segment, Term
from ..errors import InputError
from ..script import has_han
from . import ExportOptions, Finding

# XML 1.0 cannot carry C0 controls other than tab, line feed and carriage return, lone surrogates
# or U+FFFE/U+FFFF; HTML also rejects DEL, the C1 controls and the noncharacters U+FDD0..U+FDEF.
# None of them belongs in a news text, so every exporter drops them (and says so).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)

# Fonts for Word users when --cjk-font is not given (docs/outputs.md explains the choice): both
# ship with Windows and with Microsoft Office for Mac; elsewhere the language tag lets Word and
# LibreOffice substitute a font of the same script (PingFang on macOS, Noto Sans CJK on Linux).
DEFAULT_CJK_FONTS = {"zh-TW": "Microsoft JhengHei", "zh-CN": "Microsoft YaHei"}


class Cleaner:
    """Removes the characters XML cannot carry and keeps one warning line per place they were in.

    A place names a field of the document (`segment b2s1 (Chinese)`, `… (English)`, `… (notes)`,
    `… (terms)`, `meta.title`, `glossary appendix`: see `places`). Given the document, a place's
    line counts the characters the document holds there, not those of the copy one exporter
    made (a tooltip, a hint), so that every exporter says the same line for the same place and
    a run that writes several formats says it once.
    """

    def __init__(self, document: Document | None = None) -> None:
        self._document = document
        self._found: dict[str, list[str]] = {}
        self._seen: set[tuple[str, str]] = set()  # the same text shown twice is counted once

    def __call__(self, text: str, where: str) -> str:
        if not _FORBIDDEN.search(text):
            return text
        if (where, text) not in self._seen:
            self._seen.add((where, text))
            self._found.setdefault(where, []).extend(_FORBIDDEN.findall(text))
        return _FORBIDDEN.sub("", text)

    def warnings(self) -> list[str]:
        if not self._found:
            return []
        lines = []
        # only the places where characters were found: every place of the document took about
        # 750 bytes a segment (750 MB for a million), though a clean document looks up none
        texts = places(self._document, set(self._found)) if self._document is not None else {}
        for where, chars in self._found.items():
            # the document's own text at this place when it is one of its fields
            held = [c for text in texts.get(where, ()) for c in _FORBIDDEN.findall(text)]
            chars = held or chars
            codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(set(chars)))
            count = len(chars)
            lines.append(
                f"{where}: removed {count} character(s) XML and HTML cannot carry ({codes})"
            )
        return lines


def places(document: Document, wanted: set[str]) -> dict[str, list[str]]:
    """The document's texts at the places in `wanted`, by the name a Cleaner gives a place
    (the same names in every exporter)."""
    texts: dict[str, list[str]] = {}
    for segment in document.segments:
        where = f"segment {segment.id}"
        held = {
            f"{where} (Chinese)": [segment.source],
            f"{where} (English)": [segment.target],
            f"{where} (notes)": list(segment.notes),
            f"{where} (terms)": list(
                dict.fromkeys(
                    text for t in segment.terms for text in (t.source, t.rendering, t.note or "")
                )
            ),
        }
        texts.update((place, held[place]) for place in held.keys() & wanted)
    for key, value in document.meta.items():
        if isinstance(value, (str, int, float)):
            texts[f"meta.{key}"] = [str(value)]
    if "glossary appendix" in wanted:
        texts["glossary appendix"] = [
            text for t in used_terms(document) for text in (t.source, *t.renderings, t.note or "")
        ]
    return texts


def require_segments(document: Document) -> None:
    """An exporter has nothing to write for a document without segments: say so clearly."""
    if not document.segments:
        name = document.meta.get("input") or "document"
        raise InputError(f"{name}: the document has no segments to export")


def chinese_tag(document: Document, options: ExportOptions) -> str:
    """The language tag of the Chinese column as Word and translation tools spell it."""
    simplified = document.source_lang == "zh-Hans" or options.source_script == "simplified"
    return "zh-CN" if simplified else "zh-TW"


def chinese_lang(document: Document, options: ExportOptions) -> str:
    """The BCP 47 tag of the Chinese column as shown (`zh-Hant`, or `zh-Hans` once converted)."""
    if options.source_script == "simplified":
        return "zh-Hans"
    return document.source_lang


def cjk_font(document: Document, options: ExportOptions) -> str:
    return options.cjk_font or DEFAULT_CJK_FONTS[chinese_tag(document, options)]


def converter(document: Document, options: ExportOptions) -> Callable[[str], str] | None:
    """OpenCC Taiwan-to-mainland conversion (with phrases) when a Simplified column is asked for."""
    if options.source_script != "simplified" or document.source_lang == "zh-Hans":
        return None
    import opencc

    return opencc.OpenCC("tw2sp").convert


@dataclass(frozen=True)
class Piece:
    """A run of text in one column; `term` is the index of the segment's term it shows, if any."""

    text: str
    term: int | None = None


def chinese_pieces(
    segment: Segment, clean: Cleaner, convert: Callable[[str], str] | None = None
) -> list[Piece]:
    """The segment's source cut at its term spans; each piece converted and cleaned on its own,
    so that conversion or cleaning cannot move a term's boundaries."""
    pieces: list[Piece] = []
    where = f"segment {segment.id} (Chinese)"
    at = 0
    for index, term in enumerate(segment.terms):
        if term.start < at or term.end <= term.start or term.end > len(segment.source):
            continue  # overlapping or out-of-range spans (a hand-edited JSON) are not highlighted
        pieces.append(Piece(segment.source[at : term.start]))
        pieces.append(Piece(segment.source[term.start : term.end], index))
        at = term.end
    pieces.append(Piece(segment.source[at:]))
    result = []
    for piece in pieces:
        text = convert(piece.text) if convert and piece.text else piece.text
        text = clean(text, where)
        if text:
            result.append(Piece(text, piece.term))
    return result


def english_pieces(segment: Segment, clean: Cleaner) -> list[Piece]:
    """The segment's target cut where the renderings of its terms occur (the longest rendering
    wins where two could match; the n-th occurrence of a rendering is paired with the n-th term
    that asks for it, extra occurrences with the last)."""
    text = clean(segment.target, f"segment {segment.id} (English)")
    if not text or not segment.terms:
        return [Piece(text)] if text else []
    owners: dict[str, list[int]] = {}
    for index, term in enumerate(segment.terms):
        if term.rendering.strip():
            owners.setdefault(term.rendering.strip().lower(), []).append(index)
    if not owners:
        return [Piece(text)]
    pieces: list[Piece] = []
    found: dict[str, int] = {}
    at = 0
    for match in _renderings_pattern(tuple(owners)).finditer(text):
        key = match.group().lower()
        if key not in owners:  # a case-insensitive match whose lower() differs (rare scripts)
            key = next(k for k in owners if re.fullmatch(re.escape(k), match.group(), re.I))
        indexes = owners[key]
        seen = found.get(key, 0)
        found[key] = seen + 1
        if match.start() > at:
            pieces.append(Piece(text[at : match.start()]))
        pieces.append(Piece(match.group(), indexes[min(seen, len(indexes) - 1)]))
        at = match.end()
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


@functools.lru_cache(maxsize=4096)
def _renderings_pattern(renderings: tuple[str, ...]) -> re.Pattern[str]:
    # longest first, so that at any position the longest rendering is the one matched
    alternatives = "|".join(re.escape(r) for r in sorted(renderings, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def terms_hint(segment: Segment) -> str:
    """`Terms: EPPD; President Lai Ching-te`: what a translator filling an empty target must use."""
    renderings = list(dict.fromkeys(t.rendering for t in segment.terms if t.rendering.strip()))
    return "Terms: " + "; ".join(renderings) if renderings else ""


def term_tip(term: Term) -> str:
    """One line for a tooltip: the source, its rendering and the glossary's note."""
    tip = f"{term.source} → {term.rendering}"
    return f"{tip} ({term.note})" if term.note else tip


@dataclass
class UsedTerm:
    source: str
    renderings: list[str]  # in order of use: a first-mention form, then the short form
    note: str | None

    @property
    def rendering(self) -> str:
        return "; then ".join(self.renderings)


def used_terms(document: Document) -> list[UsedTerm]:
    """The glossary terms the document uses, one per source text, in order of first use."""
    seen: dict[str, UsedTerm] = {}
    for segment in document.segments:
        for term in segment.terms:
            used = seen.setdefault(term.source, UsedTerm(term.source, [], term.note))
            if term.rendering not in used.renderings:
                used.renderings.append(term.rendering)
            used.note = used.note or term.note
    return list(seen.values())


def english_status(document: Document) -> str:
    """A line for readers on what the English column is: a machine draft, reviewed, or empty."""
    segments = document.translatable_segments  # a dateline's written-out date is no translation
    human = sum(1 for s in segments if s.status == "human")
    filled = sum(1 for s in segments if s.target.strip())
    signature = document.meta.get("signature") or {}
    engine = signature.get("engine")
    model = signature.get("model")
    made_by = ", ".join(str(x) for x in (engine, model) if x and x != "none")
    if filled == 0:
        return "English column to be filled in by the translator"
    if human == len(segments):
        return "English reviewed by a translator"
    line = "English: machine translation draft" + (f" ({made_by})" if made_by else "")
    if human:
        line += f"; {human} of {len(segments)} sentences reviewed"
    return line


def clean_meta(document: Document, clean: Cleaner, key: str) -> str:
    value = document.meta.get(key)
    return clean(str(value), f"meta.{key}") if value else ""


def findings_by_segment(
    document: Document, findings: Sequence[Finding]
) -> dict[str, list[Finding]]:
    """The check stage's findings, grouped by segment id.

    In a worksheet (nothing translated yet) "not translated yet" on every row says nothing the
    empty column does not, so those findings are left out there."""
    worksheet = not any(s.target.strip() for s in document.translatable_segments)
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if worksheet and finding.code == "empty":
            continue
        grouped.setdefault(finding.segment_id, []).append(finding)
    return grouped


def join_nonempty(parts: Sequence[str], sep: str = " · ") -> str:
    return sep.join(p for p in parts if p)


# --- the structure of news, as every reader's format shows it --------------------------------


def shown_blocks(document: Document, options: ExportOptions) -> list[Block]:
    """The blocks a format for readers shows (DOCX, HTML, Markdown): boilerplate (延伸閱讀,
    點我訂閱) only with `options.keep_boilerplate`, and figures only with their image at hand
    (`missing_images` says which are not); both stay in the JSON form either way."""
    return [
        b
        for b in document.blocks
        if (b.kind != "boilerplate" or options.keep_boilerplate)
        and (b.kind != "figure" or has_image(document, b))
    ]


# --- figures -----------------------------------------------------------------------------------

# The media type of each image file type a figure may hold (`IMAGE_TYPES`).
IMAGE_MEDIA_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}

# CSS pixels per point: an image without a displayed size is shown at 96 pixels per inch.
PIXELS_PER_POINT = 96 / 72


def has_image(document: Document, block: Block) -> bool:
    """Whether a figure block's image bytes are in the document's assets."""
    return block.figure is not None and block.figure.name in document.assets


def missing_images(document: Document) -> list[str]:
    """One warning line per figure whose image is not in the document's assets (an assets
    folder not copied with the JSON form): the formats for readers leave it out. Every
    exporter says the same line, so that a run says it once."""
    return [
        f"figure {b.id}: image {b.figure.name if b.figure else '(none)'} is missing from the "
        "assets; left out"
        for b in document.blocks
        if b.kind == "figure" and not has_image(document, b)
    ]


def display_points(figure: Figure) -> tuple[float, float]:
    """The size a figure is shown at, in points: the size its source displayed it at (one side
    given: the other from the aspect ratio), else its pixels at 96 per inch."""
    width, height = figure.display_width, figure.display_height
    aspect = figure.height / figure.width if figure.width else 1.0
    if width and height:
        return width, height
    if width:
        return width, width * aspect
    if height:
        return (height / aspect if aspect else height), height
    return figure.width / PIXELS_PER_POINT, figure.height / PIXELS_PER_POINT


def fitted(size: tuple[float, float], max_width: float, max_height: float) -> tuple[float, float]:
    """`size` scaled down (never up), aspect ratio kept, to fit `max_width` × `max_height`."""
    width, height = size
    scale = min(1.0, max_width / width if width else 1.0, max_height / height if height else 1.0)
    return width * scale, height * scale


def headline(document: Document) -> Segment | None:
    """The headline's segment when no title block holds it: the headline inside a source note
    (原文出處：快新聞／<headline>), whose English the front matter shows with the Chinese."""
    if any(b.kind == "title" for b in document.blocks):
        return None
    wanted = str(document.meta.get("source_headline") or "").strip()
    for block in document.blocks:
        if block.kind == "source_note" and len(block.segments) > 1:
            last = block.segments[-1]
            if not wanted or last.source.strip() == wanted:
                return last
    return None


def untranslated_ids(document: Document) -> set[str]:
    """The ids of the segments no engine translates (code, boilerplate, a dateline's date; see
    Document.translatable_segments): `translate="no"` in XLIFF, left out of TMX."""
    translated = {id(s) for s in document.translatable_segments}
    return {s.id for s in document.segments if id(s) not in translated}


# --- the reader's edition ----------------------------------------------------------------------


@dataclass
class Front:
    """What a reader's edition shows above the text: the headline, then byline and date (each
    line in Chinese and in English where there is English), then the credit.

    `headline` is False when the text has no headline: the title is then metadata only (the
    DOCX's title property and header, the HTML's <title>), with no block of its own."""

    title_zh: str
    title_en: str
    headline: bool
    byline_zh: str = ""
    byline_en: str = ""
    date_zh: str = ""
    date_en: str = ""
    credit: str = ""
    shown: frozenset[str] = frozenset()  # ids of the segments shown here, not in the body

    @property
    def chinese_line(self) -> str:
        return join_nonempty([self.byline_zh, self.date_zh])

    @property
    def english_line(self) -> str:
        return join_nonempty([self.byline_en, self.date_en])

    @property
    def page_title(self) -> str:
        """`中文標題 | English headline`: a browser tab or a PDF's title, in both languages."""
        return join_nonempty([self.title_zh, self.title_en], " | ")


def has_chinese(text: str) -> bool:
    """Whether a line the user gave (a byline, a credit) is Chinese, to set it as Chinese."""
    return has_han(text)


def reader_front(
    document: Document,
    options: ExportOptions,
    clean: Cleaner,
    convert: Callable[[str], str] | None,
) -> Front:
    """The front of the reader's edition, its texts cleaned and the Chinese converted as asked.

    The headline is the first title block (a given --title is one), else the headline in a
    source note; the byline is a given --byline, else the text's leading byline (a dateline's
    second segment, or a byline block before the first paragraph) with its English; the date is
    the document's, written out in each language."""
    from ..front import headline_block, written_dates

    def zh(text: str, where: str) -> str:
        text = clean(text.strip(), where)
        return convert(text) if convert and text else text

    shown: set[str] = set()
    block = headline_block(document)
    top = block.segments[0] if block is not None and block.segments else headline(document)
    if block is not None:
        shown |= {s.id for s in block.segments}
        title_zh = zh(block.source, f"segment {block.segments[0].id} (Chinese)")
        title_en = clean(block.target, f"segment {block.segments[0].id} (English)")
    elif top is not None:
        title_zh = zh(top.source, f"segment {top.id} (Chinese)")
        title_en = clean(top.target.strip(), f"segment {top.id} (English)")
    else:
        title_zh, title_en = zh(document.title, "meta.title"), ""
    front = Front(title_zh, title_en, headline=top is not None)

    leading = _leading_byline(document)
    shown |= {s.id for b in document.blocks if b.kind == "dateline" for s in b.segments}
    if leading is not None:
        shown.add(leading.id)
    if document.meta.get("byline_given"):
        given = clean_meta(document, clean, "byline")
        if has_chinese(given):
            front.byline_zh = convert(given) if convert else given
        else:
            front.byline_en = given
    elif leading is not None:
        front.byline_zh = zh(leading.source, f"segment {leading.id} (Chinese)")
        front.byline_en = clean(leading.target.strip(), f"segment {leading.id} (English)")
    else:
        front.byline_zh = zh(str(document.meta.get("byline") or ""), "meta.byline")
    date = clean_meta(document, clean, "date")
    if date:
        front.date_zh, front.date_en = written_dates(date)
    front.credit = clean(options.credit or "", "credit").strip()
    front.shown = frozenset(shown)
    return front


def _leading_byline(document: Document) -> Segment | None:
    """The byline before the article's first paragraph: a dateline's second segment, or the
    first byline block."""
    for block in document.blocks:
        if block.kind == "dateline" and len(block.segments) > 1:
            return block.segments[1]
        if block.kind == "byline" and block.segments:
            return block.segments[0]
        if block.kind == "paragraph":
            return None
    return None


def reader_blocks(document: Document, options: ExportOptions, front: Front) -> list[Block]:
    """The blocks of the reader's edition's body: those shown (see `shown_blocks`), without the
    segments the front shows; a block left with none is left out (a figure has none: it stays)."""
    blocks = []
    for block in shown_blocks(document, options):
        segments = [s for s in block.segments if s.id not in front.shown]
        if segments or block.figure is not None:
            blocks.append(Block(block.id, block.kind, segments, block.level, block.figure))
    return blocks
