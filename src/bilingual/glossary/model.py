"""The glossary's data and its YAML files: loading, validating, and the merged Glossary of a run.

Each entry remembers the file and line it came from, so every problem and every listing can
point the user at the line to edit.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import GlossaryError
from ..files import read_bytes
from .entry import Entry
from .fold import fold

if TYPE_CHECKING:
    from ..document import Segment, Term
    from .match import Matcher, Occurrence

# The keys an entry may carry; anything else is most likely a typo (`frist:`) and is an error.
ENTRY_KEYS = (
    "zh",
    "en",
    "first",
    "also",
    "note",
    "type",
    "source",
    "verified",
    "case_sensitive",
)
FILE_KEYS = ("name", "terms")
TYPES = (
    "person",
    "organisation",
    "organization",
    "office",
    "title",
    "agreement",
    "event",
    "place",
    "policy",
    "concept",
    "phrase",
    "other",
)
DEFAULT_FOLDER = "glossary"


@dataclass
class Problem:
    """Something wrong in a glossary file, with the line to look at."""

    file: str
    line: int | None
    message: str
    severity: str = "error"  # "error" stops a run; "warning" is only reported by `glossary check`

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


_LATIN_WORD = re.compile(r"[A-Za-z0-9]+")


class Glossary:
    """The merged glossary of a run: entries from every file, and one matcher built on demand."""

    def __init__(self, entries: Iterable[Entry] = (), files: Sequence[str] = ()) -> None:
        self.entries: list[Entry] = list(entries)
        self.files: list[str] = list(files)
        self._matcher: Matcher | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return True  # an empty glossary is still a glossary (`if glossary:` must not mean `if len`)

    def __repr__(self) -> str:
        return f"Glossary({len(self.entries)} entries from {len(self.files)} files)"

    @property
    def matcher(self) -> Matcher:
        """The Aho-Corasick matcher over every source form, built once and then reused."""
        if self._matcher is None:
            from .match import Matcher

            self._matcher = Matcher(self.entries)
        return self._matcher

    def latin_words(self) -> frozenset[str]:
        """The Latin words (EPPD, AIT, 5G) in the entries' source forms: a reader joins the
        halves of one cut by a line wrap."""
        words: set[str] = set()
        for entry in self.entries:
            for form in entry.zh:
                if form.isascii() or any(c.isascii() for c in form):
                    words.update(_LATIN_WORD.findall(form))
        return frozenset(words)

    def occurrences(self, text: str) -> list[Occurrence]:
        """Every term occurrence in `text`, leftmost-longest, restating parentheticals merged."""
        return self.matcher.occurrences(text)

    def occurrences_in(self, texts: Sequence[str]) -> list[list[Occurrence]]:
        """The occurrences of each text, found in one pass (faster for many short segments)."""
        from .match import occurrences_in

        return occurrences_in(self.matcher, list(texts))

    def entry_for(self, term: Term) -> Entry | None:
        """The entry a segment's term came from (its source matched again), or None."""
        found = self.occurrences(term.source)
        return found[0].entry if found else None

    def digest(self) -> str:
        """`sha256:<hex>` of the renderings in force, for the output's signature and the memory."""
        # One encoder for every row: json.dumps with options builds a new one per call. Rows are
        # sorted as encoded text, which is several times faster than comparing a million tuples
        # and just as independent of the order of the files and entries.
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        rows = sorted(
            encode(
                (tuple(sorted(set(folded))) if len(folded) > 1 else tuple(folded), e.en, e.first)
                + (e.case_sensitive,)
                # `also` only where there is one: a glossary without it keeps its digest (and
                # the memory's drafts made under it)
                + ((tuple(sorted(e.also)),) if e.also else ())
            )
            for e, folded in zip(self.entries, folded_forms(self.entries), strict=True)
        )
        # The hash of the rows joined, fed row by row: a million entries need no 50 MB string.
        sha = hashlib.sha256(b"[")
        for i, text in enumerate(rows):
            sha.update((f",{text}" if i else text).encode("utf-8"))
        sha.update(b"]")
        return "sha256:" + sha.hexdigest()

    def renderings_for(self, segment: Segment) -> list[str]:
        """The renderings a segment's translation must contain, in order (part of a memory key)."""
        return renderings_for(segment)


