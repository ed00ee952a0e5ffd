"""Finding glossary terms in text: the Aho-Corasick matcher and the occurrence rules.

Both the glossary's source forms and the text are folded (`fold`: OpenCC `t2s`, full-width to
ASCII, lower case) character for character, and their invisible characters (zero-width
characters, direction marks) are skipped (`visible`); a match is mapped back through the offset
map, so its span slices the original text, invisible characters inside it included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..script import PARENTHESES, QUOTES
from .entry import Entry
from .fold import INVISIBLE, count_invisible, fold, is_latin, visible

# Quotes that may close right after a term before its restating parenthetical: 「…」（EPPD）.
_QUOTE_PAIRS = {**{c: o for o, c in QUOTES.items()}, '"': '"', "'": "'"}
_OPEN_PARENS = "".join(PARENTHESES)
_CLOSE_PARENS = "".join(PARENTHESES.values())
_PAREN_MAX = 80  # a restating parenthetical is a name or an abbreviation, never a paragraph
_SEPARATOR = "\x00"  # between segments matched in one pass; never part of a term or a text
_FORMS = 64  # source forms per entry that fit the automaton's one-integer value (more: shared)


@dataclass
class Occurrence:
    """One term found in a text: `text[start:end]` (with any restating parenthetical) is `entry`."""

    start: int
    end: int
    entry: Entry
    form: str  # the glossary source form that matched
    parenthetical: str | None = None  # the restating parenthetical's content, when merged


class Matcher:
    """An Aho-Corasick automaton over the folded source forms of every entry, built once.

    The automaton walks UTF-8 bytes (held in a str of code points below 256), not characters:
    pyahocorasick looks a transition up by scanning a node's children, and a root with thousands
    of Chinese characters as children made matching ten times slower than with at most 256 bytes.
    UTF-8 is self-synchronising, so a match of a whole key starts and ends on character bounds.
    """

    def __init__(self, entries: list[Entry]) -> None:
        import ahocorasick

        # The automaton stores one integer per key, not a Python object: at a million entries a
        # tuple and a list per key cost about 200 MB. A key found for one (entry, form) only, as
        # nearly all are, stores entry * _FORMS + form; a key several entries share stores
        # -(its place in `_shared`) - 1.
        self._entries = entries
        by_key: dict[str, int | list[tuple[int, int]]] = {}
        for n, entry in enumerate(entries):
            for f, form in enumerate(entry.zh):
                key = _key(form)
                if not key:  # a form of invisible characters only can match nothing
                    continue
                code = n * _FORMS + f if f < _FORMS else None
                known = by_key.get(key)
                if known is None and code is not None:
                    by_key[key] = code
                else:
                    pairs = known if isinstance(known, list) else _pairs(known)
                    pairs.append((n, f))
                    by_key[key] = pairs
        self._shared: list[list[tuple[int, int]]] = []
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, value in by_key.items():
            if isinstance(value, list):
                self._shared.append(value)
                value = -len(self._shared)
            self._automaton.add_word(_as_bytes(key), value)
        self._empty = not by_key
        del by_key
        if not self._empty:
            self._automaton.make_automaton()

    def _candidates(self, value: int) -> list[tuple[Entry, str]]:
        pairs = self._shared[-value - 1] if value < 0 else _pairs(value)
        return [(self._entries[n], self._entries[n].zh[f]) for n, f in pairs]

    def matches(self, text: str) -> list[Occurrence]:
        """Term matches in `text`, leftmost first and longest at each start, never overlapping.

        Invisible characters are skipped: 台美\u200b關稅協議 matches 台美關稅協議, and its span
        (start, end) covers the zero-width space.
        """
        if self._empty or not text:
            return []
        shown, positions = visible(text)
        result = self._matches(shown)
        if positions is not None:
            for occurrence in result:
                occurrence.start = positions[occurrence.start]
                occurrence.end = positions[occurrence.end - 1] + 1
        return result

    def _matches(self, text: str) -> list[Occurrence]:
        if not text:
            return []
        folded = fold(text)
        data = folded.encode("utf-8")
        ascii_only = len(data) == len(folded)
        scripted: str | None = None  # case-preserving fold, only needed for case-sensitive entries
        found: list[tuple[int, int, Entry, str]] = []
        byte_cursor = char_cursor = 0
        # Matches come in order of their last byte, so byte offsets turn into character offsets
        # by decoding only what lies between one match and the next.
        for last, value in self._automaton.iter(data.decode("latin-1")):
            candidates = self._candidates(value)
            length = len(_key(candidates[0][1]))
            if ascii_only:
                end = last + 1
            else:
                char_cursor += len(data[byte_cursor : last + 1].decode("utf-8"))
                byte_cursor = max(byte_cursor, last + 1)
                end = char_cursor
            start = end - length
            if not _latin_edges_free(text, start, end):
                continue
            for entry, form in candidates:
                if entry.case_sensitive:
                    if scripted is None:
                        scripted = fold(text, lower=False)
                    if scripted[start:end] != visible(fold(form, lower=False))[0]:
                        continue
                found.append((start, -end, entry, form))
                break
        found.sort(key=lambda m: (m[0], m[1]))
        result: list[Occurrence] = []
        position = 0
        for start, negative_end, entry, form in found:
            if start >= position:
                result.append(Occurrence(start, -negative_end, entry, form))
                position = -negative_end
        return result

    def occurrences(self, text: str) -> list[Occurrence]:
        """Matches with a restating parenthetical (（EPPD）, (Donald Trump)) merged into each."""
        result: list[Occurrence] = []
        position = 0
        for occurrence in self.matches(text):
            if occurrence.start < position:
                continue  # inside the parenthetical of the previous occurrence
            _merge_parenthetical(text, occurrence)
            result.append(occurrence)
            position = occurrence.end
        return result


def occurrences_in(matcher: Matcher, texts: list[str]) -> list[list[Occurrence]]:
    """The occurrences of each of `texts`, found in one pass over all of them.

    Segments are short; matching them one by one costs more in per-call overhead than in
    matching. Joined with a separator no term contains, one pass finds the same occurrences.
    """
    if any(_SEPARATOR in t for t in texts):
        return [matcher.occurrences(t) for t in texts]
    joined = _SEPARATOR.join(texts)
    # most texts have none: they share one empty list (a million segments: 56 MB less)
    none: list[Occurrence] = []
    result = [none] * len(texts)
    index, offset = 0, 0
    for occurrence in matcher.occurrences(joined):
        while occurrence.start >= offset + len(texts[index]) + 1:
            offset += len(texts[index]) + 1
            index += 1
        occurrence.start -= offset
        occurrence.end -= offset
        if result[index] is none:
            result[index] = []
        result[index].append(occurrence)
    return result


def _pairs(code: int | None) -> list[tuple[int, int]]:
    """The (entry, form) pair an automaton value of one pair stands for (none for None)."""
    return [] if code is None else [divmod(code, _FORMS)]


def _key(form: str) -> str:
    """A form as the automaton knows it: folded, its invisible characters left out."""
    return visible(fold(form))[0]


def _as_bytes(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _latin_edges_free(text: str, start: int, end: int) -> bool:
    # Only edges that are Latin need free neighbours: EPPD in 本屆EPPD由 matches, in EPPDX not.
    # (`\b` would not do: Python counts 屆 as a word character.)
    if is_latin(text[start]) and start > 0 and is_latin(text[start - 1]):
        return False
    return not (is_latin(text[end - 1]) and end < len(text) and is_latin(text[end]))


def _merge_parenthetical(text: str, occurrence: Occurrence) -> None:
    """Extend `occurrence` over a parenthetical that restates it, after a closing quote if any."""
    start, position = occurrence.start, occurrence.end
    if position < len(text) and text[position] in _QUOTE_PAIRS:
        opener = _QUOTE_PAIRS[text[position]]
        if start == 0 or text[start - 1] != opener:
            return  # the quote holds more than the term: its parenthetical restates the whole quote
        start, position = start - 1, position + 1
    while position < len(text) and text[position] in " \u3000" + INVISIBLE:  # not a separator
        position += 1
    if position >= len(text) or text[position] not in _OPEN_PARENS:
        return
    close = position + 1
    limit = min(len(text), position + 1 + _PAREN_MAX)
    while close < limit and text[close] not in _CLOSE_PARENS:
        if text[close] in _OPEN_PARENS or text[close] in "\n" + _SEPARATOR:
            return
        close += 1
    if close >= limit:
        return
    content = text[position + 1 : close].strip()
    if content and restates(content, occurrence.entry):
        occurrence.start, occurrence.end = start, close + 1
        occurrence.parenthetical = content


def restates(content: str, entry: Entry) -> bool:
    """Whether a parenthetical's `content` names what `entry` names (so is no term of its own)."""
    folded = visible(fold(content))[0]
    if any(visible(fold(form))[0] == folded for form in entry.zh):
        return True  # 川普（川普） or a variant: 台美經濟繁榮夥伴對話（EPPD） when EPPD is a form
    words = " ".join(folded.split())
    return any(
        contains_words(" ".join(fold(r).split()), words) for r in (entry.en, entry.first) if r
    )


def contains_words(text: str, part: str) -> bool:
    """Whether `part` occurs in `text` without touching Latin letters or digits at its edges."""
    start = text.find(part)
    while start >= 0:
        if _latin_edges_free(text, start, start + len(part)):
            return True
        start = text.find(part, start + 1)
    return False


def invisible_warnings(segments: Iterable[tuple[str, str]], *, shown: int = 5) -> list[str]:
    """The run's warning when texts hold invisible characters, which matching skips.

    `segments` are (segment id, source) pairs; the line names how many characters, in how many
    segments, and the first `shown` of those.
    """
    counts = [(sid, n) for sid, text in segments if (n := count_invisible(text))]
    if not counts:
        return []
    total = sum(n for _, n in counts)
    ids = ", ".join(sid for sid, _ in counts[:shown]) + (", ..." if len(counts) > shown else "")
    places = "1 segment" if len(counts) == 1 else f"{len(counts)} segments"
    return [
        f"the text contains {total} invisible character{'s' if total != 1 else ''} "
        f"(zero-width characters or direction marks) in {places} ({ids}); glossary terms are "
        "matched across them and the text keeps them"
    ]
