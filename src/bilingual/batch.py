"""A batch: many documents in one run (`bilingual translate PATH... -o DIR`).

Owns what a run over many inputs adds to the one-document flow of `pipeline`: finding the inputs
and where each one's outputs go, skipping documents that are up to date, streaming documents
through a bounded window so that the segments of many documents go through the engine together,
translating a repeated sentence once per run, writing each document as soon as it is done, and
the per-document report. The engine itself runs through an executor (`executors`): in this
process, or on Ray actors.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document, Segment
from .engines import Engine, EngineOptions
from .errors import (
    BilingualError,
    EngineUnavailable,
    ExitCode,
    InputError,
    OutputError,
    UsageError,
)
from .exporters import ExportOptions, parse_formats
from .outputs import MADE_FROM, Job, check_plan, claim_json_form, made_from

if TYPE_CHECKING:  # the glossary, memory and run loop load when a batch runs
    from .glossary import Glossary
    from .memory import Memory
    from .translate.run import Executor
from .version import __version__

REPORT = "bilingual-report.json"
TRANSLATED, UP_TO_DATE, FAILED = "translated", "up to date", "failed"

# The window: documents read, translated together and held until written. Its bound keeps the
# memory of a run flat whatever the number of files; its size gives the engine full batches
# and a repeated sentence many chances to be met within one window.
WINDOW_DOCUMENTS = 32
WINDOW_SEGMENTS = 1024
# Drafts kept for sentences already translated in this run (met again in a later window);
# bounded so that an archive of unique sentences cannot grow it without end.
REPEATS_KEPT = 100_000


@dataclass
class DocumentReport:
    """One line of the batch's report."""

    input: str
    status: str = FAILED
    reason: str | None = None
    exit_code: int = 0
    segments: int = 0
    translated: int = 0
    from_memory: int = 0
    deduplicated: int = 0
    human: int = 0
    terms: int = 0
    protected: int = 0
    fallback: int = 0
    # how each machine segment's English was obtained (`document.Via`): model, retry, ...
    via: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)