def renderings_for(segment: Segment) -> list[str]:
    """`source=rendering` for each term of `segment`, in order: what its English is bound to."""
    return [f"{t.source}={t.rendering}" for t in segment.terms]


# ---------------------------------------------------------------------------------------------
# Reading files


def glossary_files(paths: Sequence[str | Path] | None) -> list[Path]:
    """The YAML files behind `paths` (files or folders); None -> ./glossary/ if present."""
    if paths is None or len(paths) == 0:
        default = Path(DEFAULT_FOLDER)
        return _folder_files(default) if default.is_dir() else []
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(_folder_files(path))
        elif path.exists():  # a file, or /dev/null or a pipe: read as given
            files.append(path)
        else:
            raise GlossaryError(f"{path}: no such glossary file or folder")
    unique: list[Path] = []
    seen: set[Path] = set()
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in (".yaml", ".yml")
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def yaml_loader() -> Any:
    """A round-trip ruamel.yaml instance (keeps line numbers, comments and order)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem at its line."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return yaml_loader().load(text), []
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = (e.problem or e.context or "invalid YAML").strip()
        # An unclosed bracket or quote is noticed only at the end of the file: point at where
        # it was opened instead, which is the line to fix.
        if e.context_mark is not None and (mark is None or _at_end(what)):
            mark = e.context_mark
            what = f"{(e.context or '').strip()}: {what}" if e.context else what
        line = min(mark.line + 1, max(text.count("\n"), 1)) if mark is not None else None
        return None, [Problem(name, line, f"YAML syntax error: {what}")]
    except YAMLError as e:  # errors without a position (rare)
        first = str(e).strip().splitlines()[0] if str(e).strip() else "invalid YAML"
        return None, [Problem(name, None, f"YAML error: {first}")]


def _at_end(problem: str) -> bool:
    return "<stream end>" in problem or "end of stream" in problem


def read_text(path: Path) -> str:
    """A glossary file's text; unreadable or non-UTF-8 files are GlossaryErrors."""
    data = read_bytes(path, "glossary file", error=GlossaryError)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise GlossaryError(f"{path}:{line}: not UTF-8 text (glossary files are UTF-8)") from None


def read_file(path: str | Path) -> tuple[list[Entry], list[Problem]]:
    """The entries of one glossary file and the problems found in it (duplicates aside)."""
    path = Path(path)
    name = str(path)
    try:
        text = read_text(path)
    except GlossaryError as e:
        return [], [Problem(name, _line_of(str(e)), str(e).split(": ", 1)[-1])]
    data, problems = load_yaml(text, name)
    del text
    if problems:
        return [], problems
    return entries_from_data(data, name, consume=True)


def load_yaml(text: str, name: str) -> tuple[Any, list[Problem]]:
    """Parse a glossary file for reading: the fast path, or the round-trip parser when unsure.

    Both give containers with ruamel's `.lc` line questions; see `fast_yaml` for what sends a
    file to the round-trip parser (which also words every syntax error).
    """
    from . import fast_yaml

    try:
        return fast_yaml.load(text), []
    except fast_yaml.NotFast:
        return parse_yaml(text, name)


