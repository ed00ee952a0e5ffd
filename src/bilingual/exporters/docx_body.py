"""The DOCX body as it is written: its XML text deflated piece by piece, then spliced into
word/document.xml as the package is written into its file, without ever being whole in memory.

A segment's row is about 1 KB of WordprocessingML, held as a Python string (two bytes a
character once it has Chinese in it) 2 KB; a million table cells held as text took gigabytes.
Deflated as it is written, the same row takes some tens of bytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

# Fast and still about 15 to 1 on this repetitive XML: the package is deflated again at the end.
_LEVEL = 1
_CHUNK = 1 << 20  # bytes inflated at a time when the body is spliced


class Body:
    """The body's paragraphs and tables, appended in order as XML text and kept deflated."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._chunks: list[bytes] = []
        self._closed = False
        self.size = 0  # bytes of UTF-8 text appended

    def append(self, xml: str) -> None:
        if self._closed:
            raise ValueError("the body has been spliced already")
        data = xml.encode("utf-8")
        self.size += len(data)
        chunk = self._deflate.compress(data)
        if chunk:
            self._chunks.append(chunk)

    def inflated(self) -> Iterator[bytes]:
        """The body's UTF-8 text, a chunk at a time (the deflated copy is let go as it goes)."""
        if not self._closed:
            self._chunks.append(self._deflate.flush())
            self._closed = True
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        chunks, self._chunks = self._chunks, []
        chunks.reverse()
        while chunks:
            data = inflate.decompress(chunks.pop(), _CHUNK)
            while data:
                yield data
                data = inflate.decompress(inflate.unconsumed_tail, _CHUNK)
        yield inflate.flush()


def splice(package: bytes, marker: str, body: Body, target: BinaryIO) -> None:
    """Write `package` into `target` (seekable: zipfile goes back to fill each member's header)
    with the paragraph holding `marker` in word/document.xml replaced by `body`, which is
    streamed into that member rather than joined."""
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                out.writestr(info, data, zipfile.ZIP_DEFLATED)
                continue
            xml = data.decode("utf-8")
            at = xml.index(marker)
            start, end = xml.rindex("<w:p>", 0, at), xml.index("</w:p>", at) + len("</w:p>")
            head, tail = xml[:start].encode("utf-8"), xml[end:].encode("utf-8")
            info.compress_type = zipfile.ZIP_DEFLATED
            # a member of 4 GB or more needs the ZIP64 fields, declared before it is written
            large = len(head) + body.size + len(tail) >= zipfile.ZIP64_LIMIT
            with out.open(info, "w", force_zip64=large) as member:
                member.write(head)
                for chunk in body.inflated():
                    member.write(chunk)
                member.write(tail)
