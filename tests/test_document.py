"""The JSON form: round trip, schema validation and the errors that name the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilingual.document import Document, RawBlock, RawText, Term, dump, load, validate
from bilingual.errors import InputError
from bilingual.segment import segment


def test_reference_document_validates_and_round_trips(tmp_path, article_document):
    path = dump(article_document, tmp_path / "doc.json")
    again = load(path)
    assert again.to_dict() == article_document.to_dict()
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "bilingual-document"


def test_terms_review_and_flags_round_trip(tmp_path, article_document):
    doc = Document.from_dict(article_document.to_dict())
    seg = doc.blocks[1].segments[0]
    seg.terms = [Term("EPPD", "EPPD", 20, 24, placed="protected", note="keep")]
    seg.target, seg.status = "The sixth EPPD ended.", "human"
    seg.review = {"source": seg.source, "renderings": ["EPPD"], "at": "2026-02-04T10:00:00Z"}
    seg.flags = ["source changed since review"]
    assert load(dump(doc, tmp_path / "d.json")).to_dict() == doc.to_dict()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d["blocks"][0].update(kind="chapter"), "blocks/0/kind"),
        (
            lambda d: d["blocks"][1]["segments"][0].update(status="done"),
            "blocks/1/segments/0/status",
        ),
        (lambda d: d["blocks"][1]["segments"][0].pop("source"), "blocks/1/segments/0"),
        (lambda d: d["blocks"][1]["segments"][0].update(id="x1"), "blocks/1/segments/0/id"),
        (lambda d: d["blocks"][2]["segments"][0].update(id="b2s1"), "segment id b2s1 occurs twice"),
    ],
)
def test_invalid_json_form_names_the_field(tmp_path, article_document, mutate, field):
    data = article_document.to_dict()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(path)
    assert field in str(info.value)
    assert str(path) in str(info.value)


def test_not_json_names_the_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": \n}', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3"):
        load(path)


@given(st.lists(st.text(min_size=1).filter(str.strip), min_size=1, max_size=5))
def test_any_segmented_text_validates(texts):
    validate(segment(RawText([RawBlock(t) for t in texts])).to_dict())


def test_a_docx_given_for_the_json_form_says_so(tmp_path):
    path = tmp_path / "doc.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(InputError, match=r"not a JSON form: give the \.json"):
        load(path)