def _line_of(message: str) -> int | None:
    head = message.split(": ", 1)[0]
    tail = head.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def entries_from_data(
    data: Any, name: str, *, consume: bool = False
) -> tuple[list[Entry], list[Problem]]:
    """Validate parsed YAML (round-trip nodes, so lines are known) and build its entries.

    `consume`: drop each parsed item once its entry is built (a million parsed mappings and
    their entries need not be in memory together); `data` is then spent.
    """
    problems: list[Problem] = []
    if data is None:
        return [], []  # an empty file is an empty glossary
    if not isinstance(data, dict):
        return [], [Problem(name, 1, "expected a mapping with a 'terms' list at the top level")]
    for key in data:
        if key not in FILE_KEYS:
            problems.append(
                Problem(
                    name,
                    _key_line(data, key),
                    f"unknown top-level key {key!r} (known: name, terms)",
                )
            )
    if "name" in data and not isinstance(data["name"], str):
        problems.append(Problem(name, _key_line(data, "name"), "'name' must be a string"))
    terms = data.get("terms")
    if terms is None:
        if "terms" not in data:
            problems.append(Problem(name, 1, "no 'terms' list"))
        return [], problems
    if not isinstance(terms, list):
        problems.append(
            Problem(name, _key_line(data, "terms"), "'terms' must be a list of entries")
        )
        return [], problems
    entries: list[Entry] = []
    aliases = getattr(terms, "aliases", None) or {}  # index -> 0-based line (fast path only)
    for index, item in enumerate(terms):
        line = _item_line(terms, index)
        entry, item_problems = _entry(item, name, line)
        if index in aliases:
            alias = aliases[index] + 1
            # `- *name` repeats an anchored entry: say where, besides the anchor's own lines.
            item_problems = [
                Problem(
                    p.file,
                    alias,
                    f"{p.message} (the entry at line {p.line}, repeated here)",
                    p.severity,
                )
                for p in item_problems
            ]
            if entry is not None:
                entry.line, entry.zh_lines = alias, [alias] * len(entry.zh)
        problems.extend(item_problems)
        if entry is not None:
            entries.append(entry)
        if consume:
            terms[index] = None
    return entries, problems


def _entry(item: Any, name: str, line: int | None) -> tuple[Entry | None, list[Problem]]:
    """The entry a YAML item describes, or None when it has an error; and its problems."""
    problems: list[Problem] = []

    def problem(message: str, key: str | None = None) -> None:
        problems.append(Problem(name, _key_line(item, key) if key else line, message))

    if not isinstance(item, dict):
        problem(f"an entry must be a mapping with 'zh' and 'en', not {_kind(item)}")
        return None, problems
    label = _label(item)
    for key in item:
        if key not in ENTRY_KEYS:
            problem(f"{label}unknown key {key!r} (known: {', '.join(ENTRY_KEYS)})", key)
    warnings: list[Problem] = []  # reported by `glossary check`; the entry is still used
    zh, zh_lines = _zh(item, name, line, label, problems, warnings)
    texts = _texts(item, label, problem)
    also = _also(item, label, problem)
    flags = _flags(item, label, problem)

    if problems or not zh or texts["en"] is None:
        return None, problems + warnings
    problems.extend(warnings)
    entry = Entry(
        zh=zh,
        en=texts["en"],
        first=texts["first"],
        note=texts["note"],
        type=texts["type"],
        source=texts["source"],
        verified=flags["verified"],
        case_sensitive=flags["case_sensitive"],
        file=name,
        line=line,
        zh_lines=zh_lines,
        also=[a for a in also if a not in (texts["en"], texts["first"])],
    )
    if not entry.verified:
        problems.append(
            Problem(name, line, f"{entry.zh[0]}: rendering {entry.en!r} is not verified", "warning")
        )
    return entry, problems


