"""The stages of one document, before and after the engine: `prepare` (read, segment, annotate,
carry reviews) and `finish` (under the JSON form's lock: keep the edits imported meanwhile, check,
render, sign, write), each with its warnings, and the `DocumentReport` they fill. The run loop
(`batch.run_documents`) calls them for one document or many."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .capacity import check_fits, memory_bound
from .document import VIAS, Document, asset_files, assets_folder
from .engines import Engine
from .errors import BilingualError, InputError, NotReviewed
from .exporters import (
    Exporter,
    ExportOptions,
    Finding,
    RenderError,
    get_exporter,
    parse_formats,
)
from .files import Content, ensure_folder, write_all
from .front import GivenFront
from .locks import json_form_lock
from .outputs import MADE_FROM, Job, claim_json_form, made_from
from .version import __version__

if TYPE_CHECKING:  # the glossary loads when a run starts
    from .glossary import Glossary

# The formats a reader's edition changes (TMX, XLIFF and the JSON form are for tools and review).
READER_FORMATS = {"docx", "html", "md", "pdf"}
TRANSLATED, UP_TO_DATE, FAILED, NOT_DONE = "translated", "up to date", "failed", "not done"


@dataclass
class DocumentReport:
    """What happened to one document of a run: its figures, its warnings and what was written.
    The one-file summary and a batch's report are both made from it."""

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
    model: int = 0  # terms the model rendered itself (an engine that takes groups)
    protected: int = 0
    fallback: int = 0
    # how each machine segment's English was obtained (`document.Via`): model, retry, ...
    via: dict[str, int] = field(default_factory=dict)
    errors: int = 0  # the checks' findings, counted
    warnings: int = 0
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)
    # The lines said to the user about this document (reviews not carried, invisible
    # characters, the exporters' warnings, edits kept): `warnings` above counts check findings.
    said: list[str] = field(default_factory=list)
    # The error that failed it, for a one-file run to raise (not part of the report).
    error: BilingualError | None = field(default=None, repr=False, compare=False)

    def count(self, document: Document, sent: set[int], repeats: set[int]) -> None:
        """Its figures from the finished `document`: `sent` and `repeats` are the segments (by
        id()) the engine translated for it, and those filled by the draft of an equal one."""
        self.segments = len(document.segments)
        self.human = self.translated = self.deduplicated = self.from_memory = 0
        for s in document.translatable_segments:  # a dateline's date is written out
            if s.status == "human":
                self.human += 1
            elif id(s) in sent:
                self.translated += bool(s.target)
            elif id(s) in repeats:
                self.deduplicated += bool(s.target)
            elif s.target:
                self.from_memory += 1
        terms = [t for s in document.segments for t in s.terms]
        self.terms = len(terms)
        self.model = sum(1 for t in terms if t.placed == "model")
        self.protected = sum(1 for t in terms if t.placed == "protected")
        self.fallback = sum(1 for t in terms if t.placed == "fallback")
        self.via = via_counts(document)

    def figures(self) -> dict[str, Any]:
        """The one-file run's figures by name; a repeat within the document is translated."""
        return {
            "segments": self.segments,
            "translated": self.translated + self.deduplicated,
            "from_memory": self.from_memory,
            "human": self.human,
            "terms": self.terms,
            "model": self.model,
            "protected": self.protected,
            "fallback": self.fallback,
            "via": self.via,
            "seconds": self.seconds,
        }


@dataclass
class Settings:
    """What every document of a run shares: the glossary, the outputs asked for and the run's
    part of the signature (tool, segmenter, engine, model, options, glossary)."""

    glossary: Glossary
    formats: list[str]  # the requested formats, the JSON form among them or not
    export_options: ExportOptions
    signature: dict[str, Any]
    input_format: str | None = None
    force: bool = False
    # A batch skips documents up to date and reads only regular files; one file does neither
    # (it may be standard input or a pipe).
    in_batch: bool = True
    given: GivenFront = field(default_factory=GivenFront)
    known_words: frozenset[str] = frozenset()  # the glossary's Latin words, for the reader


@dataclass
class Prepared:
    """A document read, segmented, annotated, its reviews carried: ready to translate."""

    job: Job
    document: Document
    report: DocumentReport
    started: float
    read_at: str  # when its previous JSON form was read (review.now()): later edits are merged
    # The segments (by id()) the engine translated for it, and those filled by the draft of an
    # equal segment met first; for its figures.
    sent: set[int] = field(default_factory=set)
    repeats: set[int] = field(default_factory=set)


