"""The bilingual HTML page: one self-contained file (inline CSS and JS, no network requests).

Side by side on wide screens and stacked on narrow ones; every segment is a row whose Chinese
and English cells carry `data-segment="<id>"` (ids `zh-<id>` and `en-<id>`), glossary terms are
marked in both columns, and check findings mark their rows (`finding-error`/`finding-warning`).
The reader's edition has none of those marks, nor their style rules (review.css) or script
(terms.js): one header with the headline in both languages, byline and date, then the pairs.
The template is `templates/page.html.j2`, rendered with autoescaping on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..document import Block, Document, Segment
from ..version import __version__
from . import ExportOptions, Finding, Rendered, document_fingerprint
from .text import (
    IMAGE_MEDIA_TYPES,
    PIXELS_PER_POINT,
    Cleaner,
    Piece,
    chinese_lang,
    chinese_pieces,
    clean_meta,
    converter,
    display_points,
    english_pieces,
    english_status,
    findings_by_segment,
    headline,
    join_nonempty,
    missing_images,
    reader_blocks,
    reader_front,
    require_segments,
    shown_blocks,
    term_tip,
    terms_hint,
    used_terms,
)

TEMPLATES = Path(__file__).parent / "templates"

# Font stacks per column; a font given with --cjk-font / --latin-font goes first.
CJK_FONTS = {
    "zh-Hant": [
        "Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "PingFang TC",
        "Microsoft JhengHei", "Heiti TC",
    ],
    "zh-Hans": [
        "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
        "Microsoft YaHei", "Heiti SC",
    ],
}  # fmt: skip
LATIN_FONTS = ["Segoe UI", "Helvetica Neue", "Arial", "Noto Sans", "Liberation Sans"]
# A font name goes into the style sheet, where autoescaping does not protect: only plain names.
_SAFE_FONT = re.compile(r"[\w][\w .\-]{0,63}")

_CELL_TAGS = {"title": "h1", "heading": "h2", "code": "pre"}  # code keeps its lines and spaces


class HtmlExporter:
    name = "html"
    extension = ".html"
    media_type = "text/html"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        require_segments(document)
        return Rendered.streamed(functools.partial(write_html, document, options, findings))


@dataclass
class _Row:
    id: str
    tag: str
    zh: list[Piece]
    en: list[Piece]
    tips: list[str]
    hint: str
    classes: str = ""
    findings: str = ""
    via: str = ""  # how the machine English was obtained (`data-via` on its cell)


@dataclass
class _Image:
    """A photo as the page shows it: its bytes as a `data:` URL (the page stays one file that
    asks the network for nothing), its displayed size in CSS pixels, its alt text."""

    src: str
    width: int
    height: int
    alt: str


@dataclass
class _Block:
    id: str
    kind: str
    rows: list[_Row] = field(default_factory=list)
    image: _Image | None = None
    # a figure's caption: the rows of the caption block after it, shown in its <figcaption>
    caption: list[_Row] = field(default_factory=list)
    caption_id: str = ""


def write_html(
    document: Document, options: ExportOptions, findings: Sequence[Finding], handle: BinaryIO
) -> list[str]:
    """Write the page as UTF-8 into `handle`; the warnings of the run (characters removed).
    `findings` mark their rows.

    The rows are made a block at a time as the template asks for them, and the page is written
    as it is rendered: made whole first, a million rows took about 2.8 KB each, and the page
    itself 300 MB.
    """
    from markupsafe import Markup

    clean = Cleaner(document)
    convert = converter(document, options)
    reader = options.reader
    front = reader_front(document, options, clean, convert) if reader else None
    by_segment = {} if reader else findings_by_segment(document, findings)
    shown = reader_blocks(document, options, front) if front else shown_blocks(document, options)

    def views() -> Iterator[_Block]:
        # one block behind: a caption right after a photo joins the photo's view
        previous: _Block | None = None
        for block in shown:
            view = _Block(block.id, block.kind)
            for segment in block.segments:
                row = _row(segment, block.kind, clean, convert, by_segment.get(segment.id))
                view.rows.append(_plain(row) if reader else row)
            if block.kind == "figure":
                view.image = _image(document, block, clean)
            elif (
                block.kind == "caption"
                and previous is not None
                and previous.image
                and not previous.caption
            ):
                previous.caption = view.rows  # the photo's caption, in both languages
                previous.caption_id = block.id
                continue
            if previous is not None:
                yield previous
            previous = view
        if previous is not None:
            yield previous

    def chinese_meta(key: str) -> str:
        text = clean_meta(document, clean, key)
        return convert(text) if convert and text else text

    zh_lang = chinese_lang(document, options)
    terms = []
    if options.glossary_appendix:
        for term in used_terms(document):
            source = clean(term.source, "glossary appendix")
            terms.append(
                {
                    "source": convert(source) if convert else source,
                    "rendering": clean(term.rendering, "glossary appendix"),
                    "note": clean(term.note or "", "glossary appendix"),
                }
            )
    with_notes = any(term["note"] for term in terms)
    has_source_note = any(b.kind == "source_note" for b in document.blocks)
    news_headline = headline(document)
    template = _environment().get_template("page.html.j2")
    pieces = template.generate(
        reader=reader,
        front=front,
        title=chinese_meta("title"),
        page_title=front.page_title if front else clean(document.title, "meta.title"),
        headline=_row(news_headline, "title", clean, convert, None) if news_headline else None,
        show_title=not any(b.kind == "title" for b in document.blocks),
        byline=join_nonempty([clean_meta(document, clean, "date"), chinese_meta("byline")]),
        edition=english_status(document),
        source_note="" if has_source_note else chinese_meta("source_note"),
        blocks=views(),
        terms=terms,
        with_notes=with_notes,
        appendix=options.glossary_appendix,
        zh_lang=zh_lang,
        en_lang="en",
        # checked names (see _SAFE_FONT), quoted for CSS: escaping them would break the style sheet
        zh_fonts=Markup(_font_stack(options.cjk_font, CJK_FONTS[zh_lang])),
        en_fonts=Markup(_font_stack(options.latin_font, LATIN_FONTS)),
        fingerprint=clean(document_fingerprint(document), "meta.input"),
        tool=f"bilingual {__version__}",
    )
    for piece in pieces:
        handle.write(piece.encode("utf-8"))
    return [*clean.warnings(), *missing_images(document)]


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    """The template environment, made once per process: compiling the templates costs more
    than rendering a page, which a batch of many documents would pay for every one."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _row(
    segment: Segment, kind: str, clean: Cleaner, convert: Any, findings: list[Finding] | None
) -> _Row:
    row = _Row(
        id=segment.id,
        tag=_CELL_TAGS.get(kind, "p"),
        zh=chinese_pieces(segment, clean, convert),
        en=english_pieces(segment, clean),
        tips=[clean(term_tip(t), f"segment {segment.id} (terms)") for t in segment.terms],
        hint=""
        if segment.target.strip()
        else clean(terms_hint(segment), f"segment {segment.id} (terms)"),
        via=segment.via or "",
    )
    if findings:
        worst = "error" if any(f.severity == "error" for f in findings) else "warning"
        row.classes = f" finding-{worst}"
        row.findings = clean(
            "\n".join(f"{f.severity}: {f.message}" for f in findings),
            f"segment {segment.id} (check)",
        )
    return row


def _image(document: Document, block: Block, clean: Cleaner) -> _Image:
    import base64

    figure = block.figure
    assert figure is not None  # shown_blocks keeps only figures with their image
    data = base64.b64encode(document.assets[figure.name]).decode("ascii")
    width, height = display_points(figure)
    return _Image(
        src=f"data:{IMAGE_MEDIA_TYPES[figure.ext]};base64,{data}",
        width=round(width * PIXELS_PER_POINT),
        height=round(height * PIXELS_PER_POINT),
        alt=clean(figure.alt, f"figure {block.id} (alt text)"),
    )


def _plain(row: _Row) -> _Row:
    """A row as the reader's edition shows it: the text alone (no term marks, tips or hints)."""
    return _Row(
        id=row.id,
        tag=row.tag,
        zh=[Piece("".join(p.text for p in row.zh))],
        en=[Piece("".join(p.text for p in row.en))],
        tips=[],
        hint="",
    )


def _font_stack(first: str | None, fallbacks: list[str]) -> str:
    names = [first] if first and _SAFE_FONT.fullmatch(first) else []
    names += [f for f in fallbacks if f != first]
    return ", ".join(f'"{name}"' for name in names) + ", sans-serif"
