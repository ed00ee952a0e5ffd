"""Numbers: Chinese numerals and dates read from a source, English numbers found in a target."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilingual.numbers import extra_numbers, missing_numbers, parse_chinese_number, target_numbers

NUMBERS_KEPT = [
    ("2026年2月3日舉行。", "It was held on February 3, 2026."),
    ("2026年2月3日舉行。", "It was held on 2026-02-03."),
    ("2026年2月3日舉行。", "It was held on Feb. 3."),
    ("2026年2月3日舉行。", "It was held on 3 February 2026."),
    ("第6屆會議", "the 6th meeting"),
    ("第6屆會議", "the sixth meeting"),
    ("第一任任期", "the first term"),
    ("3大方向", "three directions"),
    ("3大方向", "3 directions"),
    ("三大方向", "3 directions"),
    ("經過九個月的努力", "after nine months of effort"),
    ("經過九個月的努力", "after 9 months of effort"),
    ("2020年至2024年", "from 2020 to 2024"),
    ("2020年至2024年", "in 2020–24"),
    ("投入3億元", "invested NT$300 million"),
    ("投入3億元", "invested NT$300,000,000"),
    ("投入3億元", "invested NT$0.3 billion"),
    ("1.5萬人", "15,000 people"),
    ("1.5萬人", "15 thousand people"),
    ("三千五百萬人", "35 million people"),
    ("成長5%", "grew 5 percent"),
    ("成長5％", "grew 5%"),
    ("成長百分之五十", "grew by 50 per cent"),
    ("上升3個百分點", "rose by 3 percentage points"),
    ("總統府今（3）日舉行記者會", "The Presidential Office held a press conference today"),
    ("總統府今（3）日舉行記者會", "The Presidential Office held a press conference on the 3rd"),
    ("美國在去（2025）年4月宣布", "the US announced in April last year"),
    ("美國在去（2025）年4月宣布", "the US announced in April 2025"),
    ("昨（2）日", "yesterday"),
    ("上午9時30分舉行", "held at 9:30 a.m."),
    ("上午9時30分舉行", "held at 9.30am"),
    ("一起打造", "build together"),
    ("第一線談判成員", "front-line negotiators"),
    ("十分重要", "very important"),
    ("兩岸關係", "cross-strait relations"),
    ("兩國合作", "cooperation between both countries"),
    ("下一個世代", "the next generation"),
    ("二〇二六年", "in 2026"),
    ("２０２６年", "in 2026"),
    ("21世紀", "the twenty-first century"),
    ("二十一世紀", "the 21st century"),
    ("一百零五人", "one hundred and five people"),
    ("三項協議", "three agreements"),
]


@pytest.mark.parametrize(("source", "target"), NUMBERS_KEPT)
def test_numbers_kept_in_an_accepted_form(source: str, target: str):
    assert missing_numbers(source, target, doc_year=2026) == []


NUMBERS_LOST = [
    ("2026年2月3日舉行。", "It was held on February 4, 2026.", "3日"),
    ("2026年2月3日舉行。", "It was held on March 3, 2026.", "2月"),
    ("2025年2月3日舉行。", "It was held on Feb. 3.", "2025年"),  # not the article's year
    ("第6屆會議", "the seventh meeting", "第6屆"),
    ("經過九個月的努力", "after eight months of effort", "九個月"),
    ("2020年至2024年", "from 2020 to 2023", "2024年"),
    ("投入3億元", "invested NT$3 million", "3億元"),
    ("成長5%", "grew 5", "5%"),
    ("美國在去（2025）年4月宣布", "the US announced in May last year", "4月"),
    ("美國在去（2025）年4月宣布", "the US announced in April", "去（2025）年"),
    ("上午9時30分舉行", "held in the morning", "9時"),
]


@pytest.mark.parametrize(("source", "target", "label"), NUMBERS_LOST)
def test_numbers_lost_are_named(source: str, target: str, label: str):
    missing = missing_numbers(source, target, doc_year=2026)
    assert label in [fact.label for fact in missing]
    assert all("is not in the target (expected" in fact.message() for fact in missing)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("上午9時30分舉行", "held at 9.30am"),
        ("成長2.5%", "grew 2.5%"),
        ("1.5萬人", "15,000 people"),
    ],
)
def test_numbers_from_the_source_are_not_extra(source: str, target: str):
    assert extra_numbers(source, target) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2026", 2026),
        ("1.5萬", 15000),
        ("3億", 3e8),
        ("三千五百萬", 35_000_000),
        ("二〇二六", 2026),
        ("十五", 15),
        ("二十", 20),
        ("一百零五", 105),
        ("1萬5千", 15000),
        ("2,000萬", 2e7),
        ("兩", 2),
    ],
)
def test_parse_chinese_number(text: str, value: float):
    assert parse_chinese_number(text) == value


def test_target_numbers_reads_digits_words_scales_and_percent():
    found = {
        (q.value, q.percent)
        for q in target_numbers(
            "300 million, 15,000, twenty-first, 5 percent, three hundred million, 21st-Century, "
            "both"
        )
    }
    assert {(3e8, False), (15000, False), (21, False), (5, True), (2, False)} <= found


@given(st.integers(min_value=0, max_value=10**12))
def test_any_integer_in_digits_survives(n: int):
    assert missing_numbers(f"共{n}人", f"{n:,} people") == []
    assert missing_numbers(f"共{n}人", f"{n} people") == []


@given(st.integers(min_value=1, max_value=99))
def test_small_numbers_in_words_survive(n: int):
    from bilingual.numbers import _words

    assert missing_numbers(f"共{n}人", f"{_words(n)} people") == []
