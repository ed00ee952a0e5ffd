"""Quality checks on a translated Document: what a reviewer should look at, segment by segment.

Owns the `Finding` record and `check_document`: the pipeline's check stage runs it and passes the
findings to the exporters (HTML marks rows, DOCX adds comments); `bilingual check` prints them.
The checks: glossary renderings (the glossary's own `term_findings`), numbers that do not survive,
untranslated or empty targets, a target equal to its source, unbalanced quotes and brackets, and a
length ratio far from the document's norm.
"""

from __future__ import annotations

import dataclasses
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .document import Document, Segment, renderings_in_force
from .numbers import extra_digits, missing_facts, source_numbers, target_numbers
from .script import BRACKET_FAMILIES, HAN, count_han, has_han

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


@dataclass(slots=True)
class Finding:
    """One thing wrong with one segment's target."""

    segment_id: str
    severity: Severity
    code: str  # "term-missing", "number-missing", "untranslated", "empty", ...
    message: str  # one line, for people

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    """What `check_file` found, with the document it checked (for excerpts)."""

    document: Document
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def checked(self) -> int:
        """How many segments were checked (those with Chinese to translate)."""
        return sum(1 for s in self.document.translatable_segments if s.source.strip())

    def summary(self) -> str:
        return f"{self.checked} segments checked: {self.errors} errors, {self.warnings} warnings"

    def shared_warnings(self) -> list[SharedWarning]:
        """The warnings every checked segment has, word for word (a worksheet's `empty`): one
        line each says more than the same line for every segment."""
        if self.checked < 2:
            return []
        segments: dict[tuple[str, str], set[str]] = {}
        for f in self.findings:
            if f.severity == WARNING:
                segments.setdefault((f.code, f.message), set()).add(f.segment_id)
        return [
            SharedWarning(code, message, len(ids))
            for (code, message), ids in segments.items()
            if len(ids) >= self.checked
        ]

    def listed_findings(self) -> list[Finding]:
        """The findings to show one by one: all but the shared warnings."""
        shared = {(w.code, w.message) for w in self.shared_warnings()}
        return [
            f
            for f in self.findings
            if not (f.severity == WARNING and (f.code, f.message) in shared)
        ]


# How a warning that every segment shares reads as one line, by code (else the code and message).
SHARED_WORDING = {"empty": "{count} segments have no English yet"}


@dataclass
class SharedWarning:
    """One warning that every checked segment has."""

    code: str
    message: str
    count: int  # segments

    def __str__(self) -> str:
        wording = SHARED_WORDING.get(self.code)
        if wording is not None:
            return wording.format(count=self.count)
        return f"all {self.count} segments: {self.code}: {self.message}"


def check_file(path: str | Path, glossary_paths: Sequence[str | Path] | None = None) -> CheckResult:
    """Load a JSON form and check it; with `glossary_paths`, against that glossary's renderings.

    Without a glossary the terms stored in the JSON form (those of the translation run) are used.
    """
    from .document import load

    document = load(path)
    if glossary_paths:
        from .glossary import annotate, load_glossary

        annotate(document, load_glossary(glossary_paths))
    return CheckResult(document, check_document(document))


def check_document(document: Document) -> list[Finding]:
    """Every finding on `document`, in segment order (errors before warnings within a segment)."""
    context = _Context.of(document)
    findings: list[Finding] = []
    content: list[Segment] = []  # segments whose target is worth measuring for the length norm
    for segment in document.translatable_segments:
        found, measurable = _check_segment(segment, context)
        findings.extend(sorted(found, key=lambda f: f.severity != ERROR))
        if measurable:
            content.append(segment)
    late: dict[str, list[Finding]] = {}  # the length norm's, known once every segment is
    for finding in _length_findings(content):
        late.setdefault(finding.segment_id, []).append(finding)
    if not late:
        return findings
    # each segment's length finding after its own (all warnings): merged in one walk, with no
    # sort key or position held for every finding of a million-segment text
    merged: list[Finding] = []
    at = 0
    for segment in document.translatable_segments:
        while at < len(findings) and findings[at].segment_id == segment.id:
            merged.append(findings[at])
            at += 1
        merged.extend(late.get(segment.id, ()))
    return merged


