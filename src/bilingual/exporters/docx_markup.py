"""WordprocessingML written as text: runs in either language, paragraphs, bookmarks, fields,
tables and pictures. The DOCX exporter writes its body with these and never parses it (see
docx_body.py): a 1,000-paragraph document has tens of thousands of elements, and making each
through python-docx's element factory (or its proxies, which re-walk the table on every cell
lookup) takes seconds."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from .docx_styles import Styles
from .text import Piece

RULE = "D0D0D0"  # the light rule between paragraphs and columns
CELL_MARGIN = 140  # a table cell's left and right padding, in twips
EMU_PER_POINT = 12700  # DrawingML's unit
_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PICTURE = "http://schemas.openxmlformats.org/drawingml/2006/picture"


class Markup:
    """Makes the XML text of one document's body: its runs carry the document's fonts and
    language tags; in a reader's edition (`reader`) there are no bookmarks and no term marks."""

    def __init__(
        self, styles: Styles, *, cjk_font: str, latin_font: str, tag: str, reader: bool
    ) -> None:
        self.styles = styles
        self.cjk_font = cjk_font
        self.latin_font = latin_font
        self.tag = tag
        self.reader = reader
        self._bookmark_id = 0
        self._picture_id = 0  # drawing ids, unique in the document
        self._properties_xml = {
            (chinese, term): self._run_properties(chinese, term)
            for chinese in (True, False)
            for term in (True, False)
        }

    def runs(self, pieces: list[Piece], *, chinese: bool) -> str:
        terms = not self.reader  # a reader's edition marks no glossary terms
        return "".join(
            self.run(p.text, chinese=chinese, term=terms and p.term is not None) for p in pieces
        )

    def _run_properties(self, chinese: bool, term: bool) -> str:
        style = f'<w:rStyle w:val="{self.styles.term}"/>' if term else ""
        latin, cjk = attr(self.latin_font), attr(self.cjk_font)
        # punctuation shared by both scripts (“” ‘’ …) takes the East Asian font in Chinese
        hint = ' w:hint="eastAsia"' if chinese else ""
        fonts = (
            f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{cjk}" w:cs="{latin}"'
            f"{hint}/>"
        )
        lang = f'<w:lang w:val="{self.tag if chinese else "en-US"}" w:eastAsia="{self.tag}"/>'
        return f"<w:rPr>{style}{fonts}{lang}</w:rPr>"

    def run(self, text: str, *, chinese: bool, term: bool = False) -> str:
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

    def field(self, instruction: str) -> str:
        """A Word field (PAGE, NUMPAGES): begin, instruction, separate, a result, end."""
        properties = self._properties_xml[(False, False)]

        def char(kind: str) -> str:
            return f'<w:r>{properties}<w:fldChar w:fldCharType="{kind}"/></w:r>'

        instruction = f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>'
        return (
            char("begin")
            + f"<w:r>{properties}{instruction}</w:r>"
            + char("separate")
            + self.run("1", chinese=False)
            + char("end")
        )

    def label(self, text: str, *, chinese: bool) -> str:
        return self.paragraph(self.styles.label, self.run(text, chinese=chinese))

    def paragraph(
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
            props.append(f"<w:pBdr>{border('left', RULE, size=12, space=8)}</w:pBdr>")
        if space_before is not None or space_after is not None:
            before = f' w:before="{space_before}"' if space_before is not None else ""
            after = f' w:after="{space_after}"' if space_after is not None else ""
            props.append(f"<w:spacing{before}{after}/>")
        if left_rule:
            props.append('<w:ind w:left="227"/>')
        return f"<w:p><w:pPr>{''.join(props)}</w:pPr>{content}</w:p>"

    def bookmark(self, name: str, content: str) -> str:
        if self.reader:
            return content  # not meant to be imported: no segment ids
        self._bookmark_id += 1
        number = self._bookmark_id
        return (
            f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>{content}'
            f'<w:bookmarkEnd w:id="{number}"/>'
        )

    def table(self, widths: list[int], rows: list[str]) -> str:
        nil = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right"))
        borders = (
            f'<w:tblBorders>{nil}<w:insideH w:val="nil"/>{border("insideV", RULE)}</w:tblBorders>'
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

    def row(self, cells: list[str], *, header: bool = False, keep: bool = False) -> str:
        props = ("<w:cantSplit/>" if header or keep else "") + ("<w:tblHeader/>" if header else "")
        return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"

    def cell(
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
            top = border("top", RULE) if top_rule else ""
            bottom = border("bottom", "808080", size=6) if bottom_rule else ""
            borders = f"<w:tcBorders>{top}{bottom}</w:tcBorders>"
        merged = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        properties = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merged}{borders}</w:tcPr>'
        return f"<w:tc>{properties}{''.join(paragraphs)}</w:tc>"

    def picture(self, rid: str, size: tuple[float, float], name: str, alt: str) -> str:
        """A run holding the picture of relationship `rid`, inline, at `size` (points)."""
        cx, cy = (round(points * EMU_PER_POINT) for points in size)
        self._picture_id += 1
        number = self._picture_id
        alt, a, pic = attr(alt), _DRAWING, _PICTURE
        drawing = (
            '<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{number}" name="Picture {number}" descr="{alt}"/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{a}" noChangeAspect="1"/>'
            f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{a}"><a:graphicData uri="{pic}">'
            f'<pic:pic xmlns:pic="{pic}"><pic:nvPicPr>'
            f'<pic:cNvPr id="{number}" name="{attr(name)}" descr="{alt}"/><pic:cNvPicPr/>'
            f'</pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/>'
            '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
            f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
            "</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>"
            "</w:drawing>"
        )
        return f"<w:r>{drawing}</w:r>"


_SPECIAL = re.compile(r"(\r\n|\r|\n|\t)")
# libxml2 refuses a text node over 10,000,000 bytes unless told otherwise (python-docx, Word's
# readers and our own import do not): a longer text goes into several <w:t> of one run, which
# Word and python-docx read as one text. 1,000,000 characters are at most 4 MB of UTF-8.
MAX_TEXT_CHARS = 1_000_000


def attr(value: str) -> str:
    """`value` escaped for an attribute in double quotes."""
    return escape(value, {'"': "&quot;"})


def border(side: str, color: str, size: int = 4, space: int = 0) -> str:
    return f'<w:{side} w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/>'
