"""Reads a reviewed DOCX written by our exporter: each segment's English, found by its bookmark.

Side-by-side layout: each table row carries its segment id as bookmarks (`b3s2` in the English
cell, `zh_b3s2` in the Chinese one); the whole English cell of that row is the segment's target,
so edits that run past the bookmark, or a bookmark a word processor dropped, lose nothing.
Interleaved layout: an English paragraph holds several segments, each starting at its bookmark.
The file is read with zipfile and lxml directly (never extracted), with size limits and no
entity resolution, because it comes back from outside.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..exporters import READER_FINGERPRINT, REVISION_PREFIX, read_revision_stamp
from ..safexml import parse_xml
from ..unpack import zip_member
from ..wordml import NOT_SHOWN
from . import CHINESE_PREFIX, SEGMENT_ID, EditedFile, EditedSegment, Problem, squash

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"
CORE_PROPERTIES = "/metadata/core-properties"
# The exporter's "Terms: …" help under an empty English cell is not part of the translation.
HINT_STYLE_ID = "TermHints"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Text Word does not show (deleted revisions, a text box's Fallback copy) is not part of what
# the reviewer left.
_GONE = NOT_SHOWN
_BREAKS = {_w("tab"), _w("br"), _w("cr")}


class DocxImporter:
    name = "docx"
    extensions = (".docx",)

    def read(self, path: Path) -> EditedFile:
        parts = _read_package(path)
        body = parts.document.find(_w("body"))
        if body is None:
            raise InputError(f"{path}: not a Word document (no body in {parts.document_name})")
        if parts.identifier and parts.identifier.startswith(READER_FINGERPRINT):
            raise InputError(
                f"{path}: a reader's edition, which is not meant to be imported; import the "
                "review edition (`bilingual export DOC.json --edition review`, then edited)"
            )
        edited = EditedFile(path=path, format="docx", fingerprint=parts.identifier)
        if parts.identifier and parts.identifier.startswith("bilingual:"):
            # bilingual:<meta.input>:<hash>; the input name may itself hold colons
            edited.original = parts.identifier.removeprefix("bilingual:").rpartition(":")[0]
            edited.original = edited.original or None
        _drop_hints(body, parts.hint_styles)
        found = _Bookmarks.collect(body)
        if not found.starts:
            why = (
                "its segment bookmarks are gone"
                if edited.original is not None
                else "no segment bookmarks and no bilingual identifier"
            )
            raise InputError(
                f"{path}: not a DOCX written by bilingual ({why}); "
                "import a DOCX written by `bilingual export DOC.json --format docx`, then edited"
            )
        _read_rows(found, edited)
        _read_paragraphs(found, edited)
        _refuse_collisions(edited)
        _read_revisions(body, edited)
        return edited


def _read_revisions(body: Any, edited: EditedFile) -> None:
    """Each segment's revision at export, from its bookmark rev_<id>_<revision>_<digest>."""
    stamps: dict[str, tuple[str, str]] = {}
    for element in body.iter(_w("bookmarkStart")):
        name = element.get(_w("name"), "")
        if name.startswith(REVISION_PREFIX):
            segment_id, _, stamp = name.removeprefix(REVISION_PREFIX).partition("_")
            found = read_revision_stamp(stamp)
            if found is not None:
                stamps[segment_id] = found
    for segment in edited.segments:
        if segment.segment_id in stamps:
            segment.revision, segment.english = stamps[segment.segment_id]


# --- the package --------------------------------------------------------------------------------


@dataclass
class _Parts:
    document: Any
    document_name: str
    identifier: str | None
    hint_styles: set[str] = field(default_factory=set)  # style ids of help that is not English


def _read_package(path: Path) -> _Parts:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
        raise InputError(f"{path}: not a DOCX (not a zip file, or a corrupt one)") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})") from None
    with archive:
        rels = _member(archive, "_rels/.rels", path)
        targets = _relationship_targets(rels, path) if rels is not None else {}
        document_name = targets.get(OFFICE_DOCUMENT, "word/document.xml")
        data = _member(archive, document_name, path)
        if data is None:
            raise InputError(f"{path}: not a DOCX (no {document_name} in the zip)")
        document = parse_xml(data, f"{path}:{document_name}")
        if document.tag != _w("document"):
            raise InputError(f"{path}: not a Word document ({document_name} is not w:document)")
        core_name = targets.get(CORE_PROPERTIES, "docProps/core.xml")
        core = _member(archive, core_name, path)
        identifier = None
        if core is not None:
            element = parse_xml(core, f"{path}:{core_name}").find(f"{{{DC}}}identifier")
            if element is not None and element.text:
                identifier = element.text.strip()
        styles_name = posixpath.join(posixpath.dirname(document_name), "styles.xml")
        styles = _member(archive, styles_name, path)
        hint_styles = _hint_styles(parse_xml(styles, f"{path}:{styles_name}")) if styles else set()
    return _Parts(document, document_name, identifier, hint_styles | {HINT_STYLE_ID})


