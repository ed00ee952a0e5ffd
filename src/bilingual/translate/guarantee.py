"""The guarantee on a language model's English, segment by segment: what must hold before a draft
is taken, and what is wrong when it does not.

1. the English is there, not empty, not a copy of the source, with no Han characters (outside a
   rendering that has them), and of a plausible length;
2. each glossary occurrence's rendering (or an `also`) is in it as often as the source has the
   term, the first-mention form where that rule applies, no doubled parenthetical;
3. its numbers agree with the source's as `bilingual check` reads them.

The run loop (`run.py`) asks for `problems` and repairs what fails; the placeholder path and the
fallback can fix a term, not a number or a length (`terms_can_fix`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..check import ERROR, number_findings, squash
from ..document import Segment
from ..glossary import term_findings
from ..script import count_han, has_han

# A plausible English for a Chinese source of n characters: at most this many characters per
# source character (plus a margin for names and short segments). Two segments' English under
# one id, or a model's commentary, goes over it.
MAX_PER_CHARACTER = 6
MAX_MARGIN = 60
# ... and at least this many per Han character, once a source has enough of them to tell.
MIN_PER_HAN = 0.4
MIN_HAN = 12


@dataclass
class Problem:
    """One thing wrong with a draft: `kind` is "empty", "copy", "chinese", "length", "term" or
    "number"; `message` names it for the model asked again and for the segment's notes."""

    kind: str
    message: str


def problems(segment: Segment, text: str, number_context: Any) -> list[Problem]:
    """What is wrong with `text` as the English of `segment` (empty when nothing is).

    `number_context` is what `check.number_context` says of the segment's document.
    """
    text = text.strip()
    if not text:
        return [Problem("empty", "the English is missing or empty")]
    if squash(text) == squash(segment.source):
        return [Problem("copy", "the English is a copy of the Chinese")]
    found: list[Problem] = []
    rest = text
    for term in segment.terms:  # a rendering may hold Chinese on purpose
        if has_han(term.rendering):
            rest = rest.replace(term.rendering, " ")
    if has_han(rest):
        found.append(Problem("chinese", "the English has Chinese characters in it"))
    found.extend(_length(segment.source, text))
    drafted = replace(segment, target=text)  # the checks read a segment's target
    for finding in term_findings(drafted):
        found.append(Problem("term", finding.message))
    for number in number_findings(drafted, number_context):
        if number.severity == ERROR:
            found.append(Problem("number", number.message))
    return found


def _length(source: str, text: str) -> list[Problem]:
    if len(text) > MAX_PER_CHARACTER * len(source) + MAX_MARGIN:
        return [
            Problem(
                "length",
                f"the English is too long for its source ({len(text)} characters for "
                f"{len(source)}): another segment's English or a comment in it?",
            )
        ]
    han = count_han(source)
    if han >= MIN_HAN and len(text) < MIN_PER_HAN * han:
        return [
            Problem("length", f"the English is too short for its source ({len(text)} characters)")
        ]
    return []


def terms_can_fix(found: list[Problem], segment: Segment) -> bool:
    """Whether the placeholder path or the fallback can mend `found`: they write new English
    around the renderings, so they mend a segment with terms unless only its numbers or its
    length are wrong."""
    return bool(segment.terms) and any(p.kind not in ("number", "length") for p in found)


def note(problem: Problem) -> str:
    """How a problem left standing reads in a segment's notes."""
    return f"check: {problem.message}"
