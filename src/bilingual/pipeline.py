"""The public calls of the flow read -> segment -> annotate (glossary) -> carry reviews ->
translate -> check -> export (render) -> write. `translate_file` is the main job: a batch of one
through the one run loop (`batch.run_documents`, which calls the stages of `stages.py`);
`export_file` runs the last stages again on a JSON form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .capacity import check_fits, memory_bound, memory_bounded
from .document import Document
from .engines import EngineOptions
from .exporters import ExportOptions, get_exporter, parse_formats
from .files import ensure_folder
from .front import GivenFront
from .locks import json_form_lock
from .outputs import Job, check_export, check_plan, claim_json_form
from .stages import TRANSLATED, DocumentReport, render_outputs

Progress = Callable[[int, int], None]  # (segments done, segments in all)


@dataclass
class RunResult:
    """What a one-file run produced: its document, what was written, its report and the lines
    for the user."""

    document: Document
    written: list[Path] = field(default_factory=list)
    report: DocumentReport = field(default_factory=lambda: DocumentReport(""))
    warnings: list[str] = field(default_factory=list)
    translates: bool = True  # False for an export: nothing was translated

    @property
    def stats(self) -> dict[str, Any]:
        return self.report.figures()

    def summary(self) -> str:
        r = self.report
        parts = [f"{r.segments} segments"]
        if self.translates:
            parts.append(f"{r.translated + r.deduplicated} translated")
        if r.from_memory:
            parts.append(f"{r.from_memory} from memory")
        if r.human:
            parts.append(f"{r.human} kept from review")
        if r.model or r.protected or r.fallback:
            by_model = f"{r.model} by the model, " if r.model else ""
            parts.append(
                f"{r.terms} terms ({by_model}{r.protected} protected, {r.fallback} fallback)"
            )
        elif self.translates:  # a worksheet: the terms are found, none is placed
            parts.append(f"{r.terms} terms found")
        if any(r.via.values()):  # how the English was obtained (`Via`)
            parts.append("via " + ", ".join(f"{n} {how}" for how, n in r.via.items()))
        if self.translates:
            parts.append(f"{r.seconds:.1f} s")
        return ", ".join(parts)


def read_document(
    path: str | Path, input_format: str | None = None, *, warnings: list[str] | None = None
) -> Document:
    """Read and segment an input file (`-`: standard input), by its extension or `input_format`;
    what the reader could not read is added to `warnings`."""
    from .readers import read
    from .segment import segment

    with memory_bound(path):
        raw = read(path, input_format)
        if warnings is not None:
            warnings.extend(raw.warnings)
        return segment(raw)


@memory_bounded
def translate_file(
    input_path: str | Path,
    output_dir: str | Path = "output",
    *,
    engine: str = "auto",
    engine_options: EngineOptions | None = None,
    formats: Sequence[str] | str | None = None,
    export_options: ExportOptions | None = None,
    glossary_paths: Sequence[str | Path] | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
    progress: Progress | None = None,
    input_format: str | None = None,
    given: GivenFront | None = None,
    force: bool = False,
    executor: str = "local",
    ray_address: str | None = None,
) -> RunResult:
    """Translate one input file (`-`: standard input) and write its bilingual outputs; the main
    job of the tool. The reader is chosen by the extension, or by `input_format`; `given` holds
    a title, byline and date that win over the text's own; `force` writes over a JSON form that
    another input made. A batch of one (`batch.run_documents`) with no up-to-date skip and no
    report; its error, if it fails, is raised."""
    from .batch import run_documents
    from .executors import executor_files
    from .readers import stem

    input_path, folder = Path(input_path), Path(output_dir)
    # the outputs' name: the input's stem, `stdin` for standard input
    job = Job(input_path, input_path.name, folder, stem(input_path))
    # a bad --format, an output that would replace the input or another input's JSON form:
    # each fails before any work is done
    extensions = [get_exporter(f).extension for f in parse_formats(formats)]
    check_plan([job], extensions, run_files=executor_files(executor, folder))
    claim_json_form(job, force=force)
    ensure_folder(folder)
    outcome = run_documents(
        [job],
        engine=engine,
        engine_options=engine_options,
        formats=formats,
        export_options=export_options,
        glossary_paths=glossary_paths,
        memory_path=memory_path,
        use_memory=use_memory,
        segment_progress=progress,
        input_format=input_format,
        given=given or GivenFront(),
        force=force,
        executor=executor,
        ray_address=ray_address,
        one_file=True,
        log_folder=folder,
    )
    report, document = outcome.reports[0], outcome.documents[0]
    assert report is not None  # a batch of one is reported, unless Ctrl-C came first
    if report.error is not None:
        raise report.error
    assert document is not None
    return RunResult(
        document,
        [Path(p) for p in report.written],
        report,
        [*outcome.warnings, *report.said],
    )


@memory_bounded
def export_file(
    json_path: str | Path,
    output_dir: str | Path | None = None,
    *,
    formats: Sequence[str] | str | None = None,
    options: ExportOptions | None = None,
) -> RunResult:
    """Write the outputs of an existing JSON form (after a review, or with other options)."""
    from .document import load

    json_path = Path(json_path)
    folder = Path(output_dir) if output_dir is not None else json_path.parent
    read = _file_identity(json_path)
    document = load(json_path)  # a JSON form that cannot be read fails before anything is made
    check_fits(len(document.segments), json_path)
    extensions = [get_exporter(f).extension for f in parse_formats(formats)]
    check_export(json_path, document.meta, [folder / f"{json_path.stem}{e}" for e in extensions])
    # The JSON form is written again under its lock; read again too should an import have
    # written it since, so that the import's edits are not written over.
    with json_form_lock(ensure_folder(folder) / f"{json_path.stem}.json"):
        if _file_identity(json_path) != read:
            document = load(json_path)
        report = DocumentReport(str(json_path), TRANSLATED, segments=len(document.segments))
        result = RunResult(document, report=report, translates=False)
        result.written, result.warnings = export_document(
            document, folder, stem=json_path.stem, formats=formats, options=options
        )
    return result


def _file_identity(path: Path) -> tuple[int, int, int, int] | None:
    # a rewrite renames a new file into place: another inode, whatever the clock says
    try:
        info = path.stat()
    except OSError:  # `load` says why
        return None
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def export_document(
    document: Document,
    output_dir: str | Path,
    *,
    stem: str,
    formats: Sequence[str] | str | None = None,
    options: ExportOptions | None = None,
) -> tuple[list[Path], list[str]]:
    """Check, render and write the JSON form and each requested format (the last three stages
    of a run); return the paths written and the warnings."""
    from .check import check_document

    folder = ensure_folder(Path(output_dir))
    findings = check_document(document)
    outputs = render_outputs(document, folder, stem, formats, options, findings)
    return outputs.write(), outputs.warnings
