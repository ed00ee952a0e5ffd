"""The run loop: one engine over a whole annotated document, with the memory, batching, progress.

Written once around the Engine protocol so that every engine gets the same guarantees: human
edits win; the memory is asked before the engine; every glossary term comes out with its chosen
rendering (protected through the model, else placed by the fallback); and each finished batch is
stored in the memory at once, so an interrupted run keeps its work.

An engine that takes groups (a language model, `engines.llm`) gets consecutive segments of one
document with their context, and its every answer is checked (`guarantee`); a segment that fails
is repaired, each step only for the segments still failing: asked again on its own with what was
wrong named, then the placeholder path, then the fallback.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..check import number_context
from ..document import Document, Segment, Term, Via, edit_for
from ..engines import Engine, Executor, Group, GroupEngine, Translation, takes_groups
from ..executors.local import in_turn
from ..glossary import Glossary, TermFinding, renderings_for, term_findings
from ..memory import Draft, HumanEdit, Memory, default_memory_path
from .guarantee import Problem, note, problems, terms_can_fix
from .split import fits, in_pieces, pieces_note, split_segment
from .terms import Part, Protection, fallback_parts, join, protect, restore

Progress = Callable[[int, int], None]  # (segments done, segments to translate)
T = TypeVar("T")
W = TypeVar("W", "_Work", "_Piece")

# Engine options that do not change what the model writes: left out of the memory key, so that
# a run with more threads or another batch budget still finds the drafts.
NOT_DECODING = frozenset(
    {"threads", "inter_threads", "intra_threads", "max_batch_tokens", "device"}
)

# What a text costs a batch at least, whatever its own length: the decoder's work and memory go
# with the target, and even a short fallback piece (及, 將審議) decodes into several tokens. Without
# it, a batch of short pieces holds so many sequences that decoding them peaks far above a batch
# of sentences (807 MB against 424 MB measured with the benchmark's stand-in).
MIN_TEXT_TOKENS = 32

# How many sentences with terms probe whether a model copies placeholders; if not one comes
# through, the remaining sentences with terms go straight to the fallback.
PROBE = 8

# A group for an engine that takes groups: consecutive segments of one document, within the
# token budget, and at most this many (each is a property of the reply's JSON object).
GROUP_SEGMENTS = 24
# Segments before a group given as read-only context.
CONTEXT_SEGMENTS = 2


def token_batches(items: Sequence[T], count: Callable[[T], int], max_tokens: int) -> list[list[T]]:
    """Token-budgeted batches, sorted by length so that padding stays small.

    A padded batch costs (its longest member) x (its size) tokens; a member longer than the
    budget goes alone.
    """
    sized = sorted(((count(item), n) for n, item in enumerate(items)), key=lambda pair: pair[0])
    result: list[list[T]] = []
    current: list[T] = []
    longest = 0
    for tokens, n in sized:
        if current and max(longest, tokens) * (len(current) + 1) > max_tokens:
            result.append(current)
            current, longest = [], 0
        current.append(items[n])
        longest = max(longest, tokens)
    if current:
        result.append(current)
    return result


def memory_keys(engine: Engine) -> tuple[str, str]:
    """The (model, options) parts of a machine draft's memory key, from `engine.describe()`."""
    description = engine.describe()
    model = f"{description.get('engine') or engine.name}:{description.get('model')}"
    options = {k: v for k, v in (description.get("options") or {}).items() if k not in NOT_DECODING}
    return model, json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class _Whole:
    """A segment too long for the model, translated as pieces (each a Segment of its own)."""

    segment: Segment
    pieces: list[tuple[int, Segment]]  # (offset in the source, piece)
    waiting: int = 0  # pieces not yet translated

    def join(self) -> None:
        """The pieces' English, one after the other, as the segment's draft."""
        target = " ".join(p.target.strip() for _, p in self.pieces if p.target.strip())
        notes = [pieces_note(len(self.pieces))]
        placed: dict[int, str | None] = {}
        for offset, piece in self.pieces:
            notes.extend(n for n in piece.notes if n not in notes)
            placed.update((offset + term.start, term.placed) for term in piece.terms)
        self.segment.apply_draft(
            target, notes, [placed.get(term.start) for term in self.segment.terms]
        )


