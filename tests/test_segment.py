"""Segmentation of the reference article and of arbitrary text."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from bilingual.document import Document, RawBlock, RawText, validate
from bilingual.segment import classify_blocks, segment, split_sentences


def test_reference_block_kinds_and_counts(article_document):
    kinds = Counter(b.kind for b in article_document.blocks)
    assert kinds == {"dateline": 1, "paragraph": 17, "heading": 3, "source_note": 1}
    assert article_document.blocks[0].kind == "dateline"
    assert article_document.blocks[-1].kind == "source_note"
    headings = [b.source for b in article_document.blocks if b.kind == "heading"]
    assert headings == [
        "賴清德點出台美未來合作三大戰略方向",
        "不僅加強對美合作 賴清德：與各國持續深化經貿夥伴關係",
        "立院將審議台美關稅協議 賴清德盼跨越黨派藩籬：共同守護得來不易的談判成果",
    ]


def test_reference_metadata(article_document):
    meta = article_document.meta
    assert article_document.source_lang == "zh-Hant"
    assert meta["date"] == "2026-02-03"
    assert meta["byline"] == "即時中心／梁博超報導"
    assert meta["title"] == "親揭台美合作3大戰略方向 賴清德籲立院跨越黨派：依法審查關稅協議"
    assert meta["source_note"].startswith("原文出處：快新聞／")
    assert meta["encoding"] == "utf-8"


def test_reference_ids_are_positional(article_document):
    assert [b.id for b in article_document.blocks] == [f"b{i}" for i in range(1, 23)]
    b2 = article_document.blocks[1]
    assert [s.id for s in b2.segments] == ["b2s1", "b2s2", "b2s3"]
    # 38 segments before the news pass, plus two that split without moving an id: the dateline
    # is its date and its byline (b1s1, b1s2), the source note its label and the headline.
    assert len(article_document.segments) == 40
    assert [s.source for s in article_document.blocks[0].segments] == [
        "date 2026-02-03 ",
        "即時中心／梁博超報導",
    ]
    assert [s.source for s in article_document.blocks[-1].segments] == [
        "原文出處：快新聞／",
        "親揭台美合作3大戰略方向 賴清德籲立院跨越黨派：依法審查關稅協議",
    ]


def test_reference_sentence_boundaries(article_document):
    doc = article_document
    b5 = doc.blocks[4].segments
    assert b5[1].source.startswith("「各位同仁的努力和付出")
    assert b5[1].source.endswith("大家辛苦了。」")
    b8 = doc.blocks[7].segments
    assert b8[0].source == (
        "「經過九個月的努力，我們已經在上個月，完成台美對等關稅談判，"
        "並取得讓國人滿意，讓世界欽羨的成果。」"
    )
    assert b8[1].source.startswith("賴清德強調，")
    b11 = doc.blocks[10].segments
    assert b11[0].source == "首先是強化「經濟安全」。"
    b21 = doc.blocks[20].segments
    assert b21[0].source.endswith("我們才能如此大步地向前推進！」")
    assert b21[1].source.startswith("經貿談判的成果")


def test_blocks_join_back_to_their_text(article_path, article_document):
    text = article_path.read_text(encoding="utf-8")
    for block in article_document.blocks:
        assert block.source in text


def test_end_mark_runs_and_closers():
    assert split_sentences("真的嗎？！他說：「好。」然後走了。") == [
        "真的嗎？！",
        "他說：「好。」",
        "然後走了。",
    ]
    assert split_sentences("（見附件。）下一句。") == ["（見附件。）", "下一句。"]


def test_ascii_marks_only_before_space_or_end():
    assert split_sentences("成長3.5%。GDP grew 3.5 percent. Really? Yes!") == [
        "成長3.5%。",
        "GDP grew 3.5 percent. ",
        "Really? ",
        "Yes!",
    ]
    assert split_sentences("version 1.2.3 is out") == ["version 1.2.3 is out"]


def test_block_without_end_mark_is_one_segment():
    assert split_sentences("沒有句號的一段文字") == ["沒有句號的一段文字"]


@given(st.text())
def test_segmentation_is_lossless(text):
    assert "".join(split_sentences(text)) == text


@given(st.lists(st.text(min_size=1).filter(str.strip), min_size=1, max_size=6))
def test_blocks_are_lossless(texts):
    document = segment(RawText([RawBlock(t) for t in texts]))
    sources = [b.source for b in document.blocks]
    if not any(sep in t for t in texts for sep in "\u2028\u2029"):
        assert sources == texts

    # U+2028/U+2029 split a block where they stand (and the pieces lose their edge space):
    # every other character is kept, in order.
    def visible(pieces: list[str]) -> str:
        return "".join("".join(p.split()) for p in pieces)

    assert visible(sources) == visible(texts)
    for block in document.blocks:
        for i, seg in enumerate(block.segments, 1):
            assert seg.id == f"{block.id}s{i}"


def test_general_rules_title_heading_source_note():
    texts = [
        "2025年12月1日 記者王小明／台北報導",
        "短標題在最前面",
        "這是第一段。還有一句。",
        "中間的小標",
        "這是第二段。",
        "資料來源：某某報／原來的標題",
    ]
    assert classify_blocks(texts) == [
        "dateline",
        "title",
        "paragraph",
        "heading",
        "paragraph",
        "source_note",
    ]
    document = segment(RawText([RawBlock(t) for t in texts]))
    assert document.meta["date"] == "2025-12-01"
    assert document.meta["byline"] == "記者王小明／台北報導"
    assert document.meta["title"] == "短標題在最前面"  # the text's own title wins over the headline
    assert document.meta["source_headline"] == "原來的標題"


def test_first_block_without_date_is_not_a_dateline():
    assert classify_blocks(["一段普通的文字。"]) == ["paragraph"]


def test_reader_hints_are_kept_and_only_unhinted_blocks_classified():
    raw = RawText(
        [
            RawBlock("一段沒有句號的標題式文字", kind="paragraph"),
            RawBlock("第二章 合作方向。還有一句。", kind="heading", meta={"level": 2}),
            RawBlock("短標題"),
            RawBlock("這是正文。第二句。"),
        ],
        meta={"input": "x.docx"},
    )
    document = segment(raw)
    assert [b.kind for b in document.blocks] == ["paragraph", "heading", "heading", "paragraph"]
    # a hinted heading is one segment whatever its punctuation, and keeps its level
    assert [s.source for s in document.blocks[1].segments] == ["第二章 合作方向。還有一句。"]
    assert document.blocks[1].level == 2
    assert document.blocks[2].level is None
    assert [s.source for s in document.blocks[3].segments] == ["這是正文。", "第二句。"]
    assert document.meta["input"] == "x.docx"
    assert document.source_lang == "zh-Hant"
    assert document.to_dict()["blocks"][1]["level"] == 2
    assert "level" not in document.to_dict()["blocks"][0]
    validate(document.to_dict())
    assert Document.from_dict(document.to_dict()).blocks[1].level == 2


def test_script_is_detected_from_the_blocks():
    raw = RawText([RawBlock("台湾与美国签署协议。"), RawBlock("经济部长表示，双方将扩大合作。")])
    assert segment(raw).source_lang == "zh-Hans"


def test_a_mark_after_a_closing_quote_ends_the_same_sentence():
    assert split_sentences("他問：「好嗎？」！對。") == ["他問：「好嗎？」！", "對。"]
    assert split_sentences("他问：“好吗？”！对。") == ["他问：“好吗？”！", "对。"]
    assert split_sentences("他說：「好。」他走了。") == ["他說：「好。」", "他走了。"]
