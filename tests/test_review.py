"""Review round trips: export, edit as a reviewer would, import; the edits survive what follows."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import Document, dump, load
from bilingual.importers import read_edits
from bilingual.memory import Memory
from bilingual.review import (
    GLOSSARY_CHANGED,
    SOURCE_CHANGED,
    carry_reviews,
    import_edits,
    load_previous,
)
from tests.conftest import ARTICLE, invoke
from tests.docx_edits import EditedDocx
from tests.test_importers import edit_xliff


@pytest.fixture
def project(article_copy: Document, tmp_path: Path) -> Path:
    """A machine-translated JSON form with its DOCX and XLIFF beside it; returns the JSON path."""
    document = copy.deepcopy(article_copy)
    for segment in document.segments:
        segment.target = f"English of {segment.id}."
        segment.status = "machine"
    path = dump(document, tmp_path / "article.json")
    result = CliRunner().invoke(cli, ["export", str(path), "--format", "docx,xliff"])
    assert result.exit_code == 0, result.output
    return path


def human(path: Path) -> dict[str, str]:
    return {s.id: s.target for s in load(path).segments if s.status == "human"}


# --- DOCX round trip ------------------------------------------------------------------------------


def test_docx_edits_reach_the_json_the_memory_and_the_next_export(project: Path, tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.retype_inside_bookmark("b2s1", "The sixth EPPD ended; a press conference was held today.")
    docx.replace_cell("b3s1", "The Presidential Office held a press conference this morning.")
    docx.save()

    result = invoke("import", str(project.with_suffix(".docx")), "--memory", str(memory))
    assert result.exit_code == 0, result.output
    assert "2 edits imported, 38 unchanged" in result.output

    document = load(project)
    b2s1 = document.segment("b2s1")
    assert b2s1.status == "human"
    assert b2s1.target == "The sixth EPPD ended; a press conference was held today."
    assert b2s1.review["source"] == b2s1.source and b2s1.review["at"]
    assert human(project).keys() == {"b2s1", "b3s1"}
    assert document.segment("b2s2").status == "machine"

    with Memory(memory) as stored:
        edit = stored.lookup_human(b2s1.source)
        assert edit is not None and edit.target == b2s1.target
        assert stored.counts()["human"] == 2

    out = tmp_path / "again"
    result = invoke("export", str(project), "-o", str(out), "--format", "docx,html")
    assert result.exit_code == 0, result.output
    again = {s.segment_id: s.target for s in read_edits(out / "article.docx").segments}
    assert again["b3s1"] == "The Presidential Office held a press conference this morning."
    html = (out / "article.html").read_text(encoding="utf-8")
    assert "The Presidential Office held a press conference this morning." in html

    # `check` reports on the edits: 9:30 and 第6屆's six are gone from b2s1's English.
    result = invoke("check", str(project), "--json")
    assert result.exit_code == 1
    assert "number-missing" in result.stdout and "b2s1" in result.stdout


def test_importing_the_same_file_twice_changes_nothing(project: Path, tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.retype_inside_bookmark("b2s1", "Edited once.")
    docx.save()
    assert (
        invoke("import", str(project.with_suffix(".docx")), "--memory", str(memory)).exit_code == 0
    )
    before = project.read_bytes()
    result = invoke("import", str(project.with_suffix(".docx")), "--memory", str(memory))
    assert result.exit_code == 0
    assert "0 edits imported, 40 unchanged" in result.output
    assert project.read_bytes() == before
    with Memory(memory) as stored:
        assert stored.counts()["human"] == 1


def test_an_interleaved_docx_round_trip(project: Path, tmp_path: Path):
    out = tmp_path / "interleaved"
    assert invoke("export", str(project), "-o", str(out), "--layout", "interleaved").exit_code == 0
    from docx import Document as open_docx
    from docx.oxml.ns import qn

    doc = open_docx(str(out / "article.docx"))
    for paragraph in doc.paragraphs:
        names = [b.get(qn("w:name")) for b in paragraph._p.iter(qn("w:bookmarkStart"))]
        if "b4s2" in names:
            paragraph.add_run(" Typed at the end of the paragraph.")
    doc.save(str(out / "article.docx"))
    report = import_edits(out / "article.docx", project, use_memory=False)
    assert report.imported == ["b4s2"]
    assert human(project) == {"b4s2": "English of b4s2. Typed at the end of the paragraph."}


@pytest.mark.slow
def test_a_docx_resaved_by_libreoffice_keeps_its_ids(project: Path, tmp_path: Path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (.ci/run installs libreoffice-writer-nogui)")
    resaved = tmp_path / "resaved"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "docx",
         "--outdir", str(resaved), str(project.with_suffix(".docx"))],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    path = resaved / "article.docx"
    docx = EditedDocx(path)
    docx.retype_inside_bookmark("b5s2", "“Everyone worked hard.”")
    docx.replace_cell("b8s1", "“After nine months of effort, we finished the talks.”")
    docx.append_after_bookmark("b22s1", " (edited)")
    docx.save()
    report = import_edits(path, project, use_memory=False)
    assert report.problems == []
    assert sorted(report.imported) == ["b22s1", "b5s2", "b8s1"]
    assert report.unchanged == 37
    edits = human(project)
    assert edits["b8s1"] == "“After nine months of effort, we finished the talks.”"
    assert edits["b22s1"] == "English of b22s1. (edited)"
    # the revisions survive LibreOffice too: imported again after a newer review, a row left
    # as it was is skipped and an edited one is a conflict
    from bilingual.review import save_edit

    for segment_id in ("b5s1", "b8s1"):
        revision = load(project).segment(segment_id).revision
        save_edit(project, segment_id, f"Newer review of {segment_id}.", revision, use_memory=False)
    report = import_edits(path, project, use_memory=False)
    assert report.stale == 1 and report.conflicts == ["b8s1"]
    assert human(project)["b5s1"] == "Newer review of b5s1."
    assert human(project)["b8s1"] == "Newer review of b8s1."


# --- XLIFF round trip -----------------------------------------------------------------------------


def test_xliff_edits_from_a_cat_tool(project: Path, tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    xliff = project.with_suffix(".xlf")
    edit_xliff(xliff, {"b4s1": "President Lai said the sixth EPPD was held in Washington, DC."})
    edit_xliff(xliff, {"b4s2": "English of b4s2."}, state="final")  # confirmed as it was
    result = invoke("import", str(xliff), "--memory", str(memory))
    assert result.exit_code == 0, result.output
    assert human(project) == {
        "b4s1": "President Lai said the sixth EPPD was held in Washington, DC.",
        "b4s2": "English of b4s2.",
    }
    with Memory(memory) as stored:
        assert stored.counts()["human"] == 2


def test_an_xliff_for_another_document_is_refused(project: Path, tmp_path: Path):
    xliff = project.with_suffix(".xlf")
    xliff.write_text(
        xliff.read_text(encoding="utf-8").replace('original="', 'original="other-'),
        encoding="utf-8",
    )
    before = project.read_bytes()
    result = invoke("import", str(xliff), "--memory", str(tmp_path / "memory.sqlite"))
    assert result.exit_code == 3
    assert "exported from other-" in result.output and "not from" in result.output
    assert project.read_bytes() == before
    assert not (tmp_path / "memory.sqlite").exists()


# --- refusing to guess ----------------------------------------------------------------------------


def test_bad_rows_are_reported_and_the_rest_imported(project: Path, tmp_path: Path):
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.retype_inside_bookmark("b2s1", "A good edit.")
    docx.edit_chinese("b2s2", "改過的中文")
    docx.retype_inside_bookmark("b2s2", "An edit of a row whose Chinese changed.")
    docx.delete_row("b2s3")
    docx.copy_row("b3s1")
    docx.add_row("加的", "An added row.")
    docx.replace_cell("b4s1", "")
    docx.save()
    result = invoke("import", str(project.with_suffix(".docx")), "--no-memory")
    assert result.exit_code == 0, result.output
    assert human(project) == {"b2s1": "A good edit."}
    output = result.output
    assert "(b2s2): the Chinese was changed in the edited file; not imported" in output
    assert "segment b2s3: not in the edited file (its row or unit was deleted?)" in output
    assert "(b2s3)" not in output  # the id said once
    assert "(b3s1): the same segment id is in more than one place" in output
    assert "a row without a segment id" in output
    assert "(b4s1): the English is empty in the edited file; the previous English is kept" in output
    assert load(project).segment("b4s1").target == "English of b4s1."
    assert "1 edit imported" in output and "not imported (see above)" in output


def test_nothing_importable_exits_3_and_writes_nothing(project: Path, tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    with Memory(memory):
        pass
    memory_before = memory.read_bytes()
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.edit_chinese("b2s1", "改過的中文")
    docx.retype_inside_bookmark("b2s1", "An edit that cannot be trusted.")
    docx.save()
    before = project.read_bytes()
    result = invoke("import", str(project.with_suffix(".docx")), "--memory", str(memory))
    assert result.exit_code == 3
    assert "nothing imported (1 problem)" in result.output
    assert project.read_bytes() == before
    assert memory.read_bytes() == memory_before


def test_no_edits_is_not_an_error(project: Path):
    before = project.read_bytes()
    result = invoke("import", str(project.with_suffix(".docx")), "--no-memory")
    assert result.exit_code == 0
    assert "0 edits imported, 40 unchanged" in result.output
    assert project.read_bytes() == before


def test_no_memory_writes_no_memory(project: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.retype_inside_bookmark("b2s1", "Edited.")
    docx.save()
    report = import_edits(project.with_suffix(".docx"), use_memory=False)
    assert report.imported == ["b2s1"] and report.memory is None
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("corrupt.docx", b"PK\x03\x04 not really", "not a DOCX"),
        ("empty.docx", b"", "not a DOCX"),
        ("notes.txt", b"hello", "cannot import a .txt file"),
    ],
)
def test_whole_file_problems_are_one_line_and_exit_3(project: Path, name, data, message):
    path = project.parent / name
    path.write_bytes(data)
    before = project.read_bytes()
    result = invoke("import", str(path), "--into", str(project), "--no-memory")
    assert result.exit_code == 3
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert project.read_bytes() == before


def test_a_docx_this_tool_did_not_write_exits_3(project: Path):
    from docx import Document as new_docx

    doc = new_docx()
    doc.add_paragraph("A letter.")
    path = project.parent / "letter.docx"
    doc.save(str(path))
    result = invoke("import", str(path), "--into", str(project), "--no-memory")
    assert result.exit_code == 3
    assert "not a DOCX written by bilingual" in result.output


def test_without_into_the_json_beside_must_exist(project: Path, tmp_path: Path):
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    docx = shutil.copy(project.with_suffix(".docx"), moved / "article.docx")
    result = invoke("import", str(docx), "--no-memory")
    assert result.exit_code == 3
    assert "article.json: no such file" in result.output and "--into" in result.output


def test_a_docx_from_another_version_imports_only_matching_rows(project: Path, tmp_path: Path):
    document = load(project)
    document.segment("b2s2").source = "第二句改過了。"
    dump(document, project)
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.retype_inside_bookmark("b2s1", "Still the same Chinese.")
    docx.retype_inside_bookmark("b2s2", "The Chinese of this one changed since the export.")
    docx.save()
    report = import_edits(project.with_suffix(".docx"), use_memory=False)
    assert report.imported == ["b2s1"]
    assert any("another version" in note for note in report.notes)
    assert [p.segment_id for p in report.problems] == ["b2s2"]


# --- a later translate ----------------------------------------------------------------------------


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    shutil.copy(ARTICLE, path)
    return path


def translate(article: Path, out: Path, *extra: str):
    result = invoke("translate", str(article), "-o", str(out), "--engine", "none", "-q", *extra)
    assert result.exit_code == 0, result.output
    return out / "article.json"


@pytest.mark.parametrize("memory", [True, False], ids=["with-memory", "no-memory"])
def test_human_edits_win_on_a_later_translate(article: Path, tmp_path: Path, memory: bool):
    out = tmp_path / "out"
    options = ["--memory", str(tmp_path / "m.sqlite")] if memory else ["--no-memory"]
    json_path = translate(article, out, *options)
    docx = EditedDocx(out / "article.docx")
    docx.retype_inside_bookmark("b2s1", "Reviewed b2s1.")
    docx.retype_inside_bookmark("b3s1", "Reviewed b3s1.")
    docx.save()
    assert invoke("import", str(out / "article.docx"), *options).exit_code == 0

    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("總統府今日上午舉行", "總統府今天上午舉行"), encoding="utf-8")
    translate(article, out, *options)
    document = load(json_path)
    b2s1, b3s1 = document.segment("b2s1"), document.segment("b3s1")
    assert (b2s1.status, b2s1.target, b2s1.flags) == ("human", "Reviewed b2s1.", [])
    assert (b3s1.status, b3s1.target) == ("human", "Reviewed b3s1.")
    assert b3s1.flags == [SOURCE_CHANGED]
    result = invoke("check", str(json_path))
    assert "flagged: source changed since review" in result.output


def test_an_edit_follows_its_sentence_when_ids_shift(article: Path, tmp_path: Path):
    out = tmp_path / "out"
    json_path = translate(article, out, "--no-memory")
    docx = EditedDocx(out / "article.docx")
    docx.retype_inside_bookmark("b3s1", "Reviewed b3s1.")
    docx.save()
    assert invoke("import", str(out / "article.docx"), "--no-memory").exit_code == 0
    reviewed = load(json_path).segment("b3s1").source

    text = article.read_text(encoding="utf-8")
    first, rest = text.split("\n\n", 1)
    article.write_text(f"{first}\n\n這是新加的一段。\n\n{rest}", encoding="utf-8")
    translate(article, out, "--no-memory")
    document = load(json_path)
    moved = document.segment("b4s1")
    assert moved.source == reviewed
    assert (moved.status, moved.target, moved.flags) == ("human", "Reviewed b3s1.", [])
    assert document.segment("b3s1").status != "human"


def test_a_glossary_change_flags_the_review(article: Path, tmp_path: Path):
    out = tmp_path / "out"
    glossary = tmp_path / "terms.yaml"
    glossary.write_text("terms:\n  - zh: 總統府\n    en: Presidential Office\n", encoding="utf-8")
    json_path = translate(article, out, "--no-memory", "--glossary", str(glossary))
    docx = EditedDocx(out / "article.docx")
    docx.retype_inside_bookmark("b3s1", "The Presidential Office held a press conference.")
    docx.save()
    assert invoke("import", str(out / "article.docx"), "--no-memory").exit_code == 0
    assert set(load(json_path).segment("b3s1").review["renderings"]) == {"Presidential Office"}

    glossary.write_text(
        "terms:\n  - zh: 總統府\n    en: Office of the President\n", encoding="utf-8"
    )
    translate(article, out, "--no-memory", "--glossary", str(glossary))
    b3s1 = load(json_path).segment("b3s1")
    assert b3s1.target == "The Presidential Office held a press conference."
    assert b3s1.flags == [GLOSSARY_CHANGED]


def test_carry_reviews_by_id_and_by_source(article_copy: Document):
    previous = copy.deepcopy(article_copy)
    old = previous.segment("b2s2")
    old.target, old.status = "Reviewed.", "human"
    old.review = {"source": old.source, "renderings": [], "at": "2026-02-04T00:00:00Z"}
    new = copy.deepcopy(article_copy)
    new.segment("b2s2").source = "改寫過的句子。"
    assert carry_reviews(new, previous) == 1
    carried = new.segment("b2s2")
    assert (carried.target, carried.status, carried.flags) == (
        "Reviewed.",
        "human",
        [SOURCE_CHANGED],
    )
    assert carried.review["source"] == old.source
    assert carry_reviews(copy.deepcopy(article_copy), None) == 0


def test_a_broken_previous_json_stops_the_run(article_copy: Document, tmp_path: Path):
    from bilingual.errors import InputError

    path = tmp_path / "article.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="may hold reviewed English"):
        load_previous(path, article_copy)
    assert load_previous(tmp_path / "none.json", article_copy) is None


def test_a_docx_for_another_document_is_refused(project: Path):
    document = load(project)
    document.meta["input"] = "another-article.txt"
    dump(document, project)
    before = project.read_bytes()
    result = invoke("import", str(project.with_suffix(".docx")), "--no-memory")
    assert result.exit_code == 3
    assert (
        "exported from eppd-press-conference-2026-02-03.zh-Hant.txt, not from another"
        in result.output
    )
    assert project.read_bytes() == before


# --- revisions: a stale exported file never writes over a newer review ---------------------------


def test_a_stale_docx_or_xliff_changes_nothing_after_a_newer_review(project: Path, tmp_path: Path):
    from bilingual.review import save_edit

    memory = tmp_path / "memory.sqlite"
    segment = load(project).segment("b3s1")
    save_edit(project, "b3s1", "Reviewed after the export.", segment.revision, memory)
    reviewed = project.read_bytes()
    for suffix in (".docx", ".xlf"):  # both exported before the review, left as they were
        result = invoke("import", str(project.with_suffix(suffix)), "--memory", str(memory))
        assert result.exit_code == 0, result.output
        assert "1 older than the JSON form (skipped)" in result.output
        assert project.read_bytes() == reviewed
    assert human(project) == {"b3s1": "Reviewed after the export."}


def test_a_row_edited_in_a_stale_file_is_a_conflict_by_id(project: Path, tmp_path: Path):
    from bilingual.review import save_edit

    memory = tmp_path / "memory.sqlite"
    save_edit(project, "b3s1", "Reviewed in the editor.", load(project).segment("b3s1").revision)
    docx = EditedDocx(project.with_suffix(".docx"))
    docx.replace_cell("b3s1", "Reviewed in Word meanwhile.")
    docx.replace_cell("b4s1", "An edit of a segment nobody else touched.")
    docx.save()
    edit_xliff(project.with_suffix(".xlf"), {"b3s1": "Reviewed in a CAT tool meanwhile."})

    result = invoke("import", str(project.with_suffix(".docx")), "--memory", str(memory))
    assert result.exit_code == 0, result.output
    assert "(b3s1): conflict: edited in the file while the segment also changed" in result.output
    assert "Reviewed in the editor." in result.output  # what it reads now
    assert human(project) == {
        "b3s1": "Reviewed in the editor.",
        "b4s1": "An edit of a segment nobody else touched.",
    }
    result = invoke("import", str(project.with_suffix(".xlf")), "--memory", str(memory))
    assert result.exit_code == 3  # its one edit is a conflict: nothing imported
    assert "unit b3s1: conflict" in result.output
    assert human(project)["b3s1"] == "Reviewed in the editor."


def test_files_exported_before_revisions_import_as_before(project: Path, tmp_path: Path):
    from lxml import etree

    # an old XLIFF: no revision notes
    xliff = project.with_suffix(".xlf")
    tree = etree.parse(str(xliff))
    for note in tree.iter("{urn:oasis:names:tc:xliff:document:2.0}note"):
        if note.get("id") == "revision":
            note.getparent().remove(note)
    tree.write(str(xliff), xml_declaration=True, encoding="UTF-8")
    edit_xliff(xliff, {"b3s1": "An old file's edit."})
    assert read_edits(xliff).segments[0].revision is None
    # the segment changed since: without a revision to compare, the file's edit wins, as before
    from bilingual.review import save_edit

    save_edit(project, "b3s1", "Newer.", load(project).segment("b3s1").revision, use_memory=False)
    result = invoke("import", str(xliff), "--no-memory")
    assert result.exit_code == 0, result.output
    assert human(project)["b3s1"] == "An old file's edit."
