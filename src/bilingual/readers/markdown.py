"""Markdown reader (markdown-it-py): headings with their level, paragraphs, list items, block
quotes and table cells as blocks, inline markup reduced to its text, code blocks kept as code.

Front matter (YAML between `---` lines, TOML between `+++` lines) is the document's metadata,
never its text: `title` becomes the headline and `meta.title`, `date` `meta.date` (ISO),
`author` `meta.byline`; the whole of it is kept as written in `meta.front_matter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..document import RawBlock, RawText
from ..errors import InputError
from ..script import CJK
from . import first_heading_is_title
from .images import Pictures
from .text import decode

_CJK = re.compile(f"[{CJK}]")
_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\n(?P<yaml>.*?)\n---|\+\+\+[ \t]*\n(?P<toml>.*?)\n\+\+\+)[ \t]*(?:\n|\Z)",
    re.DOTALL,
)
_AUTHOR_KEYS = ("author", "authors", "byline")


class MarkdownReader:
    name = "markdown"

    def parse(self, data: bytes, name: str) -> RawText:
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        text, encoding = decode(data, name)
        if "\x00" in text:
            raise InputError(f"{name}: a binary file, not Markdown")
        from markdown_it import MarkdownIt

        text = text.lstrip("\ufeff").replace("\r\n", "\n")
        meta: dict[str, Any] = {"input": Path(name).name, "encoding": encoding}
        front = front_matter(text)
        blocks: list[RawBlock] = []
        if front is not None:
            fields, end = front
            meta["front_matter"] = text[:end].rstrip("\n")
            meta.update(fields)
            text = text[end:]
            if "title" in fields:
                blocks.append(RawBlock(fields["title"], "title", {"level": 1}))
        md = MarkdownIt("commonmark").enable("table")
        # Inline markup is parsed one block at a time as the blocks are read (`_blocks`), and each
        # token let go once read: parsed all at once first, a table of a million cells held
        # four million tokens (about 1.4 KB a cell).
        md.disable(["inline", "text_join"])
        env: dict[str, Any] = {}  # the link reference definitions the block parse finds
        tokens = md.parse(text, env)
        del text
        pictures = Pictures(name)
        body = _blocks(tokens, pictures, lambda content: md.inline.parse(content, md, env, []))
        body = first_heading_is_title(body)
        if blocks and body and body[0].kind == "title":
            if body[0].text == blocks[0].text:
                body = body[1:]  # the `#` line repeats the front matter's title
            else:
                body[0] = RawBlock(body[0].text, "heading", body[0].meta)
        blocks += body
        if all(b.kind == "figure" for b in blocks):
            raise InputError(f"{name}: the file has no text")
        pictures.say_remote()
        return RawText(blocks=blocks, meta=meta)


def front_matter(text: str) -> tuple[dict[str, str], int] | None:
    """The title, date (ISO) and byline a Markdown text's front matter gives, and where the
    front matter ends; None when the text has none (or what looks like it is not a mapping:
    then it is Markdown, a rule and a paragraph)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return None
    try:
        if m["yaml"] is not None:
            import yaml

            data = yaml.safe_load(m["yaml"])
        else:
            import tomllib

            data = tomllib.loads(m["toml"])
    except Exception:  # yaml.YAMLError, tomllib.TOMLDecodeError: not front matter after all
        return None
    if not isinstance(data, dict):
        return None
    fields: dict[str, str] = {}
    title = data.get("title")
    if isinstance(title, str) and title.strip():
        fields["title"] = title.strip()
    date = _iso_date(data.get("date"))
    if date:
        fields["date"] = date
    for key in _AUTHOR_KEYS:
        author = data.get(key)
        if isinstance(author, list):
            author = "、".join(str(a) for a in author if a)
        if isinstance(author, str) and author.strip():
            fields["byline"] = author.strip()
            break
    return fields, m.end()


def _iso_date(value: Any) -> str | None:
    """`YYYY-MM-DD` from a YAML/TOML date or datetime, or a string starting with a date."""
    import datetime

    from ..news import leading_date

    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        found = leading_date(value)
        return found[0] if found else None
    return None


def _blocks(
    tokens: list[Any], pictures: Pictures, inline: Callable[[str], list[Any]]
) -> list[RawBlock]:
    """The blocks of markdown-it's block `tokens` (emptied as they are read); `inline` parses
    an inline token's content into its children."""
    blocks: list[RawBlock] = []
    # The containers the next inline text sits in (list item, block quote, table cell).
    inside: list[str] = []
    heading: int | None = None
    tokens.reverse()
    while tokens:
        token = tokens.pop()
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
            # a picture cuts its paragraph: text before it, the figure, text after it
            for piece in pictures.split(_inline_text(inline(token.content), pictures)):
                if isinstance(piece, RawBlock):
                    blocks.append(piece)
                else:
                    _text_block(blocks, piece.strip(), heading, inside)
    return blocks


def _text_block(blocks: list[RawBlock], text: str, heading: int | None, inside: list[str]) -> None:
    if not text:
        return
    if heading is not None:
        blocks.append(RawBlock(text, "heading", {"level": heading}))
    elif inside:
        # a short list item or cell is still body text, never a heading
        where = {"list_item": "list_item", "blockquote": "quote"}.get(inside[-1], "table_cell")
        blocks.append(RawBlock(text, "paragraph", {where: True}))
    else:
        blocks.append(RawBlock(text))


def _inline_text(children: list[Any], pictures: Pictures) -> str:
    # The first character of the text after each child, found in one pass from the end (a
    # search forward from every soft break made long soft-wrapped paragraphs quadratic).
    following = [""] * len(children)
    ahead = ""
    for i in range(len(children) - 1, -1, -1):
        following[i] = ahead
        if children[i].content:
            ahead = children[i].content[:1]
    parts: list[str] = []
    for i, child in enumerate(children):
        if child.type in ("text", "text_special", "code_inline"):  # text_special: `\*`
            parts.append(child.content)
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "softbreak":
            # a line break inside a paragraph is a space in Latin text, nothing between CJK
            before = parts[-1][-1:] if parts and parts[-1] else ""
            after = following[i]
            parts.append("" if _CJK.match(before) or _CJK.match(after) else " ")
        elif child.type == "image":
            # kept when it is a file beside the Markdown (or a data: URL); its alt text is no
            # text of the paragraph
            figure = pictures.find(str(child.attrs.get("src", "")), child.content or "")
            if figure is not None:
                parts.append(pictures.mark(figure))
    return "".join(parts)
