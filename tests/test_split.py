"""Segments longer than the model takes: the splitter, and the stand-in Argos model end to end."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bilingual.document import Block, Document, Segment, Term
from bilingual.engines import EngineOptions
from bilingual.glossary import annotate, load_glossary, term_findings
from bilingual.translate import translate_document
from bilingual.translate.split import pieces_note, split_segment, split_text
from tests.conftest import ARTICLE, ROOT


def chars(text: str) -> int:
    return len(text)


# -- the splitter -----------------------------------------------------------------------------


def test_a_text_that_fits_stays_whole() -> None:
    assert split_text("台美合作。", 5, chars) == ["台美合作。"]


def test_cuts_at_the_strongest_boundary_first() -> None:
    text = "甲乙丙，丁戊。己庚辛；壬癸，子丑。"
    assert split_text(text, 10, chars) == ["甲乙丙，丁戊。", "己庚辛；壬癸，子丑。"]
    # a sentence still too long is cut at ；, then at ，
    assert split_text(text, 7, chars) == ["甲乙丙，丁戊。", "己庚辛；", "壬癸，子丑。"]
    assert split_text(text, 4, chars) == ["甲乙丙，", "丁戊。", "己庚辛；", "壬癸，", "子丑。"]


def test_closing_quotes_stay_with_their_clause() -> None:
    assert split_text("他說「好。」我們走吧。", 6, chars) == ["他說「好。」", "我們走吧。"]


def test_clauses_are_packed_up_to_the_limit() -> None:
    text = "一，二，三，四，五，六，七，八，九，十。"
    pieces = split_text(text, 6, chars)
    assert "".join(pieces) == text
    assert pieces == ["一，二，三，", "四，五，六，", "七，八，九，", "十。"]


def test_a_text_without_boundaries_is_cut_anywhere() -> None:
    text = "甲" * 25
    assert split_text(text, 10, chars) == ["甲" * 10, "甲" * 10, "甲" * 5]


def test_no_cut_falls_inside_a_term() -> None:
    text = "甲" * 8 + "台美經濟繁榮夥伴對話" + "乙" * 8
    pieces = split_text(text, 10, chars, keep=[(8, 18)])
    assert "".join(pieces) == text
    assert "台美經濟繁榮夥伴對話" in pieces
    assert all(len(p) <= 10 for p in pieces)


def test_a_term_longer_than_the_limit_stays_whole() -> None:
    text = "甲乙" + "丙" * 6 + "丁"
    assert split_text(text, 4, chars, keep=[(2, 8)]) == ["甲乙", "丙" * 6, "丁"]


def test_pieces_fit_by_the_counter_given() -> None:
    # a counter where Latin letters cost nothing and a Chinese character two
    def count(text: str) -> int:
        return sum(2 for ch in text if ord(ch) > 0x2E80) + 1

    text = "台灣與美國，ABC DEF，簽署協議，推動合作與發展，以及其他事項。" * 20
    pieces = split_text(text, 25, count)
    assert "".join(pieces) == text
    assert all(count(p) <= 25 for p in pieces)
    assert all(p.endswith(("，", "。")) for p in pieces[:-1])


def test_split_segment_keeps_each_term_in_its_piece() -> None:
    source = "甲乙，台美。丙丁，台美，戊己。"
    terms = [Term("台美", "Taiwan-US", 3, 5), Term("台美", "Taiwan-US", 9, 11)]
    segment = Segment("b1s1", source, terms=terms)
    assert split_segment(segment, 100, chars) is None
    pieces = split_segment(segment, 8, chars)
    assert pieces is not None
    assert "".join(p.source for _, p in pieces) == source
    assert [p.source for _, p in pieces] == ["甲乙，台美。", "丙丁，台美，", "戊己。"]
    assert [p.id for _, p in pieces] == ["b1s1/1", "b1s1/2", "b1s1/3"]
    for offset, piece in pieces:
        assert piece.source == source[offset : offset + len(piece.source)]
        for term in piece.terms:
            assert piece.source[term.start : term.end] == "台美"
    assert sum(len(p.terms) for _, p in pieces) == 2
    assert segment.terms[0].start == 3  # the segment's own terms are not moved


def test_split_segment_counts_the_placeholders() -> None:
    # "甲" * 6 + a two-character term: the source fits 8, its protected text (ZQX) 9 does not
    segment = Segment("s", "甲" * 6 + "台美", terms=[Term("台美", "Taiwan-US", 6, 8)])
    pieces = split_segment(segment, 8, chars)
    assert pieces is not None and len(pieces) == 2
    assert "".join(p.source for _, p in pieces) == segment.source


# -- end to end with the stand-in Argos model -------------------------------------------------


class Recorder:
    """Wraps the CTranslate2 translator to see every source the model is given."""

    def __init__(self, translator: Any) -> None:
        self.translator = translator
        self.calls: list[tuple[list[list[str]], dict[str, Any]]] = []

    def translate_batch(self, sources: list[list[str]], **kwargs: Any) -> Any:
        self.calls.append((sources, kwargs))
        return self.translator.translate_batch(sources, **kwargs)


@pytest.fixture
def argos(installed_standin: Path):
    from bilingual.engines import open_engine
    from bilingual.engines.argos import ArgosEngine

    engine = open_engine("argos", EngineOptions(beam=1, threads=1))
    assert isinstance(engine, ArgosEngine)
    return engine


def _long_document(text: str) -> Document:
    """A document of one paragraph, one segment: `text`."""
    return Document(blocks=[Block("b1", "paragraph", [Segment("b1s1", text)])])


@pytest.mark.slow
def test_a_long_segment_reaches_the_model_in_pieces(argos) -> None:
    from bilingual.engines.argos import decoding_length_bound

    article = ARTICLE.read_text(encoding="utf-8").replace("\n", "")
    text = (article * 3)[:5000]
    assert argos.max_input_tokens == 1024 and argos.count_tokens(text) > 3 * 1024
    document = _long_document(text)
    sent: list[str] = []
    translate_batch = argos.translate_batch
    argos.translate_batch = lambda texts: sent.extend(texts) or translate_batch(texts)
    recorder = Recorder(argos.translator)
    argos.translator = recorder
    stats = translate_document(document, argos, glossary=load_glossary([]), use_memory=False)

    [segment] = document.segments
    assert segment.status == "machine" and segment.target
    pieces = math.ceil(argos.count_tokens(text) / 1024)
    assert len(sent) >= pieces
    assert segment.notes[0] == pieces_note(len(sent))
    # every character reached the engine, none twice (batches go shortest first)
    expected = split_segment(Segment("x", text), 1024, argos.count_tokens)
    assert expected is not None and "".join(p.source for _, p in expected) == text
    assert sorted(sent) == sorted(p.source for _, p in expected)
    assert stats["translated"] == 1
    for sources, options in recorder.calls:
        longest = max(len(s) for s in sources)
        assert longest <= argos.max_input_tokens
        assert options["max_input_length"] == argos.max_input_tokens
        # the cap follows the piece: well past the old fixed 512 for a piece of ~1000 tokens
        assert options["max_decoding_length"] == decoding_length_bound(longest)
        assert options["max_decoding_length"] >= math.ceil(1.3 * longest) + 10


@pytest.mark.slow
def test_a_long_segment_keeps_its_terms(argos) -> None:
    article = ARTICLE.read_text(encoding="utf-8").replace("\n", "")
    document = _long_document((article * 2)[:3000])
    glossary = load_glossary([ROOT / "glossary"])
    annotate(document, glossary)
    [segment] = document.segments
    assert len(segment.terms) > 20
    translate_document(document, argos, glossary=glossary, use_memory=False)
    assert segment.status == "machine"
    assert segment.notes[0].startswith("translated in ") and "too long" in segment.notes[0]
    # the stand-in copies no placeholder, so every term went through the fallback of its piece
    assert all(term.placed == "fallback" for term in segment.terms)
    assert term_findings(segment) == []
    for term in segment.terms:
        assert term.rendering in segment.target


@pytest.mark.slow
def test_a_draft_stored_whole_for_a_long_segment_is_translated_anew(argos, tmp_path: Path) -> None:
    from bilingual.memory import Draft, Memory
    from bilingual.translate.run import memory_keys
    from bilingual.translate.split import in_pieces

    article = ARTICLE.read_text(encoding="utf-8").replace("\n", "")
    text = (article * 2)[:2500]
    path = tmp_path / "memory.sqlite"
    # what an earlier version stored: the model saw only the first 1024 tokens
    model, options = memory_keys(argos)
    memory = Memory(path)
    memory.store_machine([(text, [], Draft("Cut off.", [], []))], model=model, options=options)
    memory.close()
    document = _long_document(text)
    stats = translate_document(document, argos, glossary=load_glossary([]), memory_path=path)
    [segment] = document.segments
    assert stats["from_memory"] == 0 and stats["translated"] == 1
    assert segment.target != "Cut off." and in_pieces(segment.notes)
    # the draft made in pieces is stored in its place, and found by the next run
    again = _long_document(text)
    stats = translate_document(again, argos, glossary=load_glossary([]), memory_path=path)
    assert stats["from_memory"] == 1 and again.segments[0].target == segment.target
    assert again.segments[0].notes == segment.notes