class DraftChecker:
    """The findings on one segment's draft English, as `check_document` would give them were the
    draft saved: what the editor shows while the reviewer types.

    The whole document is checked once, when the checker is made (for the length norm, which
    depends on every segment); each draft is then checked alone, fast enough for every pause in
    typing on a long document. `document` is never changed.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.context = _Context.of(document)
        self.measured: dict[str, Segment] = {}  # the segments that count towards the norm
        for segment in document.translatable_segments:
            if _check_segment(segment, self.context)[1]:
                self.measured[segment.id] = segment
        self.checked = {s.id for s in document.translatable_segments}

    def after_save(self, document: Document, segment_id: str) -> DraftChecker:
        """The checker of `document`, which is this checker's document with only segment
        `segment_id` changed (a save): that segment alone is checked again."""
        checker = DraftChecker.__new__(DraftChecker)
        checker.document = document
        checker.context = _Context.of(document)
        checker.checked = self.checked
        by_id = {s.id: s for s in document.segments}
        checker.measured = {i: by_id.get(i, s) for i, s in self.measured.items()}
        checker.measured.pop(segment_id, None)
        segment = by_id.get(segment_id)
        measurable = segment is not None and segment_id in self.checked
        if segment is not None and measurable and _check_segment(segment, checker.context)[1]:
            checker.measured[segment_id] = segment
        return checker

    def check(self, segment_id: str, target: str) -> list[Finding]:
        """The findings on segment `segment_id` with `target` as its English."""
        import copy

        segment = self.document.segment(segment_id)
        if segment is None or segment_id not in self.checked:
            return []
        draft = copy.deepcopy(segment)
        if draft.status == "human" and target.strip():
            draft.apply_human(target, dict(draft.review or {}), flags=draft.flags)
        else:
            draft.apply_draft(target, draft.notes, [t.placed for t in draft.terms])
        context = self.context
        if target.strip() and not context.started:
            context = dataclasses.replace(context, started=True)
        findings, measurable = _check_segment(draft, context)
        others = [s for i, s in self.measured.items() if i != segment_id]
        findings += [
            f
            for f in _length_findings([*others, *([draft] if measurable else [])])
            if f.segment_id == segment_id
        ]
        findings.sort(key=lambda f: f.severity != ERROR)
        return findings


# --- per segment -------------------------------------------------------------------------------

TermCheck = Callable[[Segment], list[Any]]


@dataclass
class _Context:
    """What the per-segment checks need to know about the whole document."""

    term_check: TermCheck | None
    # A worksheet (nothing translated yet) is not wrong, only unfinished: its empty targets are
    # warnings. Once anything is translated, an empty target is a gap in the translation.
    started: bool
    doc_year: int | None  # the article's year: a full date of that year may omit it
    known_values: set[float]  # numbers any segment may mention: the article's date

    @classmethod
    def of(cls, document: Document) -> _Context:
        date = str(document.meta.get("date") or "")
        parts = [int(p) for p in re.findall(r"\d+", date)]
        year = parts[0] if parts and 1000 <= parts[0] <= 2200 else None
        return cls(
            term_check=_term_check(),
            # a dateline's date is written out by the segmenter: no sign of a translation
            started=any(s.target.strip() for s in document.translatable_segments),
            doc_year=year,
            known_values={float(p) for p in parts},
        )


def _term_check() -> TermCheck | None:
    # The glossary package is optional at this level: without it the other checks still run.
    try:
        from .glossary import term_findings
    except ImportError:
        return None
    return term_findings


def _check_segment(segment: Segment, context: _Context) -> tuple[list[Finding], bool]:
    """Findings on one segment, and whether its target counts towards the length norm."""
    findings = [Finding(segment.id, WARNING, "flagged", flag) for flag in segment.flags]
    source, target = segment.source.strip(), segment.target.strip()
    if not source:
        return findings, False

    def add(severity: Severity, code: str, message: str) -> None:
        findings.append(Finding(segment.id, severity, code, message))

    if not target:
        if segment.status == "empty":
            add(
                ERROR if context.started else WARNING,
                "empty",
                "not translated yet: the target is empty",
            )
        else:
            add(
                ERROR,
                "empty",
                f"the target is empty although the segment is marked {segment.status}",
            )
        return findings, False
    if has_han(source) and squash(source) == squash(target):
        add(ERROR, "same-as-source", "the target is the same as the source: not translated")
        return findings, False
    left = _chinese_left(segment)
    if left is not None:
        severity, message = left
        add(severity, "untranslated", message)
        if severity == ERROR and _han_share(target) >= 0.5:
            return findings, False  # mostly Chinese: term and number findings would be noise
    if context.term_check is not None and segment.terms:
        for tf in context.term_check(segment):
            kind = str(getattr(tf, "kind", "missing"))
            add(WARNING if kind == "doubled" else ERROR, f"term-{kind}", str(tf.message))
    findings.extend(number_findings(segment, context))
    for message in unbalanced(source, target):
        add(WARNING, "unbalanced", message)
    return findings, count_han(source) >= MIN_HAN_FOR_RATIO


def number_findings(segment: Segment, context: _Context) -> list[Finding]:
    """The numbers of the source that the target does not keep, and numbers it adds (errors,
    but a year added is a warning); the terms' own numbers are the glossary's business."""
    findings: list[Finding] = []
    facts = source_numbers(segment.source, doc_year=context.doc_year)
    quantities = target_numbers(segment.target)
    spans = _term_spans(segment)
    kept = [f for f in facts if all(f.span[1] <= a or f.span[0] >= b for a, b in spans)]
    for fact in missing_facts(kept, quantities, segment.target):
        findings.append(Finding(segment.id, ERROR, "number-missing", fact.message()))
    extra = extra_digits(facts, quantities, context.known_values, renderings_in_force(segment))
    if extra:
        # A year is the usual clarification a translator adds (去年 -> "in 2025"); any other
        # number the Chinese does not have is wrong until someone checks it.
        years = all(re.fullmatch(r"(19|20)\d\d", n) for n in extra)
        shown = ", ".join(extra)
        findings.append(
            Finding(
                segment.id,
                WARNING if years else ERROR,
                "number-extra",
                f"number {shown} in the target is not in the source",
            )
        )
    return findings


def number_context(document: Document) -> _Context:
    """What the number check needs to know of `document` (its date)."""
    return _Context.of(document)


def squash(text: str) -> str:
    """`text` without spaces, NFKC-normalised: how a copy of the source is told."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _term_spans(segment: Segment) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in segment.terms]


