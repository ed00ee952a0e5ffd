"""The `none` engine: leaves every target empty, for a human translator's worksheet."""

from __future__ import annotations

from typing import Any

from . import EngineOptions, Translation


class NoEngine:
    name = "none"

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        return [Translation("") for _ in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict[str, Any]:
        return {"engine": "none", "model": None, "options": {}}
