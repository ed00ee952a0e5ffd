"""XLIFF 2.0 for CAT tools; what an importer can rely on (the XLIFF contract):

`<xliff version="2.0" srcLang="<source_lang>" trgLang="<target_lang>">`, one `<file id="f1"
original="<meta.input>">` whose `<notes>` holds `<note id="fingerprint">` (the document
fingerprint), then one `<unit id="<segment id>">` per segment: glossary terms as
`<notes><note category="term">源 = rendering</note></notes>` (a term's glossary note follows as
`category="term-note"`, the segment's own notes as `category="comment"`, and last
`<note id="revision">` with the segment's revision and its English's digest, for the import), then
`<segment state="…"><source>…</source><target>…</target></segment>`.
State: empty -> initial (and no `<target>`, as XLIFF 2.0 allows), machine -> translated,
human -> reviewed. Source and target keep their spaces (`xml:space="preserve"`). The source is the
text as read (never converted to another script), so an importer can match it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document
from . import (
    REVISION_NOTE,
    ExportOptions,
    Finding,
    Rendered,
    document_fingerprint,
    revision_stamp,
)
from .text import Cleaner, require_segments, untranslated_ids

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
STATES = {"empty": "initial", "machine": "translated", "human": "reviewed"}


class XliffExporter:
    name = "xliff"
    extension = ".xlf"
    media_type = "application/xliff+xml"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        data, warnings = build_xliff(document)
        return Rendered.of(data, warnings)


def build_xliff(document: Document) -> tuple[bytes, list[str]]:
    """The XLIFF 2.0 file as bytes, and the warnings of the run."""
    from lxml import etree

    require_segments(document)
    clean = Cleaner(document)

    def element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
        node = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    root = etree.Element(
        f"{{{NAMESPACE}}}xliff",
        {"version": "2.0", "srcLang": document.source_lang, "trgLang": document.target_lang},
        nsmap={None: NAMESPACE},
    )
    file = element(
        root, "file", id="f1", original=clean(str(document.meta.get("input", "")), "meta.input")
    )
    file_notes = element(file, "notes")
    element(
        file_notes, "note", clean(document_fingerprint(document), "meta.input"), id="fingerprint"
    )
    untranslated = untranslated_ids(document)
    for segment in document.segments:
        where = f"segment {segment.id}"
        unit = element(file, "unit", id=segment.id)
        if segment.id in untranslated:  # code, boilerplate, a date: kept, not for translating
            unit.set("translate", "no")
        notes = []  # (category, text, the place its text comes from)
        for term in segment.terms:
            notes.append(("term", f"{term.source} = {term.rendering}", f"{where} (terms)"))
            if term.note:
                notes.append(("term-note", f"{term.source}: {term.note}", f"{where} (terms)"))
        notes += [("comment", note, f"{where} (notes)") for note in segment.notes]
        holder = element(unit, "notes")
        for category, text, place in notes:
            element(holder, "note", clean(text, place), category=category)
        # what the import compares with the JSON form then (see the module docstring)
        element(holder, "note", revision_stamp(segment), id=REVISION_NOTE)
        state = STATES.get(segment.status, "initial")
        target = clean(segment.target, f"{where} (English)")
        if not target.strip():
            state = "initial"  # XLIFF 2.0: translated/reviewed/final need a target
        part = element(unit, "segment", state=state)
        element(
            part, "source", clean(segment.source, f"{where} (Chinese)"), **{XML_SPACE: "preserve"}
        )
        if target.strip():
            element(part, "target", target, **{XML_SPACE: "preserve"})
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, clean.warnings()
