"""`glossary find`: occurrences with renderings, and candidate terms not in the glossary yet."""

from __future__ import annotations

from pathlib import Path

from bilingual.document import Block, Document, Segment
from bilingual.glossary import Entry, Glossary, load_glossary
from bilingual.glossary.find import find_terms

ROOT = Path(__file__).resolve().parent.parent


def doc(*texts: str) -> Document:
    return Document(
        blocks=[Block("b1", "paragraph", [Segment(f"b1s{i}", t) for i, t in enumerate(texts, 1)])]
    )


def candidates(document: Document, glossary: Glossary | None = None) -> dict[str, str]:
    return {c.text: c.kind for c in find_terms(document, glossary or Glossary()).candidates}


def test_quoted_names_abbreviations_and_title_names():
    found = candidates(
        doc(
            "第6屆「台美經濟繁榮夥伴對話」（EPPD）日前落幕。",
            "出席成員包括總統賴清德、經濟部長龔明鑫及外交部北美司長王良玉等人。",
            "他要感謝外交部長林佳龍。今天稍早林部長、龔部長再特別向他說明。",
            "「各位同仁的努力和付出，達成了豐碩的成果。」",
        )
    )
    assert found["台美經濟繁榮夥伴對話"] == "quoted"
    assert found["EPPD"] == "abbreviation"
    assert found["總統賴清德"] == "title-name"
    assert found["經濟部長龔明鑫"] == "title-name"
    assert found["外交部北美司長王良玉"] == "title-name"
    assert found["外交部長林佳龍"] == "title-name"
    assert found["龔部長"] == "title-name"
    assert found["林部長"] == "title-name"
    assert not any("出席" in text or "感謝" in text for text in found)
    assert not any("努力" in text for text in found)  # a quoted sentence is not a name


def test_known_terms_are_not_candidates():
    glossary = Glossary(
        [
            Entry(zh=["台美經濟繁榮夥伴對話", "EPPD"], en="EPPD"),
            Entry(zh=["經濟部長龔明鑫"], en="Minister Kung"),
        ]
    )
    found = candidates(doc("「台美经济繁荣伙伴对话」（EPPD）與經濟部長龔明鑫。"), glossary)
    assert found == {}


def test_occurrences_and_counts():
    glossary = Glossary([Entry(zh=["華府"], en="Washington, DC")])
    result = find_terms(doc("在華府「全力以赴」。", "「全力以赴」在華府。"), glossary)
    assert [
        (o["segment"], o["start"], o["end"], o["source"], o["rendering"])
        for o in result.occurrences
    ] == [
        ("b1s1", 1, 3, "華府", "Washington, DC"),
        ("b1s2", 7, 9, "華府", "Washington, DC"),
    ]
    (candidate,) = result.candidates
    assert (candidate.text, candidate.count, candidate.segment) == ("全力以赴", 2, "b1s1")
    assert set(result.to_dict()) == {"occurrences", "candidates"}


def test_article_with_starter_glossary_leaves_only_new_candidates(article_document):
    result = find_terms(article_document, load_glossary([ROOT / "glossary"]))
    texts = {c.text for c in result.candidates}
    assert "經濟部國際貿易署長劉威廉" in texts  # the title is not in the glossary, only the name
    assert "台美經濟繁榮夥伴對話" not in texts and "EPPD" not in texts
    assert len(result.occurrences) >= 80


def test_a_two_character_name_ends_before_the_verb():
    found = candidates(
        doc(
            "國務院總理李強在會上說，經濟將穩定增長。",
            "國家統計局新聞發言人王萍表示，物價平穩。",
            "总理李强说，经济平稳。",
            "外交部長林佳龍與經濟部長龔明鑫出席。",
        )
    )
    assert found["國務院總理李強"] == "title-name"
    assert found["國家統計局新聞發言人王萍"] == "title-name"
    assert found["总理李强"] == "title-name"
    assert not any(text.endswith(("在", "表", "說", "说")) for text in found), found
    # Three-character names keep their third character.
    assert found["外交部長林佳龍"] == "title-name" and found["經濟部長龔明鑫"] == "title-name"


def test_glossary_find_command_prints_the_cut_candidates(tmp_path: Path):
    from click.testing import CliRunner

    from bilingual.cli import cli

    text = tmp_path / "news.txt"
    text.write_text(
        "國務院總理李強在會上說。\n\n國家統計局新聞發言人王萍表示。\n", encoding="utf-8"
    )
    empty = tmp_path / "empty.yaml"
    empty.write_text("terms: []\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["glossary", "find", str(text), "--glossary", str(empty)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "b1s1\ttitle-name\t國務院總理李強" in lines
    assert "b2s1\ttitle-name\t國家統計局新聞發言人王萍" in lines
