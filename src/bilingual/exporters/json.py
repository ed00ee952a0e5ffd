"""The JSON form as an export format (always written beside every translation, last)."""

from __future__ import annotations

from collections.abc import Sequence

from ..document import Document, form_bytes
from . import ExportOptions, Finding, Rendered


class JsonExporter:
    name = "json"
    extension = ".json"
    media_type = "application/json"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        """The validated JSON form, as `bilingual.document.dump` writes it."""
        # the file's name is the pipeline's; the error names the document it was made from
        origin = f"{document.meta.get('input') or 'document'} (JSON form)"
        return Rendered(form_bytes(document, origin))
