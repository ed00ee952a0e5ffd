"""Numbers in a source and its translation: Chinese numerals and dates read, English numbers found.

`source_numbers` lists what a Chinese text says in numbers (counts, ordinals, percentages, months,
years, editorial dates such as 今（3）日), each with the forms an English rendering may take;
`target_numbers` finds the numbers of an English text in digits or in words. The number checks
of `check.py` compare the two.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_ZH_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"萬": 10**4, "万": 10**4, "億": 10**8, "亿": 10**8, "兆": 10**12}
_ZH_NUMERALS = "".join(_ZH_DIGITS) + "".join(_ZH_SMALL) + "".join(_ZH_BIG)

# One-to-one, so offsets into the source (term spans) stay valid.
_WIDTH = str.maketrans("０１２３４５６７８９％（）．", "0123456789%().")

_SOURCE_NUMBER = re.compile(rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{_ZH_NUMERALS}])+")
# 今（3）日, 去（2025）年: the bracket is an editor's note of the date; English says "today".
_EDITORIAL = re.compile(r"([今去昨明前本上下])\((\d{1,4})\)([日年月])")
_FULL_DATE = re.compile(r"(\d{4})年\d{1,2}月\d{1,2}[日號]")
_RELATIVE = {
    ("今", "日"): ("today", "this morning", "this afternoon", "this evening", "tonight"),
    ("昨", "日"): ("yesterday", "last night"),
    ("明", "日"): ("tomorrow",),
    ("前", "日"): ("the day before yesterday",),
    ("今", "年"): ("this year",),
    ("本", "年"): ("this year",),
    ("去", "年"): ("last year",),
    ("明", "年"): ("next year",),
    ("前", "年"): ("the year before last", "two years ago"),
    ("今", "月"): ("this month",),
    ("本", "月"): ("this month",),
    ("上", "月"): ("last month",),
    ("下", "月"): ("next month",),
}
# What may follow a Chinese numeral for it to be a count, not part of a word (一起, 十分, 兩岸).
_UNITS = (
    "個", "年", "月", "日", "號", "天", "週", "周", "歲", "名", "人", "位", "項", "大", "屆",
    "倍", "家", "國", "座", "件", "條", "架", "艘", "輛", "所", "種", "類", "元", "場", "輪",
    "份", "批", "成", "點", "時", "分", "秒", "噸", "度", "季", "期", "章", "篇", "次", "任",
    "級", "層", "樓", "趟", "支", "隻", "張", "部", "本", "區", "縣", "市", "省", "州", "洲",
    "方", "邊", "小時", "公里", "公尺", "公斤", "公頃", "百分點", "美元", "英里", "世紀", "代",
)  # fmt: skip
_UNIT = re.compile("|".join(sorted(("個月", *_UNITS), key=len, reverse=True)))
# Words made with numerals that are not counts; 十分鐘 is still ten minutes.
_NOT_COUNTS = ("十分", "萬分", "百分之", "百分點", "三思", "四處", "萬一")
_ORDINAL_ONE_WORDS = ("第一線", "第一時間", "第一手", "第一流")
_MONTHS = (
    "january|jan", "february|feb", "march|mar", "april|apr", "may", "june|jun",
    "july|jul", "august|aug", "september|sept|sep", "october|oct", "november|nov", "december|dec",
)  # fmt: skip


@dataclass(frozen=True)
class NumberFact:
    """A number in the source that the target must keep, and the forms it may take there."""

    label: str  # as written in the source: "3億", "第6屆", "九個月", "今（3）日"
    value: float
    kind: str = "number"  # "number", "percent", "month", "year"
    phrases: tuple[str, ...] = ()  # other accepted renderings: "today", "last year"
    optional: bool = False
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def expected(self) -> str:
        forms = [_format_value(self.value, self.kind)]
        if self.kind == "number" and self.value == int(self.value) and 0 < self.value < 100:
            forms.append(_words(int(self.value)))
        if self.kind == "month":
            forms = [_MONTHS[int(self.value) - 1].split("|")[0].capitalize(), forms[0]]
        return " or ".join([*forms, *(f'"{p}"' for p in self.phrases[:2])])

    def message(self) -> str:
        return f"number {self.label} is not in the target (expected {self.expected()})"


def _format_value(value: float, kind: str) -> str:
    text = f"{int(value):,}" if value == int(value) else f"{value:g}"
    if kind == "year" or (value == int(value) and value < 10000):
        text = str(int(value))
    if kind == "percent":
        return f"{text}%"
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if (
            value >= scale
            and value == int(value)
            and (value / scale) * 1000 == int(value / scale * 1000)
        ):
            return f"{value / scale:g} {name}"
    return text


def parse_chinese_number(text: str) -> float | None:
    """The value of a numeral such as 2026, 1.5萬, 3億, 三千五百萬, 二〇二六, 十五; None if none."""
    text = text.replace(",", "")
    if not text:
        return None
    if len(text) > 1 and all(c in _ZH_DIGITS for c in text):  # 二〇二六: read digit by digit
        return float("".join(str(_ZH_DIGITS[c]) for c in text))
    total = section = 0.0
    number: float | None = None
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            try:
                number = float(text[i:j])
            except ValueError:
                return None
            i = j
            continue
        if c in _ZH_DIGITS:
            number = _ZH_DIGITS[c]
        elif c in _ZH_SMALL:
            section += (1 if number is None else number) * _ZH_SMALL[c]
            number = None
        elif c in _ZH_BIG:
            total = (total + section + (number or 0)) * _ZH_BIG[c]
            section, number = 0.0, None
        else:
            return None
        i += 1
    return total + section + (number or 0)


def source_numbers(
    source: str, skip: Sequence[tuple[int, int]] = (), doc_year: int | None = None
) -> list[NumberFact]:
    """The numbers in `source` that a translation must keep (none inside the `skip` spans)."""
    facts = _source_facts(source, doc_year)
    if not skip:
        return list(facts)
    return [f for f in facts if all(f.span[1] <= a or f.span[0] >= b for a, b in skip)]


@functools.lru_cache(maxsize=4096)
def _source_facts(source: str, doc_year: int | None) -> tuple[NumberFact, ...]:
    text = source.translate(_WIDTH)
    facts: list[NumberFact] = []
    taken: list[tuple[int, int]] = []
    for m in _EDITORIAL.finditer(text):
        taken.append(m.span())
        value = float(m.group(2))
        kind = {"年": "year", "月": "month"}.get(m.group(3), "number")
        phrases = _RELATIVE.get((m.group(1), m.group(3)), ())
        facts.append(NumberFact(source[m.start() : m.end()], value, kind, phrases, span=m.span()))

    # A full date (2026年2月3日) may drop the year when it is the article's year: "Feb. 3".
    droppable = {
        m.start()
        for m in _FULL_DATE.finditer(text)
        if doc_year is None or int(m.group(1)) == doc_year
    }
    for m in _SOURCE_NUMBER.finditer(text):
        start, end = m.span()
        if any(start < b and end > a for a, b in taken):
            continue
        fact = _classify(text, source, start, end, m.group())
        if fact is not None:
            optional = fact.kind == "year" and start in droppable
            facts.append(dataclasses.replace(fact, optional=optional, span=(start, end)))
    facts.sort(key=lambda f: f.span)
    return tuple(facts)


def _classify(text: str, source: str, start: int, end: int, run: str) -> NumberFact | None:
    before = text[max(0, start - 3) : start]
    after = text[end : end + 4]
    arabic = any(c.isdigit() for c in run)
    # The label names the number as a reader finds it in the source: 第6屆, 九個月, 2020年.
    unit = _UNIT.match(after)
    label_end = end + (unit.end() if unit else 0)
    label_start = start - 1 if before.endswith("第") else start
    label = source[label_start:label_end]
    if before.endswith("百分之"):
        value = parse_chinese_number(run)
        return None if value is None else NumberFact("百分之" + run, value, "percent")
    if not arabic and not _counts(text, start, run, before, after):
        return None
    value = parse_chinese_number(run)
    if value is None:
        return None
    if after.startswith("%"):
        return NumberFact(source[start : end + 1], value, "percent")
    if after.startswith("個百分點"):
        return NumberFact(source[start : end + 4], value, "percent")
    if after.startswith("月") and 1 <= value <= 12 and value == int(value):
        return NumberFact(label, value, "month")
    if after.startswith("年") and 1000 <= value <= 2200 and (arabic or len(run) == 4):
        return NumberFact(label, value, "year")
    return NumberFact(label, value)


def _counts(text: str, start: int, run: str, before: str, after: str) -> bool:
    """Whether a run of Chinese numerals is a count or ordinal, not part of a word."""
    if any(text.startswith(word, start) for word in _NOT_COUNTS) and not after.startswith("分鐘"):
        return False
    alone = run in ("一", "〇", "零")
    if before.endswith("第"):  # 第一任 is "first"; 第一線 is "front line"
        return not (alone and any(text.startswith(w, start - 1) for w in _ORDINAL_ONE_WORDS))
    # 一 alone is "a", "an", "once", "together" in English far more often than a count.
    return not alone and _UNIT.match(after) is not None and not after.startswith("代表")


# Numbers in English: digits (with thousands separators, decimals, ordinal suffixes, scale words,
# percent) and number words (three, twenty-first, three hundred million, both, twice).
_TARGET_NUMBER = re.compile(
    r"(?<![\d])(?<!\d[.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
    r"(?:\s*(?:st|nd|rd|th)\b)?"
    r"(?:\s*-?\s*(thousand|million|billion|trillion|bn|mn)\b)?"
    r"(\s*(?:%|percent\b|per\s+cent\b|percentage\s+points?\b|pct\b))?",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 10**3,
    "million": 10**6,
    "mn": 10**6,
    "billion": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
}
_UNIT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_ORDINAL_WORDS = (
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    "sixteenth", "seventeenth", "eighteenth", "nineteenth",
)  # fmt: skip
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_TENS_ORDINALS = (
    "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth",
    "ninetieth",
)  # fmt: skip
_WORD_VALUES: dict[str, int] = {
    **{w: i for i, w in enumerate(_UNIT_WORDS)},
    **{w: i for i, w in enumerate(_ORDINAL_WORDS)},
    **{w: 20 + 10 * i for i, w in enumerate(_TENS_WORDS)},
    **{w: 20 + 10 * i for i, w in enumerate(_TENS_ORDINALS)},
}
_WORD_SCALES = {"hundred": 100, "hundredth": 100, "thousand": 10**3, "thousandth": 10**3, **_SCALES}
# Words that stand for a small count on their own ("both sides" for 雙方/兩岸, "twice").
_SYNONYMS = {
    "both": 2, "pair": 2, "twin": 2, "dual": 2, "double": 2, "twice": 2, "once": 1,
    "single": 1, "triple": 3, "trio": 3, "thrice": 3, "dozen": 12, "decade": 10,
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]+")
_NUMBER_WORDS = frozenset({*_WORD_VALUES, *_WORD_SCALES})
_ORDINAL_SET = frozenset({*_ORDINAL_WORDS, *_TENS_ORDINALS, "hundredth", "thousandth"})
_GAP = re.compile(r"[\s-]+")  # between the words of one number
_PERCENT_AFTER = re.compile(r"\s*(?:percent\b|per\s+cent\b|percentage\s+points?\b|%)", re.I)


@dataclass
class Quantity:
    """A number found in a target."""

    value: float
    percent: bool = False
    digits: str = ""  # as written, when written in digits
    parts: tuple[float, ...] = ()  # 9.30: also 9 and 30, as in "9.30 a.m."


def target_numbers(target: str) -> list[Quantity]:
    """Every number in an English `target`, in digits or in words, with its scale applied."""
    text = unicodedata.normalize("NFKC", target)
    found: list[Quantity] = []
    for m in _TARGET_NUMBER.finditer(text):
        whole, fraction, scale, percent = m.groups()
        value = float(whole.replace(",", "") + (fraction or ""))
        if scale:
            value *= _SCALES[scale.lower()]
        parts: tuple[float, ...] = ()
        if fraction and not scale:  # 9.30 a.m. is nine thirty, not nine point three
            parts = (float(whole.replace(",", "")), float(fraction[1:]))
            found.extend(Quantity(part) for part in parts)
        found.append(Quantity(value, bool(percent), m.group(0).strip(), parts))
    found.extend(_word_numbers(text))
    return found


def _word_numbers(text: str) -> list[Quantity]:
    """Numbers in words: "three", "twenty-first", "one hundred and five", "300 million"."""
    found: list[Quantity] = []
    words: list[str] = []  # the number being read
    end = 0  # where its last word ends
    pending_and = False
    for m in _WORD.finditer(text.lower()):
        word = m.group()
        close = bool(words) and _GAP.fullmatch(text, end, m.start()) is not None
        if word == "and" and close and _kind(words[-1]) == "scale":
            pending_and = True  # "one hundred and five": the number may go on
            end = m.end()
            continue
        if word in _NUMBER_WORDS and close and _joins(words[-1], word, pending_and):
            words.append(word)
        else:
            if words:
                found.append(_run_value(words, text, end))
            words = [word] if word in _NUMBER_WORDS else []
            if word in _SYNONYMS:
                found.append(Quantity(float(_SYNONYMS[word])))
        pending_and = False
        end = m.end()
    if words:
        found.append(_run_value(words, text, end))
    return found


def _kind(word: str) -> str:
    if word in _ORDINAL_SET:
        return "ordinal"
    if word in _WORD_SCALES:
        return "scale"
    return "tens" if _WORD_VALUES[word] >= 20 else "unit"


def _joins(previous: str, word: str, after_and: bool) -> bool:
    """Whether `word` goes on with the number ending in `previous`: twenty-one, not "two three"."""
    before, kind = _kind(previous), _kind(word)
    if before == "ordinal":
        return False
    if after_and:
        return before == "scale" and kind in ("unit", "tens", "ordinal")
    if word in ("hundred", "hundredth"):
        return before in ("unit", "tens")
    if kind == "scale":
        return True
    if kind == "tens":
        return before == "scale"
    # a unit (or unit ordinal): after a round ten ("twenty-one") or a scale ("hundred five")
    return before == "scale" or (before == "tens" and _WORD_VALUES[previous] % 10 == 0)


def _run_value(words: list[str], text: str, end: int) -> Quantity:
    total = current = 0
    for word in words:
        if word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word in ("hundred", "hundredth"):
            current = (current or 1) * 100
        else:
            total += (current or 1) * _WORD_SCALES[word]
            current = 0
    return Quantity(float(total + current), _PERCENT_AFTER.match(text, end) is not None)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _found(fact: NumberFact, quantities: Sequence[Quantity], target: str) -> bool:
    lowered = target.lower()
    if any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in fact.phrases):
        return True
    if fact.kind == "percent":
        return any(q.percent and _same(q.value, fact.value) for q in quantities)
    if any(_same(q.value, fact.value) for q in quantities):
        return True
    if fact.kind == "month":
        return re.search(rf"\b(?:{_MONTHS[int(fact.value) - 1]})\b", lowered) is not None
    if fact.kind == "year":  # "2020–24" in a range
        short = f"{int(fact.value) % 100:02d}"
        return re.search(rf"\d{{4}}\s*[-–—/]\s*{short}\b", target) is not None
    return False


def missing_numbers(
    source: str, target: str, *, skip: Sequence[tuple[int, int]] = (), doc_year: int | None = None
) -> list[NumberFact]:
    """The source's numbers that the target does not keep in any accepted form."""
    facts = source_numbers(source, skip, doc_year)
    return missing_facts(facts, target_numbers(target) if facts else [], target)


