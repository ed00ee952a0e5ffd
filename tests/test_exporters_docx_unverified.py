"""The DOCX marks renderings the glossary has not verified: in the term hints, in the glossary
appendix, and with a count in the front matter (read back from word/document.xml)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from bilingual.cli import cli
from bilingual.document import dump, load

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

GLOSSARY = """\
terms:
  - zh: 總統府
    en: Presidential Office
  - zh: 梁博超
    en: Liang Po-chao
    verified: false
    note: Wade-Giles romanisation, to confirm
  - zh: 黃捷成
    en: Huang Chieh-cheng
    first: reporter Huang Chieh-cheng
    verified: false
"""
TEXT = "總統府今天表示，梁博超將說明。\n\n記者黃捷成、梁博超報導。\n\n黃捷成補充。\n"


def _paragraphs(docx: Path) -> list[tuple[str, str]]:
    """(style id, text) of every paragraph of the body, tables included, in order."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    found = []
    for p in root.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        found.append((style.get(f"{W}val") if style is not None else "", text))
    return found


def _run(tmp_path: Path, *extra: str) -> Path:
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text(GLOSSARY, encoding="utf-8")
    text = tmp_path / "news.txt"
    text.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out"
    command = ["translate", str(text), "--engine", "none", "--no-memory", "-q", "-o", str(out)]
    command += ["--glossary", str(glossary), "--format", "docx", *extra]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("layout", ["side-by-side", "interleaved"])
def test_hints_appendix_and_front_matter_mark_unverified_renderings(
    tmp_path: Path, layout: str
) -> None:
    out = _run(tmp_path, "--glossary-appendix", "--layout", layout)
    paragraphs = _paragraphs(out / "news.docx")
    hints = [text for style, text in paragraphs if style == "TermHints"]
    assert "Terms: Presidential Office; Liang Po-chao (not verified)" in hints
    assert any("reporter Huang Chieh-cheng (not verified)" in h for h in hints), hints
    assert any(h.endswith("Huang Chieh-cheng (not verified)") for h in hints)
    # Every rendering of an unverified entry is marked; a verified one never is.
    for hint in hints:
        for name in re.findall(r"(?:Liang Po-chao|Huang Chieh-cheng)(?! \(not verified\))", hint):
            pytest.fail(f"{name} unmarked in {hint!r}")
        assert "Presidential Office (not verified)" not in hint

    texts = [text for _, text in paragraphs]
    front = [t for t in texts if "not verified:" in t]
    assert front == [
        "3 renderings in this document are not verified: "
        "Liang Po-chao; reporter Huang Chieh-cheng; Huang Chieh-cheng"
    ]
    assert texts.index(front[0]) < texts.index("Glossary · 詞彙表")

    appendix = texts[texts.index("Glossary · 詞彙表") :]
    assert "Liang Po-chao (not verified)" in appendix
    assert "reporter Huang Chieh-cheng (not verified); then Huang Chieh-cheng (not verified)" in (
        appendix
    )
    assert "Presidential Office" in appendix
    # The note column still carries the glossary's note (and why it is not verified).
    assert any(t.startswith("rendering not verified") and "Wade-Giles" in t for t in appendix)


def test_a_translated_document_still_counts_them_in_the_front_matter(tmp_path: Path) -> None:
    out = _run(tmp_path, "--format", "json")
    json_path = out / "news.json"
    document = load(json_path)
    for segment in document.segments:  # as a reviewer would have it: every target filled
        renderings = [t.rendering for t in segment.terms]
        segment.apply_draft(" ".join(renderings) + " said.", [], ["protected"] * len(renderings))
    dump(document, json_path)
    result = CliRunner().invoke(cli, ["export", str(json_path), "--format", "docx"])
    assert result.exit_code == 0, result.output
    paragraphs = _paragraphs(out / "news.docx")
    assert not [t for s, t in paragraphs if s == "TermHints"]  # no hints once translated
    assert [t for _, t in paragraphs if "not verified:" in t] == [
        "3 renderings in this document are not verified: "
        "Liang Po-chao; reporter Huang Chieh-cheng; Huang Chieh-cheng"
    ]


def test_nothing_is_said_when_every_rendering_is_verified(tmp_path: Path) -> None:
    out = _run(tmp_path, "--glossary-appendix")
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("terms:\n  - zh: 總統府\n    en: Presidential Office\n", encoding="utf-8")
    command = ["translate", str(tmp_path / "news.txt"), "--engine", "none", "--no-memory", "-q"]
    command += ["-o", str(out), "--glossary", str(glossary), "--format", "docx"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert not any("not verified" in t for _, t in _paragraphs(out / "news.docx"))
