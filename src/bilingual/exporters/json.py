"""The JSON form as an export format (always written beside every translation, last)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..document import Document, write_form
from . import ExportOptions, Finding, Rendered


class JsonExporter:
    name = "json"
    extension = ".json"
    media_type = "application/json"

    def render(
        self, document: Document, options: ExportOptions, findings: Sequence[Finding] = ()
    ) -> Rendered:
        """The validated JSON form, as `bilingual.document.dump` writes it, block by block."""
        # the file's name is the pipeline's; the error names the document it was made from
        origin = f"{document.meta.get('input') or 'document'} (JSON form)"
        return Rendered(functools.partial(write_form, document, origin))
