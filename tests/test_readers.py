"""The plain-text reader: encodings, script detection and bad input."""

from __future__ import annotations

import codecs
import itertools

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import load
from bilingual.errors import InputError
from bilingual.pipeline import read_document

TRADITIONAL = "台灣與美國簽署協議。\n\n經濟部長表示，雙方將擴大合作。\n"
SIMPLIFIED = "台湾与美国签署协议。\n\n经济部长表示，双方将扩大合作。\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TRADITIONAL.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TRADITIONAL.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TRADITIONAL.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TRADITIONAL.encode("utf-16-be"), "utf-16"),
        (TRADITIONAL.encode("big5"), "big5"),
    ],
)
def test_traditional_encodings_are_decoded(tmp_path, data, encoding):
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    document = read_document(path)
    assert document.meta["encoding"] == encoding
    assert document.source_lang == "zh-Hant"
    assert document.blocks[0].source == "台灣與美國簽署協議。"
    assert len(document.blocks) == 2


def test_gb18030_simplified(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(SIMPLIFIED.encode("gb18030"))
    document = read_document(path)
    assert document.meta["encoding"] == "gb18030"
    assert document.source_lang == "zh-Hans"
    assert document.blocks[1].source == "经济部长表示，双方将扩大合作。"


def test_reference_article_in_big5(tmp_path, article_path):
    path = tmp_path / "article.txt"
    text = article_path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("big5", errors="replace"))
    document = read_document(path)
    assert document.meta["encoding"] == "big5"
    assert len(document.blocks) == 22


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n \n", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "binary"),
        (b"\xff\xfe\x00\xd8", "utf-16"),
    ],
)
def test_bad_input_is_an_input_error(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_document(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(TRADITIONAL.replace("\n", "\r\n").encode("utf-8"))
    assert [b.source for b in read_document(path).blocks] == [
        "台灣與美國簽署協議。",
        "經濟部長表示，雙方將擴大合作。",
    ]


def test_translate_reads_standard_input_as_stdin(tmp_path):
    from click.testing import CliRunner

    from bilingual.cli import cli
    from bilingual.document import load

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["translate", "-", "-o", str(out), "--engine", "none", "--format", "html"],
        input=TRADITIONAL.encode("utf-8"),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["stdin.html", "stdin.json"]
    document = load(out / "stdin.json")
    assert document.meta["input"] == "stdin"
    assert [b.source for b in document.blocks] == [
        "台灣與美國簽署協議。",
        "經濟部長表示，雙方將擴大合作。",
    ]


def _write(tmp_path, text: str):
    path = tmp_path / "pasted.txt"
    path.write_text(text, encoding="utf-8")
    return read_document(path)


def test_pasted_text_has_a_block_per_line(tmp_path):
    document = _write(
        tmp_path,
        "親揭台美合作3大戰略方向 賴清德籲立院跨越黨派\n"
        "2026-02-03 即時中心／梁博超報導\n"
        "總統賴清德今天出席活動。他表示，台美合作進入新階段。\n"
        "經濟部長表示，雙方將擴大合作。\n",
    )
    assert [(b.kind, b.source) for b in document.blocks] == [
        ("title", "親揭台美合作3大戰略方向 賴清德籲立院跨越黨派"),
        ("dateline", "2026-02-03 即時中心／梁博超報導"),
        ("paragraph", "總統賴清德今天出席活動。他表示，台美合作進入新階段。"),
        ("paragraph", "經濟部長表示，雙方將擴大合作。"),
    ]
    assert document.meta["normalisation"] == ["line-per-paragraph"]
    assert len(document.blocks[2].segments) == 2


HARD_WRAPPED = (
    "台美關稅協議\n"
    "\n"
    "總統賴清德今天在總統府出席活動，他表示台美雙方經過九個月的努\n"
    "力，已經完成對等關稅談判，並取得讓國人滿意的成果。\n"
    "\n"
    "　　經濟部長表示，協議生效後，台灣對美出口的產品將享有更低的關\n"
    "稅，預計將帶動相關產業成長。\n"
    "　　立法院預計下週開始審議協議內容。\n"
    "\u00a0\f\n"
    "The agreement was signed today and is expected to lower the tariffs\n"
    "on exports from both sides over the coming years.\n"
)


def test_hard_wrapped_text_is_joined_again(tmp_path):
    document = _write(tmp_path, HARD_WRAPPED)
    assert [b.source for b in document.blocks] == [
        "台美關稅協議",
        "總統賴清德今天在總統府出席活動，他表示台美雙方經過九個月的努力，"
        "已經完成對等關稅談判，並取得讓國人滿意的成果。",
        "經濟部長表示，協議生效後，台灣對美出口的產品將享有更低的關稅，預計將帶動相關產業成長。",
        "立法院預計下週開始審議協議內容。",  # full-width indentation starts a paragraph
        "The agreement was signed today and is expected to lower the tariffs "
        "on exports from both sides over the coming years.",
    ]
    assert document.blocks[0].kind == "title"
    assert document.meta["normalisation"] == ["rewrapped"]
    for block in document.blocks:  # lossless on the normalised text
        assert "".join(s.source for s in block.segments) == block.source


def test_blank_line_text_is_read_as_before(tmp_path, article_path):
    document = read_document(article_path)
    assert "normalisation" not in document.meta
    assert len(document.blocks) == 22


def test_short_line_before_a_paragraph_stays_its_own_block(tmp_path):
    document = _write(
        tmp_path,
        "台美關稅協議\n總統今天表示，協議已經簽署。\n\n中央社／華盛頓27日專電\n雙方將擴大合作。\n",
    )
    assert [b.source for b in document.blocks] == [
        "台美關稅協議",
        "總統今天表示，協議已經簽署。",
        "中央社／華盛頓27日專電",
        "雙方將擴大合作。",
    ]


@pytest.mark.parametrize("blank", ["\u00a0", "\f", "\v", "\u00a0\u00a0", " \u00a0\f\v\u3000"])
def test_lines_of_invisible_spacing_separate_blocks(tmp_path, article_path, blank):
    # text copied from the web: the blank lines between paragraphs hold NBSP, form feeds...
    text = article_path.read_text(encoding="utf-8")
    pasted = "\n".join(blank if not line.strip() else line for line in text.split("\n"))
    assert pasted != text
    expected = read_document(article_path)
    document = _write(tmp_path, pasted)
    assert [b.source for b in document.blocks] == [b.source for b in expected.blocks]
    assert [b.kind for b in document.blocks] == [b.kind for b in expected.blocks]


def _wrap_at(text: str, columns: int) -> list[str]:
    """`text` cut at a fixed width, as a terminal or an old mail system does (CJK: 2 columns)."""
    lines, line, width = [], "", 0
    for ch in text:
        w = 2 if ord(ch) >= 0x2E80 else 1
        if width + w > columns:
            lines.append(line)
            line, width = "", 0
        line, width = line + ch, width + w
    return [*lines, line]


CUT_ACRONYM = {
    "zh-Hant": "經濟部今天表示，台美經濟繁榮夥伴對話（EPPD）將在華盛頓舉行，雙方將討論供應鏈合作"
    "與半導體投資，並說明後續安排。官員指出，EPPD 是雙方最重要的經濟對話機制之一，今年是第六屆。",
    "zh-Hans": "国务院今天表示，中美全面经济对话（CED）将在北京举行，双方将讨论供应链合作与"
    "半导体投资，并说明后续安排，以及各项议题。官员指出，CED 是双方最重要的经济对话机制之一，"
    "今年是第六届。",
}


@pytest.mark.parametrize("script", list(CUT_ACRONYM))
def test_an_acronym_cut_by_a_fixed_width_wrap_is_joined_whole(tmp_path, script):
    body = CUT_ACRONYM[script]
    acronym = "EPPD" if script == "zh-Hant" else "CED"

    def cut(lines: list[str]) -> bool:
        return any(
            a.endswith(acronym[:k]) and b.startswith(acronym[k:])
            for a, b in itertools.pairwise(lines)
            for k in range(1, len(acronym))
        )

    columns = next(
        c
        for c in range(20, 80)
        if cut(_wrap_at(body, c)) and "\n".join(_wrap_at(body, c)).count(acronym) == 1
    )
    lines = _wrap_at(body, columns)
    document = _write(tmp_path, "標題\n\n" + "\n".join(lines) + "\n")
    assert [b.source for b in document.blocks] == ["標題", body]


def test_an_acronym_only_the_glossary_knows_is_joined_on_translate(tmp_path):
    body = (
        "經濟部今天表示，台美經濟繁榮夥伴對話（EPPD）將在華盛頓舉行，雙方將討論供應鏈合作與"
        "半導體投資，並說明後續安排。官員指出，這是雙方最重要的經濟對話機制之一，今年是第六屆。"
    )
    columns = next(c for c in range(30, 60) if any(x.endswith("EP") for x in _wrap_at(body, c)))
    lines = _wrap_at(body, columns)
    assert "EPPD" not in "\n".join(lines)  # the text never has it whole: only the glossary
    path = tmp_path / "wrapped.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    glossary = tmp_path / "g.yaml"
    glossary.write_text("terms:\n  - zh: EPPD\n    en: EPPD\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["translate", str(path), "--engine", "none", "-o", str(out), "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--no-memory", "--glossary", str(glossary)])
    assert result.exit_code == 0, result.output
    document = load(out / "wrapped.json")
    assert document.blocks[0].source == body
    assert [t.source for s in document.segments for t in s.terms] == ["EPPD"]


def test_a_soft_wrapped_latin_text_keeps_its_spaces(tmp_path):
    # lines of varied width (a browser's wrap): a line end is a space, never a cut word
    text = (
        "The dialogue (EPPD) opened in Washington today and both sides\n"
        "discussed supply chains, semiconductors and energy while\n"
        "officials said the EPPD would meet again next year in Taipei.\n"
    )
    document = _write(tmp_path, "Title line\n\n" + text)
    assert document.blocks[1].source == " ".join(text.split("\n")).strip()


def test_a_short_line_inside_a_sentence_continues_its_paragraph(tmp_path):
    document = _write(
        tmp_path,
        "台美經濟對話今登場\n\n"
        "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行，雙方將討論\n"
        "供應鏈合作，\n"
        "並說明後續的安排與時程規劃。\n"
        "2026-02-27 中央社／ 華盛頓27日專電\n",
    )
    assert [b.source for b in document.blocks] == [
        "台美經濟對話今登場",
        "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行，雙方將討論供應鏈合作，"
        "並說明後續的安排與時程規劃。",
        "2026-02-27 中央社／ 華盛頓27日專電",  # starts like a new paragraph: a dateline
    ]
