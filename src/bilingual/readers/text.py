"""Plain-text reader: detects the encoding and finds the blocks: blank lines separate them; in a
text without blank lines (pasted) each line is one; hard-wrapped lines are joined again."""

from __future__ import annotations

import codecs
import itertools
import re
from pathlib import Path
from typing import Any

from ..document import RawBlock, RawText
from ..errors import InputError
from ..news import SHORT_LINE_CHARS
from ..script import CJK, CLOSERS, SENTENCE_END_MARKS, WIDE

# A blank line may hold spaces, ideographic spaces, NBSP, form feeds or vertical tabs.
_BLANK_LINES = re.compile(r"\n[ \t\u3000\u00a0\f\v]*\n\s*")
_CJK = re.compile(f"[{CJK}]")
_WIDE = re.compile(f"[{WIDE}]")
# A line ending in one of these ends its sentence, so it is never a wrap.
_FINAL = SENTENCE_END_MARKS + ".…；;" + CLOSERS
_GOING_ON = "，、,"  # a line ending in one of these is inside its sentence
_INDENT = "\u3000"  # full-width indentation (　　) starts a paragraph
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")
_LATIN_TAIL = re.compile(r"[A-Za-z0-9]+$")
_LATIN_HEAD = re.compile(r"[A-Za-z0-9]+")
# Characters that never occur in text a person wrote (C0 controls but tab, newline, CR, FF).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, origin: str) -> tuple[str, str]:
    """Decode `data`, returning the text and the name of the encoding it was in."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(
                    f"{origin}: starts with a {encoding} BOM but is not {encoding} text: "
                    f"{_first_bad_byte(data, _bom_error_offset(data, bom))}"
                ) from None
    if b"\x00" in data:
        raise InputError(
            f"{origin}: a binary file, not text (a NUL byte at offset {data.index(0)})"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        not_utf8_at = e.start
    # Legacy Chinese encodings: keep the ones that decode strictly, then let charset-normalizer
    # judge which reads as real text (Big5 bytes often decode as GB18030 mojibake).
    candidates = []
    for encoding in ("big5", "gb18030"):
        try:
            data.decode(encoding)
            candidates.append(encoding)
        except UnicodeDecodeError:
            continue
    if len(candidates) == 1:
        return data.decode(candidates[0]), candidates[0]
    if candidates:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=candidates).best()
        encoding = best.encoding.replace("_", "") if best else candidates[0]
        encoding = "big5" if encoding.startswith("big5") else "gb18030"
        return data.decode(encoding), encoding
    raise InputError(
        f"{origin}: not text in UTF-8, UTF-16, Big5 or GB18030: "
        f"{_first_bad_byte(data, not_utf8_at)}"
    )


def _first_bad_byte(data: bytes, offset: int) -> str:
    # The offset in the file, so that a person can find the damage with a hex viewer (`xxd -s N`).
    # Counted as UTF-8 (or the BOM's encoding): the legacy encodings fail elsewhere, if at all.
    return f"first undecodable byte at offset {offset} (0x{data[offset]:02x})"


def _bom_error_offset(data: bytes, bom: bytes) -> int:
    """Where the text after `bom` stops decoding, counted from the start of the file (the
    "utf-8-sig" codec counts from after its BOM, "utf-16" from the start: decode the same way)."""
    codec = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le"}.get(bom, "utf-16-be")
    try:
        data[len(bom) :].decode(codec)
    except UnicodeDecodeError as e:
        return len(bom) + e.start
    return len(bom)  # not reached: the whole file failed, so its text does


def split_blocks(text: str) -> list[str]:
    """The blocks of `text`, without their surrounding white space (see `layout`)."""
    return layout(text)[0]


def layout(text: str, known_words: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """The blocks of `text` and the normalisations applied to find them.

    Blank lines separate blocks. A text without any (one paragraph per line, as pasted from a
    CMS or WeChat) has a block per line: `line-per-paragraph`. A line is a wrap, joined to the
    next (`rewrapped`), when it ends without a final mark or closer and is about as long as the
    text's usual full line; Chinese lines join without a space, and so do the two halves of a
    Latin word cut by a fixed-width wrap when the text has the whole word elsewhere, or
    `known_words` (the glossary's) has it (EP|PD).
    A shorter line without a final mark continues its paragraph too, unless the next line
    starts like a new one (an indent, a date, a byline) or it is a block's first line (a
    headline, a dateline). Other line breaks inside a blank-line block stay as they are.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [c for c in _BLANK_LINES.split(text) if c.strip()]
    lines_of = [[line for line in c.split("\n") if line.strip()] for c in chunks]
    all_lines = [line for lines in lines_of for line in lines]
    usual = _usual_width(all_lines)
    # A text wrapped at a fixed width has many lines of exactly its width (a browser's or a
    # word processor's soft wrap has not): there a line end can cut a word in two.
    fixed = usual >= 20 and sum(abs(_width(line) - usual) <= 1 for line in all_lines) >= 3
    # the Latin words the text has, to tell a word cut by the wrap (EP|PD) from two words
    words = set(_LATIN_WORD.findall(text)) | known_words if fixed else set()
    per_line = len(chunks) == 1 and len(lines_of[0]) > 1
    applied: list[str] = []
    blocks: list[str] = []
    for lines in lines_of:
        # A block's pieces, joined once at its end: joining line by line copied the block so
        # far for every line (a paragraph of 40,000 wrapped lines took 25 s).
        pieces = [lines[0]]
        for index, (before, line) in enumerate(itertools.pairwise(lines)):
            if _is_wrap(before, line, usual):
                _join(pieces, line, words)
                applied.append("rewrapped")
            elif per_line or _starts_paragraph(line) or (index == 0 and _stands_alone(before)):
                blocks.append("".join(pieces))
                pieces = [line]
                if per_line:
                    applied.append("line-per-paragraph")
            elif not before.rstrip().endswith(tuple(_FINAL)):
                _join(pieces, line)  # a short line inside a sentence: no break
                applied.append("rewrapped")
            else:
                pieces.append("\n" + line)
        blocks.append("".join(pieces))
    return [b.strip() for b in blocks if b.strip()], list(dict.fromkeys(applied))


