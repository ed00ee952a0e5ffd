"""Editing an exported DOCX as a reviewer would in a word processor, with python-docx.

Shared by the importer and review tests: find the row of a segment by its bookmarks, change the
English, break things (merge, copy, delete rows, type over bookmarks).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from docx import Document as open_docx
from docx.oxml.ns import qn

W_NAME = qn("w:name")


def bookmarks(element: Any) -> list[str]:
    return [b.get(W_NAME) for b in element.iter(qn("w:bookmarkStart"))]


class EditedDocx:
    """An exported side-by-side DOCX open for editing; `save()` writes it back in place."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.doc = open_docx(str(path))
        self.table = self.doc.tables[0]

    def row(self, segment_id: str) -> Any:
        for row in self.table.rows:
            if segment_id in bookmarks(row._tr) or f"zh_{segment_id}" in bookmarks(row._tr):
                return row
        raise KeyError(segment_id)

    def english_cell(self, segment_id: str) -> Any:
        return self.row(segment_id).cells[1]

    def retype_inside_bookmark(self, segment_id: str, text: str) -> None:
        """Select the English and type over it: the runs between the bookmarks change."""
        paragraph = self.english_cell(segment_id).paragraphs[0]
        runs = paragraph.runs
        if runs:
            runs[0].text = text
            for run in runs[1:]:
                run._r.getparent().remove(run._r)
        else:  # an empty target: type at the collapsed bookmark
            paragraph.add_run(text)

    def append_after_bookmark(self, segment_id: str, text: str) -> None:
        """Type on at the end of the cell, past the bookmark's end."""
        self.english_cell(segment_id).paragraphs[-1].add_run(text)

    def replace_cell(self, segment_id: str, text: str) -> None:
        """Clear the whole cell and type anew: the English bookmark is gone."""
        self.english_cell(segment_id).text = text

    def edit_chinese(self, segment_id: str, text: str) -> None:
        cell = self.row(segment_id).cells[0]
        cell.paragraphs[0].runs[0].text = text

    def delete_row(self, segment_id: str) -> None:
        tr = self.row(segment_id)._tr
        tr.getparent().remove(tr)

    def copy_row(self, segment_id: str) -> None:
        tr = self.row(segment_id)._tr
        tr.addnext(copy.deepcopy(tr))

    def add_row(self, chinese: str, english: str) -> None:
        row = self.table.add_row()
        row.cells[0].text = chinese
        row.cells[1].text = english

    def merge_english(self, first: str, second: str) -> None:
        self.english_cell(first).merge(self.english_cell(second))

    def save(self, path: Path | None = None) -> Path:
        target = Path(path) if path is not None else self.path
        self.doc.save(str(target))
        return target
