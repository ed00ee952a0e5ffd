"""The command line: a click group whose commands load on first use.

The one place where errors are printed.
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import BilingualError, ExitCode
from ..locks import set_wait_notifier
from ..registry import load
from ..version import __version__

# command name -> "module:attribute"; a command's module is imported only when it runs or when
# help lists it, and those modules import nothing heavy at top level.
COMMANDS: dict[str, str] = {
    "translate": "bilingual.cli.translate:translate",
    "segment": "bilingual.cli.segment:segment",
    "export": "bilingual.cli.export:export",
    "check": "bilingual.cli.review:check",
    "import": "bilingual.cli.review:import_edits",
    "review": "bilingual.cli.review:review",
    "glossary": "bilingual.cli.glossary:glossary",
    "models": "bilingual.cli.models:models",
}


class CommandError(click.ClickException):
    """A library error on its way out: one line on stderr and the error's own exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self._exit_code = exit_code

    # click declares exit_code a class variable (one code per exception class); ours carries the
    # code of the library error it wraps, so it is read per instance.
    @property
    def exit_code(self) -> int:
        return self._exit_code

    @exit_code.setter
    def exit_code(self, value: int) -> None:
        self._exit_code = value

    def show(self, file=None) -> None:
        click.echo(f"bilingual: error: {self.message}", err=True)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        return load(target)

    def invoke(self, ctx: click.Context):
        debug = bool(os.environ.get("BILINGUAL_DEBUG"))
        # The library never prints: a wait for another process's lock is said here, once.
        set_wait_notifier(lambda message: click.echo(f"bilingual: {message}", err=True))
        try:
            return super().invoke(ctx)
        except BilingualError as e:
            if debug:
                raise
            raise CommandError(str(e), int(e.exit_code)) from None
        except KeyboardInterrupt:
            raise CommandError("interrupted", ExitCode.INTERRUPTED) from None
        except BrokenPipeError:  # `bilingual segment FILE | head`: the reader left, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.exceptions.Exit(0) from None
        except click.exceptions.UsageError as e:
            # One line like every other error, with where to look for the choices.
            where = f" (see `{_command_path(e.ctx)} --help`)" if e.ctx is not None else ""
            raise CommandError(f"{e.format_message().rstrip('.')}{where}", ExitCode.USAGE) from None
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # the catch-all: a short line, the traceback only on request
            if debug:
                raise
            raise CommandError(
                f"unexpected {type(e).__name__}: {e} "
                "(run with BILINGUAL_DEBUG=1 for the traceback)",
                ExitCode.PROBLEMS,
            ) from None


def _command_path(ctx: click.Context) -> str:
    """`bilingual glossary add`, whatever name the program was started by."""
    names: list[str] = []
    while ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["bilingual", *names])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="bilingual")
def cli() -> None:
    """Turn Chinese news and government texts into English-Chinese bilingual documents, offline.

    Exit codes: 0 success; 1 problems found (checks); 2 usage error; 3 bad input file;
    4 engine or model unavailable; 130 interrupted.
    """


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `bilingual` console script."""
    try:
        cli.main(args=argv, prog_name="bilingual")
    except KeyboardInterrupt:  # outside a command (click handles the rest)
        click.echo("bilingual: error: interrupted", err=True)
        sys.exit(ExitCode.INTERRUPTED)
