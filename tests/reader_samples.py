"""Inputs for the reader tests and benchmark: a report DOCX (running header, page numbers,
Chinese and English paragraphs) and its PDF made by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_CLAUSES = [
    "總統今天在總統府表示",
    "台美雙方已經完成關稅協議的簽署",
    "經濟部長指出協議生效後台灣對美出口的產品將享有更低的關稅",
    "工商團體普遍表示歡迎",
    "立法院預計下週開始審議協議內容",
    "朝野黨團都表示將依法進行審查",
    "這項合作將帶動半導體與人工智慧產業的發展",
    "外交部也強調雙方將持續深化夥伴關係",
]
_WORDS = [
    "the",
    "agreement",
    "lowers",
    "tariffs",
    "on",
    "exports",
    "and",
    "strengthens",
    "supply",
    "chains",
    "for",
    "both",
    "economies",
    "while",
    "officials",
    "expect",
    "investment",
    "in",
    "semiconductors",
    "and",
    "artificial",
    "intelligence",
    "to",
    "grow",
]


def paragraph_text(i: int) -> str:
    """The i-th body paragraph: Chinese (about three lines) or, every third one, English."""
    if i % 3 == 2:
        words = [_WORDS[(i + k) % len(_WORDS)] for k in range(24 + i % 7)]
        return f"Paragraph {i}: " + " ".join(words) + "."
    clauses = [_CLAUSES[(i + k) % len(_CLAUSES)] for k in range(4 + i % 4)]
    return f"第{i}段，" + "，".join(clauses) + "。"


def _field(paragraph, instruction: str, shown: str) -> None:
    from docx.oxml import parse_xml

    for xml in (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r><w:t>{shown}</w:t></w:r>",
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.replace("<w:r>", f'<w:r xmlns:w="{W_NS}">', 1)))


def make_report_docx(
    path: Path, paragraphs: list[str], *, heading: str | None = None, columns: int = 1
) -> Path:
    """A DOCX with a running header, a page-number footer and the given body paragraphs."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "經濟部新聞稿 內部參考"
    footer = section.footer.paragraphs[0]
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 頁")
    if columns > 1:
        section._sectPr.append(
            parse_xml(f'<w:cols xmlns:w="{W_NS}" w:num="{columns}" w:space="720"/>')
        )
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(source: Path, folder: Path) -> Path:
    """Convert with LibreOffice, in a profile of its own (other conversions may be running)."""
    command = [
        soffice() or "soffice",
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        str(source),
    ]
    subprocess.run(command, capture_output=True, check=True, timeout=600)
    pdf = folder / f"{source.stem}.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    return pdf
