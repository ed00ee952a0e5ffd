"""The script vocabulary: what a Chinese character, a closing bracket and a sentence end are.

Every other module imports these classes instead of writing a Unicode range or a bracket table
of its own. The classes differ on purpose: a Han character (what the checks count and look for
in the English), CJK text (what is written without spaces, so a line break inside it is no
space), a wide character (two columns in a plain-text file).
"""

from __future__ import annotations

import re

# A Han character, in Traditional and Simplified alike: the CJK Unified Ideographs, Extension A,
# the compatibility ideographs and Extensions B to I (many Simplified forms of rare characters
# and many names' characters live in the supplementary planes). The Yijing hexagrams between
# Extension A and the Unified Ideographs (U+4DC0–U+4DFF) are symbols, not characters.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"

# CJK text, written without spaces between words: Han characters, CJK radicals (a PDF's text
# layer often gives 日 as the Kangxi radical ⽇), CJK punctuation and the ideographic space,
# kana, and the full-width forms. A line break between two of them is no space.
CJK = f"\u2e80-\u303f\u3040-\u30ff{HAN}\uff00-\uffef"

# Characters a terminal or a monospaced plain-text file shows two columns wide (East Asian
# Width W and F): Hangul jamo, CJK from the radicals to Yi, Hangul syllables, the compatibility
# ideographs, vertical forms, the full-width forms and Extensions B to H.
WIDE = (
    "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd"
)

# Marks that end a Chinese sentence wherever they stand (the half-width ｡ too); a run of them,
# ASCII ! and ? among them (？！, ……。!), is one end.
CHINESE_FULL_STOPS = "。！？｡"
SENTENCE_END_MARKS = CHINESE_FULL_STOPS + "!?"

# Quotes and brackets, opening -> closing, in the families whose balance the checks compare
# (a Chinese 「 may be rendered “, so both are quotes).
BRACKET_FAMILIES: dict[str, dict[str, str]] = {
    "quotes": {"“": "”", "「": "」", "『": "』", "﹁": "﹂"},
    "single quotes": {"‘": "’"},
    "parentheses": {"(": ")", "（": "）"},
    "square brackets": {"[": "]", "【": "】", "〔": "〕", "［": "］"},
    "braces": {"{": "}", "｛": "｝"},
    "angle quotes": {"《": "》", "〈": "〉"},
}
BRACKETS = {o: c for family in BRACKET_FAMILIES.values() for o, c in family.items()}
QUOTES = {
    **BRACKET_FAMILIES["quotes"],
    **BRACKET_FAMILIES["single quotes"],
    **BRACKET_FAMILIES["angle quotes"],
}
PARENTHESES = BRACKET_FAMILIES["parentheses"]
CLOSING_BRACKETS = "".join(BRACKETS.values())
# What may follow a sentence end and still belong to it (「…成果。」 is one sentence): a closing
# bracket, or a straight quote (after a sentence end it closes).
CLOSERS = CLOSING_BRACKETS + "\"'"

_HAN_CHARACTER = re.compile(f"[{HAN}]")
_HAN_RUN = re.compile(f"[{HAN}]+")
_CJK_CHARACTER = re.compile(f"[{CJK}]")


def has_han(text: str) -> bool:
    """Whether `text` holds a Han character."""
    return _HAN_CHARACTER.search(text) is not None


def count_han(text: str) -> int:
    """How many Han characters `text` holds."""
    return len(_HAN_CHARACTER.findall(text))


def han_characters(text: str) -> str:
    """The Han characters of `text`, in order."""
    # found by runs, not one string per character (about 80 bytes each: gigabytes for 16 MB)
    return "".join(_HAN_RUN.findall(text))


def is_cjk(character: str) -> bool:
    """Whether `character` (the first of the string) is CJK text, written without spaces."""
    return _CJK_CHARACTER.match(character) is not None
