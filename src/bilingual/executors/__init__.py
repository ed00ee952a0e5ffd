"""Executors: where a batch's engine work runs. `local` decodes in this process; `ray` sends the
batches to Ray actors (`pip install 'bilingual[ray]'`). Everything else stays with the caller.

An executor is a context manager yielding an `Executor`: given the engine and a list of batches
of texts, it yields each batch's translations in order. Executors know only the engine protocol,
never the run loop that calls them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..engines import Engine, Executor
from ..errors import UsageError
from ..registry import load

__all__ = ["EXECUTORS", "Executor", "check_executor", "executor_files", "open_executor"]

# name -> "module:function"; Ray is imported only when a run asks for it.
EXECUTORS: dict[str, str] = {
    "local": "bilingual.executors.local:open_local",
    "ray": "bilingual.executors.ray:open_ray",
}


def check_executor(name: str, address: str | None) -> None:
    """Refuse, before any work is done, an unknown executor or a `--ray-address` that cannot be
    used: one without `--executor ray`, or one that is no Ray address at all."""
    if name not in EXECUTORS:
        raise UsageError(f"unknown executor {name!r} (choose from {', '.join(EXECUTORS)})")
    if address is None:
        return
    if name != "ray":
        raise UsageError("--ray-address needs --executor ray")
    from .ray import join_timeout, parse_address  # Ray is imported only when the run starts

    parse_address(address)
    join_timeout()  # a bad $BILINGUAL_RAY_JOIN_TIMEOUT, too, before any work


def executor_files(name: str, output_dir: Path) -> dict[Path, str]:
    """The files executor `name` writes in the output folder (path -> what it is), which no
    input's output may replace."""
    if name != "ray":
        return {}
    from .ray import LOG_NAME  # Ray itself is imported only when the run starts

    return {output_dir.resolve() / LOG_NAME: "the Ray log"}


@contextlib.contextmanager
def open_executor(
    name: str, engine: Engine, *, address: str | None = None, log_folder: Path | None = None
) -> Iterator[Executor]:
    """The executor `name` for `engine`, stopped (its workers too) when the block ends.

    An executor that talks to other processes (Ray) keeps what they say in `log_folder`."""
    check_executor(name, address)
    opener = load(EXECUTORS[name])
    with opener(engine, address=address, log_folder=log_folder) as run:
        yield run
