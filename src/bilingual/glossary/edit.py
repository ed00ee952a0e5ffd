"""`glossary add`: put an entry into a hand-edited YAML file without disturbing anything else.

The file is edited as text at the lines ruamel.yaml's round-trip parser locates, so comments,
order, quoting, blank lines and the file's own indentation stay byte for byte outside the new
entry; the result is parsed and validated again before it replaces the file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import GlossaryError, UsageError
from .fold import fold
from .model import (
    DEFAULT_FOLDER,
    TYPES,
    Entry,
    check_glossary,
    entries_from_data,
    glossary_files,
    parse_yaml,
    read_text,
)

# The order keys are written in; it is the order of the starter glossary.
KEY_ORDER = ("zh", "en", "first", "also", "type", "source", "verified", "case_sensitive", "note")


@dataclass
class AddResult:
    """What `add_entry` did: "added", "replaced" or "unchanged", in which file, at which line."""

    action: str
    path: Path
    line: int
    entry: Entry


@dataclass
class Layout:
    """How a file writes its term list: the dash column, the key column, the line ending."""

    dash: int = 2
    key: int = 4
    newline: str = "\n"
    blank_between: bool = False


def add_entry(
    zh: str,
    en: str,
    *,
    first: str | None = None,
    note: str | None = None,
    type: str | None = None,
    verified: bool = True,
    also: Sequence[str] | None = None,
    file: str | Path | None = None,
    replace: bool = False,
    glossary_paths: Sequence[str | Path] | None = None,
) -> AddResult:
    """Append an entry (or, with `replace`, change a conflicting one in place) and save the file.

    `also`: other acceptable renderings; None keeps those of the entry replaced.
    """
    zh, en = zh.strip(), en.strip()
    accepted = None if also is None else list(dict.fromkeys(a.strip() for a in also if a.strip()))
    if not zh or not en:
        raise UsageError("glossary add: ZH and EN must not be empty")
    if type is not None and type not in TYPES:
        raise UsageError(f"glossary add: unknown type {type!r} (known: {', '.join(TYPES)})")
    glossary, problems = check_glossary(_paths_with(glossary_paths, file))
    key = fold(zh)
    existing = next((e for e in glossary.entries if key in {fold(z) for z in e.zh}), None)
    path = (
        Path(file)
        if file is not None
        else _target_file(glossary_paths, existing if replace else None)
    )
    broken = [p for p in problems if p.severity == "error" and Path(p.file) == path]
    if broken:
        raise GlossaryError(
            f"{broken[0]} (fix the file before adding to it)".replace(": error:", ":", 1)
        )

    if existing is not None:
        same = existing.en == en and (first is None or first == existing.first)
        if same and note is None and type is None and accepted in (None, existing.also):
            return AddResult("unchanged", Path(existing.file or path), existing.line or 0, existing)
        if not replace:
            raise UsageError(
                f"{zh} is already in the glossary: {existing.zh[0]} -> {existing.en!r} at "
                f"{existing.where}; use --replace to change it"
            )
        if Path(existing.file or "") != path:
            raise UsageError(
                f"{zh} is in {existing.where}, not in {path}; "
                f"add --file {existing.file} to replace it there"
            )
        forms = list(existing.zh) + ([zh] if key not in {fold(z) for z in existing.zh} else [])
        entry = Entry(
            zh=forms,
            en=en,
            first=first,
            note=note if note is not None else existing.note,
            type=type or existing.type,
            source=existing.source,
            verified=verified,
            case_sensitive=existing.case_sensitive,
            also=existing.also if accepted is None else accepted,
        )
        action = "replaced"
    else:
        entry = Entry(zh=[zh], en=en, first=first, note=note, type=type, verified=verified)
        entry.also = accepted or []
        action = "added"

    text = read_text(path) if path.exists() else ""
    new_text, line = edit_text(
        text, entry, str(path), replace_line=existing.line if existing else None
    )
    _validate(new_text, str(path))
    from ..files import write_text

    write_text(path, new_text)
    entry.file, entry.line = str(path), line
    return AddResult(action, path, line, entry)


def _paths_with(
    paths: Sequence[str | Path] | None, file: str | Path | None
) -> list[str | Path] | None:
    if file is None:
        return list(paths) if paths else None
    chosen: list[str | Path] = (
        list(paths) if paths else ([DEFAULT_FOLDER] if Path(DEFAULT_FOLDER).is_dir() else [])
    )
    if Path(file).exists():
        chosen.append(file)
    return chosen


def _lc(node: Any) -> Any:
    """ruamel's line and column record of a parsed mapping or list (unknown to `dict`/`list`)."""
    return node.lc


