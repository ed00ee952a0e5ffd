"""Matching terms: both scripts, leftmost-longest, Latin boundaries, case, parentheticals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.glossary import Entry, Glossary
from bilingual.glossary.fold import fold
from tests.conftest import examples

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


@settings(max_examples=examples(150), deadline=None)
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


# -- invisible characters ---------------------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
DIRECTION = ["\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069"]


def test_invisible_characters_inside_a_term_are_skipped() -> None:
    glossary = Glossary([Entry(zh=["台美關稅協議"], en="Taiwan-US tariff agreement")])
    for mark in ZERO_WIDTH + DIRECTION:
        text = f"立院將審議台美{mark}關稅協議。"
        [occurrence] = glossary.occurrences(text)
        assert (occurrence.start, occurrence.end) == (5, 12)
        assert text[occurrence.start : occurrence.end] == f"台美{mark}關稅協議"
    # several, and at a term's edges: the span runs from its first to its last visible character
    text = "\ufeff\u200b台\u200b\u200e美關稅\u2060協議\u200b，"
    [occurrence] = glossary.occurrences(text)
    assert text[occurrence.start : occurrence.end] == "台\u200b\u200e美關稅\u2060協議"


def test_a_form_with_an_invisible_character_matches_the_plain_text() -> None:
    glossary = Glossary([Entry(zh=["台美\u200b關稅協議"], en="Taiwan-US tariff agreement")])
    [occurrence] = glossary.occurrences("審議台美關稅協議")
    assert (occurrence.start, occurrence.end) == (2, 8)


def test_latin_boundaries_and_parentheticals_see_through_invisible_characters() -> None:
    glossary = Glossary([Entry(zh=["台美經濟繁榮夥伴對話", "EPPD"], en="EPPD")])
    assert glossary.occurrences("EPP\u200bDX") == []  # still touches the X
    text = "台美經濟\u200b繁榮夥伴對話\u200b（E\u200bPPD）落幕"
    [occurrence] = glossary.occurrences(text)
    assert text[occurrence.start : occurrence.end] == text[:-2]
    assert occurrence.parenthetical == "E\u200bPPD"


def _with_invisible_characters_in_terms(text: str) -> tuple[str, int]:
    """The text with one invisible character inside every term occurrence, and how many."""
    from bilingual.glossary import load_glossary
    from tests.conftest import ROOT

    glossary = load_glossary([ROOT / "glossary"])
    marks = ZERO_WIDTH + DIRECTION
    inserted = 0
    for n, occurrence in enumerate(reversed(glossary.occurrences(text))):
        middle = occurrence.start + max(1, len(occurrence.form) // 2)
        text = text[:middle] + marks[n % len(marks)] + text[middle:]
        inserted += 1
    return text, inserted


def test_the_reference_article_keeps_every_occurrence_with_invisible_characters(
    tmp_path, article_path
) -> None:
    from bilingual.glossary import load_glossary
    from bilingual.glossary.fold import visible
    from bilingual.glossary.render import annotate
    from bilingual.pipeline import read_document
    from tests.conftest import ROOT

    glossary = load_glossary([ROOT / "glossary"])
    plain = read_document(article_path)
    annotate(plain, glossary)
    expected = [t.source for s in plain.segments for t in s.terms]
    assert len(expected) == 90

    text, inserted = _with_invisible_characters_in_terms(article_path.read_text(encoding="utf-8"))
    assert inserted == 90
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    marked = read_document(path)
    annotate(marked, glossary)
    found = [t for s in marked.segments for t in s.terms]
    assert len(found) == 90
    for segment in marked.segments:
        for term in segment.terms:
            assert segment.source[term.start : term.end] == term.source  # the original text
    assert sum(visible(t.source)[1] is not None for t in found) == 90
    assert [visible(t.source)[0] for t in found] == expected


def test_the_run_says_the_text_holds_invisible_characters(tmp_path, article_path) -> None:
    from click.testing import CliRunner

    from bilingual.cli import cli
    from tests.conftest import ROOT

    text, _ = _with_invisible_characters_in_terms(article_path.read_text(encoding="utf-8"))
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    command = ["translate", str(path), "-o", str(tmp_path / "out"), "--engine", "none"]
    command += ["--format", "json", "--no-memory", "--glossary", str(ROOT / "glossary"), "-q"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert "90 terms" in result.output
    [line] = [line for line in result.output.splitlines() if "invisible" in line]
    assert "the text contains 90 invisible characters" in line
    assert "zero-width characters or direction marks" in line
    assert ", ...)" in line  # the first few segments named


def test_no_warning_for_a_text_without_invisible_characters() -> None:
    from bilingual.glossary.match import invisible_warnings

    assert invisible_warnings([("b1s1", "台美關稅協議。")]) == []
    [line] = invisible_warnings([("b1s1", "台\u200b美"), ("b2s1", "x"), ("b3s1", "\u200e")])
    assert "2 invisible characters" in line and "in 2 segments (b1s1, b3s1)" in line
