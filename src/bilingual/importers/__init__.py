"""Importers read a reviewed file (DOCX, XLIFF) back into per-segment targets, matched by id.

They are looked up by file extension and imported on first use. An importer only reports what
the file says (and what in it cannot be trusted); `bilingual.review` compares that with the JSON
form and decides what to store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import InputError
from ..registry import load

SEGMENT_ID = re.compile(r"b[1-9][0-9]*s[1-9][0-9]*")
CHINESE_PREFIX = "zh_"  # bookmark of the Chinese text: zh_b3s2


@dataclass
class EditedSegment:
    """One segment as found in an edited file."""

    segment_id: str
    target: str  # the English as the reviewer left it, whitespace collapsed
    where: str  # how a person finds it in the file: "row 5", "unit b3s2"
    source: str | None = None  # the Chinese as found in the file, to tell whether it was edited
    confirmed: bool = False  # the file marks it reviewed (XLIFF state reviewed/final)
    # What the export recorded (files exported before revisions were recorded have neither):
    # the segment's revision then, and the digest of its English then (`english_digest`).
    revision: str | None = None
    english: str | None = None


@dataclass
class Problem:
    """Something in the edited file that was not imported, and what to do about it."""

    where: str
    message: str
    segment_id: str | None = None

    def __str__(self) -> str:
        # "row 5 (b2s3)", but "segment b2s3", not "segment b2s3 (b2s3)": the id said once
        named = self.segment_id is None or re.search(
            rf"(?<![0-9A-Za-z]){re.escape(self.segment_id)}(?![0-9A-Za-z])", self.where
        )
        who = "" if named else f" ({self.segment_id})"
        return f"{self.where}{who}: {self.message}"


@dataclass
class EditedFile:
    """What an importer read from one edited file."""

    path: Path
    format: str  # "docx", "xliff"
    fingerprint: str | None = None  # bilingual:<input>:<hash>, when the file carries one
    original: str | None = None  # the JSON form's meta.input the file was exported from
    segments: list[EditedSegment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # ids the file mentions but whose text could not be trusted (merged rows, collisions):
    # they are reported once, not again as "missing".
    refused: set[str] = field(default_factory=set)


class Importer(Protocol):
    name: str
    extensions: tuple[str, ...]

    def read(self, path: Path) -> EditedFile: ...


# extension -> "module:Class"; lxml loads only when a file of that kind is imported.
IMPORTERS: dict[str, str] = {
    ".docx": "bilingual.importers.docx:DocxImporter",
    ".xlf": "bilingual.importers.xliff:XliffImporter",
    ".xliff": "bilingual.importers.xliff:XliffImporter",
}


def get_importer(path: str | Path) -> Importer:
    """The importer for `path`'s extension."""
    suffix = Path(path).suffix.lower()
    try:
        target = IMPORTERS[suffix]
    except KeyError:
        known = ", ".join(sorted(IMPORTERS))
        raise InputError(
            f"{path}: cannot import a {suffix or 'extensionless'} file (known: {known})"
        ) from None
    return load(target)()


def read_edits(path: str | Path) -> EditedFile:
    """Read an edited DOCX or XLIFF file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return get_importer(path).read(path)


# --- shared by the importers ---------------------------------------------------------------------


def squash(text: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped: how targets are compared and stored."""
    return " ".join(text.split())
