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

import functools
import io
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, BinaryIO

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
from .docx_body import Body, splice
from .docx_markup import CELL_MARGIN, Markup
from .docx_styles import setup_styles
from .text import (
    IMAGE_MEDIA_TYPES,
    Cleaner,
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
NOT_VERIFIED = "not verified"  # after a rendering the glossary marks `verified: false`
UNVERIFIED_SHOWN = 8  # renderings named in the front matter's line about them
_ROWS = "\x00rows\x00"  # where a table's rows go, for a table written row by row


class DocxExporter:
    name = "docx"
    extension = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        require_segments(document)
        return Rendered.streamed(functools.partial(write_docx, document, options, findings))


def write_docx(
    document: Document, options: ExportOptions, findings: Sequence[Finding], handle: BinaryIO
) -> list[str]:
    """Write the DOCX file into `handle` (seekable, as a zip file needs); the warnings of the
    run (characters removed). With `options.comments`, each of `findings` becomes a comment on
    its segment."""
    writer = _Writer(document, options, findings)
    writer.write()
    # The body goes into document.xml as the text it was written as, never parsed: parsed, a
    # segment's paragraphs and cells took about 17 KB of memory each (1.7 GB for 100,000 cells).
    marker = f"bilingual-body-{uuid.uuid4().hex}"
    writer.doc.element.body.insert_element_before(
        _element(f"<w:p><w:r><w:t>{marker}</w:t></w:r></w:p>"), "w:sectPr"
    )
    package = io.BytesIO()  # the package without its body: some tens of KB, and the pictures
    writer.doc.save(package)
    splice(package.getvalue(), marker, writer.body, handle)
    return [*writer.clean.warnings(), *missing_images(document)]


# Word shows at most 255 characters of a document property, and python-docx refuses a longer
# one (a long headline in both languages reaches it): shown properties are shortened. The page
# header is shortened further, so that it stays within two lines of small print.
PROPERTY_LIMIT = 255
HEADER_LIMIT = 160


def _shown(text: str, limit: int = PROPERTY_LIMIT) -> str:
    """`text` shortened to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Writer:
    """Lays one document out: the page, the properties, the front matter, the body in either
    layout (with its photos) and the end matter. The body is written as WordprocessingML text
    (`Markup`, see docx_markup.py for why); the styles it names are in docx_styles.py."""

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
        self._images: dict[str, str] = {}  # image name -> relationship id
        self.width, self.height = PAPER[options.paper]
        if options.landscape:
            self.width, self.height = self.height, self.width
        self.text_width = self.width - 2 * MARGIN
        self.styles = setup_styles(
            self.doc, self.cjk_font, self.latin_font, self.tag, term_style=not self.reader
        )
        self.xml = Markup(
            self.styles,
            cjk_font=self.cjk_font,
            latin_font=self.latin_font,
            tag=self.tag,
            reader=self.reader,
        )
        self.body = Body()  # the body's paragraphs and tables, as XML text kept deflated
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
        for element in _parse(self.xml.run(_shown(self._title(), HEADER_LIMIT), chinese=True)):
            header._p.append(element)
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centre
        runs = [
            self.xml.run("Page ", chinese=False),
            self.xml.field("PAGE"),
            self.xml.run(" of ", chinese=False),
            self.xml.field("NUMPAGES"),
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
            self.body.append(
                self.xml.paragraph("Title", self.xml.run(front.title_zh, chinese=True))
            )
            if front.title_en:
                english = self.xml.run(front.title_en, chinese=False)
                self.body.append(self.xml.paragraph("Title", english))
        lines = [(front.chinese_line, True), (front.english_line, False)]
        lines.append((front.credit, has_chinese(front.credit)))
        for line, chinese in lines:
            if line:
                self.body.append(
                    self.xml.paragraph(self.styles.byline, self.xml.run(line, chinese=chinese))
                )
        if any(line for line, _ in lines):
            self.body.append(self.xml.paragraph(self.styles.byline, "", space_after=120))

    def _front_matter(self) -> None:
        has_title_block = any(b.kind == "title" for b in self.document.blocks)
        news_headline = headline(self.document)
        if news_headline is not None:
            self._headline(news_headline)
        elif not has_title_block and self.document.meta.get("title"):
            title = self.xml.run(self._chinese_meta("title"), chinese=True)
            self.body.append(self.xml.paragraph("Title", title))
        byline = join_nonempty(
            [clean_meta(self.document, self.clean, "date"), self._chinese_meta("byline")]
        )
        lines = [(byline, True), (english_status(self.document), False)]
        lines.append((self._unverified_line(), False))
        for line, chinese in lines:
            if line:
                self.body.append(
                    self.xml.paragraph(self.styles.byline, self.xml.run(line, chinese=chinese))
                )

    def _headline(self, segment: Segment) -> None:
        """The headline a source note holds opens the document, in both languages (its
        bookmarked row stays in the source note, so an importer reads it once)."""
        source = self.clean(segment.source.strip(), f"segment {segment.id} (Chinese)")
        zh = self.convert(source) if self.convert else source
        self.body.append(self.xml.paragraph("Title", self.xml.run(zh, chinese=True)))
        english = self.clean(segment.target.strip(), f"segment {segment.id} (English)")
        if english:
            self.body.append(self.xml.paragraph("Subtitle", self.xml.run(english, chinese=False)))

    def _chinese_meta(self, key: str) -> str:
        text = clean_meta(self.document, self.clean, key)
        return self.convert(text) if self.convert and text else text

    # -- side by side -----------------------------------------------------------------------

    def _side_by_side(self) -> None:
        half = self.text_width // 2
        widths = [half, self.text_width - half]
        header = self.xml.row(
            [
                self.xml.cell(half, [self.xml.label("中文", chinese=True)], bottom_rule=True),
                self.xml.cell(
                    widths[1], [self.xml.label("English", chinese=False)], bottom_rule=True
                ),
            ],
            header=True,
        )
        # the rows join the body one by one as they are made: a million never wait in a list
        opening, closing = self.xml.table(widths, [_ROWS]).split(_ROWS)
        self.body.append(opening + header)
        previous_kind = None
        for block in self.blocks:
            if block.kind == "figure":
                # across both columns: a cell spanning the grid, its caption's rows under it
                picture = self._figure(block, self.text_width - 2 * CELL_MARGIN)
                cell = self.xml.cell(self.text_width, [picture], span=2, top_rule=True)
                self.body.append(self.xml.row([cell], keep=True))
            for index, segment in enumerate(block.segments):
                # a light rule above each new block groups a paragraph's sentences visibly (not
                # between a photo and its caption)
                first = index == 0 and previous_kind is not None
                rule = first and previous_kind != "figure"
                zh, en = self._segment_paragraphs(block, segment, first_in_block=first)
                cells = [
                    self.xml.cell(widths[0], zh, top_rule=rule),
                    self.xml.cell(widths[1], en, top_rule=rule),
                ]
                self.body.append(self.xml.row(cells, keep=block.kind in ("title", "heading")))
            previous_kind = block.kind
        self.body.append(closing)

    def _segment_paragraphs(
        self, block: Block, segment: Segment, *, first_in_block: bool
    ) -> tuple[list[str], list[str]]:
        before = 120 if first_in_block else None
        zh_runs, en_runs = self._chinese_runs(segment), self._english_runs(segment)
        zh_text = self._revision(segment) + self.xml.bookmark(f"zh_{segment.id}", zh_runs)
        en_text = self.xml.bookmark(segment.id, en_runs)
        # check findings as comments: on the English, or on the Chinese while there is none
        if en_runs:
            en_text = self._comment(segment, en_text)
        else:
            zh_text = self._comment(segment, zh_text)
        zh = self.xml.paragraph(self._block_style(block), zh_text, space_before=before)
        english = [
            self.xml.paragraph(self._block_style(block, english=True), en_text, space_before=before)
        ]
        hint = "" if segment.target.strip() or self.reader else self._terms_hint(segment)
        if hint:
            hint = self.clean(hint, f"segment {segment.id} (terms)")
            english.append(self.xml.paragraph(self.styles.hints, self.xml.run(hint, chinese=False)))
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
                zh_text = self._revision(segment) + self.xml.bookmark(f"zh_{segment.id}", zh_runs)
                en_text = self.xml.bookmark(segment.id, en_runs)
                if en_runs:
                    en_text = self._comment(segment, en_text)
                    if any(s.strip() for s in en):
                        en.append(self.xml.run(" ", chinese=False))  # sentences joined by a space
                elif not self.reader:
                    zh_text = self._comment(segment, zh_text)
                    hint = self.clean(self._terms_hint(segment), f"segment {segment.id} (terms)")
                    hints += [h for h in hint.removeprefix("Terms: ").split("; ") if h]
                zh.append(zh_text)
                en.append(en_text)
            zh_style, en_style = self._block_style(block), self._block_style(block, english=True)
            self.body.append(
                self.xml.paragraph(zh_style, "".join(zh), keep_next=True, space_after=40)
            )
            # a thin rule at the left sets each English paragraph off from its Chinese one
            self.body.append(
                self.xml.paragraph(en_style, "".join(en), space_after=240, left_rule=True)
            )
            if hints:
                text = "Terms: " + "; ".join(dict.fromkeys(hints))  # each cleaned above
                self.body.append(
                    self.xml.paragraph(self.styles.hints, self.xml.run(text, chinese=False))
                )

    # -- photos ------------------------------------------------------------------------------

    def _figure(self, block: Block, max_width: int) -> str:
        """A paragraph holding the block's photo at its displayed size, scaled down to
        `max_width` (twips) and to most of a page's height, its aspect ratio kept."""
        figure = block.figure
        assert figure is not None  # shown_blocks keeps only figures with their image
        max_height = (self.height - 2 * MARGIN) * 3 // 4  # room for the caption under it
        width, height = fitted(display_points(figure), max_width / 20, max_height / 20)
        alt = self.clean(figure.alt, f"figure {block.id} (alt text)")
        picture = self.xml.picture(self._image_part(figure), (width, height), figure.name, alt)
        return self.xml.paragraph(self.styles.figure, picture)

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
            run = self.xml.run(note, chinese=True)
            self.body.append(self.xml.paragraph(self.styles.source_note, run, space_before=240))

    def _glossary_appendix(self) -> None:
        title = self.xml.run("Glossary · 詞彙表", chinese=False)
        self.body.append(self.xml.paragraph("Heading1", title))
        terms = used_terms(self.document)
        if not terms:
            text = self.xml.run("No glossary terms occur in this document.", chinese=False)
            self.body.append(self.xml.paragraph(self.styles.english, text))
            return
        with_notes = any(term.note for term in terms)
        if with_notes:
            widths = [self.text_width * 3 // 10, self.text_width * 4 // 10]
        else:
            widths = [self.text_width * 4 // 10]
        widths.append(self.text_width - sum(widths))
        labels = ("中文", "English", "Note")[: len(widths)]
        header = [
            self.xml.cell(w, [self.xml.label(label, chinese=label == "中文")], bottom_rule=True)
            for w, label in zip(widths, labels, strict=True)
        ]
        rows = [self.xml.row(header, header=True)]
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
                runs = self.xml.run(text, chinese=chinese) if text else ""
                cells.append(self.xml.cell(width, [self.xml.paragraph(style, runs)], top_rule=True))
            rows.append(self.xml.row(cells))
        self.body.append(self.xml.table(widths, rows))

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

    # -- a segment's runs, its ids and the check's comments -----------------------------------

    def _chinese_runs(self, segment: Segment) -> str:
        return self.xml.runs(chinese_pieces(segment, self.clean, self.convert), chinese=True)

    def _english_runs(self, segment: Segment) -> str:
        return self.xml.runs(english_pieces(segment, self.clean), chinese=False)

    def _revision(self, segment: Segment) -> str:
        """A collapsed bookmark rev_<id>_<revision>_<english digest>: what the import compares
        with the JSON form then (a bookmark, because Word and LibreOffice keep them)."""
        stamp = revision_stamp(segment, separator="_")
        return self.xml.bookmark(f"{REVISION_PREFIX}{segment.id}_{stamp}", "")

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


def _unverified(note: str | None) -> bool:
    # The glossary's render stage starts a term's note so when its entry is not verified.
    return bool(note) and str(note).startswith(UNVERIFIED)


def _marked(rendering: str, note: str | None) -> str:
    return f"{rendering} ({NOT_VERIFIED})" if _unverified(note) else rendering


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
