"""The Markdown reader reads markdown-it's block tokens as the parser writes them, one alive at a
time (readers/markdown.py `_TokenStream`): what it reads is what the whole-file parse it
replaced read, for every shape of Markdown, in both scripts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bilingual.document import RawBlock
from bilingual.readers import markdown, read
from bilingual.readers.images import Pictures
from tests.conftest import examples
from tests.figure_samples import png


def whole_file_body(text: str, pictures: Pictures) -> list[RawBlock]:
    """The reader's body as it was read before the stream: the whole file's block tokens in one
    list, then walked (readers/markdown.py before the token stream, kept here as the oracle)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    md.disable(["inline", "text_join"])
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    blocks: list[RawBlock] = []
    inside: list[str] = []
    heading: int | None = None
    for token in tokens:
        kind = token.type
        if kind in ("list_item_open", "blockquote_open", "th_open", "td_open"):
            inside.append(kind[:-5])
        elif kind in ("list_item_close", "blockquote_close", "th_close", "td_close"):
            inside.pop()
        elif kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = None
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            if code.strip():
                meta = {"language": token.info.strip()} if token.info.strip() else {}
                blocks.append(RawBlock(code, "code", meta))
        elif kind == "inline":
            children = md.inline.parse(token.content, md, env, [])
            for piece in pictures.split(markdown._inline_text(children, pictures)):
                if isinstance(piece, RawBlock):
                    blocks.append(piece)
                    continue
                text_ = piece.strip()
                if not text_:
                    continue
                if heading is not None:
                    blocks.append(RawBlock(text_, "heading", {"level": heading}))
                elif inside:
                    where = {"list_item": "list_item", "blockquote": "quote"}.get(
                        inside[-1], "table_cell"
                    )
                    blocks.append(RawBlock(text_, "paragraph", {where: True}))
                else:
                    blocks.append(RawBlock(text_))
    return blocks


def table(rows: int, script: str = "hant") -> str:
    """A table of `rows` rows: aligned columns, a code span holding `|`, an escaped pipe."""
    cells = "甲乙丙丁" if script == "hant" else "经济贸易"
    notes = ["`a|b`", r"一\|二", "**粗體** 與 [連結](x)", "", r"\\|"]
    return "| 項目 | 金額 | 備註 |\n|:--|--:|:-:|\n" + "".join(
        f"| {cells[i % 4]}{i} | {i * 3}億元 | {notes[i % 5]} |\n" for i in range(rows)
    )


# One of each shape of Markdown the reader meets, Traditional and Simplified.
SHAPES = [
    "# 台美合作**新方向**",
    "## 经济部今天宣布新的补助措施 ##",
    "總統今天表示，台美將[擴大合作](https://example.invalid/a)。\n雙方已經簽署協議。",
    "国务院今天表示，经贸磋商将在北京举行。  \n双方将讨论合作。\\\n第三行。",
    "Growth was strong\nthis year, 經濟部說。",
    "小標題\n===",
    "小标题\n---",
    "- 半導體\n- 人工智慧 `AI`\n- 量子电脑",
    "1. 第一項\n\n2. 第二項\n\n   續行的段落。\n3) 另一種列表",
    "- 外層\n  - 內層一\n\n  - 內层二\n    1. 更深\n- 外层",
    "* 鬆散的列表\n\n* 第二項\n\n\n* 兩個空行之後",
    "> 「這是歷史性的一刻。」\n> 第二行",
    "> 引用\n延續的懶惰行",
    "> - 引用中的列表\n>\n> 另一段\n>> 巢狀引用",
    '```python\nprint("不要翻譯")\n\n\nx = 1\n```',
    "~~~~ text\n程式碼 ```\n~~~\n~~~~",
    "```\n沒有結束的程式碼\n\n後來的文字",
    "    縮排的程式碼\n\n    第二段程式碼",
    "<div>\n<p>HTML 區塊</p>\n\n</div>",
    "<!-- 註解\n\n註解第二段 -->",
    "<table><tr><td>網頁表格</td></tr></table>",
    "請見[參考連結][ref]與[另一個][]，還有[未定義][nope]。",
    '[ref]: https://example.invalid/a "標題"',
    "[另一個]:\n  /b\n  '多行標題'",
    "![參考圖片][pic]",
    "[pic]: pic.png",
    table(3),
    table(12, "hans"),
    "項目 | 金額\n--- | ---\n**粗體** | _斜體_ [連結](x)\n`a|b` | ![照片](pic.png)",
    "| 表頭 |\n|---|\n| 少 |\n| 多 | 一 | 二 |\n||\n| \\| |",
    "| 假表格 | 欄數不同 |\n|---|\n| 一 |",
    "前面的段落\n| 甲 | 乙 |\n|---|---|\n| 一 | 二 |\n後面的懶惰行",
    "- 列表中的表格\n\n  | 甲 | 乙 |\n  |---|---|\n  | 一 | 二 |",
    "> | 甲 | 乙 |\n> |---|---|\n> | 一 | 二 |\n> | 三 |",
    "![照片](pic.png)",
    "文字前 ![照片](pic.png) 文字後，![第二張](pic.png)",
    "![遠端圖片](https://example.invalid/x.png)",
    "***",
    "\\* 不是列表，\\# 不是標題",
    "# ",
    "&copy; 版權 &#x4E2D;",
    "> " * 30 + "比解析器的巢狀上限更深的引用\n\n之後的段落",
    "\n".join("  " * i + f"- 第{i}層" for i in range(30)),
]
FRONT_MATTER = [
    "",
    "---\ntitle: 台美合作新方向\ndate: 2026-02-27\nauthor: 中央社\n---\n",
    '+++\ntitle = "中美经贸磋商"\n+++\n',
]


