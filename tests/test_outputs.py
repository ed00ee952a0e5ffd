"""Where outputs go and what they may replace (bilingual.outputs): never an input, never the
batch's report, never a JSON form that another input made — in a single run and in a batch."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bilingual.cli import cli
from bilingual.errors import UsageError

# The signature's record of the input that made a JSON form, as the JSON form spells it.
MADE_FROM = "input_path_sha256"
TRADITIONAL = "行政院今天召開記者會，說明明年度預算。\n"
SIMPLIFIED = "国防部今天说明演习情况。\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def translate(*args: str) -> Result:
    return CliRunner().invoke(cli, ["translate", *args, "--engine", "none", "-q"])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def docx(path: Path, text: str) -> Path:
    from docx import Document as new_docx

    path.parent.mkdir(parents=True, exist_ok=True)
    document = new_docx()
    document.add_paragraph(text.strip())
    document.save(str(path))
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "data" not in p.relative_to(folder).parts
    }


# -- an output is never an input --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "formats"),
    [
        ("report.docx", docx, []),
        ("page.html", lambda p, t: write(p, f"<html><body><p>{t}</p></body></html>"), []),
        ("note.md", write, ["--format", "md"]),
    ],
)
def test_a_single_run_never_writes_over_its_input(folder: Path, name, make, formats):
    make(folder / name, TRADITIONAL)
    before = files(folder)
    result = translate(name, "-o", ".", *formats)
    assert result.exit_code == 2, result.output
    assert f"the output {name} would overwrite the input {name}" in result.output
    assert files(folder) == before  # nothing written, not even the other outputs


def test_the_same_folder_spelled_otherwise_is_the_same_folder(folder: Path):
    write(folder / "in" / "page.html", f"<p>{SIMPLIFIED}</p>")
    (folder / "elsewhere").mkdir()
    result = translate("in/page.html", "-o", "elsewhere/../in")
    assert result.exit_code == 2
    assert "would overwrite the input in/page.html" in result.output


def test_an_output_that_is_the_input_under_another_name(folder: Path):
    """A hard link, or a symbolic link, in the output folder: the same file as the input."""
    page = write(folder / "in" / "page.html", f"<p>{TRADITIONAL}</p>")
    (folder / "out").mkdir()
    os.link(page, folder / "out" / "page.html")
    (folder / "linked").mkdir()
    (folder / "linked" / "page.html").symlink_to(page)
    for out in ("out", "linked"):
        result = translate("in/page.html", "-o", out)
        assert result.exit_code == 2, out
        assert f"the output {out}/page.html would overwrite the input in/page.html" in result.output
    assert page.read_text(encoding="utf-8") == f"<p>{TRADITIONAL}</p>"


def test_a_batch_into_its_own_folder_never_writes_over_an_input(folder: Path):
    docs = folder / "docs"
    write(docs / "a.txt", TRADITIONAL)
    docx(docs / "report.docx", SIMPLIFIED)
    before = files(folder)
    result = translate("docs", "-o", "docs")
    assert result.exit_code == 2
    assert (
        f"the output {docs.resolve()}/report.docx would overwrite the input docs/report.docx"
        in (result.output)
    )
    assert files(folder) == before  # neither a.txt's outputs nor a report


def test_a_batch_into_its_own_folder_goes_on_when_no_output_is_an_input(folder: Path):
    write(folder / "docs" / "a.txt", TRADITIONAL)
    assert translate("docs", "-o", "docs").exit_code == 0
    again = translate("docs", "-o", "docs")  # its own outputs are not inputs the second time
    assert again.exit_code == 0
    assert "1 up to date" in again.output


def test_an_export_never_writes_over_the_input_its_form_was_made_from(folder: Path):
    original = docx(folder / "docs" / "a.docx", TRADITIONAL).read_bytes()
    assert translate("docs/a.docx", "-o", "out").exit_code == 0
    result = CliRunner().invoke(cli, ["export", "out/a.json", "-o", "docs"])
    assert result.exit_code == 2
    assert "the output docs/a.docx would overwrite the input out/a.json was made from" in (
        result.output
    )
    assert (folder / "docs" / "a.docx").read_bytes() == original
    assert not (folder / "docs" / "a.html").exists()
    assert CliRunner().invoke(cli, ["export", "out/a.json", "-o", "elsewhere"]).exit_code == 0


# -- the batch's report ------------------------------------------------------------------------


def test_a_document_named_like_the_report_is_refused_before_anything_is_written(folder: Path):
    write(folder / "docs" / "bilingual-report.txt", TRADITIONAL)
    write(folder / "docs" / "other.txt", SIMPLIFIED)
    result = translate("docs", "-o", "out")
    assert result.exit_code == 2
    assert (
        f"docs/bilingual-report.txt would write {folder.resolve()}/out/bilingual-report.json, "
        "the batch's report" in result.output
    )
    assert not (folder / "out").exists()


def test_the_report_in_a_subfolder_is_a_document_like_any_other(folder: Path):
    write(folder / "docs" / "annex" / "bilingual-report.txt", TRADITIONAL)
    result = translate("docs", "-o", "out")
    assert result.exit_code == 0, result.output
    form = json.loads((folder / "out" / "annex" / "bilingual-report.json").read_bytes())
    assert form["format"] == "bilingual-document"
    assert "documents" in json.loads((folder / "out" / "bilingual-report.json").read_bytes())


# -- a JSON form made from another input --------------------------------------------------------


def test_another_input_with_the_same_stem_is_refused_in_a_single_run(folder: Path):
    write(folder / "story.txt", TRADITIONAL)
    write(folder / "story.md", f"# 標題\n\n{SIMPLIFIED}")
    assert translate("story.txt", "-o", "out").exit_code == 0
    form = (folder / "out" / "story.json").read_bytes()
    assert json.loads(form)["meta"]["signature"][MADE_FROM]
    result = translate("story.md", "-o", "out")
    assert result.exit_code == 2
    assert (
        "out/story.json was made from another input file (story.txt), not from story.md"
        in result.output
    )
    assert (folder / "out" / "story.json").read_bytes() == form
    assert translate("story.txt", "-o", "out").exit_code == 0  # its own input: written again
    forced = translate("story.md", "-o", "out", "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads((folder / "out" / "story.json").read_bytes())["meta"]["input"] == "story.md"


def test_files_of_the_same_name_in_two_folders_are_two_inputs(folder: Path):
    write(folder / "a" / "story.txt", TRADITIONAL)
    write(folder / "b" / "story.txt", SIMPLIFIED)
    assert translate("a/story.txt", "-o", "out").exit_code == 0
    form = (folder / "out" / "story.json").read_bytes()
    result = translate("b/story.txt", "-o", "out")
    assert result.exit_code == 2
    assert "not from b/story.txt" in result.output
    assert (folder / "out" / "story.json").read_bytes() == form


def test_a_batch_refuses_the_document_and_translates_the_others(folder: Path):
    write(folder / "a" / "story.txt", TRADITIONAL)
    write(folder / "b" / "story.txt", SIMPLIFIED)
    write(folder / "b" / "other.txt", TRADITIONAL)
    assert translate("a", "-o", "out").exit_code == 0
    form = (folder / "out" / "story.json").read_bytes()
    result = translate("b", "-o", "out")
    assert result.exit_code == 2
    assert "failed: story.txt: " in result.output
    assert "was made from another input file (story.txt), not from b/story.txt" in result.output
    assert (folder / "out" / "story.json").read_bytes() == form
    assert (folder / "out" / "other.json").is_file()
    forced = translate("b", "-o", "out", "--force")
    assert forced.exit_code == 0, forced.output
    assert "国防部" in (folder / "out" / "story.json").read_text(encoding="utf-8")


def test_a_moved_folder_is_still_the_same_document_in_a_batch(folder: Path):
    write(folder / "a" / "story.txt", TRADITIONAL)
    assert translate("a", "-o", "out").exit_code == 0
    (folder / "a").rename(folder / "moved")
    result = translate("moved", "-o", "out")
    assert result.exit_code == 0, result.output
    assert "1 up to date" in result.output


def test_an_older_form_without_the_record_is_judged_by_its_input_name(folder: Path):
    write(folder / "story.txt", TRADITIONAL)
    write(folder / "story.md", f"# 標題\n\n{SIMPLIFIED}")
    assert translate("story.txt", "-o", "out").exit_code == 0
    path = folder / "out" / "story.json"
    form = json.loads(path.read_bytes())
    del form["meta"]["signature"][MADE_FROM]
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    assert translate("story.md", "-o", "out").exit_code == 2
    assert translate("story.txt", "-o", "out").exit_code == 0  # the same name: its own


def test_standard_input_writes_its_form_again(folder: Path):
    runner = CliRunner()
    for text in (TRADITIONAL, SIMPLIFIED):
        result = runner.invoke(cli, ["translate", "-", "-o", "out", "--engine", "none"], input=text)
        assert result.exit_code == 0, result.output
    assert (
        MADE_FROM
        not in json.loads((folder / "out" / "stdin.json").read_bytes())["meta"]["signature"]
    )


# -- the plan itself ---------------------------------------------------------------------------


def test_the_plan_names_both_inputs_of_a_shared_output(tmp_path: Path):
    from bilingual.outputs import Job, check_plan

    one = Job(tmp_path / "a" / "x.txt", "a/x.txt", tmp_path / "out", "x")
    two = Job(tmp_path / "b" / "x.md", "b/x.md", tmp_path / "out", "x")
    with pytest.raises(UsageError, match=r"a/x\.txt and .*b/x\.md would both write"):
        check_plan([one, two], [".docx"])
    check_plan([one], [".docx", ".html"])  # alone, nothing to refuse
