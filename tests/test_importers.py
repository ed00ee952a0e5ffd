"""Exported DOCX (both layouts) and XLIFF read back by segment id; hostile ones refused."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual.check import check_document
from bilingual.document import Document
from bilingual.errors import InputError
from bilingual.exporters import ExportOptions, get_exporter
from bilingual.files import write_all
from bilingual.importers import IMPORTERS, get_importer, read_edits
from tests.conftest import examples
from tests.docx_edits import EditedDocx

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"


@pytest.fixture
def translated(article_copy: Document) -> Document:
    document = copy.deepcopy(article_copy)
    for segment in document.segments:
        segment.target = f"English of {segment.id}."
        segment.status = "machine"
    return document


def export(document: Document, folder: Path, name: str, **options) -> Path:
    exporter = get_exporter(name)
    path = folder / f"doc{exporter.extension}"
    rendered = exporter.render(document, ExportOptions(**options), check_document(document))
    return write_all([(path, rendered.write)])[0]


# --- the registry ------------------------------------------------------------------------------


def test_importers_are_found_by_extension():
    assert set(IMPORTERS) == {".docx", ".xlf", ".xliff"}
    assert get_importer("a.DOCX").name == "docx"
    assert get_importer("a.xliff").name == "xliff"
    with pytest.raises(InputError, match=r"cannot import a \.txt file"):
        get_importer("notes.txt")


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        read_edits(tmp_path / "gone.docx")


# --- DOCX ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_an_exported_docx_reads_back_every_segment(translated: Document, tmp_path: Path, layout):
    path = export(translated, tmp_path, "docx", layout=layout)
    edited = read_edits(path)
    assert edited.format == "docx"
    assert edited.problems == []
    assert edited.original == translated.meta["input"]
    assert [s.segment_id for s in edited.segments] == [s.id for s in translated.segments]
    for found, segment in zip(edited.segments, translated.segments, strict=True):
        assert found.target == segment.target
        # a segment may end in the space that separates it from the next (a dateline's date)
        assert found.source == segment.source.strip()


def test_term_hints_under_empty_targets_are_not_english(article_copy: Document, tmp_path):
    from tests.sample_documents import with_terms

    document = with_terms(article_copy)  # empty targets: the exporter adds "Terms: …"
    edited = read_edits(export(document, tmp_path, "docx"))
    # only the dateline's date has English (written out by the segmenter, not by a translator)
    assert [s.target for s in edited.segments] == ["February 3, 2026"] + [""] * (
        len(document.segments) - 1
    )


def test_edits_inside_past_and_over_the_bookmark(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    docx.retype_inside_bookmark("b2s1", "Inside the bookmark.")
    docx.append_after_bookmark("b2s2", " And more typed past it.")
    docx.replace_cell("b2s3", "The whole cell typed anew.")
    docx.save()
    found = {s.segment_id: s.target for s in read_edits(path).segments}
    assert found["b2s1"] == "Inside the bookmark."
    assert found["b2s2"] == "English of b2s2. And more typed past it."
    assert found["b2s3"] == "The whole cell typed anew."
    assert len(found) == len(translated.segments)


def test_a_row_added_by_hand_is_reported(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    docx.add_row("新的一行", "A new row.")
    docx.save()
    edited = read_edits(path)
    assert len(edited.segments) == len(translated.segments)
    [problem] = edited.problems
    assert problem.where == f"row {len(translated.segments) + 2}"
    assert "without a segment id" in problem.message


def test_a_copied_row_is_refused_in_both_places(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    docx.copy_row("b3s1")
    docx.save()
    edited = read_edits(path)
    assert "b3s1" not in [s.segment_id for s in edited.segments]
    [problem] = edited.problems
    assert problem.segment_id == "b3s1"
    assert "row 7 and row 8" in str(problem) and "more than one place" in problem.message


def test_merged_rows_are_refused(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    docx.merge_english("b2s1", "b2s2")
    docx.save()
    edited = read_edits(path)
    ids = [s.segment_id for s in edited.segments]
    assert "b2s1" not in ids and "b2s2" not in ids
    assert {"b2s1", "b2s2"} <= edited.refused
    assert any("rows merged" in p.message for p in edited.problems)


def test_track_changes_read_as_accepted(translated: Document, tmp_path: Path):
    from docx.oxml import parse_xml as docx_xml
    from docx.oxml.ns import nsdecls

    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    paragraph = docx.english_cell("b2s1").paragraphs[0]
    paragraph._p.append(
        docx_xml(
            f'<w:del {nsdecls("w")} w:id="901" w:author="R" w:date="2026-02-04T00:00:00Z">'
            "<w:r><w:delText> Deleted words.</w:delText></w:r></w:del>"
        )
    )
    paragraph._p.append(
        docx_xml(
            f'<w:ins {nsdecls("w")} w:id="902" w:author="R" w:date="2026-02-04T00:00:00Z">'
            '<w:r><w:t xml:space="preserve"> Inserted words.</w:t></w:r></w:ins>'
        )
    )
    docx.save()
    found = {s.segment_id: s.target for s in read_edits(path).segments}
    assert found["b2s1"] == "English of b2s1. Inserted words."


def text_box_run(text: str) -> str:
    """A run holding a text box as Word saves it: a drawing (the Choice) and a copy of it in
    VML for older readers (the Fallback), both with the same text."""
    box = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    return (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        f"{box}</wps:txbx></wps:wsp></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_a_text_box_is_imported_once(translated: Document, tmp_path: Path):
    from docx.oxml import parse_xml as docx_xml

    path = export(translated, tmp_path, "docx")
    docx = EditedDocx(path)
    docx.english_cell("b2s1").paragraphs[0]._p.append(docx_xml(text_box_run(" TEXTBOX TEXT")))
    docx.save()
    found = {s.segment_id: s.target for s in read_edits(path).segments}
    assert found["b2s1"] == "English of b2s1. TEXTBOX TEXT"


def test_interleaved_text_typed_over_a_bookmark_refuses_the_block(translated, tmp_path: Path):
    from docx import Document as open_docx
    from docx.oxml.ns import qn

    path = export(translated, tmp_path, "docx", layout="interleaved")
    doc = open_docx(str(path))
    for paragraph in doc.paragraphs:
        for start in paragraph._p.findall(qn("w:bookmarkStart")):
            if start.get(qn("w:name")) == "b2s2":
                paragraph._p.remove(start)
    doc.save(str(path))
    edited = read_edits(path)
    ids = [s.segment_id for s in edited.segments]
    assert not {"b2s1", "b2s2", "b2s3"} & set(ids)
    assert "b3s1" in ids
    assert any(p.where == "block b2" and "b2s2" in p.message for p in edited.problems)


def test_a_docx_this_tool_did_not_write(tmp_path: Path):
    from docx import Document as new_docx

    doc = new_docx()
    doc.add_paragraph("Just a letter.")
    path = tmp_path / "letter.docx"
    doc.save(str(path))
    with pytest.raises(InputError, match="not a DOCX written by bilingual"):
        read_edits(path)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40],
    ids=["empty", "text", "truncated"],
)
def test_a_corrupt_docx(tmp_path: Path, data: bytes):
    path = tmp_path / "broken.docx"
    path.write_bytes(data)
    with pytest.raises(InputError, match="not a DOCX"):
        read_edits(path)


def test_a_docx_cut_short(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"not a DOCX|corrupt"):
        read_edits(path)


def rezip(
    source: Path, target: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None
):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in (extra or {}).items():
            new.writestr(name, data)
    return target


def test_a_zip_bomb_is_refused(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    bomb = b"<w:document>" + b" " * (65 * 2**20)  # 65 MB of spaces packs into about 65 kB
    hostile = rezip(path, tmp_path / "bomb.docx", {"word/document.xml": bomb})
    assert hostile.stat().st_size < 2**20
    with pytest.raises(InputError, match="zip bomb"):
        read_edits(hostile)


def test_path_traversal_members_are_never_extracted(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    evil = {"../../evil.txt": b"owned", "/abs/evil.txt": b"owned"}
    (tmp_path / "work").mkdir()
    hostile = rezip(path, tmp_path / "work" / "traversal.docx", {}, evil)
    edited = read_edits(hostile)
    assert len(edited.segments) == len(translated.segments)
    assert not (tmp_path / "evil.txt").exists() and not Path("/abs/evil.txt").exists()


def test_relationships_pointing_outside_the_package_are_refused(translated, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    with zipfile.ZipFile(path) as z:
        rels = z.read("_rels/.rels").replace(
            b'Target="word/document.xml"', b'Target="../../etc/passwd"'
        )
    hostile = rezip(path, tmp_path / "rels.docx", {"_rels/.rels": rels})
    with pytest.raises(InputError, match="outside the package"):
        read_edits(hostile)


def test_an_entity_bomb_inside_a_docx_is_refused(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "docx")
    bomb = (HOSTILE / "entity-bomb.xlf").read_bytes()
    hostile = rezip(path, tmp_path / "entities.docx", {"word/document.xml": bomb})
    with pytest.raises(InputError, match="DOCTYPE"):
        read_edits(hostile)


# --- XLIFF ---------------------------------------------------------------------------------------


def edit_xliff(path: Path, changes: dict[str, str], state: str = "translated") -> None:
    """Change unit targets as a CAT tool does: a <target> for each, the segment's state set."""
    from lxml import etree

    tree = etree.parse(str(path))
    for unit in tree.iter(f"{{{XLIFF_NS}}}unit"):
        if unit.get("id") in changes:
            segment = unit.find(f"{{{XLIFF_NS}}}segment")
            target = segment.find(f"{{{XLIFF_NS}}}target")
            if target is None:
                target = etree.SubElement(segment, f"{{{XLIFF_NS}}}target")
            target.text = changes[unit.get("id")]
            segment.set("state", state)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")