def missing_facts(
    facts: Sequence[NumberFact], quantities: Sequence[Quantity], target: str
) -> list[NumberFact]:
    """The `facts` that none of the target's `quantities` (or its wording) keeps; optional facts
    and repeats of the same value are not reported."""
    missing: list[NumberFact] = []
    seen: set[tuple[float, str]] = set()
    for fact in facts:
        key = (fact.value, fact.kind)
        if fact.optional or key in seen:
            continue
        seen.add(key)
        if not _found(fact, quantities, target):
            missing.append(fact)
    return missing


def extra_numbers(
    source: str, target: str, known: Iterable[float] = (), renderings: Sequence[str] = ()
) -> list[str]:
    """Numbers written in digits in `target` that come from nowhere in the source (as written)."""
    return extra_digits(source_numbers(source), target_numbers(target), known, renderings)


def extra_digits(
    facts: Sequence[NumberFact],
    quantities: Sequence[Quantity],
    known: Iterable[float],
    renderings: Sequence[str],
) -> list[str]:
    """The digits in the target's `quantities` that no source fact, `known` value or glossary
    rendering accounts for, as written, each once."""
    if not any(q.digits for q in quantities):
        return []
    allowed = {round(f.value, 6) for f in facts} | {round(v, 6) for v in known}
    for fact in facts:  # "2020–24": the short form of a year in a range
        if fact.kind == "year":
            allowed.add(round(fact.value % 100, 6))
    for rendering in renderings:
        allowed.update(_rendering_values(rendering))
    extra = []
    for q in quantities:
        if not q.digits or q.digits in extra or round(q.value, 6) in allowed:
            continue
        if q.parts and all(round(part, 6) in allowed for part in q.parts):
            continue
        extra.append(q.digits)
    return extra


@functools.lru_cache(maxsize=1024)
def _rendering_values(rendering: str) -> frozenset[float]:
    return frozenset(round(q.value, 6) for q in target_numbers(rendering))


# --- number words ------------------------------------------------------------------------------


def _words(n: int) -> str:
    """0..99 in English words: 21 -> twenty-one."""
    if n < 20:
        return _UNIT_WORDS[n]
    tens, units = divmod(n, 10)
    return _TENS_WORDS[tens - 2] + (f"-{_UNIT_WORDS[units]}" if units else "")
