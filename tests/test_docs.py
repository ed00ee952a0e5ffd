"""Every command has help text and appears in README's table; every option is in the manual."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from bilingual import __version__
from bilingual.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MANUAL = "\n".join(
    page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").glob("*.md"))
)


def _commands(group: click.Group, prefix: str = "bilingual"):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix} {name} cannot be loaded"
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_every_command_has_help_and_is_in_readme():
    commands = list(_commands(cli))
    assert len(commands) >= 3
    for full_name, command in commands:
        assert (command.help or "").strip(), f"{full_name} has no help text"
        assert f"`{full_name}" in README, f"{full_name} is missing from README"


def test_every_option_has_help():
    for full_name, command in _commands(cli):
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{full_name} {param.opts[0]} has no help text"


def test_every_option_is_in_the_manual():
    for full_name, command in _commands(cli):
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and param.name != "help":
                names = [*param.opts, *param.secondary_opts]
                found = (
                    re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", MANUAL) for name in names
                )
                assert any(found), f"{full_name} {names[0]} is not in docs/"


def test_readme_stays_short():
    # The README is the first screen or two; the manual lives in docs/.
    assert len(README.splitlines()) <= 200


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output