# --- Chinese left in the target ----------------------------------------------------------------

_HAN_RUN = re.compile(f"[{HAN}]+")
_CJK_PUNCT = re.compile(r"[，。、；：！？「」『』《》〈〉【】（）…—]")
_LATIN = re.compile(r"[A-Za-z]")


def _han_share(text: str) -> float:
    han, latin = count_han(text), len(_LATIN.findall(text))
    return han / (han + latin) if han + latin else 0.0


def _chinese_left(segment: Segment) -> tuple[Severity, str] | None:
    """(severity, message) when the target still holds Chinese, else None."""
    target = segment.target
    # a rendering may itself hold Chinese, on purpose
    for rendering in renderings_in_force(segment):
        if has_han(rendering):
            target = target.replace(rendering, " ")
    runs = [(m.start(), m.group()) for m in _HAN_RUN.finditer(target)]
    if runs:
        shown = "".join(r for _, r in runs)
        shown = shown if len(shown) <= 12 else shown[:12] + "…"
        # "Liu Wei-lian (劉威廉)": Chinese kept in brackets after English is a deliberate gloss.
        if all(_in_brackets(target, start) for start, _ in runs) and _LATIN.search(target):
            return WARNING, f"Chinese kept in brackets in the target: {shown}"
        if _han_share(target) >= 0.5:
            return ERROR, f"the target is still Chinese: {shown}"
        return ERROR, f"Chinese left untranslated in the target: {shown}"
    punct = "".join(dict.fromkeys(_CJK_PUNCT.findall(target)))
    if punct:
        return WARNING, f"Chinese punctuation left in the target: {punct}"
    return None


