"""Options with a fixed set of values are choices that --help lists; a bad value is one line."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from bilingual.cli import COMMANDS, cli
from bilingual.engines import ENGINES
from bilingual.exporters import EXPORTERS
from bilingual.glossary.model import TYPES


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    return result.output


def test_engine_format_and_type_list_their_choices_in_help() -> None:
    translate = _help("translate")
    assert re.search(r"--engine \[argos\|auto\|llm\|none\]", translate)
    assert f"--format [{'|'.join(EXPORTERS)}],..." in translate
    assert f"--format [{'|'.join(EXPORTERS)}],..." in _help("export")
    assert f"--type [{'|'.join(TYPES)}]" in _help("glossary", "add")
    assert sorted(ENGINES) == ["argos", "auto", "llm", "none"]


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(cli)
    found: list[tuple[str, click.Command]] = []
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [(f"{name} {n}", c) for n, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


# Options whose values are open (paths, fonts, numbers, free text), by name.
OPEN = {
    "output",
    "output_dir",
    "model",
    "glossary",
    "memory_path",
    "config",
    "cjk_font",
    "latin_font",
    "ray_address",
    "first",
    "also",
    "note",
    "file",
    "into",
    "beam",
    "threads",
    "max_batch_tokens",
    "title",
    "title_en",
    "byline",
    "date",
    "credit",
    "llm_url",
    "llm_model",
    "llm_concurrency",
    "llm_temperature",
    "llm_seed",
    "llm_prompt",
    "llm_timeout",
    "host",  # review: an address
    "port",  # review: a number
}


@pytest.mark.parametrize(("name", "command"), _commands(), ids=lambda x: str(x))
def test_every_valued_option_is_a_choice_or_open(name: str, command: click.Command) -> None:
    for param in command.params:
        if not isinstance(param, click.Option) or param.is_flag or param.name == "help":
            continue
        if param.name in OPEN:
            continue
        closed = isinstance(param.type, click.Choice) or param.name == "format"
        assert closed, f"{name} --{param.name}: a fixed set of values should be a click.Choice"


def test_a_bad_choice_is_one_line_naming_the_choices_and_the_help(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["translate", str(tmp_path / "a.txt"), "--engine", "deepl"])
    assert result.exit_code == 2
    assert result.stderr == (
        "bilingual: error: Invalid value for '--engine': 'deepl' is not one of "
        "'argos', 'auto', 'llm', 'none' (see `bilingual translate --help`)\n"
    )
    result = CliRunner().invoke(cli, ["glossary", "export", "--format", "xlsx"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "'xlsx' is not one of 'csv', 'tsv', 'tbx'" in result.stderr
    assert "(see `bilingual glossary export --help`)" in result.stderr


def test_formats_are_checked_and_listed_like_a_choice(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "a.json"), "--format", "docx,odt"])
    assert result.exit_code == 2
    assert result.stderr.startswith("bilingual: error: Invalid value for '--format': ")
    assert "unknown format 'odt'" in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.slow  # a subprocess
def test_listing_the_commands_does_not_load_the_choices_of_one() -> None:
    import json
    import subprocess
    import sys

    code = (
        "import json, sys, click\n"
        "from bilingual.cli import COMMANDS, cli\n"
        "ctx = click.Context(cli)\n"
        "[cli.get_command(ctx, name) for name in COMMANDS]\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "bilingual.glossary.model" not in json.loads(out.stdout)
