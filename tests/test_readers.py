"""The plain-text reader: encodings, script detection and bad input."""

from __future__ import annotations

import codecs

import pytest

from bilingual.errors import InputError
from bilingual.pipeline import read_document

TRADITIONAL = "台灣與美國簽署協議。\n\n經濟部長表示，雙方將擴大合作。\n"
SIMPLIFIED = "台湾与美国签署协议。\n\n经济部长表示，双方将扩大合作。\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TRADITIONAL.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TRADITIONAL.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TRADITIONAL.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TRADITIONAL.encode("utf-16-be"), "utf-16"),
        (TRADITIONAL.encode("big5"), "big5"),
    ],
)
def test_traditional_encodings_are_decoded(tmp_path, data, encoding):
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    document = read_document(path)
    assert document.meta["encoding"] == encoding
    assert document.source_lang == "zh-Hant"
    assert document.blocks[0].source == "台灣與美國簽署協議。"
    assert len(document.blocks) == 2


def test_gb18030_simplified(tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(SIMPLIFIED.encode("gb18030"))
    document = read_document(path)
    assert document.meta["encoding"] == "gb18030"
    assert document.source_lang == "zh-Hans"
    assert document.blocks[1].source == "经济部长表示，双方将扩大合作。"


def test_reference_article_in_big5(tmp_path, article_path):
    path = tmp_path / "article.txt"
    text = article_path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("big5", errors="replace"))
    document = read_document(path)
    assert document.meta["encoding"] == "big5"
    assert len(document.blocks) == 22


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\n \n", "empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "binary"),
        (b"\xff\xfe\x00\xd8", "utf-16"),
    ],
)
def test_bad_input_is_an_input_error(tmp_path, data, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as info:
        read_document(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")


def test_crlf_line_endings(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(TRADITIONAL.replace("\n", "\r\n").encode("utf-8"))
    assert [b.source for b in read_document(path).blocks] == [
        "台灣與美國簽署協議。",
        "經濟部長表示，雙方將擴大合作。",
    ]


def test_translate_reads_standard_input_as_stdin(tmp_path):
    from click.testing import CliRunner

    from bilingual.cli import cli
    from bilingual.document import load

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["translate", "-", "-o", str(out), "--engine", "none", "--format", "html"],
        input=TRADITIONAL.encode("utf-8"),
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["stdin.html", "stdin.json"]
    document = load(out / "stdin.json")
    assert document.meta["input"] == "stdin"
    assert [b.source for b in document.blocks] == [
        "台灣與美國簽署協議。",
        "經濟部長表示，雙方將擴大合作。",
    ]
