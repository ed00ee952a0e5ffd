"""bilingual: offline Chinese-to-English bilingual documents with guaranteed glossary terms.

Importing the package loads nothing heavy; the pipeline functions import what they use.
"""

from __future__ import annotations

from .document import Block, Document, Segment, Term
from .errors import BilingualError
from .version import __version__

__all__ = [
    "BilingualError",
    "Block",
    "Document",
    "Segment",
    "Term",
    "__version__",
    "export_file",
    "translate_file",
]


def __getattr__(
    name: str,
):  # lazy: `bilingual.translate_file` without importing the pipeline up front
    if name in ("translate_file", "export_file"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
