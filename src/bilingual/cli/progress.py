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


@contextlib.contextmanager
def batch_progress(*, quiet: bool = False) -> Iterator[Callable[[Any], None] | None]:
    """Yield `update(BatchProgress)`: documents done / total, segments per second and the ETA,
    redrawn in place on a terminal, else a line every few seconds; nothing when quiet."""
    import time

    if quiet:
        yield None
        return
    terminal = sys.stderr.isatty()
    last = 0.0
    drawn = False

    def update(state: Any) -> None:
        nonlocal last, drawn
        now = time.monotonic()
        done = state.documents_done == state.documents
        if not terminal and not done and now - last < 5.0:
            return
        last = now
        line = f"{state.documents_done}/{state.documents} documents"
        pace, eta = state.segments_per_second, state.eta
        if pace is not None and eta is not None:  # not before a document is translated
            line += f", {pace:.1f} segments/s, ETA {_duration(eta)}"
        if terminal:
            sys.stderr.write(f"\r\x1b[K{line}")
            drawn = True
        else:
            sys.stderr.write(f"{line}\n")
        sys.stderr.flush()

    try:
        yield update
    finally:
        if drawn:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
