"""The outputs as a reader sees them: the HTML in a real Chromium, the DOCX in a real LibreOffice.

Slow: each test starts a browser or an office suite. Screenshots and PDFs stay in the test's tmp
folder for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bilingual.check import check_document
from bilingual.document import Document
from bilingual.exporters import ExportOptions
from bilingual.exporters.docx import DocxExporter
from bilingual.exporters.html import HtmlExporter
from bilingual.exporters.pdf import PdfExporter
from bilingual.files import write_all
from tests.sample_documents import translated

pytestmark = pytest.mark.slow

# Layout numbers measured by the page itself, for every segment row.
ROWS_JS = """() => [...document.querySelectorAll('.pair')].map(row => {
  const zh = row.querySelector('.zh').getBoundingClientRect();
  const en = row.querySelector('.en').getBoundingClientRect();
  return {id: row.id, zhTop: zh.top, enTop: en.top, zhLeft: zh.left, enLeft: en.left,
          zhRight: zh.right, enRight: en.right};
})"""
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  }).map(el => el.tagName + '#' + el.id + '.' + el.className);
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


@pytest.fixture(scope="module")
def article(article_document: Document) -> Document:
    return translated(article_document)


def open_page(browser, path: Path, width: int, requests: list[str]):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def test_html_rows_align_side_by_side_and_stack_without_overflow(article, browser, tmp_path):
    path = tmp_path / "article.html"
    rendered = HtmlExporter().render(
        article, ExportOptions(glossary_appendix=True), check_document(article)
    )
    write_all([(path, rendered.write)])
    requests: list[str] = []

    page = open_page(browser, path, 1280, requests)
    rows = page.evaluate(ROWS_JS)
    assert [r["id"] for r in rows] == [s.id for s in article.segments]
    for row in rows:  # every Chinese cell and its English cell start at the same height
        assert abs(row["zhTop"] - row["enTop"]) < 0.5, row
        assert row["zhRight"] <= row["enLeft"], row  # side by side, Chinese on the left
    page.screenshot(path=str(tmp_path / "article-1280.png"))

    # hovering a term highlights its counterpart and shows the tooltip
    page.hover("#zh-b2s1 mark.term >> nth=0")
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)" in tip.inner_text()
    assert page.locator("#en-b2s1 mark.term.on").count() == 1
    page.screenshot(path=str(tmp_path / "article-1280-hover.png"))

    # the language buttons
    page.click("button[data-view=en]")
    assert not page.locator("#zh-b2s1").is_visible() and page.locator("#en-b2s1").is_visible()
    assert page.get_attribute("button[data-view=en]", "aria-pressed") == "true"
    page.click("button[data-view=zh]")
    assert page.locator("#zh-b2s1").is_visible() and not page.locator("#en-b2s1").is_visible()
    page.click("button[data-view=both]")
    page.close()

    page = open_page(browser, path, 375, requests)
    layout = page.evaluate(OVERFLOW_JS)
    assert layout["scroll"] <= layout["width"] == 375
    assert layout["wide"] == []
    for row in page.evaluate(ROWS_JS):  # stacked: the English under its Chinese
        assert row["enTop"] > row["zhTop"], row
    page.screenshot(path=str(tmp_path / "article-375.png"), full_page=True)
    page.close()
    assert all(url.startswith("file://") for url in requests), requests  # no network requests


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_to_pdf_in_libreoffice_keeps_every_sentence_and_embeds_a_cjk_font(article, tmp_path):
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    path = tmp_path / "article.pdf"
    rendered = PdfExporter().render(article, ExportOptions())
    assert write_all([(path, rendered.write)]) == [path]
    assert rendered.warnings == []
    assert path.read_bytes().startswith(b"%PDF")
    # the Chinese column only (A4 at 72 dpi: 595 x 842 points), without page header and footer,
    # and without the header row repeated on each page
    text = subprocess.run(
        ["pdftotext", "-layout", "-r", "72", "-x", "0", "-y", "50", "-W", "297", "-H", "742",
         str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    lines = [line for line in text.splitlines() if line.strip() != "中文"]
    found = _normalised("\n".join(lines))
    for segment in article.segments:
        assert _normalised(segment.source) in found, segment.id
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    embedded = [
        line.split()[0]
        for line in fonts.stdout.splitlines()[2:]
        if re.search(r"CJK|Hei|Ming|Song|Kai", line) and " yes " in line
    ]
    assert embedded, fonts.stdout
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").is_file()


def test_bookmarks_survive_a_libreoffice_resave(article, tmp_path):
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    import docx

    source = tmp_path / "in" / "article.docx"
    write_all([(source, DocxExporter().render(article, ExportOptions()).write)])
    out = tmp_path / "out"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)],
        capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    word = docx.Document(str(out / "article.docx"))
    names = {
        el.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
        for el in word.element.body.iter(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bookmarkStart"
        )
    }
    for segment in article.segments:
        assert segment.id in names and f"zh_{segment.id}" in names, segment.id
    rows = word.tables[0].rows
    assert [r.cells[0].text for r in rows[1:]] == [s.source.strip() for s in article.segments]
