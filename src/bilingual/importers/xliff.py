"""Reads an XLIFF 2.0 file back from a CAT tool: each unit's target, matched by the unit id.

The file is parsed with lxml with entities unresolved and any DTD refused, because it comes back
from outside.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..exporters import REVISION_NOTE, read_revision_stamp
from ..files import read_bytes
from ..safexml import MAX_XML_BYTES, parse_xml
from . import SEGMENT_ID, EditedFile, EditedSegment, Problem, squash

XLIFF2 = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF1 = "urn:oasis:names:tc:xliff:document:1.2"
CONFIRMED = ("reviewed", "final")


def _x(tag: str) -> str:
    return f"{{{XLIFF2}}}{tag}"


class XliffImporter:
    name = "xliff"
    extensions = (".xlf", ".xliff")

    def read(self, path: Path) -> EditedFile:
        data = read_bytes(path, "XLIFF file", limit=MAX_XML_BYTES)
        root = parse_xml(data, str(path))
        if root.tag == f"{{{XLIFF1}}}xliff":
            raise InputError(
                f"{path}: XLIFF 1.2 is not supported; import the XLIFF 2.0 file that "
                "`bilingual export DOC.json --format xliff` wrote"
            )
        if root.tag != _x("xliff") or not str(root.get("version", "")).startswith("2."):
            raise InputError(f"{path}: not an XLIFF 2.0 file (root element {root.tag})")
        files = root.findall(_x("file"))
        if len(files) != 1:
            raise InputError(
                f"{path}: holds {len(files)} <file> elements; bilingual writes exactly one"
            )
        file = files[0]
        edited = EditedFile(path=path, format="xliff", original=file.get("original"))
        for note in file.findall(f"{_x('notes')}/{_x('note')}"):
            if note.get("id") == "fingerprint" and note.text:
                edited.fingerprint = note.text.strip()
        units = file.iter(_x("unit"))
        places: dict[str, list[EditedSegment]] = defaultdict(list)
        for number, unit in enumerate(units, 1):
            unit_id = unit.get("id", "")
            where = f"unit {unit_id or number}"
            if not SEGMENT_ID.fullmatch(unit_id):
                edited.problems.append(
                    Problem(
                        where,
                        "a unit whose id is not a segment id (added by hand?) was not imported; "
                        "move its target into the unit of the segment it belongs to",
                    )
                )
                continue
            segment = _read_unit(unit, unit_id, where)
            if segment is not None:
                places[unit_id].append(segment)
        for unit_id, found in places.items():
            if len(found) > 1:
                edited.refused.add(unit_id)
                edited.problems.append(
                    Problem(
                        f"unit {unit_id}",
                        f"occurs {len(found)} times (a copied unit?); not imported: "
                        "delete the copy and import again",
                        segment_id=unit_id,
                    )
                )
            else:
                edited.segments.append(found[0])
        return edited


def _read_unit(unit: Any, unit_id: str, where: str) -> EditedSegment | None:
    """The unit's source and target; several segments (a CAT tool's split) are joined."""
    sources: list[str] = []
    targets: list[str] = []
    states: list[str] = []
    has_target = False
    for part in unit:
        if part.tag not in (_x("segment"), _x("ignorable")):
            continue
        source = part.find(_x("source"))
        target = part.find(_x("target"))
        sources.append(_text(source))
        if target is not None:
            has_target = True
            targets.append(_text(target))
        elif part.tag == _x("ignorable"):
            targets.append(_text(source))
        if part.tag == _x("segment"):
            states.append(part.get("state", "initial"))
    if not states:
        return None
    stamp = None
    for note in unit.iterfind(f"{_x('notes')}/{_x('note')}"):
        if note.get("id") == REVISION_NOTE:
            stamp = read_revision_stamp(note.text or "")
    return EditedSegment(
        segment_id=unit_id,
        target=squash("".join(targets)) if has_target else "",
        where=where,
        source=squash("".join(sources)),
        confirmed=has_target and all(state in CONFIRMED for state in states),
        revision=stamp[0] if stamp else None,
        english=stamp[1] if stamp else None,
    )


def _text(element: Any) -> str:
    """Text content with inline markup (<pc>, <mrk>) kept as text and <ph> codes dropped."""
    if element is None:
        return ""
    return "".join(element.itertext())
