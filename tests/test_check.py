"""The quality checks: each kind of finding, a correct translation that reports nothing, noise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.check import Finding, check_document, check_file, unbalanced
from bilingual.cli import cli
from bilingual.document import Block, Document, Segment, Term, dump
from bilingual.numbers import missing_numbers

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "glossary"


def make_document(*pairs: tuple[str, str], status: str = "machine", date: str | None = None):
    blocks = []
    for n, (source, target) in enumerate(pairs, 1):
        state = status if target else "empty"
        segment = Segment(id=f"b{n}s1", source=source, target=target, status=state)
        blocks.append(Block(id=f"b{n}", kind="paragraph", segments=[segment]))
    meta = {"input": "test.txt"}
    if date:
        meta["date"] = date
    return Document(blocks=blocks, meta=meta)


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in findings]


# --- a correct translation reports nothing ----------------------------------------------------

# Three paragraphs of the reference article (b2, b7, b8) and b4, translated by hand after the
# Presidential Office's English release, with the glossary's renderings.
CORRECT = {
    "b2s1": "The sixth Taiwan-US Economic Prosperity Partnership Dialogue (EPPD) concluded "
    "recently, and the Presidential Office held a press conference at 9:30 a.m. today, at which "
    "President Lai Ching-te personally explained the progress of Taiwan-US cooperation and the "
    "direction of the next steps.",
    "b2s2": "President Lai said that the dialogue focused on four key pillars: strategic "
    "alignment on supply chain security, cooperation on critical minerals, cooperation in third "
    "countries, and bilateral cooperation, from which three major strategic directions for "
    "future Taiwan-US cooperation were drawn.",
    "b2s3": "As the Legislative Yuan is to review the Taiwan-US tariff agreement, President Lai "
    "hopes that legislators will act professionally, review it in accordance with the law, rise "
    "above party lines, and together safeguard this hard-won outcome of the negotiations.",
    "b4s1": "In his remarks, President Lai said that the sixth Taiwan-US EPPD was held in "
    "Washington, DC last week.",
    "b4s2": "This Taiwan-US economic dialogue mechanism was created during US President Donald "
    "Trump’s first term in office; last week’s meeting was the first EPPD meeting convened in "
    "President Trump’s second term, and the first time since the first EPPD in 2020 that the "
    "principal representatives of both sides met in person, which is of great significance for "
    "Taiwan-US relations.",
    "b7s1": "President Lai also said that after he took office, his administration not only "
    "continued to advance the next round of negotiations under the Taiwan-US Initiative on "
    "21st-Century Trade, but also closely followed the economic and trade policies of the US "
    "presidential candidates and the president-elect; and so, after the United States announced "
    "its new tariff policy in April last year, the administration and the front-line negotiators "
    "took “full control,” made an “all-out commitment,” gave “full consideration” and went “all "
    "in” to respond to the changing situation.",
    "b8s1": "“After nine months of effort, we completed the Taiwan-US reciprocal tariff "
    "negotiations last month, achieving results that satisfy our people and are the envy of the "
    "world.”",
    "b8s2": "President Lai stressed that these results are not merely lower tariff figures; they "
    "also ensure that Taiwanese businesses can compete in international trade on an equal footing "
    "with their main competitors around the world.",
}


def test_a_correct_translation_of_three_paragraphs_reports_nothing(article_copy: Document):
    from bilingual.glossary import annotate, load_glossary

    document = Document.from_dict(article_copy.to_dict())
    annotate(document, load_glossary([GLOSSARY]))
    document.blocks = [b for b in document.blocks if b.id in ("b2", "b4", "b7", "b8")]
    for segment in document.segments:
        segment.target = CORRECT[segment.id]
        segment.status = "machine"
    assert any(s.terms for s in document.segments)  # the glossary's check did run
    assert check_document(document) == []


def test_the_same_translation_with_mistakes_is_caught(article_copy: Document):
    from bilingual.glossary import annotate, load_glossary

    document = Document.from_dict(article_copy.to_dict())
    annotate(document, load_glossary([GLOSSARY]))
    document.blocks = [b for b in document.blocks if b.id in ("b2", "b8")]
    for segment in document.segments:
        segment.target = CORRECT[segment.id]
        segment.status = "machine"
    b2s1, _, _, b8s1, _ = document.segments
    b2s1.target = b2s1.target.replace("9:30", "10:30").replace("President Lai Ching-te", "Lai")
    b8s1.target = b8s1.target.replace("nine months", "eight months")
    found = {(f.segment_id, f.code) for f in check_document(document)}
    assert found == {
        ("b2s1", "number-missing"),  # 9
        ("b2s1", "number-extra"),  # 10
        ("b2s1", "term-missing"),  # President Lai Ching-te
        ("b8s1", "number-missing"),  # nine
    }


# --- empty, untranslated, same as source -------------------------------------------------------


def test_a_worksheet_is_unfinished_not_wrong():
    document = make_document(("總統府今日舉行記者會。", ""), ("賴清德致詞。", ""))
    found = check_document(document)
    assert codes(found) == [("empty", "warning"), ("empty", "warning")]


def test_an_empty_target_among_translated_ones_is_an_error():
    document = make_document(
        ("總統府今日舉行記者會。", "The Presidential Office held a press conference today."),
        ("賴清德致詞。", ""),
    )
    found = check_document(document)
    assert codes(found) == [("empty", "error")]
    assert found[0].segment_id == "b2s1"


def test_an_empty_target_marked_human_is_an_error():
    document = make_document(("賴清德致詞。", ""))
    document.segments[0].status = "human"
    assert codes(check_document(document)) == [("empty", "error")]


def test_a_blank_source_is_not_checked():
    assert check_document(make_document(("  ", ""))) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("總統府今日舉行記者會，劉威廉出席。", ("same-as-source", "error")),
        ("The 總統府 held a press conference.", ("untranslated", "error")),
        ("總統府今日舉行 press conference。", ("untranslated", "error")),
        ("Deputy Director Liu Wei-lian (劉威廉) attended.", ("untranslated", "warning")),
        ("The Presidential Office held a press conference today。", ("untranslated", "warning")),
    ],
)
def test_chinese_left_in_the_target(target: str, expected: tuple[str, str]):
    document = make_document(("總統府今日舉行記者會，劉威廉出席。", target))
    assert expected in codes(check_document(document))


def test_a_target_equal_to_a_latin_source_is_fine():
    document = make_document(("EPPD", "EPPD"))
    assert check_document(document) == []


def test_a_mostly_chinese_target_reports_only_that():
    document = make_document(("2020年賴清德致詞。", "2020年賴清德 spoke。"))
    assert [f.code for f in check_document(document)] == ["untranslated"]


# --- numbers -----------------------------------------------------------------------------------


def test_number_findings_in_a_document():
    document = make_document(
        ("2026年2月3日舉行，投入3億元。", "It was held on February 3, 2026 with NT$3 million."),
        ("賴清德致詞。", "President Lai spoke for 42 minutes."),
        ("賴清德致詞。", "President Lai spoke in 2025."),
        date="2026-02-03",
    )
    found = check_document(document)
    assert [(f.segment_id, f.code, f.severity) for f in found] == [
        ("b1s1", "number-missing", "error"),
        ("b1s1", "number-extra", "error"),
        ("b2s1", "number-extra", "error"),
        ("b3s1", "number-extra", "warning"),  # a year is a translator's usual clarification
    ]
    assert "3億元" in found[0].message and "300 million" in found[0].message


def test_the_article_date_may_be_added_anywhere():
    document = make_document(
        (
            "總統府今日舉行記者會。",
            "On February 3, 2026, the Presidential Office held a press conference.",
        ),
        date="2026-02-03",
    )
    assert check_document(document) == []


def test_numbers_inside_glossary_terms_are_left_to_the_glossary():
    source = "台美21世紀貿易倡議"
    term = Term(source=source, rendering="Taiwan-US Initiative on Trade", start=0, end=len(source))
    assert (
        missing_numbers(source, "the Taiwan-US Initiative on Trade", skip=[(0, len(source))]) == []
    )
    segment = Segment("b1s1", source, "the Taiwan-US Initiative on Trade", "machine", terms=[term])
    document = Document(blocks=[Block("b1", "paragraph", [segment])])
    assert [f.code for f in check_document(document) if f.code.startswith("number")] == []


# --- quotes and brackets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "bad"),
    [
        ("他說：「好。」", "He said: “Good.”", False),
        ("他說：「好。」", "He said: “Good.", True),
        ("他說：「好。」", 'He said: "Good."', False),
        ("他說：「好。」", 'He said: "Good.', True),
        ("他說：「好。", "He said: “Good.", False),  # a quotation that runs on: as in the source
        ("（EPPD）", "(EPPD)", False),
        ("（EPPD）", "(EPPD", True),
        ("（EPPD）", "EPPD)", True),
        ("台灣的", "Taiwan’s", False),  # an apostrophe is not a quote
        ("台灣的", "‘Taiwan", True),
    ],
)
def test_unbalanced_quotes_and_brackets(source: str, target: str, bad: bool):
    assert bool(unbalanced(source, target)) is bad


# --- length ratio ------------------------------------------------------------------------------


def test_a_target_far_longer_than_the_document_norm_is_flagged():
    source = "賴清德表示台美合作持續深化雙方關係"  # 17 characters
    normal = "President Lai said that Taiwan-US cooperation keeps deepening."  # about 3.6 each
    pairs = [(source, normal)] * 9 + [(source, normal * 6)]
    found = check_document(make_document(*pairs))
    assert [(f.segment_id, f.code) for f in found] == [("b10s1", "length-ratio")]
    assert "unusually long" in found[0].message


def test_too_few_segments_for_a_length_norm():
    source = "賴清德表示台美合作持續深化雙方關係"
    normal = "President Lai said that Taiwan-US cooperation keeps deepening."
    pairs = [(source, normal)] * 5 + [(source, normal * 6)]
    assert check_document(make_document(*pairs)) == []


# --- glossary and flags ------------------------------------------------------------------------


def test_glossary_renderings_missing_and_doubled():
    source = "總統府今日舉行記者會。"
    term = Term(source="總統府", rendering="Presidential Office", start=0, end=3)
    missing = Segment("b1s1", source, "The Office of the President met today.", "machine", [term])
    eppd = Term(source="經濟繁榮夥伴對話（EPPD）", rendering="EPPD", start=0, end=14)
    doubled = Segment("b2s1", "經濟繁榮夥伴對話（EPPD）", "EPPD (EPPD)", "machine", [eppd])
    document = Document(
        blocks=[Block("b1", "paragraph", [missing]), Block("b2", "paragraph", [doubled])]
    )
    found = check_document(document)
    assert ("b1s1", "term-missing", "error") in [(f.segment_id, f.code, f.severity) for f in found]
    assert ("b2s1", "term-doubled", "warning") in [
        (f.segment_id, f.code, f.severity) for f in found
    ]


def test_review_flags_are_shown_as_warnings():
    document = make_document(("賴清德致詞。", "President Lai spoke."), status="human")
    document.segments[0].flags = ["source changed since review"]
    assert [(f.code, f.severity, f.message) for f in check_document(document)] == [
        ("flagged", "warning", "source changed since review")
    ]


# --- the command -------------------------------------------------------------------------------


def write(document: Document, tmp_path: Path) -> Path:
    return dump(document, tmp_path / "doc.json")


def test_check_command_prints_a_table_and_exits_1_on_errors(tmp_path: Path):
    path = write(make_document(("投入3億元。", "invested a lot.")), tmp_path)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert (
        "b1s1" in result.output and "error" in result.output and "number-missing" in result.output
    )
    assert "zh: 投入3億元。" in result.output and "en: invested a lot." in result.output
    assert "1 errors, 0 warnings" in result.output


def test_check_command_json(tmp_path: Path):
    path = write(make_document(("投入3億元。", "invested a lot.")), tmp_path)
    result = CliRunner().invoke(cli, ["check", str(path), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] == 1
    assert data["findings"][0]["code"] == "number-missing"
    assert data["findings"][0]["source"] == "投入3億元。"


def test_check_command_exits_0_with_warnings_only(tmp_path: Path):
    path = write(make_document(("賴清德致詞。", "")), tmp_path)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 errors, 1 warnings" in result.output


def test_check_command_with_a_glossary_uses_its_renderings(tmp_path: Path):
    glossary = tmp_path / "terms.yaml"
    glossary.write_text("terms:\n  - zh: 總統府\n    en: Presidential Office\n", encoding="utf-8")
    path = write(
        make_document(
            ("總統府今日舉行記者會。", "The President's office held a press conference today.")
        ),
        tmp_path,
    )
    assert CliRunner().invoke(cli, ["check", str(path)]).exit_code == 0
    result = CliRunner().invoke(cli, ["check", str(path), "--glossary", str(glossary)])
    assert result.exit_code == 1
    assert "term-missing" in result.output


def test_check_command_on_a_missing_file(tmp_path: Path):
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "nope.json")])
    assert result.exit_code == 3
    assert "no such file" in result.output


def test_check_file_counts(tmp_path: Path):
    path = write(make_document(("投入3億元。", "invested a lot."), ("賴清德致詞。", "")), tmp_path)
    result = check_file(path)
    assert (result.errors, result.warnings) == (2, 0)
    assert result.summary() == "2 segments checked: 2 errors, 0 warnings"


# --- the stand-in model's noise ----------------------------------------------------------------


@pytest.mark.slow
def test_check_reports_the_stand_in_models_noise(installed_standin: Path, tmp_path: Path):
    from bilingual.engines import EngineOptions
    from bilingual.pipeline import translate_file

    result = translate_file(
        ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt",
        tmp_path,
        engine="argos",
        engine_options=EngineOptions(beam=1),
        formats="json",
        use_memory=False,
    )
    document = result.document
    assert all(s.status == "machine" for s in document.segments)
    errors = {}
    for finding in check_document(document):
        if finding.severity == "error":
            errors.setdefault(finding.segment_id, set()).add(finding.code)
    noise_codes = {"untranslated", "number-missing", "number-extra", "same-as-source"}
    caught = [s.id for s in document.segments if errors.get(s.id, set()) & noise_codes]
    assert len(caught) >= 0.9 * len(document.segments), sorted(set(errors) ^ set(caught))


# --- one draft at a time (the editor) -----------------------------------------------------------


def _drafts(document):
    """Drafts of several shapes for a segment: as it is, emptied, a number changed, Chinese left."""
    import re as _re

    for segment in document.translatable_segments:
        yield segment.id, segment.target
        yield segment.id, ""
        yield segment.id, _re.sub(r"\d", "7", segment.target) + " 42"
        yield segment.id, segment.source[:6] + " " + segment.target


def test_a_draft_is_checked_as_the_whole_document_would_be(article_copy):
    """DraftChecker gives, for each draft, exactly what check_document gives once it is saved."""
    import copy

    from bilingual.check import DraftChecker
    from tests.sample_documents import simplified_with_hostile_text, translated

    for document in (translated(article_copy), simplified_with_hostile_text()):
        checker = DraftChecker(document)
        for segment_id, target in list(_drafts(document))[::3]:
            saved = copy.deepcopy(document)
            segment = saved.segment(segment_id)
            segment.apply_draft(target, segment.notes, [t.placed for t in segment.terms])
            expected = [f for f in check_document(saved) if f.segment_id == segment_id]
            found = checker.check(segment_id, target)
            key = lambda f: (f.code, f.message)  # noqa: E731
            assert sorted(found, key=key) == sorted(expected, key=key), (segment_id, target)


def test_a_checker_after_a_save_is_the_checker_of_the_saved_document(article_copy):
    import copy

    from bilingual.check import DraftChecker
    from tests.sample_documents import translated

    document = translated(article_copy)
    before = DraftChecker(document)
    saved = copy.deepcopy(document)
    saved.segment("b4s1").apply_human("A much longer English sentence than before. " * 6, {})
    after, fresh = before.after_save(saved, "b4s1"), DraftChecker(saved)
    for segment in saved.translatable_segments[::4]:
        for target in (segment.target, segment.target + " 42", ""):
            assert after.check(segment.id, target) == fresh.check(segment.id, target)
