"""The whole flow, one stage per call: read -> segment -> annotate (glossary) -> carry reviews ->
translate -> check -> export (render) -> write. `translate_file` is the main job; `export_file`
runs the last three stages again on a JSON form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .capacity import check_fits, memory_bounded
from .document import Document, asset_files, assets_folder
from .engines import Engine, EngineOptions
from .errors import InputError, NotReviewed
from .exporters import (
    ExportOptions,
    Finding,
    RenderError,
    get_exporter,
    parse_formats,
)
from .files import ensure_folder, write_all
from .front import GivenFront
from .locks import json_form_lock
from .outputs import (
    MADE_FROM,
    Job,
    check_export,
    check_plan,
    claim_json_form,
    made_from,
)
from .version import __version__

Progress = Callable[[int, int], None]  # (segments done, segments in all)
# The formats a reader's edition changes (TMX, XLIFF and the JSON form are for tools and review).
READER_FORMATS = {"docx", "html", "md", "pdf"}


@dataclass
class RunResult:
    """What a run produced and the figures for its summary line."""

    document: Document
    written: list[Path] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        s = self.stats
        parts = [f"{s.get('segments', 0)} segments"]
        if "translated" in s:
            parts.append(f"{s['translated']} translated")
        if s.get("from_memory"):
            parts.append(f"{s['from_memory']} from memory")
        if s.get("human"):
            parts.append(f"{s['human']} kept from review")
        if s.get("model") or s.get("protected") or s.get("fallback"):
            by_model = f"{s['model']} by the model, " if s.get("model") else ""
            parts.append(
                f"{s['terms']} terms ({by_model}{s.get('protected', 0)} protected, "
                f"{s.get('fallback', 0)} fallback)"
            )
        elif "terms" in s:  # a worksheet: the terms are found, none is placed
            parts.append(f"{s['terms']} terms found")
        if any((s.get("via") or {}).values()):  # how the English was obtained (`Via`)
            parts.append("via " + ", ".join(f"{n} {how}" for how, n in s["via"].items()))
        if "seconds" in s:
            parts.append(f"{s['seconds']:.1f} s")
        return ", ".join(parts)


def read_document(path: str | Path, input_format: str | None = None) -> Document:
    """Read and segment an input file (`-`: standard input), by its extension or `input_format`."""
    from .capacity import memory_bound
    from .readers import read
    from .segment import segment

    with memory_bound(path):
        return segment(read(path, input_format))


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
) -> RunResult:
    """Translate one input file (`-`: standard input) and write its bilingual outputs; the main
    job of the tool. The reader is chosen by the extension, or by `input_format`; `given` holds
    a title, byline and date that win over the text's own."""
    import time

    from .check import check_document
    from .engines import open_engine
    from .front import apply_given, apply_title_en, untitled_warning
    from .glossary import annotate, load_glossary
    from .glossary.match import invisible_warnings
    from .readers import read, stem
    from .review import carry_reviews, load_previous, merge_concurrent_edits, now
    from .segment import segment
    from .translate import translate_document

    started, started_at = time.perf_counter(), now()
    input_path, folder = Path(input_path), Path(output_dir)
    # the outputs' name: the input's stem, `stdin` for standard input
    job = Job(input_path, input_path.name, folder, stem(input_path))
    # a bad --format, an output that would replace the input or another input's JSON form:
    # each fails before any work is done
    check_plan([job], [get_exporter(f).extension for f in parse_formats(formats)])
    claim_json_form(job)
    ensure_folder(folder)

    glossary = load_glossary(glossary_paths)
    raw = read(input_path, input_format, known_words=glossary.latin_words())
    document = segment(raw)
    check_fits(len(document.segments), input_path)
    given = given or GivenFront()
    apply_given(document, given)
    name, json_path = job.stem, job.json_path
    # Taken before annotating builds the matcher, so that a large glossary's digest rows and its
    # automaton are never in memory together.
    glossary_digest = glossary.digest()
    annotate(document, glossary)
    # The previous run's reviewed English stays (the translate stage skips human segments and
    # flags those whose source or renderings changed since the review).
    unplaced: list[str] = []
    carry_reviews(document, load_previous(json_path, document), unplaced=unplaced)
    apply_title_en(document, given.title_en, started_at)  # the user's English wins
    translator = open_engine(engine, engine_options or EngineOptions())
    stats = translate_document(
        document,
        translator,
        glossary=glossary,
        memory_path=memory_path,
        use_memory=use_memory,
        progress=progress,
    )
    document.meta["signature"] = _signature(translator, glossary_digest)
    if (origin := made_from(input_path)) is not None:  # standard input has no place
        document.meta["signature"][MADE_FROM] = origin
    with json_form_lock(json_path):  # read-merge-write only: never held while translating
        kept = merge_concurrent_edits(document, json_path, started_at)
        findings = check_document(document)
        try:
            outputs, warnings = render_outputs(
                document, folder, name, formats, export_options, findings
            )
        except NotReviewed:
            # the translation is kept: the JSON form is written, the outputs for readers are not
            write_all(render_outputs(document, folder, name, "json", export_options, findings)[0])
            raise
        written = write_all(outputs)

    result = RunResult(document=document, written=written, stats=stats)
    invisible = invisible_warnings([(s.id, s.source) for s in document.segments])
    untitled = [line for line in [untitled_warning(document)] if line]
    result.warnings = [*unplaced, *translator.warnings, *invisible, *untitled, *warnings]
    if kept:
        result.stats["human"] = result.stats.get("human", 0) + len(kept)
        result.warnings.append(
            f"{json_path}: kept the human edits of {', '.join(kept)}, imported while this run "
            "translated"
        )
    result.stats["seconds"] = time.perf_counter() - started
    return result


