"""The pictures a reader keeps: which image bytes become a `figure` block, and which are left out.

Shared by every reader. A picture is kept when it is a PNG, JPEG, GIF or WebP whose header and
data read whole, at least MIN_SIDE pixels on each side (smaller ones are icons and tracking
pixels, left out without a word), under MAX_PIXELS and MAX_BYTES. Anything else it could have
been (a corrupt file, a header claiming a huge size, an SVG, which can carry script, another
format) is left out with one warning line naming it. Local pictures are read only from the
input's own folder, and `data:` URLs from the page itself; nothing is fetched from the network.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from ..document import Figure, RawBlock

MAX_BYTES = 20 * 2**20  # a news photo is a few MB; a larger file is not one
MAX_PIXELS = 100_000_000  # a header claiming more is a decompression bomb, or no photo
MIN_SIDE = 64  # pixels: below this on either side, an icon, a bullet or a tracking pixel
# Pillow's format names -> the figure's file type (a camera's MPO is a JPEG with extras).
_TYPES = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "GIF": "gif", "WEBP": "webp"}
_SVG = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE svg|<svg)",
    re.IGNORECASE | re.DOTALL,
)
_DATA_URL = re.compile(r"\Adata:(?P<type>[^;,]*)(?P<params>(?:;[^;,]*)*),(?P<data>.*)\Z", re.S)
# What a picture's names say of a picture that is page furniture, not the article's.
_DECORATIVE = re.compile(
    r"(?:^|[\W_])(?:logo|icon|avatar|sprite|spacer|pixel|tracking|tracker|badge|emoji|"
    r"button|btn|qrcode|qr)(?:$|[\W_])",
    re.IGNORECASE,
)
# A CSS pixel is 0.75 pt.
POINTS_PER_PIXEL = 0.75
# Where a picture sits in a text while the reader gathers a block's inline text: a character no
# news text holds (a supplementary private-use code point), with the picture's number.
_MARK = re.compile("\U000f0000([0-9]+)\U000f0001")


def figure_block(
    data: bytes,
    origin: str,
    *,
    alt: str = "",
    display: tuple[float | None, float | None] = (None, None),
) -> RawBlock | None:
    """A `figure` raw block for the image `data`, or None when it is left out (`origin` names it
    in the warning: the input and where the picture is in it). `display` is the size the source
    shows it at, in points, when it says."""
    from . import warn

    if _SVG.match(data[:4096]):
        warn(f"{origin}: an SVG picture is never embedded (it can carry script); left out")
        return None
    if len(data) > MAX_BYTES:
        warn(f"{origin}: a picture larger than {MAX_BYTES // 2**20} MB; left out")
        return None
    found = identify(data)
    if isinstance(found, str):
        warn(f"{origin}: {found}; left out")
        return None
    ext, width, height = found
    if width < MIN_SIDE or height < MIN_SIDE:
        return None  # an icon or a tracking pixel: decoration, not the article's
    figure = Figure(
        sha256=hashlib.sha256(data).hexdigest(),
        ext=ext,
        width=width,
        height=height,
        display_width=_points(display[0]),
        display_height=_points(display[1]),
        alt=" ".join(alt.split()),
    )
    return RawBlock("", "figure", figure=figure, image=data)


def _points(value: float | None) -> float | None:
    return round(value, 2) if value is not None and value > 0 else None


def identify(data: bytes) -> tuple[str, int, int] | str:
    """The file type and pixel size of an image, or why it is not one to keep (a phrase).

    The header is read first, so a header claiming MAX_PIXELS or more is refused before any
    pixel is decoded; then the whole image is decoded once, so that a truncated or damaged file
    is found here rather than in an edition.
    """
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, should the check below be passed
    try:
        with warnings.catch_warnings():
            # Pillow warns of a large picture; the size is judged here, in words
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = _TYPES.get(image.format or "")
                if kind is None:
                    return f"a {image.format or 'unknown'} picture, not PNG, JPEG, GIF or WebP"
                width, height = image.size
                if width * height >= MAX_PIXELS:
                    return f"a picture whose header claims {width} x {height} pixels"
                # A JPEG decoded at an eighth of its size reads all of its data (a truncated or
                # damaged one fails all the same) in a third of the time and a 64th the memory.
                image.draft(image.mode, (width // 8, height // 8))
                image.load()
    except Image.DecompressionBombError:
        return "a picture whose header claims too many pixels"
    except Exception:  # Pillow's errors for a damaged file are many (OSError, SyntaxError...)
        return "a damaged picture (it cannot be decoded)"
    return kind, width, height


def is_decorative(*names: str) -> bool:
    """Whether a picture's class, id, file name or alt text says it is a logo, an icon, an
    avatar or a tracking pixel."""
    return any(_DECORATIVE.search(name) for name in names if name)


def load(src: str, base: Path | None, origin: str) -> bytes | None:
    """The bytes a picture's `src` names: a `data:` URL, or a file inside the folder `base`
    (the input's own folder: a browser's `<page>_files/` folder, a picture beside a Markdown
    file). None, without a word, for anything on the network (never fetched); None with a
    warning for a local file that is missing or outside the folder."""
    from . import warn

    src = src.strip()
    if src.lower().startswith("data:"):
        return _data_url(src, origin)
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path:
        return None  # http(s), file:, protocol-relative //host/...: never read
    if base is None:
        return None  # standard input: no folder to look in
    relative = unquote(parts.path)
    folder = os.path.realpath(base)
    path = os.path.realpath(os.path.join(folder, relative))
    if os.path.isabs(relative) or os.path.commonpath([folder, path]) != folder:
        warn(f"{origin}: a picture outside the input's folder; left out")
        return None
    try:
        if os.path.getsize(path) > MAX_BYTES:
            warn(f"{origin}: a picture larger than {MAX_BYTES // 2**20} MB; left out")
            return None
        from ..files import read_regular_file

        return read_regular_file(Path(path))
    except Exception:  # missing, a folder, a pipe, unreadable: all the same to the reader
        warn(f"{origin}: the picture cannot be read (missing?); left out")
        return None


def _data_url(src: str, origin: str) -> bytes | None:
    from . import warn

    m = _DATA_URL.match(src)
    if m is None:
        warn(f"{origin}: a data: URL that is not one; left out")
        return None
    if len(m["data"]) > MAX_BYTES * 4 // 3 + 4:
        warn(f"{origin}: a picture larger than {MAX_BYTES // 2**20} MB; left out")
        return None
    try:
        if ";base64" in m["params"].lower():
            return base64.b64decode(re.sub(r"\s+", "", m["data"]), validate=True)
        return unquote_to_bytes(m["data"])
    except (binascii.Error, ValueError):
        warn(f"{origin}: a data: URL that does not decode; left out")
        return None


class Pictures:
    """The pictures of one input, as a reader finds them by their `src`: each loaded once (so a
    bad one is named once, however many passes read the page), and marked where it stands in a
    block's inline text, so that the block is cut around it: text before, the figure, text
    after, in reading order."""

    def __init__(self, name: str) -> None:
        self.name = name
        # pictures are looked for beside the input; standard input and a part inside another
        # file (a DOCX's embedded page) have no folder, only their data: URLs
        self.base = Path(name).parent if name != "stdin" and Path(name).is_file() else None
        self.figures: list[RawBlock] = []
        self.found: dict[str, RawBlock | None] = {}  # by src, vetted once
        self.remote: set[str] = set()  # pictures on the network, never fetched

    def find(
        self, src: str, alt: str = "", display: tuple[float | None, float | None] = (None, None)
    ) -> RawBlock | None:
        """The figure of the picture at `src`, or None when there is none to keep."""
        if src not in self.found:
            if urlsplit(src.strip()).scheme.lower() in ("http", "https") or src.startswith("//"):
                self.remote.add(src)
            label = "a data: URL picture" if src.lower().startswith("data:") else src[:200]
            origin = f"{self.name}: {label}"
            data = load(src, self.base, origin)
            self.found[src] = None if data is None else figure_block(data, origin)
        found = self.found[src]
        if found is None or found.figure is None:
            return None
        figure = dataclasses.replace(
            found.figure,
            alt=" ".join(alt.split()),
            display_width=_points(display[0]),
            display_height=_points(display[1]),
        )
        return RawBlock("", "figure", figure=figure, image=found.image)

    def mark(self, figure: RawBlock) -> str:
        """The mark to put in the text where `figure` stands."""
        self.figures.append(figure)
        return f"\U000f0000{len(self.figures) - 1}\U000f0001"

    def split(self, text: str) -> Iterator[str | RawBlock]:
        """The pieces of a marked text in order: text (maybe empty) and figures."""
        start = 0
        for m in _MARK.finditer(text):
            yield text[start : m.start()]
            yield self.figures[int(m.group(1))]
            start = m.end()
        yield text[start:]

    def unmarked(self, text: str) -> str:
        return _MARK.sub("", text)

    def say_remote(self) -> None:
        """One line for the pictures on the network in what was read: they are never fetched."""
        from . import warn

        if self.remote:
            count = len(self.remote)
            warn(
                f"{self.name}: {count} picture{'s' * (count != 1)} on the network not fetched "
                "(save the page with its pictures to keep them); left out"
            )
