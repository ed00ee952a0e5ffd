"""bilingual.toml: defaults for translate and export, the command line wins, typos are errors."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from bilingual.config import CommandOptions, load_config
from bilingual.document import dump
from tests.conftest import invoke, one_error_line
from tests.sample_documents import translated


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def doc_json(project: Path, article_document) -> Path:
    path = project / "doc.json"
    dump(translated(article_document), path)
    return path


def write_config(folder: Path, text: str) -> Path:
    path = folder / "bilingual.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_translate_takes_defaults_from_bilingual_toml(project, article_path):
    write_config(
        project,
        'engine = "none"\nno-memory = true\nformat = ["docx", "xliff"]\n'
        '[translate]\nlayout = "interleaved"\nlatin-font = "Georgia"\n'
        '[export]\nlayout = "side-by-side"\n',
    )
    result = invoke("translate", str(article_path), "-o", "out")
    assert result.exit_code == 0, result.output
    stem = article_path.stem
    assert sorted(p.name for p in (project / "out").iterdir()) == sorted(
        f"{stem}.{ext}" for ext in ("docx", "json", "xlf")
    )
    word = docx.Document(str(project / "out" / f"{stem}.docx"))
    assert word.tables == []  # interleaved, from [translate]
    assert 'w:ascii="Georgia"' in word.paragraphs[5]._p.xml


def test_the_command_line_wins(project, doc_json):
    write_config(project, 'format = "docx,xliff"\nlayout = "interleaved"\n')
    result = invoke(
        "export", str(doc_json), "-o", "out", "--format", "html", "--layout", "side-by-side"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "out").iterdir()) == ["doc.html", "doc.json"]


def test_export_uses_its_section_and_skips_translate_only_options(project, doc_json):
    write_config(
        project,
        'engine = "none"\nbeam = 2\n[translate]\nlayout = "side-by-side"\n'
        '[export]\nformat = ["docx"]\nlayout = "interleaved"\npaper = "letter"\n',
    )
    result = invoke("export", str(doc_json), "-o", "out")
    assert result.exit_code == 0, result.output
    word = docx.Document(str(project / "out" / "doc.docx"))
    assert word.tables == []
    assert word.sections[0].page_width.inches == pytest.approx(8.5)


def test_config_option_names_another_file(project, doc_json):
    other = project / "settings"
    other.mkdir()
    config = write_config(other, 'format = "tmx"\n')
    result = invoke("export", str(doc_json), "-o", "out", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "out").iterdir()) == ["doc.json", "doc.tmx"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('papr = "a4"\n', "unknown option 'papr' (export knows: "),
        ('[export]\nengine = "none"\n', "unknown option 'engine' in [export]"),
        ('[exprot]\nlayout = "interleaved"\n', "unknown section [exprot]"),
        ('paper = "A3"\n', "paper: 'A3' is not one of 'a4', 'letter'"),
        ("layout = [1, 2]\n", "option 'layout' takes one value, not a list"),
        ("paper = \n", "not valid TOML"),
    ],
)
def test_a_bad_config_is_a_bad_input_file_naming_it(project, doc_json, text, expected):
    config = write_config(project, text)
    result = invoke("export", str(doc_json), "-o", "out")
    assert result.exit_code == 3, result.output
    line = one_error_line(result)
    assert str(config) in line and expected in line
    assert not (project / "out").exists()


def test_a_missing_config_file_is_a_bad_input_file(project, doc_json):
    result = invoke("export", str(doc_json), "--config", "nowhere.toml")
    assert result.exit_code == 3
    assert "nowhere.toml: no such file" in one_error_line(result)


def test_relative_paths_are_taken_from_the_config_folder(tmp_path):
    config = write_config(
        tmp_path, 'glossary = "terms"\noutput = "/abs/out"\nmemory = "m.sqlite"\n'
    )
    options = CommandOptions(
        command="translate",
        names={"glossary": "glossary", "output": "output_dir", "memory": "memory_path"},
        paths={"glossary", "output_dir", "memory_path"},
        multiple={"glossary"},
    )
    defaults = load_config(config, options)
    assert defaults == {
        "glossary": [str(tmp_path / "terms")],
        "output_dir": "/abs/out",
        "memory_path": str(tmp_path / "m.sqlite"),
    }


def test_no_file_means_no_defaults(project):
    assert load_config(None, CommandOptions(command="export", names={})) == {}
