"""HTML reader: a saved news page's article (trafilatura), or a fragment's own structure (lxml).

A full page goes through trafilatura, which leaves out navigation, ads, related links and
comments and finds the title, date, author and site name. trafilatura drops bylines and
captions from the text, so when the page's `<article>`/`<main>` has any that the extraction
lost (or it found nothing), the article is read by its own structure instead, with the page's
furniture pruned. A fragment or a simple page is always read by its structure.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..document import RawBlock, RawText
from ..errors import InputError
from ..script import CJK
from . import first_heading_is_title
from .images import MIN_SIDE, POINTS_PER_PIXEL, Pictures, is_decorative

_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])[ \t\r\f]*\n\s*(?=[{CJK}])")
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")

# Never text: code, styling, embedded objects, forms.
_NEVER_TEXT = {
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "form", "button", "select", "input", "textarea", "head", "title", "meta", "link",
}  # fmt: skip
# The furniture of a page around its article.
_FURNITURE_TAGS = {"nav", "aside", "footer", "dialog"}
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:ads?|advert\w*|adsense|banner|sponsor\w*|promo\w*|related|recommend\w*|"
    r"comments?|share|sharing|social|newsletter|subscribe|breadcrumbs?|sidebar|nav|navbar|"
    r"navigation|menu|popup|modal|cookies?|tags|more-news|read-more)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"byline|author|reporter|writer", re.IGNORECASE)
# Class names that say an element is a picture's caption: caption, photo-caption, img-desc,
# pic-text, figure_note, wp-caption-text.
_CAPTION = re.compile(
    r"caption|(?:^|[\s_-])(?:img|image|photo|pic|picture|figure|fig)[_-]?"
    r"(?:desc\w*|text|txt|note|info|title|intro)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements that are one block each when they hold no other block.
_LEAVES = {*_HEADINGS, "p", "li", "figcaption", "td", "th", "pre", "dt", "dd", "caption",
           "blockquote", "address"}  # fmt: skip
# Where a short text sits when it is no heading: a list item, a quote, a table cell.
_PLACES = {"li": "list_item", "dt": "list_item", "dd": "list_item", "blockquote": "quote",
           "td": "table_cell", "th": "table_cell"}  # fmt: skip
_BLOCKS = {*_LEAVES, "div", "section", "article", "main", "header", "figure", "ul", "ol",
           "dl", "table", "thead", "tbody", "tfoot", "tr", "body", "center", "hgroup",
           "details"}  # fmt: skip


_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)
_XML_DECLARATION = re.compile(r"\A\ufeff?\s*<\?xml[^>]*\?>")
_MAX_DEPTH = 2048  # libxml2's limit with huge_tree


class HtmlReader:
    name = "html"

    def parse(self, data: bytes, name: str) -> RawText:
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        text, encoding = _decode(data, name)
        if "\x00" in text or len(_CONTROL.findall(text)) > max(8, len(text) // 100):
            raise InputError(f"{name}: a binary file, not HTML")
        import lxml.html

        # An XHTML page's internal DTD subset is no text (lxml.html would keep its `]>`), and
        # its XML declaration names an encoding the text is no longer in (lxml refuses it).
        text = _INTERNAL_SUBSET.sub("", _XML_DECLARATION.sub("", text, count=1), count=1)
        text = _trim_long_tags(text)
        # Real pages nest deeper than libxml2's default 256 levels and hold text nodes over
        # 10 MB; `huge_tree` lifts both (to 2,048 levels and 1 GB).
        parser = lxml.html.HTMLParser(huge_tree=True)
        try:
            root = lxml.html.document_fromstring(text, parser=parser)
        except Exception:  # lxml's parser errors: nothing a user can act on beyond this
            raise InputError(f"{name}: not readable HTML") from None
        if any("Excessive depth" in e.message for e in parser.error_log):
            from . import warn

            warn(
                f"{name}: elements nested more than {_MAX_DEPTH} deep are not read; "
                "the text inside them is missing"
            )
        meta: dict[str, Any] = {"input": Path(name).name, "encoding": encoding}
        pictures = Pictures(name)
        article = _article(root)
        around = _by_density(root) if article is None else None
        if around is not None:
            # a page built of <div>s alone: the article is where the sentences are
            _extract(root, meta, pictures)
            blocks = _Structure(pictures, prune=True, lengths=around.lengths).read_all(
                around.elements
            )
        elif article is None and not _is_page(root):
            body = root.find("body") if root.find("body") is not None else root
            blocks = _Structure(pictures).read(body)
        else:
            blocks = self._page(text, root, article, meta, pictures)
        blocks = first_heading_is_title(blocks)
        if all(b.kind == "figure" for b in blocks):
            raise InputError(f"{name}: the page has no text")
        pictures.say_remote()
        byline = next((b.text for b in blocks if b.kind == "byline"), None)
        if byline and not meta.get("byline"):
            meta["byline"] = byline
        return RawText(blocks=blocks, meta=meta)

    def _page(
        self, text: str, root: Any, article: Any, meta: dict[str, Any], pictures: Pictures
    ) -> list[RawBlock]:
        extracted = _extract(root, meta, pictures)
        container = article if article is not None else root.find("body")
        if container is None:
            return extracted
        structure = _Structure(pictures, prune=True).read(container)
        kept = _SPACES.sub("", "".join(b.text for b in extracted))
        lost = [
            b
            for b in structure
            if b.kind in ("caption", "byline") and _SPACES.sub("", b.text) not in kept
        ]
        # trafilatura keeps a picture only when its src looks like an image file (no data: URL)
        figures = {b.figure.sha256 for b in extracted if b.figure is not None}
        lost += [b for b in structure if b.figure is not None and b.figure.sha256 not in figures]
        if extracted and not lost:
            return extracted
        return structure or extracted


# libxml2 checks each attribute of a tag against the ones before it: a tag with 200,000 of
# them took minutes. A tag this long is trimmed to its first attributes (none of the ones read
# here, class, id, role..., comes that late in a real page; attributes hold no text we read).
_LONG_TAG = re.compile(r"<[A-Za-z][^\s<>/]*(?=[^<>]{20000})")
_ATTRIBUTE = re.compile(r"""\s*[^\s=<>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"']*))?|\s*/""")
_MAX_ATTRIBUTES = 256


