"""What the command line says about odd input: an undecodable input names the offset of its
first bad byte; characters removed from the outputs are said once per place, however many formats
are written (a deleted DOCX row naming its id once is in test_review.py)."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import dump
from bilingual.errors import ExitCode
from bilingual.pipeline import read_document
from tests.conftest import ARTICLE, one_error_line
from tests.sample_documents import translated


@pytest.mark.parametrize(
    ("data", "offset", "byte"),
    [
        ("台北電\n".encode() + b"\xff\xfe\xfd more", 10, 0xFF),  # after three 3-byte characters
        ("第一段。\n\n".encode() + b"\xe5\x8f" + "。".encode(), 14, 0xE5),  # a cut character
        (codecs.BOM_UTF8 + "總統府".encode() + b"\x80x", 12, 0x80),  # counted from the file start
    ],
)
def test_an_undecodable_input_names_the_offset_of_its_first_bad_byte(
    tmp_path: Path, data: bytes, offset: int, byte: int
) -> None:
    source = tmp_path / "news.txt"
    source.write_bytes(data)
    assert data[offset] == byte  # the offset the message gives is the file's own
    result = CliRunner().invoke(
        cli, ["translate", str(source), "--engine", "none", "--no-memory", "-o", str(tmp_path)]
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    line = one_error_line(result)
    assert line.startswith(f"bilingual: error: {source}: ")
    assert "not " in line and " text" in line
    assert line.endswith(f": first undecodable byte at offset {offset} (0x{byte:02x})"), line
    assert not (tmp_path / "news.json").exists()


def test_a_binary_input_names_its_first_nul_byte(tmp_path: Path) -> None:
    source = tmp_path / "news.txt"
    source.write_bytes("標題\n".encode() + b"\x00\x01\x02")
    result = CliRunner().invoke(
        cli, ["translate", str(source), "--engine", "none", "--no-memory", "-o", str(tmp_path)]
    )
    assert result.exit_code == ExitCode.BAD_INPUT
    line = one_error_line(result)
    assert line == f"bilingual: error: {source}: a binary file, not text (a NUL byte at offset 7)"


def _json_form_with_control_characters(tmp_path: Path) -> Path:
    """The article, translated by hand, with characters XML cannot carry in every kind of place:
    the Chinese, the English, the engine's notes, a term's rendering and note, the metadata."""
    document = translated(read_document(ARTICLE))
    first, second, third = document.segments[1:4]
    first.source = first.source[:3] + "\x07" + first.source[3:]
    for term in first.terms:
        if term.start >= 3:
            term.start, term.end = term.start + 1, term.end + 1
    second.target = "draft\x01 with\x02 two"
    second.notes = ["the model could not see \x03"]
    term = next(s for s in document.segments if s.terms).terms[0]
    term.rendering += "\x04"
    term.note = "a note\x05"
    third.target = ""  # a worksheet row: its terms hint shows the rendering again
    third.terms = [term]
    document.meta["title"] = "標題\x06"
    document.meta["input"] = "news\x0e.txt"
    return dump(document, tmp_path / "news.json")


def test_removed_characters_are_said_once_per_place_across_formats(tmp_path: Path) -> None:
    json_form = _json_form_with_control_characters(tmp_path)
    command = ["export", str(json_form), "--format", "docx,html,tmx,xliff", "--glossary-appendix"]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    removed = [line for line in result.stderr.splitlines() if " removed " in line]
    places = [line.split(": removed ")[0] for line in removed]
    assert len(places) == len(set(places)), "\n".join(removed)  # each place said once
    by_place = dict(zip(places, removed, strict=True))
    segments = json.loads(json_form.read_text(encoding="utf-8"))["blocks"]
    ids = [s["id"] for b in segments for s in b["segments"]]
    assert by_place[f"bilingual: segment {ids[1]} (Chinese)"].endswith(
        "removed 1 character(s) XML and HTML cannot carry (U+0007)"
    )
    assert by_place[f"bilingual: segment {ids[2]} (English)"].endswith(
        "removed 2 character(s) XML and HTML cannot carry (U+0001, U+0002)"
    )
    assert by_place[f"bilingual: segment {ids[2]} (notes)"].endswith("(U+0003)")
    # the rendering shows in the tooltip, the hint, the TMX and XLIFF notes: counted as held
    assert by_place[f"bilingual: segment {ids[3]} (terms)"].endswith(
        "removed 2 character(s) XML and HTML cannot carry (U+0004, U+0005)"
    )
    # the XLIFF writes the input's name twice (file name and fingerprint): one character held
    assert by_place["bilingual: meta.input"].endswith(
        "removed 1 character(s) XML and HTML cannot carry (U+000E)"
    )
    assert "bilingual: meta.title" in by_place
    assert any(place == "bilingual: glossary appendix" for place in places)
    assert not any(" (terms) " in p or p.startswith("bilingual: block ") for p in places)
