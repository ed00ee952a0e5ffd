"""The structure of real news: datelines, bylines, captions, boilerplate and the headline, in
both scripts, and what every consumer does with boilerplate."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bilingual.check import check_document
from bilingual.cli import cli
from bilingual.document import Document, RawBlock, load
from bilingual.engines import EngineOptions, Translation
from bilingual.exporters import ExportOptions, get_exporter
from bilingual.glossary import load_glossary
from bilingual.news import date_in_english, structure, without_date_label
from bilingual.pipeline import read_document
from bilingual.segment import SEGMENTER_VERSION
from bilingual.translate import translate_document
from tests.conftest import examples

TRADITIONAL = """外交部長林佳龍出席台美經貿記者會

2026-02-03（外交部提供）

〔記者林菁樺、黃靖媗／台北報導〕立法院今天三讀通過修正案。行政院表示歡迎。

(記者羅沛德攝)

（中央社記者○○華盛頓27日專電）美國國務院今天表示，支持台灣參與國際組織。

中央社／ 華盛頓27日專電

圖／外交部長林佳龍在記者會上致詞。

請繼續往下閱讀...

延伸閱讀

台美關稅協議出爐

賴清德談經濟安全

責任編輯：王小明
"""

SIMPLIFIED = """全国人大会议在京开幕

2026年3月5日 图为会议现场。

新华社北京2026年3月5日电（记者张伟）十四届全国人大四次会议今天上午在人民大会堂开幕。近三千名代表出席会议。

（新华社记者李明摄）

更多新闻