@dataclass
class BatchProgress:
    """Where a batch stands, for a progress line: documents done of all, segments done."""

    documents_done: int
    documents: int
    segments_done: int
    seconds: float

    @property
    def segments_per_second(self) -> float:
        return self.segments_done / self.seconds if self.seconds > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, at the pace so far; None before the first document is done."""
        if not self.documents_done:
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
        counts = {TRANSLATED: 0, UP_TO_DATE: 0, FAILED: 0}
        for d in self.documents:
            counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    def summary(self, failed_shown: int = 20) -> list[str]:
        """One screen: the counts, the totals, each failed document and its reason."""
        counts, totals = self.counts(), self.to_dict()["totals"]
        lines = [
            f"{len(self.documents)} documents: {counts[TRANSLATED]} translated, "
            f"{counts[UP_TO_DATE]} up to date, {counts[FAILED]} failed"
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
            "documents": [asdict(d) for d in self.documents],
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
    extensions = [_extension(f) for f in parse_formats(formats)]
    run_files = {output / REPORT: "the batch's report", **(run_files or {})}
    check_plan(jobs, extensions, run_files=run_files)
    return jobs


# -- resume ----------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _up_to_date(job: Job, signature: dict[str, Any], wanted: Sequence[str]) -> int | None:
    """How many segments the JSON form of `job` has when it was made from these bytes with this
    engine and glossary and every requested output exists as it was written with it; else None."""
    from .files import read_regular_file

    try:
        data = json.loads(read_regular_file(job.json_path))
        written = data["meta"]["signature"]
        segments = sum(len(block["segments"]) for block in data["blocks"])
    except (InputError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(written, dict) or any(written.get(k) != v for k, v in signature.items()):
        return None
    outputs = written.get("outputs") or {}
    for name in wanted:
        digest = outputs.get(name)
        try:
            if digest is None or _sha256(read_regular_file(job.folder / name)) != digest:
                return None
        except InputError:
            return None
    return segments


# -- the run ---------------------------------------------------------------------------------


@dataclass
class _Open:
    """A document of the window: read, waiting for its last segments, then written."""

    job: Job
    report: DocumentReport
    document: Document
    started: float
    read_at: str  # when its previous JSON form was read (review.now()): later edits are merged
    sent: list[Segment] = field(default_factory=list)  # translated by the engine for it
    repeats: list[Segment] = field(default_factory=list)  # filled by another one's draft
    waiting: int = 0


class _Batch:
    """One batch run: the engine and memory opened once, windows of documents through them."""

    def __init__(
        self,
        jobs: list[Job],
        translator: Engine,
        *,
        glossary: Glossary,
        formats: list[str],
        export_options: ExportOptions,
        memory: Memory | None,
        executor: Executor,
        force: bool,
        progress: Callable[[BatchProgress], None] | None,
        input_format: str | None = None,
    ) -> None:
        from .glossary import term_findings
        from .pipeline import _signature
        from .translate.run import Run, entry_key

        self.jobs = jobs
        self.translator = translator
        self.glossary = glossary
        self.known_words = glossary.latin_words()  # for the text reader's re-wrapping
        self.formats = formats
        self.export_options = export_options
        self.force = force
        self.input_format = input_format
        self.progress = progress
        self.signature = _signature(translator, glossary.digest())
        self.run = Run(
            translator,
            memory,
            None,
            term_findings,
            entry_key(glossary),
            executor=executor,
            finished=self._finished,
        )
        self.reports: dict[int, DocumentReport] = {}
        self.started = time.perf_counter()
        self.documents_done = 0
        self.segments_done = 0
        # segment -> its document; (source, renderings) -> the segments waiting for its draft
        self.owner: dict[int, _Open] = {}
        self.waiting: dict[tuple[str, tuple[str, ...]], list[Segment]] = {}
        self.drafts: dict[tuple[str, tuple[str, ...]], tuple[str, list[str], list[Any], Any]] = {}

    # -- reporting -------------------------------------------------------------------------

    def _done(self, index: int, report: DocumentReport) -> None:
        self.reports[index] = report
        self.documents_done += 1
        if report.status == TRANSLATED:  # the pace is of the work done, not of the skipping
            self.segments_done += report.segments
        self._tell()

    def _tell(self) -> None:
        if self.progress is not None:
            self.progress(
                BatchProgress(
                    self.documents_done,
                    len(self.jobs),
                    self.segments_done,
                    time.perf_counter() - self.started,
                )
            )

    # -- the flow --------------------------------------------------------------------------

    def go(self) -> None:
        window: list[tuple[int, _Open]] = []
        segments = 0
        for index, job in enumerate(self.jobs):
            opened = self._open(index, job)
            if opened is None:
                continue
            window.append((index, opened))
            segments += len(opened.document.segments)
            if len(window) >= WINDOW_DOCUMENTS or segments >= WINDOW_SEGMENTS:
                self._translate(window)
                window, segments = [], 0
        if window:
            self._translate(window)

    def _open(self, index: int, job: Job) -> _Open | None:
        """Read and prepare one input; None when it is up to date or cannot be read."""
        from .capacity import check_fits, memory_bound
        from .files import read_regular_file
        from .glossary import annotate
        from .readers import read
        from .review import carry_reviews, load_previous, now
        from .segment import segment

        started = time.perf_counter()
        report = DocumentReport(job.name)
        try:
            data = read_regular_file(job.input)  # never a pipe or a device: they have no end
        except InputError as e:
            self._fail(index, report, e)
            return None
        signature = {**self.signature, "input_sha256": _sha256(data)}
        wanted = [f"{job.stem}{_extension(f)}" for f in self.formats]
        if not self.force and (segments := _up_to_date(job, signature, wanted)) is not None:
            report.status, report.segments = UP_TO_DATE, segments
            self._done(index, report)
            return None
        read_at = now()
        try:
            claim_json_form(job, force=self.force, same_content=signature["input_sha256"])
            with memory_bound(job.input):
                document = segment(
                    read(job.input, self.input_format, data=data, known_words=self.known_words)
                )
            check_fits(len(document.segments), job.input)
            document.meta["input"] = job.name
            annotate(document, self.glossary)
            carry_reviews(document, load_previous(job.json_path, document))
        except BilingualError as e:
            self._fail(index, report, e)
            return None
        document.meta["signature"] = {**signature, MADE_FROM: made_from(job.input)}
        return _Open(job, report, document, started, read_at)

    def _fail(self, index: int, report: DocumentReport, error: BilingualError) -> None:
        report.status, report.reason, report.exit_code = FAILED, str(error), int(error.exit_code)
        self._done(index, report)

    def _translate(self, window: list[tuple[int, _Open]]) -> None:
        """Translate the documents of one window together; each is written when it is done."""
        send: list[Segment] = []
        for index, item in window:
            self.reports[index] = item.report  # a document failing later is reported in place
            for segment in self.run.pending(item.document):
                key = _key(segment)
                if key in self.drafts:  # translated in an earlier window of this run
                    _apply(segment, self.drafts[key])
                    item.repeats.append(segment)
                elif key in self.waiting:  # its first occurrence is on its way
                    self.waiting[key].append(segment)
                    item.repeats.append(segment)
                    self.owner[id(segment)] = item
                    item.waiting += 1
                else:
                    self.waiting[key] = []
                    send.append(segment)
                    item.sent.append(segment)
                    self.owner[id(segment)] = item
                    item.waiting += 1
        items = dict(window)
        if not self.translator.fills_targets:  # the worksheet: nothing goes to the engine
            for item in items.values():
                item.waiting = 0
            self.waiting.clear()
            self.owner.clear()
        for index, item in items.items():
            if not item.waiting:
                self._write(index, item)
        if send and self.translator.fills_targets:
            self.index_of = {id(item): index for index, item in items.items()}
            try:
                self.run.translate(send)
            except EngineUnavailable as e:
                for index, item in items.items():
                    if self.reports.get(index) is item.report and item.waiting:
                        self._fail(index, item.report, e)
                raise
            finally:
                self.waiting.clear()
                self.owner.clear()

    def _finished(self, segments: list[Segment]) -> None:
        """The run loop finished `segments`: fill their repeats, write documents now complete."""
        complete: list[_Open] = []
        for segment in segments:
            key = _key(segment)
            repeats = self.waiting.pop(key, [])
            if segment.target:
                placed = [t.placed for t in segment.terms]
                draft = (segment.target, list(segment.notes), placed, segment.via)
                if len(self.drafts) >= REPEATS_KEPT:
                    self.drafts.pop(next(iter(self.drafts)))
                self.drafts[key] = draft
                for repeat in repeats:
                    _apply(repeat, draft)
            for done in [segment, *repeats]:
                item = self.owner.pop(id(done))
                item.waiting -= 1
                if not item.waiting:
                    complete.append(item)
        for item in complete:
            self._write(self.index_of[id(item)], item)

    def _write(self, index: int, item: _Open) -> None:
        """Write one finished document under its JSON form's lock, keeping the human edits
        imported into the JSON form while the batch translated (`merge_concurrent_edits`)."""
        from .files import ensure_folder
        from .locks import json_form_lock
        from .review import merge_concurrent_edits

        try:
            ensure_folder(item.job.folder)
            with json_form_lock(item.job.json_path):
                merge_concurrent_edits(item.document, item.job.json_path, item.read_at)
                self._write_outputs(index, item)
        except BilingualError as e:
            self._fail(index, item.report, e)

    def _write_outputs(self, index: int, item: _Open) -> None:
        """Check, render and write one finished document (the JSON form last)."""
        from .check import check_document
        from .exporters import get_exporter
        from .files import ensure_folder, write_all
        from .pipeline import render_outputs

        document, report, job = item.document, item.report, item.job
        _count(report, document, item)
        findings = check_document(document)
        report.errors = sum(1 for f in findings if f.severity == "error")
        report.warnings = sum(1 for f in findings if f.severity == "warning")
        try:
            ensure_folder(job.folder)
            others = [f for f in self.formats if f != "json"]
            outputs, _ = render_outputs(
                document,
                job.folder,
                job.stem,
                others,
                self.export_options,
                findings,
                json_form=False,
            )
            # The JSON form records what was written with it: a later run finds it up to date
            # only when every requested output is still the one written here.
            document.meta["signature"]["outputs"] = {p.name: _sha256(d) for p, d in outputs}
            rendered = get_exporter("json").render(document, self.export_options, findings)
            assert rendered.data is not None
            outputs.append((job.json_path, rendered.data))
            written = write_all(outputs)
        except BilingualError as e:
            self._fail(index, report, e)
            return
        report.status = TRANSLATED
        report.written = [str(p) for p in written]
        report.seconds = round(time.perf_counter() - item.started, 3)
        self._done(index, report)


def _extension(name: str) -> str:
    from .exporters import get_exporter

    return get_exporter(name).extension


def _key(segment: Segment) -> tuple[str, tuple[str, ...]]:
    """What makes a draft the same: the source and the renderings in force."""
    from .glossary import renderings_for

    return segment.source, tuple(renderings_for(segment))


def _apply(segment: Segment, draft: tuple[str, list[str], list[Any], Any]) -> None:
    target, notes, placed, via = draft
    segment.apply_draft(target, list(notes), list(placed), via=via)


def _count(report: DocumentReport, document: Document, item: _Open) -> None:
    from .translate.run import via_counts

    segments = document.segments
    sent, repeats = {id(s) for s in item.sent}, {id(s) for s in item.repeats}
    report.segments = len(segments)
    for s in document.translatable_segments:  # a dateline's date is written out, not translated
        if s.status == "human":
            report.human += 1
        elif id(s) in sent:
            report.translated += bool(s.target)
        elif id(s) in repeats:
            report.deduplicated += bool(s.target)
        elif s.target:
            report.from_memory += 1
    terms = [t for s in segments for t in s.terms]
    report.terms = len(terms)
    report.protected = sum(1 for t in terms if t.placed == "protected")
    report.fallback = sum(1 for t in terms if t.placed == "fallback")
    report.via = via_counts(document)


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
    so, and `interrupted` is set. Documents already up to date are skipped unless `force`,
    which also writes over a JSON form made from another input (`outputs.claim_json_form`).
    Only regular files are read; a symbolic link in a folder that leads outside it is skipped
    unless `follow_symlinks`.
    """
    from .engines import open_engine
    from .executors import check_executor, open_executor
    from .files import ensure_folder, write_text
    from .glossary import load_glossary
    from .memory import Memory, default_memory_path

    started = time.perf_counter()
    requested = parse_formats(formats)  # a bad --format fails before any work is done
    wanted = [f for f in requested if f != "json"]
    check_executor(executor, ray_address)
    found: list[str] = []  # the symbolic links skipped
    run_files = {}
    if executor == "ray":
        from .executors.ray import LOG_NAME

        run_files[Path(output_dir).resolve() / LOG_NAME] = "the Ray log"
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
    glossary = load_glossary(glossary_paths)
    translator = open_engine(engine, engine_options or EngineOptions())
    memory = Memory(memory_path or default_memory_path()) if use_memory else None
    result = BatchResult(documents=[], warnings=[*found, *translator.warnings])
    batch: _Batch | None = None
    try:
        with open_executor(
            executor, translator, address=ray_address, log_folder=folder
        ) as run_batches:
            batch = _Batch(
                jobs,
                translator,
                glossary=glossary,
                formats=wanted,
                export_options=export_options or ExportOptions(),
                memory=memory,
                executor=run_batches,
                force=force,
                progress=progress,
                input_format=input_format,
            )
            batch.go()
    except KeyboardInterrupt:
        result.interrupted = True
    except EngineUnavailable as e:
        result.warnings.append(str(e))
    finally:
        if memory is not None:
            memory.close()
        reports = batch.reports if batch is not None else {}
        for index, job in enumerate(jobs):
            report = reports.get(index)
            if report is None or (report.status == FAILED and not report.reason):
                report = DocumentReport(job.name, reason="not done: the batch stopped first")
                if not result.interrupted:
                    report.exit_code = ExitCode.ENGINE_UNAVAILABLE
            result.documents.append(report)
        result.seconds = time.perf_counter() - started
        result.report_path = folder / REPORT
        try:
            write_text(result.report_path, json.dumps(result.to_dict(), indent=2) + "\n")
        except OutputError as e:
            result.warnings.append(str(e))
            result.report_path = None
    return result