def _trim_long_tags(text: str) -> str:
    if not _LONG_TAG.search(text):
        return text
    pieces: list[str] = []
    done = 0
    for found in _LONG_TAG.finditer(text):
        if found.start() < done:
            continue
        pieces.append(text[done : found.end()])
        position, kept = found.end(), 0
        while (attribute := _ATTRIBUTE.match(text, position)) and attribute.end() > position:
            if kept < _MAX_ATTRIBUTES:
                pieces.append(attribute.group())
                kept += 1
            position = attribute.end()
        done = position
    pieces.append(text[done:])
    return "".join(pieces)


def _extract(root: Any, meta: dict[str, Any], pictures: Pictures) -> list[RawBlock]:
    """trafilatura's article as blocks; its title, date, author and site name go into `meta`."""
    import copy

    import trafilatura

    found = trafilatura.bare_extraction(
        copy.deepcopy(root),  # parsed with our limits; trafilatura changes the tree it reads
        favor_precision=True,  # without it a small page comes back as one run-on paragraph
        include_comments=False,
        include_tables=True,
        include_images=True,
        with_metadata=True,
    )
    if found is None:
        return []
    for key, attribute in (("title", "title"), ("date", "date"), ("author", "author"),
                           ("site", "sitename")):  # fmt: skip
        value = getattr(found, attribute, None)
        if value:
            meta[key] = str(value)
    body = getattr(found, "body", None)
    return _from_extraction(body, pictures) if body is not None else []


@dataclass
class _Found:
    """Where the article of a page without semantic tags is: `elements`, read in order."""

    elements: list[Any]
    lengths: dict[Any, tuple[int, int]]


