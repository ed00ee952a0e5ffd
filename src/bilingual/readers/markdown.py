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
from typing import Any, cast

from ..document import RawBlock, RawText, no_meta
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
        pictures = Pictures(name)
        body = _body(text, pictures)
        del text
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


def _body(text: str, pictures: Pictures) -> list[RawBlock]:
    """The blocks of a Markdown `text` (without its front matter), in reading order."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

    md = MarkdownIt("commonmark").enable("table")
    # Inline markup is parsed once the block parse has found every link reference definition
    # (a link may come before its definition), one block at a time (`_blocks`).
    md.disable(["inline", "text_join"])
    env: dict[str, Any] = {}  # the link reference definitions the block parse finds
    walk = _Walk()
    tokens = _TokenStream(walk.read)
    # `md.parse` with the token list replaced by the stream; StateCore takes `tokens or []`
    md.core.process(StateCore(text, md, env, cast("list[Any]", tokens)))
    tokens.close()
    return _blocks(walk.found, pictures, lambda content: md.inline.parse(content, md, env, []))


class _TokenStream:
    """The token list markdown-it's block parser writes into, read as it is written: each token
    goes to `read` when the parser pushes the next one (a block rule fills in a token's content
    and info right after pushing it, never later) and is let go. Parsed into a list, a table of a
    million cells held four million tokens at once (1.1 GB); read this way, the reader holds one.

    The block rules only count the tokens they have written, and the list rule looks back at
    them to mark a tight list's paragraphs hidden, which the reader never reads: a token already
    read looks to them like one of no type they look for.
    """

    def __init__(self, read: Callable[[Any], None]) -> None:
        from markdown_it.token import Token

        self._read = read
        self._last: Any = None
        self._count = 0
        self._gone = Token("read", "", 0)

    def append(self, token: Any) -> None:
        if self._last is not None:
            self._read(self._last)
        self._last = token
        self._count += 1

    def close(self) -> None:
        """Read the last token: the parse is over."""
        if self._last is not None:
            self._read(self._last)
        self._last = None

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return True  # even empty, this is the list to write into

    def __getitem__(self, index: int) -> Any:
        return self._last if index in (-1, self._count - 1) else self._gone


# Where an inline token's text sits: the heading level it is in, and its innermost container.
_Place = tuple[int | None, str | None]


class _Walk:
    """markdown-it's block tokens, read one at a time in order, into what the reader keeps of
    them (`found`): each code block's RawBlock, and each inline token's content after the
    `_Place` it sits in (a place only where it changes: a million table cells hold one)."""

    def __init__(self) -> None:
        self.found: list[str | RawBlock | _Place] = []
        # The containers the next inline text sits in (list item, block quote, table cell).
        self._inside: list[str] = []
        self._heading: int | None = None
        self._place: _Place = (None, None)

    def read(self, token: Any) -> None:
        kind = token.type
        if kind in ("list_item_open", "blockquote_open", "th_open", "td_open"):
            self._inside.append(kind[:-5])
        elif kind in ("list_item_close", "blockquote_close", "th_close", "td_close"):
            self._inside.pop()
        elif kind == "heading_open":
            self._heading = int(token.tag[1])
        elif kind == "heading_close":
            self._heading = None
        elif kind in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            if code.strip():
                meta = {"language": token.info.strip()} if token.info.strip() else {}
                self.found.append(RawBlock(code, "code", meta))
        elif kind == "inline":
            place = (self._heading, self._inside[-1] if self._inside else None)
            if place != self._place:
                self.found.append(place)
                self._place = place
            self.found.append(token.content)


def _blocks(
    found: list[str | RawBlock | _Place], pictures: Pictures, inline: Callable[[str], list[Any]]
) -> list[RawBlock]:
    """The blocks of what `_Walk` found; `inline` parses an inline token's content into its
    children."""
    blocks: list[RawBlock] = []
    # The text blocks of one place share their meta (a million table cells: 184 MB less): a raw
    # block's meta is only ever read (the news pass works on a copy).
    kind, meta = _kind_and_meta(None, None)
    for item in found:
        if isinstance(item, tuple):
            kind, meta = _kind_and_meta(*item)
        elif isinstance(item, RawBlock):
            blocks.append(item)
        else:
            # a picture cuts its paragraph: text before it, the figure, text after it
            for piece in pictures.split(_inline_text(inline(item), pictures)):
                if isinstance(piece, RawBlock):
                    blocks.append(piece)
                elif piece.strip():
                    blocks.append(RawBlock(piece.strip(), kind, meta))
    return blocks


def _kind_and_meta(heading: int | None, container: str | None) -> tuple[str | None, dict[str, Any]]:
    """The kind and meta of the text blocks in a place."""
    if heading is not None:
        return "heading", {"level": heading}
    if container is not None:
        # a short list item or cell is still body text, never a heading
        where = {"list_item": "list_item", "blockquote": "quote"}.get(container, "table_cell")
        return "paragraph", {where: True}
    return None, no_meta()


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
