"""How exporters hand their output over: written into the run's temporary file as it is
rendered (`Rendered.write`), never whole in memory, the same bytes as `Rendered.to_bytes`, with
the warnings learnt while writing said to the user and each file's digest in the JSON form."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

import bilingual.exporters.docx as docx_exporter
import bilingual.exporters.tmx as tmx_exporter
from bilingual.document import Document
from bilingual.exporters import EXPORTERS, ExportOptions, Rendered, get_exporter
from bilingual.pipeline import export_document
from tests.figure_samples import figure_document
from tests.sample_documents import simplified_with_hostile_text, translated, with_terms

FORMATS = [name for name in EXPORTERS if name != "pdf"]  # the PDF: tests/test_render.py
FIXED = datetime(2026, 1, 1, tzinfo=timezone.utc)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return FIXED.astimezone(tz) if tz else FIXED.replace(tzinfo=None)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock the DOCX properties, its comments, its zip entries and the TMX read, stopped:
    an output rendered twice is then the same bytes."""
    import docx.comments

    monkeypatch.setattr(docx_exporter, "datetime", _Frozen)
    monkeypatch.setattr(tmx_exporter, "datetime", _Frozen)
    monkeypatch.setattr(docx.comments, "dt", SimpleNamespace(datetime=_Frozen, timezone=timezone))
    clock = SimpleNamespace(time=lambda: FIXED.timestamp(), localtime=time.localtime)
    monkeypatch.setattr(zipfile, "time", clock)


def _documents(article: Document) -> dict[str, Document]:
    documents = {
        "article": translated(with_terms(article)),
        "figures": figure_document("zh-Hans"),
        "hostile": _with_control_characters(),
    }
    for document in documents.values():  # the JSON form records the outputs' digests in it
        document.meta["signature"] = {"tool": "bilingual test", "engine": "none"}
    return documents


def _with_control_characters() -> Document:
    """A document of our own whose Chinese and English hold characters XML cannot carry."""
    document = simplified_with_hostile_text()
    first, second = document.blocks[1].segments
    first.target = "The State Council\x07 announced 300 million yuan."
    second.source = second.source.replace("是", "\x0b是")
    return document


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("options", [{}, {"layout": "interleaved", "comments": True}])
def test_the_files_a_run_writes_are_the_outputs_rendered_in_memory(
    article_document: Document, tmp_path: Path, options: dict[str, object]
) -> None:
    """Each format written by a run (streamed into its temporary file: a zip file seeking back
    to its headers, the HTML and the JSON form a block at a time) holds the same bytes as the
    same output rendered into memory, and the JSON form records the digest of each file."""
    for name, document in _documents(article_document).items():
        folder = tmp_path / name
        written, said = export_document(
            document, folder, stem="doc", formats=FORMATS, options=ExportOptions(**options)
        )
        files = {p.suffix: p for p in written if p.parent == folder}  # not the pictures
        assert set(files) == {get_exporter(f).extension for f in FORMATS}
        for fmt in FORMATS:
            exporter = get_exporter(fmt)
            rendered = exporter.render(
                document, ExportOptions(**options, assets="doc.assets"), _findings(document)
            )
            assert rendered.to_bytes() == files[exporter.extension].read_bytes(), (name, fmt)
            assert all(line in said for line in rendered.warnings), (name, fmt)
        form = json.loads(files[".json"].read_bytes())
        recorded = form["meta"]["signature"]["outputs"]
        on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written[:-1]}
        assert recorded == on_disk, name


def _findings(document: Document) -> list:
    from bilingual.check import check_document

    return check_document(document)


def test_warnings_learnt_while_writing_reach_the_run(tmp_path: Path) -> None:
    """The DOCX and HTML exporters learn which characters they removed only as they write: the
    run still says so, once for both."""
    document = _with_control_characters()
    rendered = get_exporter("docx").render(document, ExportOptions())
    assert rendered.warnings == []  # nothing written yet
    rendered.to_bytes()
    assert any("cannot carry" in line for line in rendered.warnings)
    _, said = export_document(document, tmp_path, stem="doc", formats="docx,html")
    removed = [line for line in said if "cannot carry" in line]
    assert removed and sorted(set(removed)) == sorted(removed)
    assert set(rendered.warnings) <= set(said)


def test_rendered_of_bytes_and_of_nothing() -> None:
    assert Rendered.of(b"abc", ["note"]).to_bytes() == b"abc"
    assert Rendered.of(None, ["LibreOffice is missing"]).to_bytes() is None
