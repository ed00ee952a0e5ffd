"""Hand-edited JSON forms a careful user or a hostile file brings: each ends in one line naming
the file and the right exit code, never a hang or a traceback; a character no format can carry
is removed from what is written and named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilingual.errors import ExitCode
from tests.conftest import assert_one_line_error, run_bilingual

ARTICLE = "台北市長今天宣布新政策。\n\n市民表示歡迎。\n"


# -- hand-edited JSON forms ----------------------------------------------------------------------


@pytest.fixture
def json_form(tmp_path: Path, sandbox_env: dict[str, str]) -> Path:
    """A real JSON form (and its XLIFF) written by `translate --engine none`."""
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    made = run_bilingual(
        ["translate", "article.txt", "--engine", "none", "--no-memory", "--format", "xliff"],
        sandbox_env,
        tmp_path,
    )
    assert made.returncode == 0, made.stderr
    return tmp_path / "output" / "article.json"


def edited(form: Path, name: str, old: str, new: str) -> Path:
    text = form.read_text(encoding="utf-8")
    assert old in text
    path = form.parent / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def commands_on(form: Path) -> list[list[str]]:
    xliff = form.parent / "article.xlf"
    return [
        ["export", str(form), "--format", "docx,html,tmx,xliff", "-o", str(form.parent / "x")],
        ["check", str(form)],
        ["import", str(xliff), "--into", str(form), "--no-memory"],
    ]


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('"options": {}', '"options": ' + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('"options": {}', '"options": {"beam": ' + "9" * 5000 + "}", "more than 4300 digits"),
        ('"blocks": [', '"blocks": [], "unused": [', "the JSON form has no segments"),
    ],
    ids=["deep", "long-integer", "no-segments"],
)
def test_a_broken_json_form_is_a_bad_input_file(
    json_form: Path, sandbox_env: dict[str, str], old: str, new: str, says: str
) -> None:
    broken = edited(json_form, "broken.json", old, new)
    if "unused" in new:  # no segments: the blocks emptied, the rest of the form valid
        data = json.loads(broken.read_text(encoding="utf-8"))
        del data["unused"]
        broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = broken.read_bytes()
    for command in commands_on(broken):
        result = run_bilingual(command, sandbox_env, json_form.parent)
        line = assert_one_line_error(result, ExitCode.BAD_INPUT, str(broken), says)
        assert "article.txt" not in line  # the JSON file, not meta.input
    assert broken.read_bytes() == before
    assert not (json_form.parent / "x").exists()


@pytest.mark.slow  # a subprocess
def test_a_lone_surrogate_is_removed_from_what_is_written_and_named(
    json_form: Path, sandbox_env: dict[str, str]
) -> None:
    old = '"target": "",\n          "status": "empty"'
    form = edited(
        json_form,
        "article.json",
        old,
        '"target": "Mayor \\ud800said.",\n          "status": "machine"',
    )
    out = json_form.parent / "x"
    result = run_bilingual(commands_on(form)[0], sandbox_env, json_form.parent)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "segment b1s1" in result.stderr and "U+D800" in result.stderr
    # The JSON form keeps the text as it was; the XML formats carry it without the surrogate.
    assert (
        json.loads((out / "article.json").read_text(encoding="utf-8"))["blocks"][0]["segments"][0][
            "target"
        ]
        == "Mayor \ud800said."
    )
    for name in ("article.xlf", "article.tmx", "article.html"):
        assert "Mayor said." in (out / name).read_text(encoding="utf-8"), name
    assert (out / "article.docx").stat().st_size > 0
    check = run_bilingual(commands_on(form)[1], sandbox_env, json_form.parent)
    assert check.returncode in (0, 1) and "unexpected" not in check.stderr, check.stderr
    # An import writes the JSON form back: the surrogate survives as its escape.
    xliff = json_form.parent / "article.xlf"
    text = xliff.read_text(encoding="utf-8")
    xliff.write_text(
        text.replace('<segment state="initial">', '<segment state="translated">').replace(
            "歡迎。</source>", "歡迎。</source><target>Residents welcomed it.</target>"
        ),
        encoding="utf-8",
    )
    imported = run_bilingual(commands_on(form)[2], sandbox_env, json_form.parent)
    assert imported.returncode == 0, imported.stderr
    data = json.loads(form.read_text(encoding="utf-8"))
    segments = [s for b in data["blocks"] for s in b["segments"]]
    assert segments[0]["target"] == "Mayor \ud800said."
    assert segments[1]["target"] == "Residents welcomed it."
    assert "\\ud800" in form.read_text(encoding="utf-8")