def prepare(job: Job, settings: Settings) -> Prepared | DocumentReport:
    """Read, segment, annotate and carry the reviews of one input (the stages before
    translating); a report instead when a batch finds it up to date. A bad input raises."""
    import time

    from .front import apply_given, apply_title_en
    from .glossary import annotate
    from .readers import read
    from .review import carry_reviews, load_previous, now
    from .segment import segment

    started = time.perf_counter()
    report = DocumentReport(job.name)
    data = _input_bytes(job.input, regular_only=settings.in_batch)
    signature = {**settings.signature, "input_sha256": sha256(data)}
    if settings.in_batch and not settings.force:
        wanted = [f"{job.stem}{get_exporter(f).extension}" for f in settings.formats if f != "json"]
        if up_to_date(job, signature, wanted, report):
            report.status = UP_TO_DATE
            return report
    read_at = now()
    claim_json_form(job, force=settings.force, same_content=signature["input_sha256"])
    with memory_bound(job.input):
        raw = read(job.input, settings.input_format, data=data, known_words=settings.known_words)
        report.said.extend(raw.warnings)
        document = segment(raw)
    check_fits(len(document.segments), job.input)
    if settings.in_batch:  # the path in the batch, so that a/press.txt's edits stay there
        document.meta["input"] = job.name
    apply_given(document, settings.given)
    annotate(document, settings.glossary)
    # The previous run's reviewed English stays (the translate stage skips human segments and
    # flags those whose source or renderings changed since the review).
    carry_reviews(document, load_previous(job.json_path, document), unplaced=report.said)
    apply_title_en(document, settings.given.title_en, read_at)  # the user's English wins
    if (origin := made_from(job.input)) is not None:  # standard input has no place
        signature[MADE_FROM] = origin
    document.meta["signature"] = signature
    return Prepared(job, document, report, started, read_at)


def _input_bytes(path: Path, *, regular_only: bool) -> bytes:
    """The input's bytes, read once: what is hashed is what is parsed."""
    import sys

    from .files import read_regular_file
    from .readers import STDIN, input_bytes

    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    # a batch never reads a pipe or a device: they have no end
    return read_regular_file(path) if regular_only else input_bytes(path)


def finish(prepared: Prepared, settings: Settings) -> None:
    """Under the JSON form's lock: keep the human edits imported while the run translated,
    check, render, sign and write one translated document (the stages after translating);
    its report says what was written and warned. A failure raises (the JSON form is written
    all the same when only the reader's edition is refused)."""
    import time

    from .check import check_document
    from .front import untitled_warning
    from .glossary.match import invisible_warnings
    from .review import merge_concurrent_edits

    job, document, report = prepared.job, prepared.document, prepared.report
    ensure_folder(job.folder)
    with json_form_lock(job.json_path):  # read-merge-write only: never held while translating
        kept = merge_concurrent_edits(document, job.json_path, prepared.read_at)
        report.count(document, prepared.sent, prepared.repeats)
        findings = check_document(document)
        report.errors = sum(1 for f in findings if f.severity == "error")
        report.warnings = sum(1 for f in findings if f.severity == "warning")
        # for a later batch that finds it up to date to count them
        document.meta["signature"]["checks"] = {
            "errors": report.errors,
            "warnings": report.warnings,
        }
        options = settings.export_options
        try:
            outputs = render_outputs(
                document, job.folder, job.stem, settings.formats, options, findings
            )
        except NotReviewed:
            # the translation is kept: the JSON form is written, the outputs for readers are not
            render_outputs(document, job.folder, job.stem, "json", options, findings).write()
            raise
        written = outputs.write()
    label = document.meta.get("input") or job.name
    invisible = invisible_warnings((s.id, s.source) for b in document.blocks for s in b.segments)
    report.said.extend(f"{label}: {line}" for line in invisible)
    report.said.extend(line for line in [untitled_warning(document)] if line)
    report.said.extend(outputs.warnings)
    if kept:
        report.said.append(
            f"{job.json_path}: kept the human edits of {', '.join(kept)}, imported while this "
            "run translated"
        )
    report.status = TRANSLATED
    report.written = [str(p) for p in written]
    report.seconds = round(time.perf_counter() - prepared.started, 3)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def up_to_date(
    job: Job, signature: dict[str, Any], wanted: Sequence[str], report: DocumentReport
) -> bool:
    """Whether the JSON form of `job` was made from these bytes with this engine and glossary
    and every requested output exists as it was written with it; if so, `report` gets its
    segments, its terms and its checks' findings, counted."""
    from .files import regular_file_sha256
    from .formstream import parts

    segments = 0
    placed: list[str | None] = []

    def count(block: Any, index: int) -> None:  # a block at a time, never the whole form
        nonlocal segments
        segments += len(block["segments"])
        placed.extend(
            term.get("placed") for s in block["segments"] for term in s.get("terms") or []
        )

    try:
        written = parts(job.json_path, count)["meta"]["signature"]
    except (InputError, ValueError, KeyError, TypeError, AttributeError):
        return False
    if not isinstance(written, dict) or any(written.get(k) != v for k, v in signature.items()):
        return False
    outputs = written.get("outputs") or {}
    for name in wanted:
        digest = outputs.get(name)
        try:
            if digest is None or regular_file_sha256(job.folder / name) != digest:
                return False
        except InputError:
            return False
    checks: Any = written.get("checks")
    try:
        report.errors, report.warnings = int(checks["errors"]), int(checks["warnings"])
    except (TypeError, KeyError, ValueError):  # written before the checks were recorded
        from .check import check_document
        from .document import load

        try:
            findings = check_document(load(job.json_path))
        except BilingualError:  # translated again, and its load says why if it must
            return False
        report.errors = sum(1 for f in findings if f.severity == "error")
        report.warnings = sum(1 for f in findings if f.severity == "warning")
    report.segments = segments
    report.terms = len(placed)
    report.model, report.protected, report.fallback = (
        placed.count(how) for how in ("model", "protected", "fallback")
    )
    return True


