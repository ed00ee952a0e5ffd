"""The one run loop, for one document or many (`run_documents`), and the batch around it
(`translate_batch`, `bilingual translate PATH... -o DIR`).

The loop opens the glossary, engine, memory and executor once, streams documents through a
bounded window so that the segments of many documents go through the engine together, translates
a repeated sentence once per run, and finishes each document as soon as it is done; the stages
of one document are `stages.prepare` and `stages.finish`. A one-file run (`pipeline.translate_file`)
is a batch of one. The batch adds finding the inputs and where each one's outputs go, skipping
documents that are up to date, and the report. The engine itself runs through an executor
(`executors`): in this process, or on Ray actors.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document, Segment
from .engines import Engine, EngineOptions, Executor
from .errors import (
    BilingualError,
    EngineUnavailable,
    ExitCode,
    InputError,
    OutputError,
    UsageError,
)
from .exporters import ExportOptions, get_exporter, parse_formats
from .front import GivenFront
from .outputs import Job, check_plan
from .stages import (
    FAILED,
    NOT_DONE,
    TRANSLATED,
    UP_TO_DATE,
    DocumentReport,
    Prepared,
    Settings,
)
from .version import __version__

if TYPE_CHECKING:  # the memory opens when a run starts
    from .memory import Memory

__all__ = ["REPORT", "BatchProgress", "BatchResult", "DocumentReport", "find_inputs"]

REPORT = "bilingual-report.json"

# The window: documents read, translated together and held until written. Its bound keeps the
# memory of a run flat whatever the number of files; its size gives the engine full batches
# and a repeated sentence many chances to be met within one window.
WINDOW_DOCUMENTS = 32
WINDOW_SEGMENTS = 1024
# Drafts kept for sentences already translated in this run (met again in a later window);
# bounded so that an archive of unique sentences cannot grow it without end.
REPEATS_KEPT = 100_000


@dataclass
class BatchProgress:
    """Where a batch stands, for a progress line: documents done of all, segments done."""

    documents_done: int
    documents: int
    segments_done: int
    seconds: float

    @property
    def segments_per_second(self) -> float | None:
        """None until a document is translated: skipping and failing set no pace."""
        if not self.segments_done or self.seconds <= 0:
            return None
        return self.segments_done / self.seconds

    @property
    def eta(self) -> float | None:
        """Seconds left, at the pace so far; None before the first document is translated."""
        if not self.segments_done:
            return None
        left = self.documents - self.documents_done
        return self.seconds / self.documents_done * left


@dataclass
class BatchResult:
    """What a batch did: one report per input, in input order, and where the report went."""

    documents: list[DocumentReport]
    report_path: Path | None = None
    interrupted: bool = False
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """130 if interrupted, else 4 if the engine failed, else 2 if a destination could not
        be written, else 3 if any input was bad, else 0."""
        codes = {d.exit_code for d in self.documents}
        if self.interrupted:
            return ExitCode.INTERRUPTED
        for code in (ExitCode.ENGINE_UNAVAILABLE, ExitCode.USAGE, ExitCode.BAD_INPUT):
            if code in codes:
                return code
        return ExitCode.OK

    def counts(self) -> dict[str, int]:
        counts = {TRANSLATED: 0, UP_TO_DATE: 0, FAILED: 0}  # and NOT_DONE after Ctrl-C
        for d in self.documents:
            counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    def summary(self, failed_shown: int = 20) -> list[str]:
        """One screen: the counts, the totals, each failed document and its reason."""
        counts, totals = self.counts(), self.to_dict()["totals"]
        lines = [
            f"{len(self.documents)} document{'' if len(self.documents) == 1 else 's'}: "
            f"{counts[TRANSLATED]} translated, "
            f"{counts[UP_TO_DATE]} up to date, {counts[FAILED]} failed"
            + (f", {counts[NOT_DONE]} not done" if NOT_DONE in counts else "")
            + (" (interrupted)" if self.interrupted else "")
            + f" in {self.seconds:.1f} s",
            f"{totals['segments']} segments: {totals['translated']} translated, "
            f"{totals['from_memory']} from memory, {totals['deduplicated']} repeats, "
            f"{totals['human']} kept from review; {totals['terms']} terms "
            f"({totals['protected']} protected, {totals['fallback']} fallback); "
            f"checks: {totals['errors']} errors, {totals['warnings']} warnings",
        ]
        if any(totals["via"].values()):  # how the English was obtained (`document.Via`)
            lines.append("via " + ", ".join(f"{n} {how}" for how, n in totals["via"].items()))
        failed = [d for d in self.documents if d.status == FAILED]
        for d in failed[:failed_shown]:
            lines.append(f"failed: {d.input}: {d.reason}")
        if len(failed) > failed_shown:
            lines.append(f"... and {len(failed) - failed_shown} more failed (see the report)")
        if self.report_path is not None:
            lines.append(f"report: {self.report_path}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        totals: dict[str, Any] = {}
        for key in ("segments", "translated", "from_memory", "deduplicated", "human", "terms"):
            totals[key] = sum(getattr(d, key) for d in self.documents)
        for key in ("protected", "fallback", "errors", "warnings"):
            totals[key] = sum(getattr(d, key) for d in self.documents)
        totals["via"] = {}
        for d in self.documents:
            for how, n in d.via.items():
                totals["via"][how] = totals["via"].get(how, 0) + n
        return {
            "tool": f"bilingual {__version__}",
            "interrupted": self.interrupted,
            "exit_code": int(self.exit_code),
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "totals": totals,
            "documents": [
                {f.name: getattr(d, f.name) for f in fields(d) if f.name != "error"}
                for d in self.documents
            ],
        }


# -- the inputs ------------------------------------------------------------------------------


def _known_extensions() -> frozenset[str]:
    from .readers import EXTENSIONS

    # "" (no extension) reads as text when named on the command line, not when met in a folder
    return frozenset(e for e in EXTENSIONS if e)


def _output_extensions() -> frozenset[str]:
    from .exporters import EXPORTERS, get_exporter

    return frozenset(get_exporter(name).extension for name in EXPORTERS)


def _written_by_us(path: Path, outputs: frozenset[str]) -> bool:
    """An export of this tool: an output format with a JSON form of the same stem beside it."""
    from .files import read_regular_file

    if path.suffix.lower() not in outputs:
        return False
    try:
        head = read_regular_file(path.with_suffix(".json"), head=200)
    except InputError:
        return False
    return b'"format"' in head and b"bilingual" in head


def _files_in(
    folder: Path, output: Path, *, follow_symlinks: bool, warnings: list[str]
) -> Iterator[Path]:
    """The inputs in `folder`, recursively, in path order: files with an extension a reader
    knows, skipping hidden files and folders, the output folder and this tool's own outputs.
    A symbolic link that leads outside `folder` is skipped, with a line in `warnings`, unless
    `follow_symlinks`: a folder given is what the user meant to publish, not what it points at."""
    known, outputs = _known_extensions(), _output_extensions()
    root = Path(os.path.realpath(folder))
    for top, folders, files in os.walk(folder):
        here = Path(top)
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and (here / f).resolve() != output
        )
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or Path(name).suffix.lower() not in known:
                continue
            if not follow_symlinks and path.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.is_relative_to(root):
                    warnings.append(
                        f"{path}: a symbolic link to {target}, outside {folder}; skipped "
                        "(--follow-symlinks translates it)"
                    )
                    continue
            if not _written_by_us(path, outputs):
                yield path


def find_inputs(
    paths: Sequence[str | Path],
    output_dir: str | Path,
    *,
    formats: Sequence[str] | str | None = None,
    follow_symlinks: bool = False,
    warnings: list[str] | None = None,
    run_files: dict[Path, str] | None = None,
) -> list[Job]:
    """Every input of a batch with its outputs' place, in the order the batch takes them.

    With one folder, its tree is mirrored under `output_dir`; with several paths, each folder's
    tree goes under `output_dir/<folder name>/` and each file under `output_dir/`. A plan in
    which two inputs would write the same output, an output would replace an input, the report
    or another of the run's own `run_files`, is a UsageError, before anything runs
    (`outputs.check_plan`). Symbolic links skipped in folders are said in `warnings`.
    """
    from .readers import STDIN

    output = Path(output_dir).resolve()
    skipped: list[str] = [] if warnings is None else warnings
    jobs: list[Job] = []
    for given in paths:
        if str(given) == STDIN:
            raise UsageError("standard input ('-') cannot be part of a batch; give it alone")
        path = Path(given)
        if not path.is_dir():  # a file, or a missing one: reported as a bad input later
            jobs.append(Job(path, path.name, output, path.stem))
            continue
        prefix = Path(path.resolve().name) if len(paths) > 1 else Path()
        for file in _files_in(path, output, follow_symlinks=follow_symlinks, warnings=skipped):
            relative = prefix / file.relative_to(path)
            jobs.append(Job(file, relative.as_posix(), output / relative.parent, file.stem))
    extensions = [get_exporter(f).extension for f in parse_formats(formats)]
    run_files = {output / REPORT: "the batch's report", **(run_files or {})}
    check_plan(jobs, extensions, run_files=run_files)
    return jobs


# -- the run loop ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the run loop did, filled as it goes (so that an interrupted run still says it): a
    report per job (None: not reached), the documents kept for a one-file run, and the run's
    own warnings."""

    reports: list[DocumentReport | None]
    documents: list[Document | None]
    warnings: list[str] = field(default_factory=list)
    opened: bool = False  # the engine opened: what became of each job is to be said