def test_an_exported_xliff_reads_back(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "xliff")
    edited = read_edits(path)
    assert edited.format == "xliff"
    assert edited.problems == []
    assert edited.original == translated.meta["input"]
    assert edited.fingerprint and edited.fingerprint.startswith("bilingual:")
    assert [(s.segment_id, s.source, s.target) for s in edited.segments] == [
        (s.id, s.source.strip(), s.target) for s in translated.segments
    ]
    assert not any(s.confirmed for s in edited.segments)


def test_xliff_targets_edited_by_a_cat_tool(translated: Document, tmp_path: Path):
    path = export(translated, tmp_path, "xliff")
    edit_xliff(path, {"b2s1": "Edited  in a\nCAT tool."}, state="final")
    found = {s.segment_id: s for s in read_edits(path).segments}
    assert found["b2s1"].target == "Edited in a CAT tool."
    assert found["b2s1"].confirmed
    assert not found["b2s2"].confirmed


def test_xliff_inline_markup_is_text(tmp_path: Path):
    path = tmp_path / "inline.xlf"
    path.write_text(
        f'<xliff xmlns="{XLIFF_NS}" version="2.0" srcLang="zh-Hant" trgLang="en">'
        '<file id="f1" original="a.txt"><unit id="b1s1"><segment state="translated">'
        '<source>總統府</source><target>The <pc id="1">Presidential</pc> Office<ph id="2"/>'
        "</target></segment></unit></file></xliff>",
        encoding="utf-8",
    )
    [segment] = read_edits(path).segments
    assert segment.target == "The Presidential Office"


