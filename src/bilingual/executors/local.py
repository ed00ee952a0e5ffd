"""The `local` executor: every batch through the engine in this process, one after the other."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..engines import Engine
from ..translate.run import Executor, in_turn


@contextlib.contextmanager
def open_local(
    engine: Engine, *, address: str | None = None, log_folder: Path | None = None
) -> Iterator[Executor]:
    yield in_turn
