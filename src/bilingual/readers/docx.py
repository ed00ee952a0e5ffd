"""DOCX reader: the document's XML walked in reading order, as Word shows it with changes accepted.

python-docx opens the package; the text is taken from the XML itself because
`Paragraph.text` drops tracked insertions and never sees text boxes or footnotes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..document import RawBlock, RawText
from ..errors import InputError
from ..wordml import NOT_SHOWN
from ..wordml import w as _w
from . import first_heading_is_title

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Word's own chains are a few styles long; a longer one is damaged.
_STYLE_DEPTH = 32
# Subtrees whose text Word does not show as body text: revisions and text-box copies
# (`wordml.NOT_SHOWN`), field instructions (a field shows its result), and the reference marks
# whose notes are read after the body.
_SKIP = {
    *NOT_SHOWN,
    _w("instrText"),
    _w("delInstrText"),
    _w("delText"),
    _w("pPr"),
    _w("rPr"),
    _w("footnoteRef"),
    _w("endnoteRef"),
}
_TEXT_BOX = _w("txbxContent")
_DRAWING = _w("drawing")
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_EMU_PER_POINT = 12700
_VML = "urn:schemas-microsoft-com:vml"
_VML_SIZE = re.compile(r"(width|height)\s*:\s*([0-9.]+)\s*(pt|in|px)?", re.IGNORECASE)
_VML_POINTS = {"pt": 1.0, "in": 72.0, "px": 0.75}
_CHARACTERS = {_w("tab"): "\t", _w("br"): "\n", _w("cr"): "\n", _w("noBreakHyphen"): "\u2011"}
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LIST_STYLE = re.compile(r"^list\b", re.IGNORECASE)
# Word's built-in style for the text under a picture or table (and its localised names).
_CAPTION_STYLES = {"caption", "標號", "题注", "題注", "图表标题"}


class DocxReader:
    name = "docx"

    def parse(self, data: bytes, name: str) -> RawText:
        if data.startswith(_OLE_MAGIC):
            # Word keeps an encrypted DOCX inside an OLE file, as it does a legacy .doc.
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise InputError(
                    f"{name}: the DOCX is password-protected; remove the password in Word "
                    "(File > Info > Protect Document) and save it again"
                )
            raise InputError(
                f"{name}: a legacy Word .doc file; save it as .docx in Word or LibreOffice"
            )
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        import docx

        from ..unpack import check_zip

        try:
            check_zip(io.BytesIO(data), name)  # before python-docx holds every part whole
            document = docx.Document(io.BytesIO(data))
            walker = _Walker(document, name)
            blocks = first_heading_is_title(walker.body())
            blocks += walker.notes()
        except InputError:
            raise
        except Exception:  # zip, XML and package errors all mean the same thing to the user
            raise InputError(
                f"{name}: not a readable DOCX (damaged, or not a Word file); "
                "open it in Word or LibreOffice and save it as .docx again"
            ) from None
        if all(b.kind == "figure" for b in blocks):  # pictures alone: nothing to translate
            raise InputError(f"{name}: the document has no text")
        meta: dict[str, Any] = {"input": Path(name).name}
        properties = document.core_properties
        if properties.title:
            meta["document_title"] = properties.title
        if properties.author:
            meta["author"] = properties.author
        return RawText(blocks=blocks, meta=meta)


class _Walker:
    """Turns the body (and the notes parts) into raw blocks, in the order Word shows them."""

    def __init__(self, document: Any, name: str) -> None:
        self.document = document
        self.name = name
        self.part = "word/document.xml"  # the part being walked, for warnings
        self.styles: dict[str, Any] = {}
        for style in document.styles:
            self.styles[style.style_id] = style

    def body(self) -> list[RawBlock]:
        return self._container(self.document.element.body)

    def notes(self) -> list[RawBlock]:
        """Footnotes, then endnotes, each note's paragraphs as `footnote` blocks."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.parser import parse_xml  # entity resolution off

        blocks: list[RawBlock] = []
        for reltype, tag in ((RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote")):
            for rel in self.document.part.rels.values():
                if rel.reltype != reltype or rel.is_external:
                    continue
                part = rel.target_part
                self.part = str(part.partname).lstrip("/")
                root = part.element if hasattr(part, "element") else parse_xml(part.blob)
                for note in root.iterchildren(_w(tag)):
                    if note.get(_w("type")) in ("separator", "continuationSeparator"):
                        continue
                    for block in self._container(note):
                        if block.kind != "figure":  # a picture in a note is no photo of the article
                            blocks.append(RawBlock(block.text, kind="footnote", meta=block.meta))
        return blocks

    def _container(self, element: Any) -> list[RawBlock]:
        blocks: list[RawBlock] = []
        for child in element.iterchildren():
            tag = child.tag
            if tag == _w("p"):
                blocks.extend(self._paragraph(child))
            elif tag == _w("tbl"):
                for row in child.iterchildren(_w("tr")):
                    for cell in row.iterchildren(_w("tc")):
                        for block in self._container(cell):
                            if block.kind == "figure":
                                blocks.append(block)
                                continue
                            # a short cell is a cell, not a heading
                            blocks.append(
                                RawBlock(
                                    block.text,
                                    block.kind or "paragraph",
                                    {
                                        **block.meta,
                                        "table_cell": True,
                                    },
                                )
                            )
            elif tag in (_w("sdt"), _w("sdtContent"), _w("customXml"), _w("ins"), _w("moveTo")):
                blocks.extend(self._container(child))
            elif tag == _w("altChunk"):
                blocks.extend(self._alt_chunk(child))
        return blocks

    def _alt_chunk(self, element: Any) -> list[RawBlock]:
        """An embedded part Word shows as if it were body text: HTML is read, anything else
        (RTF, MHT, a whole DOCX) is named in a warning."""
        from . import warn
        from .html import HtmlReader

        rel = self.document.part.rels.get(element.get(f"{{{_R}}}id") or "")
        if rel is None or rel.is_external:
            warn(f"{self.name}: an embedded part (altChunk) points to nothing; skipped")
            return []
        part = rel.target_part
        partname = str(part.partname).lstrip("/")
        if part.content_type in ("text/html", "application/xhtml+xml"):
            try:
                return HtmlReader().parse(part.blob, f"{self.name}:{partname}").blocks
            except InputError as e:
                warn(f"{e}; skipped")
                return []
        warn(
            f"{self.name}: {partname} ({part.content_type}) is an embedded document (altChunk) "
            "that is not read; open the DOCX in Word and save it again to make it body text"
        )
        return []

    def _paragraph(self, p: Any) -> list[RawBlock]:
        parts: list[str] = []
        boxes: list[Any] = []
        drawings: list[tuple[Any, bool]] = []  # each picture, and whether text came before it
        self._text(p, parts, boxes, drawings)
        blocks: list[RawBlock] = []
        text = "".join(parts).strip()
        # A picture stands before the paragraph's text unless some of it came first (a picture
        # in a paragraph of its own, the usual case, has none either side).
        pictures = [(self._picture(d), after) for d, after in drawings]
        blocks.extend(f for f, after in pictures if f is not None and not after)
        if text:
            blocks.append(self._block(p, text))
        blocks.extend(f for f, after in pictures if f is not None and after)
        for box in boxes:  # a text box's paragraphs follow the paragraph that anchors it
            blocks.extend(
                b
                if b.kind == "figure"
                else RawBlock(b.text, b.kind or "paragraph", {**b.meta, "text_box": True})
                for b in self._container(box)
            )
        return blocks

    def _text(
        self, element: Any, parts: list[str], boxes: list[Any], drawings: list[tuple[Any, bool]]
    ) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == _TEXT_BOX:
                boxes.append(child)
            elif tag == _w("t"):
                parts.append(self._t(child))
            elif tag in _CHARACTERS:
                parts.append(_CHARACTERS[tag])
            else:
                if tag in (_DRAWING, _w("pict")):  # a picture; a text box in it is read as before
                    drawings.append((child, bool("".join(parts).strip())))
                self._text(child, parts, boxes, drawings)

    def _picture(self, drawing: Any) -> RawBlock | None:
        """The figure of a drawing that holds a picture (its blip's embedded part), at the size
        its extent gives; None for a shape, a chart or a linked picture (nothing to embed)."""
        from .images import figure_block

        size: list[float | None] = [None, None]
        alt = ""
        if drawing.tag == _w("pict"):  # an older document's VML picture (Word 2003)
            image = drawing.find(f".//{{{_VML}}}imagedata")
            rel_id = image.get(f"{{{_R}}}id") if image is not None else None
            shape = image.getparent() if image is not None else None
            if shape is not None:
                for name, value, unit in _VML_SIZE.findall(shape.get("style") or ""):
                    index = 0 if name.lower() == "width" else 1
                    size[index] = float(value) * _VML_POINTS[(unit or "pt").lower()]
                alt = shape.get("alt") or ""
        else:
            blip = drawing.find(f".//{{{_A}}}blip")
            rel_id = blip.get(f"{{{_R}}}embed") if blip is not None else None
            frame = drawing[0] if len(drawing) else drawing  # wp:inline or wp:anchor
            if (extent := frame.find(f"{{{_WP}}}extent")) is not None:
                for i, name in enumerate(("cx", "cy")):
                    value = extent.get(name) or ""
                    size[i] = int(value) / _EMU_PER_POINT if value.isdigit() else None
            if (properties := frame.find(f"{{{_WP}}}docPr")) is not None:
                alt = properties.get("descr") or properties.get("title") or ""
        rel = self.document.part.rels.get(rel_id or "")
        if rel is None or rel.is_external:
            return None  # a shape, a chart, or a picture linked to a file elsewhere
        part = rel.target_part
        origin = f"{self.name}: {str(part.partname).lstrip('/')}"
        return figure_block(part.blob, origin, alt=alt, display=(size[0], size[1]))

    def _t(self, t: Any) -> str:
        """A w:t's text; an entity reference inside (never resolved: no DTD is read) is left
        out with a warning, and the text after it kept."""
        if len(t) == 0:
            return t.text or ""
        from . import warn

        parts = [t.text or ""]
        for child in t:
            if not isinstance(child.tag, str):
                warn(f"{self.name}: {self.part}: the entity reference {child} is not expanded")
            parts.append(child.tail or "")
        return "".join(parts)

    def _block(self, p: Any, text: str) -> RawBlock:
        style_id, outline, listed = None, None, False
        ppr = p.find(_w("pPr"))
        if ppr is not None:
            if (el := ppr.find(_w("pStyle"))) is not None:
                style_id = el.get(_w("val"))
            if (el := ppr.find(_w("outlineLvl"))) is not None:
                outline = el.get(_w("val"))
            listed = ppr.find(_w("numPr")) is not None
        style = self.styles.get(style_id) if style_id else None
        names: list[str] = []
        seen: set[str] = set()
        # A style based on Heading 2 is a heading too. A chain that comes back on itself (a style
        # based on itself, or two on each other) ends where it repeats.
        while style is not None and style.style_id not in seen and len(seen) < _STYLE_DEPTH:
            seen.add(style.style_id)
            names.append(style.name or "")
            if outline is None:
                sppr = style.element.find(_w("pPr"))
                if sppr is not None and (el := sppr.find(_w("outlineLvl"))) is not None:
                    outline = el.get(_w("val"))
                listed = listed or (sppr is not None and sppr.find(_w("numPr")) is not None)
            style = style.base_style
        for style_name in names:
            if style_name.lower() == "title":
                return RawBlock(text, "title", {"level": 1})
            if style_name.lower() in _CAPTION_STYLES:
                return RawBlock(text, "caption")
            if m := _HEADING_STYLE.match(style_name):
                return RawBlock(text, "heading", {"level": int(m.group(1))})
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return RawBlock(text, "heading", {"level": int(outline) + 1})
        if listed or any(_LIST_STYLE.match(n) for n in names):
            # a list item is a block of its own, and never a heading however short
            return RawBlock(text, "paragraph", {"list_item": True})
        return RawBlock(text)
