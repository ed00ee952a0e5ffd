"""The glossary: fixed renderings of terms, from hand-edited YAML files to a checked English.

Public API (see docs/glossary.md): `load_glossary`, `Glossary`, `annotate`, `term_findings`.
Nothing heavy is imported here: ruamel.yaml, OpenCC and pyahocorasick load on first use.
"""

from __future__ import annotations

from .check import TermFinding, term_findings
from .entry import Entry
from .model import Glossary, Problem, check_glossary, load_glossary, renderings_for
from .render import annotate

__all__ = [
    "Entry",
    "Glossary",
    "Problem",
    "TermFinding",
    "annotate",
    "check_glossary",
    "load_glossary",
    "renderings_for",
    "term_findings",
]