def _hint_styles(styles: Any) -> set[str]:
    """Ids of the paragraph styles named "Term Hints" (another office suite may rename the id)."""
    found = set()
    for style in styles.iter(_w("style")):
        name = style.find(_w("name"))
        if name is not None and name.get(_w("val"), "").replace(" ", "").lower() == "termhints":
            found.add(style.get(_w("styleId"), ""))
    return found


def _member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes | None:
    return zip_member(archive, name, str(path))


def _relationship_targets(data: bytes, path: Path) -> dict[str, str]:
    """Relationship type suffix -> part name, for the package-level relationships."""
    root = parse_xml(data, f"{path}:_rels/.rels")
    targets: dict[str, str] = {}
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        name = posixpath.normpath(target.lstrip("/"))
        if name.startswith("../") or name == "..":
            raise InputError(f"{path}: _rels/.rels points outside the package ({target}); refused")
        for suffix in (OFFICE_DOCUMENT, CORE_PROPERTIES):
            if kind.endswith(suffix):
                targets.setdefault(suffix, name)
    return targets


# --- bookmarks and text ---------------------------------------------------------------------------


@dataclass
class _Start:
    name: str  # "b3s2" or "zh_b3s2"
    element: Any

    @property
    def segment_id(self) -> str:
        return self.name.removeprefix(CHINESE_PREFIX)

    @property
    def chinese(self) -> bool:
        return self.name.startswith(CHINESE_PREFIX)


@dataclass
class _Bookmarks:
    """The segment bookmarks of a document body, and the text each one covers."""

    starts: list[_Start] = field(default_factory=list)  # in document order
    covered: dict[str, str] = field(default_factory=dict)  # bookmark name -> text in its range
    # paragraph -> its pieces in order: a bookmark start (_Start) or a text (str)
    pieces: dict[Any, list[Any]] = field(default_factory=dict)

    @classmethod
    def collect(cls, body: Any) -> _Bookmarks:
        found = cls()
        open_names: dict[str, str] = {}  # w:id -> name of bookmarks whose range is open
        texts: dict[str, list[str]] = defaultdict(list)
        tags = (_w("bookmarkStart"), _w("bookmarkEnd"), _w("t"), _w("p"), *_BREAKS)
        for element in body.iter(*tags):
            tag = element.tag
            if tag == _w("p"):
                for name in open_names.values():
                    texts[name].append("\n")
                continue
            if tag == _w("bookmarkStart"):
                name = element.get(_w("name"), "")
                if SEGMENT_ID.fullmatch(name.removeprefix(CHINESE_PREFIX)):
                    start = _Start(name, element)
                    found.starts.append(start)
                    open_names[element.get(_w("id"), name)] = name
                    found._piece(element, start)
                continue
            if tag == _w("bookmarkEnd"):
                open_names.pop(element.get(_w("id"), ""), None)
                continue
            if _gone(element):
                continue
            text = (element.text or "") if tag == _w("t") else " "
            for name in open_names.values():
                texts[name].append(text)
            found._piece(element, text)
        found.covered = {name: squash("".join(parts)) for name, parts in texts.items()}
        return found

    def _piece(self, element: Any, piece: Any) -> None:
        paragraph = _ancestor(element, _w("p"))
        if paragraph is not None:
            self.pieces.setdefault(paragraph, []).append(piece)


def _drop_hints(body: Any, styles: set[str]) -> None:
    for paragraph in list(body.iter(_w("p"))):
        style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
        if style is not None and style.get(_w("val")) in styles:
            paragraph.getparent().remove(paragraph)


def _ancestor(element: Any, tag: str) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _gone(element: Any) -> bool:
    parent = element.getparent()
    while parent is not None and parent.tag != _w("body"):
        if parent.tag in _GONE:
            return True
        parent = parent.getparent()
    return False


def _text(element: Any) -> str:
    """The text a reader sees in a cell: paragraphs joined, deleted revisions left out."""
    parts: list[str] = []
    for node in element.iter(_w("t"), _w("p"), *_BREAKS):
        if node.tag == _w("p"):
            parts.append("\n")
        elif not _gone(node):
            parts.append((node.text or "") if node.tag == _w("t") else " ")
    return squash("".join(parts))


# --- side-by-side: one table row per segment -----------------------------------------------------


def _read_rows(found: _Bookmarks, edited: EditedFile) -> None:
    rows: dict[Any, list[_Start]] = {}
    for start in found.starts:
        row = _ancestor(start.element, _w("tr"))
        if row is not None:
            rows.setdefault(row, []).append(start)
    tables = list(dict.fromkeys(row.getparent() for row in rows))
    for table in tables:
        for number, row in enumerate(table.findall(_w("tr")), 1):
            _read_row(row, number, rows.get(row, []), edited)


