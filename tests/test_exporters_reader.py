"""The reader's edition through the real exporters: the headline as the document's title in
DOCX, HTML, Markdown and PDF, byline and date under it, and none of the review marks."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from bilingual.check import check_document
from bilingual.document import Document, Term
from bilingual.exporters import ExportOptions, get_exporter
from bilingual.pipeline import read_document
from tests import front_samples as fs

REVIEW_WORDS = ("finding", "error:", "warning:")
READER = ExportOptions(edition="reader", credit="Translated by the Foreign Desk")
SHAPES = {"docx": fs.write_docx, "html": fs.write_html, "text": fs.write_text}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def article(tmp_path: Path, shape: str, script: str, *, status: str = "human") -> Document:
    """One of the sample articles read by its real reader, its English filled in, and a
    glossary term on the first paragraph (which the review edition would underline)."""
    document = read_document(SHAPES[shape](tmp_path, script))
    fs.fill_english(document, status=status)
    first = next(b for b in document.blocks if b.kind == "paragraph").segments[0]
    at = first.source.index(fs.in_script("外交部", script))
    first.terms = [Term(first.source[at : at + 3], "Ministry", at, at + 3, note="unverified")]
    return document


def render(document: Document, fmt: str, options: ExportOptions = READER) -> bytes:
    data = get_exporter(fmt).render(document, options, check_document(document)).to_bytes()
    assert data is not None
    return data


def docx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}


def open_docx(data: bytes) -> Any:
    import io

    import docx

    return docx.Document(io.BytesIO(data))


def paragraphs_before_table(doc: Any) -> list[tuple[str, str]]:
    """(style name, text) of the body's paragraphs before its first table."""
    found = []
    for child in doc.element.body.iterchildren():
        if child.tag == f"{W}tbl":
            break
        if child.tag == f"{W}p":
            paragraph = next(p for p in doc.paragraphs if p._p is child)
            found.append((paragraph.style.name, paragraph.text))
    return found


@pytest.mark.parametrize("script", fs.SCRIPTS)
@pytest.mark.parametrize("shape", ["docx", "html"])
@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_reader_docx_opens_with_the_headline_in_both_languages(
    tmp_path: Path, shape: str, script: str, layout: str
) -> None:
    document = article(tmp_path, shape, script)
    data = render(document, "docx", ExportOptions(edition="reader", layout=layout))
    doc = open_docx(data)
    headline = fs.in_script(fs.HEADLINE, script)
    english = fs.ENGLISH[fs.HEADLINE]
    front = paragraphs_before_table(doc) if layout == "side-by-side" else []
    if layout == "interleaved":
        front = [(p.style.name, p.text) for p in doc.paragraphs[:4]]
    assert front[0] == ("Title", headline)
    assert front[1] == ("Title", english)
    byline = fs.in_script("記者王小明／台北報導", script)
    assert front[2] == ("Byline", f"{byline} · 2026年1月29日")
    assert front[3] == ("Byline", "Reporter Wang Hsiao-ming, Taipei · January 29, 2026")
    # the headline, the dateline and the byline are not repeated in the body
    texts = [p.text for p in doc.paragraphs[4:]]
    if doc.tables:
        texts += [cell.text for row in doc.tables[0].rows for cell in row.cells]
    assert not any(headline in t or "2026-01-29" in t or byline in t for t in texts)
    assert any(fs.in_script("此行預計為期一週", script) in t for t in texts)
    # title property and page header, in both languages
    assert doc.core_properties.title == f"{headline} | {english}"
    assert doc.sections[0].header.paragraphs[0].text == f"{headline} | {english}"


