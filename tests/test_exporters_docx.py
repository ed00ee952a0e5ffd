"""The DOCX exporter: layouts, typography, page, properties, bookmarks, comments, bad input."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from bilingual.check import check_document
from bilingual.cli import cli
from bilingual.document import Document, dump
from bilingual.errors import InputError
from bilingual.exporters import ExportOptions, document_fingerprint
from bilingual.exporters.docx import DocxExporter
from bilingual.files import write_all
from tests.sample_documents import translated, with_terms

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def article(article_document: Document) -> Document:
    return translated(article_document)


def export(document: Document, path: Path, **options) -> tuple[docx.document.Document, list[str]]:
    rendered = DocxExporter().render(document, ExportOptions(**options), check_document(document))
    written = write_all([(path, rendered.write)])
    assert written == [path]
    return docx.Document(str(path)), rendered.warnings


def bookmarked(word) -> dict[str, str]:
    """Text between each bookmark's start and end, in document order, by bookmark name."""
    open_: dict[str, str] = {}
    texts: dict[str, str] = {}
    for el in word.element.body.iter():
        if el.tag == f"{W}bookmarkStart":
            open_[el.get(f"{W}id")] = el.get(f"{W}name")
            texts[el.get(f"{W}name")] = ""
        elif el.tag == f"{W}bookmarkEnd":
            open_.pop(el.get(f"{W}id"), None)
        elif el.tag == f"{W}t":
            for name in open_.values():
                texts[name] += el.text or ""
    return texts


def test_side_by_side_has_one_row_per_segment_with_bookmarks(article, tmp_path):
    word, warnings = export(article, tmp_path / "a.docx")
    assert warnings == []
    table = word.tables[0]
    rows = table.rows
    assert len(rows) == 1 + len(article.segments)
    assert [c.text for c in rows[0].cells] == ["中文", "English"]
    assert rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None  # repeats on every page
    for row, segment in zip(rows[1:], article.segments, strict=True):
        assert row.cells[0].text == segment.source
        assert row.cells[1].text == segment.target
    marks = bookmarked(word)
    for segment in article.segments:
        assert marks[segment.id] == segment.target
        assert marks[f"zh_{segment.id}"] == segment.source


