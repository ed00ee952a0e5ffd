"""The `none` engine: leaves every target empty, for a human translator's worksheet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import UsageError
from . import EngineOptions, Translation, WorkerSpec


class NoEngine:
    name = "none"
    fills_targets = False
    max_input_tokens: int | None = None  # it sends the model nothing

    def __init__(
        self, options: EngineOptions | None = None, *, warnings: Sequence[str] = ()
    ) -> None:
        self.options = options or EngineOptions()
        self.warnings = list(warnings)

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        return [Translation("") for _ in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict[str, Any]:
        return {"engine": "none", "model": None, "options": {}}

    def worker_spec(self) -> WorkerSpec:
        raise UsageError("the none engine sends nothing to a worker")
