"""How much an input may unpack to: one bound for a part of a DOCX and a stream of a PDF.

A compressed input can claim or inflate to far more than it occupies (a zip bomb, a PDF stream
bomb); every part is inflated against this bound, whatever its header says, before any library
holds it whole.
"""

from __future__ import annotations

import zipfile
import zlib
from typing import IO

from .errors import InputError
from .safexml import MAX_XML_BYTES

# The importer's rule, for readers too: far above any real document part, far below a bomb.
MAX_PART_BYTES = MAX_XML_BYTES
_CHUNK = 1 << 20


def zip_member(archive: zipfile.ZipFile, name: str, origin: str) -> bytes | None:
    """A zip member's bytes (None when absent), refused past MAX_PART_BYTES declared or actual."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    _check_declared(info, origin)
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        raise InputError(f"{origin}: corrupt DOCX ({name} cannot be unpacked)") from None
    if len(data) > MAX_PART_BYTES:
        raise _too_large(origin, name, "more than it claims")
    return data


def check_zip(handle: IO[bytes], origin: str) -> None:
    """Refuse a zip any member of which unpacks past MAX_PART_BYTES, by its header or in fact.

    Each member is inflated chunk by chunk and thrown away: only the count is kept.
    """
    with zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            _check_declared(info, origin)
            total = 0
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > MAX_PART_BYTES:
                        raise _too_large(origin, info.filename, "more than it claims")


def inflate_size(data: bytes | memoryview, origin: str, what: str) -> int:
    """The size `data` (zlib/deflate) inflates to, refused once past MAX_PART_BYTES; -1 when
    it is not zlib data (another filter, or damaged: the library reading it decides)."""
    inflater = zlib.decompressobj()
    total = 0
    pending: bytes | memoryview = data
    try:
        while pending:
            total += len(inflater.decompress(pending, _CHUNK))
            if total > MAX_PART_BYTES:
                raise _too_large(origin, what, "more", "a compressed stream bomb?")
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        return -1
    return total


def _check_declared(info: zipfile.ZipInfo, origin: str) -> None:
    if info.file_size > MAX_PART_BYTES:
        raise _too_large(origin, info.filename, f"{info.file_size // 2**20} MB")


def _too_large(origin: str, name: str, how_much: str, guess: str = "a zip bomb?") -> InputError:
    return InputError(
        f"{origin}: {name} unpacks to {how_much}, over the limit of "
        f"{MAX_PART_BYTES // 2**20} MB for one part; refused ({guess})"
    )
