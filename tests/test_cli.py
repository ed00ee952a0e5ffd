"""The main job through the CLI: `translate`, `segment` and `export`, and their bad inputs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bilingual.cli import cli
from bilingual.document import VERSION, load
from bilingual.errors import OutputError
from bilingual.segment import SEGMENTER_VERSION
from tests.conftest import invoke, one_error_line

STEM = "eppd-press-conference-2026-02-03.zh-Hant"


class _Cells(HTMLParser):
    """Collects the text of every element carrying a segment id, by id."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.text: dict[str, str] = {}
        self.langs: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("lang"):
            self.langs.add(attrs["lang"])
        seg = attrs.get("data-segment") or (
            attrs.get("id") if re.fullmatch(r"zh-b\d+s\d+", attrs.get("id") or "") else None
        )
        self.stack.append(seg)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for seg in self.stack:
            if seg:
                self.text[seg] = self.text.get(seg, "") + data


def test_segment_prints_the_outline(article_path):
    result = invoke("segment", str(article_path))
    assert result.exit_code == 0
    assert "b1 dateline" in result.output
    assert "b22 source_note" in result.output
    assert "b8s1  「經過九個月的努力" in result.output


def test_segment_json_is_the_json_form(article_path):
    result = invoke("segment", "--json", str(article_path))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    from bilingual.document import validate

    validate(data)
    assert data["version"] == VERSION
    assert len([s for b in data["blocks"] for s in b["segments"]]) == 40


def test_translate_engine_none_writes_three_files(tmp_path, article_path, article_document):
    out = tmp_path / "out"
    result = invoke(
        "translate", str(article_path), "--engine", "none", "-o", str(out), "--no-memory"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{STEM}.{ext}" for ext in ("docx", "html", "json")
    )

    document = load(out / f"{STEM}.json")  # validates against the schema
    sources = [s.source for s in article_document.segments]
    assert [s.source for s in document.segments] == sources
    assert all(s.target == "" and s.status == "empty" for s in document.translatable_segments)
    assert document.segments[0].target == "February 3, 2026"  # the date, written out
    assert document.meta["signature"]["engine"] == "none"
    assert document.meta["signature"]["segmenter"] == SEGMENTER_VERSION

    import docx

    word = docx.Document(str(out / f"{STEM}.docx"))
    cells = [row.cells[0].text for table in word.tables[:1] for row in table.rows]
    for segment in document.segments:  # every segment in exactly one row, Chinese in column 1
        assert sum(1 for text in cells if segment.source.strip() in text) == 1, segment.id

    parser = _Cells()
    parser.feed((out / f"{STEM}.html").read_text(encoding="utf-8"))
    assert {"zh-Hant", "en"} <= parser.langs
    found = " ".join(parser.text.values())
    for segment in document.segments:
        assert segment.source.strip() in found, segment.id


def test_auto_without_a_model_writes_the_worksheet_and_says_how(tmp_path, article_path):
    out = tmp_path / "out"
    result = invoke(
        "translate", str(article_path), "-o", str(out), "--no-memory", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert "no zh->en model is installed" in result.stderr
    assert "bilingual models install" in result.stderr
    assert (out / f"{STEM}.json").exists()


def test_argos_without_a_model_is_exit_4(tmp_path, article_path):
    result = invoke("translate", str(article_path), "--engine", "argos", "-o", str(tmp_path / "o"))
    assert result.exit_code == 4
    assert "model" in one_error_line(result)
    assert not (tmp_path / "o" / f"{STEM}.json").exists()


def test_unknown_engine_and_format_are_usage_errors(tmp_path, article_path):
    result = invoke("translate", str(article_path), "--engine", "deepl", "-o", str(tmp_path))
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "'--engine': 'deepl' is not one of 'argos', 'auto', 'llm', 'none'" in line
    assert "(see `bilingual translate --help`)" in line
    result = invoke(
        "translate", str(article_path), "--engine", "none", "--format", "odt", "-o", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "unknown format 'odt'" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "empty"), (b"\x00\x01\x02binary\x00" * 20, "binary")],
)
def test_bad_input_files_exit_3_and_write_nothing(tmp_path, content, message):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out"
    result = invoke("translate", str(path), "--engine", "none", "-o", str(out))
    assert result.exit_code == 3
    line = one_error_line(result)
    assert message in line and str(path) in line
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("encoding", ["big5", "gb18030"])
def test_legacy_encodings_translate(tmp_path, article_path, encoding):
    path = tmp_path / f"article-{encoding}.txt"
    path.write_bytes(article_path.read_text(encoding="utf-8").encode(encoding, errors="replace"))
    result = invoke(
        "translate",
        str(path),
        "--engine",
        "none",
        "-o",
        str(tmp_path / "o"),
        "--format",
        "json",
        "--no-memory",
    )
    assert result.exit_code == 0, result.output
    document = load(tmp_path / "o" / f"article-{encoding}.json")
    assert document.meta["encoding"] == encoding
    assert len(document.segments) == 40