def _read_row(row: Any, number: int, starts: list[_Start], edited: EditedFile) -> None:
    where = f"row {number}"
    cells = row.findall(_w("tc"))
    ids = list(dict.fromkeys(s.segment_id for s in starts))
    if not ids:
        header = row.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None
        if number > 1 and not header and _text(row):
            edited.problems.append(
                Problem(
                    where,
                    "a row without a segment id (added by hand?) was not imported; "
                    "move its English into the row of the segment it belongs to",
                )
            )
        return
    if len(ids) > 1:
        edited.refused.update(ids)
        edited.problems.append(
            Problem(
                where,
                f"holds segments {', '.join(ids)} (rows merged?); none of them was imported: "
                "keep one segment per row, or edit the JSON form",
            )
        )
        return
    segment_id = ids[0]
    english = next((s for s in starts if not s.chinese), None)
    chinese = next((s for s in starts if s.chinese), None)
    english_cell = _ancestor(english.element, _w("tc")) if english else None
    chinese_cell = _ancestor(chinese.element, _w("tc")) if chinese else None
    if english_cell is None:  # the English bookmark was typed over: the cell beside the Chinese
        others = [c for c in cells if c is not chinese_cell]
        english_cell = others[-1] if others and len(cells) >= 2 else None
    if chinese_cell is None and cells and cells[0] is not english_cell:
        chinese_cell = cells[0]
    if english_cell is None:
        edited.refused.add(segment_id)
        edited.problems.append(
            Problem(where, "has no English cell; not imported", segment_id=segment_id)
        )
        return
    edited.segments.append(
        EditedSegment(
            segment_id=segment_id,
            target=_text(english_cell),
            where=where,
            source=_text(chinese_cell) if chinese_cell is not None else None,
        )
    )


# --- interleaved: each block's Chinese paragraph, then its English paragraph --------------------


def _read_paragraphs(found: _Bookmarks, edited: EditedFile) -> None:
    block_english: dict[str, set[str]] = defaultdict(set)
    block_chinese: dict[str, set[str]] = defaultdict(set)
    numbers = {p: n for n, p in enumerate(found.pieces, 1)}
    for paragraph, pieces in found.pieces.items():
        if _ancestor(paragraph, _w("tr")) is not None:
            continue  # table rows are read whole, above
        current: str | None = None
        collected: dict[str, list[str]] = {}
        lead: list[str] = []  # text typed before the paragraph's first bookmark
        for piece in pieces:
            if isinstance(piece, _Start):
                block = piece.segment_id.split("s")[0]
                if piece.chinese:
                    block_chinese[block].add(piece.segment_id)
                    continue
                block_english[block].add(piece.segment_id)
                current = piece.segment_id
                collected.setdefault(current, [])
                if lead:
                    collected[current].extend(lead)
                    lead = []
            elif current is None:
                lead.append(piece)
            else:
                collected[current].append(piece)
        for segment_id, parts in collected.items():
            where = f"paragraph {numbers[paragraph]}"
            edited.segments.append(
                EditedSegment(
                    segment_id=segment_id,
                    target=squash("".join(parts)),
                    where=where,
                    source=found.covered.get(CHINESE_PREFIX + segment_id),
                )
            )
    # An English bookmark typed over sends its text to the segment before it: refuse the block.
    for block, chinese_ids in block_chinese.items():
        english_ids = block_english.get(block, set())
        if english_ids and english_ids != chinese_ids:
            lost = sorted(chinese_ids - english_ids) or sorted(english_ids - chinese_ids)
            edited.refused.update(english_ids | chinese_ids)
            edited.problems.append(
                Problem(
                    f"block {block}",
                    f"the English bookmarks of {', '.join(lost)} are gone (text typed over them?), "
                    "so this block's English cannot be split into segments; none of it was "
                    "imported: edit these segments in the side-by-side layout or the JSON form",
                )
            )


def _refuse_collisions(edited: EditedFile) -> None:
    """An id found in two places (a copied row) is imported from neither."""
    places: dict[str, list[str]] = defaultdict(list)
    for segment in edited.segments:
        places[segment.segment_id].append(segment.where)
    for segment_id, where in places.items():
        if len(where) > 1:
            edited.refused.add(segment_id)
            edited.problems.append(
                Problem(
                    " and ".join(where),
                    "the same segment id is in more than one place (a copied row?); not imported: "
                    "delete the copy and import again",
                    segment_id=segment_id,
                )
            )
    edited.segments = [s for s in edited.segments if s.segment_id not in edited.refused]
