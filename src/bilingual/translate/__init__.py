"""The translate stage: fill every segment's target with any engine, written once around it.

`translate_document` takes an annotated Document (glossary terms found) and an Engine. Around
the engine it keeps human edits, asks the memory first, protects the glossary's terms
(`terms`: placeholders, else the fallback), batches by tokens and reports progress (`run`).
"""

from __future__ import annotations

from .run import Progress, translate_document

__all__ = ["Progress", "translate_document"]
