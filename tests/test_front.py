"""The front of a document (front.py) and the editions on the command line: --title, --title-en,
--byline and --date on translate, a title that is never a file name, --edition reader with its
note and --require-reviewed, and `import` of either edition."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from bilingual.document import dump, load, opening_words
from bilingual.errors import ExitCode
from bilingual.front import date_in_chinese, parse_date, written_dates
from bilingual.pipeline import read_document
from tests import front_samples as fs
from tests.conftest import invoke
from tests.docx_edits import EditedDocx


def translate(source: Path, out: Path, *args: str):  # type: ignore[no-untyped-def]
    return invoke("translate", source, "-o", out, "--engine", "none", "--no-memory", *args)


def json_form(tmp_path: Path, script: str, status: str, shape: str = "docx") -> Path:
    """A JSON form of a sample article with its English filled in by `status`."""
    maker = {"docx": fs.write_docx, "text": fs.write_text}[shape]
    document = read_document(maker(tmp_path, script))
    fs.fill_english(document, status=status)
    return dump(document, tmp_path / f"form-{script}.json")


def test_dates_are_checked_and_written_out_in_each_language() -> None:
    assert parse_date("2026-01-29") == "2026-01-29"
    for bad in ("2026-02-30", "29/01/2026", "2026-1-29"):
        with pytest.raises(ValueError):
            parse_date(bad)
    assert date_in_chinese("2026-01-29") == "2026年1月29日"
    assert written_dates("2026-01-29T08:00:00+08:00") == ("2026年1月29日", "January 29, 2026")
    assert written_dates("週四上午") == ("週四上午", "")


def test_opening_words_make_a_short_title() -> None:
    assert opening_words("外交部長林佳龍今天啟程訪問歐洲三國，將與各國政要會談。") == (
        "外交部長林佳龍今天啟程訪問歐洲三國…"
    )
    assert opening_words("短句") == "短句"
    assert len(opening_words("一" * 80)) == 25


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_a_text_without_headline_is_titled_by_its_words_and_the_run_warns_once(
    tmp_path: Path, script: str
) -> None:
    source = fs.write_text(tmp_path, script)
    result = translate(source, tmp_path / "out", "--edition", "reader", "--format", "docx,html")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("no headline found") == 1
    assert "--title" in result.stderr
    opening = fs.in_script("外交部長林佳龍今天啟程訪問歐洲三國", script)
    doc = docx.Document(str(tmp_path / "out" / f"{source.stem}.docx"))
    assert doc.core_properties.title.startswith(opening)
    page = (tmp_path / "out" / f"{source.stem}.html").read_text(encoding="utf-8")
    assert f"<title>{opening}…</title>" in page and "report-0129" not in page.split("<body")[0]


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_title_and_title_en_make_the_headline(tmp_path: Path, script: str) -> None:
    source = fs.write_text(tmp_path, script)
    title = fs.in_script("外長訪歐", script)
    result = translate(
        source,
        tmp_path / "out",
        "--title", title,
        "--title-en", "Foreign Minister in Europe",
        "--byline", "By Jane Lee",
        "--date", "2026-02-03",
        "--edition", "reader",
        "--format", "docx,md",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no headline found" not in result.stderr
    form = load(tmp_path / "out" / f"{source.stem}.json")
    headline = form.blocks[0]
    assert headline.kind == "title" and headline.segments[0].source == title
    assert headline.segments[0].target == "Foreign Minister in Europe"
    assert headline.segments[0].status == "human"
    assert form.meta["date"] == "2026-02-03" and form.meta["byline"] == "By Jane Lee"
    doc = docx.Document(str(tmp_path / "out" / f"{source.stem}.docx"))
    front = [(p.style.name, p.text) for p in doc.paragraphs[:3]]
    assert front[0] == ("Title", title) and front[1] == ("Title", "Foreign Minister in Europe")
    assert "2026年2月3日" in doc.paragraphs[2].text
    assert any(p.text == "By Jane Lee · February 3, 2026" for p in doc.paragraphs)
    markdown = (tmp_path / "out" / f"{source.stem}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# {title}\n\n# Foreign Minister in Europe\n")


def test_a_given_title_replaces_the_texts_own_and_is_translated(tmp_path: Path) -> None:
    source = fs.write_docx(tmp_path, "zh-Hant")
    result = translate(source, tmp_path / "out", "--title", "外長今出訪")
    assert result.exit_code == 0, result.output
    form = load(tmp_path / "out" / f"{source.stem}.json")
    titles = [b for b in form.blocks if b.kind == "title"]
    assert [b.source for b in titles] == ["外長今出訪"]
    assert fs.HEADLINE not in [s.source for s in form.segments]
    # the headline is a segment like any other: the engine is given it (none: a worksheet)
    assert titles[0].segments[0] in form.translatable_segments


@pytest.mark.slow
def test_a_given_title_is_translated_by_the_engine(tmp_path: Path, standin_package: Path) -> None:
    source = fs.write_text(tmp_path, "zh-Hans")
    args = ["--engine", "argos", "--model", str(standin_package), "--beam", "1", "-q"]
    result = invoke(
        "translate", source, "-o", tmp_path / "out", "--no-memory", "--title", "外长访欧", *args
    )
    assert result.exit_code == 0, result.output
    form = load(tmp_path / "out" / f"{source.stem}.json")
    headline = form.blocks[0].segments[0]
    assert headline.source == "外长访欧"
    assert headline.status == "machine" and headline.target.strip()


def test_bad_date_and_a_title_for_many_files_are_usage_errors(tmp_path: Path) -> None:
    source = fs.write_text(tmp_path, "zh-Hant")
    result = translate(source, tmp_path / "out", "--date", "2026-13-01")
    assert result.exit_code == ExitCode.USAGE
    assert "--date" in result.output and "2026-13-01" in result.output
    other = fs.write_text(tmp_path, "zh-Hans")
    result = translate(source, tmp_path / "out", str(other), "--title", "外長訪歐")
    assert result.exit_code == ExitCode.USAGE
    assert "one input file" in result.output


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_reader_edition_of_machine_drafts_says_so_and_goes_on(tmp_path: Path, script: str) -> None:
    form = json_form(tmp_path, script, "machine")
    result = invoke("export", form, "--edition", "reader", "--format", "docx,html")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if "reader's edition" in line]
    assert len(notes) == 1
    assert "5 machine-translated segments not reviewed" in notes[0]
    assert "--require-reviewed" in notes[0]
    assert (tmp_path / f"{form.stem}.docx").is_file()


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_require_reviewed_refuses_machine_drafts(tmp_path: Path, script: str) -> None:
    form = json_form(tmp_path, script, "machine")
    args = ["export", form, "--edition", "reader", "--require-reviewed", "--format", "docx,html"]
    result = invoke(*args)
    assert result.exit_code == ExitCode.PROBLEMS
    assert result.stderr.strip().count("\n") == 0  # one line
    assert "no reader's edition written" in result.stderr
    assert not (tmp_path / f"{form.stem}.docx").exists()
    assert not (tmp_path / f"{form.stem}.html").exists()


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_require_reviewed_writes_a_reviewed_document(tmp_path: Path, script: str) -> None:
    form = json_form(tmp_path, script, "human")
    args = ["export", form, "--edition", "reader", "--require-reviewed", "--format", "docx,html"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "reader's edition" not in result.stderr
    assert (tmp_path / f"{form.stem}.docx").is_file()


def test_translate_with_require_reviewed_keeps_the_json_form(tmp_path: Path) -> None:
    source = fs.write_text(tmp_path, "zh-Hant")
    out = tmp_path / "out"
    result = translate(source, out, "--edition", "reader", "--require-reviewed")
    assert result.exit_code == ExitCode.PROBLEMS
    assert "4 segments not translated" in result.stderr  # the byline and three sentences
    assert (out / f"{source.stem}.json").is_file()
    assert not (out / f"{source.stem}.docx").exists()


def test_edition_and_credit_come_from_bilingual_toml(tmp_path: Path) -> None:
    form = json_form(tmp_path, "zh-Hant", "human")
    config = tmp_path / "bilingual.toml"
    config.write_text(
        'edition = "reader"\n[export]\ncredit = "Translated by the Foreign Desk"\n',
        encoding="utf-8",
    )
    result = invoke("export", form, "--config", config, "--format", "html")
    assert result.exit_code == 0, result.output
    page = (tmp_path / f"{form.stem}.html").read_text(encoding="utf-8")
    assert 'class="front masthead"' in page and "Translated by the Foreign Desk" in page
    result = invoke("export", form, "--config", config, "--format", "html", "--edition", "review")
    page = (tmp_path / f"{form.stem}.html").read_text(encoding="utf-8")
    assert 'class="front masthead"' not in page and "Translated by the Foreign Desk" not in page


def test_import_refuses_a_readers_edition_in_one_line(tmp_path: Path) -> None:
    form = json_form(tmp_path, "zh-Hant", "machine")
    assert invoke("export", form, "--edition", "reader", "--format", "docx").exit_code == 0
    result = invoke("import", tmp_path / f"{form.stem}.docx", "--into", form, "--no-memory")
    assert result.exit_code == ExitCode.BAD_INPUT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "a reader's edition" in lines[0] and "--edition review" in lines[0]


def test_a_review_edition_still_imports(tmp_path: Path) -> None:
    form = json_form(tmp_path, "zh-Hans", "machine")
    assert invoke("export", form, "--format", "docx").exit_code == 0
    exported = tmp_path / f"{form.stem}.docx"
    identifier = docx.Document(str(exported)).core_properties.identifier
    assert identifier.startswith("bilingual:")
    edited = EditedDocx(exported)
    segment = next(s for s in load(form).segments if s.source.startswith("此行"))
    edited.retype_inside_bookmark(segment.id, "The trip lasts a week.")
    edited.save()
    result = invoke("import", exported, "--into", form, "--no-memory")
    assert result.exit_code == 0, result.output
    after = {s.id: s for s in load(form).segments}
    assert after[segment.id].target == "The trip lasts a week."
    assert after[segment.id].status == "human"
    data = json.loads(form.read_text(encoding="utf-8"))
    assert data["meta"]["title"] == fs.in_script(fs.HEADLINE, "zh-Hans")
