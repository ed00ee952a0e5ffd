"""TMX 1.4: the document's translated sentence pairs, for translation-memory tools.

One `<tu tuid="<segment id>">` per segment with a non-empty target, a `<tuv>` for the Chinese
source (`zh-TW`, or `zh-CN` for Simplified sources: the codes CAT tools know) and one for the
English (`en-US`); glossary terms as `<note>`s and the segment's status as a `<prop>`.
The Chinese is the source as read (never converted): a memory must match the text it will meet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from ..document import Document
from ..version import __version__
from . import ExportOptions, Finding, Rendered
from .text import Cleaner, chinese_tag, require_segments

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class TmxExporter:
    name = "tmx"
    extension = ".tmx"
    media_type = "application/x-tmx+xml"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        data, warnings = build_tmx(document)
        return Rendered.of(data, warnings)


def build_tmx(document: Document) -> tuple[bytes, list[str]]:
    """The TMX file as bytes, and the warnings of the run."""
    from lxml import etree

    require_segments(document)
    clean = Cleaner(document)
    source_tag = chinese_tag(document, ExportOptions())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(
        root,
        "header",
        creationtool="bilingual",
        creationtoolversion=__version__,
        segtype="sentence",
        **{"o-tmf": "bilingual-document"},
        adminlang="en-US",
        srclang=source_tag,
        datatype="plaintext",
        creationdate=stamp,
    )
    body = etree.SubElement(root, "body")
    pairs = 0
    # a memory holds translations: not boilerplate, code or a dateline's written-out date
    for segment in document.translatable_segments:
        target = clean(segment.target, f"segment {segment.id} (English)").strip()
        if not target:
            continue  # a memory holds translations; untranslated segments have nothing to offer
        tu = etree.SubElement(body, "tu", tuid=segment.id, creationdate=stamp)
        for term in segment.terms:
            note = etree.SubElement(tu, "note")
            note.text = clean(f"{term.source} = {term.rendering}", f"segment {segment.id} (terms)")
        prop = etree.SubElement(tu, "prop", type="x-status")
        prop.text = segment.status
        for lang, text in (
            (source_tag, clean(segment.source, f"segment {segment.id} (Chinese)").strip()),
            ("en-US", target),
        ):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            etree.SubElement(tuv, "seg").text = text
        pairs += 1
    warnings = clean.warnings()
    if not pairs:
        warnings.append("tmx: no segment has a translation yet, so the TMX holds no pairs")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, warnings
