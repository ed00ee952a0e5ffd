"""Reading input (`files.read_bytes`): each way a path cannot be read is one typed line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import ExitCode, GlossaryError, InputError
from bilingual.files import read_bytes


def test_read_bytes_returns_the_content(tmp_path: Path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"\xef\xbb\xbf\xe4\xb8\xad")
    assert read_bytes(path) == b"\xef\xbb\xbf\xe4\xb8\xad"
    assert read_bytes(path, limit=6) == b"\xef\xbb\xbf\xe4\xb8\xad"  # the limit is inclusive


def test_a_missing_file(tmp_path: Path):
    with pytest.raises(InputError) as caught:
        read_bytes(tmp_path / "nope.json", "JSON form")
    assert str(caught.value) == f"{tmp_path / 'nope.json'}: no such file"
    assert caught.value.exit_code == ExitCode.BAD_INPUT


def test_a_folder_is_named_for_what_was_expected(tmp_path: Path):
    with pytest.raises(InputError, match=r": a folder, not a JSON form$"):
        read_bytes(tmp_path, "JSON form")
    with pytest.raises(InputError, match=r": a folder, not a file$"):
        read_bytes(tmp_path)


def test_an_unreadable_path_says_why(tmp_path: Path):
    # A file used as a folder fails for root too (permissions would not).
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"plain/x: cannot read \(Not a directory\)$"):
        read_bytes(tmp_path / "plain" / "x")


def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "big.xlf"
    path.write_bytes(b"x" * (2 * 2**20 + 1))

    def never(self: Path) -> bytes:
        raise AssertionError("read although over the limit")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(InputError, match=r"big\.xlf: larger than 2 MB; refused$"):
        read_bytes(path, limit=2 * 2**20)


def test_the_error_type_is_the_callers(tmp_path: Path):
    with pytest.raises(GlossaryError, match="no such file"):
        read_bytes(tmp_path / "terms.csv", "glossary file", error=GlossaryError)


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["check", "{folder}"], "JSON form"),
        (["glossary", "import", "{folder}"], "glossary file"),
    ],
)
def test_a_folder_given_as_input_is_one_line_exit_3(tmp_path: Path, args: list[str], what: str):
    folder = tmp_path / "given"
    folder.mkdir()
    result = CliRunner().invoke(cli, [a.format(folder=folder) for a in args])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"bilingual: error: {folder}: a folder, not a {what}"]


def test_a_folder_given_as_the_config_file(tmp_path: Path):
    from bilingual.config import read_toml

    with pytest.raises(InputError, match=r": a folder, not a TOML file$"):
        read_toml(tmp_path)