def _signature(translator: Engine, glossary_hash: str) -> dict[str, Any]:
    """What made the translation: tool, segmenter, engine, model, decoding options and glossary."""
    from .segment import SEGMENTER_VERSION

    description = translator.describe()
    return {
        "tool": f"bilingual {__version__}",
        "segmenter": SEGMENTER_VERSION,
        "engine": description.get("engine", translator.name),
        "model": description.get("model"),
        "options": description.get("options", {}),
        "glossary": glossary_hash,
    }


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
        result = RunResult(document=document, stats={"segments": len(document.segments)})
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
    outputs, warnings = render_outputs(document, folder, stem, formats, options, findings)
    return write_all(outputs), warnings


def render_outputs(
    document: Document,
    output_dir: Path,
    stem: str,
    formats: Sequence[str] | str | None,
    options: ExportOptions | None,
    findings: Sequence[Finding],
    *,
    json_form: bool = True,
) -> tuple[list[tuple[Path, bytes]], list[str]]:
    """Each requested format rendered, as (path, bytes) in the order to write them: the JSON
    form last, so that it appears only once every other output is in place (`json_form=False`
    leaves it to the caller, a batch that records the others' digests in it). Also the warnings
    of the exporters, each said once (several exporters clean the same text)."""
    # the Markdown links the figures' images in the assets folder beside it
    folder = assets_folder(output_dir / f"{stem}.json").name
    options = replace(options or ExportOptions(), assets=folder)
    if not document.segments:
        raise InputError(f"{document.meta.get('input', 'document')}: the document has no segments")
    # the pictures' files first: every output that shows them is renamed into place after them
    outputs = asset_files(document, output_dir / f"{stem}.json")
    warnings: list[str] = []
    for_readers = options.reader and READER_FORMATS & set(parse_formats(formats))
    unreviewed = _unreviewed(document, findings) if for_readers else ""
    if unreviewed:
        label = document.meta.get("input") or stem
        if options.require_reviewed:
            raise NotReviewed(
                f"{label}: no reader's edition written: {unreviewed} (--require-reviewed)"
            )
        warnings.append(
            f"{label}: the reader's edition has {unreviewed}; review them (`bilingual import`) "
            "before sending it, or refuse such a run with --require-reviewed"
        )
    for name in [*[f for f in parse_formats(formats) if f != "json"], *["json"][:json_form]]:
        exporter = get_exporter(name)
        path = output_dir / f"{stem}{exporter.extension}"
        try:
            rendered = exporter.render(document, options, findings)
        except RenderError as e:
            raise RenderError(f"{path}: {e}") from None
        if rendered.data is not None:  # pdf without LibreOffice renders nothing, says so
            outputs.append((path, rendered.data))
        warnings.extend(rendered.warnings)
    return outputs, list(dict.fromkeys(warnings))


def _unreviewed(document: Document, findings: Sequence[Finding]) -> str:
    """What keeps a document from being ready for readers, in words: its machine drafts, its
    untranslated segments and its check errors, counted (empty: nothing)."""
    segments = document.translatable_segments
    machine = sum(1 for s in segments if s.status == "machine")
    empty = sum(1 for s in segments if s.status == "empty" and s.source.strip())
    errors = len({f.segment_id for f in findings if f.severity == "error"})
    parts = []
    if machine:
        parts.append(f"{machine} machine-translated segment{'s' * (machine != 1)} not reviewed")
    if empty:
        parts.append(f"{empty} segment{'s' * (empty != 1)} not translated")
    if errors:
        parts.append(f"{errors} segment{'s' * (errors != 1)} with check errors")
    return ", ".join(parts)
