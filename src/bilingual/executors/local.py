"""The `local` executor: every batch through the engine in this process, one after the other."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..engines import Engine, Executor, Translation


def in_turn(engine: Engine, batches: list[list[str]]) -> Iterator[list[Translation]]:
    """Each batch through `engine` when its turn comes (a lazy loop: the first batch's results
    are stored before the second is decoded, so an interrupted run keeps them)."""
    for texts in batches:
        yield engine.translate_batch(texts)


@contextlib.contextmanager
def open_local(
    engine: Engine, *, address: str | None = None, log_folder: Path | None = None
) -> Iterator[Executor]:
    yield in_turn