def run_signature(translator: Engine, glossary_hash: str) -> dict[str, Any]:
    """What made the translation: tool, segmenter, engine, model, decoding options and glossary
    (each document adds its input's hash and origin, and the digests of what was written)."""
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


@dataclass
class Outputs:
    """A document's outputs in the order to write them, each rendered as `write` asks for it;
    the exporters' warnings, each said once (several exporters clean the same text), which fill
    as the outputs are written; and the digests of the files written (the JSON form, written
    last, records them)."""

    files: Iterator[tuple[Path, Content]]
    warnings: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)

    def write(self) -> list[Path]:
        """Write them all atomically (`files.write_all`); the paths written."""
        return write_all(self.files, digests=self.digests)


def render_outputs(
    document: Document,
    output_dir: Path,
    stem: str,
    formats: Sequence[str] | str | None,
    options: ExportOptions | None,
    findings: Sequence[Finding],
) -> Outputs:
    """Each requested format, to render and write (`Outputs.write`): the pictures' files first,
    the JSON form last, so that it appears only once every other output is in place, with
    their digests in its signature.

    The outputs are rendered one at a time as `write_all` asks for the next, each written into
    its file as it is rendered, so that no output is ever whole in memory (a million segments:
    the HTML about 300 MB, the JSON form 260 MB); the checks that refuse the whole run (no
    segments, --require-reviewed) are made before.
    """
    # the Markdown links the figures' images in the assets folder beside it
    folder = assets_folder(output_dir / f"{stem}.json").name
    options = replace(options or ExportOptions(), assets=folder)
    if not document.segments:
        raise InputError(f"{document.meta.get('input', 'document')}: the document has no segments")
    # the pictures' files first: every output that shows them is renamed into place after them
    assets = asset_files(document, output_dir / f"{stem}.json")
    outputs = Outputs(iter(()))
    for_readers = options.reader and READER_FORMATS & set(parse_formats(formats))
    unreviewed = _unreviewed(document, findings) if for_readers else ""
    if unreviewed:
        label = document.meta.get("input") or stem
        if options.require_reviewed:
            raise NotReviewed(
                f"{label}: no reader's edition written: {unreviewed} (--require-reviewed)"
            )
        outputs.warnings.append(
            f"{label}: the reader's edition has {unreviewed}; review them (`bilingual import`) "
            "before sending it, or refuse such a run with --require-reviewed"
        )
    names = [*[f for f in parse_formats(formats) if f != "json"], "json"]
    # an unknown format refuses the run now, before anything is rendered
    exporters = {name: get_exporter(name) for name in names}
    outputs.files = _rendered(
        document, output_dir, stem, assets, exporters, options, findings, outputs
    )
    return outputs


def _rendered(
    document: Document,
    output_dir: Path,
    stem: str,
    assets: list[tuple[Path, bytes]],
    exporters: dict[str, Exporter],
    options: ExportOptions,
    findings: Sequence[Finding],
    outputs: Outputs,
) -> Iterator[tuple[Path, Content]]:
    """`render_outputs`' files, each rendered when asked for; the warnings go to `outputs`."""
    yield from assets
    del assets[:]
    for name, exporter in exporters.items():
        signature = document.meta.get("signature")
        if name == "json" and isinstance(signature, dict):
            # The JSON form records what was written with it: a later batch finds it up to
            # date only when every requested output is still the one written here.
            signature["outputs"] = dict(outputs.digests)
        path = output_dir / f"{stem}{exporter.extension}"
        try:
            rendered = exporter.render(document, options, findings)
        except RenderError as e:
            raise RenderError(f"{path}: {e}") from None
        if rendered.write is not None:  # pdf without LibreOffice renders nothing, says so
            yield path, rendered.write
        # after the writing: an exporter that renders as it writes warns as it goes
        said = outputs.warnings
        said.extend(w for w in dict.fromkeys(rendered.warnings) if w not in said)
        del rendered  # let go of this output before the next is rendered


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


def via_counts(document: Document) -> dict[str, int]:
    """How many machine segments got their English each way (`Via`), for the run's summary."""
    counts: dict[str, int] = dict.fromkeys(VIAS, 0)
    for segment in document.segments:
        if segment.status == "machine" and segment.via in counts:
            counts[segment.via] += 1
    return counts
