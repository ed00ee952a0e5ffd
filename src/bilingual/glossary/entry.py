"""One glossary entry: its source forms, the English renderings in force, and where it came from.

Apart from the glossary's files and matcher so that matching (`match`) and loading (`model`)
can both use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)  # a million entries: slots save a third of their memory
class Entry:
    """One glossary entry: source forms (variants) and the English renderings in force."""

    zh: list[str]
    en: str
    first: str | None = None
    note: str | None = None
    type: str | None = None
    source: str | None = None
    verified: bool = True
    case_sensitive: bool = False
    file: str | None = None
    line: int | None = None  # 1-based line of the entry's first key
    zh_lines: list[int] = field(default_factory=list)  # 1-based line of each source form
    # Other renderings a translation may use instead ("the 6th" for "the sixth"): the engine
    # writes `en`/`first`, the checks accept any of these as well.
    also: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file else "<glossary>"

    def rendering(self, *, first_mention: bool) -> str:
        """The rendering for an occurrence: `first` at the first mention when there is one."""
        return self.first if first_mention and self.first else self.en

    @property
    def accepted(self) -> list[str]:
        """Every rendering a translation may use for this entry: `en`, `first`, then `also`."""
        return list(dict.fromkeys([self.en, *([self.first] if self.first else []), *self.also]))

    def to_dict(self) -> dict[str, Any]:
        """The entry as its YAML keys (defaults left out), plus where it came from."""
        data: dict[str, Any] = {"zh": self.zh[0] if len(self.zh) == 1 else list(self.zh)}
        data["en"] = self.en
        for key in ("first", "also", "note", "type", "source"):
            if getattr(self, key):
                data[key] = list(self.also) if key == "also" else getattr(self, key)
        if not self.verified:
            data["verified"] = False
        if self.case_sensitive:
            data["case_sensitive"] = True
        return data
