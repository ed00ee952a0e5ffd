"""TMX and XLIFF for translators (read back with translate-toolkit, notes checked with lxml), and
the PDF exporter's behaviour when LibreOffice is missing."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from translate.storage import tmx, xliff2

from bilingual.document import Block, Document, Segment, Term, english_digest
from bilingual.errors import InputError, OutputError
from bilingual.exporters import ExportOptions, document_fingerprint
from bilingual.exporters.text import _FORBIDDEN
from bilingual.exporters.tmx import TmxExporter
from bilingual.exporters.xliff import XliffExporter
from bilingual.files import write_all
from bilingual.pipeline import export_document
from tests.conftest import examples
from tests.sample_documents import translated, with_terms

XLF = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


@pytest.fixture(scope="module")
def article(article_document: Document) -> Document:
    document = translated(article_document)
    document.segments[0].status = "human"
    document.segments[-1].target = ""
    document.segments[-1].status = "empty"
    return document


def test_tmx_holds_the_translated_pairs(article, tmp_path):
    path = tmp_path / "a.tmx"
    rendered = TmxExporter().render(article, ExportOptions())
    write_all([(path, rendered.write)])
    assert rendered.warnings == []
    store = tmx.tmxfile.parsefile(str(path))
    # a memory holds translations: not the dateline's date (b1s1), written out by the segmenter
    done = [s for s in article.translatable_segments if s.target]
    assert len(store.units) == len(done) == len(article.segments) - 2
    assert "b1s1" not in [unit.getid() for unit in store.units]
    for unit, segment in zip(store.units, done, strict=True):
        assert unit.getid() == segment.id
        assert unit.source == segment.source.strip()
        assert unit.target == segment.target
    assert store.units[1].getnotes().splitlines() == [
        f"{t.source} = {t.rendering}" for t in done[1].terms
    ]
    root = etree.parse(str(path)).getroot()
    assert root.get("version") == "1.4"
    header = root.find("header")
    assert (header.get("srclang"), header.get("segtype")) == ("zh-TW", "sentence")
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in root.iter("tuv")}
    assert langs == {"zh-TW", "en-US"}


def test_tmx_of_a_worksheet_says_it_has_no_pairs(article_document, tmp_path):
    rendered = TmxExporter().render(with_terms(article_document), ExportOptions())
    write_all([(tmp_path / "a.tmx", rendered.write)])
    assert rendered.warnings == ["tmx: no segment has a translation yet, so the TMX holds no pairs"]
    assert tmx.tmxfile.parsefile(str(tmp_path / "a.tmx")).units == []


def test_xliff_has_one_unit_per_segment(article, tmp_path):
    path = tmp_path / "a.xlf"
    write_all(
        [(path, XliffExporter().render(article, ExportOptions(source_script="simplified")).write)]
    )
    store = xliff2.Xliff2File.parsefile(str(path))
    assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("zh-Hant", "en")
    assert [u.getid() for u in store.units] == [s.id for s in article.segments]
    for unit, segment in zip(store.units, article.segments, strict=True):
        assert unit.source == segment.source  # as read: never converted to Simplified
        assert (unit.target or "") == segment.target
    states = [u.xmlelement.get("state") for u in store.units]
    assert states[0] == "reviewed" and states[1] == "translated" and states[-1] == "initial"
    assert store.units[-1].xmlelement.find("x:target", XLF) is None
    assert store.units[1].istranslated() and not store.units[-1].istranslated()


def test_xliff_notes_and_fingerprint(article, tmp_path):
    path = tmp_path / "a.xlf"
    write_all([(path, XliffExporter().render(article, ExportOptions()).write)])
    root = etree.parse(str(path)).getroot()
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == (
        "2.0",
        "zh-Hant",
        "en",
    )
    file = root.find("x:file", XLF)
    assert file.get("original") == article.meta["input"]
    fingerprint = file.find("x:notes/x:note[@id='fingerprint']", XLF)
    assert fingerprint.text == document_fingerprint(article)
    unit = file.find("x:unit[@id='b2s1']", XLF)
    assert next(iter(unit)).tag == f"{{{XLF['x']}}}notes"  # notes come before the segment
    terms = [n.text for n in unit.findall("x:notes/x:note[@category='term']", XLF)]
    assert terms == [f"{t.source} = {t.rendering}" for t in article.segments[2].terms]
    assert "賴清德 = President Lai Ching-te" in terms
    glossary_notes = [n.text for n in unit.findall("x:notes/x:note[@category='term-note']", XLF)]
    assert "賴清德: PO release, 3 Feb 2026" in glossary_notes
    # no terms: only the revision note, which the import reads
    notes = file.findall("x:unit[@id='b1s1']/x:notes/x:note", XLF)
    assert [n.get("id") for n in notes] == ["revision"]
    assert (
        notes[0].text
        == f"{article.segments[0].revision} {english_digest(article.segments[0].target)}"
    )


def test_control_characters_are_removed_with_a_warning(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[3].source = "賴清德\x00提到\x08"
    document.segments[3].terms = [Term("賴清德", "President Lai", 0, 3)]
    for exporter, name in ((TmxExporter(), "a.tmx"), (XliffExporter(), "a.xlf")):
        rendered = exporter.render(document, ExportOptions())
        write_all([(tmp_path / name, rendered.write)])
        assert rendered.warnings == [
            "segment b2s2 (Chinese): removed 2 character(s) XML and HTML cannot carry "
            "(U+0000, U+0008)"
        ]
        etree.parse(str(tmp_path / name))  # well-formed
    store = xliff2.Xliff2File.parsefile(str(tmp_path / "a.xlf"))
    assert store.units[3].source == "賴清德提到"


def test_empty_document_is_a_clear_input_error(tmp_path):
    for exporter in (TmxExporter(), XliffExporter()):
        with pytest.raises(InputError, match="no segments"):
            exporter.render(Document(meta={"input": "x.txt"}), ExportOptions())


def _document(pairs: list[tuple[str, str]]) -> Document:
    segments = [
        Segment(id=f"b1s{i}", source=s, target=t, status="machine" if t else "empty")
        for i, (s, t) in enumerate(pairs, 1)
    ]
    return Document(blocks=[Block("b1", "paragraph", segments)], meta={"input": "p.txt"})


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(st.text(min_size=1), st.text()), min_size=1, max_size=4))
def test_xliff_and_tmx_round_trip_any_text(tmp_path, pairs):
    document = _document(pairs)
    write_all([(tmp_path / "p.xlf", XliffExporter().render(document, ExportOptions()).write)])
    units = xliff2.Xliff2File.parsefile(str(tmp_path / "p.xlf")).units
    for unit, (source, target) in zip(units, pairs, strict=True):
        assert unit.source == _FORBIDDEN.sub("", source)
        clean_target = _FORBIDDEN.sub("", target)
        assert (unit.target or "") == (clean_target if clean_target.strip() else "")
    write_all([(tmp_path / "p.tmx", TmxExporter().render(document, ExportOptions()).write)])
    units = tmx.tmxfile.parsefile(str(tmp_path / "p.tmx")).units
    expected = [
        (_FORBIDDEN.sub("", s).strip(), _FORBIDDEN.sub("", t).strip())
        for s, t in pairs
        if _FORBIDDEN.sub("", t).strip()
    ]
    assert [(u.source, u.target) for u in units] == expected


def test_pdf_without_libreoffice_says_what_to_install(article, tmp_path, monkeypatch):
    import bilingual.exporters.pdf as pdf

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    written, warnings = export_document(
        article, tmp_path / "out", stem="doc", formats="docx,pdf,tmx,xliff"
    )
    assert sorted(p.name for p in written) == ["doc.docx", "doc.json", "doc.tmx", "doc.xlf"]
    assert not (tmp_path / "out" / "doc.pdf").exists()
    assert len(warnings) == 1
    assert re.search(r"pdf not written: LibreOffice is not installed.*libreoffice-writer-nogui "
                     r"fonts-noto-cjk", warnings[0])  # fmt: skip


@pytest.mark.slow  # a subprocess
def test_pdf_that_libreoffice_cannot_convert_names_the_file_and_writes_nothing(
    article, tmp_path, monkeypatch
):
    import bilingual.exporters.pdf as pdf

    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    soffice.chmod(0o755)
    monkeypatch.setattr(
        pdf.shutil, "which", lambda name: str(soffice) if name == "soffice" else None
    )
    out = tmp_path / "out"
    with pytest.raises(OutputError) as raised:
        export_document(article, out, stem="doc", formats="docx,pdf")
    assert str(raised.value) == (
        f"{out / 'doc.pdf'}: LibreOffice could not convert the DOCX to PDF "
        "(Error: source file could not be loaded)"
    )
    assert list(out.iterdir()) == []  # the run's outputs appear together or not at all


def test_warnings_of_several_exporters_are_said_once(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[4].target = "odd\x01 text"
    _, warnings = export_document(document, tmp_path, stem="doc", formats="docx,html,tmx,xliff")
    assert warnings == ["segment b2s3 (English): removed 1 character(s) XML and HTML cannot carry "
                        "(U+0001)"]  # fmt: skip
