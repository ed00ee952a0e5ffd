"""Renderings per occurrence (first mention, later), the article's terms, and term findings."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bilingual.document import Block, Document, Segment, Term
from bilingual.glossary import (
    Entry,
    Glossary,
    annotate,
    load_glossary,
    renderings_for,
    term_findings,
)

ROOT = Path(__file__).resolve().parent.parent
EPPD = Entry(
    zh=["台美經濟繁榮夥伴對話", "經濟繁榮夥伴對話", "EPPD"],
    en="EPPD",
    first="Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)",
)
LAI = Entry(zh=["總統賴清德", "賴清德"], en="President Lai", first="President Lai Ching-te")
TRUMP = Entry(zh=["美國總統川普", "川普"], en="President Trump", first="US President Donald Trump")
HUA = Entry(zh=["華府"], en="Washington, DC")
GLOSSARY = Glossary([EPPD, LAI, TRUMP, HUA])


def document(*blocks: list[str]) -> Document:
    return Document(
        blocks=[
            Block(
                f"b{bi}",
                "paragraph",
                [Segment(f"b{bi}s{si}", text) for si, text in enumerate(texts, 1)],
            )
            for bi, texts in enumerate(blocks, 1)
        ]
    )


def test_first_mention_then_later_across_blocks():
    doc = document(
        ["第6屆「台美經濟繁榮夥伴對話」（EPPD）日前落幕，由總統賴清德說明。", "賴清德提到EPPD。"],
        ["第6屆台美「經濟繁榮夥伴對話（EPPD）」在華府舉行，美國總統川普（Donald Trump）創立。"],
        ["川普總統與EPPD；華府。"],
    )
    annotate(doc, GLOSSARY)
    rendered = [[(t.source, t.rendering) for t in s.terms] for s in doc.segments]
    assert rendered == [
        [
            (
                "「台美經濟繁榮夥伴對話」（EPPD）",
                "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)",
            ),
            ("總統賴清德", "President Lai Ching-te"),
        ],
        [("賴清德", "President Lai"), ("EPPD", "EPPD")],
        [
            ("經濟繁榮夥伴對話（EPPD）", "EPPD"),
            ("華府", "Washington, DC"),
            ("美國總統川普（Donald Trump）", "US President Donald Trump"),
        ],
        [("川普", "President Trump"), ("EPPD", "EPPD"), ("華府", "Washington, DC")],
    ]
    for segment in doc.segments:
        for term in segment.terms:
            assert segment.source[term.start : term.end] == term.source


def test_annotate_replaces_old_terms_and_restarts_first_mentions():
    doc = document(["賴清德說。"])
    annotate(doc, GLOSSARY)
    annotate(doc, GLOSSARY)
    assert [t.rendering for t in doc.segments[0].terms] == ["President Lai Ching-te"]
    annotate(doc, Glossary())
    assert doc.segments[0].terms == []


def test_first_mention_in_simplified_text():
    doc = document(["台美经济繁荣伙伴对话今天举行。", "台美經濟繁榮夥伴對話明天結束。"])
    annotate(doc, GLOSSARY)
    assert [s.terms[0].rendering for s in doc.segments] == [EPPD.first, "EPPD"]


def test_unverified_terms_carry_a_note(tmp_path):
    path = tmp_path / "people.yaml"
    path.write_text(
        "terms:\n  - zh: 梁博超\n    en: Liang Po-chao\n    verified: false\n", encoding="utf-8"
    )
    doc = document(["即時中心／梁博超報導"])
    annotate(doc, load_glossary([path]))
    (term,) = doc.segments[0].terms
    assert term.note == f"rendering not verified (see {path}:2)"
    assert term.to_dict()["note"].startswith("rendering not verified")


def test_article_finds_every_starter_term(article_document):
    article_document = copy.deepcopy(article_document)  # the fixture is shared by the session
    glossary = load_glossary([ROOT / "glossary"])
    annotate(article_document, glossary)
    met = {id(o.entry) for s in article_document.segments for o in glossary.occurrences(s.source)}
    assert sum(len(s.terms) for s in article_document.segments) == sum(
        len(glossary.occurrences(s.source)) for s in article_document.segments
    )
    missing = [e.zh[0] for e in glossary.entries if id(e) not in met]
    # 矽盛世宣言 occurs in the article only inside the longer joint statement, which wins.
    assert missing == ["矽盛世宣言"]
    text = "".join(s.source for s in article_document.segments)
    assert all(any(form in text for form in e.zh) for e in glossary.entries)
    first_block = {t.rendering for s in article_document.blocks[1].segments for t in s.terms}
    assert "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)" in first_block
    assert "President Lai Ching-te" in first_block


def test_renderings_for_lists_the_segment_terms():
    doc = document(["賴清德在華府。"])
    annotate(doc, GLOSSARY)
    assert renderings_for(doc.segments[0]) == [
        "賴清德=President Lai Ching-te",
        "華府=Washington, DC",
    ]
    assert GLOSSARY.renderings_for(doc.segments[0]) == renderings_for(doc.segments[0])


def segment_with(source: str, target: str, glossary: Glossary = GLOSSARY) -> Segment:
    doc = document([source])
    annotate(doc, glossary)
    segment = doc.segments[0]
    segment.target = target
    return segment


def kinds(segment: Segment) -> list[tuple[str, str]]:
    return [(f.kind, f.term.source) for f in term_findings(segment)]


def test_findings_all_present():
    segment = segment_with(
        "美國總統川普（Donald Trump）在華府。",
        "US President Donald Trump was in Washington, DC.",
    )
    assert term_findings(segment) == []


def test_findings_missing_rendering():
    segment = segment_with("美國總統川普（Donald Trump）在華府。", "Trump was in Washington, DC.")
    (finding,) = term_findings(segment)
    assert finding.kind == "missing"
    assert finding.term.rendering == "US President Donald Trump"
    assert "US President Donald Trump" in finding.message and "美國總統川普" in finding.message


def test_findings_doubled_parenthetical():
    segment = segment_with(
        "美國總統川普（Donald Trump）在華府。",
        "US President Donald Trump (Donald Trump) was in Washington, DC.",
    )
    assert kinds(segment) == [("doubled", "美國總統川普（Donald Trump）")]
    segment = segment_with(
        "第6屆「台美經濟繁榮夥伴對話」（EPPD）落幕。",
        "The sixth Taiwan-US Economic Prosperity Partnership Dialogue (EPPD) (EPPD) ended.",
    )
    assert kinds(segment) == [("doubled", "「台美經濟繁榮夥伴對話」（EPPD）")]


def test_findings_count_repeated_terms():
    glossary = Glossary([HUA, Entry(zh=["EPPD"], en="EPPD")])
    segment = segment_with("華府與華府", "Washington, DC and Washington", glossary)
    (finding,) = term_findings(segment)
    assert finding.kind == "missing" and "2 times" in finding.message


def test_findings_nested_rendering_is_not_counted_twice():
    # The first form contains "EPPD"; the later plain EPPD must still be found on its own.
    segment = segment_with(
        "台美經濟繁榮夥伴對話，簡稱EPPD。",
        "The Taiwan-US Economic Prosperity Partnership Dialogue (EPPD), the talks.",
    )
    assert kinds(segment) == [("missing", "EPPD")]
    segment.target = "The Taiwan-US Economic Prosperity Partnership Dialogue (EPPD), or EPPD."
    assert term_findings(segment) == []


def test_findings_respect_latin_boundaries_and_sentence_case():
    glossary = Glossary([Entry(zh=["EPPD"], en="EPPD"), Entry(zh=["第6屆"], en="the sixth")])
    segment = segment_with("第6屆EPPD", "The sixth EPPDs", glossary)
    assert kinds(segment) == [("missing", "EPPD")]
    segment.target = "The sixth  EPPD"
    assert term_findings(segment) == []


def test_no_findings_for_empty_target():
    segment = segment_with("華府", "")
    assert term_findings(segment) == []


def test_findings_from_json_form_terms():
    segment = Segment(
        "b1s1", "華府", target="Washington", terms=[Term("華府", "Washington, DC", 0, 2)]
    )
    assert kinds(segment) == [("missing", "華府")]


def test_entry_for_finds_the_entry_of_a_term():
    doc = document(["第6屆「台美經濟繁榮夥伴對話」（EPPD）與川普。"])
    annotate(doc, GLOSSARY)
    assert [GLOSSARY.entry_for(t) for t in doc.segments[0].terms] == [EPPD, TRUMP]
    assert GLOSSARY.entry_for(Term("無關", "x", 0, 2)) is None


FIRST_MENTION_GLOSSARY = (
    "terms:\n"
    "  - zh: [台美經濟繁榮夥伴對話, 台美经济繁荣伙伴对话, EPPD]\n"
    "    en: EPPD\n"
    "    first: Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)\n"
)
CAPTION_FIRST = {
    "zh-Hant": "台美經濟繁榮夥伴對話登場\n\n中央社／ 華盛頓27日專電\n\n"
    "圖為台美經濟繁榮夥伴對話會場。（經濟部提供）\n\n"
    "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行。\n\n"
    "官員指出，EPPD是雙方最重要的經濟對話。\n",
    "zh-Hans": "台美经济繁荣伙伴对话登场\n\n新华社华盛顿2月27日电\n\n"
    "图为台美经济繁荣伙伴对话会场。（新华社记者张伟摄）\n\n"
    "官员今天表示，台美经济繁荣伙伴对话将在华盛顿举行。\n\n"
    "官员指出，EPPD是双方最重要的经济对话。\n",
}


def _renderings_by_kind(document: Document) -> list[tuple[str, list[str]]]:
    return [(b.kind, [t.rendering for s in b.segments for t in s.terms]) for b in document.blocks]


@pytest.mark.parametrize("script", ["zh-Hant", "zh-Hans"])
def test_the_first_mention_is_the_body_s_even_after_a_caption(tmp_path, script):
    from bilingual.pipeline import read_document

    (tmp_path / "g.yaml").write_text(FIRST_MENTION_GLOSSARY, encoding="utf-8")
    (tmp_path / "report.txt").write_text(CAPTION_FIRST[script], encoding="utf-8")
    document = read_document(tmp_path / "report.txt")
    annotate(document, load_glossary([tmp_path / "g.yaml"]))
    full = "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)"
    assert _renderings_by_kind(document) == [
        ("title", ["EPPD"]),
        ("byline", []),
        ("caption", ["EPPD"]),  # above the lead, it leaves the full form to the body
        ("paragraph", [full]),
        ("paragraph", ["EPPD"]),
    ]
    lead = document.blocks[3].segments[0].terms[0]
    assert lead.other_form == "EPPD"  # a review made under the old rule still stands


def test_reviews_made_for_either_form_are_not_flagged(tmp_path):
    from click.testing import CliRunner

    from bilingual.cli import cli
    from bilingual.document import GLOSSARY_CHANGED, dump, load

    (tmp_path / "g.yaml").write_text(FIRST_MENTION_GLOSSARY, encoding="utf-8")
    source = tmp_path / "report.txt"
    source.write_text(CAPTION_FIRST["zh-Hant"], encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(source), "--engine", "none", "-o", str(out), "--no-memory"]
    args += ["--glossary", str(tmp_path / "g.yaml"), "--format", "json"]

    def translate() -> Document:
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        return load(out / "report.json")

    document = translate()
    full = "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)"
    caption, lead, later = (document.blocks[i].segments[0] for i in (2, 3, 4))
    # Reviews made when the caption took the first mention: caption long, lead short.
    for segment, rendering in ((caption, full), (lead, "EPPD"), (later, "Another form")):
        segment.apply_human(
            f"Reviewed {segment.id}.",
            {"source": segment.source, "renderings": [rendering], "at": "2026-01-01T00:00:00"},
        )
    dump(document, out / "report.json")
    again = translate()
    flags = {s.id: s.flags for s in again.segments if s.status == "human"}
    assert flags == {caption.id: [], lead.id: [], later.id: [GLOSSARY_CHANGED]}
