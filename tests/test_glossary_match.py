"""Matching terms: both scripts, leftmost-longest, Latin boundaries, case, parentheticals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.glossary import Entry, Glossary
from bilingual.glossary.fold import fold

EPPD = Entry(
    zh=["台美經濟繁榮夥伴對話", "經濟繁榮夥伴對話", "EPPD"],
    en="EPPD",
    first="Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)",
)
TRUMP = Entry(zh=["美國總統川普", "川普"], en="President Trump", first="US President Donald Trump")
PAX = Entry(zh=["矽盛世宣言", "矽和平宣言"], en="Pax Silica Declaration")
JOINT = Entry(
    zh=["矽盛世宣言及台美經濟安全合作聯合聲明"],
    en="joint statement on the Pax Silica Declaration and Taiwan-US economic security cooperation",
)
AI = Entry(zh=["AI"], en="AI", case_sensitive=True)
MOFA = Entry(zh=["外交部"], en="MOFA", first="Ministry of Foreign Affairs (MOFA)")
GLOSSARY = Glossary([EPPD, TRUMP, PAX, JOINT, AI, MOFA])


def found(text: str, glossary: Glossary = GLOSSARY) -> list[str]:
    return [text[o.start : o.end] for o in glossary.occurrences(text)]


def test_traditional_entry_matches_simplified_text():
    text = "第6届「台美经济繁荣伙伴对话」（EPPD）日前落幕"
    occurrences = GLOSSARY.occurrences(text)
    assert [(o.entry.en, text[o.start : o.end]) for o in occurrences] == [
        ("EPPD", "「台美经济繁荣伙伴对话」（EPPD）")
    ]


def test_simplified_entry_matches_traditional_text():
    glossary = Glossary([Entry(zh=["台湾关系法"], en="Taiwan Relations Act")])
    assert found("美國《臺灣關係法》規定", glossary) == ["臺灣關係法"]


def test_longest_match_wins():
    text = "簽署了「矽盛世宣言及台美經濟安全合作聯合聲明」，矽盛世宣言是"
    occurrences = GLOSSARY.occurrences(text)
    assert [o.entry for o in occurrences] == [JOINT, PAX]
    assert found(text) == ["矽盛世宣言及台美經濟安全合作聯合聲明", "矽盛世宣言"]


def test_leftmost_wins_over_a_later_longer_overlap():
    glossary = Glossary([Entry(zh=["台美經濟"], en="a"), Entry(zh=["經濟繁榮夥伴對話"], en="b")])
    assert found("台美經濟繁榮夥伴對話", glossary) == ["台美經濟"]


def test_variants_match():
    assert found("有人寫矽和平宣言") == ["矽和平宣言"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本屆EPPD由雙方召開", ["EPPD"]),
        ("EPPD", ["EPPD"]),
        ("首屆EPPD以來", ["EPPD"]),
        ("EPPDX不算", []),
        ("XEPPD不算", []),
        ("EPPD2不算", []),
        ("與eppd會議", ["eppd"]),
        ("全形ＥＰＰＤ也算", ["ＥＰＰＤ"]),
        ("EPPD-2026", ["EPPD"]),
        ("AI所需的電力", ["AI"]),
        ("AI與半導體", ["AI"]),
        ("MAIL不是", []),
        ("OpenAI不是", []),
        ("ai小寫不算", []),
        ("éAI不算", []),
    ],
)
def test_latin_boundaries_and_case(text, expected):
    assert found(text) == expected


def test_quoted_term_with_parenthetical_after_the_quote():
    text = "第6屆「台美經濟繁榮夥伴對話」（EPPD）日前落幕"
    (occurrence,) = GLOSSARY.occurrences(text)
    assert text[occurrence.start : occurrence.end] == "「台美經濟繁榮夥伴對話」（EPPD）"
    assert occurrence.parenthetical == "EPPD"


def test_parenthetical_inside_quote():
    text = "第6屆台美「經濟繁榮夥伴對話（EPPD）」上週"
    assert found(text) == ["經濟繁榮夥伴對話（EPPD）"]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("台美經濟繁榮夥伴對話（EPPD）舉行", "台美經濟繁榮夥伴對話（EPPD）"),
        ("台美經濟繁榮夥伴對話(EPPD)舉行", "台美經濟繁榮夥伴對話(EPPD)"),
        ("台美經濟繁榮夥伴對話 (EPPD) 舉行", "台美經濟繁榮夥伴對話 (EPPD)"),
        ("美國總統川普（Donald Trump）第一任", "美國總統川普（Donald Trump）"),
        ("美國總統川普(Donald Trump)第一任", "美國總統川普(Donald Trump)"),
        ("川普（川普）", "川普（川普）"),
    ],
)
def test_restating_parenthetical_is_part_of_the_occurrence(text, span):
    assert found(text) == [span]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Not a restatement: the parenthetical says something else, and stays for the engine.
        ("外交部（3日）表示", ["外交部"]),
        ("美國總統川普（共和黨）表示", ["美國總統川普"]),
        ("川普（D）", ["川普"]),
        # The quote holds more than the term: its parenthetical is not the term's.
        ("「川普與拜登」（Donald Trump）", ["川普"]),
        # Unclosed parenthesis.
        ("外交部（MOFA", ["外交部"]),
    ],
)
def test_other_parentheticals_are_left_alone(text, expected):
    assert found(text) == expected


def test_parenthetical_term_is_not_a_second_occurrence():
    text = "外交部（MOFA）與台美經濟繁榮夥伴對話（EPPD）"
    assert [o.entry for o in GLOSSARY.occurrences(text)] == [MOFA, EPPD]


def test_case_insensitive_by_default():
    glossary = Glossary([Entry(zh=["Pax Silica"], en="Pax Silica")])
    assert found("PAX SILICA與pax silica", glossary) == ["PAX SILICA", "pax silica"]


def test_case_sensitive_entry_and_insensitive_twin():
    glossary = Glossary(
        [Entry(zh=["AI"], en="AI", case_sensitive=True), Entry(zh=["ai"], en="ai!")]
    )
    occurrences = glossary.occurrences("AI與ai")
    assert [o.entry.en for o in occurrences] == ["AI", "ai!"]


def test_empty_glossary_and_text():
    assert Glossary().occurrences("台美經濟繁榮夥伴對話") == []
    assert GLOSSARY.occurrences("") == []


FORMS = ["台美關稅協議", "矽盛世宣言", "華府", "EPPD", "總統府", "經濟部"]
FILLER = st.text(alphabet="的了是在有和與台美國，。 xyz123", max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(FILLER, st.sampled_from(FORMS), st.booleans()), min_size=1, max_size=6),
    FILLER,
)
def test_spans_map_back_to_the_original_in_either_script(pieces, tail):
    from bilingual.glossary.fold import _converter

    glossary = Glossary([Entry(zh=[form], en=f"r{i}") for i, form in enumerate(FORMS)])
    text = ""
    for filler, form, simplified in pieces:
        text += filler + (_converter().convert(form) if simplified else form)
    text += tail
    occurrences = glossary.occurrences(text)
    previous = 0
    for o in occurrences:
        assert o.start >= previous  # ordered and never overlapping
        previous = o.end
        assert fold(text[o.start : o.end]) == fold(o.form)
    # Every inserted Chinese form is found, once (EPPD may rightly not match next to Latin filler).
    inserted = sum(1 for _, form, _ in pieces if form != "EPPD")
    assert sum(1 for o in occurrences if o.form != "EPPD") == inserted
