"""Executors: where a batch's engine work runs. `local` decodes in this process; `ray` sends the
batches to Ray actors (`pip install 'bilingual[ray]'`). Everything else stays with the caller.

An executor is a context manager yielding a `translate.run.Executor`: given the engine and a list
of batches of texts, it yields each batch's translations in order.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

from ..engines import Engine
from ..errors import UsageError
from ..translate.run import Executor

# name -> "module:function"; Ray is imported only when a run asks for it.
EXECUTORS: dict[str, str] = {
    "local": "bilingual.executors.local:open_local",
    "ray": "bilingual.executors.ray:open_ray",
}


@contextlib.contextmanager
def open_executor(name: str, engine: Engine, *, address: str | None = None) -> Iterator[Executor]:
    """The executor `name` for `engine`, stopped (its workers too) when the block ends."""
    try:
        target = EXECUTORS[name]
    except KeyError:
        raise UsageError(
            f"unknown executor {name!r} (choose from {', '.join(EXECUTORS)})"
        ) from None
    module, function = target.split(":")
    with getattr(importlib.import_module(module), function)(engine, address=address) as run:
        yield run
