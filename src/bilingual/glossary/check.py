"""The glossary's check of a translation: is each term's rendering in the segment's English?"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Segment, Term
from .fold import is_latin

_SPACES = re.compile(r"\s+")


@dataclass
class TermFinding:
    """A term whose rendering is missing from a target, or whose parenthetical was doubled."""

    kind: str  # "missing" | "doubled"
    term: Term
    message: str


def term_findings(segment: Segment) -> list[TermFinding]:
    """Check `segment.target` against `segment.terms`; nothing to say about an empty target."""
    target = _SPACES.sub(" ", segment.target)
    if not target.strip() or not segment.terms:
        return []
    findings = _missing(segment.terms, target)
    findings.extend(_doubled(segment.terms, target))
    findings.sort(key=lambda f: (f.term.start, f.kind))
    return findings


def _missing(terms: list[Term], target: str) -> list[TermFinding]:
    # Terms grouped by what satisfies them: their rendering, or any of the glossary's `also`.
    required: dict[tuple[str, ...], list[Term]] = {}
    for term in terms:
        forms = [term.rendering, *(term.also or [])]
        accepted = tuple(dict.fromkeys(_SPACES.sub(" ", f.strip()) for f in forms))
        required.setdefault(accepted, []).append(term)
    findings: list[TermFinding] = []
    # Longest renderings first, blanked out once counted: "EPPD" inside "… Dialogue (EPPD)" must
    # not count as a second, separate EPPD.
    working = target
    for accepted in sorted(required, key=lambda forms: max(map(len, forms)), reverse=True):
        found = 0
        for rendering in sorted(accepted, key=len, reverse=True):
            spans = list(occurrences(working, rendering))
            for start, end in spans:
                working = working[:start] + "\0" * (end - start) + working[end:]
            found += len(spans)
        wanted = required[accepted]
        others = "".join(f" or “{a}”" for a in accepted[1:])
        for term in wanted[found:]:
            findings.append(
                TermFinding(
                    "missing",
                    term,
                    f"term {term.source} must read “{accepted[0]}”{others}"
                    + (f" ({len(wanted)} times)" if len(wanted) > 1 else "")
                    + f"; the English has it {found} time{'s' if found != 1 else ''}",
                )
            )
    return findings


def occurrences(text: str, rendering: str) -> list[tuple[int, int]]:
    """Non-overlapping spans of `rendering` in `text`, not inside longer Latin words.

    Exact, except that a lower-case first letter may be capitalised (a sentence can start with
    "The sixth").
    """
    if not rendering:
        return []
    pattern = re.escape(rendering)
    head = rendering[0]
    if head.isalpha() and head.islower():
        pattern = f"[{head}{head.upper()}]" + re.escape(rendering[1:])
    spans = []
    for match in re.finditer(pattern, text):
        start, end = match.span()
        if rendering[0].isalnum() and start > 0 and is_latin(text[start - 1]):
            continue
        if rendering[-1].isalnum() and end < len(text) and is_latin(text[end]):
            continue
        spans.append((start, end))
    return spans


def _doubled(terms: list[Term], target: str) -> list[TermFinding]:
    findings: list[TermFinding] = []
    for term in terms:
        inner = _parenthetical(term.source)
        if inner is None:
            continue
        restated = rf"[(（]\s*{re.escape(inner)}\s*[)）]"
        rendering = re.escape(_SPACES.sub(" ", term.rendering.strip()))
        if re.search(rf"{rendering}\s*{restated}", target, re.IGNORECASE) or re.search(
            rf"{restated}\s*{restated}", target, re.IGNORECASE
        ):
            findings.append(
                TermFinding(
                    "doubled",
                    term,
                    f"term {term.source}: the parenthetical ({inner}) is doubled; "
                    f"write “{term.rendering}” once",
                )
            )
    return findings


def _parenthetical(source: str) -> str | None:
    """The content of the restating parenthetical that closes a merged term span, if any."""
    if not source or source[-1] not in "）)":
        return None
    opening = max(source.rfind("（"), source.rfind("("))
    if opening <= 0:
        return None
    inner = source[opening + 1 : -1].strip()
    return inner or None