def _in_brackets(text: str, index: int) -> bool:
    before = text[:index]
    return before.count("(") > before.count(")") or before.count("（") > before.count("）")


# --- quotes and brackets -----------------------------------------------------------------------

# Families of marks whose balance is compared between source and target: a quotation may run
# over several sentences, so a segment may open one and close it in the next. Only a balance
# that differs from the source's is reported.
_PAIRS = {
    family: ("".join(pairs), "".join(pairs.values())) for family, pairs in BRACKET_FAMILIES.items()
}


_MARKS = re.compile("[" + re.escape("".join(a + b for a, b in _PAIRS.values()) + '"') + "]")


def _balance(text: str, opening: str, closing: str) -> int:
    return sum(text.count(c) for c in opening) - sum(text.count(c) for c in closing)


def unbalanced(source: str, target: str) -> list[str]:
    """Messages for quote and bracket families whose balance in `target` differs from `source`."""
    messages: list[str] = []
    if not _MARKS.search(source) and not _MARKS.search(target):
        return messages
    for name, (opening, closing) in _PAIRS.items():
        if name == "single quotes":
            # ’ is also the apostrophe (Taiwan’s), so only a stray opening ‘ says anything.
            target_balance = max(0, _balance(target, opening, closing))
            source_balance = max(0, _balance(source, opening, closing))
        else:
            target_balance = _balance(target, opening, closing)
            source_balance = _balance(source, opening, closing)
        if name == "quotes":  # straight quotes pair with themselves
            target_straight = target.count('"') % 2
            if target_straight and not source_balance and not source.count('"') % 2:
                messages.append('unbalanced straight quotes (") in the target')
                continue
            if target.count('"'):
                continue  # mixed straight and curly quotes: counting cannot tell
        if target_balance != source_balance:
            which = "opening" if target_balance > source_balance else "closing"
            messages.append(f"unbalanced {name} in the target: an extra {which} mark")
    return messages


# --- length ratio ------------------------------------------------------------------------------

MIN_HAN_FOR_RATIO = 8  # headings and datelines are too short for a meaningful ratio
MIN_SEGMENTS_FOR_RATIO = 8
# Modified z-score (Iglewicz and Hoaglin): 0.6745 (x - median) / MAD, outliers beyond 3.5. The
# floor on the MAD keeps a very uniform document from flagging ordinary variation.
Z_LIMIT = 3.5
MAD_FLOOR = 0.15  # in natural-log units of the target/source length ratio


def _length_findings(segments: Sequence[Segment]) -> list[Finding]:
    if len(segments) < MIN_SEGMENTS_FOR_RATIO:
        return []
    ratios = [len(s.target.strip()) / len(s.source.strip()) for s in segments]
    logs = [math.log(r) for r in ratios]
    median = statistics.median(logs)
    mad = max(statistics.median(abs(x - median) for x in logs), MAD_FLOOR)
    norm = math.exp(median)
    findings = []
    for segment, ratio, x in zip(segments, ratios, logs, strict=True):
        z = 0.6745 * (x - median) / mad
        if abs(z) > Z_LIMIT:
            how = "long" if z > 0 else "short"
            findings.append(
                Finding(
                    segment.id,
                    WARNING,
                    "length-ratio",
                    f"the target is unusually {how}: {ratio:.1f} characters per source character, "
                    f"against {norm:.1f} in this document",
                )
            )
    return findings