# A text holder whose text has a sentence end is article text; menus and headline lists have none.
_SENTENCE = re.compile(r"[。！？!?；]|\.(?:\s|$)")
_TITLE_CLASS = re.compile(r"(?:^|[\s_-])(?:title|headline|hl)(?:$|[\s_-])", re.IGNORECASE)
# Below this much sentence text a page has no article to find; read it by its structure.
_MIN_ARTICLE_CHARS = 40


def _text_lengths(root: Any) -> dict[Any, tuple[int, int]]:
    """For each element, the length of its text and of the part of it inside links; one pass,
    children before parents."""
    lengths: dict[Any, tuple[int, int]] = {}
    for element in reversed(list(root.iter())):
        if not isinstance(element.tag, str) or element.tag in _NEVER_TEXT:
            lengths[element] = (0, 0)
            continue
        text = len((element.text or "").strip())
        links = 0
        for child in element:
            child_text, child_links = lengths.get(child, (0, 0))
            text += child_text + len((child.tail or "").strip())
            links += child_links
        lengths[element] = (text, text if element.tag == "a" else links)
    return lengths


def _by_density(root: Any) -> _Found | None:
    """The article of a page built of <div>s alone (no <article>/<main>), found by text density:
    each text holder whose text has sentences gives its length to its parent, and half to its
    grandparent; the container with the most is the article. The page's headline (the last
    `<h1>`, else `<h2>` or title-classed element before the article) and what stands between
    it and the article (the byline and time) are read with it; the menu before the headline and
    the sidebar and footer after the article are not. None for a fragment (its sentences sit in
    <body> itself) or a page without sentence text."""
    body = root.find("body")
    if body is None:
        return None
    lengths = _text_lengths(body)
    scores: dict[Any, float] = {}
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in _NEVER_TEXT or element is body:
            continue
        if element.tag != "p" and any(isinstance(c.tag, str) and c.tag in _BLOCKS for c in element):
            continue
        text, links = lengths[element]
        if text == 0 or links > 0.3 * text or not _SENTENCE.search(element.text_content()):
            continue
        parent = element.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + text
            grandparent = parent.getparent()
            if grandparent is not None:
                scores[grandparent] = scores.get(grandparent, 0) + text / 2
    if not scores:
        return None
    best = max(scores, key=lambda e: scores[e])
    if best is body or scores[best] < _MIN_ARTICLE_CHARS:
        return None
    order = {element: i for i, element in enumerate(body.iter())}
    headline = None
    for pick in (
        lambda e: e.tag == "h1",
        lambda e: e.tag == "h2",
        lambda e: _TITLE_CLASS.search(f"{e.get('class', '')} {e.get('id', '')}") is not None,
    ):
        before = [
            e for e in body.iter()
            if isinstance(e.tag, str) and order[e] < order[best] and pick(e)
            and 0 < lengths[e][0] <= 200
            and best not in set(e.iterancestors())
        ]  # fmt: skip
        if before:
            headline = before[-1]
            break
    if headline is None:
        return _Found([best], lengths)
    ancestors = [best, *best.iterancestors()]
    common = next(a for a in headline.iterancestors() if a in set(ancestors))
    children = list(common)

    def branch(element: Any) -> int:
        while element.getparent() is not common:
            element = element.getparent()
        return children.index(element)

    return _Found(children[branch(headline) : branch(best) + 1], lengths)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """The page's text and encoding: a BOM, else the declared charset, else detected."""
    from .text import decode

    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name)
    m = _DECLARED.search(data[:4096])
    if m:
        declared = (m.group(1) or m.group(2)).decode("ascii").lower()
        try:
            codecs.lookup(declared)
            # a page declaring GB2312 uses GBK/GB18030 characters in practice
            declared = "gb18030" if declared in ("gb2312", "gbk") else declared
            return data.decode(declared), declared
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    try:
        return decode(data, name)
    except InputError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"{name}: a binary file, not HTML") from None
        return str(best), best.encoding


