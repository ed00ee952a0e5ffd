"""Term protection around any engine: placeholders the model copies through, and the fallback.

The primary path replaces each term occurrence in a segment's source by a short Latin
placeholder (`ZQX`, `ZQJ`, ...), lets the engine translate the sentence, and puts the chosen
rendering where the placeholder came out. Placeholders look like the acronyms a zh->en model
copies verbatim (EPPD, UNDP): plain ASCII capitals, untouched by OpenCC and split by SentencePiece
into letters that exist on the target side. When a placeholder is dropped, duplicated or mangled,
`restore` refuses and the caller falls back to `fallback_parts` + `join`: the source is split at
its terms, only the pieces in between are translated, and the renderings are put between them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from ..document import Segment, Term
from ..script import BRACKETS

__all__ = ["Part", "Protection", "fallback_parts", "join", "protect", "restore"]

# "Z" followed by rare consonants: no English word or common acronym looks like this.
_LEAD = "Z"
_LETTERS = "QXJVKW"
# Anything of the placeholder family left in a target after restoring means the model mangled
# one (ZQX -> ZQ X, ZXQ, ZQXJ): the sentence is not trusted then.
_FAMILY = re.compile(rf"(?<![A-Za-z0-9]){_LEAD}[{_LETTERS}]{{1,4}}(?![A-Za-z0-9])", re.IGNORECASE)

# Brackets and quotes that a term's span may cut in half: 「經濟繁榮夥伴對話」（EPPD） is one
# occurrence whose span starts inside the quotes. The unmatched half stays in the sentence.
_PAIRS = BRACKETS
_CLOSERS = {v: k for k, v in _PAIRS.items()}

# Chinese punctuation between the pieces of a fallback, in English.
_PUNCTUATION = {
    "，": ",",
    "、": ",",
    "。": ".",
    "！": "!",
    "？": "?",
    "：": ":",
    "；": ";",
    "「": "“",
    "」": "”",
    "『": "‘",
    "』": "’",
    "（": "(",
    "）": ")",
    "《": "“",
    "》": "”",
    "〈": "“",
    "〉": "”",
    "【": "[",
    "】": "]",
    "…": "...",
    "—": "—",
    "～": "~",
    "·": " ",
    "・": " ",
}
_NO_SPACE_BEFORE = set(",.;:!?)]”’%…")
_NO_SPACE_AFTER = set("([“‘")
_SENTENCE_END = set(".!?")

# A fragment translated on its own comes back capitalised ("The", "And"); inside a sentence
# these words read lower case. Only common function words: names keep their capitals.
_FUNCTION_WORDS = (
    "A About Added After All Also Although An And Any Are As At Be Because Been Before Both But "
    "By Can Could During Each Emphasized Even For From Further Had Has Have He Hoped However If "
    "In Into Is It Its Many Mentioned More Most Must Noted Not Of On Only Or Other Our Pointed "
    "Said Says She Should Since So Some Stated Stressed Such Than That The Their Them Then There "
    "These They This Those Through To Under Was We Were What When Which While Who Will With "
    "Would"
)
_LOWER_INSIDE = frozenset(_FUNCTION_WORDS.split())


@dataclass
class Protection:
    """A segment's source with each term occurrence replaced by its placeholder."""

    text: str
    placeholders: list[str]  # placeholders[i] stands for segment.terms[i]


@dataclass
class Part:
    """One part of a fallback: source text to translate, a term's rendering, or punctuation."""

    kind: str  # "text" (translate `value`), "term" (`value` is the rendering), "punct"
    value: str
    term: int | None = None  # index into segment.terms for kind "term"


def placeholders(count: int, avoid: str = "") -> list[str]:
    """`count` distinct placeholders, none of which occurs in `avoid` (case-insensitive)."""
    avoid = avoid.upper()
    result: list[str] = []
    for size in itertools.count(2):
        for letters in itertools.permutations(_LETTERS, size):
            token = _LEAD + "".join(letters)
            if token not in avoid:
                result.append(token)
                if len(result) == count:
                    return result
        if size >= len(_LETTERS):  # pragma: no cover - 1950 placeholders is more than any sentence
            raise ValueError(f"cannot make {count} placeholders")
    return result  # pragma: no cover


def _unmatched(span: str) -> tuple[str, str]:
    """The openers and closers in `span` whose partner lies outside it."""
    stack: list[str] = []
    closers: list[str] = []
    for ch in span:
        if ch in _PAIRS:
            stack.append(ch)
        elif ch in _CLOSERS:
            if stack and stack[-1] == _CLOSERS[ch]:
                stack.pop()
            else:
                closers.append(ch)
    return "".join(stack), "".join(closers)


def _ordered(segment: Segment) -> list[int]:
    return sorted(range(len(segment.terms)), key=lambda i: segment.terms[i].start)


def protect(segment: Segment) -> Protection:
    """The text the engine translates: each term replaced by its placeholder."""
    tokens = placeholders(len(segment.terms), segment.source)
    out: list[str] = []
    cursor = 0
    for i in _ordered(segment):
        term = segment.terms[i]
        openers, closers = _unmatched(segment.source[term.start : term.end])
        out.append(segment.source[cursor : term.start])
        out.append(openers + tokens[i] + closers)
        cursor = term.end
    out.append(segment.source[cursor:])
    return Protection(text="".join(out), placeholders=tokens)