def _zh(
    item: dict[str, Any],
    name: str,
    line: int | None,
    label: str,
    problems: list[Problem],
    warnings: list[Problem],
) -> tuple[list[str], list[int]]:
    """The entry's Chinese forms (one string or a list), each once, and the line of each; an
    error names the form's own line."""
    zh: list[str] = []
    zh_lines: list[int] = []
    if "zh" not in item:
        problems.append(Problem(name, line, f"{label}entry has no 'zh' (the Chinese source form)"))
        return zh, zh_lines
    value = item["zh"]
    forms = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        problems.append(Problem(name, _key_line(item, "zh"), f"{label}'zh' is an empty list"))
    for i, form in enumerate(forms):
        form_line = _item_line(value, i) if isinstance(value, list) else _key_line(item, "zh")
        if not isinstance(form, str):
            problems.append(
                Problem(
                    name,
                    form_line,
                    f"{label}'zh' must be a string or a list of strings, not {_kind(form)}",
                )
            )
        elif not form.strip():
            problems.append(Problem(name, form_line, f"{label}'zh' has an empty string"))
        elif form.strip() not in zh:
            zh.append(form.strip())
            zh_lines.append(form_line or line or 0)
            if warning := _form_warning(form.strip()):
                warnings.append(Problem(name, form_line, warning, "warning"))
    return zh, zh_lines


def _texts(item: dict[str, Any], label: str, problem: Any) -> dict[str, str | None]:
    """The entry's texts (`en`, `first`, `note`, `type`, `source`), stripped; None when absent,
    null or wrong (`en` must be there)."""
    texts: dict[str, str | None] = {}
    for key in ("en", "first", "note", "type", "source"):
        if key not in item:
            if key == "en":
                problem(f"{label}entry has no 'en' (the English rendering)")
            texts[key] = None
            continue
        value = item[key]
        if value is None and key != "en":
            texts[key] = None
        elif not isinstance(value, str):
            problem(f"{label}'{key}' must be a string, not {_kind(value)}", key)
            texts[key] = None
        elif not value.strip():
            problem(f"{label}'{key}' is an empty string", key)
            texts[key] = None
        else:
            texts[key] = value.strip()
    if texts["type"] is not None and texts["type"] not in TYPES:
        problem(f"{label}unknown type {texts['type']!r} (known: {', '.join(TYPES)})", "type")
    return texts


def _flags(item: dict[str, Any], label: str, problem: Any) -> dict[str, bool]:
    """The entry's `verified` (true unless said) and `case_sensitive` (false unless said)."""
    flags: dict[str, bool] = {"verified": True, "case_sensitive": False}
    for key in flags:
        if key in item:
            if isinstance(item[key], bool):
                flags[key] = item[key]
            else:
                problem(f"{label}'{key}' must be true or false, not {_kind(item[key])}", key)
    return flags


def _also(item: dict[str, Any], label: str, problem: Any) -> list[str]:
    """The entry's `also`: one string or a list of them, the other accepted renderings."""
    if "also" not in item or item["also"] is None:
        return []
    value = item["also"]
    values = value if isinstance(value, list) else [value]
    also: list[str] = []
    for text in values:
        if not isinstance(text, str):
            what = _kind(text)
            problem(f"{label}'also' must be a string or a list of strings, not {what}", "also")
        elif not text.strip():
            problem(f"{label}'also' has an empty string", "also")
        elif text.strip() not in also:
            also.append(text.strip())
    return also


def _form_warning(form: str) -> str | None:
    """What is odd about a source form that is valid but unlikely to be meant."""
    if all(unicodedata.category(c) in _INVISIBLE for c in form):
        codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(form))
        return f"'zh' form {form!r} is made only of invisible characters ({codes})"
    if len(form) == 1:
        return f"{form}: a one-character source form matches inside many words"
    return None


# Format characters (zero-width spaces and joiners, direction marks, BOM), spaces and controls.
_INVISIBLE = ("Cf", "Zs", "Zl", "Zp", "Cc")


def _label(item: dict[str, Any]) -> str:
    zh = item.get("zh")
    if isinstance(zh, list) and zh and isinstance(zh[0], str):
        zh = zh[0]
    return f"{zh}: " if isinstance(zh, str) and zh.strip() else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _key_line(node: Any, key: Any) -> int | None:
    try:
        return node.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return _node_line(node)


def _item_line(node: Any, index: int) -> int | None:
    try:
        return node.lc.item(index)[0] + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return _node_line(node)


