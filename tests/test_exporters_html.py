"""The HTML exporter: a valid, self-contained, escaped page with rows, terms and findings."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bilingual.check import check_document
from bilingual.document import Document
from bilingual.errors import InputError
from bilingual.exporters import ExportOptions, document_fingerprint
from bilingual.exporters.html import HtmlExporter
from bilingual.files import write_all
from tests.sample_documents import translated, with_terms

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Elements that close an open <p> implicitly: inside a <p> they would silently restructure the page.
CLOSES_P = {"address", "article", "aside", "div", "footer", "form", "h1", "h2", "h3", "header",
            "main", "nav", "ol", "p", "section", "table", "ul"}  # fmt: skip


class Page(HTMLParser):
    """Parses the page strictly: well nested, unique ids and attributes; collects the cells."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.problems: list[str] = []
        self.cells: dict[tuple[str, str], str] = {}  # (segment id, "zh"|"en") -> text
        self.cell_lang: dict[tuple[str, str], str] = {}
        self.marks: list[dict] = []  # one per term mark: segment, column, text, title, term
        self.rows: dict[str, dict] = {}
        self.doctype = ""
        self._cell: tuple[str, str] | None = None
        self._mark: dict | None = None
        self.tags: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed {self.stack}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        names = [a for a, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"duplicate attribute in <{tag}>")
        a = dict(attrs)
        if "p" in self.stack and tag in CLOSES_P:
            self.problems.append(f"<{tag}> inside <p>")
        if a.get("id"):
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        if "pair" in (a.get("class") or "").split():
            self.rows[a["id"]] = a
        if a.get("data-segment"):
            column = "zh" if "zh" in a["class"].split() else "en"
            self._cell = (a["data-segment"], column)
            self.cells[self._cell] = ""
            self.cell_lang[self._cell] = a.get("lang", "")
        if tag == "mark" and self._cell:
            self._mark = {"segment": self._cell[0], "column": self._cell[1], "text": "", **a}
            self.marks.append(self._mark)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "mark":
            self._mark = None
        if self._cell and tag in ("p", "h1", "h2"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell:
            self.cells[self._cell] += data
        if self._mark is not None:
            self._mark["text"] += data


@pytest.fixture(scope="module")
def article(article_document: Document) -> Document:
    return translated(article_document)


def render(document: Document, path: Path, **options) -> tuple[str, Page, list[str]]:
    rendered = HtmlExporter().render(document, ExportOptions(**options), check_document(document))
    assert write_all([(path, rendered.write)]) == [path]
    text = path.read_text(encoding="utf-8")
    return text, Page(text), rendered.warnings


def test_page_is_valid_html5_and_self_contained(article, tmp_path):
    text, page, warnings = render(article, tmp_path / "a.html")
    assert warnings == []
    assert page.doctype == "DOCTYPE html"
    assert page.problems == []
    assert re.match(r'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">', text)
    assert f'data-fingerprint="{document_fingerprint(article)}"' in text
    # nothing fetched from anywhere: no links, sources, imports or urls
    assert not {"link", "img", "iframe", "object", "embed"} & set(page.tags)
    assert re.search(r"\b(src|href)=", text) is None
    assert "@import" not in text and "url(" not in text
    assert text.count("<script>") == 1 and text.count("<style>") == 1


def test_every_segment_is_a_row_with_both_languages(article, tmp_path):
    _, page, _ = render(article, tmp_path / "a.html")
    assert list(page.rows) == [s.id for s in article.segments]
    for segment in article.segments:
        assert page.cells[(segment.id, "zh")] == segment.source
        assert page.cells[(segment.id, "en")] == segment.target
        assert page.cell_lang[(segment.id, "zh")] == "zh-Hant"
        assert page.cell_lang[(segment.id, "en")] == "en"


def test_all_text_is_escaped(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[2].source = '<script>alert("x")</script> & 「引號」'
    document.segments[2].terms = []
    document.segments[2].target = "</p><b>bold</b> & 'quotes'"
    document.meta["title"] = "</title><script>alert(1)</script>"
    text, page, _ = render(document, tmp_path / "a.html")
    assert page.problems == []
    assert text.count("<script>") == 1  # ours, at the end
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 「引號」" in text
    assert page.cells[("b2s1", "zh")] == document.segments[2].source
    assert page.cells[("b2s1", "en")] == document.segments[2].target


def test_fonts_from_options_lead_the_stacks_and_cannot_break_out(article, tmp_path):
    text, _, _ = render(article, tmp_path / "a.html", cjk_font="PMingLiU", latin_font="Georgia")
    assert '.zh { font-family: "PMingLiU", "Noto Sans CJK TC"' in text
    assert '.en, body { font-family: "Georgia", "Segoe UI"' in text
    hostile = "x</style><script>alert(1)</script>"
    text, page, _ = render(article, tmp_path / "b.html", cjk_font=hostile)
    assert hostile not in text and page.problems == []
    assert '.zh { font-family: "Noto Sans CJK TC"' in text


def test_terms_are_marked_in_both_columns_with_tooltips(article, tmp_path):
    _, page, _ = render(article, tmp_path / "a.html")
    segment = article.segments[2]  # b2s1
    zh = [m for m in page.marks if m["segment"] == segment.id and m["column"] == "zh"]
    en = [m for m in page.marks if m["segment"] == segment.id and m["column"] == "en"]
    assert [m["text"] for m in zh] == [t.source for t in segment.terms]
    assert [m["text"] for m in en] == [t.rendering for t in segment.terms]
    # the counterpart of each Chinese term is the English mark with the same data-term
    assert [m["data-term"] for m in zh] == [m["data-term"] for m in en]
    lai = next(m for m in zh if m["text"] == "賴清德")
    assert lai["title"] == "賴清德 → President Lai Ching-te (PO release, 3 Feb 2026)"
    total = sum(len(s.terms) for s in article.segments)
    assert len([m for m in page.marks if m["column"] == "zh"]) == total


def test_findings_mark_their_rows(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[2].target = document.segments[2].target.replace(" 6 ", " ")
    _, page, _ = render(document, tmp_path / "a.html")
    row = page.rows["b2s1"]
    assert "finding-error" in row["class"].split()
    assert "number 第6屆 is not in the target" in row["title"]


def test_worksheet_shows_the_terms_and_no_empty_findings(article_document, tmp_path):
    worksheet = with_terms(article_document)
    _, page, _ = render(worksheet, tmp_path / "a.html")
    assert page.cells[("b2s1", "en")] == (
        "Terms: Taiwan-US Economic Prosperity Partnership Dialogue (EPPD); EPPD; "
        "Presidential Office; President Lai Ching-te"
    )
    assert not [r for r in page.rows.values() if "finding" in r["class"]]


def test_views_print_and_responsive_styles_are_there(article, tmp_path):
    text, _, _ = render(article, tmp_path / "a.html")
    views = re.findall(r'<button type="button" data-view="(\w+)"', text)
    assert views == ["both", "zh", "en"]
    assert "@media print" in text and "@media (max-width: 720px)" in text
    assert ".pair:focus-within > .zh" in text  # focus highlights the counterpart too


def test_simplified_column(article, tmp_path):
    _, page, _ = render(article, tmp_path / "a.html", source_script="simplified")
    assert page.cell_lang[("b2s1", "zh")] == "zh-Hans"
    assert "总统府" in page.cells[("b2s1", "zh")]
    zh = [m["text"] for m in page.marks if m["segment"] == "b2s1" and m["column"] == "zh"]
    assert zh[0] == "台美经济繁荣伙伴对话"


def test_glossary_appendix(article, tmp_path):
    text, page, _ = render(article, tmp_path / "a.html", glossary_appendix=True)
    assert page.problems == []
    assert '<td class="en">President Lai Ching-te; then President Lai</td>' in text
    assert "<td>keep as is</td>" in text


def test_control_characters_are_removed_with_a_warning(article, tmp_path):
    document = copy.deepcopy(article)
    document.segments[2].source = "第6屆\x0c「台美" + document.segments[2].source[6:]
    document.segments[3].target = "bad\x1f target\ufffe"
    text, page, warnings = render(document, tmp_path / "a.html")
    assert "\x0c" not in text and "\x1f" not in text and "\ufffe" not in text
    assert page.cells[("b2s2", "en")] == "bad target"
    assert any(w.startswith("segment b2s1 (Chinese): removed 1 character") for w in warnings)
    assert any(w.startswith("segment b2s2 (English): removed 2 character") for w in warnings)


def test_empty_document_is_a_clear_input_error(tmp_path):
    with pytest.raises(InputError, match="no segments"):
        HtmlExporter().render(Document(meta={"input": "x.txt"}), ExportOptions())
    assert list(tmp_path.iterdir()) == []
