"""Bringing a reviewer's corrections back: edited DOCX or XLIFF -> the JSON form and the memory.

Owns `import_edits` (what `bilingual import` runs) and `carry_reviews` (how a later `translate`
keeps the human targets of the previous JSON form). It refuses to guess: a row whose Chinese was
edited, a row added or merged, an id missing or found twice is reported, with what to do, and
not imported; the rest still is. When nothing can be imported, nothing is written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

# The review flags belong to the segment (document.py); they are imported from here as well.
from .document import GLOSSARY_CHANGED as GLOSSARY_CHANGED
from .document import (
    SOURCE_CHANGED,
    Document,
    Segment,
    edit_for,
    renderings_in_force,
    still_accepted,
)
from .errors import InputError, OutputError
from .files import read_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from .importers import EditedFile, EditedSegment, Problem
    from .memory import Memory


@dataclass
class ImportReport:
    """What an import did: the segments it updated and every row it refused, with the reason."""

    edited: Path
    into: Path
    memory: Path | None = None  # None: the memory was not written (--no-memory, or nothing new)
    imported: list[str] = field(default_factory=list)  # segment ids whose target was updated
    unchanged: int = 0
    stale: int = 0  # rows left as exported whose segment changed since: skipped
    conflicts: list[str] = field(default_factory=list)  # ids edited on both sides: not imported
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # remarks on the whole file

    @property
    def failed(self) -> bool:
        """Nothing could be imported although the file was meant to bring something."""
        return not self.imported and bool(self.problems)

    def summary(self) -> str:
        if self.failed:
            return (
                f"{self.edited}: nothing imported ({len(self.problems)} problem"
                f"{'s' if len(self.problems) != 1 else ''}); {self.into} left as it was"
            )
        parts = [f"{len(self.imported)} edit{'s' if len(self.imported) != 1 else ''} imported"]
        parts.append(f"{self.unchanged} unchanged")
        if self.stale:
            parts.append(f"{self.stale} older than the JSON form (skipped)")
        if self.problems:
            parts.append(f"{len(self.problems)} not imported (see above)")
        where = f"into {self.into}"
        if self.memory is not None:
            where += f" and the memory {self.memory}"
        return f"{', '.join(parts)}; {where}" if self.imported else ", ".join(parts)


def import_edits(
    edited_path: str | Path,
    into: str | Path | None = None,
    memory_path: str | Path | None = None,
    use_memory: bool = True,
) -> ImportReport:
    """Import the edited targets of a reviewed DOCX or XLIFF into its JSON form and the memory.

    Without `into`, the JSON form beside the edited file with the same stem. Edited targets get
    `status: human` and a `review` record; the memory stores them as human edits. Whole-file
    problems (not our file, another document, corrupt) raise InputError; row problems are in
    the report, and when nothing at all could be imported nothing is written. Both destinations
    or neither: the memory is opened (and checked) before the JSON form is written, and when
    the memory then fails to store the edits, the JSON form is put back as it was.
    """
    from .importers import read_edits

    edited_path = Path(edited_path)
    into = Path(into) if into is not None else edited_path.with_suffix(".json")
    if not into.is_file():
        raise InputError(
            f"{into}: no such file (the JSON form the edits go into; pass --into DOC.json)"
        )
    edited = read_edits(edited_path)
    report = ImportReport(edited=edited_path, into=into)

    def decide(document: Document) -> list[Segment]:
        _check_identity(edited, document, report)
        report.problems.extend(edited.problems)
        return _apply(edited, document, report)

    written = write_reviews(into, decide, memory_path, use_memory=use_memory)
    report.memory = written.memory
    return report


@dataclass
class Written:
    """What `write_reviews` did: the segments it changed (none: nothing was written) and the
    memory that stored them (None: not stored, by choice or because nothing changed)."""

    document: Document
    changed: list[Segment] = field(default_factory=list)
    memory: Path | None = None


def write_reviews(
    into: str | Path,
    decide: Callable[[Document], list[Segment]],
    memory_path: str | Path | None = None,
    *,
    use_memory: bool = True,
) -> Written:
    """The write half of every review (`import`, the editor's saves): under the JSON form's
    lock, load it, let `decide` record the reviews (`record_review`) and return the segments it
    changed, then write the JSON form and the memory, both or neither.

    `decide` sees the JSON form as it is on disk now, so it is where revisions are compared; it
    may raise to write nothing. The memory is opened (and checked) before the JSON form is
    written, and when it then fails to store the edits, the JSON form is put back as it was. The
    lock is held for this call only, never between two saves.
    """
    from .document import dump, load
    from .locks import json_form_lock

    into = Path(into)
    # Under the JSON form's lock, so that a translate finishing meanwhile (which merges these
    # edits at its write), an export or another save never write over each other.
    with json_form_lock(into):
        original = read_bytes(into, "JSON form")  # what to put back should the memory fail
        document = load(into)
        written = Written(document, decide(document))
        if not written.changed:
            return written
        if not use_memory:
            dump(document, into)
            return written
        from .memory import Memory, default_memory_path

        path = Path(memory_path) if memory_path is not None else default_memory_path()
        with Memory(path) as memory:  # a memory that cannot be opened stops the save here
            dump(document, into)
            try:
                _remember(written.changed, document, memory)
            except BaseException as e:  # not stored (SQLite rolls back): neither is the JSON form
                _put_back(into, original, e)
                raise
    written.memory = path
    return written


def save_edit(
    into: str | Path,
    segment_id: str,
    target: str,
    revision: str,
    memory_path: str | Path | None = None,
    *,
    use_memory: bool = True,
) -> Written:
    """Confirm `target` as the human English of one segment (what the editor's Ctrl+Enter does):
    the same review record, lock and memory as an import (`write_reviews`).

    `revision` is the segment's revision the edit was made on; when the segment has changed
    since, `Conflict` carries it as it is now and nothing is written. A segment already human
    with this very English is left as it is (nothing written).
    """
    from .errors import Conflict
    from .importers import squash

    target = squash(target)
    if not target:
        raise InputError(
            f"segment {segment_id}: the English is empty; not saved (to clear a target, edit "
            "the JSON form)"
        )

    def decide(document: Document) -> list[Segment]:
        segment = document.segment(segment_id)
        if segment is None:
            raise InputError(f"{into}: no segment {segment_id}")
        if segment.revision != revision:
            raise Conflict(
                f"segment {segment_id} changed since this edit began; not saved",
                segment_id,
                segment,
            )
        if segment.status == "human" and segment.target == target:
            return []
        record_review(segment, target, now())
        return [segment]

    return write_reviews(into, decide, memory_path, use_memory=use_memory)


def _put_back(into: Path, original: bytes, error: BaseException) -> None:
    """The JSON form as it was before the import, so that it agrees with the memory again."""
    from .files import write_bytes

    try:
        write_bytes(into, original)
    except OutputError as e:
        raise OutputError(
            f"{error} (the edits are in {into}, but not in the memory; and putting it back "
            f"failed: {e})"
        ) from None


def _check_identity(edited: EditedFile, document: Document, report: ImportReport) -> None:
    """Refuse a file made for another document; note one made from an older version of this one."""
    from .exporters import document_fingerprint

    name = str(document.meta.get("input") or "")
    if edited.original and name and edited.original != name:
        raise InputError(
            f"{edited.path}: exported from {edited.original}, not from {name} ({report.into}); "
            "import it into the JSON form of that document with --into"
        )
    if edited.fingerprint and edited.fingerprint != document_fingerprint(document):
        report.notes.append(
            f"{edited.path} was exported from another version of {report.into} (the Chinese "
            "differs); only rows whose Chinese still matches are imported"
        )


def _apply(edited: EditedFile, document: Document, report: ImportReport) -> list[Segment]:
    from .document import english_digest
    from .importers import Problem, squash

    by_id = {s.id: s for s in document.segments}
    seen: set[str] = set(edited.refused)
    changed: list[Segment] = []
    at = now()
    for found in edited.segments:
        seen.add(found.segment_id)
        segment = by_id.get(found.segment_id)
        if segment is None:
            report.problems.append(
                Problem(
                    found.where,
                    f"segment {found.segment_id} is not in {report.into} (a row added by hand, "
                    "or a file from another version); not imported",
                    segment_id=found.segment_id,
                )
            )
            continue
        if found.source is not None and not same_source(found.source, segment.source):
            report.problems.append(
                Problem(
                    found.where,
                    "the Chinese was changed in the edited file; not imported: the Chinese comes "
                    "from the input text, so correct it there and translate again, then review",
                    segment_id=segment.id,
                )
            )
            continue
        target, before = found.target, squash(segment.target)
        if found.revision is not None and found.revision != segment.revision:
            # the segment changed since the export (an import, a translate, the editor)
            if target == before:  # to what the file says (this file imported before, say)
                report.unchanged += 1
                continue
            if found.english is not None and english_digest(target) == found.english:
                report.stale += 1  # left as exported: an older English, never written over it
                continue
            report.problems.append(
                Problem(
                    found.where,
                    "conflict: edited in the file while the segment also changed since the "
                    f"export (it now reads: {_excerpt(segment.target, 60) or '(empty)'}); not "
                    "imported: export again and carry this edit over, or make it in the editor",
                    segment_id=segment.id,
                )
            )
            report.conflicts.append(segment.id)
            continue
        if not target:
            if not before:
                report.unchanged += 1
            else:
                report.problems.append(
                    Problem(
                        found.where,
                        "the English is empty in the edited file; the previous English is kept "
                        "(to clear a target, edit the JSON form)",
                        segment_id=segment.id,
                    )
                )
            continue
        if target == before and (segment.status == "human" or not _confirms(found)):
            report.unchanged += 1
            continue
        record_review(segment, target, at)
        changed.append(segment)
        report.imported.append(segment.id)
    # boilerplate is not in a DOCX (nor code or a written-out date to edit): its absence is fine
    for segment in document.translatable_segments:
        if segment.id not in seen and segment.source.strip():
            report.problems.append(
                Problem(
                    f"segment {segment.id}",
                    "not in the edited file (its row or unit was deleted?); its English is "
                    "kept as it was",
                    segment_id=segment.id,
                )
            )
    return changed


def _confirms(found: EditedSegment) -> bool:
    # A CAT tool's "reviewed"/"final" state makes an unchanged draft a human-approved target.
    return found.confirmed


def record_review(segment: Segment, target: str, at: str) -> None:
    """Make `target` the segment's human edit, recording the source and renderings it was for."""
    review = {"source": segment.source, "renderings": renderings_in_force(segment), "at": at}
    segment.apply_human(target, review)


def _remember(segments: list[Segment], document: Document, memory: Memory) -> None:
    from .memory import HumanEdit

    name = str(document.meta.get("input") or "") or None
    edits = [
        HumanEdit(
            segment.source,
            segment.target,
            list((segment.review or {}).get("renderings", [])),
            at=str((segment.review or {}).get("at", "")),
            document=name,
            segment_id=segment.id,
            segmenter=segmenter_version(document),  # what numbered these ids
        )
        for segment in segments
    ]
    memory.store_human_edits(edits)  # one transaction: all of this import or none of it


def same_source(found: str, source: str) -> bool:
    """Whether the Chinese found in an edited file is the segment's source (in either script)."""
    a, b = _normal(found), _normal(source)
    if a == b:
        return True
    if not a or not b:
        return False
    # The exporter may have written the Chinese column in Simplified (--source-script simplified).
    import opencc

    for config in ("tw2sp", "t2s"):
        convert = opencc.OpenCC(config).convert
        if _normal(convert(source)) == a or _normal(convert(found)) == _normal(convert(source)):
            return True
    return False


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def now() -> str:
    """The time of a review, as the memory writes it: UTC, to the second."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- a later translate -------------------------------------------------------------------------


def load_previous(path: str | Path, document: Document) -> Document | None:
    """The previous JSON form of `document` at `path` (the last run's output), if there is one:
    only its segments with a person's English, all that a later run carries from it.

    None when there is none or it was made from another input file. A previous JSON form that
    cannot be read stops the run: it may hold reviewed English that must not be overwritten.
    """
    from .document import load

    path = Path(path)
    if not path.is_file():
        return None
    try:
        previous = load(path, human_only=True)  # all a later run carries
    except InputError as e:
        raise InputError(
            f"{e} (it holds the previous run and may hold reviewed English: fix it, or move it "
            "away to start afresh)"
        ) from None
    name = document.meta.get("input")
    if previous.meta.get("input") and name and previous.meta["input"] != name:
        return None
    return previous


def carry_reviews(
    document: Document, previous: Document | None, *, unplaced: list[str] | None = None
) -> int:
    """Before translating: give each segment the human edit the previous JSON form holds for it.

    A segment whose source is the reviewed source of a previous human edit gets that edit,
    wherever it moved. Otherwise a human edit stays at its id even though the source there
    changed: it keeps the human text, flagged "source changed since review", until a person
    decides. The engine run then skips these segments. Returns how many segments were carried.

    When the previous form was made by another version of the segmenter, its ids may number
    other blocks, so edits are carried by their Chinese text only, never by id; a line for each
    edit that finds no sentence of the same text goes to `unplaced`.
    """
    if previous is None:
        return 0
    if segmenter_version(previous) != _current_segmenter():
        return _carry_by_text(document, previous, unplaced)
    return len(_carry(document, previous.segments))


def merge_concurrent_edits(document: Document, json_path: str | Path, started: str) -> list[str]:
    """At write time (under the JSON form's lock): keep the human edits made in the JSON form
    at `json_path` since `started` (a time as `now()` gives it), such as an import done while
    this run translated; the run would otherwise write its machine drafts over them.

    The edits are carried by the same rules as `carry_reviews` (by their Chinese only, never by
    id, when another segmenter made that JSON form), and flagged when the glossary's renderings
    changed since. Returns the ids of the segments that took one.
    """
    current = load_previous(json_path, document)
    if current is None:
        return []
    newer = [s for s in current.segments if str((s.review or {}).get("at", "")) >= started]
    same_ids = segmenter_version(current) == _current_segmenter()
    carried = _carry(document, newer, by_id=same_ids)
    for segment in carried:
        renderings = (segment.review or {}).get("renderings")
        if renderings is not None and not still_accepted(list(renderings), segment):
            segment.add_flag(GLOSSARY_CHANGED)
    return [segment.id for segment in carried]


def _carry(
    document: Document, reviewed_segments: list[Segment], *, by_id: bool = True
) -> list[Segment]:
    """The human edits among `reviewed_segments` applied to `document` (see `carry_reviews`);
    the segments that took one. Without `by_id`, an edit goes only where its Chinese is."""
    sources = {s.source for s in document.segments}
    by_source: dict[str, Segment] = {}
    at_id: dict[str, Segment] = {}
    for reviewed in reviewed_segments:
        if reviewed.status == "human" and reviewed.target.strip():
            by_source[_reviewed_source(reviewed)] = reviewed
            at_id[reviewed.id] = reviewed
    carried: list[Segment] = []
    for segment in document.segments:
        old = edit_for(
            segment, sources, by_source.get, at_id.get if by_id else None, _reviewed_source
        )
        if old is not None:
            _take(segment, old)
            carried.append(segment)
    return carried


def _take(segment: Segment, old: Segment) -> None:
    """Give `segment` the human edit of `old` (a segment of another JSON form), with its flags."""
    segment.apply_human(old.target, dict(old.review or {"source": old.source}), flags=old.flags)
    if _reviewed_source(old) != segment.source:
        segment.add_flag(SOURCE_CHANGED)


def segmenter_version(document: Document) -> int:
    """The version of the segmenter that made a JSON form: its signature says, else a version-1
    form was made by segmenter 1 and a newer one by the current segmenter."""
    signature = document.meta.get("signature") or {}
    if isinstance(signature.get("segmenter"), int):
        return int(signature["segmenter"])
    return 1 if document.form_version == 1 else _current_segmenter()


def _current_segmenter() -> int:
    from .segment import SEGMENTER_VERSION

    return SEGMENTER_VERSION


def _carry_by_text(document: Document, previous: Document, unplaced: list[str] | None) -> int:
    free: dict[str, list[Segment]] = {}
    for segment in document.segments:
        if segment.status != "human":
            free.setdefault(_normal(segment.source), []).append(segment)
    name = previous.meta.get("input") or "the previous JSON form"
    carried = 0
    for old in previous.segments:
        if old.status != "human" or not old.target.strip():
            continue
        # the sentence as it reads now, else the one the review was made for
        places = free.get(_normal(old.source)) or free.get(_normal(_reviewed_source(old)))
        if not places:
            if unplaced is not None:
                unplaced.append(
                    f"{name}: the reviewed English of {old.id} (「{_excerpt(old.source)}」) was "
                    "not carried: the segmenter changed and no sentence of the new text has its "
                    f"Chinese; it was: {_excerpt(old.target, 60)}"
                )
            continue
        _take(places.pop(0), old)
        carried += 1
    return carried


def _excerpt(text: str, size: int = 20) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _reviewed_source(segment: Segment) -> str:
    return str((segment.review or {}).get("source", segment.source))
