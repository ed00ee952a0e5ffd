"""The JSON form as an export format (always written beside every translation)."""

from __future__ import annotations

from pathlib import Path

from ..document import Document, dump
from . import ExportOptions


class JsonExporter:
    name = "json"
    extension = ".json"
    media_type = "application/json"

    def export(self, document: Document, path: Path, options: ExportOptions) -> Path:
        return dump(document, path)
