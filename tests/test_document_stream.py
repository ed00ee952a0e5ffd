"""A large JSON form is read a block at a time (`formstream`): the same Document as the whole
read, the same one-line errors, and only the human edits when a later run carries them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bilingual.document
from bilingual import formstream
from bilingual.document import Document, form_bytes, form_text, load
from bilingual.errors import InputError
from tests.sample_documents import simplified_with_hostile_text, translated, with_terms


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every form is large enough to stream."""
    monkeypatch.setattr(formstream, "STREAM_BYTES", 0)


def _whole(path: Path, **kwargs: bool) -> Document:
    """`load` with streaming off: the reference."""
    saved = formstream.STREAM_BYTES
    formstream.STREAM_BYTES = 2**62
    try:
        return load(path, **kwargs)
    finally:
        formstream.STREAM_BYTES = saved


def _reviewed(document: Document) -> Document:
    """`document` with a person's English in every third segment, a note, a flag and a via."""
    for index, segment in enumerate(document.segments):
        if index % 3 == 0:
            segment.apply_human(f"Edited {index}.", {"source": segment.source, "at": "2026"})
        elif index % 3 == 1:
            segment.apply_draft(f"Draft {index}.", ["a note"], [None] * len(segment.terms))
            segment.add_flag("check this")
    return document


def _forms(article_document: Document) -> list[Document]:
    return [
        article_document,
        translated(with_terms(article_document)),
        _reviewed(with_terms(article_document)),
        simplified_with_hostile_text(),
    ]


def _written(tmp_path: Path, document: Document, name: str = "form.json") -> Path:
    path = tmp_path / name
    path.write_bytes(form_bytes(document, str(path)))
    return path


def test_a_streamed_form_is_the_whole_reads_document(
    streamed, article_document, tmp_path, monkeypatch
):
    for number, document in enumerate(_forms(article_document)):
        path = _written(tmp_path, document, f"form{number}.json")
        assert formstream.streamable(path)
        whole = _whole(path).to_dict()
        with monkeypatch.context() as patch:  # the streamed read alone
            patch.setattr(bilingual.document, "_whole_form", None)
            assert load(path).to_dict() == whole == document.to_dict()


def test_keys_in_any_order_and_a_byte_order_mark(streamed, article_document, tmp_path):
    data = json.loads(form_bytes(translated(article_document), "x"))
    reordered = {"blocks": data.pop("blocks"), **data}  # the blocks first
    path = tmp_path / "form.json"
    path.write_bytes(b"\xef\xbb\xbf" + form_text(reordered).encode("utf-8"))
    assert load(path).to_dict() == _whole(path).to_dict()
    assert load(path).meta == data["meta"]


def test_an_escaped_lone_surrogate_is_read_whole_and_kept(streamed, article_document, tmp_path):
    # yajl would read "\udc80" as "?": such a form never streams
    document = translated(article_document)
    document.blocks[1].segments[0].target = "bad \udc80 byte"
    path = _written(tmp_path, document)
    assert b"\\udc80" in path.read_bytes()
    assert not formstream.streamable(path)
    assert load(path).blocks[1].segments[0].target == "bad \udc80 byte"


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace('"status": "machine"', '"status": "done"', 1),
        lambda text: text + "\nextra",
        lambda text: text.replace('"version": 4', '"version": NaN', 1),
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"blocks": [', '"blocks": 7, "blocks": [', 1),
        lambda text: text.replace('"id": "b2s1"', '"id": "b1s1"', 1),
        lambda text: text.replace('"format": "bilingual-document"', '"format": "other"', 1),
        lambda text: "[" + text + "]",
    ],
    ids=[
        "bad-field",
        "extra-data",
        "nan",
        "cut-short",
        "blocks-twice",
        "id-twice",
        "format",
        "list",
    ],
)
def test_a_bad_form_gets_the_whole_reads_error(streamed, article_document, tmp_path, change):
    good = form_bytes(translated(article_document), "x").decode("utf-8")
    path = tmp_path / "form.json"
    path.write_text(change(good), "utf-8")
    try:
        expected = _whole(path).to_dict()
    except InputError as e:
        with pytest.raises(InputError) as streamed_error:
            load(path)
        assert str(streamed_error.value) == str(e)
    else:  # json.loads takes NaN: so does the form, read whole
        assert load(path).to_dict() == expected


def test_human_only_keeps_the_persons_english_alone(streamed, article_document, tmp_path):
    document = _reviewed(with_terms(article_document))
    path = _written(tmp_path, document)
    human = [s.to_dict() for s in document.segments if s.status == "human"]
    for kept in (load(path, human_only=True), _whole(path, human_only=True)):
        assert [s.to_dict() for s in kept.segments] == human
        assert all(b.segments for b in kept.blocks) and not kept.assets
        assert kept.meta == document.meta


def test_the_head_and_the_blocks_without_the_document(article_document, tmp_path, monkeypatch):
    # who made a form and whether it is up to date: its head and its blocks one at a time
    path = _written(tmp_path, translated(article_document))
    seen: dict[str, list[int]] = {}
    for size in (2**62, 0):  # read whole, then streamed
        monkeypatch.setattr(formstream, "STREAM_BYTES", size)
        indexes: list[int] = []
        head = formstream.parts(path, lambda block, index, into=indexes: into.append(index))
        assert head["meta"] == article_document.meta and head["blocks"] == []
        seen[str(size)] = indexes
    assert seen["0"] == seen[str(2**62)] == list(range(len(article_document.blocks)))
    path.write_text('["not", "a form"]', "utf-8")
    with pytest.raises(ValueError):
        formstream.parts(path, lambda block, index: None)
