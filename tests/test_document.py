"""The JSON form: round trip, schema validation and the errors that name the field."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilingual.document import (
    GLOSSARY_CHANGED,
    SOURCE_CHANGED,
    VERSION,
    Block,
    Document,
    Figure,
    RawBlock,
    RawText,
    Segment,
    Term,
    dump,
    edit_for,
    load,
    renderings_in_force,
    still_accepted,
    validate,
)
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


# --- a segment's target: draft, human edit, cleared ----------------------------------------


def _segment_with_terms() -> Segment:
    return Segment(
        "b1s1",
        "賴清德與川普會談。",
        terms=[Term("賴清德", "Lai Ching-te", 0, 3), Term("川普", "Donald Trump", 4, 6)],
    )


def test_a_machine_draft_sets_target_notes_and_placement():
    segment = _segment_with_terms()
    notes = ["characters the model cannot see: 賴"]
    segment.apply_draft("Lai Ching-te met Donald Trump.", notes, ["protected", "fallback"])
    notes.append("changed afterwards")
    assert (segment.target, segment.status) == ("Lai Ching-te met Donald Trump.", "machine")
    assert segment.notes == ["characters the model cannot see: 賴"]
    assert [t.placed for t in segment.terms] == ["protected", "fallback"]
    segment.apply_draft("", [], [None, None])
    assert segment.status == "empty"
    with pytest.raises(ValueError):
        segment.apply_draft("Too few.", [], ["protected"])


def test_a_human_edit_unplaces_the_terms_and_settles_the_review_flags():
    segment = _segment_with_terms()
    segment.apply_draft("Draft.", ["a note"], ["protected", "protected"])
    segment.flags = [SOURCE_CHANGED, "kept"]
    review = {"source": segment.source, "renderings": ["Lai Ching-te", "Donald Trump"]}
    segment.apply_human("Lai met Trump.", review)
    assert (segment.target, segment.status, segment.review) == ("Lai met Trump.", "human", review)
    assert segment.flags == ["kept"]
    assert [t.placed for t in segment.terms] == [None, None]
    segment.apply_human("Again.", review, flags=[GLOSSARY_CHANGED, "from before"])
    assert segment.flags == ["from before"]


def test_clearing_a_target_drops_what_came_with_it():
    segment = _segment_with_terms()
    segment.apply_draft("Draft.", ["a note"], ["fallback", "fallback"])
    segment.clear_target()
    assert (segment.target, segment.status, segment.notes) == ("", "empty", [])
    assert [t.placed for t in segment.terms] == [None, None]


def test_an_outdated_review_is_flagged_once_for_each_reason():
    segment = _segment_with_terms()
    review = {"source": "賴清德與川普通話", "renderings": ["Lai", "Donald Trump"]}
    segment.apply_human("Lai phoned Trump.", review)
    segment.flag_outdated_review()
    segment.flag_outdated_review()
    assert segment.flags == [SOURCE_CHANGED, GLOSSARY_CHANGED]
    segment.add_note("a note")
    segment.add_note("a note")
    assert segment.notes == ["a note"]


def test_a_review_stands_for_the_renderings_in_force_and_those_also_accepted():
    segment = _segment_with_terms()
    assert renderings_in_force(segment) == ["Lai Ching-te", "Donald Trump"]
    segment.terms[1].also = ["Trump"]
    assert still_accepted(["Lai Ching-te", "Trump"], segment)
    assert not still_accepted(["Lai", "Trump"], segment)
    assert not still_accepted(["Lai Ching-te"], segment)


def test_an_edit_goes_by_source_else_by_id_unless_its_sentence_moved():
    moved = Segment("b1s1", "新句。")
    # (reviewed source, English) by source and by id, as a JSON form or the memory holds them
    edits = {"舊句。": ("舊句。", "Old."), "新句。": ("新句。", "New.")}
    at_ids = {"b1s1": ("舊句。", "Old.")}
    sources = {"新句。", "舊句。"}

    def take(segment: Segment, sources: set[str], by_id: bool = True):
        at_id = at_ids.get if by_id else None
        return edit_for(segment, sources, edits.get, at_id, lambda edit: edit[0])

    assert take(moved, sources) == ("新句。", "New.")  # by source, wherever it was
    changed = Segment("b1s1", "改過的句子。")
    assert take(changed, {"改過的句子。"}) == ("舊句。", "Old.")  # at its id: source changed
    assert take(changed, {"改過的句子。", "舊句。"}) is None  # the old sentence moved
    assert take(changed, {"改過的句子。"}, by_id=False) is None


def test_version_2_forms_load_and_are_written_as_the_current_version_with_via(tmp_path):
    segment_data = {"id": "b1s1", "source": "源。", "target": "Source.", "status": "machine"}
    segment_data.update(terms=[], notes=[])
    old = {
        "format": "bilingual-document",
        "version": 2,
        "source_lang": "zh-Hant",
        "target_lang": "en",
        "meta": {},
        "blocks": [{"id": "b1", "kind": "paragraph", "segments": [segment_data]}],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    document = load(path)
    assert document.form_version == 2 and document.segments[0].via is None
    document.segments[0].apply_draft("Source again.", [], [], via="retry")
    again = load(dump(document, tmp_path / "new.json"))
    assert again.form_version == VERSION and again.segments[0].via == "retry"
    data = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    assert data["blocks"][0]["segments"][0]["via"] == "retry"
    data["blocks"][0]["segments"][0]["via"] = "guessed"
    with pytest.raises(InputError, match="via"):
        validate(data, origin="new.json")


def test_a_figure_block_holds_a_picture_and_no_segment(tmp_path):
    digest = hashlib.sha256(b"picture").hexdigest()
    figure = Figure(digest, "png", 640, 480, display_width=320.0, alt="港口")
    document = Document(
        blocks=[
            Block("b1", "figure", figure=figure),
            Block("b2", "caption", [Segment("b2s1", "貨輪停靠。")]),
        ],
        assets={figure.name: b"picture"},
    )
    again = load(dump(document, tmp_path / "f.json"))  # its picture in f.assets/, loaded again
    assert again.blocks[0].figure == figure and again.blocks[0].segments == []
    assert again.assets == {figure.name: b"picture"}
    assert figure.name == f"{digest}.png"
    data = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    data["blocks"][0]["figure"]["ext"] = "svg"  # never: an SVG can carry script
    with pytest.raises(InputError, match="blocks/0/figure/ext"):
        validate(data)
    del data["blocks"][0]["figure"]
    with pytest.raises(InputError, match="blocks/0: 'figure' is a required"):
        validate(data)
    data["blocks"][0]["figure"] = figure.to_dict()
    data["blocks"][1]["figure"] = figure.to_dict()  # a caption holds no picture
    with pytest.raises(InputError, match="blocks/1/figure: not allowed here"):
        validate(data)
