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
