"""The `llm` engine: a language model behind one or more OpenAI-compatible servers (Ollama,
llama.cpp's llama-server, vLLM, LM Studio, SGLang).

It takes groups of consecutive segments (`engines.Group`) and answers each with one JSON object
id -> English. It is a client, not a framework: it holds its servers, sends the groups
concurrently (up to `concurrency` per server) and yields their answers in order, retries and
halves what fails, and moves a dead server's groups to the others. Whether an answer is right is
not its business: the translate stage checks every segment and repairs what fails.

The API key comes from `BILINGUAL_LLM_API_KEY` and lives only in the HTTP clients' headers.
"""

from __future__ import annotations

import collections
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from ...document import Segment
from ...errors import EngineUnavailable, UsageError
from ...script import count_han
from .. import EngineOptions, Group, Translation, WorkerSpec
from .prompt import Prompt
from .reply import answers
from .server import NONE, GroupFailed, Server, ServerDown, ShapeRefused, schema_for

API_KEY_VARIABLE = "BILINGUAL_LLM_API_KEY"
WINDOW = 8  # groups submitted ahead, per worker
# Requests in a row a server fails with 5xx or 429 through every retry before it is stopped.
FAULTS = 3


class LLMEngine:
    """Groups through OpenAI-compatible servers; `translate_batch` sends plain texts as groups."""

    name = "llm"
    fills_targets = True
    takes_groups = True
    max_input_tokens: int | None = None  # a model's context is far longer than a segment

    def __init__(self, options: EngineOptions) -> None:
        llm = options.llm
        if not llm.urls:
            raise UsageError(
                "--engine llm needs --llm-url URL (the server's OpenAI-compatible base URL, "
                "such as http://127.0.0.1:11434/v1)"
            )
        self.options = options
        self.llm = llm
        self.prompt = Prompt(llm.prompt)
        key = os.environ.get(API_KEY_VARIABLE) or None
        self.servers = [
            Server(url, api_key=key, backoff=llm.backoff) for url in dict.fromkeys(llm.urls)
        ]
        self.digest: str | None = None
        self.model = llm.model or self._only_model()
        self.state = threading.Condition()
        self.aborted = False

    # -- what the translate stage asks ---------------------------------------------------------

    def worker_spec(self) -> WorkerSpec:
        raise UsageError(
            f"--executor ray does not run the {self.name} engine: its model runs on servers; "
            "to scale, give several --llm-url, or one URL in front of a vLLM deployment (vLLM's "
            "own data parallelism, which can run on Ray)"
        )

    @property
    def warnings(self) -> list[str]:
        """One line: the server(s), the model and how each constrains its output (once known)."""
        servers = []
        for server in self.servers:
            how = f"output constrained by {_form(server.form)}" if server.form else "not used"
            if not server.alive:
                how = f"stopped: {server.reason}"
            servers.append(f"{server.url} ({how})")
        return [f"llm: model {self.model} on {', '.join(servers)}"]

    def describe(self) -> dict[str, Any]:
        """The model (and its digest where the server reports one) and what changes its English:
        temperature, seed and the prompt template's digest. Never the key nor the URLs."""
        model = f"{self.model}@{self.digest}" if self.digest else self.model
        return {
            "engine": "llm",
            "model": model,
            "options": {
                "temperature": self.llm.temperature,
                "seed": self.llm.seed,
                "prompt": self.prompt.digest,
            },
        }

    def count_tokens(self, text: str) -> int:
        """An estimate that holds for the usual tokenizers: a token per Han character, one per
        four other characters."""
        han = count_han(text)
        return han + (len(text) - han + 3) // 4

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        """Plain texts (the placeholder path's sentences, the fallback's pieces) as groups."""
        segments = [Segment(id=f"t{n}", source=text) for n, text in enumerate(texts, 1)]
        groups: list[Group] = []
        tokens = 0
        for segment in segments:
            size = self.count_tokens(segment.source)
            if not groups or tokens + size > self.options.max_batch_tokens:
                groups.append(Group([]))
                tokens = 0
            groups[-1].segments.append(segment)
            tokens += size
        found: dict[str, Translation] = {}
        for answer in self.translate_groups(groups):
            found.update(answer)
        return [found.get(s.id) or Translation("") for s in segments]

    def translate_groups(self, groups: list[Group]) -> Iterator[dict[str, Translation]]:
        """Each group's answer, in order; up to `concurrency` groups per server in flight."""
        if not groups:
            return
        workers = max(1, self.llm.concurrency * len(self.servers))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bilingual-llm")
        pending: collections.deque[Future[dict[str, Translation]]] = collections.deque()
        waiting = iter(groups)
        finished = False
        try:
            # A window of groups ahead of the one applied next: wide, so that a slow group at
            # its head never leaves the workers idle, and bounded, so that a long document is
            # not queued whole (Ctrl-C or a failure cancels what has not started).
            for group in waiting:
                pending.append(pool.submit(self._answer, group))
                if len(pending) >= WINDOW * workers:
                    break
            while pending:
                answer = pending.popleft().result()
                for group in waiting:
                    pending.append(pool.submit(self._answer, group))
                    break
                yield answer
            finished = True
        finally:
            if not finished:  # Ctrl-C or no server left: stop what is in flight
                with self.state:
                    self.aborted = True
                for future in pending:
                    future.cancel()
                for server in self.servers:  # requests in flight end now, not at their timeout
                    server.close(for_good=True)
            pool.shutdown(wait=finished, cancel_futures=True)
            if finished:
                for server in self.servers:  # no connection outlives the call
                    server.close()

    # -- one group ---------------------------------------------------------------------------

    def _answer(self, group: Group) -> dict[str, Translation]:
        """The group's English by id; a group that fails is halved and tried again, and a
        segment that fails alone gets an empty Translation with a note (the translate stage
        repairs it)."""
        try:
            return self._ask(group)
        except GroupFailed as e:
            if len(group.segments) == 1:
                return {
                    group.segments[0].id: Translation(
                        "", [f"the language model gave no usable English: {e}"]
                    )
                }
            half = len(group.segments) // 2
            first, second = group.segments[:half], group.segments[half:]
            before = [(s.source, "") for s in first[-2:]]
            return {
                **self._answer(Group(first, group.title, group.context, group.problems)),
                **self._answer(Group(second, group.title, before, group.problems)),
            }

    def _ask(self, group: Group) -> dict[str, Translation]:
        ids = [s.id for s in group.segments]
        sources = [s.source for s in group.segments]
        message = self.prompt.message(group)
        schema = schema_for(ids, sources)
        size = sum(len(s) for s in sources)
        read_seconds = self.llm.timeout * max(0.25, size / 1000)
        options = {
            "temperature": self.llm.temperature,
            "seed": self.llm.seed,
            # English runs to about three characters per Chinese one, a token to four of them;
            # the bound only stops a runaway reply.
            "max_tokens": 64 + 2 * size + 32 * len(ids),
        }
        while True:
            server = self._acquire()
            try:
                self._probed(server, options)
                text = server.chat(
                    self.model, message, schema, options=options, read_seconds=read_seconds
                )
            except ServerDown as e:
                self._stop(server, str(e))
                continue
            except ShapeRefused as e:
                raise GroupFailed(str(e)) from None
            except GroupFailed as e:
                if e.server_fault and self._faulty(server, str(e)):
                    continue  # the group goes to another server
                raise
            finally:
                self._release(server)
            server.faults = 0
            found = answers(text, ids)
            if found is None:
                raise GroupFailed("the reply holds no JSON object with the segments' ids")
            missing = Translation("", ["missing from the model's reply"])
            return {i: Translation(found[i]) if i in found else missing for i in ids}

    def _probed(self, server: Server, options: dict[str, Any]) -> None:
        with server.probing:
            if server.form is None:
                server.probe(self.model, options, read_seconds=max(30.0, self.llm.timeout / 2))

    # -- the servers -----------------------------------------------------------------------------

    def _acquire(self) -> Server:
        """The live server with the fewest requests in flight, once one has a free slot."""
        with self.state:
            while True:
                if self.aborted:
                    raise EngineUnavailable("the run was stopped")
                live = [s for s in self.servers if s.alive]
                if not live:
                    raise EngineUnavailable(
                        "no language model server answers: "
                        + ", ".join(f"{s.url} ({s.reason})" for s in self.servers)
                    )
                free = [s for s in live if s.busy < self.llm.concurrency]
                if free:
                    server = min(free, key=lambda s: s.busy)
                    server.busy += 1
                    return server
                self.state.wait()

    def _release(self, server: Server) -> None:
        with self.state:
            server.busy -= 1
            self.state.notify_all()

    def _faulty(self, server: Server, reason: str) -> bool:
        """Count a request the server failed through every retry; after FAULTS in a row it is
        stopped, as a server that refuses connections is (True: stopped)."""
        with self.state:
            server.faults += 1
            if server.faults < FAULTS:
                return False
        self._stop(server, f"answers {reason} to every request")
        return True

    def _stop(self, server: Server, reason: str) -> None:
        with self.state:
            server.alive, server.reason = False, reason
            self.state.notify_all()

    def _only_model(self) -> str:
        """The servers' only model (`GET /models`); several are a usage error that lists them."""
        reasons = []
        for server in self.servers:
            try:
                listed = server.models()
            except (ServerDown, GroupFailed, ShapeRefused) as e:
                reasons.append(f"{server.url} ({e})")
                continue
            finally:
                server.close()
            names = [str(m["id"]) for m in listed]
            if not names:
                raise EngineUnavailable(f"{server.url} serves no model")
            if len(names) > 1:
                raise UsageError(
                    f"{server.url} serves several models: choose one with --llm-model "
                    f"({', '.join(names)})"
                )
            digest = listed[0].get("digest")
            self.digest = str(digest) if digest else None
            return names[0]
        raise EngineUnavailable(f"no language model server answers: {', '.join(reasons)}")


def _form(form: str) -> str:
    from .server import DESCRIBED

    return DESCRIBED.get(form, form) if form != NONE else DESCRIBED[NONE]


def open_engine(options: EngineOptions) -> LLMEngine:
    return LLMEngine(options)
