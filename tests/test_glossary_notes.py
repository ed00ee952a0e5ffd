"""README holds: a glossary entry's `note` reaches the reader, in the HTML tooltip of every
occurrence and in the Note column of the DOCX and HTML glossary appendix."""

from __future__ import annotations

import html
import re
from pathlib import Path

from click.testing import CliRunner

from bilingual.cli import cli

NOTE = "Presidential Office usage; the US side writes U.S.-Taiwan"
UNVERIFIED_NOTE = "Wade-Giles romanisation, to confirm"


def _translate(tmp_path: Path) -> Path:
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text(
        "terms:\n"
        "  - zh: 總統府\n"
        "    en: Presidential Office\n"
        f"    note: >-\n      {NOTE}\n"
        "  - zh: 梁博超\n"
        "    en: Liang Po-chao\n"
        "    verified: false\n"
        f"    note: {UNVERIFIED_NOTE}\n"
        "  - zh: 經濟部\n"
        "    en: Ministry of Economic Affairs\n",
        encoding="utf-8",
    )
    text = tmp_path / "news.txt"
    text.write_text("總統府今天表示，經濟部將說明。\n\n記者梁博超報導。\n", encoding="utf-8")
    out = tmp_path / "out"
    command = ["translate", str(text), "--engine", "none", "--no-memory", "-q", "-o", str(out)]
    command += ["--glossary", str(glossary), "--glossary-appendix", "--format", "docx,html"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    return out


def test_the_html_tooltip_of_a_term_shows_its_glossary_note(tmp_path: Path) -> None:
    page = (_translate(tmp_path) / "news.html").read_text(encoding="utf-8")
    titles = [
        html.unescape(t) for t in re.findall(r'<mark class="term"[^>]* title="([^"]*)"', page)
    ]
    office = [t for t in titles if t.startswith("總統府 → Presidential Office")]
    assert office and all(NOTE in t for t in office), titles
    liang = [t for t in titles if t.startswith("梁博超 → Liang Po-chao")]
    assert liang and all("rendering not verified" in t and UNVERIFIED_NOTE in t for t in liang)
    ministry = [t for t in titles if t.startswith("經濟部")]
    assert ministry == ["經濟部 → Ministry of Economic Affairs"] * len(ministry) != []


def test_the_html_glossary_appendix_has_a_note_column(tmp_path: Path) -> None:
    page = (_translate(tmp_path) / "news.html").read_text(encoding="utf-8")
    assert '<th scope="col">Note</th>' in page
    rows = re.findall(
        r"<tr><td class=\"zh\"[^>]*>(.*?)</td><td class=\"en\">(.*?)</td><td>(.*?)</td>", page
    )
    notes = {zh: html.unescape(note) for zh, _, note in rows}
    assert notes["總統府"] == NOTE
    assert notes["梁博超"].startswith("rendering not verified")
    assert UNVERIFIED_NOTE in notes["梁博超"]
    assert notes["經濟部"] == ""


def test_the_docx_glossary_appendix_has_a_note_column(tmp_path: Path) -> None:
    import docx

    word = docx.Document(str(_translate(tmp_path) / "news.docx"))
    appendix = word.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in appendix.rows]
    assert rows[0] == ["中文", "English", "Note"]
    notes = {row[0]: row[2] for row in rows[1:]}
    assert notes["總統府"] == NOTE
    assert notes["梁博超"].startswith("rendering not verified")
    assert UNVERIFIED_NOTE in notes["梁博超"]
    assert notes["經濟部"] == ""
