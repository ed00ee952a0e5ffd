"""Splitting a segment that is longer than the model takes into pieces it can take.

A model reads a bounded number of tokens (CTranslate2 silently drops the rest), so a segment
over that limit is cut at its clause boundaries: sentence ends first, then ；：, then ，、, then
spaces, and only then anywhere. No cut falls inside a glossary term, so each piece keeps its
terms whole and term protection works on a piece as on any sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..document import Segment
from ..script import CLOSERS
from .terms import protect

__all__ = ["BOUNDARIES", "fits", "in_pieces", "pieces_note", "split_segment", "split_text"]

# Cut after any of these, strongest first; a stretch still too long goes to the next level.
BOUNDARIES = ("。！？!?\n", "；;：:", "，,、", " \u3000\t")


def split_text(
    text: str,
    limit: int,
    count: Callable[[str], int],
    *,
    keep: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """`text` cut into pieces of at most `limit` tokens (by `count`); they join back to `text`.

    No cut falls strictly inside a span of `keep` (start, end): a span longer than `limit` on
    its own stays whole, in a piece over the limit.
    """
    if limit < 1:
        raise ValueError(f"limit must be positive, not {limit}")
    if count(text) <= limit:
        return [text]
    inside = _inside(len(text), keep)
    cuts = _pieces(text, 0, len(text), 0, limit, count, inside)
    return [text[a:b] for a, b in cuts]


def _inside(length: int, keep: Sequence[tuple[int, int]]) -> set[int]:
    """Positions where a cut would split a span of `keep` (cut at p: between p-1 and p)."""
    blocked: set[int] = set()
    for start, end in keep:
        blocked.update(range(max(start + 1, 1), min(end, length)))
    return blocked


def _pieces(
    text: str,
    start: int,
    end: int,
    level: int,
    limit: int,
    count: Callable[[str], int],
    inside: set[int],
) -> list[tuple[int, int]]:
    """Pieces of text[start:end] (known to be over `limit`) cut at `BOUNDARIES[level]` or finer."""
    if level == len(BOUNDARIES):
        return _anywhere(text, start, end, limit, count, inside)
    marks = BOUNDARIES[level]
    clauses: list[tuple[int, int]] = []
    a = start
    position = start
    while position < end:
        if text[position] in marks:
            cut = position + 1
            while cut < end and (text[cut] in marks or text[cut] in CLOSERS):
                cut += 1
            if cut < end and cut not in inside:
                clauses.append((a, cut))
                a = cut
            position = cut
        else:
            position += 1
    clauses.append((a, end))
    # Each clause counted once; a clause over the limit is cut finer first.
    sized: list[tuple[int, int, int]] = []
    for a, b in clauses:
        tokens = count(text[a:b])
        if tokens <= limit:
            sized.append((a, b, tokens))
        else:
            sized.extend(
                (x, y, count(text[x:y]))
                for x, y in _pieces(text, a, b, level + 1, limit, count, inside)
            )
    # Neighbouring clauses packed together while their summed counts fit. A sum is at least the
    # count of the joined text (each count has its own leading word marker), so a packed piece
    # almost always fits; one that does not is packed again more carefully.
    result: list[tuple[int, int]] = []
    run_start, run_end, run_tokens = sized[0]
    for a, b, tokens in sized[1:]:
        if run_tokens + tokens <= limit:
            run_end, run_tokens = b, run_tokens + tokens
        else:
            result.extend(_checked(text, run_start, run_end, limit, count, inside))
            run_start, run_end, run_tokens = a, b, tokens
    result.extend(_checked(text, run_start, run_end, limit, count, inside))
    return result


def _checked(
    text: str, start: int, end: int, limit: int, count: Callable[[str], int], inside: set[int]
) -> list[tuple[int, int]]:
    if count(text[start:end]) <= limit:
        return [(start, end)]
    return _anywhere(text, start, end, limit, count, inside)


def _anywhere(
    text: str, start: int, end: int, limit: int, count: Callable[[str], int], inside: set[int]
) -> list[tuple[int, int]]:
    """The longest pieces that fit, one after the other, cut wherever a term allows."""
    result: list[tuple[int, int]] = []
    a = start
    while a < end:
        if count(text[a:end]) <= limit:
            result.append((a, end))
            break
        # Binary search for the longest text[a:b] that fits: counts grow with length.
        low, high = a + 1, end - 1
        while low < high:
            middle = math.ceil((low + high) / 2)
            if count(text[a:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        b = low
        while b > a + 1 and b in inside:
            b -= 1
        if b in inside:  # a term longer than the limit: kept whole
            b = a + 1
            while b < end and b in inside:
                b += 1
        result.append((a, b))
        a = b
    return result


_PIECES = " pieces: too long for the model"


def pieces_note(count: int) -> str:
    """The note on a segment translated in `count` pieces."""
    return f"translated in {count}{_PIECES}"


def in_pieces(notes: Sequence[str]) -> bool:
    """Whether a draft's `notes` say it was translated in pieces."""
    return any(n.startswith("translated in ") and n.endswith(_PIECES) for n in notes)


def split_segment(
    segment: Segment, limit: int, count: Callable[[str], int]
) -> list[tuple[int, Segment]] | None:
    """Pieces of `segment` the model can take, each with its offset in the source; None if the
    segment fits whole.

    A piece is a Segment of its own holding the terms that lie in it (offsets moved), so it is
    protected, translated and checked like any sentence. It fits when both its source and its
    protected text (placeholders in place of the terms, which may count a token more) do.
    """
    if fits(segment, limit, count):
        return None
    return [
        (offset, replace(piece, id=f"{segment.id}/{n}"))
        for n, (offset, piece) in enumerate(_split(segment, limit, count), start=1)
    ]


def fits(segment: Segment, limit: int, count: Callable[[str], int]) -> bool:
    """Whether the model takes `segment` whole: its source and its protected text."""
    if count(segment.source) > limit:
        return False
    return not segment.terms or count(protect(segment).text) <= limit


def _split(segment: Segment, limit: int, count: Callable[[str], int]) -> list[tuple[int, Segment]]:
    spans = [(term.start, term.end) for term in segment.terms]
    budget = count(segment.source)
    # A source that fits but whose placeholders make it too long is cut a little shorter.
    budget = limit if budget > limit else max(1, budget - 1)
    texts = split_text(segment.source, budget, count, keep=spans)
    result: list[tuple[int, Segment]] = []
    offset = 0
    for text in texts:
        end = offset + len(text)
        terms = [
            replace(term, start=term.start - offset, end=term.end - offset, placed=None)
            for term in segment.terms
            if offset <= term.start and term.end <= end
        ]
        piece = Segment(id=segment.id, source=text, terms=terms)
        if fits(piece, limit, count) or len(texts) == 1:  # else a term alone is over the limit
            result.append((offset, piece))
        else:
            result.extend((offset + o, p) for o, p in _split(piece, limit, count))
        offset = end
    return result
