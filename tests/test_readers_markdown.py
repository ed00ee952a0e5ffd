"""The Markdown reader through markdown-it-py: structure, inline markup, code kept as code."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import InputError
from bilingual.pipeline import read_document

NOTES = """\
# 台美合作**新方向**

總統今天表示，台美將[擴大合作](https://example.invalid/a)。
雙方已經簽署協議。

## 重點

- 半導體
- 人工智慧 `AI`

> 「這是歷史性的一刻。」

| 項目 | 金額 |
|------|------|
| 投資 | 250億美元 |

```python
print("不要翻譯")
```

Growth was strong
this year.
"""


def test_markdown_blocks_kinds_and_text(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    document = read_document(path)
    got = [(b.kind, b.source, b.level) for b in document.blocks]
    assert got == [
        ("title", "台美合作新方向", 1),
        ("paragraph", "總統今天表示，台美將擴大合作。雙方已經簽署協議。", None),
        ("heading", "重點", 2),
        ("paragraph", "半導體", None),
        ("paragraph", "人工智慧 AI", None),
        ("paragraph", "「這是歷史性的一刻。」", None),
        ("paragraph", "項目", None),
        ("paragraph", "金額", None),
        ("paragraph", "投資", None),
        ("paragraph", "250億美元", None),
        ("code", 'print("不要翻譯")', None),
        ("paragraph", "Growth was strong this year.", None),
    ]
    # a code block is one segment, whatever its punctuation
    assert len(document.blocks[10].segments) == 1
    assert document.blocks[1].segments[1].source == "雙方已經簽署協議。"
    assert document.meta["title"] == "台美合作新方向"


def test_markdown_from_standard_input():
    result = CliRunner().invoke(
        cli, ["segment", "-", "--input-format", "md"], input="## 小標\n\n一段文字。\n".encode()
    )
    assert result.exit_code == 0, result.output
    assert "stdin" in result.output
    assert "b1 heading 2" in result.output


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_empty_markdown_is_exit_3(tmp_path, data):
    path = tmp_path / "empty.md"
    path.write_bytes(data)
    with pytest.raises(InputError, match="empty"):
        read_document(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["translate", str(path), "-o", str(out), "--engine", "none"])
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(path) in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_code_blocks_are_never_translated(tmp_path):
    from bilingual.glossary import annotate, load_glossary
    from bilingual.translate.run import translate_document
    from tests.test_run import Scripted

    path = tmp_path / "notes.md"
    path.write_text(NOTES, encoding="utf-8")
    document = read_document(path)
    engine = Scripted()
    glossary = load_glossary([])
    annotate(document, glossary)
    translate_document(document, engine, glossary=glossary, use_memory=False)
    code = document.blocks[10]
    assert code.kind == "code"
    sent = [text for batch in engine.batches for text in batch]
    assert 'print("不要翻譯")' not in sent
    assert code.segments[0].target == ""
    assert all(s.target for b in document.blocks if b.kind != "code" for s in b.segments)
    from bilingual.check import check_document

    assert not [f for f in check_document(document) if f.segment_id == code.segments[0].id]


FRONT_MATTER = {
    "yaml": (
        "---\ntitle: 台美經濟對話今登場\ndate: 2026-02-27\nauthor: 中央社記者張三\n"
        "tags: [經濟, 外交]\n---\n\n"
        "經濟部今天表示，台美經濟繁榮夥伴對話將在華盛頓舉行。\n\n雙方將討論供應鏈合作。\n",
        "台美經濟對話今登場",
        "2026-02-27",
        "中央社記者張三",
    ),
    "toml": (
        '+++\ntitle = "中美经贸磋商今登场"\ndate = 2026-03-05T10:00:00+08:00\n'
        'authors = ["张伟", "李明"]\n+++\n\n# 中美经贸磋商今登场\n\n'
        "国务院今天表示，经贸磋商将在北京举行。\n\n双方将讨论合作。\n",
        "中美经贸磋商今登场",
        "2026-03-05",
        "张伟、李明",
    ),
}


@pytest.mark.parametrize("shape", list(FRONT_MATTER))
def test_front_matter_is_metadata_never_text(tmp_path, shape):
    text, title, date, byline = FRONT_MATTER[shape]
    path = tmp_path / "report.md"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    meta = document.meta
    assert (meta["title"], meta["date"], meta["byline"]) == (title, date, byline)
    assert meta["front_matter"] == text.split("\n\n", 1)[0]  # kept whole, as written
    kinds = [(b.kind, b.source) for b in document.blocks]
    assert kinds[0] == ("title", title)  # the headline, once even when `#` repeats it
    assert [k for k, _ in kinds] == ["title", "paragraph", "paragraph"]
    body = "".join(b.source for b in document.blocks)
    for key in ("title:", "title =", "date", "author", "tags", "---", "+++"):
        assert key not in body


def test_a_rule_and_a_paragraph_are_not_front_matter(tmp_path):
    path = tmp_path / "rule.md"
    path.write_text("---\n總統今天表示，雙方將擴大合作。\n---\n\n第二段。\n", encoding="utf-8")
    document = read_document(path)
    assert "front_matter" not in document.meta
    assert "總統今天表示，雙方將擴大合作。" in [b.source for b in document.blocks]
