"""The bilingual DOCX for readers and reviewers: side-by-side table or interleaved paragraphs.

What an importer can rely on (the DOCX contract):

- Side-by-side: the first table of the body holds the text; its first row is the header row
  (`中文` | `English`, repeated on every page); then one row per segment, in document order;
  column 0 is Chinese, column 1 English.
- Each segment's English text sits between `w:bookmarkStart`/`w:bookmarkEnd` named exactly by the
  segment id (`b3s2`), its Chinese text between bookmarks named `zh_<id>`. With an empty target
  the English bookmark is collapsed (start and end adjacent) in the cell's first paragraph.
- Added help that is NOT the translation lives in paragraphs of style `Term Hints` (styleId
  `TermHints`: the "Terms: …" list shown for empty targets); an importer skips them.
- Interleaved: each block is a Chinese paragraph followed by its English paragraph; the
  bookmarks are the same.
- Core property `identifier` = `document_fingerprint(document)`.
- Before each `zh_<id>` bookmark, a collapsed bookmark `rev_<id>_<revision>_<english digest>`
  (`revision_stamp`): what the import compares with the JSON form then.

The reader's edition (`options.edition == "reader"`) keeps none of this: the headline in `Title`
paragraphs (Chinese, then English) above the table, byline and date under it, then the table
without the header's bookmarks, hints, comments or term styles. Its identifier starts
`bilingual-reader:`, and `import` refuses it.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

from ..document import Block, Document, Figure, Segment
from ..glossary.render import UNVERIFIED
from ..version import __version__
from . import (
    REVISION_PREFIX,
    ExportOptions,
    Finding,
    Rendered,
    document_fingerprint,
    revision_stamp,
)
from .text import (
    IMAGE_MEDIA_TYPES,
    Cleaner,
    Piece,
    UsedTerm,
    chinese_pieces,
    chinese_tag,
    cjk_font,
    clean_meta,
    converter,
    display_points,
    english_pieces,
    english_status,
    findings_by_segment,
    fitted,
    has_chinese,
    headline,
    join_nonempty,
    missing_images,
    reader_blocks,
    reader_front,
    require_segments,
    shown_blocks,
    used_terms,
)

# Sizes in twentieths of a point (twips), as Word stores them.
PAPER = {"a4": (11906, 16838), "letter": (12240, 15840)}
MARGIN = 1134  # 2 cm
CELL_MARGIN = 140  # a table cell's left and right padding
EMU_PER_POINT = 12700  # DrawingML's unit
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PICTURE = "http://schemas.openxmlformats.org/drawingml/2006/picture"
RULE = "D0D0D0"  # the light rule between paragraphs and columns
MUTED = "6B6B6B"
INK = "1F2933"
NOT_VERIFIED = "not verified"  # after a rendering the glossary marks `verified: false`
UNVERIFIED_SHOWN = 8  # renderings named in the front matter's line about them


class DocxExporter:
    name = "docx"
    extension = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        data, warnings = build_docx(document, options, findings)
        return Rendered(data, warnings)


def build_docx(
    document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
) -> tuple[bytes, list[str]]:
    """The DOCX file as bytes, and the warnings of the run (characters removed); with
    `options.comments`, each of `findings` becomes a comment on its segment."""
    require_segments(document)
    writer = _Writer(document, options, findings)
    writer.write()
    # The body goes into document.xml as the text it was written as, never parsed: parsed, a
    # segment's paragraphs and cells took about 17 KB of memory each (1.7 GB for 100,000 cells).
    marker = f"bilingual-body-{uuid.uuid4().hex}"
    writer.doc.element.body.insert_element_before(
        _element(f"<w:p><w:r><w:t>{marker}</w:t></w:r></w:p>"), "w:sectPr"
    )
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    warnings = [*writer.clean.warnings(), *missing_images(document)]
    return _splice_body(buffer.getvalue(), marker, writer.body), warnings


def _splice_body(package: bytes, marker: str, body: list[str]) -> bytes:
    """`package` with the paragraph holding `marker` in word/document.xml replaced by `body`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                at = xml.index(marker)
                start, end = xml.rindex("<w:p>", 0, at), xml.index("</w:p>", at) + len("</w:p>")
                data = b"".join(
                    [xml[:start].encode(), *(x.encode("utf-8") for x in body), xml[end:].encode()]
                )
            target.writestr(info, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@dataclass
class _Styles:
    """Style ids of the paragraph and character styles the body uses."""

    chinese: str
    english: str
    dateline: str
    source_note: str
    hints: str
    label: str
    byline: str
    term: str
    caption: str = "Caption"  # Word's own, so a caption list and restyling work
    code: str = ""
    figure: str = ""  # a photo's paragraph: centred, kept with its caption


# Word shows at most 255 characters of a document property, and python-docx refuses a longer
# one (a long headline in both languages reaches it): shown properties are shortened. The page
# header is shortened further, so that it stays within two lines of small print.
PROPERTY_LIMIT = 255
HEADER_LIMIT = 160


def _shown(text: str, limit: int = PROPERTY_LIMIT) -> str:
    """`text` shortened to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Writer:
    """Writes the body as WordprocessingML text and parses it once: a 1,000-paragraph document
    has tens of thousands of elements, and making each through python-docx's element factory
    (or its proxies, which re-walk the table on every cell lookup) takes seconds."""

    def __init__(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding]
    ) -> None:
        import docx

        self.document = document
        self.options = options
        self.doc = docx.Document()
        self.clean = Cleaner(document)
        self.convert = converter(document, options)
        self.tag = chinese_tag(document, options)
        self.cjk_font = cjk_font(document, options)
        self.latin_font = options.latin_font
        self.reader = options.reader
        comments = options.comments and not self.reader
        self.findings = findings_by_segment(document, findings) if comments else {}
        self._bookmark_id = 0
        self._picture_id = 0  # drawing ids, unique in the document
        self._images: dict[str, str] = {}  # image name -> relationship id
        self.width, self.height = PAPER[options.paper]
        if options.landscape:
            self.width, self.height = self.height, self.width
        self.text_width = self.width - 2 * MARGIN
        self.styles = _setup_styles(
            self.doc, self.cjk_font, self.latin_font, self.tag, term_style=not self.reader
        )
        self._properties_xml = {
            (chinese, term): self._run_properties(chinese, term)
            for chinese in (True, False)
            for term in (True, False)
        }
        self.body: list[str] = []  # the body's paragraphs and tables, as XML text
        self.front = reader_front(document, options, self.clean, self.convert)
        if self.reader:
            self.blocks = reader_blocks(document, options, self.front)
        else:
            self.blocks = shown_blocks(document, options)

    # -- the whole document ------------------------------------------------------------------

    def write(self) -> None:
        self._page_setup()
        self._properties()
        if self.reader:
            self._reader_front()
        else:
            self._front_matter()
        if self.options.layout == "interleaved":
            self._interleaved()
        else:
            self._side_by_side()
        self._source_note_from_meta()
        if self.options.glossary_appendix:
            self._glossary_appendix()

    def _page_setup(self) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Twips

        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE if self.options.landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Twips(self.width), Twips(self.height)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Twips(MARGIN))
        section.header_distance = section.footer_distance = Twips(567)
        header = section.header.paragraphs[0]
        header.alignment = 2  # right
        for element in _parse(self._run(_shown(self._title(), HEADER_LIMIT), chinese=True)):
            header._p.append(element)
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centre
        runs = [
            self._run("Page ", chinese=False),
            self._field("PAGE"),
            self._run(" of ", chinese=False),
            self._field("NUMPAGES"),
        ]
        for element in _parse("".join(runs)):
            footer._p.append(element)

    def _properties(self) -> None:
        signature = self.document.meta.get("signature") or {}
        made_by = join_nonempty(
            [
                f"bilingual {__version__}",
                f"engine {signature['engine']}" if signature.get("engine") else "",
                f"model {signature['model']}" if signature.get("model") else "",
            ],
            "; ",
        )
        now = datetime.now(timezone.utc).replace(microsecond=0)
        core = self.doc.core_properties
        core.title = _shown(self._title())
        core.subject = "Chinese–English bilingual edition"
        core.author = ""
        core.last_modified_by = f"bilingual {__version__}"
        core.comments = _shown(self.clean(f"Written by {made_by}", "meta.signature"))
        core.keywords = f"bilingual; {self.tag}; en-US"
        core.category = f"bilingual {__version__}"
        core.language = f"{self.tag}, en-US"
        fingerprint = document_fingerprint(self.document, reader=self.reader)
        # The identifier is read back by `import`, never shown: it is kept whole, past the 255
        # characters python-docx allows a property (a batch's deep input path reaches them).
        core._element.get_or_add_identifier().text = self.clean(fingerprint, "meta.input")
        core.created = core.modified = now
        core.revision = 1

    def _title(self) -> str:
        """The title property and page header: never empty, never a file name (see
        Document.title); the reader's edition gives it in both languages."""
        if self.reader:
            return self.front.page_title
        text = self.clean(self.document.title, "meta.title")
        return self.convert(text) if self.convert else text

    def _reader_front(self) -> None:
        """The headline in Chinese and English as the document's title, byline and date under
        it (a line per language), then the credit."""
        front = self.front
        if front.headline:
            self.body.append(self._paragraph("Title", self._run(front.title_zh, chinese=True)))
            if front.title_en:
                english = self._run(front.title_en, chinese=False)
                self.body.append(self._paragraph("Title", english))
        lines = [(front.chinese_line, True), (front.english_line, False)]
        lines.append((front.credit, has_chinese(front.credit)))
        for line, chinese in lines:
            if line:
                self.body.append(
                    self._paragraph(self.styles.byline, self._run(line, chinese=chinese))
                )
        if any(line for line, _ in lines):
            self.body.append(self._paragraph(self.styles.byline, "", space_after=120))

    def _front_matter(self) -> None:
        has_title_block = any(b.kind == "title" for b in self.document.blocks)
        news_headline = headline(self.document)
        if news_headline is not None:
            self._headline(news_headline)
        elif not has_title_block and self.document.meta.get("title"):
            title = self._run(self._chinese_meta("title"), chinese=True)
            self.body.append(self._paragraph("Title", title))
        byline = join_nonempty(
            [clean_meta(self.document, self.clean, "date"), self._chinese_meta("byline")]
        )
        lines = [(byline, True), (english_status(self.document), False)]
        lines.append((self._unverified_line(), False))
        for line, chinese in lines:
            if line:
                self.body.append(
                    self._paragraph(self.styles.byline, self._run(line, chinese=chinese))
                )

    def _headline(self, segment: Segment) -> None:
        """The headline a source note holds opens the document, in both languages (its
        bookmarked row stays in the source note, so an importer reads it once)."""
        source = self.clean(segment.source.strip(), f"segment {segment.id} (Chinese)")
        zh = self.convert(source) if self.convert else source
        self.body.append(self._paragraph("Title", self._run(zh, chinese=True)))
        english = self.clean(segment.target.strip(), f"segment {segment.id} (English)")
        if english:
            self.body.append(self._paragraph("Subtitle", self._run(english, chinese=False)))

    def _chinese_meta(self, key: str) -> str:
        text = clean_meta(self.document, self.clean, key)
        return self.convert(text) if self.convert and text else text

    # -- side by side -----------------------------------------------------------------------

    def _side_by_side(self) -> None:
        half = self.text_width // 2
        widths = [half, self.text_width - half]
        rows = [
            self._row(
                [
                    self._cell(half, [self._label("中文", chinese=True)], bottom_rule=True),
                    self._cell(
                        widths[1], [self._label("English", chinese=False)], bottom_rule=True
                    ),
                ],
                header=True,
            )
        ]
        previous_kind = None
        for block in self.blocks:
            if block.kind == "figure":
                # across both columns: a cell spanning the grid, its caption's rows under it
                picture = self._figure(block, self.text_width - 2 * CELL_MARGIN)
                cell = self._cell(self.text_width, [picture], span=2, top_rule=True)
                rows.append(self._row([cell], keep=True))
            for index, segment in enumerate(block.segments):
                # a light rule above each new block groups a paragraph's sentences visibly (not
                # between a photo and its caption)
                first = index == 0 and previous_kind is not None
                rule = first and previous_kind != "figure"
                zh, en = self._segment_paragraphs(block, segment, first_in_block=first)
                cells = [
                    self._cell(widths[0], zh, top_rule=rule),
                    self._cell(widths[1], en, top_rule=rule),
                ]
                rows.append(self._row(cells, keep=block.kind in ("title", "heading")))
            previous_kind = block.kind
        self.body.append(self._table(widths, rows))

    def _segment_paragraphs(
        self, block: Block, segment: Segment, *, first_in_block: bool
    ) -> tuple[list[str], list[str]]:
        before = 120 if first_in_block else None
        zh_runs, en_runs = self._chinese_runs(segment), self._english_runs(segment)
        zh_text = self._revision(segment) + self._bookmark(f"zh_{segment.id}", zh_runs)
        en_text = self._bookmark(segment.id, en_runs)
        # check findings as comments: on the English, or on the Chinese while there is none
        if en_runs:
            en_text = self._comment(segment, en_text)
        else:
            zh_text = self._comment(segment, zh_text)
        zh = self._paragraph(self._block_style(block), zh_text, space_before=before)
        english = [
            self._paragraph(self._block_style(block, english=True), en_text, space_before=before)
        ]
        hint = "" if segment.target.strip() or self.reader else self._terms_hint(segment)
        if hint:
            hint = self.clean(hint, f"segment {segment.id} (terms)")
            english.append(self._paragraph(self.styles.hints, self._run(hint, chinese=False)))
        return [zh], english

    def _block_style(self, block: Block, english: bool = False) -> str:
        if block.kind == "title":
            return "Title"
        if block.kind == "heading":
            return "Heading1"
        if block.kind == "dateline":
            return self.styles.dateline
        if block.kind == "source_note":
            return self.styles.source_note
        return self._news_style(block) or (self.styles.english if english else self.styles.chinese)

    def _news_style(self, block: Block) -> str:
        """The parts of news and the blocks shown as they are: captions set as Word captions,
        bylines quietly, boilerplate (only with --keep-boilerplate) muted, code in monospace."""
        return {
            "caption": self.styles.caption,
            "byline": self.styles.byline,
            "boilerplate": self.styles.hints,
            "code": self.styles.code,
            "footnote": self.styles.source_note,
        }.get(block.kind, "")

    # -- interleaved -------------------------------------------------------------------------

    def _interleaved(self) -> None:
        for block in self.blocks:
            if block.kind == "figure":
                self.body.append(self._figure(block, self.text_width))
                continue
            zh: list[str] = []
            en: list[str] = []
            hints: list[str] = []
            for segment in block.segments:
                zh_runs, en_runs = self._chinese_runs(segment), self._english_runs(segment)
                zh_text = self._revision(segment) + self._bookmark(f"zh_{segment.id}", zh_runs)
                en_text = self._bookmark(segment.id, en_runs)
                if en_runs:
                    en_text = self._comment(segment, en_text)
                    if any(s.strip() for s in en):
                        en.append(self._run(" ", chinese=False))  # sentences joined by a space
                elif not self.reader:
                    zh_text = self._comment(segment, zh_text)
                    hint = self.clean(self._terms_hint(segment), f"segment {segment.id} (terms)")
                    hints += [h for h in hint.removeprefix("Terms: ").split("; ") if h]
                zh.append(zh_text)
                en.append(en_text)
            zh_style, en_style = self._block_style(block), self._block_style(block, english=True)
            self.body.append(self._paragraph(zh_style, "".join(zh), keep_next=True, space_after=40))
            # a thin rule at the left sets each English paragraph off from its Chinese one
            self.body.append(
                self._paragraph(en_style, "".join(en), space_after=240, left_rule=True)
            )
            if hints:
                text = "Terms: " + "; ".join(dict.fromkeys(hints))  # each cleaned above
                self.body.append(self._paragraph(self.styles.hints, self._run(text, chinese=False)))

    # -- photos ------------------------------------------------------------------------------

    def _figure(self, block: Block, max_width: int) -> str:
        """A paragraph holding the block's photo at its displayed size, scaled down to
        `max_width` (twips) and to most of a page's height, its aspect ratio kept."""
        figure = block.figure
        assert figure is not None  # shown_blocks keeps only figures with their image
        max_height = (self.height - 2 * MARGIN) * 3 // 4  # room for the caption under it
        width, height = fitted(display_points(figure), max_width / 20, max_height / 20)
        cx, cy = round(width * EMU_PER_POINT), round(height * EMU_PER_POINT)
        rid = self._image_part(figure)
        self._picture_id += 1
        number = self._picture_id
        alt = _attr(self.clean(figure.alt, f"figure {block.id} (alt text)"))
        a, pic = _DRAWING, _PICTURE
        drawing = (
            '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{number}" name="Picture {number}" descr="{alt}"/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{a}" noChangeAspect="1"/>'
            f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{a}"><a:graphicData uri="{pic}">'
            f'<pic:pic xmlns:pic="{pic}"><pic:nvPicPr>'
            f'<pic:cNvPr id="{number}" name="{figure.name}" descr="{alt}"/><pic:cNvPicPr/>'
            f'</pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/>'
            '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
            "</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>"
            "</w:drawing>"
        )
        return self._paragraph(self.styles.figure, f"<w:r>{drawing}</w:r>")

    def _image_part(self, figure: Figure) -> str:
        """The relationship id of the figure's image in word/media/ (one part per image,
        however often it is shown)."""
        rid = self._images.get(figure.name)
        if rid is None:
            from docx.opc.constants import RELATIONSHIP_TYPE
            from docx.opc.part import Part

            part = self.doc.part
            name = part.package.next_partname(f"/word/media/image%d.{figure.ext}")
            blob = self.document.assets[figure.name]
            image = Part(name, IMAGE_MEDIA_TYPES[figure.ext], blob, part.package)
            rid = self._images[figure.name] = part.relate_to(image, RELATIONSHIP_TYPE.IMAGE)
        return rid

    # -- end matter --------------------------------------------------------------------------

    def _source_note_from_meta(self) -> None:
        if any(b.kind == "source_note" for b in self.document.blocks):
            return  # the source note block is already the last row / paragraph
        note = self._chinese_meta("source_note")
        if note:
            run = self._run(note, chinese=True)
            self.body.append(self._paragraph(self.styles.source_note, run, space_before=240))

    def _glossary_appendix(self) -> None:
        title = self._run("Glossary · 詞彙表", chinese=False)
        self.body.append(self._paragraph("Heading1", title))
        terms = used_terms(self.document)
        if not terms:
            text = self._run("No glossary terms occur in this document.", chinese=False)
            self.body.append(self._paragraph(self.styles.english, text))
            return
        with_notes = any(term.note for term in terms)
        if with_notes:
            widths = [self.text_width * 3 // 10, self.text_width * 4 // 10]
        else:
            widths = [self.text_width * 4 // 10]
        widths.append(self.text_width - sum(widths))
        labels = ("中文", "English", "Note")[: len(widths)]
        header = [
            self._cell(w, [self._label(label, chinese=label == "中文")], bottom_rule=True)
            for w, label in zip(widths, labels, strict=True)
        ]
        rows = [self._row(header, header=True)]
        for term in terms:
            source = self.clean(term.source, "glossary appendix")
            source = self.convert(source) if self.convert else source
            texts = [
                (source, True),
                (self.clean(self._appendix_rendering(term), "glossary appendix"), False),
                (self.clean(term.note or "", "glossary appendix"), False),
            ][: len(widths)]
            cells = []
            for width, (text, chinese) in zip(widths, texts, strict=True):
                style = self.styles.chinese if chinese else self.styles.english
                runs = self._run(text, chinese=chinese) if text else ""
                cells.append(self._cell(width, [self._paragraph(style, runs)], top_rule=True))
            rows.append(self._row(cells))
        self.body.append(self._table(widths, rows))

    # -- renderings not verified --------------------------------------------------------------
    # A rendering the glossary marks `verified: false` (a romanisation to confirm, say) is marked
    # wherever the DOCX lists renderings, so that no reader takes it as settled.

    def _hint_renderings(self, segment: Segment) -> list[str]:
        """The renderings an empty target must use, each unverified one marked."""
        marked = [_marked(t.rendering, t.note) for t in segment.terms if t.rendering.strip()]
        return list(dict.fromkeys(marked))

    def _terms_hint(self, segment: Segment) -> str:
        """`Terms: EPPD; Liang Po-chao (not verified)` (as `terms_hint`, marks added)."""
        renderings = self._hint_renderings(segment)
        return "Terms: " + "; ".join(renderings) if renderings else ""

    def _appendix_rendering(self, term: UsedTerm) -> str:
        if self.reader:
            return term.rendering
        return "; then ".join(_marked(r, term.note) for r in term.renderings)

    def _unverified_line(self) -> str:
        """The front matter's count of this document's renderings that are not verified, and
        which they are (the hints and the appendix may not be there to show them)."""
        unverified = list(
            dict.fromkeys(
                t.rendering for s in self.document.segments for t in s.terms if _unverified(t.note)
            )
        )
        if not unverified:
            return ""
        n = len(unverified)
        shown = "; ".join(unverified[:UNVERIFIED_SHOWN]) + ("; …" if n > UNVERIFIED_SHOWN else "")
        which = "rendering in this document is" if n == 1 else "renderings in this document are"
        return f"{n} {which} not verified: {shown}"

    # -- runs and paragraphs, as XML text ----------------------------------------------------

    def _chinese_runs(self, segment: Segment) -> str:
        return self._runs(chinese_pieces(segment, self.clean, self.convert), chinese=True)

    def _english_runs(self, segment: Segment) -> str:
        return self._runs(english_pieces(segment, self.clean), chinese=False)

    def _runs(self, pieces: list[Piece], *, chinese: bool) -> str:
        terms = not self.reader  # a reader's edition marks no glossary terms
        return "".join(
            self._run(p.text, chinese=chinese, term=terms and p.term is not None) for p in pieces
        )

    def _run_properties(self, chinese: bool, term: bool) -> str:
        style = f'<w:rStyle w:val="{self.styles.term}"/>' if term else ""
        latin, cjk = _attr(self.latin_font), _attr(self.cjk_font)
        # punctuation shared by both scripts (“” ‘’ …) takes the East Asian font in Chinese
        hint = ' w:hint="eastAsia"' if chinese else ""
        fonts = (
            f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{cjk}" w:cs="{latin}"'
            f"{hint}/>"
        )
        lang = f'<w:lang w:val="{self.tag if chinese else "en-US"}" w:eastAsia="{self.tag}"/>'
        return f"<w:rPr>{style}{fonts}{lang}</w:rPr>"

    def _run(self, text: str, *, chinese: bool, term: bool = False) -> str:
        properties = self._properties_xml[(chinese, term)]
        if not _SPECIAL.search(text) and len(text) <= MAX_TEXT_CHARS:
            return f'<w:r>{properties}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
        content = []
        for part in _SPECIAL.split(text):
            if part in ("\r\n", "\r", "\n"):
                content.append("<w:br/>")
            elif part == "\t":
                content.append("<w:tab/>")
            elif part:
                content.extend(
                    f'<w:t xml:space="preserve">{escape(part[n : n + MAX_TEXT_CHARS])}</w:t>'
                    for n in range(0, len(part), MAX_TEXT_CHARS)
                )
        return f"<w:r>{properties}{''.join(content)}</w:r>"

    def _field(self, instruction: str) -> str:
        """A Word field (PAGE, NUMPAGES): begin, instruction, separate, a result, end."""
        properties = self._properties_xml[(False, False)]

        def char(kind: str) -> str:
            return f'<w:r>{properties}<w:fldChar w:fldCharType="{kind}"/></w:r>'

        instruction = f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>'
        return (
            char("begin")
            + f"<w:r>{properties}{instruction}</w:r>"
            + char("separate")
            + self._run("1", chinese=False)
            + char("end")
        )

    def _label(self, text: str, *, chinese: bool) -> str:
        return self._paragraph(self.styles.label, self._run(text, chinese=chinese))

    def _paragraph(
        self,
        style: str,
        content: str,
        *,
        keep_next: bool = False,
        space_before: int | None = None,
        space_after: int | None = None,
        left_rule: bool = False,
    ) -> str:
        # properties in the order the schema wants: pStyle, keepNext, pBdr, spacing, ind
        props = [f'<w:pStyle w:val="{style}"/>']
        if keep_next:
            props.append("<w:keepNext/>")
        if left_rule:
            props.append(f"<w:pBdr>{_border('left', RULE, size=12, space=8)}</w:pBdr>")
        if space_before is not None or space_after is not None:
            before = f' w:before="{space_before}"' if space_before is not None else ""
            after = f' w:after="{space_after}"' if space_after is not None else ""
            props.append(f"<w:spacing{before}{after}/>")
        if left_rule:
            props.append('<w:ind w:left="227"/>')
        return f"<w:p><w:pPr>{''.join(props)}</w:pPr>{content}</w:p>"

    def _bookmark(self, name: str, content: str) -> str:
        if self.reader:
            return content  # not meant to be imported: no segment ids
        self._bookmark_id += 1
        number = self._bookmark_id
        return (
            f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>{content}'
            f'<w:bookmarkEnd w:id="{number}"/>'
        )

    def _revision(self, segment: Segment) -> str:
        """A collapsed bookmark rev_<id>_<revision>_<english digest>: what the import compares
        with the JSON form then (a bookmark, because Word and LibreOffice keep them)."""
        stamp = revision_stamp(segment, separator="_")
        return self._bookmark(f"{REVISION_PREFIX}{segment.id}_{stamp}", "")

    def _comment(self, segment: Segment, content: str) -> str:
        """`content` inside the ranges of one Word comment per check finding on the segment."""
        for finding in self.findings.get(segment.id, []) if content else []:
            text = self.clean(
                f"{finding.severity}: {finding.message} [{finding.code}]",
                f"segment {segment.id} (check)",
            )
            comment = self.doc.comments.add_comment(
                text=text, author="bilingual check", initials="BC"
            )
            number = comment.comment_id
            content = (
                f'<w:commentRangeStart w:id="{number}"/>{content}'
                f'<w:commentRangeEnd w:id="{number}"/>'
                f'<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'
                f'<w:commentReference w:id="{number}"/></w:r>'
            )
        return content

    # -- tables ------------------------------------------------------------------------------

    def _table(self, widths: list[int], rows: list[str]) -> str:
        nil = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right"))
        borders = (
            f'<w:tblBorders>{nil}<w:insideH w:val="nil"/>{_border("insideV", RULE)}</w:tblBorders>'
        )
        margins = "".join(
            f'<w:{side} w:w="{size}" w:type="dxa"/>'
            for side, size in (
                ("top", 40),
                ("left", CELL_MARGIN),
                ("bottom", 40),
                ("right", CELL_MARGIN),
            )
        )
        properties = (
            f'<w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>{borders}'
            f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:noHBand="1"/></w:tblPr>'
        )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        return f"<w:tbl>{properties}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"

    def _row(self, cells: list[str], *, header: bool = False, keep: bool = False) -> str:
        props = ("<w:cantSplit/>" if header or keep else "") + ("<w:tblHeader/>" if header else "")
        return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"

    def _cell(
        self,
        width: int,
        paragraphs: list[str],
        *,
        top_rule: bool = False,
        bottom_rule: bool = False,
        span: int = 1,
    ) -> str:
        borders = ""
        if top_rule or bottom_rule:
            top = _border("top", RULE) if top_rule else ""
            bottom = _border("bottom", "808080", size=6) if bottom_rule else ""
            borders = f"<w:tcBorders>{top}{bottom}</w:tcBorders>"
        merged = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        properties = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merged}{borders}</w:tcPr>'
        return f"<w:tc>{properties}{''.join(paragraphs)}</w:tc>"


_SPECIAL = re.compile(r"(\r\n|\r|\n|\t)")
# libxml2 refuses a text node over 10,000,000 bytes unless told otherwise (python-docx, Word's
# readers and our own import do not): a longer text goes into several <w:t> of one run, which
# Word and python-docx read as one text. 1,000,000 characters are at most 4 MB of UTF-8.
MAX_TEXT_CHARS = 1_000_000


def _unverified(note: str | None) -> bool:
    # The glossary's render stage starts a term's note so when its entry is not verified.
    return bool(note) and str(note).startswith(UNVERIFIED)


def _marked(rendering: str, note: str | None) -> str:
    return f"{rendering} ({NOT_VERIFIED})" if _unverified(note) else rendering


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _border(side: str, color: str, size: int = 4, space: int = 0) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'


def _parse(fragment: str) -> list[Any]:
    """A few elements (with python-docx's element classes) from WordprocessingML text."""
    from docx.oxml.ns import nsdecls
    from docx.oxml.parser import parse_xml

    return list(parse_xml(f"<w:body {nsdecls('w')}>{fragment}</w:body>"))


def _element(xml: str) -> Any:
    """One element from its WordprocessingML text (`<w:p>…` or `<w:tbl>…`), declaring the
    namespace on the element itself: lxml then moves it into the document in linear time,
    where moving a large subtree out of a wrapper element takes quadratic time."""
    from docx.oxml.ns import nsdecls
    from docx.oxml.parser import parse_xml

    name, rest = xml[1:].split(">", 1)
    return parse_xml(f"<{name} {nsdecls('w')}>{rest}")


def _setup_styles(doc: Any, cjk: str, latin: str, tag: str, *, term_style: bool = True) -> _Styles:
    """Word's own Title / Heading 1 / Normal (so the navigation pane and a TOC work), re-dressed
    without theme fonts and heavy rules, plus the few styles a publisher may want to restyle
    (the glossary terms' underline only with `term_style`: a reader's edition marks none)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt, RGBColor, Twips

    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, cjk, latin)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), tag)
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:after"), "80")
    spacing.set(qn("w:line"), "264")

    def dress(name: str, size: float, *, bold: bool | None = None, color: str = INK) -> Any:
        style = styles[name]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor.from_string(color)
        _set_fonts(style.element.get_or_add_rPr(), cjk, latin)
        return style

    normal = dress("Normal", 10.5)
    normal.paragraph_format.space_after = Twips(80)
    title = dress("Title", 20, bold=True)
    title_ppr = title.element.pPr
    if title_ppr is not None and title_ppr.find(qn("w:pBdr")) is not None:
        title_ppr.remove(title_ppr.find(qn("w:pBdr")))  # the default template's blue rule
    title.paragraph_format.space_after = Pt(6)
    title.font.spacing = Pt(0)
    h1 = dress("Heading 1", 13, bold=True, color="1F3A5F")
    h1.paragraph_format.space_before = Pt(12)
    h1.paragraph_format.space_after = Pt(4)
    h2 = dress("Heading 2", 11.5, bold=True, color="1F3A5F")
    h2.paragraph_format.space_before = Pt(10)
    for name in ("Header", "Footer"):
        dress(name, 8, color=MUTED)

    def paragraph_style(
        name: str, size: float, *, color: str = INK, italic: bool = False, bold: bool = False
    ) -> str:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(color)
        style.font.italic = italic or None
        style.font.bold = bold or None
        return style.style_id

    ids = _Styles(
        chinese=paragraph_style("Chinese Text", 10.5),
        english=paragraph_style("English Text", 10.5),
        dateline=paragraph_style("Dateline", 9, color=MUTED),
        source_note=paragraph_style("Source Note", 9, color=MUTED),
        hints=paragraph_style("Term Hints", 8.5, color=MUTED, italic=True),
        label=paragraph_style("Column Label", 8.5, color=MUTED, bold=True),
        byline=paragraph_style("Byline", 9.5, color=MUTED),
        term="",
    )
    _news_styles(styles, ids, paragraph_style)
    if not term_style:
        return ids
    term = styles.add_style("Glossary Term", WD_STYLE_TYPE.CHARACTER)
    term.quick_style = True
    term_rpr = term.element.get_or_add_rPr()
    # a quiet dotted underline: visible to a reviewer, harmless in print
    term_rpr.append(OxmlElement("w:u", {qn("w:val"): "dotted", qn("w:color"): "8AA4C8"}))
    ids.term = term.style_id
    return ids


def _news_styles(styles: Any, ids: _Styles, paragraph_style: Any) -> None:
    """Word's Caption for captions (dressed quietly), a monospace style for code blocks, and
    the paragraph that holds a photo."""
    from docx.shared import Pt, RGBColor

    caption = styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = None
    caption.font.italic = True
    caption.font.color.rgb = RGBColor.from_string(MUTED)
    ids.caption = caption.style_id
    ids.code = paragraph_style("Code Block", 9)
    styles["Code Block"].font.name = "Consolas"
    ids.figure = paragraph_style("Figure", 10.5)
    figure = styles["Figure"].paragraph_format
    figure.alignment = 1  # centre
    figure.keep_with_next = True  # the caption under it stays on its page
    figure.space_before = Pt(6)


def _set_fonts(rpr: Any, cjk: str, latin: str) -> None:
    """Explicit fonts instead of theme fonts (a theme's East Asian font is often a Japanese one)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), cjk)
    fonts.set(qn("w:cs"), latin)
