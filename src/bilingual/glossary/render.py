"""Rendering rules: which rendering each term occurrence gets (first mention or later)."""

from __future__ import annotations

from ..document import Document, Segment, Term, no_items
from .entry import Entry
from .match import Occurrence
from .model import Glossary

UNVERIFIED = "rendering not verified"


# The blocks a reader reads as the body: the first mention of a term is the first one in them.
FIRST_MENTION_KINDS = ("paragraph",)


def annotate(document: Document, glossary: Glossary) -> None:
    """Fill every segment's `terms`, in order: `first` at an entry's first mention, `en` after.

    The first mention is the first occurrence in a `paragraph` block, in reading order: a title,
    heading, caption or byline gets the usual rendering and leaves the full form to the body
    (a caption above the lead would otherwise take it). A restating parenthetical right after
    a term is part of that occurrence's span.
    """
    mentioned: set[int] = set()
    found = iter(glossary.occurrences_in([s.source for s in document.segments]))
    for block in document.blocks:
        body = block.kind in FIRST_MENTION_KINDS
        for segment in block.segments:
            # most segments have none: they keep the shared empty list
            terms = _terms(segment, next(found), mentioned if body else None)
            segment.terms = terms or no_items()


def _terms(
    segment: Segment, occurrences: list[Occurrence], mentioned: set[int] | None
) -> list[Term]:
    """The segment's terms; `mentioned` (None outside the body) holds the entries already met."""
    terms: list[Term] = []
    for occurrence in occurrences:
        entry = occurrence.entry
        first_mention = mentioned is not None and id(entry) not in mentioned
        if mentioned is not None:
            mentioned.add(id(entry))
        rendering = entry.rendering(first_mention=first_mention)
        other = entry.rendering(first_mention=not first_mention)
        terms.append(
            Term(
                source=segment.source[occurrence.start : occurrence.end],
                rendering=rendering,
                start=occurrence.start,
                end=occurrence.end,
                note=term_note(entry),
                also=list(entry.also) or None,
                other_form=other if other != rendering else None,
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