def restore(
    protection: Protection,
    terms: Sequence[Term],
    translation: str,
    *,
    entry_of: Callable[[Term], Hashable] | None = None,
) -> str | None:
    """The translation with each placeholder replaced by its rendering; None if one was lost.

    Every placeholder must come out exactly once and nothing placeholder-like may remain.
    English may order the terms differently from Chinese, which is fine; but when one entry
    occurs twice, its first rendering (the `first` form) goes to whichever occurrence comes
    first in the English, so `entry_of` (term -> its glossary entry) regroups them.
    """
    found: list[tuple[int, int, int]] = []  # (start, end, term index)
    for i, token in enumerate(protection.placeholders):
        pattern = re.compile(rf"(?<![A-Za-z0-9]){token}(?![A-Za-z0-9])", re.IGNORECASE)
        matches = list(pattern.finditer(translation))
        if len(matches) != 1:
            return None
        found.append((matches[0].start(), matches[0].end(), i))
    found.sort()
    rest = "\n".join(
        translation[a:b]
        for a, b in zip(
            [0, *(end for _, end, _ in found)],
            [*(start for start, _, _ in found), len(translation)],
            strict=True,
        )
    )
    if _FAMILY.search(rest):
        return None

    entry_of = entry_of or (lambda term: term.rendering)
    # term index at each found position, regrouped so each entry's renderings keep source order
    by_entry: dict[Hashable, list[int]] = {}
    for i in sorted(range(len(terms)), key=lambda i: terms[i].start):
        by_entry.setdefault(entry_of(terms[i]), []).append(i)
    queues = {key: list(indices) for key, indices in by_entry.items()}
    out: list[str] = []
    cursor = 0
    for start, end, i in found:
        chosen = queues[entry_of(terms[i])].pop(0)
        rendering = terms[chosen].rendering
        before = translation[cursor:start]
        if rendering[:4].lower() == "the " and re.search(r"(?i)\bthe\s*$", before):
            before = re.sub(r"(?i)\bthe\s*$", "", before)  # "the the principal representatives"
        if not "".join(out).strip() and not before.strip():
            rendering = _capitalised(rendering)  # the sentence starts with it
        out.append(before)
        out.append(rendering)
        cursor = end
    out.append(translation[cursor:])
    return "".join(out)


def _is_content(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _punctuation(text: str) -> str:
    return "".join(_PUNCTUATION.get(ch, ch) for ch in unicodedata.normalize("NFKC", text))


def _text_parts(text: str) -> list[Part]:
    """A stretch of source between terms: its leading and trailing punctuation stay apart, so
    that the words are translated alone and the punctuation lands on the right side of a term."""
    positions = [i for i, ch in enumerate(text) if _is_content(ch)]
    if not positions:
        return [Part("punct", _punctuation(text))] if text.strip() else []
    first, last = positions[0], positions[-1] + 1
    parts = []
    if text[:first].strip():
        parts.append(Part("punct", _punctuation(text[:first])))
    parts.append(Part("text", text[first:last]))
    if text[last:].strip():
        parts.append(Part("punct", _punctuation(text[last:])))
    return parts


def fallback_parts(segment: Segment) -> list[Part]:
    """The segment split at its terms: text pieces to translate, renderings, punctuation."""
    parts: list[Part] = []
    cursor = 0
    for i in _ordered(segment):
        term = segment.terms[i]
        parts.extend(_text_parts(segment.source[cursor : term.start]))
        openers, closers = _unmatched(segment.source[term.start : term.end])
        if openers:
            parts.append(Part("punct", _punctuation(openers)))
        parts.append(Part("term", term.rendering, term=i))
        if closers:
            parts.append(Part("punct", _punctuation(closers)))
        cursor = term.end
    parts.extend(_text_parts(segment.source[cursor:]))
    return parts


def _tidy_piece(text: str, *, inside: bool) -> str:
    text = " ".join(text.split())
    # Models end a fragment with a full stop; the sentence's own punctuation is a separate part.
    # "U.S." keeps its dot: only a dot after a lower-case letter or digit is dropped.
    if len(text) > 1 and text.endswith(".") and (text[-2].islower() or text[-2].isdigit()):
        text = text[:-1].rstrip()
    if inside:
        word = text.split(" ", 1)[0]
        if word in _LOWER_INSIDE:
            text = word.lower() + text[len(word) :]
    return text


def join(parts: Sequence[Part], translations: Sequence[str]) -> str:
    """The English sentence; `translations` are the engine's output for the "text" parts."""
    pieces: list[str] = []
    texts = iter(translations)
    for part in parts:
        if part.kind == "text":
            inside = bool(pieces) and pieces[-1][-1:] not in _SENTENCE_END | _NO_SPACE_AFTER
            piece = _tidy_piece(next(texts), inside=inside)
        else:
            piece = part.value.strip()
        if not piece:
            continue
        if (
            part.kind == "term"
            and piece[:4].lower() == "the "
            and pieces
            and pieces[-1].lower().endswith(" the")
        ):
            pieces[-1] = pieces[-1][:-4]
        pieces.append(piece)
    out = ""
    for piece in pieces:
        if not out:
            out = piece
        elif piece[0] in _NO_SPACE_BEFORE or out[-1] in _NO_SPACE_AFTER:
            if out[-1] == "," and piece[0] in ",.;:!?":
                out = out[:-1]  # "，」。" and the like: one mark is enough
            out += piece
        else:
            out += " " + piece
    return _capitalised(out)


def _capitalised(text: str) -> str:
    # The glossary's check accepts a rendering whose first letter was capitalised ("The sixth").
    return text[0].upper() + text[1:] if text[:1].islower() else text
