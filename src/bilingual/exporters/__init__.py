"""Exporters turn a Document into a file; a small protocol and a lazy registry by format name."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..document import Document
from ..errors import UsageError


@dataclass
class ExportOptions:
    """Layout and typography; every field can come from bilingual.toml or the command line."""

    layout: str = "side-by-side"  # or "interleaved"
    cjk_font: str | None = None  # None: the default for the source script (see README)
    latin_font: str = "Calibri"
    paper: str = "a4"  # or "letter"
    landscape: bool = False
    glossary_appendix: bool = False
    source_script: str = "source"  # "source" keeps the input's script; "simplified" converts
    comments: bool = False  # check findings as DOCX comments


class Exporter(Protocol):
    name: str
    extension: str
    media_type: str

    warnings: list[str]  # lines for the user (characters removed, a tool missing)

    def export(self, document: Document, path: Path, options: ExportOptions) -> Path | None:
        """Write `document` to `path` atomically and return the path written (None: not written,
        for a reason given in `warnings`)."""
        ...


# name -> "module:Class"; docx, lxml and jinja2 load only when their format is asked for.
EXPORTERS: dict[str, str] = {
    "json": "bilingual.exporters.json:JsonExporter",
    "docx": "bilingual.exporters.docx:DocxExporter",
    "html": "bilingual.exporters.html:HtmlExporter",
    "tmx": "bilingual.exporters.tmx:TmxExporter",
    "xliff": "bilingual.exporters.xliff:XliffExporter",
    # last: LibreOffice is slow, and when it is missing every other format is already written
    "pdf": "bilingual.exporters.pdf:PdfExporter",
}
DEFAULT_FORMATS = ("docx", "html")


def document_fingerprint(document: Document) -> str:
    """`bilingual:<meta.input>:<hash>`: which document a DOCX or XLIFF was made for.

    The hash is the first 16 hex digits of the SHA-256 of the segment sources joined by \\n."""
    import hashlib

    sources = "\n".join(s.source for s in document.segments)
    digest = hashlib.sha256(sources.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"bilingual:{document.meta.get('input', '')}:{digest}"


def get_exporter(name: str) -> Exporter:
    try:
        target = EXPORTERS[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (choose from {', '.join(EXPORTERS)})") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)()


def parse_formats(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """`docx,html` -> ["docx", "html"], checked against the registry, in registry order."""
    if value is None:
        return list(DEFAULT_FORMATS)
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    names = [v.strip().lower() for v in items if v.strip()]
    for name in names:
        if name not in EXPORTERS:
            raise UsageError(f"unknown format {name!r} (choose from {', '.join(EXPORTERS)})")
    return [n for n in EXPORTERS if n in names]