def _target_file(paths: Sequence[str | Path] | None, existing: Entry | None) -> Path:
    if existing is not None and existing.file:
        return Path(existing.file)
    if paths:
        files = glossary_files(paths)
        if len(paths) == 1 and not Path(paths[0]).is_dir():
            return Path(paths[0])
        where = ", ".join(str(p) for p in paths)
    else:
        folder = Path(DEFAULT_FOLDER)
        files = glossary_files(None)
        if not files:
            return folder / "glossary.yaml"
        where = f"{folder}/"
    if len(files) == 1:
        return files[0]
    if not files:
        raise UsageError(f"no glossary file in {where}; name one with --file")
    names = ", ".join(str(f) for f in files)
    raise UsageError(f"{where} has several glossary files ({names}); choose one with --file")


def _validate(text: str, name: str) -> None:
    data, problems = parse_yaml(text, name)
    if not problems:
        _, problems = entries_from_data(data, name)
    errors = [p for p in problems if p.severity == "error"]
    if errors:  # a bug of ours, never the user's: refuse rather than write a broken file
        raise GlossaryError(f"{errors[0]} (after the edit; the file was not changed)")


# ---------------------------------------------------------------------------------------------
# Text editing


def edit_text(
    text: str, entry: Entry, name: str, *, replace_line: int | None = None
) -> tuple[str, int]:
    """`text` with `entry` appended to its term list, or in place of the entry at `replace_line`.

    Returns the new text and the 1-based line where the entry starts.
    """
    data, problems = parse_yaml(text, name) if text.strip() else (None, [])
    if problems:
        raise GlossaryError(str(problems[0]).replace(": error:", ":", 1))
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline

    if data is not None and not isinstance(data, dict):
        raise GlossaryError(f"{name}:1: expected a mapping with a 'terms' list at the top level")
    if data is None or "terms" not in data:
        # No term list yet: add one at the end, in the common 2-space style.
        block = ["terms:" + newline, *render_entry(entry, Layout(newline=newline))]
        return "".join(lines + block), len(lines) + 2

    terms = data["terms"]
    terms_line = _lc(data).key("terms")[0]
    if not isinstance(terms, list) or (not terms and _flow_on_line(lines[terms_line])):
        # `terms:` with nothing, or `terms: []`: turn it into a block list right there.
        layout = Layout(newline=newline)
        if isinstance(terms, list):
            head = lines[terms_line]
            lines[terms_line] = head[: head.index("terms") + len("terms")] + ":" + newline
        at = terms_line + 1
        block = render_entry(entry, layout)
        return "".join(lines[:at] + block + lines[at:]), at + 1

    layout = detect_layout(lines, terms, newline)
    end = _list_end(lines, data, terms_line, layout)
    if replace_line is not None:
        index = next(i for i in range(len(terms)) if _lc(terms).item(i)[0] + 1 == replace_line)
        start = _dash_line(lines, _lc(terms).item(index)[0], layout)
        stop = (
            _dash_line(lines, _lc(terms).item(index + 1)[0], layout)
            if index + 1 < len(terms)
            else end
        )
        stop = _content_end(lines, start, stop, layout, keep_comments=True)
        block = render_entry(entry, layout)
        return "".join(lines[:start] + block + lines[stop:]), start + 1
    at = _content_end(
        lines, _dash_line(lines, _lc(terms).item(len(terms) - 1)[0], layout), end, layout
    )
    block = render_entry(entry, layout)
    if layout.blank_between:
        block.insert(0, newline)
    return "".join(lines[:at] + block + lines[at:]), at + 1 + (1 if layout.blank_between else 0)


