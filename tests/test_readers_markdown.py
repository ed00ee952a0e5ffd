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
