"""Exchange with translators' tools: CSV/TSV (DeepL, Google) and TBX-Basic (OmegaT, Trados).

Export writes what each format can carry; import reads them back into entries and writes YAML
that `glossary check` accepts. TBX is parsed by `safexml.parse_xml`, as every XML input is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import GlossaryError
from ..files import read_bytes
from ..safexml import parse_xml
from .edit import KEY_ORDER, yaml_value
from .entry import Entry
from .model import Glossary, Problem, duplicate_problems, entries_from_data, parse_yaml

FORMATS = ("csv", "tsv", "tbx")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# How our extra keys travel in TBX: entry-level <note>s that other tools show as plain notes.
_TBX_KEY_PREFIX = "bilingual-"
_TBX_FIRST_NOTE = "first mention"
_TBX_PREFERRED = "preferredTerm-admn-sts"
_TBX_ADMITTED = "admittedTerm-admn-sts"
_HEADER_SOURCE = {"source", "source term", "term", "zh", "chinese", "中文", "原文", "來源", "来源"}
# OWASP's rule against CSV injection: a cell that a spreadsheet would run as a formula (it starts
# with = + - @, a tab or a carriage return) is written after a `'`, which spreadsheets show as
# text. A cell that already starts with quotes before such a character gets one quote more, so
# that import, taking one quote off each, gives back every cell as it was.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_HEADER_TARGET = {"target", "target term", "translation", "en", "english", "英文", "譯文", "译文"}


# ---------------------------------------------------------------------------------------------
# Export


def export_glossary(glossary: Glossary, format: str) -> bytes:
    """The glossary in `format` (csv, tsv or tbx) as bytes (UTF-8)."""
    if format == "csv":
        return export_delimited(glossary, ",").encode("utf-8")
    if format == "tsv":
        return export_delimited(glossary, "\t").encode("utf-8")
    if format == "tbx":
        return export_tbx(glossary)
    raise GlossaryError(f"unknown glossary format {format!r} (choose from {', '.join(FORMATS)})")


def export_delimited(glossary: Glossary, delimiter: str = ",") -> str:
    """One `source,target` row per source form, no header: what DeepL and Google glossaries take.

    Two columns carry no first-mention form and no other accepted renderings (`also`): the
    running-text rendering `en` is exported.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for entry in glossary.entries:
        for form in entry.zh:
            writer.writerow([_as_text(form), _as_text(entry.en)])
    return out.getvalue()


def _as_text(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never runs it (`_FORMULA`)."""
    return f"'{cell}" if _FORMULA.match(cell) else cell


def _from_text(cell: str) -> str:
    """The cell `_as_text` was given."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell) else cell


def export_tbx(glossary: Glossary, *, source_lang: str = "zh") -> bytes:
    """TBX-Basic (martif, ISO 30042:2008): one termEntry per entry, every form and note kept."""
    from lxml import etree

    martif = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: "en"})
    header = etree.SubElement(martif, "martifHeader")
    file_desc = etree.SubElement(header, "fileDesc")
    source_desc = etree.SubElement(file_desc, "sourceDesc")
    etree.SubElement(source_desc, "p").text = "Exported by bilingual from " + (
        ", ".join(glossary.files) or "a glossary"
    )
    encoding = etree.SubElement(header, "encodingDesc")
    etree.SubElement(encoding, "p", {"type": "XCSURI"}).text = "TBXBasicXCSV02.xcs"
    body = etree.SubElement(etree.SubElement(martif, "text"), "body")
    for number, entry in enumerate(glossary.entries, 1):
        term_entry = etree.SubElement(body, "termEntry", {"id": f"e{number}"})
        if entry.note:
            etree.SubElement(term_entry, "note").text = entry.note
        for key in ("type", "source"):
            if getattr(entry, key):
                etree.SubElement(
                    term_entry, "note"
                ).text = f"{_TBX_KEY_PREFIX}{key}: {getattr(entry, key)}"
        if not entry.verified:
            etree.SubElement(term_entry, "note").text = f"{_TBX_KEY_PREFIX}verified: false"
        if entry.case_sensitive:
            etree.SubElement(term_entry, "note").text = f"{_TBX_KEY_PREFIX}case_sensitive: true"
        zh_set = etree.SubElement(term_entry, "langSet", {XML_LANG: source_lang})
        for form in entry.zh:
            tig = etree.SubElement(zh_set, "tig")
            etree.SubElement(tig, "term").text = form
        en_set = etree.SubElement(term_entry, "langSet", {XML_LANG: "en"})
        tig = etree.SubElement(en_set, "tig")
        etree.SubElement(tig, "term").text = entry.en
        etree.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = _TBX_PREFERRED
        if entry.first and entry.first != entry.en:
            tig = etree.SubElement(en_set, "tig")
            etree.SubElement(tig, "term").text = entry.first
            etree.SubElement(tig, "termNote", {"type": "termType"}).text = "fullForm"
            etree.SubElement(tig, "note").text = _TBX_FIRST_NOTE
        for also in entry.also:  # other accepted renderings: TBX-Basic's admitted terms
            tig = etree.SubElement(en_set, "tig")
            etree.SubElement(tig, "term").text = also
            etree.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = _TBX_ADMITTED
    return etree.tostring(
        etree.ElementTree(martif),
        xml_declaration=True,
        encoding="UTF-8",
        pretty_print=True,
        doctype='<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">',
    )


