"""The Markdown exporter (`--format md`), its output read back by a CommonMark renderer
(markdown-it-py), as a site or a Git host would show it."""

from __future__ import annotations

import copy
import html
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bilingual.document import Document
from bilingual.exporters import ExportOptions, get_exporter
from bilingual.pipeline import read_document
from tests.conftest import examples

# A code block holding both kinds of fence and, after them, HTML that must stay text.
HOSTILE = (
    "# 新聞稿\n\n行政院今天召開記者會。\n\n"
    "~~~~~\n```\n~~~~\n<img src=x onerror=alert(1)>\n~~~~~\n\n"
    "国防部今天说明预算。\n"
)


def render(document: Document) -> str:
    data = get_exporter("md").render(document, ExportOptions(), []).to_bytes()
    assert data is not None
    return data.decode("utf-8")


def shown(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


def code_blocks(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [t.content for t in tokens if t.type in ("fence", "code_block")]


def hostile_document(tmp_path: Path) -> Document:
    path = tmp_path / "release.md"
    path.write_text(HOSTILE, encoding="utf-8")
    return read_document(path)


def test_a_code_block_with_both_fences_stays_one_code_block(tmp_path: Path):
    document = hostile_document(tmp_path)
    markdown = render(document)
    page = shown(markdown)
    assert "<img" not in page  # the HTML in the code block is shown, never made live
    assert html.escape("<img src=x onerror=alert(1)>", quote=False) in page
    assert code_blocks(markdown) == ["```\n~~~~\n<img src=x onerror=alert(1)>\n"]
    assert "<p>国防部今天说明预算。</p>" in page  # the text after the block is text again


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("`~ <>a\n"), min_size=1, max_size=12),
        min_size=1,
        max_size=6,
    )
)
def test_any_code_block_comes_back_whole(tmp_path: Path, lines: list[str]):
    document = copy.deepcopy(hostile_document(tmp_path))
    code = next(b for b in document.blocks if b.kind == "code")
    text = "\n".join(lines).rstrip("\n") or "`"
    code.segments[0].source = text
    for segment in code.segments[1:]:
        segment.source = ""
    markdown = render(document)
    assert code_blocks(markdown) == [text + "\n"]
