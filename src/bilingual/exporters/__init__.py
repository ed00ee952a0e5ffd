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

    def export(self, document: Document, path: Path, options: ExportOptions) -> Path:
        """Write `document` to `path` atomically and return the path written."""
        ...


# name -> "module:Class"; docx, lxml and jinja2 load only when their format is asked for.
EXPORTERS: dict[str, str] = {
    "json": "bilingual.exporters.json:JsonExporter",
    "docx": "bilingual.exporters.docx:DocxExporter",
    "html": "bilingual.exporters.html:HtmlExporter",
}
DEFAULT_FORMATS = ("docx", "html")


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