@pytest.mark.parametrize("script", fs.SCRIPTS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_reader_docx_has_no_review_marks_in_any_part(
    tmp_path: Path, shape: str, script: str
) -> None:
    document = article(tmp_path, shape, script, status="machine")
    document.segments[-1].clear_target()  # an empty English: the review edition hints terms
    options = ExportOptions(edition="reader", comments=True, glossary_appendix=True)
    parts = docx_parts(render(document, "docx", options))
    body = parts["word/document.xml"]
    assert "<w:u " not in body and "<w:u/>" not in body  # no term underline
    assert "GlossaryTerm" not in body and "TermHints" not in body
    assert "bookmarkStart" not in body and "commentReference" not in body
    assert not any("comments" in name for name in parts)
    for name, text in parts.items():
        for word in REVIEW_WORDS:
            assert word not in text.lower(), (name, word)
    for said in ("machine translation", "draft", "not verified", "Terms:"):
        assert said not in body
    # the review edition of the same document does carry the marks: the test can fail
    review = docx_parts(render(document, "docx", ExportOptions(comments=True)))
    assert "GlossaryTerm" in review["word/document.xml"]
    assert "bookmarkStart" in review["word/document.xml"]


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_reader_docx_without_a_headline_has_a_title_that_is_no_file_name(
    tmp_path: Path, script: str
) -> None:
    document = article(tmp_path, "text", script)
    doc = open_docx(render(document, "docx"))
    front = paragraphs_before_table(doc)
    assert [style for style, _ in front if style == "Title"] == []  # metadata only
    title = doc.core_properties.title
    assert title.startswith(fs.in_script("外交部長林佳龍今天啟程訪問歐洲三國", script))
    assert "report-0129" not in title and ".txt" not in title
    assert "report-0129" not in doc.sections[0].header.paragraphs[0].text
    assert front[0][1].endswith("2026年1月29日")


@pytest.mark.parametrize("script", fs.SCRIPTS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_reader_html_has_one_header_and_no_review_words(
    tmp_path: Path, shape: str, script: str
) -> None:
    document = article(tmp_path, shape, script, status="machine")
    document.segments[-1].clear_target()
    page = render(document, "html").decode("utf-8")
    for word in REVIEW_WORDS:
        assert word not in page.lower(), word
    assert "<mark" not in page and "data-tip" not in page and 'class="hint"' not in page
    assert "machine translation" not in page
    assert page.count("<header") == 1 and page.count("<h1") <= 1
    assert 'lang="en">January 29, 2026' not in page  # date on the byline line, with the byline
    assert "Reporter Wang Hsiao-ming, Taipei · January 29, 2026" in page
    assert "Translated by the Foreign Desk" in page
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None and "report-0129" not in title.group(1)
    if shape != "text":
        headline = fs.in_script(fs.HEADLINE, script)
        assert title.group(1) == f"{headline} | {fs.ENGLISH[fs.HEADLINE]}"
        assert page.count(headline) == 2  # <title> and the header, not a row
    # the review edition of the same document shows its findings: the test can fail
    review = render(document, "html", ExportOptions()).decode("utf-8")
    assert "finding-" in review


@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_reader_markdown_opens_with_the_headline(tmp_path: Path, script: str) -> None:
    document = article(tmp_path, "docx", script, status="machine")
    text = render(document, "md").decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {fs.in_script(fs.HEADLINE, script)}"
    assert lines[2] == f"# {fs.ENGLISH[fs.HEADLINE]}"
    assert "2026年1月29日" in lines[4] and "January 29, 2026" in lines[5]
    assert text.count(fs.in_script(fs.HEADLINE, script)) == 1
    assert "machine translation" not in text and "2026-01-29" not in text


def test_a_given_byline_and_a_date_of_a_page_show_as_they_are(tmp_path: Path) -> None:
    document = article(tmp_path, "html", "zh-Hant")
    document.meta.update(byline="By Jane Lee", byline_given=True, date="Thursday morning")
    page = render(document, "html").decode("utf-8")
    assert '<p class="byline en" lang="en">By Jane Lee</p>' in page
    assert "Thursday morning" in page


# --- in a browser and through LibreOffice -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_reader_html_in_chromium_at_1280_and_375(tmp_path: Path, script: str, browser) -> None:
    document = article(tmp_path, "html", script)
    page_path = tmp_path / "reader.html"
    page_path.write_bytes(render(document, "html"))
    for width in (1280, 375):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(page_path.as_uri())
        sizes = page.eval_on_selector_all(
            "header h1 > span",
            "spans => spans.map(s => parseFloat(getComputedStyle(s).fontSize))",
        )
        assert len(sizes) == 2
        zh, en = sizes
        assert 0.75 <= en / zh <= 1.0, (width, sizes)  # comparable, Chinese not smaller
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, width
        # the header comes first, above the text's rows
        header_bottom = page.eval_on_selector("header", "h => h.getBoundingClientRect().bottom")
        first_row = page.eval_on_selector(".pair", "p => p.getBoundingClientRect().top")
        assert header_bottom <= first_row
        shot = tmp_path / f"reader-{script}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000
        page.close()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("script", fs.SCRIPTS)
def test_reader_pdf_through_libreoffice(tmp_path: Path, script: str) -> None:
    document = article(tmp_path, "docx", script)
    pdf = tmp_path / "reader.pdf"
    pdf.write_bytes(render(document, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    headline = fs.in_script(fs.HEADLINE, script)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # the page header, then the headline in Chinese and in English, above the table
    assert lines[1] == headline
    assert "Foreign Minister Leaves for Three" in lines[2]
    assert text.count(headline) == 2  # the header and the title, not a row
    assert not any(word in text.lower() for word in REVIEW_WORDS)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000


@pytest.mark.parametrize("edition", ["reader", "review"])
def test_a_long_headline_is_shortened_in_the_title_property_only(tmp_path: Path, edition: str):
    # Word shows at most 255 characters of a property and python-docx refuses more: a long
    # headline in both languages once ended the run with "unexpected ValueError".
    document = article(tmp_path, "docx", "hant")
    headline = next(b for b in document.blocks if b.kind == "title").segments[0]
    long_english = "A headline that runs on " + "and on " * 60
    headline.target = long_english
    data = render(document, "docx", ExportOptions(edition=edition))
    opened = open_docx(data)
    title = opened.core_properties.title
    assert 0 < len(title) <= 255
    assert 0 < len(opened.sections[0].header.paragraphs[0].text) <= 160  # two lines at most
    if edition == "reader":
        assert title.endswith("…")
        assert long_english.strip() in docx_parts(data)["word/document.xml"]  # the page, whole


def test_a_deep_input_path_is_kept_whole_in_the_identifier(tmp_path: Path):
    # import reads the identifier back to tell which document a DOCX was made for; a batch's
    # deep relative path once ended the export with "unexpected ValueError" past 255 characters.
    from bilingual.exporters import document_fingerprint

    document = article(tmp_path, "docx", "hant")
    document.meta["input"] = "/".join(["a-rather-long-folder-name"] * 12) + "/story.docx"
    data = render(document, "docx", ExportOptions())
    fingerprint = document_fingerprint(document)
    assert len(fingerprint) > 255
    assert f"<dc:identifier>{fingerprint}</dc:identifier>" in docx_parts(data)["docProps/core.xml"]