def test_paragraphs_are_grouped_and_headings_are_real_headings(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    rows = word.tables[0].rows[1:]
    segments = article.segments
    first_of_block = {b.segments[0].id for b in article.blocks[1:]}
    for row, segment in zip(rows, segments, strict=True):
        rule = row.cells[0]._tc.find(f"{W}tcPr/{W}tcBorders/{W}top")
        assert (rule is not None) == (segment.id in first_of_block), segment.id
    headings = [b for b in article.blocks if b.kind == "heading"]
    assert len(headings) == 3
    styled = [
        p.text
        for p in word.paragraphs + [p for r in rows for c in r.cells for p in c.paragraphs]
        if p.style.name == "Heading 1"
    ]
    for block in headings:
        assert block.source in styled and block.segments[0].target in styled
    assert word.paragraphs[0].style.name == "Title"
    assert word.paragraphs[0].text == article.meta["title"]
    outline = word.styles["Heading 1"].element.find(f"{W}pPr/{W}outlineLvl")
    assert outline is not None  # the navigation pane and a TOC see it
    borders = word.tables[0]._tbl.find(f"{W}tblPr/{W}tblBorders")
    heavy = [b for b in borders if b.get(f"{W}val") not in ("nil", "none")]
    assert [(b.tag, b.get(f"{W}sz")) for b in heavy] == [(f"{W}insideV", "4")]


def test_front_matter_and_source_note(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    texts = [p.text for p in word.paragraphs]
    # the headline, which stands in the source note, opens the document in both languages
    headline = article.blocks[-1].segments[-1]
    assert texts[0] == article.meta["title"] == headline.source
    assert texts[1] == headline.target and word.paragraphs[1].style.name == "Subtitle"
    assert texts[2] == "2026-02-03 · 即時中心／梁博超報導"
    assert texts[3].startswith("English: machine translation draft")
    note, last = (row.cells[0].text for row in word.tables[0].rows[-2:])
    assert note == "原文出處：快新聞／" and article.blocks[-1].kind == "source_note"
    assert last == headline.source


def test_fonts_and_language_tags_on_runs(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    row = word.tables[0].rows[3]
    zh_runs = row.cells[0].paragraphs[0].runs
    en_runs = row.cells[1].paragraphs[0].runs
    for run in zh_runs:
        fonts = run._r.find(f"{W}rPr/{W}rFonts")
        assert fonts.get(qn("w:eastAsia")) == "Microsoft JhengHei"
        assert run._r.find(f"{W}rPr/{W}lang").get(qn("w:eastAsia")) == "zh-TW"
    for run in en_runs:
        assert run._r.find(f"{W}rPr/{W}rFonts").get(qn("w:ascii")) == "Calibri"
        assert run._r.find(f"{W}rPr/{W}lang").get(qn("w:val")) == "en-US"
    word, _ = export(article, tmp_path / "b.docx", cjk_font="PMingLiU", latin_font="Georgia")
    run = word.tables[0].rows[3].cells[0].paragraphs[0].runs[0]
    assert run._r.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == "PMingLiU"
    run = word.tables[0].rows[3].cells[1].paragraphs[0].runs[0]
    assert run._r.find(f"{W}rPr/{W}rFonts").get(qn("w:ascii")) == "Georgia"


def test_glossary_terms_are_styled_in_both_columns(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    segment = article.segments[2]  # b2s1: 台美經濟繁榮夥伴對話, EPPD, 總統府, 賴清德
    row = word.tables[0].rows[3]
    styled_zh = [r.text for r in row.cells[0].paragraphs[0].runs if r.style.name == "Glossary Term"]
    styled_en = [r.text for r in row.cells[1].paragraphs[0].runs if r.style.name == "Glossary Term"]
    assert styled_zh == [t.source for t in segment.terms]
    assert styled_en == [t.rendering for t in segment.terms]


def test_page_setup_header_footer(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    section = word.sections[0]
    assert (section.page_width.cm, section.page_height.cm) == pytest.approx((21.0, 29.7), abs=0.01)
    assert article.meta["title"] in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]
    instructions = [e.text.strip() for e in footer._p.iter(f"{W}instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Page ") and " of " in footer.text
    word, _ = export(article, tmp_path / "b.docx", paper="letter", landscape=True)
    section = word.sections[0]
    assert (section.page_width.inches, section.page_height.inches) == pytest.approx((11, 8.5))
    assert section.orientation == 1  # WD_ORIENT.LANDSCAPE


def test_document_properties(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx")
    core = word.core_properties
    assert core.title == article.meta["title"]
    assert core.identifier == document_fingerprint(article)
    assert core.identifier.startswith(f"bilingual:{article.meta['input']}:")
    assert "bilingual 0.1.0" in core.comments
    assert datetime.now(timezone.utc) - core.created < timedelta(minutes=5)


def test_interleaved_layout(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx", layout="interleaved")
    assert word.tables == []
    # after the headline in both languages, the byline and the status line
    body = [p for p in word.paragraphs if p.text][4:]
    for block, (zh, en) in zip(
        article.blocks, zip(body[::2], body[1::2], strict=True), strict=True
    ):
        assert zh.text == block.source
        assert en.text == block.target
    marks = bookmarked(word)
    for segment in article.segments:
        assert marks[segment.id] == segment.target
        assert marks[f"zh_{segment.id}"] == segment.source


def test_glossary_appendix_lists_the_terms_used(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx", glossary_appendix=True)
    appendix = word.tables[-1]
    rows = {r.cells[0].text: r.cells[1].text for r in appendix.rows[1:]}
    assert rows["賴清德"] == "President Lai Ching-te; then President Lai"
    assert rows["EPPD"] == "EPPD"
    assert [c.text for c in appendix.rows[0].cells] == ["中文", "English", "Note"]
    notes = {r.cells[0].text: r.cells[2].text for r in appendix.rows[1:]}
    assert notes["EPPD"] == "keep as is"
    assert any(p.text == "Glossary · 詞彙表" for p in word.paragraphs)


def test_simplified_source_script(article, tmp_path):
    word, _ = export(article, tmp_path / "a.docx", source_script="simplified")
    cell = word.tables[0].rows[3].cells[0]
    assert "总统府" in cell.text and "總統府" not in cell.text
    run = cell.paragraphs[0].runs[0]
    assert run._r.find(f"{W}rPr/{W}lang").get(qn("w:eastAsia")) == "zh-CN"
    assert run._r.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == "Microsoft YaHei"
    styled = [r.text for r in cell.paragraphs[0].runs if r.style.name == "Glossary Term"]
    assert styled[0] == "台美经济繁荣伙伴对话"  # the term span survives the conversion


def test_worksheet_shows_the_terms_to_use(article_document, tmp_path):
    worksheet = with_terms(article_document)
    word, _ = export(worksheet, tmp_path / "a.docx")
    row = word.tables[0].rows[3]  # b2s1
    english = row.cells[1].paragraphs
    assert english[0].text == ""  # where the translator types; the bookmark is collapsed there
    assert english[1].style.name == "Term Hints"
    assert english[1].text == (
        "Terms: Taiwan-US Economic Prosperity Partnership Dialogue (EPPD); EPPD; "
        "Presidential Office; President Lai Ching-te"
    )
    assert bookmarked(word)["b2s1"] == ""
    assert word.paragraphs[2].text == "English column to be filled in by the translator"


def test_comments_carry_the_check_findings(article, tmp_path):
    document = copy.deepcopy(article)
    segment = document.segments[2]
    segment.target = segment.target.replace(" 6 ", " ")  # 第6屆: the 6 is now missing
    word, _ = export(document, tmp_path / "a.docx", comments=True)
    comments = list(word.comments)
    assert comments, "no comments written"
    assert any("第6屆" in c.text and "number-missing" in c.text for c in comments)
    assert all(c.author == "bilingual check" for c in comments)
    word, _ = export(document, tmp_path / "b.docx")
    assert list(word.comments) == []


def test_control_characters_are_removed_with_a_warning(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[2].source = "第6屆\x07「台美" + document.segments[2].source[6:]
    document.segments[3].target = "bad \x00 target \ud800 here\x1b"
    word, warnings = export(document, tmp_path / "a.docx")
    assert "\x07" not in word.tables[0].rows[3].cells[0].text
    assert word.tables[0].rows[4].cells[1].text == "bad  target  here"
    assert any(w.startswith("segment b2s1 (Chinese): removed 1 character") for w in warnings)
    assert any("segment b2s2 (English): removed 3 character" in w for w in warnings)
    assert any("U+0000" in w and "U+D800" in w for w in warnings)


def test_empty_document_is_a_clear_input_error(tmp_path):
    document = Document(blocks=[], meta={"input": "empty.txt"})
    with pytest.raises(InputError, match=r"empty\.txt: the document has no segments"):
        DocxExporter().render(document, ExportOptions())
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder_is_created(article, tmp_path):
    target = tmp_path / "new" / "folder" / "a.docx"
    write_all([(target, DocxExporter().render(article, ExportOptions()).write)])
    assert target.is_file()
    assert [p.name for p in target.parent.iterdir()] == ["a.docx"]  # no temporary left


def test_export_command_with_layout_options(article, tmp_path):
    source = tmp_path / "doc.json"
    dump(article, source)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["export", str(source), "-o", str(out), "--format", "docx", "--layout", "interleaved",
         "--paper", "letter", "--landscape", "--cjk-font", "PMingLiU", "--glossary-appendix"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output
    word = docx.Document(str(out / "doc.docx"))
    assert len(word.tables) == 1  # only the glossary appendix
    assert word.sections[0].page_width.inches == pytest.approx(11)
    fonts = word.paragraphs[3].runs[0]._r.find(f"{W}rPr/{W}rFonts")
    assert fonts.get(qn("w:eastAsia")) == "PMingLiU"
