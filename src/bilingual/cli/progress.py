"""A progress bar on stderr when it is a terminal; nothing otherwise."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any


@contextlib.contextmanager
def progress_bar(
    *, quiet: bool = False, **style: Any
) -> Iterator[Callable[[int, int | None], None] | None]:
    """Yield `update(done, total)`, or None when there is no terminal to draw on.

    `style` goes to tqdm (default: segments; a download passes unit="B" and scaling).
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar: tqdm | None = None

    style = {"unit": "seg", **style}

    def update(done: int, total: int | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, file=sys.stderr, leave=False, dynamic_ncols=True, **style)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()
