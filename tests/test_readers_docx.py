"""The DOCX reader through python-docx: reading order, styles, tracked changes, notes, bad files."""

from __future__ import annotations

import io
import zipfile

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import InputError
from bilingual.pipeline import read_document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def _append_xml(paragraph, xml: str) -> None:
    from docx.oxml import parse_xml

    for child in parse_xml(f"<w:wrap {NS}>{xml}</w:wrap>"):
        paragraph._p.append(child)


def _add_footnotes(document) -> None:
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r>'
        '<w:r><w:t xml:space="preserve"> 資料取自經濟部公告。</w:t></w:r></w:p></w:footnote>'
        "</w:footnotes>"
    )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        xml.encode("utf-8"),
        document.part.package,
    )
    document.part.relate_to(part, RT.FOOTNOTES)


BODY = [
    ("title", "台美合作新方向"),
    ("heading", "一、經濟安全"),
    ("paragraph", "總統今天表示，台美將擴大合作。"),
]


def make_docx(path):
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "頁首不該出現"
    document.sections[0].footer.paragraphs[0].text = "頁尾不該出現"
    document.add_paragraph("台美合作新方向", style="Title")
    document.add_heading("一、經濟安全", level=1)
    body = document.add_paragraph("總統今天表示，台美將擴大合作。")
    document.add_comment(body.runs[0], text="評論不該出現", author="審稿")
    changed = document.add_paragraph("雙方")
    _append_xml(
        changed,
        '<w:ins w:id="11" w:author="編輯" w:date="2026-02-03T00:00:00Z">'
        "<w:r><w:t>已經</w:t></w:r></w:ins>"
        '<w:del w:id="12" w:author="編輯" w:date="2026-02-03T00:00:00Z">'
        "<w:r><w:delText>尚未</w:delText></w:r></w:del>"
        "<w:r><w:t>簽署協議。</w:t></w:r>"
        '<w:r><w:footnoteReference w:id="1"/></w:r>',
    )
    dated = document.add_paragraph("發布於")
    _append_xml(
        dated,
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DATE \\@ "yyyy年M月d日" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>2026年2月3日</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        "<w:r><w:t>，全文如下。</w:t></w:r>",
    )
    anchor = document.add_paragraph("圖表說明如下。")
    box = "<w:txbxContent><w:p><w:r><w:t>文字方塊裡的重點</w:t></w:r></w:p></w:txbxContent>"
    _append_xml(
        anchor,
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>",
    )
    document.add_heading("二、供應鏈", level=2)
    document.add_paragraph("半導體", style="List Bullet")
    document.add_paragraph("人工智慧", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["項目", "金額"], ["投資", "250億美元"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph("以上為會議紀要。")
    _add_footnotes(document)
    document.save(path)
    return path


EXPECTED = [
    ("title", "台美合作新方向", 1),
    ("heading", "一、經濟安全", 1),
    ("paragraph", "總統今天表示，台美將擴大合作。", None),
    ("paragraph", "雙方已經簽署協議。", None),
    ("paragraph", "發布於2026年2月3日，全文如下。", None),
    ("paragraph", "圖表說明如下。", None),
    ("paragraph", "文字方塊裡的重點", None),
    ("heading", "二、供應鏈", 2),
    ("paragraph", "半導體", None),
    ("paragraph", "人工智慧", None),
    ("paragraph", "項目", None),
    ("paragraph", "金額", None),
    ("paragraph", "投資", None),
    ("paragraph", "250億美元", None),
    ("paragraph", "以上為會議紀要。", None),
    ("footnote", "資料取自經濟部公告。", None),
]


def test_docx_blocks_in_reading_order(tmp_path):
    document = read_document(make_docx(tmp_path / "release.docx"))
    got = [(b.kind, b.source, b.level) for b in document.blocks]
    assert got == EXPECTED
    assert document.meta["title"] == "台美合作新方向"
    assert document.meta["input"] == "release.docx"
    assert document.source_lang == "zh-Hant"
    text = "".join(b.source for b in document.blocks)
    for left_out in ("尚未", "頁首", "頁尾", "評論", "DATE"):
        assert left_out not in text
    assert text.count("文字方塊裡的重點") == 1  # the fallback copy is skipped


def test_docx_through_segment_command(tmp_path):
    import json

    path = make_docx(tmp_path / "release.docx")
    result = CliRunner().invoke(cli, ["segment", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["blocks"][1] == {
        "id": "b2",
        "kind": "heading",
        "level": 1,
        "segments": [
            {
                "id": "b2s1",
                "source": "一、經濟安全",
                "target": "",
                "status": "empty",
                "terms": [],
                "notes": [],
            }
        ],
    }
    assert data["blocks"][-1]["kind"] == "footnote"


def test_docx_with_input_format_override(tmp_path):
    path = make_docx(tmp_path / "release.docx")
    renamed = path.rename(tmp_path / "release.bin")
    result = CliRunner().invoke(cli, ["segment", str(renamed), "--input-format", "docx"])
    assert result.exit_code == 0, result.output
    assert "b1 title" in result.output


def _encrypted(tmp_path):
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = make_docx(tmp_path / "plain.docx")
    out = io.BytesIO()
    with open(plain, "rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    assert msoffcrypto.OfficeFile(io.BytesIO(out.getvalue())).is_encrypted()
    return out.getvalue()


def _corrupt(tmp_path):
    data = make_docx(tmp_path / "whole.docx").read_bytes()
    return data[: len(data) // 2]


def _no_document_part(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        (
            "old.doc",
            lambda tmp: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "save it as .docx",
        ),
        ("locked.docx", _encrypted, "remove the password"),
        ("broken.docx", _corrupt, "not a readable DOCX"),
        ("hollow.docx", _no_document_part, "not a readable DOCX"),
    ],
)
def test_bad_docx_is_exit_3_with_one_line(tmp_path, name, make, message):
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(InputError, match=message):
        read_document(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", str(path), "-o", str(out), "--engine", "none"])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("lead", "caption"),
    [
        ("經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行。", "經濟部長出席記者會說明對話內容"),
        ("国务院今天表示，中美经贸磋商将在北京举行。", "商务部长出席记者会说明磋商内容"),
    ],
)
def test_word_caption_style_gives_a_caption(tmp_path, lead, caption):
    import docx

    source = docx.Document()
    source.add_paragraph(lead)
    source.add_paragraph(caption, style="Caption")  # no credit in its words: the style says it
    source.add_paragraph(lead)
    source.save(tmp_path / "caption.docx")
    document = read_document(tmp_path / "caption.docx")
    assert [(b.kind, b.source) for b in document.blocks] == [
        ("paragraph", lead),
        ("caption", caption),
        ("paragraph", lead),
    ]


@pytest.mark.parametrize(
    ("headline", "later"),
    [("高雄港貨櫃量創新高", "港區的下一步"), ("高雄港货柜量创新高", "港区的下一步")],
)
def test_the_first_heading_1_is_the_headline_as_in_markdown_and_html(tmp_path, headline, later):
    import docx

    document = docx.Document()
    document.add_heading(headline, 1)
    document.add_paragraph("今天表示，貨櫃量創新高。")
    document.add_heading(later, 1)
    document.save(tmp_path / "story.docx")
    read = read_document(tmp_path / "story.docx")
    assert [(b.kind, b.level) for b in read.blocks] == [("title", 1), ("paragraph", None),
                                                        ("heading", 1)]  # fmt: skip
    assert read.meta["title"] == headline
    document.paragraphs[0].insert_paragraph_before("真正的標題", style="Title")
    document.save(tmp_path / "titled.docx")
    kinds = [b.kind for b in read_document(tmp_path / "titled.docx").blocks]
    assert kinds == ["title", "heading", "paragraph", "heading"]