def _article(root: Any) -> Any:
    for tag in ("article", "main"):
        found = root.find(f".//{tag}")
        if found is not None:
            return found
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("role") == "main":
            return element
    return None


def _is_page(root: Any) -> bool:
    """A page with furniture (navigation, header, footer, sidebars) rather than a fragment."""
    return any(root.find(f".//{tag}") is not None for tag in ("nav", "header", "footer", "aside"))


def _from_extraction(body: Any, pictures: Pictures) -> list[RawBlock]:
    """Blocks from trafilatura's XML (head, p, list/item, quote, table/row/cell, graphic)."""
    blocks: list[RawBlock] = []
    for element in body.iter("head", "p", "item", "quote", "cell", "code", "graphic"):
        if element.tag == "graphic":
            figure = _picture(element, pictures)
            if figure is not None:
                blocks.append(figure)
            continue
        if (
            element.tag in ("p", "head")
            and element.getparent() is not None
            and (element.getparent().tag in ("item", "quote", "cell"))
        ):
            continue  # read with its container
        text = _clean("".join(element.itertext()))
        if not text:
            continue
        if element.tag == "head":
            level = int((element.get("rend") or "h2").lstrip("h") or 2)
            blocks.append(RawBlock(text, "heading", {"level": level}))
        elif element.tag == "code":
            blocks.append(RawBlock("".join(element.itertext()).strip("\n"), "code"))
        elif element.tag == "p":
            blocks.append(RawBlock(text))
        else:
            where = {"item": "list_item", "quote": "quote", "cell": "table_cell"}[element.tag]
            blocks.append(RawBlock(text, "paragraph", {where: True}))
    return blocks


def _picture(img: Any, pictures: Pictures) -> RawBlock | None:
    """The figure of an `<img>` (or trafilatura's `<graphic>`), or None: a logo, an icon or a
    tracking pixel by its names or its declared size, or a picture that cannot be had (on the
    network, missing, bad: `Pictures.find`)."""
    names = [img.get("class", ""), img.get("id", ""), img.get("alt", "")]
    src = img.get("src", "")
    if not src.lower().startswith("data:"):
        names.append(src.rsplit("/", 1)[-1])
    if is_decorative(*names):
        return None
    width, height = _pixels(img.get("width")), _pixels(img.get("height"))
    if any(side is not None and side < MIN_SIDE for side in (width, height)):
        return None
    display = (
        None if width is None else width * POINTS_PER_PIXEL,
        None if height is None else height * POINTS_PER_PIXEL,
    )
    # a lazy-loading page keeps the real picture in data-src and a placeholder in src
    for attribute in ("src", "data-src", "data-original", "data-lazy-src"):
        value = img.get(attribute)
        if value and (found := pictures.find(value, img.get("alt", ""), display)) is not None:
            return found
    return None


