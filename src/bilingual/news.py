"""The structure of real news, one pass over a reader's raw blocks before they are classified.

Owns the rules (patterns and positions, for Traditional and Simplified text alike) that tell
apart the parts of a news text the engine must not see or must see on their own:

- a leading date (`2026-02-03`, `2026年2月3日`, `date 2026-02-03`, `發布日期：…`) becomes the
  first segment of a `dateline` block; what follows on its line is a byline (a second segment of
  the same block), or a caption or the first paragraph (a block of its own);
- bylines (`〔記者林菁樺／台北報導〕`, `（中央社記者○○華盛頓27日專電）`,
  `中央社／ 華盛頓27日專電`, `新华社北京2026年3月5日电（记者张伟）`) become `byline` blocks,
  split off the start of a paragraph without losing a character;
- captions and credits (`（外交部提供）`, `(記者羅沛德攝)`, `圖／…`, `图为…`) become
  `caption` blocks;
- boilerplate (`請繼續往下閱讀...`, `延伸閱讀`, `看更多`, `點我訂閱`, `責任編輯：…`,
  `更多新聞`) becomes a `boilerplate` block, and so do the link lines after a bare `延伸閱讀`.

Every split is lossless: the pieces of a block joined give back the block's text. A block a
structured reader already gave a kind other than `paragraph` (a heading style, an `<h1>`) is
left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .document import Figure, RawBlock
from .script import CLOSERS, HAN, SENTENCE_END_MARKS

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# A text that ends in a sentence end (the closing quotes and brackets after it aside).
_ENDS_IN_A_MARK = re.compile(rf"[{re.escape(SENTENCE_END_MARKS)}.][{re.escape(CLOSERS)}]*\s*$")
_DATE_LABEL = (
    r"(?:dateline|date|日期|發布日期|发布日期|發稿時間|发稿时间"
    r"|發布時間|发布时间|更新時間|更新时间)"
)
_DATE = (
    r"(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m1>\d{1,2})\s*[-/.]\s*(?P<d1>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*[日號号]?)"
)
# A time or a weekday after the date belongs to it: 2026-02-03 10:30, 2026年2月3日（星期二）.
_AFTER_DATE = (
    r"(?:\s*(?:[（(]?(?:星期|週|周|礼拜|禮拜)[一二三四五六日天][）)]?"
    r"|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
    r"|[上下]午\s*\d{1,2}[:：時时点點]\d{0,2}分?))*"
)
_LEADING_DATE = re.compile(
    rf"^\s*(?:{_DATE_LABEL}\s*[：:]?\s*)?{_DATE}{_AFTER_DATE}\s*", re.IGNORECASE
)
_ANY_DATE = re.compile(_DATE)
_LEADING_LABEL = re.compile(rf"^\s*{_DATE_LABEL}\s*[：:]?\s*", re.IGNORECASE)

# Bylines. A bracketed one: 〔記者林菁樺、黃靖媗／台北報導〕, （中央社記者○○華盛頓27日專電）.
_BRACKETED = (
    r"[〔（(【\[](?P<inside>[^〔〕（）()【】\[\]\n]{1,40}?"
    r"(?:專電|专电|外電|外电|電|电|報導|报道|報道|综合报道|綜合報導))[〕）)】\]]"
)
_BRACKETED_BYLINE = re.compile(rf"^\s*{_BRACKETED}")
# Words that make a bracketed "…報導" a byline and not an aside such as （詳見報導）.
_BYLINE_WORDS = re.compile(r"記者|记者|特派|社|網|网|中心|新聞|新闻|[／/]")
# An agency's dateline: 新华社北京2026年3月5日电（记者张伟）, 中新社上海3月5日电.
_AGENCY = (
    rf"[{HAN}]{{1,5}}(?:社|网|網|报|報|台)[{HAN}]{{0,10}}?"
    r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})日(?:专电|專電|电|電)"
    r"(?:[（(](?:记者|記者)[^（）()\n]{1,40}[）)])?"
)
_AGENCY_BYLINE = re.compile(rf"^\s*{_AGENCY}")
# A byline on its own line: 中央社／ 華盛頓27日專電, 記者王小明／台北報導, 即時中心／梁博超報導.
_SLASHED = (
    r"[^\s，。,：:／/【】〔〕]{1,12}\s*[／/]\s*[^，。,！？!?\n]{1,30}?"
    r"(?:專電|专电|電|电|報導|报道|報道|綜合報導|综合报道)"
)
_LINE_BYLINE = re.compile(rf"^\s*{_SLASHED}\s*$")
# The same credits anywhere in a line: the first block of a report often carries its credit
# after a flash tag or inside the lead (快訊 中央社／ 華盛頓27日專電).
_CREDIT_ANYWHERE = re.compile(rf"{_BRACKETED}|{_AGENCY}|{_SLASHED}")
# A flash or section tag heads a report (【快訊】, 即時, 獨家): it is never a byline or a title.
_FLASH_WORDS = (
    r"快訊|快讯|即時|即时|獨家|独家|更新|最新|焦點|焦点|突發|突发|要聞|要闻|頭條|头条|速報|速报"
    r"|熱點|热点|專題|专题|重磅|獨家報導|独家报道|即時新聞|即时新闻|最新消息|Breaking|Update"
)
_FLASH_LEAD = re.compile(
    rf"^[\s【〔\[（(《「<＜]*(?:{_FLASH_WORDS})[】〕\]）)》」>＞]*[\s｜|／/:：-]*", re.IGNORECASE
)

# Captions and credits.
_CREDIT = (
    r"[（(][^（）()\n]{0,30}"
    r"(?:提供|攝|摄|翻攝|翻摄|截圖|截图|資料照|资料照|供圖|供图|圖片|图片)[）)]"
)
_CREDIT_ONLY = re.compile(rf"^\s*{_CREDIT}\s*$")
_ENDS_WITH_CREDIT = re.compile(rf"{_CREDIT}\s*$")
_CAPTION_START = re.compile(
    r"^\s*(?:(?:圖|图|照片|圖片|图片|圖說|图说|圖／文|图／文|攝影|摄影|影像|Photo|Image)\s*[／/：:]"
    r"|圖為|图为|[▲△]|（圖|\(圖|（图|\(图)",
    re.IGNORECASE,
)
CAPTION_MAX_CHARS = 150

# Boilerplate: a block that starts with one of these (after a bullet or bracket) and is short.
# Only phrases no article sentence starts with: 關注 or 訂閱 alone could open a real sentence.
_BOILERPLATE_START = re.compile(
    r"^[\s【〔\[《「▶►➤★☆●■◆▼→>＞]*(?:"
    r"請繼續往下閱讀|请继续往下阅读|繼續閱讀|继续阅读|繼續往下看|继续往下看|閱讀全文|阅读全文"
    r"|延伸閱讀|延伸阅读|推薦閱讀|推荐阅读|相關新聞|相关新闻|相關報導|相关报道|相關文章|相关文章"
    r"|更多新聞|更多新闻|看更多|更多精彩|熱門新聞|热门新闻|今日熱門|今日热门|猜你喜歡|猜你喜欢"
    r"|點我|点我|點此|点此|立即訂閱|立即订阅|訂閱.{0,12}(?:頻道|频道|電子報|电子报|YouTube|LINE)"
    r"|加入.{0,12}(?:LINE|粉絲團|粉丝团|官方帳號|官方账号)|下載.{0,10}(?:APP|App|app)"
    r"|責任編輯|责任编辑|編輯[：:]|编辑[：:]|校對[：:]|校对[：:]|審核[：:]|审核[：:]"
    r"|版權所有|版权所有|未經授權.{0,10}(?:轉載|重製|使用)|未经授权.{0,10}(?:转载|使用)"
    r"|本文轉載|本文转载|(?:廣告|广告|Advertisement)\s*$"
    r"|continue reading|read more|related (?:news|articles|stories)|more news|subscribe"
    r")",
    re.IGNORECASE,
)
# A marker that heads a list of links (延伸閱讀 alone, or with a colon and nothing after it).
_LINK_LIST_MARKER = re.compile(
    r"^[\s【〔\[《「▶►➤★☆●■◆▼]*(?:延伸閱讀|延伸阅读|推薦閱讀|推荐阅读|相關新聞|相关新闻|相關報導|相关报道"
    r"|相關文章|相关文章|更多新聞|更多新闻|看更多|熱門新聞|热门新闻|今日熱門|今日热门|猜你喜歡|猜你喜欢"
    r"|related|more news|read more)[】〕\]》」\s]*[：:]?\s*$",
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 100
# How long a short line is: a headline, a link title, a byline.
SHORT_LINE_CHARS = 60

# A source note names where the text came from: 原文出處：快新聞／標題, 資料來源：…, Source: …
SOURCE_NOTE = re.compile(
    r"^\s*(?:原文出處|原文出处|資料來源|资料来源|新聞來源|新闻来源|來源|来源|出處|出处|原文|Source)\s*[：:]"
)
_SOURCE_SEPARATORS = ("／", "/", "｜", "|")


@dataclass(slots=True)
class NewsBlock:
    """A block after the news pass: its text, a kind when a rule decided one (None: classify it),
    the pieces its segments must be (None: split into sentences) and what it tells the document
    (date, byline)."""

    text: str
    kind: str | None = None
    pieces: list[str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)
    figure: Figure | None = None  # a picture, passed through as its reader found it
    image: bytes | None = None


def date_in_english(iso: str) -> str:
    """`2026-02-03` -> `February 3, 2026`: the English of a dateline's date."""
    year, month, day = (int(p) for p in iso.split("-"))
    return f"{MONTHS[month - 1]} {day}, {year}"


