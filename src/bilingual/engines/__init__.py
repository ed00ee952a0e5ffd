"""Translation engines: a small protocol, a lazy registry and the backends (none, auto, argos).

An engine only translates a batch of segment texts. Term protection, the translation memory and
progress are written once around it (the translate stage, `bilingual.translate`), so every engine
gets them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import UsageError


@dataclass
class Translation:
    """What an engine returns for one text: the target and remarks such as unseen characters."""

    text: str
    notes: list[str] = field(default_factory=list)


class Engine(Protocol):
    """What the translate stage needs of a backend: three methods and five attributes."""

    name: str
    # The options it was opened with; the translate stage budgets batches by max_batch_tokens.
    options: EngineOptions
    # False for an engine that writes no English (the worksheet engine "none"): the translate
    # stage then leaves every target empty instead of sending it texts.
    fills_targets: bool
    # Lines for the user about this engine (say, why a worksheet is written instead of drafts);
    # the pipeline adds them to the run's warnings.
    warnings: list[str]

    @property
    def max_input_tokens(self) -> int | None:
        """The most tokens (by count_tokens) the model reads of one text, None for no limit: the
        translate stage cuts a longer segment into pieces (translate/split.py)."""
        ...

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        """Translate `texts` in order; the result has one Translation per text."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many tokens the model sees for `text` (used to budget batches)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Model name, version and decoding options (for the signature and the memory key)."""
        ...


# name -> "module:factory"; the factory takes the run's EngineOptions.
ENGINES: dict[str, str] = {
    "none": "bilingual.engines.none:NoEngine",
    "argos": "bilingual.engines.argos:open_engine",
    "auto": "bilingual.engines.auto:open_engine",
}


@dataclass
class EngineOptions:
    """Decoding and model options; defaults suit a two-core laptop."""

    model: str | None = None  # path to a .argosmodel file to install and use
    beam: int = 4
    threads: int = 2
    max_batch_tokens: int = 1024


def open_engine(name: str, options: EngineOptions | None = None) -> Engine:
    """The engine registered as `name`, ready to translate."""
    options = options or EngineOptions()
    try:
        target = ENGINES[name]
    except KeyError:
        raise UsageError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})") from None
    module, factory = target.split(":")
    return getattr(importlib.import_module(module), factory)(options)
