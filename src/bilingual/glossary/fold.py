"""Script folding for matching: Traditional to Simplified, full width to ASCII, lower case.

A folded text has the same length as the original, character for character, so a match found in
the folded text has the same offsets in the original: Traditional entries match Simplified text
and the reverse. Invisible characters (zero-width characters, direction marks) are not folded
but removed before matching, by `visible`, with a map back to the original offsets. Also owns
`is_latin`, the test for the letters a Latin term must not touch.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM) and direction marks (LRM, RLM, the
# embeddings and overrides, the isolates): invisible, common in text pasted from the web, and
# each one inside a term would stop it matching. Matching skips them; the text keeps them.
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE = re.compile(f"[{INVISIBLE}]")

# code point -> folded character, for `str.translate`: script and width folded, and lower-cased.
_SCRIPT: dict[int, str] = {}
_LOWER: dict[int, str] = {}
_KNOWN: set[str] = set()  # the characters in the tables
_CONVERTER: Any = None


def _converter() -> Any:
    global _CONVERTER
    if _CONVERTER is None:
        import opencc

        _CONVERTER = opencc.OpenCC("t2s.json")
    return _CONVERTER


def _learn(chars: set[str]) -> None:
    """Add the folding of `chars` to the tables, with one OpenCC call for all of them."""
    new = sorted(chars - _KNOWN)
    if not new:
        return
    # One character per line: OpenCC converts phrases, so separating the characters makes the
    # conversion character for character, the same for a glossary form and for running text.
    converted = _converter().convert("\n".join(new)).split("\n")
    if len(converted) != len(new):  # never seen; fall back to one call per character
        converted = [_converter().convert(c) for c in new]
    for char, simple in zip(new, converted, strict=True):
        # t2s keeps one character as one character for all of the BMP; where it would not
        # (or width folding would expand, as NFKC does for ㈠), the character stays as it is,
        # because offsets in the folded text must be offsets in the original.
        if len(simple) != 1:
            simple = char
        narrow = unicodedata.normalize("NFKC", simple)
        if len(narrow) == 1:
            simple = narrow
        lower = simple.lower()
        _SCRIPT[ord(char)] = simple
        _LOWER[ord(char)] = lower if len(lower) == 1 else simple
        _KNOWN.add(char)


def fold(text: str, *, lower: bool = True) -> str:
    """`text` in Simplified script, ASCII width and (by default) lower case; same length."""
    if not _KNOWN.issuperset(text):
        _learn(set(text))
    return text.translate(_LOWER if lower else _SCRIPT)


def visible(text: str) -> tuple[str, list[int] | None]:
    """`text` without its invisible characters, and the offset map: the position in `text` of
    each character kept (None when there were none, so that offsets are the same)."""
    if not _INVISIBLE.search(text):
        return text, None
    positions = [n for n, ch in enumerate(text) if ch not in INVISIBLE]
    return _INVISIBLE.sub("", text), positions


def count_invisible(text: str) -> int:
    """How many invisible characters (`INVISIBLE`) `text` holds."""
    return len(_INVISIBLE.findall(text))


def is_latin(char: str) -> bool:
    """A Latin letter or digit (ASCII or full-width), the characters a Latin term must not touch."""
    if not char:
        return False
    if char.isascii():
        return char.isalnum()
    code = ord(char)
    if 0xFF10 <= code <= 0xFF5A:  # full-width digits and letters
        return char.isalnum()
    return char.isalpha() and (code < 0x0250 or 0x1E00 <= code <= 0x1EFF)
