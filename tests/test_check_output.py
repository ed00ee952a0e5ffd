"""`bilingual check`'s printed output: shared warnings in one line, the summary once, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bilingual.check import check_file
from bilingual.cli import cli
from bilingual.document import dump
from tests.conftest import ARTICLE
from tests.test_check import make_document


def test_a_worksheet_says_once_that_nothing_is_translated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["translate", str(ARTICLE), "--engine", "none", "--no-memory", "-q", "--format", "json"]
    assert CliRunner().invoke(cli, [*args, "-o", str(out)]).exit_code == 0
    sheet = next(out.glob("*.json"))
    result = CliRunner().invoke(cli, ["check", str(sheet)])
    assert result.exit_code == 0, result.output
    # 39: the reference article's 40 segments less the dateline's date, written out in English
    assert result.stdout.splitlines() == [
        "all   warning  39 segments have no English yet",
        "39 segments checked: 0 errors, 39 warnings",
    ]
    assert result.stderr == ""
    # The JSON keeps every finding, for tools.
    data = json.loads(CliRunner().invoke(cli, ["check", str(sheet), "--json"]).stdout)
    assert len(data["findings"]) == 39 and data["warnings"] == 39


def test_errors_exit_1_with_the_summary_once_and_no_error_line(tmp_path: Path) -> None:
    path = dump(
        make_document(("投入3億元。", "invested a lot."), ("賴清德致詞。", "")), tmp_path / "d.json"
    )
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 segments checked: 2 errors, 0 warnings"
    assert result.stdout.count("segments checked") == 1
    assert [line.split()[:3] for line in lines if line[:1] == "b"] == [
        ["b1s1", "error", "number-missing:"],
        ["b2s1", "error", "empty:"],
    ]
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout)["errors"] == 2


def test_a_warning_only_some_segments_have_is_listed_by_segment(tmp_path: Path) -> None:
    # Two worksheet segments and one whose source has no Chinese to check: the `empty` warning
    # is on both checked segments, so it is shared; a lone Chinese-punctuation warning is not.
    path = dump(
        make_document(("賴清德致詞。", ""), ("總統府記者會。", ""), ("", "")), tmp_path / "d.json"
    )
    result = check_file(path)
    assert [str(w) for w in result.shared_warnings()] == ["2 segments have no English yet"]
    assert result.listed_findings() == []

    path = dump(
        make_document(("賴清德致詞。", "Lai spoke。"), ("總統府記者會。", "A press conference.")),
        tmp_path / "e.json",
    )
    result = check_file(path)
    assert result.shared_warnings() == []
    output = CliRunner().invoke(cli, ["check", str(path)]).stdout
    assert "b1s1  warning  untranslated: Chinese punctuation left in the target: 。" in output
    assert "all " not in output