def test_output_path_that_is_a_file(tmp_path, article_path):
    out = tmp_path / "taken"
    out.write_text("a file, not a folder")
    result = invoke("translate", str(article_path), "--engine", "none", "-o", str(out / "sub"))
    assert result.exit_code == 2
    assert str(out) in one_error_line(result)
    assert out.read_text() == "a file, not a folder"


def test_unwritable_output_folder_as_root_via_readonly_mount(tmp_path, article_path):
    """/proc is not writable even for root: the error is one line, exit 2, no traceback."""
    result = invoke("translate", str(article_path), "--engine", "none", "-o", "/proc/bilingual-out")
    assert result.exit_code == 2
    assert "/proc/bilingual-out" in one_error_line(result)


def test_failed_export_leaves_no_partial_file(tmp_path, article_document, monkeypatch):
    from bilingual import files
    from bilingual.pipeline import export_document

    real_replace = os.replace

    def exploding_replace(src, dst):
        if str(dst).endswith(".html"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", exploding_replace)
    with pytest.raises(OutputError, match=r"doc\.html: cannot write \(no space left on device\)"):
        export_document(article_document, tmp_path, stem="doc", formats="html")
    # the JSON form is renamed into place last, so a run that fails leaves none of its outputs
    assert [p.name for p in tmp_path.iterdir()] == []  # no .html, no .json, no .part left over


@pytest.mark.slow  # a subprocess
def test_console_script_exit_codes(tmp_path, sandbox_env):
    """The installed entry point, as a user runs it: one line, the documented code."""
    exe = Path(sys.executable).with_name("bilingual")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "bilingual"]
    result = subprocess.run(
        [*command, "translate", str(tmp_path / "missing.txt")],
        capture_output=True,
        text=True,
        env=sandbox_env,
    )
    assert result.returncode == 3
    assert result.stderr.strip().startswith("bilingual: error: ")
    assert "Traceback" not in result.stderr
    result = subprocess.run(
        [*command, "translate"], capture_output=True, text=True, env=sandbox_env
    )
    assert result.returncode == 2


@pytest.mark.parametrize("command", ["translate", "export"])
def test_export_option_defaults_are_those_of_export_options(command):
    import click

    from bilingual.cli.options import build_export_options
    from bilingual.exporters import DEFAULT_FORMATS, ExportOptions

    ctx = click.Context(cli)
    found = cli.get_command(ctx, command)
    defaults = {p.name: p.get_default(click.Context(found)) for p in found.params if p.name}
    assert defaults["format"] == ",".join(DEFAULT_FORMATS)
    assert build_export_options(defaults) == ExportOptions()


def test_a_failed_run_leaves_no_output_folder(tmp_path, article_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-packages"))
    other = tmp_path / "other.txt"
    other.write_text(article_path.read_text(encoding="utf-8"), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "new" / "out"
    cases = [
        ([article_path], "argos", 4),  # no model: one file
        ([article_path, other], "argos", 4),  # no model: a batch
        ([empty], "none", 3),  # a bad input
    ]
    for inputs, engine, code in cases:
        args = ["translate", *map(str, inputs), "--engine", engine, "--no-memory", "-q"]
        result = invoke(*args, "-o", str(out))
        assert result.exit_code == code, result.output
        one_error_line(result)
        assert not (tmp_path / "new").exists(), (inputs, list((tmp_path / "new").rglob("*")))


def test_a_failed_run_keeps_an_output_folder_that_was_there(tmp_path, article_path, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "no-packages"))
    out = tmp_path / "out"
    out.mkdir()
    result = invoke("translate", str(article_path), "--engine", "argos", "-o", str(out))
    assert result.exit_code == 4
    assert out.is_dir() and list(out.iterdir()) == []