def leading_date(text: str) -> tuple[str, int] | None:
    """The ISO date a text starts with and where its date part ends (time and space included)."""
    m = _LEADING_DATE.match(text)
    iso = _iso_date(m) if m else None
    return (iso, m.end()) if m and iso else None


def find_date(text: str) -> tuple[str, re.Match[str]] | None:
    """The first date anywhere in `text`, as ISO, and where it stands."""
    for m in _ANY_DATE.finditer(text):
        iso = _iso_date(m)
        if iso:
            return iso, m
    return None


def without_date_label(text: str) -> str:
    """`text` without the label it starts with (`date`, `發布日期：`), if any."""
    return _LEADING_LABEL.sub("", text)


def _iso_date(m: re.Match[str]) -> str | None:
    month, day = int(m["m1"] or m["m2"]), int(m["d1"] or m["d2"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{int(m['y']):04d}-{month:02d}-{day:02d}"


def ends_in_a_mark(text: str) -> bool:
    """Whether `text` ends in a sentence end (the closing quotes and brackets after it aside)."""
    return bool(_ENDS_IN_A_MARK.search(text))


def _ends_sentence(text: str) -> bool:
    return ends_in_a_mark(text) or "。" in text


def is_short_line(text: str) -> bool:
    """A line short and unpunctuated enough to be a headline, a link title or a byline."""
    stripped = text.strip()
    return (
        bool(stripped)
        and "\n" not in stripped
        and len(stripped) <= SHORT_LINE_CHARS
        and not (_ends_sentence(stripped))
    )


def is_boilerplate(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) <= BOILERPLATE_MAX_CHARS and bool(_BOILERPLATE_START.match(stripped))


def is_caption(text: str) -> bool:
    stripped = text.strip()
    if _CREDIT_ONLY.match(stripped):
        return True
    if len(stripped) > CAPTION_MAX_CHARS:
        return False
    return bool(_CAPTION_START.match(stripped) or _ENDS_WITH_CREDIT.search(stripped))


def leading_byline(text: str) -> re.Match[str] | None:
    """The byline a text starts with (bracketed, or an agency's), if any."""
    m = _BRACKETED_BYLINE.match(text)
    if m and (m["inside"].endswith(("專電", "专电")) or _BYLINE_WORDS.search(m["inside"][:-2])):
        return m
    return _AGENCY_BYLINE.match(text)


def is_line_byline(text: str) -> bool:
    return len(text.strip()) <= 40 and bool(_LINE_BYLINE.match(text))


def is_flash_tag(text: str) -> bool:
    """A flash or section tag (快訊, 【即時】, 獨家｜): a label, never a byline or a title."""
    m = _FLASH_LEAD.match(text)
    return m is not None and m.end() == len(text)


def _flash_end(text: str) -> int:
    """Where a leading flash tag (and the separator after it) ends; 0 without one."""
    m = _FLASH_LEAD.match(text)
    return m.end() if m else 0


def agency_credit(text: str) -> str | None:
    """The first agency or reporter credit anywhere in `text` (中央社／ 華盛頓27日專電,
    （中央社記者…專電）, 新华社…电), if it has one."""
    for m in _CREDIT_ANYWHERE.finditer(text):
        inside = m["inside"]
        if inside is None or inside.endswith(("專電", "专电")) or _BYLINE_WORDS.search(inside[:-2]):
            return m.group().strip()
    return None


def _agency_date(byline: str) -> str | None:
    m = _AGENCY_BYLINE.match(byline)
    if not m or not m["y"]:
        return None
    month, day = int(m["m"]), int(m["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{int(m['y']):04d}-{month:02d}-{day:02d}"


def _byline_block(text: str) -> NewsBlock:
    block = NewsBlock(text, "byline", [text], found={"byline": text.strip()})
    date = _agency_date(text)
    if date:
        block.found["date"] = date
    return block


def structure(blocks: Iterable[RawBlock]) -> Iterator[NewsBlock]:
    """Apply the rules to a reader's blocks, in order, one at a time (see the module's
    docstring): what a rule needs of the blocks before is kept in a few flags."""
    dateline_seen = False
    body_seen = False  # a paragraph-like block has been read: no dateline after it
    in_link_list = False
    byline_seen = False
    for raw in blocks:
        text = raw.text
        if raw.kind not in (None, "paragraph"):
            # a structured reader's kind stands; a picture is no text for any rule
            yield NewsBlock(text, raw.kind, meta=dict(raw.meta), figure=raw.figure, image=raw.image)
            in_link_list = False
            continue
        if not dateline_seen and not body_seen:
            date = leading_date(text)
            if date is not None and len(text.strip()) <= 400:
                dateline_seen = True
                pieces = _dateline(text, *date)
                byline_seen = any("byline" in p.found for p in pieces)
                yield from pieces
                body_seen = body_seen or len(pieces[-1].text.strip()) > SHORT_LINE_CHARS
                continue
        if in_link_list and is_short_line(text) and not SOURCE_NOTE.match(text):
            yield NewsBlock(text, "boilerplate", [text])
            continue
        in_link_list = False
        pieces = _rest(text, raw.kind)
        if not body_seen and not byline_seen:
            # before the body, a credit anywhere in a block (after a flash tag, inside the
            # lead) is the report's byline
            credit = agency_credit(text)
            if credit and not any("byline" in p.found for p in pieces):
                pieces[0].found["byline"] = credit
        byline_seen = byline_seen or any("byline" in p.found for p in pieces)
        yield from pieces
        if any(p.kind is None and len(p.text.strip()) > SHORT_LINE_CHARS for p in pieces):
            body_seen = True
        if _LINK_LIST_MARKER.match(text):
            in_link_list = True


def _dateline(text: str, date: str, end: int) -> list[NewsBlock]:
    """A block that starts with a date: the date, then a byline on the same line, or the caption
    or paragraph that follows as a block of its own."""
    head, rest = text[:end], text[end:]
    found = {"date": date}
    if not rest.strip():
        return [NewsBlock(text, "dateline", [text], found=found)]
    byline = leading_byline(rest)
    whole = byline is None or not rest[byline.end() :].strip()
    if whole and is_short_line(rest) and not is_caption(rest):
        credit = agency_credit(rest) or rest[_flash_end(rest) :].strip()
        if credit:
            found["byline"] = credit
        return [NewsBlock(text, "dateline", [head, rest], found=found)]
    return [NewsBlock(head, "dateline", [head], found=found), *_rest(rest)]


def _credit_line(text: str) -> NewsBlock | None:
    """A line of a credit and its time, as a page shows them beside the headline
    (中央社／ 華盛頓27日專電 2026-02-27 10:30): a byline block, the credit in `meta.byline`."""
    credit = agency_credit(text)
    if credit is None or len(text.strip()) > SHORT_LINE_CHARS or _ends_sentence(text):
        return None
    rest = text.replace(credit, " ", 1).strip(" \t|｜,，")
    date = leading_date(rest) if rest else None
    if rest and not is_flash_tag(rest) and (date is None or rest[date[1] :].strip()):
        return None
    block = NewsBlock(text, "byline", [text], found={"byline": credit})
    if date is not None:
        block.found["date"] = date[0]
    return block


def _rest(text: str, hint: str | None = None) -> list[NewsBlock]:
    """One block that is not a dateline: boilerplate, a caption, a byline (whole, or split off the
    start of a paragraph), or left with its reader's hint (None: for the classifier)."""
    if is_boilerplate(text):
        return [NewsBlock(text, "boilerplate", [text])]
    if is_flash_tag(text):
        return [NewsBlock(text, "heading", [text], found={"flash": text.strip()})]
    flash = _flash_end(text)
    if flash and (leading_byline(text[flash:]) or is_line_byline(text[flash:])):
        # 【快訊】中央社／ 華盛頓27日專電: the tag is a label of its own, the credit a byline
        return [*_rest(text[:flash], hint), *_rest(text[flash:], hint)]
    m = leading_byline(text)
    if m:
        rest = text[m.end() :]
        if not rest.strip():
            return [_byline_block(text)]
        # the space between the byline and the paragraph stays with the byline
        cut = m.end() + len(rest) - len(rest.lstrip())
        return [_byline_block(text[:cut]), *_rest(text[cut:], hint)]
    if is_line_byline(text):
        return [_byline_block(text)]
    credit = _credit_line(text)
    if credit is not None:
        return [credit]
    date = leading_date(text)
    if date is not None and not text[date[1] :].strip():
        return [NewsBlock(text, "dateline", [text], found={"date": date[0]})]
    if is_caption(text):
        return [NewsBlock(text, "caption")]
    return [NewsBlock(text, hint)]


def source_note_pieces(text: str) -> list[str]:
    """A source note as segments: `原文出處：快新聞／` and its headline, when it has one."""
    m = SOURCE_NOTE.match(text)
    parts = _source_note_parts(text, m.end()) if m else None
    if parts is None:
        return [text]
    cut = parts[1]
    headline = text[cut:]
    cut += len(headline) - len(headline.lstrip())  # spaces stay with the label
    return [text[:cut], text[cut:]]


def source_note_meta(text: str) -> dict[str, str]:
    """The outlet and headline of a source note such as `原文出處：快新聞／標題`."""
    stripped = text.strip()
    m = SOURCE_NOTE.match(stripped)
    start = m.end() if m else 0  # a reader's source note may come without its label
    meta = {"source_note": stripped}
    parts = _source_note_parts(stripped, start)
    if parts is not None:
        at, cut = parts
        meta["source_outlet"] = stripped[start:at].strip()
        meta["source_headline"] = stripped[cut:].strip()
    return meta


def _source_note_parts(text: str, start: int) -> tuple[int, int] | None:
    """Where the outlet named after `start` ends and its headline starts (past the separator),
    when the note names a headline."""
    body = text[start:]
    for sep in _SOURCE_SEPARATORS:
        at = body.find(sep)
        if at != -1:
            cut = start + at + len(sep)
            return (start + at, cut) if text[cut:].strip() else None
    return None
