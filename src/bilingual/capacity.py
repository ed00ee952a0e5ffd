"""What this machine can hold: a document too large for its free memory is refused early, with
its size and what to do, never a MemoryError halfway through a run."""

from __future__ import annotations

import functools
import resource
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError

# What a run still needs per segment once the document is segmented, measured with
# benchmarks/memory.py: a million short lines peak at about 0.74 GB, some 130 MB beyond the
# segmented document (the checks' findings, the outputs' small buffers: every output is written
# into its file as it is rendered, and the JSON form read a block at a time); twice that, for
# what Python keeps of the memory the reader and the segmenter freed. A document is refused
# when this is not free.
BYTES_PER_SEGMENT = 256
_SPLIT = "split it into smaller files and translate each"
_RESERVE = 16 * 2**20  # bytes held back while a stage runs, freed to refuse it


def check_fits(segments: int, origin: str | Path) -> None:
    """Refuse (exit 3) a document of `segments` segments that this machine cannot hold."""
    free = free_memory()
    need = segments * BYTES_PER_SEGMENT
    if free is not None and need > free:
        raise InputError(
            f"{origin}: {segments:,} segments need about {need / 2**30:.1f} GB of memory, "
            f"more than is free here ({free / 2**30:.1f} GB); {_SPLIT}"
        )


@contextmanager
def memory_bound(origin: str | Path) -> Iterator[None]:
    """Turn running out of memory into the same one-line refusal (exit 3)."""
    # made beforehand: once memory has run out, even this line may not be made
    refusal = f"{origin}{_size(origin)}: too large for the memory free here; {_SPLIT}"
    # Memory set aside to refuse with: the frames outside this one may still hold the document,
    # and unwinding them (the run loop's handlers, the progress line, the summary) allocates.
    reserve: bytearray | None = bytearray(_RESERVE)
    try:
        yield
    except MemoryError as e:
        reserve = None
        # the frames the error passed through still hold the document: let go of it too
        traceback.clear_frames(e.__traceback__)
        raise InputError(refusal) from None
    finally:
        del reserve


def _size(origin: str | Path) -> str:
    """` (16.0 MB)`: the size of the input file, for the line that refuses it."""
    try:
        size = Path(origin).stat().st_size
    except (OSError, ValueError):  # standard input, a name that is not a file
        return ""
    return f" ({size / 2**20:.1f} MB)"


_F = TypeVar("_F", bound=Callable[..., Any])


def memory_bounded(function: _F) -> _F:
    """`memory_bound` around a whole stage whose first argument is the file it works on."""

    @functools.wraps(function)
    def bounded(origin: Any, *args: Any, **kwargs: Any) -> Any:
        with memory_bound(origin):
            return function(origin, *args, **kwargs)

    return bounded  # type: ignore[return-value]


def free_memory() -> int | None:
    """Bytes this process may still use: the system's available memory, or what is left of
    the process's address-space limit when one is set; None when neither is known."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except OSError:
        pass
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                used = next(
                    int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")
                )
            limits.append(max(soft - used, 0))
        except (OSError, StopIteration):
            pass
    return min(limits) if limits else None
