"""Term protection pieces with hand-made terms: placeholders, restoring, and the fallback's join."""

from __future__ import annotations

import pytest

from bilingual.document import Segment, Term
from bilingual.translate.terms import (
    Part,
    fallback_parts,
    join,
    placeholders,
    protect,
    restore,
)
from tests.conftest import TOKENIZER_DIR


def segment_with(source: str, *terms: tuple[str, str]) -> Segment:
    """A segment whose terms are the given (source text, rendering) pairs, found left to right."""
    found: list[Term] = []
    cursor = 0
    for text, rendering in terms:
        start = source.index(text, cursor)
        found.append(Term(text, rendering, start, start + len(text)))
        cursor = start + len(text)
    return Segment("b1s1", source, terms=found)


LAI = segment_with(
    "總統賴清德說，立法院將審議台美關稅協議。",
    ("總統賴清德", "President Lai Ching-te"),
    ("立法院", "Legislative Yuan"),
    ("台美關稅協議", "Taiwan-US tariff agreement"),
)


def test_protect_replaces_each_term_by_its_own_placeholder() -> None:
    protection = protect(LAI)
    a, b, c = protection.placeholders
    assert protection.text == f"{a}說，{b}將審議{c}。"
    assert len({a, b, c}) == 3


def test_placeholders_never_collide_with_the_source() -> None:
    first = placeholders(1)[0]
    assert first not in placeholders(3, avoid=f"本文提到{first.lower()}與其他")


def test_protect_keeps_a_quote_the_span_cuts_in_half() -> None:
    # The glossary merges 「…」（EPPD） into one span that may start inside the quotes.
    segment = segment_with(
        "台美「經濟繁榮夥伴對話（EPPD）」舉行。", ("經濟繁榮夥伴對話（EPPD）」", "EPPD")
    )
    (token,) = protect(segment).placeholders
    assert protect(segment).text == f"台美「{token}」舉行。"


def test_placeholders_survive_opencc_and_sentencepiece() -> None:
    """The argos engine converts to Simplified and tokenises: placeholders must come out whole."""
    import opencc
    import sentencepiece

    tokenizer = sentencepiece.SentencePieceProcessor(
        model_file=str(TOKENIZER_DIR / "sentencepiece.model")
    )
    protection = protect(LAI)
    simplified = opencc.OpenCC("tw2sp").convert(protection.text)
    pieces = tokenizer.encode(simplified, out_type=str)
    assert tokenizer.unk_id() not in tokenizer.encode(simplified)
    decoded = tokenizer.decode_pieces(pieces)
    for token in protection.placeholders:
        assert token in simplified
        assert token in decoded


def english(protection_tokens: list[str], template: str) -> str:
    return template.format(*protection_tokens)


def test_restore_keeps_the_models_sentence() -> None:
    protection = protect(LAI)
    model = english(protection.placeholders, "{0} said that the {1} will review the {2}.")
    assert restore(protection, LAI.terms, model) == (
        "President Lai Ching-te said that the Legislative Yuan will review the "
        "Taiwan-US tariff agreement."
    )


def test_restore_accepts_english_word_order() -> None:
    protection = protect(LAI)
    model = english(protection.placeholders, "The {2} will be reviewed by the {1}, {0} said.")
    assert restore(protection, LAI.terms, model) == (
        "The Taiwan-US tariff agreement will be reviewed by the Legislative Yuan, "
        "President Lai Ching-te said."
    )


@pytest.mark.parametrize(
    "template",
    [
        "{0} said that the {1} will review it.",  # dropped
        "{0} said that the {1} will review the {2} and the {2}.",  # duplicated
        "{0} said that the ZQ X will review the {2}.",  # mangled: split
        "{0} said that the {1}X will review the {2}.",  # mangled: grown
        "",  # nothing at all
    ],
)
def test_restore_refuses_a_lost_placeholder(template: str) -> None:
    protection = protect(LAI)
    model = english(protection.placeholders, template)
    assert restore(protection, LAI.terms, model) is None


def test_restore_gives_the_first_form_to_the_first_mention_in_english() -> None:
    segment = segment_with(
        "賴清德說，賴清德很高興。",
        ("賴清德", "President Lai Ching-te"),
        ("賴清德", "President Lai"),
    )
    protection = protect(segment)
    a, b = protection.placeholders
    same_entry = {"President Lai Ching-te": 1, "President Lai": 1}
    restored = restore(
        protection,
        segment.terms,
        f"{b} was glad, {a} said.",
        entry_of=lambda t: same_entry[t.rendering],
    )
    assert restored == "President Lai Ching-te was glad, President Lai said."


def test_restore_does_not_double_an_article_and_capitalises_a_sentence_start() -> None:
    segment = segment_with(
        "雙方主談人首度見面。", ("雙方主談人", "the principal representatives of both sides")
    )
    protection = protect(segment)
    (token,) = protection.placeholders
    assert restore(protection, segment.terms, f"The {token} met for the first time.") == (
        "The principal representatives of both sides met for the first time."
    )


def test_restore_is_case_insensitive_about_the_placeholder() -> None:
    protection = protect(LAI)
    a, b, c = (t.capitalize() for t in protection.placeholders)
    restored = restore(protection, LAI.terms, f"{a} said the {b} will review the {c}.")
    assert restored is not None and "Legislative Yuan" in restored


def test_fallback_parts_split_at_terms_and_keep_punctuation_apart() -> None:
    parts = fallback_parts(LAI)
    assert [(p.kind, p.value) for p in parts] == [
        ("term", "President Lai Ching-te"),
        ("text", "說"),
        ("punct", ","),
        ("term", "Legislative Yuan"),
        ("text", "將審議"),
        ("term", "Taiwan-US tariff agreement"),
        ("punct", "."),
    ]


def test_join_places_every_rendering_between_the_translated_pieces() -> None:
    parts = fallback_parts(LAI)
    joined = join(parts, ["Said.", "Will review"])
    assert joined == (
        "President Lai Ching-te said, Legislative Yuan will review Taiwan-US tariff agreement."
    )


def test_join_turns_chinese_quotes_into_english_ones() -> None:
    segment = segment_with("他說「立法院要審查」。", ("立法院", "Legislative Yuan"))
    parts = fallback_parts(segment)
    assert join(parts, ["He said", "Should review"]) == "He said “Legislative Yuan should review”."


def test_join_capitalises_the_first_word_and_drops_empty_pieces() -> None:
    parts = [Part("text", "x"), Part("term", "EPPD", term=0), Part("text", "y"), Part("punct", ".")]
    assert join(parts, ["the sixth", ""]) == "The sixth EPPD."