def _node_line(node: Any) -> int | None:
    try:
        return node.lc.line + 1
    except AttributeError:
        return None


# ---------------------------------------------------------------------------------------------
# Checking across files and loading


def folded_forms(entries: Sequence[Entry]) -> list[list[str]]:
    """Each entry's source forms folded (see `match.fold`), in one call for all of them.

    Folding a million forms one call at a time costs seconds in per-call overhead alone.
    """
    forms = [form for entry in entries for form in entry.zh]
    joined = "\x00".join(forms)
    folded = fold(joined).split("\x00") if joined else []
    if len(folded) != len(forms):  # a form holding the separator, or a fold that changed it
        folded = [fold(form) for form in forms]
    result: list[list[str]] = []
    position = 0
    for entry in entries:
        result.append(folded[position : position + len(entry.zh)])
        position += len(entry.zh)
    return result


def duplicate_problems(entries: Sequence[Entry]) -> list[Problem]:
    """The same source form (after script folding) given twice: an error if renderings differ."""
    problems: list[Problem] = []
    seen: dict[str, tuple[Entry, str, int]] = {}
    for entry, keys in zip(entries, folded_forms(entries), strict=True):
        lines = entry.zh_lines or [entry.line or 0] * len(entry.zh)
        for form, form_line, key in zip(entry.zh, lines, keys, strict=True):
            earlier = seen.get(key)
            if earlier is None:
                seen[key] = (entry, form, form_line)
                continue
            other, other_form, other_line = earlier
            if other is entry:
                continue
            if (
                entry.case_sensitive
                and other.case_sensitive
                and fold(form, lower=False) != fold(other_form, lower=False)
            ):
                continue  # AI and Ai as two case-sensitive entries never match the same text
            where = f"{other.file}:{other_line}"
            same_form = "" if form == other_form else f" (as {other_form})"
            overlap = set(entry.accepted) & set(other.accepted)
            if (entry.en, entry.first) != (other.en, other.first) and overlap:
                # One accepted rendering in common: a translation can satisfy both entries.
                shared = ", ".join(repr(r) for r in sorted(overlap))
                problems.append(
                    Problem(
                        entry.file or "<glossary>",
                        form_line,
                        f"{form}: rendered {_renderings(entry)} here and {_renderings(other)} "
                        f"at {where}{same_form}; both accept {shared}",
                        "warning",
                    )
                )
            elif (entry.en, entry.first) != (other.en, other.first):
                theirs = _renderings(other)
                problems.append(
                    Problem(
                        entry.file or "<glossary>",
                        form_line,
                        f"{form}: rendered {_renderings(entry)} here "
                        f"but {theirs} at {where}{same_form}",
                    )
                )
            else:
                problems.append(
                    Problem(
                        entry.file or "<glossary>",
                        form_line,
                        f"{form}: same entry already at {where}{same_form}",
                        "warning",
                    )
                )
    return problems


def _renderings(entry: Entry) -> str:
    return f"{entry.en!r}" + (f" (first {entry.first!r})" if entry.first else "")


def check_glossary(paths: Sequence[str | Path] | None = None) -> tuple[Glossary, list[Problem]]:
    """Read every file: the usable entries and every problem found (errors and warnings)."""
    files = glossary_files(paths)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in files:
        file_entries, file_problems = read_file(path)
        entries.extend(file_entries)
        problems.extend(file_problems)
    problems.extend(duplicate_problems(entries))
    return Glossary(entries, [str(f) for f in files]), problems


def load_glossary(paths: Sequence[str | Path] | None = None) -> Glossary:
    """The merged glossary of `paths` (files or folders); GlossaryError on the first error."""
    glossary, problems = check_glossary(paths)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        where = f"{first.file}:{first.line}" if first.line else first.file
        more = (
            f" (and {len(errors) - 1} more; run `bilingual glossary check`)"
            if len(errors) > 1
            else ""
        )
        raise GlossaryError(f"{where}: {first.message}{more}")
    return glossary