def test_xliff_duplicate_and_unknown_units(translated: Document, tmp_path: Path):
    from lxml import etree

    path = export(translated, tmp_path, "xliff")
    tree = etree.parse(str(path))
    file = tree.find(f"{{{XLIFF_NS}}}file")
    units = file.findall(f"{{{XLIFF_NS}}}unit")
    file.append(copy.deepcopy(units[3]))
    stranger = copy.deepcopy(units[4])
    stranger.set("id", "extra-1")
    file.append(stranger)
    tree.write(str(path))
    edited = read_edits(path)
    duplicated = units[3].get("id")
    assert duplicated in edited.refused
    assert duplicated not in [s.segment_id for s in edited.segments]
    messages = [str(p) for p in edited.problems]
    assert any("occurs 2 times" in m for m in messages)
    assert any("unit extra-1" in m and "not a segment id" in m for m in messages)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"/>', "1.2"),
        ("<html/>", "not an XLIFF 2.0"),
        (f'<xliff xmlns="{XLIFF_NS}" version="2.0"/>', "holds 0 <file>"),
        ("<xliff", "not well-formed"),
    ],
)
def test_xliff_that_is_not_ours(tmp_path: Path, text: str, match: str):
    path = tmp_path / "other.xlf"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_edits(path)


def test_an_entity_bomb_xliff_is_refused_fast():
    import time

    started = time.perf_counter()
    with pytest.raises(InputError, match="DOCTYPE"):
        read_edits(HOSTILE / "entity-bomb.xlf")
    assert time.perf_counter() - started < 2


def test_an_external_entity_is_never_read():
    with pytest.raises(InputError, match="DOCTYPE"):
        read_edits(HOSTILE / "external-entity.xlf")


# --- round trips for any text --------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(
        categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029\x85\xa0"
    ),
    max_size=60,
)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(targets=st.lists(TEXT, min_size=3, max_size=3), layout=st.sampled_from(["docx", "xliff"]))
def test_any_english_comes_back_as_written(article_copy, tmp_path_factory, targets, layout):
    document = copy.deepcopy(article_copy)
    document.blocks = document.blocks[1:3]  # b2 (three segments) and b3
    for segment, target in zip(document.segments, [*targets, "x"], strict=False):
        segment.target, segment.status = target, "machine" if target.strip() else "empty"
    path = export(document, tmp_path_factory.mktemp("rt"), layout)
    found = {s.segment_id: s.target for s in read_edits(path).segments}
    assert found == {s.id: " ".join(s.target.split()) for s in document.segments}
