"""Plain-text reader: detects the encoding, splits blocks at blank lines."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..document import RawBlock, RawText
from ..errors import InputError

_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n\s*")
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
                    f"{origin}: starts with a {encoding} BOM but is not {encoding} text"
                ) from None
    if b"\x00" in data:
        raise InputError(f"{origin}: a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
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
    raise InputError(f"{origin}: not text in UTF-8, UTF-16, Big5 or GB18030")


def split_blocks(text: str) -> list[str]:
    """Blocks separated by blank lines, without their surrounding white space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [b.strip() for b in _BLANK_LINES.split(text) if b.strip()]


class TextReader:
    name = "text"
    extensions = (".txt", ".text")

    def read(self, path: Path) -> RawText:
        from . import input_bytes

        return self.parse(input_bytes(path), str(path))

    def parse(self, data: bytes, name: str) -> RawText:
        if not data.strip():
            raise InputError(f"{name}: the file is empty")
        text, encoding = decode(data, name)
        if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
            raise InputError(f"{name}: a binary file, not text")
        blocks = split_blocks(text)
        if not blocks:
            raise InputError(f"{name}: the file has no text")
        return RawText(
            blocks=[RawBlock(b) for b in blocks],
            meta={"input": Path(name).name, "encoding": encoding},
        )