# ---------------------------------------------------------------------------------------------
# Import


def import_entries(path: str | Path) -> list[Entry]:
    """Entries from a CSV/TSV (by extension or content) or TBX file; errors name the row."""
    path = Path(path)
    data = read_bytes(path, "glossary file", error=GlossaryError)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200]
    suffix = path.suffix.lower()
    # A .csv/.tsv is read as such even when its first cell starts with "<"; other names by content.
    if suffix in (".tbx", ".xml") or (suffix not in (".csv", ".tsv") and head.startswith(b"<")):
        entries = import_tbx(data, str(path))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GlossaryError(f"{path}: not UTF-8 text (CSV/TSV glossaries are UTF-8)") from None
        delimiter = "\t" if suffix == ".tsv" or _looks_tab_separated(text) else ","
        entries = import_delimited(text, str(path), delimiter)
    conflicts = [p for p in duplicate_problems(entries) if p.severity == "error"]
    if conflicts:
        raise GlossaryError(str(conflicts[0]).replace(": error:", ":", 1))
    return entries


def _looks_tab_separated(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" in first and "," not in first


def import_delimited(text: str, name: str, delimiter: str = ",") -> list[Entry]:
    """Rows of `source,target[,source_lang,target_lang]`, an optional header; rows with one
    rendering become one entry whose variants are all the sources given for it."""
    by_rendering: dict[str, Entry] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        number = reader.line_num
        cells = [_from_text(c.strip()) for c in row]
        if not any(cells):
            continue
        if len(cells) < 2:
            raise GlossaryError(
                f"{name}:{number}: expected two columns (Chinese, English), got one"
            )
        source, target = cells[0], cells[1]
        if (
            len(cells) >= 4
            and cells[2].lower().startswith("en")
            and cells[3].lower().startswith("zh")
        ):
            source, target = target, source  # a DeepL row written English -> Chinese
        if number == 1 and _is_header(source, target):
            continue
        if not source or not target:
            raise GlossaryError(
                f"{name}:{number}: empty {'source' if not source else 'target'} term"
            )
        entry = by_rendering.get(target)
        if entry is None:
            by_rendering[target] = Entry(
                zh=[source], en=target, file=name, line=number, zh_lines=[number]
            )
        elif source not in entry.zh:
            entry.zh.append(source)
            entry.zh_lines.append(number)
    return list(by_rendering.values())


def _is_header(source: str, target: str) -> bool:
    s, t = source.lower(), target.lower()
    return (s in _HEADER_SOURCE or s.startswith("zh")) and (
        t in _HEADER_TARGET or t.startswith("en")
    )


def import_tbx(data: bytes, name: str) -> list[Entry]:
    """Entries from TBX-Basic/martif (termEntry, langSet, tig/ntig) or TBX v3 (conceptEntry)."""
    # TBX files name their DTD (<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">, as our own
    # export does); one that declares entities is refused like any other.
    root = parse_xml(data, name, error=GlossaryError, allow_bare_doctype=True)
    entries: list[Entry] = []
    for node in root.iter():
        if _local(node) not in ("termEntry", "conceptEntry"):
            continue
        entry = _tbx_entry(node, name)
        if entry is not None:
            entries.append(entry)
    if not entries and _local(root) not in ("martif", "tbx"):
        raise GlossaryError(f"{name}:1: not a TBX file (root element <{_local(root)}>)")
    return entries


def _tbx_entry(node: object, name: str) -> Entry | None:
    zh: list[str] = []
    english: list[tuple[str, str, bool]] = []  # (term, administrative status, first mention)
    notes: list[str] = []
    extras: dict[str, str] = {}
    for child in node:  # type: ignore[attr-defined]
        kind = _local(child)
        if kind in ("note", "descrip") and (child.text or "").strip():
            text = child.text.strip()
            if text.startswith(_TBX_KEY_PREFIX) and ":" in text:
                key, value = text[len(_TBX_KEY_PREFIX) :].split(":", 1)
                extras[key.strip()] = value.strip()
            else:
                notes.append(text)
        elif kind in ("langSet", "langSec"):
            lang = (child.get(XML_LANG) or child.get("lang") or "").lower()
            for term, status, first_mention in _tbx_terms(child):
                if lang.startswith("zh"):
                    if term not in zh:
                        zh.append(term)
                elif lang.startswith("en"):
                    english.append((term, status, first_mention))
    if not zh or not english:
        return None
    running = [t for t in english if not t[2]] or english
    en = next((t for t, status, _ in running if status.startswith("preferred")), running[0][0])
    first = next((t for t, _, is_first in english if is_first), None)
    # Admitted terms are other acceptable renderings; any other term is kept as a note.
    also = [t for t, status, _ in english if status.startswith("admitted") and t not in (en, first)]
    others = [t for t, _, _ in english if t not in (en, first, *also)]
    if others:
        notes.append("Also: " + "; ".join(others))
    line = getattr(node, "sourceline", None)
    return Entry(
        zh=zh,
        en=en,
        first=first,
        note=" ".join(notes) or None,
        type=extras.get("type"),
        source=extras.get("source"),
        verified=extras.get("verified", "true").lower() != "false",
        case_sensitive=extras.get("case_sensitive", "false").lower() == "true",
        file=name,
        line=line,
        zh_lines=[line or 0] * len(zh),
        also=list(dict.fromkeys(also)),
    )


def _tbx_terms(lang_set: object) -> list[tuple[str, str, bool]]:
    terms = []
    for group in lang_set.iter():  # type: ignore[attr-defined]
        if _local(group) not in ("tig", "ntig", "termSec"):
            continue
        term = next((e for e in group.iter() if _local(e) == "term"), None)
        if term is None:
            continue
        # Text nodes only: an unresolved entity reference (&ext;) is not part of the term.
        text = "".join(term.xpath(".//text()")).strip()
        if not text:
            continue
        status = {(_local(e), e.get("type")): (e.text or "").strip() for e in group.iter()}
        administrative = status.get(("termNote", "administrativeStatus"), "")
        first = any(
            _local(e) == "note" and (e.text or "").strip() == _TBX_FIRST_NOTE for e in group.iter()
        )
        terms.append((text, administrative, first))
    return terms


def _local(node: object) -> str:
    tag = getattr(node, "tag", None)
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Writing YAML


def entries_to_yaml(
    entries: Sequence[Entry], *, name: str | None = None, comment: str | None = None
) -> str:
    """A glossary file for `entries` in the starter glossary's style (2-space, blank lines)."""
    lines: list[str] = []
    if comment:
        lines.extend(f"# {line}".rstrip() for line in comment.splitlines())
    if name:
        lines.append(f"name: {yaml_value(name)}")
    if not entries:
        lines.append("terms: []")
        return "\n".join(lines) + "\n"
    lines.append("terms:")
    for number, entry in enumerate(entries):
        if number:
            lines.append("")
        values = {**entry.to_dict()}
        for position, key in enumerate(k for k in KEY_ORDER if k in values):
            lead = "  - " if position == 0 else "    "
            lines.append(f"{lead}{key}: {yaml_value(values[key])}")
    return "\n".join(lines) + "\n"


def check_yaml_text(text: str, name: str) -> list[Problem]:
    """Problems of a YAML text as `glossary check` would report them (used before writing)."""
    data, problems = parse_yaml(text, name)
    if problems:
        return problems
    entries, problems = entries_from_data(data, name)
    return problems + duplicate_problems(entries)


@dataclass
class ImportResult:
    path: Path
    entries: int
    forms: int


def import_file(
    source: str | Path,
    output: str | Path | None = None,
    *,
    force: bool = False,
    glossary_paths: Sequence[str | Path] | None = None,
) -> ImportResult:
    """Convert a CSV/TSV/TBX glossary into a YAML file that `glossary check` accepts.

    Refuses (writing nothing) when the output exists (unless `force`) or when an imported form
    conflicts with the glossary already in force.
    """
    from ..errors import UsageError
    from ..files import write_text
    from .model import DEFAULT_FOLDER, check_glossary

    source = Path(source)
    entries = import_entries(source)
    path = Path(output) if output is not None else Path(DEFAULT_FOLDER) / f"{source.stem}.yaml"
    if path.exists() and not force:
        raise UsageError(
            f"{path}: already exists (use --force to overwrite, or -o for another file)"
        )
    text = entries_to_yaml(
        entries,
        name=source.stem,
        comment=f"Imported from {source.name} by bilingual glossary import.",
    )
    problems = [p for p in check_yaml_text(text, str(path)) if p.severity == "error"]
    if problems:  # cannot happen for entries we built; refuse rather than write a bad file
        raise GlossaryError(str(problems[0]).replace(": error:", ":", 1))
    existing, _ = check_glossary(glossary_paths if glossary_paths else None)
    resolved = path.resolve()
    others = [e for e in existing.entries if e.file is None or Path(e.file).resolve() != resolved]
    written = entries_from_data(parse_yaml(text, str(path))[0], str(path))[0]
    conflicts = [
        p
        for p in duplicate_problems(others + written)
        if p.severity == "error" and p.file == str(path)
    ]
    if conflicts:
        raise GlossaryError(f"{source}: {conflicts[0].message} (nothing written)")
    write_text(path, text)
    return ImportResult(path, len(entries), sum(len(e.zh) for e in entries))