def run_documents(
    jobs: list[Job],
    *,
    engine: str = "auto",
    engine_options: EngineOptions | None = None,
    formats: Sequence[str] | str | None = None,
    export_options: ExportOptions | None = None,
    glossary_paths: Sequence[str | Path] | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    force: bool = False,
    executor: str = "local",
    ray_address: str | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    segment_progress: Callable[[int, int], None] | None = None,
    input_format: str | None = None,
    given: GivenFront | None = None,
    one_file: bool = False,
    log_folder: Path | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """The one run loop, for one document or many: the glossary, engine, memory and executor
    opened once, each document prepared (`stages.prepare`), the segments of a window of
    documents translated together, each document finished (`stages.finish`) as soon as its
    last segment is. A bad document is reported and the loop goes on; an engine that fails
    stops it (the documents waiting for it fail with its error); Ctrl-C is raised.

    `one_file`: no up-to-date skip, any readable input (standard input too), its document kept.
    """
    from .engines import open_engine
    from .executors import open_executor
    from .glossary import load_glossary
    from .memory import Memory, default_memory_path
    from .stages import Settings, run_signature

    outcome = outcome or Outcome([None] * len(jobs), [None] * len(jobs))
    glossary = load_glossary(glossary_paths)
    # Taken before annotating builds the matcher, so that a large glossary's digest rows and
    # its automaton are never in memory together.
    digest = glossary.digest()
    translator = open_engine(engine, engine_options or EngineOptions())
    settings = Settings(
        glossary,
        list(parse_formats(formats)),
        export_options or ExportOptions(),
        run_signature(translator, digest),
        input_format=input_format,
        force=force,
        in_batch=not one_file,
        given=given or GivenFront(),
        known_words=glossary.latin_words(),  # for the text reader's re-wrapping
    )
    outcome.opened = True
    memory = Memory(memory_path or default_memory_path()) if use_memory else None
    try:
        with open_executor(
            executor, translator, address=ray_address, log_folder=log_folder
        ) as run_batches:
            loop = _Loop(
                jobs,
                translator,
                settings,
                outcome,
                memory=memory,
                executor=run_batches,
                progress=progress,
                segment_progress=segment_progress,
                keep_documents=one_file,
            )
            try:
                loop.go()
            except EngineUnavailable as e:
                if not one_file:  # one file raises the error its report holds
                    outcome.warnings.append(str(e))
    finally:
        if memory is not None:
            memory.close()
        # read at the end: an engine may say what it found out while translating (how a
        # server constrains its output, say)
        outcome.warnings[:0] = translator.warnings
    return outcome


@dataclass
class _Waiting:
    """A document of the window, and how many of its segments are still being translated."""

    index: int
    prepared: Prepared
    segments: int = 0


class _Drafts:
    """The drafts of sentences already translated in this run, by what makes a draft the same
    (the source and the renderings in force): a repeat met in a later window takes its draft.
    Bounded, so that an archive of unique sentences cannot grow it without end."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, tuple[str, ...]], tuple[str, list[str], list[Any], Any]] = {}

    def get(self, segment: Segment) -> bool:
        """Give `segment` the draft of an equal one if there is one; whether there was."""
        draft = self.kept.get(_key(segment))
        if draft is None:
            return False
        target, notes, placed, via = draft
        segment.apply_draft(target, list(notes), list(placed), via=via)
        return True

    def put(self, segment: Segment) -> None:
        if not segment.target:
            return
        if len(self.kept) >= REPEATS_KEPT:
            self.kept.pop(next(iter(self.kept)))
        placed = [t.placed for t in segment.terms]
        self.kept[_key(segment)] = (segment.target, list(segment.notes), placed, segment.via)


class _Loop:
    """The run loop's state: the engine and memory open, windows of documents through them."""

    def __init__(
        self,
        jobs: list[Job],
        translator: Engine,
        settings: Settings,
        outcome: Outcome,
        *,
        memory: Memory | None,
        executor: Executor,
        progress: Callable[[BatchProgress], None] | None,
        segment_progress: Callable[[int, int], None] | None,
        keep_documents: bool,
    ) -> None:
        from .glossary import term_findings
        from .translate.run import Run, entry_key

        self.jobs = jobs
        self.translator = translator
        self.settings = settings
        self.outcome = outcome
        self.progress = progress
        self.keep_documents = keep_documents
        self.run = Run(
            translator,
            memory,
            segment_progress,
            term_findings,
            entry_key(settings.glossary),
            executor=executor,
            finished=self._finished,
        )
        self.started = time.perf_counter()
        self.documents_done = 0
        self.segments_done = 0
        self.drafts = _Drafts()
        # In the window being translated: each segment's document (by id()), and the repeats
        # waiting for the draft of their first occurrence.
        self.owner: dict[int, _Waiting] = {}
        self.repeats: dict[tuple[str, tuple[str, ...]], list[Segment]] = {}

    # -- reporting -------------------------------------------------------------------------

    def _done(self, index: int, report: DocumentReport) -> None:
        self.outcome.reports[index] = report
        self.documents_done += 1
        if report.status == TRANSLATED:  # the pace is of the work done, not of the skipping
            self.segments_done += report.segments
        if self.progress is not None:
            self.progress(
                BatchProgress(
                    self.documents_done,
                    len(self.jobs),
                    self.segments_done,
                    time.perf_counter() - self.started,
                )
            )

    def _fail(self, index: int, report: DocumentReport, error: BilingualError) -> None:
        report.status, report.reason, report.exit_code = FAILED, str(error), int(error.exit_code)
        report.error = error
        self._done(index, report)

    # -- the flow --------------------------------------------------------------------------

    def go(self) -> None:
        from .stages import prepare

        window: list[_Waiting] = []
        segments = 0
        for index, job in enumerate(self.jobs):
            try:
                prepared = prepare(job, self.settings)
            except BilingualError as e:
                self._fail(index, DocumentReport(job.name), e)
                continue
            if isinstance(prepared, DocumentReport):  # up to date
                self._done(index, prepared)
                continue
            window.append(_Waiting(index, prepared))
            segments += len(prepared.document.segments)
            if len(window) >= WINDOW_DOCUMENTS or segments >= WINDOW_SEGMENTS:
                self._translate(window)
                window, segments = [], 0
        if window:
            self._translate(window)

    def _translate(self, window: list[_Waiting]) -> None:
        """Translate the documents of one window together; each is finished when it is done.
        A sentence met again is sent once: its repeats take its draft."""
        send: list[Segment] = []
        for item in window:
            # a document failing later is reported in place
            self.outcome.reports[item.index] = item.prepared.report
            pending = self.run.pending(item.prepared.document)
            if not self.translator.fills_targets:
                continue  # the worksheet: nothing goes to the engine, nothing to keep track of
            for segment in pending:
                key = _key(segment)
                if self.drafts.get(segment):  # translated in an earlier window of this run
                    item.prepared.repeats.add(id(segment))
                    continue
                if key in self.repeats:  # its first occurrence is on its way
                    self.repeats[key].append(segment)
                    item.prepared.repeats.add(id(segment))
                else:
                    self.repeats[key] = []
                    send.append(segment)
                    item.prepared.sent.add(id(segment))
                self.owner[id(segment)] = item
                item.segments += 1
        try:
            for item in window:
                if not item.segments:
                    self._finish(item)
            if send:
                self.run.translate(send)
        except EngineUnavailable as e:
            for item in window:
                if self.outcome.reports[item.index] is item.prepared.report and item.segments:
                    self._fail(item.index, item.prepared.report, e)
            raise
        finally:
            self.repeats.clear()
            self.owner.clear()

    def _finished(self, segments: list[Segment]) -> None:
        """The run finished `segments`: fill their repeats, finish the documents now complete."""
        complete: list[_Waiting] = []
        for segment in segments:
            repeats = self.repeats.pop(_key(segment), [])
            self.drafts.put(segment)
            for repeat in repeats:
                self.drafts.get(repeat)
            for done in [segment, *repeats]:
                item = self.owner.pop(id(done))
                item.segments -= 1
                if not item.segments:
                    complete.append(item)
        for item in complete:
            self._finish(item)

    def _finish(self, item: _Waiting) -> None:
        from .stages import finish

        try:
            finish(item.prepared, self.settings)
        except BilingualError as e:
            self._fail(item.index, item.prepared.report, e)
        else:
            self._done(item.index, item.prepared.report)
        if self.keep_documents:
            self.outcome.documents[item.index] = item.prepared.document


def _key(segment: Segment) -> tuple[str, tuple[str, ...]]:
    """What makes a draft the same: the source and the renderings in force."""
    from .glossary import renderings_for

    return segment.source, tuple(renderings_for(segment))


def translate_batch(
    paths: Sequence[str | Path],
    output_dir: str | Path = "output",
    *,
    engine: str = "auto",
    engine_options: EngineOptions | None = None,
    formats: Sequence[str] | str | None = None,
    export_options: ExportOptions | None = None,
    glossary_paths: Sequence[str | Path] | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    force: bool = False,
    follow_symlinks: bool = False,
    executor: str = "local",
    ray_address: str | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
    input_format: str | None = None,
) -> BatchResult:
    """Translate many inputs in one run; write their outputs and `DIR/bilingual-report.json`.

    One bad document is reported (its path and reason) and the batch goes on; an engine that
    fails stops it. Ctrl-C stops it too: the documents written so far stay, the report says
    so (the others "not done"), and `interrupted` is set. Documents already up to date are
    skipped unless `force`, which also writes over a JSON form made from another input
    (`outputs.claim_json_form`). Only regular files are read; a symbolic link in a folder that
    leads outside it is skipped unless `follow_symlinks`.
    """
    from .executors import check_executor, executor_files
    from .files import ensure_folder

    started = time.perf_counter()
    requested = parse_formats(formats)  # a bad --format fails before any work is done
    check_executor(executor, ray_address)
    found: list[str] = []  # the symbolic links skipped
    run_files = executor_files(executor, Path(output_dir))
    jobs = find_inputs(  # a collision is refused before anything is made
        paths,
        output_dir,
        formats=requested,
        follow_symlinks=follow_symlinks,
        warnings=found,
        run_files=run_files,
    )
    if not jobs:
        raise InputError(f"{', '.join(str(p) for p in paths)}: no input files found")
    folder = ensure_folder(Path(output_dir))
    outcome = Outcome([None] * len(jobs), [None] * len(jobs))
    result = BatchResult(documents=[], warnings=found)
    try:
        run_documents(
            jobs,
            engine=engine,
            engine_options=engine_options,
            formats=requested,
            export_options=export_options,
            glossary_paths=glossary_paths,
            memory_path=memory_path,
            use_memory=use_memory,
            force=force,
            executor=executor,
            ray_address=ray_address,
            progress=progress,
            input_format=input_format,
            log_folder=folder,
            outcome=outcome,
        )
    except KeyboardInterrupt:
        if not outcome.opened:
            raise
        result.interrupted = True
    finally:
        if outcome.opened:  # else no glossary or no engine: an error, and nothing to report
            _report(result, jobs, outcome, folder, started)
    return result


def _report(
    result: BatchResult, jobs: list[Job], outcome: Outcome, folder: Path, started: float
) -> None:
    """Fill `result` from what the run loop did, and write the batch's report."""
    from .files import write_text

    for job, report in zip(jobs, outcome.reports, strict=True):
        if report is None or (report.status == FAILED and not report.reason):
            report = DocumentReport(job.name, reason="not done: the batch stopped first")
            if result.interrupted:
                report.status = NOT_DONE
            else:
                report.exit_code = ExitCode.ENGINE_UNAVAILABLE
        result.documents.append(report)
    # the links skipped, what the run said, then what each document said, in input order
    said = (w for d in result.documents for w in d.said)
    result.warnings = [*result.warnings, *outcome.warnings, *said]
    result.seconds = time.perf_counter() - started
    result.report_path = folder / REPORT
    try:
        write_text(result.report_path, json.dumps(result.to_dict(), indent=2) + "\n")
    except OutputError as e:
        result.warnings.append(str(e))
        result.report_path = None