点我订阅新华社客户端
"""


def _read(tmp_path: Path, name: str, text: str) -> Document:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_document(path)


def _kinds(document: Document) -> list[tuple[str, str]]:
    return [(b.kind, b.source) for b in document.blocks]


def test_traditional_dateline_caption_bylines_captions_and_boilerplate(tmp_path):
    document = _read(tmp_path, "trad.txt", TRADITIONAL)
    assert _kinds(document) == [
        ("title", "外交部長林佳龍出席台美經貿記者會"),
        ("dateline", "2026-02-03"),
        ("caption", "（外交部提供）"),
        ("byline", "〔記者林菁樺、黃靖媗／台北報導〕"),
        ("paragraph", "立法院今天三讀通過修正案。行政院表示歡迎。"),
        ("caption", "(記者羅沛德攝)"),
        ("byline", "（中央社記者○○華盛頓27日專電）"),
        ("paragraph", "美國國務院今天表示，支持台灣參與國際組織。"),
        ("byline", "中央社／ 華盛頓27日專電"),
        ("caption", "圖／外交部長林佳龍在記者會上致詞。"),
        ("boilerplate", "請繼續往下閱讀..."),
        ("boilerplate", "延伸閱讀"),
        ("boilerplate", "台美關稅協議出爐"),  # the link lines under 延伸閱讀
        ("boilerplate", "賴清德談經濟安全"),
        ("boilerplate", "責任編輯：王小明"),
    ]
    assert document.meta["date"] == "2026-02-03"
    assert document.meta["byline"] == "〔記者林菁樺、黃靖媗／台北報導〕"
    date = document.blocks[1].segments[0]
    assert date.target == "February 3, 2026" and date.status == "machine"


def test_simplified_dateline_caption_agency_byline_whole(tmp_path):
    document = _read(tmp_path, "simp.txt", SIMPLIFIED)
    assert document.source_lang == "zh-Hans"
    assert _kinds(document) == [
        ("title", "全国人大会议在京开幕"),
        ("dateline", "2026年3月5日 "),
        ("caption", "图为会议现场。"),
        # the agency's dateline stays whole (it used to lose its date: 新华社北京 电（记者张伟）)
        ("byline", "新华社北京2026年3月5日电（记者张伟）"),
        ("paragraph", "十四届全国人大四次会议今天上午在人民大会堂开幕。近三千名代表出席会议。"),
        ("caption", "（新华社记者李明摄）"),
        ("boilerplate", "更多新闻"),
        ("boilerplate", "点我订阅新华社客户端"),
    ]
    assert document.meta["date"] == "2026-03-05"
    assert document.meta["byline"] == "新华社北京2026年3月5日电（记者张伟）"


def test_an_agency_byline_alone_gives_the_date(tmp_path):
    document = _read(
        tmp_path, "xinhua.txt", "新华社北京2026年3月5日电（记者张伟）\n\n会议今天开幕。\n"
    )
    assert _kinds(document)[0] == ("byline", "新华社北京2026年3月5日电（记者张伟）")
    assert document.meta["date"] == "2026-03-05"


def test_a_dateline_followed_by_the_first_paragraph(tmp_path):
    first = "立法院今天三讀通過修正案，行政院表示歡迎，並將儘速公布施行細則以利各界遵循。"
    text = f"2026年2月3日 {first}\n"
    document = _read(tmp_path, "p.txt", text)
    assert _kinds(document) == [
        ("dateline", "2026年2月3日 "),
        (
            "paragraph",
            "立法院今天三讀通過修正案，行政院表示歡迎，並將儘速公布施行細則以利各界遵循。",
        ),
    ]


def test_splits_lose_no_character(tmp_path):
    for text in (TRADITIONAL, SIMPLIFIED):
        document = _read(tmp_path, "t.txt", text)
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        joined = "".join(b.source for b in document.blocks)
        assert joined == "".join(p.strip("\n") for p in paragraphs)
        for block in document.blocks:
            assert "".join(s.source for s in block.segments) == block.source


@settings(deadline=None, max_examples=examples(200))
@given(
    st.lists(
        st.text(
            st.sampled_from(list("2026年2月3日-〔〕（）／記者報導專電攝提供圖為延伸閱讀。 abc")),
            min_size=1,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_news_pass_is_lossless(texts):
    found = list(structure([RawBlock(t) for t in texts]))
    assert "".join(b.text for b in found) == "".join(texts)
    for block in found:
        if block.pieces is not None:
            assert "".join(block.pieces) == block.text


def test_reference_article_headline_and_dateline(article_document):
    first, note = article_document.blocks[0], article_document.blocks[-1]
    assert [s.id for s in first.segments] == ["b1s1", "b1s2"]
    assert first.segments[0].target == date_in_english("2026-02-03") == "February 3, 2026"
    assert note.kind == "source_note" and note.segments[-1].id == "b22s2"
    assert note.segments[-1].source == article_document.meta["title"]


def test_date_in_english():
    assert date_in_english("2025-12-01") == "December 1, 2025"


class Recorder:
    """An engine that records what it is given."""

    name = "recorder"
    fills_targets = True
    max_input_tokens: int | None = None  # takes any length

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.options = EngineOptions()
        self.seen: list[str] = []

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        self.seen += texts
        return [Translation(f"English {len(self.seen)}.") for _ in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict:
        return {"engine": "recorder", "model": "recorder 1", "options": {}}


def _translated(tmp_path: Path) -> tuple[Document, Recorder]:
    document = _read(tmp_path, "trad.txt", TRADITIONAL)
    engine = Recorder()
    memory = tmp_path / "memory.sqlite"
    translate_document(document, engine, glossary=load_glossary([]), memory_path=memory)  # type: ignore[arg-type]
    return document, engine


def test_boilerplate_and_dates_never_reach_the_engine_the_memory_or_the_checks(tmp_path):
    document, engine = _translated(tmp_path)
    assert not any("閱讀" in text or "責任編輯" in text for text in engine.seen)
    assert "2026-02-03" not in engine.seen
    assert "〔記者林菁樺、黃靖媗／台北報導〕" in engine.seen  # bylines are translated
    assert "（外交部提供）" in engine.seen  # and captions
    boilerplate = [b for b in document.blocks if b.kind == "boilerplate"]
    assert all(s.target == "" for b in boilerplate for s in b.segments)
    findings = check_document(document)
    ids = {s.id for b in boilerplate for s in b.segments}
    assert not [f for f in findings if f.segment_id in ids]
    import sqlite3

    with sqlite3.connect(tmp_path / "memory.sqlite") as connection:
        sources = {row[0] for row in connection.execute("SELECT source FROM machine")}
    assert sources and not sources & {"延伸閱讀", "請繼續往下閱讀...", "2026-02-03"}


def test_boilerplate_in_the_exports(tmp_path):
    document, _ = _translated(tmp_path)
    options = ExportOptions()
    boilerplate = [s for b in document.blocks if b.kind == "boilerplate" for s in b.segments]

    xliff = etree.fromstring(get_exporter("xliff").render(document, options).to_bytes())
    units = {u.get("id"): u.get("translate") for u in xliff.iter("{*}unit")}
    assert all(units[s.id] == "no" for s in boilerplate)
    assert units["b2s1"] == "no"  # the date
    assert units["b4s1"] is None  # a byline is for translating

    tmx = etree.fromstring(get_exporter("tmx").render(document, options).to_bytes())
    tuids = {tu.get("tuid") for tu in tmx.iter("tu")}
    assert not tuids & {s.id for s in boilerplate} and "b2s1" not in tuids and "b4s1" in tuids

    for keep in (False, True):
        options = ExportOptions(keep_boilerplate=keep)
        page = get_exporter("html").render(document, options).to_bytes().decode("utf-8")
        markdown = get_exporter("md").render(document, options).to_bytes().decode("utf-8")
        path = tmp_path / f"keep-{keep}.docx"
        path.write_bytes(get_exporter("docx").render(document, options).to_bytes())
        cells = " ".join(
            c.text for row in docx.Document(str(path)).tables[0].rows for c in row.cells
        )
        for shown in (page, markdown, cells):
            assert ("責任編輯：王小明" in shown) is keep
            assert "立法院今天三讀通過修正案。" in shown
    json_form = json.loads(get_exporter("json").render(document, ExportOptions()).to_bytes())
    assert "責任編輯：王小明" in json.dumps(json_form, ensure_ascii=False)


def test_captions_and_bylines_are_styled_in_the_docx_and_html(tmp_path):
    document, _ = _translated(tmp_path)
    path = tmp_path / "a.docx"
    path.write_bytes(get_exporter("docx").render(document, ExportOptions()).to_bytes())
    word = docx.Document(str(path))
    styles = {}
    for row in word.tables[0].rows[1:]:
        for paragraph in row.cells[0].paragraphs:
            styles[paragraph.text] = paragraph.style.name
    assert styles["（外交部提供）"] == "Caption"
    assert styles["〔記者林菁樺、黃靖媗／台北報導〕"] == "Byline"
    page = get_exporter("html").render(document, ExportOptions()).to_bytes().decode("utf-8")
    assert 'class="block kind-caption"' in page and 'class="block kind-byline"' in page


def test_import_does_not_miss_boilerplate_left_out_of_the_docx(tmp_path):
    document, _ = _translated(tmp_path)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "trad.json").write_text(document.to_json(), encoding="utf-8")
    (folder / "trad.docx").write_bytes(
        get_exporter("docx").render(document, ExportOptions()).to_bytes()
    )
    result = CliRunner().invoke(
        cli,
        ["import", str(folder / "trad.docx"), "--into", str(folder / "trad.json"), "--no-memory"],
    )
    assert result.exit_code == 0, result.output
    assert "is not in the edited file" not in result.output


def test_markdown_output_has_both_languages(tmp_path, article_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "translate",
            str(article_path),
            "--engine",
            "none",
            "-o",
            str(out),
            "--format",
            "md",
            "--no-memory",
        ],
    )
    assert result.exit_code == 0, result.output
    text = (out / f"{article_path.stem}.md").read_text(encoding="utf-8")
    assert text.startswith("# 親揭台美合作3大戰略方向")
    assert "## 賴清德點出台美未來合作三大戰略方向" in text
    assert "February 3, 2026" in text


def test_markdown_puts_each_english_paragraph_after_its_chinese(tmp_path):
    document, _ = _translated(tmp_path)
    text = get_exporter("md").render(document, ExportOptions()).to_bytes().decode("utf-8")
    parts = text.split("\n\n")
    at = parts.index("立法院今天三讀通過修正案。行政院表示歡迎。")
    assert parts[at + 1].startswith("English ")
    assert "# 外交部長林佳龍出席台美經貿記者會" in parts


def test_no_title_property_is_empty(tmp_path):
    document = _read(tmp_path, "plain.txt", "這是一段沒有標題的文字。第二句。\n\n第二段文字。\n")
    path = tmp_path / "a.docx"
    path.write_bytes(get_exporter("docx").render(document, ExportOptions()).to_bytes())
    # never the file name: the opening words of the first sentence (front.py)
    assert docx.Document(str(path)).core_properties.title == "這是一段沒有標題的文字…"
    page = get_exporter("html").render(document, ExportOptions()).to_bytes().decode("utf-8")
    assert "<title>這是一段沒有標題的文字…</title>" in page


# --- carrying reviews across a segmenter change ----------------------------------------------


def _version_1_form(article: Document) -> dict:
    """The reference article as segmenter 1 wrote it: the dateline and the source note whole,
    and an extra block in front so every id is one off; human edits on three sentences."""
    data = article.to_dict()
    data["version"] = 1
    blocks = data["blocks"]
    for block in (blocks[0], blocks[-1]):
        joined = "".join(s["source"] for s in block["segments"])
        block["segments"] = [
            {**block["segments"][0], "source": joined, "target": "", "status": "empty"}
        ]
    blocks.insert(
        0,
        {"id": "", "kind": "title", "segments": [dict(blocks[1]["segments"][0], source="舊標題")]},
    )
    for bi, block in enumerate(blocks, 1):
        block["id"] = f"b{bi}"
        for si, segment in enumerate(block["segments"], 1):
            segment["id"] = f"b{bi}s{si}"
    edits = {
        "b3s1": "Reviewed first sentence.",  # the new b2s1 (by text)
        "b2s1": "Reviewed dateline.",  # the whole old dateline: no sentence of the new text
        "b3s2": "Reviewed second.",  # the new b2s2
    }
    for block in blocks:
        for segment in block["segments"]:
            if segment["id"] in edits:
                segment.update(
                    target=edits[segment["id"]],
                    status="human",
                    review={
                        "source": segment["source"],
                        "renderings": [],
                        "at": "2026-02-01T00:00:00Z",
                    },
                )
    return data


def test_reviews_carry_by_text_across_a_segmenter_change(tmp_path, article_path, article_document):
    out = tmp_path / "out"
    out.mkdir()
    old = _version_1_form(article_document)
    (out / f"{article_path.stem}.json").write_text(
        json.dumps(old, ensure_ascii=False), encoding="utf-8"
    )
    load(out / f"{article_path.stem}.json")  # a version-1 form still loads
    result = CliRunner().invoke(
        cli, ["translate", str(article_path), "--engine", "none", "-o", str(out), "--no-memory"]
    )
    assert result.exit_code == 0, result.output
    document = load(out / f"{article_path.stem}.json")
    humans = {s.id: s.target for s in document.segments if s.status == "human"}
    assert humans == {"b2s1": "Reviewed first sentence.", "b2s2": "Reviewed second."}
    assert document.segment("b3s1").status != "human"  # never carried by id
    assert document.meta["signature"]["segmenter"] == SEGMENTER_VERSION
    lines = [line for line in result.output.splitlines() if "was not carried" in line]
    assert len(lines) == 1 and "b2s1" in lines[0] and "Reviewed dateline." in lines[0]


def test_the_html_opens_with_the_headline_in_both_languages(article_document):
    from tests.sample_documents import translated

    document = translated(article_document)
    page = get_exporter("html").render(document, ExportOptions()).to_bytes().decode("utf-8")
    header = page[page.index('<header class="front">') : page.index("</header>")]
    assert "親揭台美合作3大戰略方向" in header and "Sentence b22s2 says" in header
    assert f"<title>{document.meta['title']}</title>" in page


def test_keep_boilerplate_through_the_cli(tmp_path):
    source = tmp_path / "trad.txt"
    source.write_text(TRADITIONAL, encoding="utf-8")
    for keep, folder in ((False, tmp_path / "a"), (True, tmp_path / "b")):
        args = ["translate", str(source), "--engine", "none", "--no-memory", "-o", str(folder)]
        args += ["--format", "md,html"] + (["--keep-boilerplate"] if keep else [])
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        for name in ("trad.md", "trad.html"):
            shown = (folder / name).read_text(encoding="utf-8")
            assert ("責任編輯：王小明" in shown) is keep
        assert "責任編輯：王小明" in (folder / "trad.json").read_text(encoding="utf-8")


FLASH_AND_CREDIT = {
    # a flash tag on the date line, the agency credit after another tag
    "zh-Hant": (
        "2026-02-27 快訊\n\n台美經濟對話今登場\n\n【即時】中央社／ 華盛頓27日專電\n\n"
        "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行，雙方將討論供應鏈合作與投資。\n",
        "中央社／ 華盛頓27日專電",
        "台美經濟對話今登場",
    ),
    # a flash tag alone, the agency credit inside the lead
    "zh-Hans": (
        "快讯\n\n中美经贸磋商今登场\n\n"
        "新华社北京3月5日电（记者张伟）国务院今天表示，中美经贸磋商将在北京举行，双方将讨论合作。\n",
        "新华社北京3月5日电（记者张伟）",
        "中美经贸磋商今登场",
    ),
    # the credit in brackets inside the first block, after a section tag
    "zh-Hant-bracketed": (
        "獨家｜（中央社記者張三華盛頓27日專電）台美經濟繁榮夥伴對話今天登場，雙方將討論合作。\n\n"
        "官員指出，這次對話也將涵蓋半導體與能源等議題。\n",
        "（中央社記者張三華盛頓27日專電）",
        None,
    ),
    # the credit at the end of the first block
    "zh-Hans-credit-last": (
        "即时：美中经贸磋商今天在北京登场，双方将讨论合作。（中新社记者李明北京5日电）\n\n"
        "官员指出，这次磋商也将涵盖半导体与能源等议题。\n",
        "（中新社记者李明北京5日电）",
        None,
    ),
}


@pytest.mark.parametrize("shape", list(FLASH_AND_CREDIT))
def test_flash_tags_are_never_bylines_and_agency_credits_are(tmp_path, shape):
    text, credit, title = FLASH_AND_CREDIT[shape]
    document = _read(tmp_path, "flash.txt", text)
    assert document.meta["byline"] == credit
    if title is not None:
        assert document.meta["title"] == title
        assert ("title", title) in _kinds(document)
    for kind, source in _kinds(document):
        if kind == "byline":
            assert not any(tag in source for tag in ("快訊", "快讯", "即時", "獨家"))
        if source.strip() in ("快訊", "快讯", "【即時】"):
            assert kind == "heading"  # a label of its own, translated, never the title


@pytest.mark.parametrize(
    ("text", "outlet", "headline"),
    [
        ("原文出處：快新聞／ 台美簽署協定", "快新聞", "台美簽署協定"),
        ("资料来源：新华网|中美经贸会谈", "新华网", "中美经贸会谈"),
        ("Source: CNA / Taiwan signs a deal", "CNA", "Taiwan signs a deal"),
    ],
)
def test_a_source_note_is_split_once_for_its_segments_and_its_metadata(
    text: str, outlet: str, headline: str
) -> None:
    from bilingual.news import source_note_meta, source_note_pieces

    label, rest = source_note_pieces(text)
    assert label + rest == text and rest == headline
    assert source_note_meta(text) == {
        "source_note": text,
        "source_outlet": outlet,
        "source_headline": headline,
    }
    assert source_note_pieces("原文出處：快新聞／") == ["原文出處：快新聞／"]
    assert source_note_meta("原文出處：快新聞") == {"source_note": "原文出處：快新聞"}


def test_a_date_label_is_taken_whole():
    assert without_date_label("Dateline: 2026-02-03 台北") == "2026-02-03 台北"
    assert without_date_label("date：2026-02-03") == "2026-02-03"
    assert without_date_label("发布日期：2026年2月3日") == "2026年2月3日"