def contained(snippet: str, how: str) -> str:
    """`snippet` inside a list item or a block quote (or as it is)."""
    lines = snippet.split("\n")
    if how == "quote":
        return "\n".join("> " + line for line in lines)
    if how == "item":
        return "\n".join(("- " if i == 0 else "  ") + line for i, line in enumerate(lines))
    if how == "ordered":
        return "\n".join(("10. " if i == 0 else "    ") + line for i, line in enumerate(lines))
    return snippet


pieces = st.tuples(
    st.sampled_from(SHAPES) | st.integers(0, 60).map(table),
    st.sampled_from(["", "", "", "quote", "item", "ordered"]),
    st.sampled_from(["\n", "\n\n", "\n\n", "\n\n\n", "\n   \n"]),
)


def assert_read_as_whole_file(tmp_path, monkeypatch, text: str) -> None:
    (tmp_path / "pic.png").write_bytes(png(96, 80))
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    try:
        streamed: Any = read(path)
    except Exception as error:  # the same refusal, then
        streamed = repr(error)
    with monkeypatch.context() as patch:
        patch.setattr(markdown, "_body", whole_file_body)
        try:
            whole: Any = read(path)
        except Exception as error:
            whole = repr(error)
    assert streamed == whole


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.sampled_from(FRONT_MATTER), st.lists(pieces, min_size=1, max_size=10))
@example(FRONT_MATTER[1], [(shape, "", "\n\n") for shape in SHAPES])
@example("", [(shape, "quote", "\n") for shape in SHAPES])
@example("", [(shape, "item", "\n") for shape in SHAPES])
def test_streamed_tokens_read_as_the_whole_file(tmp_path, monkeypatch, front, drawn):
    text = front + "".join(contained(shape, how) + gap for shape, how, gap in drawn)
    assert_read_as_whole_file(tmp_path, monkeypatch, text)


@pytest.mark.parametrize(
    "text",
    [
        table(3000) + "\n" + table(2000, "hans"),  # two tables, no blank line between
        contained(table(2000), "item") + "\n" + contained(table(500), "quote"),
        "\r\n".join(SHAPES) + "\r",  # Windows and old Mac line ends
        "",
        "\n\n",
        "only one line",
    ],
    ids=["long tables", "long tables in a list and a quote", "line ends", "empty", "blank", "one"],
)
def test_long_tables_and_odd_files_read_as_the_whole_file(tmp_path, monkeypatch, text):
    assert_read_as_whole_file(tmp_path, monkeypatch, text)


def test_every_cell_of_a_long_table_is_read(tmp_path):
    path = tmp_path / "table.md"
    path.write_text(table(5000, "hans"), encoding="utf-8")
    blocks = read(path).blocks
    assert len(blocks) == 3 + 3 * 5000 - 1000  # every fifth row's empty note is no block
    cell = {"table_cell": True}
    assert blocks[6:9] == [RawBlock("济1", "paragraph", cell), RawBlock("3億元", "paragraph", cell),
                           RawBlock("一|二", "paragraph", cell)]  # fmt: skip
    assert [b.text for b in blocks[-3:]] == ["易4999", "14997億元", "|"]
    assert all(b.meta == cell for b in blocks)