def _pixels(value: str | None) -> float | None:
    m = re.match(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*$", value or "")
    return float(m.group(1)) if m else None


def _clean(text: str) -> str:
    # white space is one space, and none at all where a source line break fell between CJK
    return _SPACES.sub(" ", _BREAK_BETWEEN_CJK.sub("", text)).strip()


@contextmanager
def _deep_pages() -> Iterator[None]:
    """Room for the walk: two frames a level, and a page nested to libxml2's limit needs more
    than Python's default."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3 * _MAX_DEPTH + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


class _Structure:
    """Blocks from the page's own elements, in document order."""

    def __init__(
        self,
        pictures: Pictures,
        prune: bool = False,
        lengths: dict[Any, tuple[int, int]] | None = None,
    ) -> None:
        self.pictures = pictures
        self.prune = prune
        # with the page's text lengths, a container that is mostly links (a menu, a list of
        # other headlines) is left out too
        self.lengths = lengths
        self.blocks: list[RawBlock] = []

    def read(self, element: Any) -> list[RawBlock]:
        with _deep_pages():
            self._container(element, None)
        return self.blocks

    def read_all(self, elements: list[Any]) -> list[RawBlock]:
        """The blocks of sibling `elements`, in order, each left out when it is furniture."""
        with _deep_pages():
            for element in elements:
                if self._skip(element):
                    continue
                if element.tag in _BLOCKS:
                    self._block(element, None)
                else:
                    self._emit(self._inline(element), None, None, element)
        return self.blocks

    def _skip(self, element: Any) -> bool:
        tag = element.tag
        if not isinstance(tag, str) or tag in _NEVER_TEXT or element.get("hidden") is not None:
            return True
        if not self.prune:
            return False
        if tag in _FURNITURE_TAGS or element.get("role") in ("navigation", "complementary"):
            return True
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if self.lengths is not None and tag in _BLOCKS and element in self.lengths:
            text, links = self.lengths[element]
            if text and links > 0.5 * text:
                return True
        return bool(_FURNITURE.search(names)) and not _BYLINE.search(names)

    def _container(self, element: Any, where: str | None) -> None:
        pending: list[str] = [element.text or ""]
        for child in element:
            if not self._skip(child):
                if isinstance(child.tag, str) and child.tag in _BLOCKS:
                    self._emit("".join(pending), None, where)
                    pending = []
                    self._block(child, where)
                else:
                    pending.append(self._inline(child))
            pending.append(child.tail or "")
        self._emit("".join(pending), None, where)

    def _block(self, element: Any, where: str | None) -> None:
        tag = element.tag
        holds_blocks = any(
            isinstance(c.tag, str) and c.tag in _BLOCKS and not self._skip(c)
            for c in element.iterdescendants()
        )
        if tag == "pre":
            code = self.pictures.unmarked(self._inline(element)).strip("\n")
            if code.strip():
                self.blocks.append(RawBlock(code, "code"))
        elif tag not in _HEADINGS and _CAPTION.search(element.get("class", "")):
            # <div class="photo-caption"><p>…</p></div>: the caption is the whole of it
            self._emit(self._inline(element), "caption", where)
        elif tag in _LEAVES and not holds_blocks:
            self._emit(self._inline(element), tag, where, element)
        else:
            self._container(element, _PLACES.get(tag, where))

    def _inline(self, element: Any) -> str:
        parts: list[str] = []

        def walk(el: Any) -> None:
            if el.tag == "br":
                parts.append("\n")
            elif el.tag == "img":
                if not self._skip(el) and (figure := _picture(el, self.pictures)) is not None:
                    parts.append(self.pictures.mark(figure))  # cut the block here
            elif not self._skip(el):
                parts.append(el.text or "")
                for child in el:
                    walk(child)
                    parts.append(child.tail or "")
            return None

        walk(element)
        return "".join(parts)

    def _emit(self, raw: str, tag: str | None, where: str | None, element: Any = None) -> None:
        """The block of the text `raw`, cut around the pictures marked in it."""
        for piece in self.pictures.split(raw):
            if isinstance(piece, RawBlock):
                self.blocks.append(piece)
            else:
                self._emit_text(piece, tag, where, element)

    def _emit_text(self, raw: str, tag: str | None, where: str | None, element: Any) -> None:
        text = _clean(raw)
        if not text:
            return
        names = ""
        if element is not None:
            names = " ".join(element.get(a, "") for a in ("class", "id", "itemprop", "rel"))
        if tag in _HEADINGS:
            self.blocks.append(RawBlock(text, "heading", {"level": _HEADINGS[tag]}))
        elif tag in ("figcaption", "caption") or _CAPTION.search(names):
            self.blocks.append(RawBlock(text, "caption"))
        elif tag == "address" or _BYLINE.search(names):
            self.blocks.append(RawBlock(text, "byline"))
        elif where:
            self.blocks.append(RawBlock(text, "paragraph", {where: True}))
        elif tag in _PLACES:
            self.blocks.append(RawBlock(text, "paragraph", {_PLACES[tag]: True}))
        else:
            self.blocks.append(RawBlock(text))
