"""`also:` in a glossary entry: other acceptable renderings, accepted by the checks, carried by
the digest, conflict detection, and TBX (admitted terms); CSV has no column for them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from bilingual.cli import cli
from bilingual.document import Segment, Term, dump, load
from bilingual.glossary import Entry, Glossary, check_glossary, load_glossary, term_findings
from bilingual.glossary.exchange import export_glossary, import_entries
from bilingual.glossary.model import entries_from_data, parse_yaml
from tests.conftest import ARTICLE

pytestmark = pytest.mark.usefixtures("own_folder")

GLOSSARY = """\
terms:
  - zh: 第6屆
    en: the sixth
    also: [the 6th, 6th]
  - zh: 總統府
    en: Presidential Office
    also: Office of the President
  - zh: 賴清德
    en: Lai
    first: President Lai Ching-te
"""


def write(text: str, name: str = "terms.yaml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def alsos(entries: list[Entry]) -> dict[str, list[str]]:
    return {e.zh[0]: e.also for e in entries}


def test_both_loaders_read_also() -> None:
    path = write(GLOSSARY)
    fast = load_glossary([path]).entries  # the PyYAML path
    rt, problems = entries_from_data(parse_yaml(GLOSSARY, str(path))[0], str(path))  # ruamel
    assert problems == []
    expected = {"第6屆": ["the 6th", "6th"], "總統府": ["Office of the President"], "賴清德": []}
    assert alsos(fast) == alsos(rt) == expected
    assert fast[0].accepted == ["the sixth", "the 6th", "6th"]
    assert fast[0].to_dict()["also"] == ["the 6th", "6th"]


def test_bad_also_values_are_errors_at_their_line() -> None:
    path = write(
        "terms:\n  - zh: 第6屆\n    en: the sixth\n    also: [the 6th, 6]\n"
        "  - zh: 總統府\n    en: Presidential Office\n    also: ''\n"
    )
    _, problems = check_glossary([path])
    messages = [str(p) for p in problems if p.severity == "error"]
    assert messages == [
        f"{path}:4: error: 第6屆: 'also' must be a string or a list of strings, not a number (6)",
        f"{path}:7: error: 總統府: 'also' has an empty string",
    ]


def test_glossary_add_keeps_also_in_the_file() -> None:
    path = write(GLOSSARY)
    result = CliRunner().invoke(
        cli, ["glossary", "add", "華府", "Washington, DC", "--file", "terms.yaml"]
    )
    assert result.exit_code == 0, result.output
    assert "also: [the 6th, 6th]" in path.read_text(encoding="utf-8")
    assert alsos(load_glossary([path]).entries)["第6屆"] == ["the 6th", "6th"]
    assert CliRunner().invoke(cli, ["glossary", "check", str(path)]).exit_code == 0


def test_also_takes_part_in_the_digest() -> None:
    without = write(GLOSSARY.replace("    also: [the 6th, 6th]\n", ""), "a.yaml")
    with_also = write(GLOSSARY, "b.yaml")
    reordered = write(GLOSSARY.replace("[the 6th, 6th]", "[6th, the 6th]"), "c.yaml")
    digests = [load_glossary([p]).digest() for p in (without, with_also, reordered)]
    assert digests[0] != digests[1]
    assert digests[1] == digests[2]  # the order of `also` does not change what is accepted


def test_overlapping_renderings_are_not_a_conflict_but_different_ones_are() -> None:
    write(GLOSSARY, "a.yaml")
    write("terms:\n  - zh: 第6屆\n    en: the 6th\n", "b.yaml")
    _, problems = check_glossary(["a.yaml", "b.yaml"])
    (problem,) = [p for p in problems if "第6屆" in p.message]
    assert problem.severity == "warning"
    assert "both accept 'the 6th'" in problem.message
    load_glossary(["a.yaml", "b.yaml"])  # usable

    write("terms:\n  - zh: 第6屆\n    en: sixth place\n", "b.yaml")
    _, problems = check_glossary(["a.yaml", "b.yaml"])
    (problem,) = [p for p in problems if "第6屆" in p.message]
    assert problem.severity == "error" and "rendered 'sixth place' here" in problem.message


def test_term_findings_accept_any_accepted_rendering() -> None:
    term = Term("第6屆", "the sixth", 0, 3, also=["the 6th", "6th"])
    for target, missing in [
        ("The sixth EPPD concluded.", 0),
        ("The 6th EPPD concluded.", 0),
        ("The fifth EPPD concluded.", 1),
    ]:
        segment = Segment("b1s1", "第6屆EPPD落幕。", target, status="human", terms=[term])
        assert len(term_findings(segment)) == missing, target
    segment = Segment("b1s1", "第6屆", "the fifth", status="human", terms=[term])
    (finding,) = term_findings(segment)
    assert finding.message == (
        "term 第6屆 must read “the sixth” or “the 6th” or “6th”; the English has it 0 times"
    )


def _worksheet(tmp_path: Path, glossary: Path) -> Path:
    text = tmp_path / "news.txt"
    text.write_text("第6屆對話由總統府主辦。\n", encoding="utf-8")
    args = ["translate", str(text), "--engine", "none", "--no-memory", "-q", "--format", "json"]
    result = CliRunner().invoke(cli, [*args, "--glossary", str(glossary), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path / "news.json"


def test_check_accepts_a_reviewers_other_rendering(tmp_path: Path) -> None:
    json_path = _worksheet(tmp_path, write(GLOSSARY))
    document = load(json_path)
    (segment,) = document.segments
    assert [t.also for t in segment.terms] == [["the 6th", "6th"], ["Office of the President"]]
    target = "The 6th dialogue was hosted by the Office of the President."
    segment.apply_human(target, {"source": segment.source, "renderings": [], "at": "now"})
    dump(document, json_path)
    result = CliRunner().invoke(cli, ["check", str(json_path)])
    assert result.exit_code == 0, result.output
    assert "term-missing" not in result.output

    # Against a glossary without `also`, the same English misses both terms.
    strict = write(
        GLOSSARY.replace("    also: [the 6th, 6th]\n", "").replace(
            "    also: Office of the President\n", ""
        ),
        "strict.yaml",
    )
    result = CliRunner().invoke(cli, ["check", str(json_path), "--glossary", str(strict)])
    assert result.exit_code == 1
    assert result.output.count("term-missing") == 2


def test_csv_exports_no_also_and_tbx_exports_admitted_terms() -> None:
    glossary = load_glossary([write(GLOSSARY)])
    csv_text = export_glossary(glossary, "csv").decode("utf-8")
    assert csv_text.splitlines() == [
        "第6屆,the sixth",
        "總統府,Presidential Office",
        "賴清德,Lai",
    ]
    root = etree.fromstring(export_glossary(glossary, "tbx"))
    statuses = {
        tig.findtext("term"): tig.findtext("termNote[@type='administrativeStatus']")
        for tig in root.iter("tig")
    }
    assert statuses["the sixth"] == "preferredTerm-admn-sts"
    assert statuses["the 6th"] == statuses["6th"] == "admittedTerm-admn-sts"
    assert statuses["Office of the President"] == "admittedTerm-admn-sts"


def test_also_round_trips_through_tbx(tmp_path: Path) -> None:
    source = write(GLOSSARY)
    tbx = tmp_path / "terms.tbx"
    result = CliRunner().invoke(
        cli, ["glossary", "export", "--format", "tbx", "-o", str(tbx), "--glossary", str(source)]
    )
    assert result.exit_code == 0, result.output
    back = import_entries(tbx)
    original = load_glossary([source]).entries
    assert [(e.zh, e.en, e.first, e.also) for e in back] == [
        (e.zh, e.en, e.first, e.also) for e in original
    ]
    assert all(e.note is None for e in back)  # admitted terms are `also`, not an "Also:" note

    out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(cli, ["glossary", "import", str(tbx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "also: [the 6th, 6th]" in out.read_text(encoding="utf-8")
    assert load_glossary([out]).digest() == load_glossary([source]).digest()


def test_the_json_form_keeps_also_only_where_there_is_one(tmp_path: Path) -> None:
    json_path = _worksheet(
        tmp_path, write(GLOSSARY.replace("    also: Office of the President\n", ""))
    )
    data = json.loads(json_path.read_text(encoding="utf-8"))
    terms = [t for b in data["blocks"] for s in b["segments"] for t in s["terms"]]
    assert [t.get("also") for t in terms] == [["the 6th", "6th"], None]
    assert load(json_path).segments[0].terms[0].also == ["the 6th", "6th"]
    assert Glossary().digest()  # an empty glossary still has a digest


def test_a_review_made_for_a_rendering_still_accepted_is_not_flagged(tmp_path: Path) -> None:
    from tests.docx_edits import EditedDocx
    from tests.test_review import translate

    article = tmp_path / "article.txt"
    article.write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    glossary = write("terms:\n  - zh: 總統府\n    en: Presidential Office\n")
    json_path = translate(article, out, "--no-memory", "--glossary", str(glossary))
    docx = EditedDocx(out / "article.docx")
    docx.retype_inside_bookmark("b3s1", "The Presidential Office held a press conference.")
    docx.save()
    imported = CliRunner().invoke(cli, ["import", str(out / "article.docx"), "--no-memory"])
    assert imported.exit_code == 0, imported.output

    # The glossary now writes another rendering but still accepts the reviewed one.
    write(
        "terms:\n  - zh: 總統府\n    en: Office of the President\n    also: Presidential Office\n"
    )
    translate(article, out, "--no-memory", "--glossary", str(glossary))
    b3s1 = load(json_path).segment("b3s1")
    assert (b3s1.status, b3s1.flags) == ("human", [])
    assert b3s1.terms[0].rendering == "Office of the President"
    result = CliRunner().invoke(cli, ["check", str(json_path)])
    assert "flagged" not in result.output
    # 總統府 is twice in b3s1's Chinese: the reviewed English has it once, in its accepted form.
    assert "must read “Office of the President” or “Presidential Office” (2 times); " in (
        result.output
    )

    # Without `also`, the same change flags it (as before).
    write("terms:\n  - zh: 總統府\n    en: Office of the President\n")
    translate(article, out, "--no-memory", "--glossary", str(glossary))
    assert load(json_path).segment("b3s1").flags == ["glossary changed since review"]


def test_glossary_add_also_and_replace_keeps_it() -> None:
    path = write("terms:\n  - zh: 總統府\n    en: Presidential Office\n")
    add = ["glossary", "add", "第6屆", "the sixth", "--also", "the 6th", "--also", "6th"]
    result = CliRunner().invoke(cli, [*add, "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert "  - zh: 第6屆\n    en: the sixth\n    also: [the 6th, 6th]\n" in path.read_text("utf-8")
    result = CliRunner().invoke(
        cli, ["glossary", "add", "第6屆", "the Sixth", "--replace", "--file", str(path)]
    )
    assert result.exit_code == 0, result.output
    (entry,) = [e for e in load_glossary([path]).entries if e.zh == ["第6屆"]]
    assert (entry.en, entry.also) == ("the Sixth", ["the 6th", "6th"])
