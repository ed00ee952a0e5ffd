"""The typed errors of bilingual: one root, each subclass carries the exit code the CLI returns."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes shared by every command (documented in README and docs/cli.md)."""

    OK = 0
    PROBLEMS = 1  # the command ran and found problems (checks, glossary check)
    USAGE = 2  # bad option or argument, a destination not writable, a lock not released
    BAD_INPUT = 3  # an input file that cannot be read or is not what it claims
    ENGINE_UNAVAILABLE = 4  # no model installed, model cannot be loaded or fetched
    INTERRUPTED = 130  # Ctrl-C


class BilingualError(Exception):
    """Root of every error the library raises on purpose; the message is one line for the user."""

    exit_code: int = ExitCode.PROBLEMS

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(BilingualError):
    """The user asked for something that cannot be done as asked (bad option, unwritable folder)."""

    exit_code = ExitCode.USAGE


class OutputError(UsageError):
    """An output path cannot be written."""


class LockTimeout(OutputError):
    """A file stayed locked by another process for longer than bilingual waits (exit 2)."""


class InputError(BilingualError):
    """An input file is missing, empty, binary, undecodable or fails validation."""

    exit_code = ExitCode.BAD_INPUT


class GlossaryError(InputError):
    """A glossary file cannot be used (the message names the file and line)."""


class EngineUnavailable(BilingualError):
    """No usable translation engine or model (not installed, corrupt, wrong language pair)."""

    exit_code = ExitCode.ENGINE_UNAVAILABLE


class ProblemsFound(BilingualError):
    """The command ran to the end and found problems (for example check findings)."""

    exit_code = ExitCode.PROBLEMS


class NotReviewed(ProblemsFound):
    """A reader's edition asked for with --require-reviewed while the English is not all
    reviewed, or has check errors: nothing for readers is written."""


class Interrupted(BilingualError):
    """The run was interrupted; finished work was kept."""

    exit_code = ExitCode.INTERRUPTED