@dataclass
class _Work:
    """One segment (or one piece of a segment too long for the model) on its way through the
    engine."""

    segment: Segment
    protection: Protection | None = None  # None: no terms, the source goes as it is
    parts: list[Part] | None = None  # set when the segment takes the fallback
    pieces: list[str] = field(default_factory=list)  # fallback translations, in part order
    notes: list[str] = field(default_factory=list)
    waiting: int = 0  # fallback pieces not yet translated
    whole: _Whole | None = None  # set for a piece of a segment too long for the model
    via: Via = "model"  # what a segment without terms records when the engine translates it

    @property
    def text(self) -> str:
        return self.protection.text if self.protection else self.segment.source


@dataclass
class _Repair:
    """A segment whose English from a group failed the guarantee, on its way through repairs."""

    segment: Segment
    problems: list[Problem]
    draft: Translation | None  # the last non-empty English, kept if no repair mends it
    via: Via = "model"


@dataclass
class _Place:
    """Where a pending segment sits: its document and its position among the document's
    translatable segments."""

    document: Document
    index: int


@dataclass
class _Piece:
    """One text part of a fallback, translated in a batch with the pieces of other segments."""

    work: _Work
    index: int
    text: str


class Run:
    """One engine over the segments of one document or of many (a batch): one probe per run.

    `pending(document)` applies what is known (human edits, stored drafts) and returns what the
    engine must do; `translate(segments)` translates segments of any documents together.
    `finished` hears of every segment done, as soon as its batch is done.
    """

    def __init__(
        self,
        engine: Engine,
        memory: Memory | None,
        progress: Progress | None,
        check: Callable[[Segment], list[TermFinding]],
        entry_of: Callable[[Term], Hashable],
        *,
        executor: Executor = in_turn,
        finished: Callable[[list[Segment]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.executor = executor
        self.finished = finished
        # Whether the model copies placeholders: None until the first probe says.
        self.copies_placeholders: bool | None = None
        self.memory = memory
        self.progress = progress
        self.check = check
        self.entry_of = entry_of
        self.model, self.options = memory_keys(engine)
        self.max_tokens = engine.options.max_batch_tokens
        self.total = 0
        self.done = 0
        # For an engine that takes groups: where each pending segment sits (by id()), which
        # segments' English was settled before the engine ran, the number check's context.
        self.places: dict[int, _Place] = {}
        self.settled: set[int] = set()
        self.number_contexts: dict[int, Any] = {}
        self.kept: set[int] = set()  # drafts kept although they fail the guarantee

    # -- before the engine --------------------------------------------------------------------

    def pending(self, document: Document) -> list[Segment]:
        """Apply human edits and stored drafts; return the segments the engine must translate."""
        sources = {s.source for s in document.segments}
        from ..review import segmenter_version

        name = str(document.meta.get("input") or "")
        segmenter = segmenter_version(document)  # what numbered the ids an edit is found by
        todo: list[Segment] = []
        grouped = takes_groups(self.engine)
        for index, segment in enumerate(document.translatable_segments):
            if segment.status == "human":
                segment.flag_outdated_review()
                self.settled.add(id(segment))
                continue
            if not segment.source.strip():
                continue
            if self.memory is not None:
                at_id = partial(self.memory.lookup_human_at, name, segmenter=segmenter)
                edit = edit_for(
                    segment,
                    sources,
                    self.memory.lookup_human,
                    at_id if name else None,
                    lambda edit: edit.source,
                )
                if edit is not None:
                    self._apply_human(segment, edit)
                    self.settled.add(id(segment))
                    continue
                if self._apply_stored(segment):
                    self.settled.add(id(segment))
                    continue
            todo.append(segment)
            if grouped:
                self.places[id(segment)] = _Place(document, index)
        return todo

    def _apply_human(self, segment: Segment, edit: HumanEdit) -> None:
        review = {"source": edit.source, "renderings": list(edit.renderings), "at": edit.at}
        segment.apply_human(edit.target, review)
        segment.flag_outdated_review()

    def _apply_stored(self, segment: Segment) -> bool:
        assert self.memory is not None
        draft = self.memory.lookup_machine(
            segment.source,
            model=self.model,
            renderings=renderings_for(segment),
            options=self.options,
        )
        if draft is None or not draft.target or len(draft.placed) != len(segment.terms):
            return False
        if self._cut_off(segment, draft):
            return False
        segment.apply_draft(draft.target, draft.notes, draft.placed, via=draft.via)
        # The glossary's check decides again on a model's sentence: one stored before the
        # check's rules changed (how a parenthetical counts, say) is translated anew. A fallback
        # draft is not: its renderings were put in place, and its notes say what the check said.
        if any(p in ("protected", "model") for p in draft.placed) and self.check(segment):
            segment.clear_target()
            return False
        return True

    def _cut_off(self, segment: Segment, draft: Draft) -> bool:
        """Whether a stored draft of a segment too long for the model was made whole, before
        long segments were translated in pieces: the model saw only its start, so it is
        translated anew."""
        limit = self.engine.max_input_tokens
        if not limit or in_pieces(draft.notes):
            return False
        return not fits(segment, limit, self.engine.count_tokens)

    # -- the engine ---------------------------------------------------------------------------

    def translate(self, segments: list[Segment]) -> None:
        self.total += len(segments)
        if takes_groups(self.engine):
            self._translate_groups(segments)
            return
        self._through_engine([item for segment in segments for item in self._work(segment)])

    def _through_engine(self, work: list[_Work]) -> None:
        """Translate `work` text by text: whole (terms through placeholders) when the model
        copies them, else (or when a segment's terms did not come through) by the fallback."""
        self._fallback(self._whole_where_copied(work))

    def _whole_where_copied(self, work: list[_Work]) -> list[_Work]:
        """Translate whole what can go whole; return the work for the fallback.

        The shortest sentences with terms go first, with the plain ones: a probe of whether
        this model copies placeholders at all. If not one comes through (a stand-in with
        random weights, a model that rewrites Latin text), translating the other sentences
        with terms whole would be wasted, so they go straight to the fallback. A run probes
        once: later documents of a batch go by what the first probe found.
        """
        count = self.engine.count_tokens
        with_terms = sorted((w for w in work if w.protection), key=lambda w: count(w.text))
        plain = [w for w in work if w.protection is None]
        fallbacks: list[_Work] = []
        if self.copies_placeholders is None:
            probe, rest = with_terms[:PROBE], with_terms[PROBE:]
            copied = self._whole(plain + probe, fallbacks)
            if probe:
                self.copies_placeholders = copied > 0
        elif self.copies_placeholders:
            probe, rest = [], plain + with_terms
        else:
            probe, rest = [], plain
            fallbacks.extend(with_terms)
        if self.copies_placeholders is not False or not probe:
            self._whole(rest, fallbacks)
        else:
            fallbacks.extend(rest)
        return fallbacks

    def _fallback(self, fallbacks: list[_Work]) -> None:
        """Each segment's text between its terms translated as pieces (batched with the pieces
        of the others), then joined around the terms' renderings (`terms.join`)."""
        pieces: list[_Piece] = []
        for item in fallbacks:
            item.parts = fallback_parts(item.segment)
            texts = [part.value for part in item.parts if part.kind == "text"]
            item.pieces = [""] * len(texts)
            item.waiting = len(texts)
            pieces.extend(_Piece(item, n, text) for n, text in enumerate(texts))
            if not texts:  # nothing but terms and punctuation
                self._join(item)
        if any(not item.waiting for item in fallbacks):
            self._finish([item for item in fallbacks if not item.waiting])
        batches = self._batches(pieces)
        for batch, results in zip(batches, self._translate(batches), strict=True):
            finished = []
            for piece, translation in zip(batch, results, strict=True):
                item = piece.work
                item.pieces[piece.index] = translation.text
                item.notes.extend(n for n in translation.notes if n not in item.notes)
                item.waiting -= 1
                if not item.waiting:
                    self._join(item)
                    finished.append(item)
            self._finish(finished)

    def _work(self, segment: Segment) -> list[_Work]:
        """The segment as engine work: whole, or in pieces when it is longer than the model takes.

        Pieces are at most the model's limit (each under the batch budget by default), so a
        segment of any length costs no more memory at a time than a batch of sentences.
        """
        # An engine that declares no limit (a test's scripted engine, say) takes any length.
        limit = self.engine.max_input_tokens
        pieces = split_segment(segment, limit, self.engine.count_tokens) if limit else None
        if pieces is None:
            return [_Work(segment, protect(segment) if segment.terms else None)]
        whole = _Whole(segment, pieces, waiting=len(pieces))
        return [_Work(p, protect(p) if p.terms else None, whole=whole) for _, p in pieces]

    def _whole(self, items: list[_Work], fallbacks: list[_Work]) -> int:
        """Translate whole segments; those whose terms did not come through join `fallbacks`.

        Returns how many segments with terms came through protected.
        """
        copied = 0
        batches = self._batches(items)
        for batch, results in zip(batches, self._translate(batches), strict=True):
            finished: list[_Work] = []
            for item, translation in zip(batch, results, strict=True):
                if self._place(item, translation.text, translation.notes):
                    finished.append(item)
                    copied += item.protection is not None
                else:
                    fallbacks.append(item)
            self._finish(finished)
        return copied

    def _translate(self, batches: Sequence[Sequence[W]]) -> Iterator[list[Translation]]:
        """The engine's translations of each batch, in order, each distinct text of a batch
        decoded once (through the run's executor).

        Short fallback pieces (及, 以及, 將審議) recur, and equal texts sort next to each other.
        """
        texts = [[item.text for item in batch] for batch in batches]
        unique = [list(dict.fromkeys(batch)) for batch in texts]
        for batch, distinct, translations in zip(
            texts, unique, self.executor(self.engine, unique), strict=True
        ):
            results = dict(zip(distinct, translations, strict=True))
            yield [results[text] for text in batch]

    def _batches(self, items: Sequence[W]) -> list[list[W]]:
        count = self.engine.count_tokens
        return token_batches(
            items, lambda item: max(count(item.text), MIN_TEXT_TOKENS), self.max_tokens
        )

    def _place(self, item: _Work, text: str, notes: list[str]) -> bool:
        """Take the engine's sentence if every term came through; False sends it to the fallback."""
        segment = item.segment
        item.notes = list(notes)  # a segment sent to the fallback keeps them
        if item.protection is None:
            segment.apply_draft(text.strip(), item.notes, [], via=item.via)
            return True
        restored = restore(item.protection, segment.terms, text, entry_of=self.entry_of)
        if restored is None:
            return False
        segment.apply_draft(
            restored.strip(),
            item.notes,
            ["protected"] * len(segment.terms),
            via="placeholders",
        )
        if self.check(segment):
            segment.clear_target()
            return False
        return True

    def _join(self, item: _Work) -> None:
        segment = item.segment
        assert item.parts is not None
        segment.apply_draft(
            join(item.parts, item.pieces),
            item.notes,
            ["fallback"] * len(segment.terms),
            via="fallback",
        )
        # By construction every rendering is in place once; if the glossary's check still
        # objects (a piece's own English repeating a rendering, say), say so on the segment.
        for finding in self.check(segment):
            segment.add_note(f"term check: {finding.message}")

    def _finish(self, items: list[_Work]) -> None:
        """Count finished segments, store their drafts in the memory in one transaction, report.

        A piece of a long segment finishes that segment when it is the last of its pieces.
        """
        segments: list[Segment] = []
        for item in items:
            if item.whole is None:
                segments.append(item.segment)
                continue
            item.whole.waiting -= 1
            if not item.whole.waiting:
                item.whole.join()
                segments.append(item.whole.segment)
        stored: list[tuple[str, list[str], Draft]] = []
        for segment in segments:
            place = self.places.pop(id(segment), None)
            kept = id(segment) in self.kept
            self.kept.discard(id(segment))
            repaired = segment.via in ("placeholders", "fallback")
            if place is not None and segment.target and (kept or repaired):
                # What the guarantee still finds (numbers, length) stays in the notes; a
                # draft that passed it has nothing more to say.
                context = self._number_context(place.document)
                for problem in problems(segment, segment.target, context):
                    segment.add_note(note(problem))
            if segment.target:
                placed = [term.placed for term in segment.terms]
                draft = Draft(segment.target, segment.notes, placed, via=segment.via)
                stored.append((segment.source, renderings_for(segment), draft))
        if self.memory is not None and stored:
            self.memory.store_machine(stored, model=self.model, options=self.options)
        self.done += len(segments)
        if self.progress is not None:
            self.progress(self.done, self.total)
        if self.finished is not None and segments:
            self.finished(segments)

    # -- an engine that takes groups --------------------------------------------------------

    def _translate_groups(self, segments: list[Segment]) -> None:
        """Groups of consecutive segments through the engine, every answer checked; those that
        fail are repaired (`_repair`). Answers are applied in document order."""
        engine: GroupEngine = self.engine  # type: ignore[assignment]
        groups = self._groups(segments)
        failing: list[_Repair] = []
        try:
            for group, answer in zip(groups, engine.translate_groups(groups), strict=True):
                done: list[_Work] = []
                for segment in group.segments:
                    translation = answer.get(segment.id) or Translation("")
                    found = self._problems(segment, translation.text)
                    if found:
                        draft = translation if translation.text.strip() else None
                        failing.append(_Repair(segment, found, draft))
                        continue
                    self._take(segment, translation, "model")
                    done.append(_Work(segment))
                self._finish(done)
            if failing:
                self._repair(failing)
        finally:
            # Kept by id() for these segments only: a batch's next window starts afresh.
            self.places.clear()
            self.settled.clear()
            self.number_contexts.clear()
            self.kept.clear()

    def _groups(self, segments: list[Segment]) -> list[Group]:
        """`segments` cut into groups: consecutive in one document, within the token budget."""
        count = self.engine.count_tokens
        groups: list[Group] = []
        current: list[Segment] = []
        tokens = 0
        previous: _Place | None = None
        for segment in segments:
            place = self.places.get(id(segment))
            size = count(segment.source)
            follows = (
                previous is not None
                and place is not None
                and place.document is previous.document
                and place.index == previous.index + 1
            )
            if current and (
                not follows or tokens + size > self.max_tokens or len(current) >= GROUP_SEGMENTS
            ):
                groups.append(self._group(current))
                current, tokens = [], 0
            current.append(segment)
            tokens += size
            previous = place
        if current:
            groups.append(self._group(current))
        return groups

    def _group(self, segments: list[Segment], wrong: Sequence[str] = ()) -> Group:
        """A group with its read-only context: the document's title and the segments before."""
        place = self.places.get(id(segments[0]))
        if place is None:  # a caller that did not go through `pending`
            return Group(list(segments), problems=list(wrong))
        document = place.document
        start = max(0, place.index - CONTEXT_SEGMENTS)
        before = document.translatable_segments[start : place.index]
        context = [
            (s.source, s.target if id(s) in self.settled else "")
            for s in before
            if s.source.strip()
        ]
        return Group(list(segments), _title(document), context, list(wrong))

    def _problems(self, segment: Segment, text: str) -> list[Problem]:
        place = self.places.get(id(segment))
        context = self._number_context(place.document if place else None)
        return problems(segment, text, context)

    def _number_context(self, document: Document | None) -> Any:
        key = id(document)
        if key not in self.number_contexts:
            self.number_contexts[key] = number_context(document or Document())
        return self.number_contexts[key]

    def _take(self, segment: Segment, translation: Translation, via: Via) -> None:
        """Take a model's English that passed the guarantee: its terms are the model's own."""
        segment.apply_draft(
            translation.text.strip(), translation.notes, ["model"] * len(segment.terms), via=via
        )

    def _repair(self, failing: list[_Repair]) -> None:
        """a. each failing segment asked again on its own, with what was wrong named; then, for
        those still failing, b. the placeholder path and c. the fallback (`_through_engine`)
        when they can mend it; the others keep their last draft, the problems in their notes."""
        engine: GroupEngine = self.engine  # type: ignore[assignment]
        groups = [
            self._group([item.segment], [p.message for p in item.problems]) for item in failing
        ]
        still: list[_Repair] = []
        for item, answer in zip(failing, engine.translate_groups(groups), strict=True):
            segment = item.segment
            translation = answer.get(segment.id) or Translation("")
            found = self._problems(segment, translation.text)
            if not found:
                self._take(segment, translation, "retry")
                self._finish([_Work(segment)])
                continue
            if translation.text.strip():
                item.draft, item.via = translation, "retry"
            item.problems = found
            still.append(item)
        kept: list[_Work] = []
        work: list[_Work] = []
        for item in still:
            segment = item.segment
            if terms_can_fix(item.problems, segment):
                work.append(_Work(segment, protect(segment)))
            elif item.draft is not None:
                # its terms are the model's when only numbers or length are wrong
                how = None if any(p.kind == "term" for p in item.problems) else "model"
                placed = [how] * len(segment.terms)
                draft = item.draft
                segment.apply_draft(draft.text.strip(), draft.notes, placed, via=item.via)
                self.kept.add(id(segment))
                kept.append(_Work(segment))
            else:  # no English at all: translated once more, as it is
                work.append(_Work(segment, via="retry"))
        if kept:
            self._finish(kept)
        if work:
            self._through_engine(work)


def _title(document: Document) -> str:
    """The document's title as the model is told it: the metadata's, else its title block's."""
    title = str(document.meta.get("title") or "")
    if not title:
        title = next((b.source for b in document.blocks if b.kind == "title"), "")
    return title.strip()


def entry_key(glossary: Glossary) -> Callable[[Term], Hashable]:
    """Term -> its glossary entry, told by its renderings (the `first` form and the usual one)."""
    entries: dict[str, int] = {}
    for n, entry in enumerate(glossary.entries):
        for rendering in (entry.first, entry.en):
            if rendering:
                entries.setdefault(rendering, n)
    return lambda term: entries.get(term.rendering, term.rendering)


def translate_document(
    document: Document,
    engine: Engine,
    *,
    glossary: Glossary,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Fill every segment's target (human edit, stored draft or the engine's); return the figures.

    `document` is already annotated with `glossary` (its terms found); the glossary tells which
    terms share an entry and checks the English. The memory is opened before any work, so an
    unwritable memory fails before the engine runs.
    """
    memory = Memory(memory_path or default_memory_path()) if use_memory else None
    try:
        run = Run(engine, memory, progress, term_findings, entry_key(glossary))
        todo = run.pending(document)
        # An engine that fills no targets (the worksheet) leaves them empty, terms unplaced.
        if todo and engine.fills_targets:
            run.translate(todo)
    finally:
        if memory is not None:
            memory.close()
    from ..stages import DocumentReport

    # the figures as a run's report counts them (`DocumentReport.count`), by name
    report = DocumentReport(str(document.meta.get("input") or ""))
    report.count(document, sent={id(segment) for segment in todo}, repeats=set())
    figures = report.figures()
    del figures["seconds"]
    return figures
