"""Translation engines: a small protocol, a lazy registry and the backends (none, auto, argos,
llm).

An engine only translates a batch of segment texts. Term protection, the translation memory and
progress are written once around it (the translate stage, `bilingual.translate`), so every engine
gets them. An engine that reads context (a language model behind a server, `llm`) may also take
a `Group`: consecutive segments of one document with their ids, the document's title and the
segments before them; the translate stage checks and repairs whatever it answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import UsageError
from ..registry import load

if TYPE_CHECKING:
    from ..document import Segment


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

    def worker_spec(self) -> WorkerSpec:
        """What a worker in another process needs to open this same engine (an executor that
        runs the engine elsewhere, `executors.ray`); UsageError saying why when it cannot."""
        ...


@dataclass
class WorkerSpec:
    """How a worker opens an engine: `factory` ("module:function") called with `folder`, a
    folder of the worker's own, `package`, the bytes the engine's model needs (a worker has no
    shared disk), and `arguments`. Small, and all of it can be pickled."""

    factory: str
    package: bytes
    arguments: dict[str, Any] = field(default_factory=dict)

    def open(self, folder: Path) -> Engine:
        engine: Engine = load(self.factory)(folder, self.package, **self.arguments)
        return engine


@dataclass
class Group:
    """Consecutive segments of one document, sent together to an engine that reads context.

    `context` is read-only: the Chinese of the segments just before the group, each with its
    English where that was settled before the run began (from the memory or a review; "" if
    not), so that what the engine is told never depends on timing. `problems` is set when a
    segment is asked again on its own: what was wrong with its English.
    """

    segments: list[Segment]
    title: str = ""
    context: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class GroupEngine(Engine, Protocol):
    """An engine that takes groups (`takes_groups` is True): each answer maps a segment id to
    its Translation; an id missing from it, or an empty text, is repaired by the translate
    stage. Groups may run concurrently; answers come back in the order of `groups`."""

    takes_groups: bool

    def translate_groups(self, groups: list[Group]) -> Iterator[dict[str, Translation]]: ...


# Runs an engine over several batches of texts, yielding each batch's translations in order: one
# after the other in this process (`executors.local`), or spread over Ray actors
# (`executors.ray`). An executor knows the engine protocol and nothing of the run loop.
Executor = Callable[[Engine, list[list[str]]], Iterator[list[Translation]]]


def takes_groups(engine: Engine) -> bool:
    """Whether `engine` takes groups of segments with their context (a `GroupEngine`)."""
    return bool(getattr(engine, "takes_groups", False))


# name -> "module:factory"; the factory takes the run's EngineOptions.
ENGINES: dict[str, str] = {
    "none": "bilingual.engines.none:NoEngine",
    "argos": "bilingual.engines.argos:open_engine",
    "auto": "bilingual.engines.auto:open_engine",
    "llm": "bilingual.engines.llm:open_engine",
}


@dataclass
class LLMOptions:
    """How to reach a language model behind OpenAI-compatible servers, and how it decodes.

    The API key is not here: it comes from `BILINGUAL_LLM_API_KEY` when the engine opens, so
    that it is never stored, written or printed with the options.
    """

    urls: list[str] = field(default_factory=list)  # base URLs (`.../v1`), several share work
    model: str | None = None  # None: the servers' only model
    concurrency: int = 4  # groups in flight per server
    temperature: float = 0.0
    seed: int | None = None
    prompt: str | None = None  # path to a Jinja2 template replacing the default instructions
    timeout: float = 120.0  # seconds to wait for the reply to a group of 1,000 characters
    # Seconds before the first retry (doubled after each); tests make it short.
    backoff: float = 1.0


@dataclass
class EngineOptions:
    """Decoding and model options; defaults suit a two-core laptop."""

    model: str | None = None  # path to a .argosmodel file to install and use
    beam: int = 4
    threads: int = 2
    max_batch_tokens: int = 1024
    llm: LLMOptions = field(default_factory=LLMOptions)


def open_engine(name: str, options: EngineOptions | None = None) -> Engine:
    """The engine registered as `name`, ready to translate."""
    options = options or EngineOptions()
    try:
        target = ENGINES[name]
    except KeyError:
        raise UsageError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})") from None
    return load(target)(options)
