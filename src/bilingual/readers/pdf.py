"""PDF reader (pypdfium2): text lines rebuilt into paragraphs, in reading order, without the
running headers, footers and page numbers a printed page repeats.

A PDF has no paragraphs, only positioned text. pdfium gives the text in runs with their boxes;
runs on one baseline make a line, and a line ends its paragraph when the next line's first word
would have fitted on it (it stopped short of the right margin), when a wider gap follows it,
when the next line is indented further or set in another size.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import RawBlock, RawText
from ..errors import InputError
from ..news import CAPTION_MAX_CHARS
from ..script import CJK

_CJK = re.compile(f"[{CJK}]")
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—·.|]*(?:(?:page|p\.)\s*)?[第]?\s*\d{1,4}\s*(?:頁|页)?"
    r"(?:\s*(?:/|of|共)\s*\d{1,4}\s*(?:頁|页)?)?[\s\-–—·.|]*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[。！？!?.][」』”’）)】》]*$")
# How many lines at the top and at the bottom of a page can be a running header or footer.
_EDGE_LINES = 2
_Run = tuple[float, float, float, float, str, float]  # x0, y0, x1, y1, text, font size


@dataclass
class _Line:
    x0: float
    y0: float  # bottom (PDF y grows upwards)
    x1: float
    y1: float  # top
    parts: list[tuple[float, float, str]] = field(default_factory=list)
    size: float = 0.0  # the font size (glyph boxes vary with the letters: chains. vs supply)
    cells: list[str] | None = None  # a table row: its cells, left to right
    figure: RawBlock | None = None  # a picture, placed by its box like a line of text

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def text(self) -> str:
        out = ""
        for _x0, _x1, piece in sorted(self.parts):
            piece = piece.strip()
            if out and piece and not (_CJK.match(out[-1]) or _CJK.match(piece[0])):
                out += " "
            out += piece
        return out


class PdfReader:
    name = "pdf"

    def parse(self, data: bytes, name: str) -> RawText:
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        import pypdfium2 as pdfium

        _check_streams(data, name)
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if "password" in str(e).lower():
                raise InputError(
                    f"{name}: the PDF is password-protected; save a copy without the password"
                ) from None
            raise InputError(
                f"{name}: not a readable PDF (damaged, or not a PDF); export it again"
            ) from None
        try:
            pages = [_page_lines(pdf[i], f"{name}: page {i + 1}") for i in range(len(pdf))]
        except pdfium.PdfiumError:
            raise InputError(f"{name}: not a readable PDF (a page is damaged)") from None
        finally:
            pdf.close()
        if all(line.figure for columns in pages for column in columns for line in column):
            raise InputError(
                f"{name}: the PDF has no text layer (a scan?); it needs OCR first "
                "(for example ocrmypdf), then read the result"
            )
        _drop_running_lines(pages)
        blocks = _paragraphs(pages)
        if all(b.kind == "figure" for b in blocks):
            raise InputError(f"{name}: the PDF has no text besides headers and page numbers")
        return RawText(blocks=blocks, meta={"input": Path(name).name, "pages": len(pages)})


_STREAM = re.compile(rb"stream\r?\n")


def _check_streams(data: bytes, name: str) -> None:
    """Refuse a PDF one compressed stream of which inflates past the bound on any part of an
    input (pdfium would inflate it whole while reading the page: a stream bomb)."""
    from ..unpack import inflate_size

    for number, found in enumerate(_STREAM.finditer(data), 1):
        start = found.end()
        header = data[start : start + 2]
        if len(header) < 2 or header[0] & 0x0F != 8 or int.from_bytes(header, "big") % 31:
            continue  # not zlib data (its two-byte header says so): another filter
        end = data.find(b"endstream", start)
        view = memoryview(data)[start : end if end >= 0 else len(data)]
        inflate_size(view, name, f"stream {number}")


def _page_lines(page: Any, origin: str) -> list[list[_Line]]:
    """The page's lines as columns in reading order: [[lines of a band's left column], ...];
    its pictures are lines too, each at its place."""
    width = page.get_width()
    textpage = page.get_textpage()
    try:
        runs = _runs(textpage)
        pictures = _pictures(page, origin)
    finally:
        textpage.close()
        page.close()
    # Runs whose middles share a height make a band; a band splits into lines where a gap
    # wider than the text's size separates them (the gutter between two columns).
    bands: list[list[_Run]] = []
    low = high = 0.0  # the last band's lowest bottom and highest top, kept as runs join it
    for run in sorted(runs, key=lambda r: -(r[1] + r[3]) / 2):
        middle = (run[1] + run[3]) / 2
        if bands and low < middle < high:
            bands[-1].append(run)
            low, high = min(low, run[1]), max(high, run[3])
        else:
            bands.append([run])
            low, high = run[1], run[3]
    lines: list[_Line] = []
    rows: list[list[_Line]] = []  # the lines of each band, left to right
    for band in bands:
        line: _Line | None = None
        first = len(lines)
        for x0, y0, x1, y1, text, size in sorted(band):
            if line is not None and x0 - line.x1 < 1.5 * max(size, line.size):
                line.parts.append((x0, x1, text))
                line.size = max(line.size, size)
                line.x1 = max(line.x1, x1)
                line.y0, line.y1 = min(line.y0, y0), max(line.y1, y1)
            else:
                line = _Line(x0, y0, x1, y1, [(x0, x1, text)], size)
                lines.append(line)
        rows.append(lines[first:])
    lines = _table_rows(lines, rows, width) + pictures
    lines.sort(key=lambda line: (-line.y1, line.x0))
    return _columns(lines, width)


def _pictures(page: Any, origin: str) -> list[_Line]:
    """The page's embedded pictures, each a line holding its figure at its box (its displayed
    size in points). Too small (an icon) or claiming too many pixels: left out before its data
    is decoded."""
    import io

    import pypdfium2.raw as pdfium_c

    from .images import MAX_PIXELS, MIN_SIDE, figure_block

    lines: list[_Line] = []
    for number, image in enumerate(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), 1):
        where = f"{origin}, picture {number}"
        try:
            width, height = image.get_px_size()
            if width < MIN_SIDE or height < MIN_SIDE:
                continue
            if width * height >= MAX_PIXELS:
                from . import warn

                warn(f"{where}: a picture of {width} x {height} pixels; left out")
                continue
            x0, y0, x1, y1 = image.get_bounds()
            data = io.BytesIO()
            image.extract(data, fb_format="png")  # a JPEG as it is, anything else as PNG
        except Exception:  # pdfium's and Pillow's errors for a damaged image alike
            from . import warn

            warn(f"{where}: a damaged picture (it cannot be extracted); left out")
            continue
        figure = figure_block(data.getvalue(), where, display=(x1 - x0, y1 - y0))
        if figure is not None:
            lines.append(_Line(x0, y0, x1, y1, figure=figure))
    return lines


def _table_rows(lines: list[_Line], rows: list[list[_Line]], width: float) -> list[_Line]:
    """`lines` with the rows of tables made one line each (its `cells` left to right).

    Bands of two or more short pieces, one after another, are a table, unless most of them
    are full lines (two or three columns of text fill their width line after line, while a
    table column's cells vary): its cells share a baseline, so they are read in the order they
    stand, never as headings.
    """

    def candidate(band: list[_Line]) -> bool:
        return len(band) >= 2 and all(line.width < 0.45 * width for line in band)

    merged: dict[int, _Line] = {}
    for group in _runs_of(rows, candidate):
        if len(group) < 2:
            continue
        pieces = [line for band in group for line in band]
        full = sum(all(_fills(line, pieces) for line in band) for band in group)
        if full >= 0.6 * len(group):
            continue  # columns of text
        for band in group:
            cells = sorted(band, key=lambda line: line.x0)
            row = _Line(
                min(c.x0 for c in cells),
                min(c.y0 for c in cells),
                max(c.x1 for c in cells),
                max(c.y1 for c in cells),
                [part for c in cells for part in c.parts],
                max(c.size for c in cells),
                [c.text for c in cells],
            )
            for cell in cells:
                merged[id(cell)] = row
    out: list[_Line] = []
    placed: set[int] = set()  # the rows already in `out`
    for line in lines:
        table_row = merged.get(id(line))
        if table_row is None:
            out.append(line)
        elif id(table_row) not in placed:
            placed.add(id(table_row))
            out.append(table_row)
    return out


def _fills(line: _Line, pieces: list[_Line]) -> bool:
    """Whether `line` nearly fills its column (as a line of wrapped text does; a table column's
    cells vary more): at least 70% of the widest piece that starts where it does."""
    same_column = [o for o in pieces if abs(o.x0 - line.x0) < line.size]
    return line.width >= 0.7 * max(o.width for o in same_column)


def _runs_of(rows: list[list[_Line]], keep: Any) -> list[list[list[_Line]]]:
    """The runs of consecutive bands for which `keep` holds."""
    groups: list[list[list[_Line]]] = []
    current: list[list[_Line]] = []
    for band in rows:
        if keep(band):
            current.append(band)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _runs(textpage: Any) -> list[_Run]:
    """Runs of characters on one baseline with no wide gap, with their boxes.

    Character by character, because pdfium's own text rectangles can reach across the gutter
    of a two-column page. The spaces pdfium adds between positioned pieces are kept between
    Latin words and dropped next to CJK characters (第 1 段 was set as 第1段).
    """
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    get_box, is_generated = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_IsGenerated
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    runs: list[_Run] = []
    chars: list[str] = []
    # the current run's box and font size (plain floats: this loop runs for every character)
    bx0 = by0 = bx1 = by1 = size = 0.0
    space = ""  # "" none, "generated" or "real": a space seen since the last character

    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    # One call for the whole text is much faster than one per character; it lines up with the
    # character indexes unless a character lies outside the BMP (two UTF-16 units).
    aligned = len(text) == count
    for i in range(count):
        ch = text[i] if aligned else chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if ch == "\r" or ch == "\n":
            if chars:
                runs.append((bx0, by0, bx1, by1, "".join(chars), size))
                chars = []
            space = ""
            continue
        if ch.isspace():
            if chars and space != "real":
                space = "generated" if is_generated(raw, i) else "real"
            continue
        get_box(raw, i, left, right, bottom, top)
        x0, x1, y0, y1 = left.value, right.value, bottom.value, top.value
        if chars:
            height = by1 - by0
            if y1 - y0 > height:
                height = y1 - y0
            if height < 1.0:
                height = 1.0
            middle = (y0 + y1) / 2
            # (a ligature's second letter shares the first one's box: not a step back)
            if not (by0 - 0.3 * height < middle < by1 + 0.3 * height) or not (
                bx0 - 0.5 * height < x0 and x0 - bx1 < 1.2 * height
            ):
                runs.append((bx0, by0, bx1, by1, "".join(chars), size))
                chars = []
                space = ""
        if not chars:
            bx0, by0, bx1, by1 = x0, y0, x1, y1
            size = pdfium_c.FPDFText_GetFontSize(raw, i)
        else:
            if space and (space == "real" or not (_CJK.match(chars[-1]) or _CJK.match(ch))):
                chars.append(" ")
            if x0 < bx0:
                bx0 = x0
            if y0 < by0:
                by0 = y0
            if x1 > bx1:
                bx1 = x1
            if y1 > by1:
                by1 = y1
        space = ""
        chars.append(ch)
    if chars:
        runs.append((bx0, by0, bx1, by1, "".join(chars), size))
    return runs


def _columns(lines: list[_Line], width: float) -> list[list[_Line]]:
    """Columns in reading order: a two-column stretch is read left column, then right."""
    middle = width / 2
    left = [line for line in lines if line.x1 <= middle]
    right = [line for line in lines if line.x0 >= middle]
    if len(left) < 3 or len(right) < 3 or len(left) + len(right) < 0.6 * len(lines):
        return [lines] if lines else []
    columns: list[list[_Line]] = []
    band_left: list[_Line] = []
    band_right: list[_Line] = []
    for line in lines:  # top to bottom; a line across the middle closes a band
        if line.x1 <= middle:
            band_left.append(line)
        elif line.x0 >= middle:
            band_right.append(line)
        else:
            columns.extend(c for c in (band_left, band_right) if c)
            band_left, band_right = [], []
            columns.append([line])
    columns.extend(c for c in (band_left, band_right) if c)
    return columns


def _drop_running_lines(pages: list[list[list[_Line]]]) -> None:
    """Remove page numbers and the headers and footers repeated on many pages.

    A running line is one of the two lines at the top or bottom of a page, found at the same
    height on at least half the pages (digits aside: 第3頁 and 第4頁 are one line); a body line
    can repeat too, so a long one counts only when it is the page's very first or last line.
    """

    def edges(columns: list[list[_Line]]) -> list[tuple[_Line, bool]]:
        ordered = sorted((line for c in columns for line in c), key=lambda line: -line.y1)
        top, bottom = ordered[:_EDGE_LINES], ordered[-_EDGE_LINES:]
        picked = {id(line): (line, line is ordered[0] or line is ordered[-1]) for line in top}
        picked.update(
            {id(line): (line, line is ordered[0] or line is ordered[-1]) for line in bottom}
        )
        return list(picked.values())

    def key(line: _Line) -> tuple[str, int]:
        return _DIGITS.sub("#", line.text), round(line.y1 / 3)

    counts: dict[tuple[str, int], int] = {}
    for columns in pages:
        for k in {key(line) for line, _outermost in edges(columns)}:
            counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, n in counts.items() if n >= 2 and n >= 0.5 * len(pages)}
    for columns in pages:
        drop = {
            id(line)
            for line, outermost in edges(columns)
            if (key(line) in repeated and (outermost or len(line.text) <= 40))
            or _PAGE_NUMBER.match(line.text)
        }
        for column in columns:
            column[:] = [line for line in column if id(line) not in drop]
        columns[:] = [c for c in columns if c]


def _paragraphs(pages: list[list[list[_Line]]]) -> list[RawBlock]:
    """The blocks of the pages: lines joined into paragraphs, a table row's cells a block each
    (left to right), and the lines at the top of the first page set larger than the text's
    usual size the title."""
    columns = [c for columns in pages for c in columns]
    lines = [line for c in columns for line in c if line.figure is None]
    if not lines:
        return []
    usual_size = statistics.median(line.size for line in lines for _ in line.text)
    top = {id(line) for line in _title_lines(pages[0] if pages else [], usual_size)}
    gaps = [
        a.y0 - b.y1
        for c in columns
        for a, b in itertools.pairwise(c)
        if a.y0 - b.y1 > -0.5 * a.height and a.figure is None and b.figure is None
    ]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    blocks: list[RawBlock] = []
    current: list[str] = []  # the paragraph's lines, joined once it ends (not line by line)
    title = False  # the current paragraph is the title
    previous: _Line | None = None

    def close() -> None:
        if current:
            text = "".join(current)
            if title:
                blocks.append(RawBlock(text, "title", {"level": 1}))
            elif caption and len(text) <= CAPTION_MAX_CHARS:
                blocks.append(RawBlock(text, "caption"))
            else:
                blocks.append(RawBlock(text))

    caption = False  # the current paragraph is set smaller right under a picture: its caption
    for column in columns:
        right = max((line.x1 for line in column if line.figure is None), default=0.0)
        if sum(line.figure is None for line in column) < 3:
            # too few lines to know the margin: the page's widest line does
            right = max(line.x1 for line in lines)
        for index, line in enumerate(column):
            if line.figure is not None:  # a picture ends the paragraph before it
                close()
                current, title, previous = [], False, None
                blocks.append(line.figure)
                continue
            text = line.text
            if not text:
                continue
            if line.cells is not None:
                close()
                current, title, previous = [], False, None
                blocks.extend(
                    RawBlock(cell, "paragraph", {"table_cell": True}) for cell in line.cells
                )
                continue
            starts_title = id(line) in top
            if (
                previous is not None
                and current
                and (
                    starts_title != title
                    or _ends_paragraph(previous, line, right, usual_gap, same_column=index > 0)
                )
            ):
                close()
                current = []
            if not current:
                title = starts_title
                caption = bool(blocks) and blocks[-1].kind == "figure"
                caption = caption and line.size < 0.95 * usual_size
                current.append(text)
            else:
                _join(current, text)
            previous = line
    close()
    return blocks


def _title_lines(columns: list[list[_Line]], usual_size: float) -> list[_Line]:
    """The lines at the very top of a page set larger than the text's usual size."""
    ordered = sorted((line for c in columns for line in c), key=lambda line: -line.y1)
    found: list[_Line] = []
    for line in ordered:
        if line.figure is not None:
            continue
        if line.cells is not None or line.size < 1.2 * usual_size:
            break
        found.append(line)
    return found


def _ends_paragraph(
    before: _Line, after: _Line, right: float, usual_gap: float, *, same_column: bool
) -> bool:
    size = max(before.size, after.size, 1.0)
    if abs(before.size - after.size) > 0.15 * size:  # another size: a heading
        return True
    if after.x0 - before.x0 > 0.8 * size:  # the next line is indented further
        return True
    if same_column and before.y0 - after.y1 > 1.6 * usual_gap + 0.3 * size:
        return True
    if not same_column and _SENTENCE_END.search(before.text):
        # across a page or column break there is no gap to see: a full line that ends a
        # sentence is taken to end its paragraph
        return True
    # Would the next line's first word have fitted at the end of this one? (Estimated from
    # this line's average character width, with a margin: a proportional font's words vary.)
    text, room = after.text, right - before.x1
    if _CJK.match(text[0]):
        return room > 1.5 * size
    char_width = (before.x1 - before.x0) / max(len(before.text), 1)
    first = text.split(" ", 1)[0]
    return room > (len(first) + 2) * char_width * 1.2


def _join(current: list[str], text: str) -> None:
    """Add the line `text` to the paragraph's pieces `current` (never empty)."""
    last = current[-1]
    if _CJK.match(last[-1]) or _CJK.match(text[0]):
        current.append(text)  # Chinese lines join without a space
    elif last.endswith("-") and len(last) > 1 and last[-2].isalpha() and text[0].islower():
        current[-1] = last[:-1]  # a word hyphenated at the line end
        current.append(text)
    else:
        current.append(" ")
        current.append(text)