def _width(line: str) -> int:
    """Columns a line takes: two for a wide (CJK) character, one for any other."""
    stripped = line.strip()
    return len(stripped) + len(_WIDE.findall(stripped))


def _usual_width(lines: list[str]) -> int:
    """The width of the text's full lines: the median of the longer half of its lines."""
    widths = sorted(_width(line) for line in lines)
    longer = widths[len(widths) // 2 :]
    return longer[len(longer) // 2] if longer else 0


def _is_wrap(line: str, after: str, usual: int) -> bool:
    stripped = line.rstrip()
    return (
        usual >= 20  # a text of short lines has no wraps
        and not stripped.endswith(tuple(_FINAL))
        and _width(stripped) >= 0.85 * usual
        and not after.lstrip(" \t").startswith(_INDENT)
    )


def _starts_paragraph(line: str) -> bool:
    """A line that starts like a new paragraph: indented, or a dateline or a byline."""
    from ..news import is_line_byline, leading_byline, leading_date

    return (
        line.lstrip(" \t").startswith(_INDENT)
        or line.startswith(("  ", "\t"))
        or leading_date(line) is not None
        or leading_byline(line) is not None
        or is_line_byline(line)
    )


def _stands_alone(line: str) -> bool:
    """A short line without a final mark (a headline, a dateline) is a block of its own; one
    ending in a comma is a sentence going on."""
    stripped = line.strip()
    return not stripped.endswith(tuple(_FINAL + _GOING_ON)) and len(stripped) <= SHORT_LINE_CHARS


def _join(pieces: list[str], line: str, words: set[str] | None = None) -> None:
    """Add the next `line` to a block's `pieces` as one text: CJK without a space, the halves
    of a Latin word cut by a fixed-width wrap without one when `words` (the text's) has the
    whole word, else a space."""
    pieces[-1] = last = pieces[-1].rstrip()
    line = line.strip()
    if _CJK.match(last[-1]) or _CJK.match(line[0]):
        pieces.append(line)
        return
    tail, head = _LATIN_TAIL.search(last), _LATIN_HEAD.match(line)
    if words and tail and head and tail.group() + head.group() in words:
        pieces.append(line)
    else:
        pieces.append(" " + line)


class TextReader:
    name = "text"
    known_words: frozenset[str] = frozenset()  # the glossary's Latin words (see `layout`)

    def parse(self, data: bytes, name: str) -> RawText:
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        text, encoding = decode(data, name)
        if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
            raise InputError(f"{name}: a binary file, not text")
        blocks, applied = layout(text, self.known_words)
        if not blocks:
            raise InputError(f"{name}: the file has no text")
        meta: dict[str, Any] = {"input": Path(name).name, "encoding": encoding}
        if applied:
            meta["normalisation"] = applied
        return RawText(blocks=[RawBlock(b) for b in blocks], meta=meta)
