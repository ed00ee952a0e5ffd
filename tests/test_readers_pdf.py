"""The PDF reader through pypdfium2, on PDFs LibreOffice makes from a DOCX during the test."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import InputError
from bilingual.pipeline import read_document
from tests.reader_samples import docx_to_pdf, make_report_docx, paragraph_text, soffice

needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    paragraphs = [paragraph_text(i) for i in range(1, 31)]
    source = make_report_docx(folder / "report.docx", paragraphs, heading="台美合作新方向")
    return docx_to_pdf(source, folder), paragraphs


@pytest.mark.slow
@needs_soffice
def test_pdf_paragraphs_without_running_lines(report_pdf):
    path, paragraphs = report_pdf
    document = read_document(path)
    assert document.meta["pages"] >= 3  # several pages, so paragraphs cross page breaks
    assert document.blocks[0].kind == "title"
    assert document.blocks[0].source == "台美合作新方向"
    assert [b.source for b in document.blocks[1:]] == paragraphs  # complete, joined exactly
    assert {b.kind for b in document.blocks[1:]} == {"paragraph"}
    text = "".join(b.source for b in document.blocks)
    assert "經濟部新聞稿" not in text  # the running header
    assert "頁" not in text  # the page numbers (第 1 頁)
    assert document.source_lang == "zh-Hant"


@pytest.mark.slow
@needs_soffice
def test_two_column_pdf_in_reading_order(tmp_path):
    paragraphs = [paragraph_text(i) for i in range(1, 19)]
    source = make_report_docx(tmp_path / "columns.docx", paragraphs, columns=2)
    document = read_document(docx_to_pdf(source, tmp_path))
    assert [b.source for b in document.blocks] == paragraphs


def _blank_pdf() -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    pdf.new_page(595, 842)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _blank_pdf(), "needs OCR first"),
        (lambda: _blank_pdf()[:300], "not a readable PDF"),
        (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 4, "not a readable PDF"),
    ],
)
def test_bad_pdf_is_exit_3_with_one_line(tmp_path, make, message):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make())
    with pytest.raises(InputError, match=message):
        read_document(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", str(path), "-o", str(out), "--engine", "none"])
    assert result.exit_code == 3, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and message in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


TABLE_REPORTS = {
    "zh-Hant": (
        "台美經濟對話今登場",
        "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行，雙方將討論供應鏈合作，"
        "並說明後續的安排與時程規劃，以及各項議題的進度。",
        [["項目", "金額", "說明"], ["半導體", "120億", "增加投資"], ["能源", "35億", "合作開發"]],
        "官員指出，這次對話也將涵蓋半導體、能源與數位經濟等議題，盼擴大雙邊投資與合作。",
    ),
    "zh-Hans": (
        "中美经贸磋商今登场",
        "国务院今天表示，中美经贸磋商将在北京举行，双方将讨论供应链合作，"
        "并说明后续的安排与时程规划，以及各项议题的进度。",
        [
            ["项目", "金额", "说明"],
            ["农产品", "80亿", "扩大采购"],
            ["能源", "35亿", "联合开发"],
            ["金融", "12亿", "市场开放"],
        ],
        "官员指出，这次磋商也将涵盖半导体、能源与数字经济等议题，盼扩大双边投资与合作。",
    ),
}


@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("script", ["zh-Hant", "zh-Hans"])
def test_pdf_table_cells_in_row_order_and_larger_title(tmp_path, script):
    import docx
    from docx.shared import Pt

    title, lead, rows, last = TABLE_REPORTS[script]
    source = docx.Document()
    source.add_paragraph().add_run(title).font.size = Pt(20)
    source.add_paragraph(lead)
    table = source.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    source.add_paragraph(last)
    source.save(tmp_path / "table.docx")
    document = read_document(docx_to_pdf(tmp_path / "table.docx", tmp_path))
    got = [(b.kind, b.source) for b in document.blocks]
    assert got == [
        ("title", title),
        ("paragraph", lead),
        *[("paragraph", cell) for row in rows for cell in row],  # row by row, left to right
        ("paragraph", last),
    ]
    assert document.meta["title"] == title
