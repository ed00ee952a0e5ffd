"""The `local` executor: every batch through the engine in this process, one after the other."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ..engines import Engine
from ..errors import UsageError
from ..translate.run import Executor, in_turn


@contextlib.contextmanager
def open_local(engine: Engine, *, address: str | None = None) -> Iterator[Executor]:
    if address is not None:
        raise UsageError("--ray-address needs --executor ray")
    yield in_turn
