"""Rendering rules: which rendering each term occurrence gets (first mention or later)."""

from __future__ import annotations

from ..document import Document, Segment, Term
from .entry import Entry
from .match import Occurrence
from .model import Glossary

UNVERIFIED = "rendering not verified"


def annotate(document: Document, glossary: Glossary) -> None:
    """Fill every segment's `terms`, in order: `first` at an entry's first mention, `en` after.

    The first mention is the first occurrence in document order (titles included). A restating
    parenthetical right after a term is part of that occurrence's span.
    """
    mentioned: set[int] = set()
    segments = document.segments
    found = glossary.occurrences_in([s.source for s in segments])
    for segment, occurrences in zip(segments, found, strict=True):
        segment.terms = _terms(segment, occurrences, mentioned)


def _terms(segment: Segment, occurrences: list[Occurrence], mentioned: set[int]) -> list[Term]:
    terms: list[Term] = []
    for occurrence in occurrences:
        entry = occurrence.entry
        first_mention = id(entry) not in mentioned
        mentioned.add(id(entry))
        terms.append(
            Term(
                source=segment.source[occurrence.start : occurrence.end],
                rendering=entry.rendering(first_mention=first_mention),
                start=occurrence.start,
                end=occurrence.end,
                note=term_note(entry),
                also=list(entry.also) or None,
            )
        )
    return terms


def term_note(entry: Entry) -> str | None:
    """What a reader of the output should know about a term: that its rendering is not verified
    (first, as it matters most), then the glossary's own `note`. The exporters show it in the
    HTML tooltip, the glossary appendix and the XLIFF notes."""
    parts = []
    if not entry.verified:
        parts.append(f"{UNVERIFIED} (see {entry.where})" if entry.file else UNVERIFIED)
    if entry.note and entry.note.strip():
        parts.append(" ".join(entry.note.split()))
    return "; ".join(parts) or None