def _flow_on_line(line: str) -> bool:
    return "[" in line.split("#", 1)[0]


def detect_layout(lines: list[str], terms: Any, newline: str) -> Layout:
    """The dash and key columns of the existing entries, and whether blank lines separate them."""
    line, key = terms.lc.item(0)
    dash_line = _find_dash(lines, line, key)
    text = lines[dash_line]
    dash = text.index("-") if "-" in text[:key] or dash_line != line else max(key - 2, 0)
    blank = False
    if len(terms) > 1:
        second = _find_dash(lines, *terms.lc.item(1))
        blank = second > 0 and not lines[second - 1].strip()
    return Layout(dash=dash, key=key, newline=newline, blank_between=blank)


def _find_dash(lines: list[str], line: int, key: int) -> int:
    """The line of an item's dash: its first key's line, or above it for a bare `-` line."""
    if "-" in lines[line][:key]:
        return line
    for i in range(line - 1, -1, -1):
        if lines[i].strip() == "-":
            return i
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            break
    return line


def _dash_line(lines: list[str], line: int, layout: Layout) -> int:
    return _find_dash(lines, line, layout.key)


def _list_end(lines: list[str], data: Any, terms_line: int, layout: Layout) -> int:
    """The first line after the term list: the next top-level key's line, or the end of the file."""
    later = [data.lc.key(k)[0] for k in data if data.lc.key(k)[0] > terms_line]
    return min(later) if later else len(lines)


def _content_end(
    lines: list[str], start: int, stop: int, layout: Layout, *, keep_comments: bool = False
) -> int:
    """The line after an item's last line; trailing blank lines and outdented comments stay outside.

    With `keep_comments` (replacing an entry), every trailing comment stays: it is the user's.
    """
    end = start + 1
    for i in range(start + 1, stop):
        stripped = lines[i].strip()
        if not stripped:
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        if stripped.startswith("#") and (keep_comments or indent <= layout.dash):
            continue
        end = i + 1
    return end


def render_entry(entry: Entry, layout: Layout) -> list[str]:
    """The lines of one list item in the file's layout."""
    values: dict[str, Any] = {"zh": entry.zh[0] if len(entry.zh) == 1 else list(entry.zh)}
    values.update(
        en=entry.en,
        first=entry.first,
        also=list(entry.also) or None,
        type=entry.type,
        source=entry.source,
        verified=None if entry.verified else False,
        case_sensitive=True if entry.case_sensitive else None,
        note=entry.note,
    )
    lines: list[str] = []
    for key in KEY_ORDER:
        value = values.get(key)
        if value is None:
            continue
        lead = (
            " " * layout.dash + "-" + " " * (layout.key - layout.dash - 1)
            if not lines
            else " " * layout.key
        )
        lines.append(f"{lead}{key}: {yaml_value(value)}{layout.newline}")
    return lines


def yaml_value(value: Any) -> str:
    """A value as YAML on one line: plain when that reads back the same, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        items = ", ".join(_flow_item(v) for v in value)
        return f"[{items}]"
    text = str(value)
    return text if _reads_back(f"k: {text}\n", text) else _quoted(text)


def _flow_item(text: str) -> str:
    return text if _reads_back(f"k: [{text}]\n", [text]) else _quoted(text)


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar: the characters as they are where YAML allows them, escaped
    where it does not (a noncharacter such as U+FFFE is refused even inside quotes)."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted if _reads_back(f"k: {quoted}\n", text) else json.dumps(text)


def _reads_back(snippet: str, expected: Any) -> bool:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        loaded = YAML(typ="safe", pure=True).load(snippet)
    except YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == expected
