"""The `bilingual glossary` commands through the CLI: exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke

pytestmark = pytest.mark.usefixtures("own_folder")

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt"
STARTER = str(ROOT / "glossary")


def test_check_starter_glossary_passes_with_warnings():
    result = invoke("glossary", "check", STARTER)
    assert result.exit_code == 0, result.output
    assert "people.yaml:" in result.output and "warning: 劉威廉" in result.output
    assert result.output.strip().endswith("0 errors, 3 warnings")


def test_check_reports_every_error_with_file_and_line(tmp_path):
    folder = tmp_path / "glossary"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "terms:\n  - zh: 華府\n    en: Washington, DC\n", encoding="utf-8"
    )
    (folder / "b.yaml").write_text(
        "terms:\n  - zh: 华府\n    en: Washington\n  - en: x\n", encoding="utf-8"
    )
    (folder / "c.yaml").write_text("terms:\n  - zh: [x\n", encoding="utf-8")
    result = invoke("glossary", "check")
    assert result.exit_code == 1
    assert (
        "glossary/b.yaml:2: error: 华府: rendered 'Washington' here "
        "but 'Washington, DC' at glossary/a.yaml:2" in result.output
    )
    assert "glossary/b.yaml:4: error: entry has no 'zh'" in result.output
    assert "glossary/c.yaml:2: error: YAML syntax error" in result.output
    assert (
        result.stderr.strip()
        == "bilingual: error: glossary check: 3 files, 2 entries: 3 errors, 0 warnings"
    )


def test_check_without_files_is_a_usage_error():
    result = invoke("glossary", "check")
    assert result.exit_code == 2
    assert "no glossary files" in result.stderr


def test_list_and_json():
    result = invoke("glossary", "list", "--glossary", STARTER)
    assert result.exit_code == 0
    assert (
        "台美經濟繁榮夥伴對話 | 經濟繁榮夥伴對話 | EPPD -> EPPD (first: Taiwan-US" in result.output
    )
    assert "events-and-agreements.yaml:7" in result.output
    result = invoke("glossary", "list", "--json", "--glossary", STARTER)
    rows = json.loads(result.output)
    assert rows[0]["zh"] == ["台美經濟繁榮夥伴對話", "經濟繁榮夥伴對話", "EPPD"]
    assert rows[0]["file"].endswith("events-and-agreements.yaml") and rows[0]["line"] == 7


def test_list_broken_glossary_is_exit_3_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  - zh: 華府\n", encoding="utf-8")
    result = invoke("glossary", "list", "--glossary", str(bad))
    assert result.exit_code == 3
    assert (
        result.stderr.strip()
        == f"bilingual: error: {bad}:2: 華府: entry has no 'en' (the English rendering)"
    )


def test_add_then_conflict_then_replace(tmp_path):
    assert invoke("glossary", "add", "華府", "Washington, DC", "--note", "PO").exit_code == 0
    path = tmp_path / "glossary" / "glossary.yaml"
    assert (
        path.read_text(encoding="utf-8")
        == "terms:\n  - zh: 華府\n    en: Washington, DC\n    note: PO\n"
    )
    result = invoke("glossary", "add", "华府", "Washington")
    assert result.exit_code == 2
    assert "use --replace" in result.stderr
    result = invoke("glossary", "add", "华府", "Washington", "--replace")
    assert result.exit_code == 0
    assert result.output.strip() == "replaced 华府 -> Washington at glossary/glossary.yaml:2"
    result = invoke(
        "glossary", "add", "總統府", "Presidential Office", "--first", "the Presidential Office"
    )
    assert "added 總統府 -> Presidential Office at glossary/glossary.yaml:5" in result.output


def test_find_text_and_json():
    result = invoke("glossary", "find", str(ARTICLE), "--glossary", STARTER, "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    first = data["occurrences"][0]
    assert first == {
        "segment": "b1s2",  # the dateline's byline, a segment of its own since segmenter 2
        "start": 5,
        "end": 8,
        "source": "梁博超",
        "rendering": "Liang Po-chao",
        "note": f"rendering not verified (see {STARTER}/people.yaml:59); The reporter of the "
        "article (byline). No verified English form in the sources; Wade-Giles romanisation, to "
        "confirm before publishing.",
    }
    assert any(c["text"] == "經濟部國際貿易署長劉威廉" for c in data["candidates"])
    result = invoke("glossary", "find", str(ARTICLE), "--glossary", STARTER)
    assert (
        "b2s1\t3-21\t「台美經濟繁榮夥伴對話」（EPPD） -> "
        "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)" in result.output
    )
    assert "candidates not in the glossary:" in result.output


def test_find_reads_a_json_form(tmp_path):
    from bilingual.pipeline import read_document

    path = tmp_path / "doc.json"
    path.write_text(read_document(ARTICLE).to_json(), encoding="utf-8")
    result = invoke("glossary", "find", str(path), "--glossary", STARTER, "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.output)["occurrences"]) >= 80


def test_export_and_import_round_trip(tmp_path):
    result = invoke("glossary", "export", "--format", "tbx", "-o", "g.tbx", "--glossary", STARTER)
    assert result.exit_code == 0
    assert (tmp_path / "g.tbx").read_bytes().startswith(b"<?xml")
    result = invoke("glossary", "import", "g.tbx")
    assert result.exit_code == 0
    assert result.output.startswith("imported 39 entries")
    assert invoke("glossary", "check").exit_code == 0
    csv = invoke("glossary", "export", "--format", "csv")
    assert csv.exit_code == 0
    assert csv.output.splitlines()[0] == "台美經濟繁榮夥伴對話,EPPD"


def test_import_missing_file_is_exit_3():
    result = invoke("glossary", "import", "nope.csv")
    assert result.exit_code == 3
    assert result.stderr.strip() == "bilingual: error: nope.csv: no such file"


def test_import_of_a_tbx_that_declares_entities_is_one_line_exit_3(tmp_path):
    bomb = ROOT / "tests" / "data" / "hostile" / "entity-bomb.tbx"
    result = invoke("glossary", "import", str(bomb))
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        f"bilingual: error: {bomb}: has a DOCTYPE (entity declarations are refused)"
    )
    assert not (tmp_path / "glossary").exists()  # nothing written


def test_translate_with_broken_glossary_is_one_line_exit_3(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  - zh: 華府\n    en: [oops\n", encoding="utf-8")
    result = invoke(
        "translate", str(ARTICLE), "--engine", "none", "--glossary", str(bad), "-o", "out", "-q"
    )
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith(f"bilingual: error: {bad}:3: YAML syntax error")


def test_translate_with_engine_none_fills_terms(tmp_path):
    result = invoke(
        "translate",
        str(ARTICLE),
        "--engine",
        "none",
        "--glossary",
        STARTER,
        "-o",
        "out",
        "-q",
        "--format",
        "docx",
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / f"{ARTICLE.stem}.json").read_text(encoding="utf-8"))
    b2s1 = data["blocks"][1]["segments"][0]
    assert {"source": "「台美經濟繁榮夥伴對話」（EPPD）", "start": 3, "end": 21}.items() <= (
        b2s1["terms"][1].items()
    )
    assert (
        b2s1["terms"][1]["rendering"] == "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)"
    )


def test_add_rejects_an_unknown_type():
    result = invoke("glossary", "add", "華府", "Washington, DC", "--type", "city")
    assert result.exit_code == 2
    assert "'--type': 'city' is not one of 'person', 'organisation'" in result.stderr
    assert not Path("glossary").exists()
