"""Loading and validating glossary files: every problem is reported with its file and line."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from bilingual.errors import GlossaryError
from bilingual.glossary import Glossary, check_glossary, load_glossary

ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(paths) -> list[tuple[str, int | None, str]]:
    _, problems = check_glossary(paths)
    return [(Path(p.file).name, p.line, p.message) for p in problems if p.severity == "error"]


def test_entries_keep_their_file_and_line(tmp_path):
    path = write(
        tmp_path,
        "g.yaml",
        "# comment\nname: test\nterms:\n"
        "  - zh: 台美關稅協議\n    en: Taiwan-US tariff agreement\n\n"
        "  - zh: [矽盛世宣言, 矽和平宣言]\n    en: Pax Silica Declaration\n"
        "    first: the Pax Silica Declaration\n",
    )
    glossary = load_glossary([path])
    assert len(glossary) == 2
    first, second = glossary.entries
    assert (first.zh, first.en, first.line) == (["台美關稅協議"], "Taiwan-US tariff agreement", 4)
    assert (second.zh, second.first, second.line) == (
        ["矽盛世宣言", "矽和平宣言"],
        "the Pax Silica Declaration",
        7,
    )
    assert second.file == str(path)


def test_yaml_syntax_error_has_its_line(tmp_path):
    path = write(tmp_path, "bad.yaml", "terms:\n  - zh: 華府\n    en: [Washington, DC\n  - zh: x\n")
    ((name, line, message),) = errors_of([path])
    assert name == "bad.yaml" and line is not None and 3 <= line <= 5
    assert "YAML syntax error" in message


def test_duplicate_key_is_a_yaml_error_with_line(tmp_path):
    path = write(
        tmp_path, "dup.yaml", "terms:\n  - zh: 華府\n    en: Washington\n    en: Washington, DC\n"
    )
    ((_, line, message),) = errors_of([path])
    assert line == 4 and "duplicate" in message.lower()


BROKEN = """\
terms:
  - zh: 華府
  - en: Presidential Office
  - zh: 外交部
    en: ""
  - zh: 123
    en: Three
  - zh: [立法院, 7]
    en: Legislative Yuan
  - zh: "   "
    en: Nothing
  - zh: 經濟部
    en: MOEA
    first: [Ministry]
    verified: "no"
    frist: typo
    type: building
  - just a string
"""


def test_broken_entries_each_reported_with_its_line(tmp_path):
    path = write(tmp_path, "broken.yaml", BROKEN)
    found = errors_of([path])
    by_line = {}
    for _, line, message in found:
        by_line.setdefault(line, []).append(message)
    assert any("no 'en'" in m for m in by_line[2])
    assert any("no 'zh'" in m for m in by_line[3])
    assert any("'en' is an empty string" in m for m in by_line[5])
    assert any("must be a string or a list of strings, not a number (123)" in m for m in by_line[6])
    assert any("not a number (7)" in m for m in by_line[8])
    assert any("'zh' has an empty string" in m for m in by_line[10])
    assert any("'first' must be a string, not a list" in m for m in by_line[14])
    assert any("'verified' must be true or false" in m for m in by_line[15])
    assert any("unknown key 'frist'" in m for m in by_line[16])
    assert any("unknown type 'building'" in m for m in by_line[17])
    assert any("must be a mapping" in m for m in by_line[18])
    # The valid-looking parts load nothing from broken entries.
    glossary, _ = check_glossary([path])
    assert len(glossary) == 0


def test_top_level_shape(tmp_path):
    a = write(tmp_path, "a.yaml", "- zh: 華府\n  en: Washington, DC\n")
    b = write(tmp_path, "b.yaml", "name: x\nterms: {zh: 華府}\n")
    c = write(tmp_path, "c.yaml", "nme: typo\nterms: []\n")
    assert errors_of([a]) == [
        ("a.yaml", 1, "expected a mapping with a 'terms' list at the top level")
    ]
    assert errors_of([b])[0][:2] == ("b.yaml", 2)
    assert errors_of([c])[0][:2] == ("c.yaml", 1)


def test_empty_file_is_an_empty_glossary(tmp_path):
    assert len(load_glossary([write(tmp_path, "empty.yaml", "# nothing yet\n")])) == 0


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "big5.yaml"
    path.write_bytes("terms:\n  - zh: 華府\n".encode("big5"))
    with pytest.raises(GlossaryError, match=r"big5\.yaml:2: not UTF-8"):
        load_glossary([path])


def test_conflicting_duplicates_within_a_file(tmp_path):
    path = write(
        tmp_path,
        "g.yaml",
        "terms:\n  - zh: 立法院\n    en: Legislative Yuan\n  - zh: 立法院\n    en: Parliament\n",
    )
    ((_, line, message),) = errors_of([path])
    assert line == 4
    assert "'Parliament' here but 'Legislative Yuan' at" in message and "g.yaml:2" in message


def test_conflicts_across_files_after_script_normalisation(tmp_path):
    write(tmp_path, "a.yaml", "terms:\n  - zh: 台美經濟繁榮夥伴對話\n    en: EPPD\n")
    write(
        tmp_path,
        "b.yaml",
        "terms:\n  - zh: x\n    en: y\n  - zh: [甲, 台美经济繁荣伙伴对话]\n    en: the dialogue\n",
    )
    ((name, line, message),) = errors_of([tmp_path])
    assert (name, line) == ("b.yaml", 4)
    assert "as 台美經濟繁榮夥伴對話" in message and "a.yaml:2" in message


def test_same_rendering_twice_is_only_a_warning(tmp_path):
    write(tmp_path, "a.yaml", "terms:\n  - zh: 華府\n    en: Washington, DC\n")
    write(tmp_path, "b.yaml", "terms:\n  - zh: 華府\n    en: Washington, DC\n")
    _, problems = check_glossary([tmp_path])
    assert [p.severity for p in problems] == ["warning"]
    assert len(load_glossary([tmp_path])) == 2


def test_case_sensitive_entries_may_differ_in_case(tmp_path):
    path = write(
        tmp_path,
        "g.yaml",
        "terms:\n  - zh: AI\n    en: AI\n    case_sensitive: true\n"
        "  - zh: Ai\n    en: Ai (a name)\n    case_sensitive: true\n"
        "  - zh: ai\n    en: something\n",
    )
    found = errors_of([path])
    assert [line for _, line, _ in found] == [8]


def test_load_glossary_raises_one_line_with_file_and_line(tmp_path):
    path = write(tmp_path, "g.yaml", "terms:\n  - zh: 華府\n  - en: x\n")
    with pytest.raises(GlossaryError) as caught:
        load_glossary([path])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:2: ")
    assert "and 1 more; run `bilingual glossary check`" in message
    assert caught.value.exit_code == 3


def test_missing_path_is_a_glossary_error(tmp_path):
    with pytest.raises(GlossaryError, match="no such glossary file or folder"):
        load_glossary([tmp_path / "nope.yaml"])


def test_default_folder_and_yml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert len(load_glossary()) == 0  # no ./glossary/: an empty glossary, not an error
    write(tmp_path, "glossary/a.yml", "terms:\n  - zh: 華府\n    en: Washington, DC\n")
    write(tmp_path, "glossary/sub/b.yaml", "terms:\n  - zh: 總統府\n    en: Presidential Office\n")
    write(tmp_path, "glossary/.hidden/c.yaml", "terms: [oops\n")
    write(tmp_path, "glossary/readme.txt", "not yaml")
    glossary = load_glossary()
    assert [e.en for e in glossary.entries] == ["Washington, DC", "Presidential Office"]


def test_digest_follows_renderings_not_layout(tmp_path):
    a = write(tmp_path, "a.yaml", "terms:\n  - zh: 華府\n    en: Washington, DC\n    note: one\n")
    b = write(tmp_path, "b.yaml", "# other layout\nterms:\n-   zh: 华府\n    en: Washington, DC\n")
    c = write(tmp_path, "c.yaml", "terms:\n  - zh: 華府\n    en: Washington\n")
    digest = load_glossary([a]).digest()
    assert digest.startswith("sha256:") and len(digest) == 7 + 64
    assert load_glossary([b]).digest() == digest
    assert load_glossary([c]).digest() != digest
    assert Glossary().digest() != digest


def test_starter_glossary_is_clean():
    glossary, problems = check_glossary([ROOT / "glossary"])
    assert [p for p in problems if p.severity == "error"] == []
    unverified = sorted(e.zh[0] for e in glossary.entries if not e.verified)
    assert unverified == sorted(["劉威廉", "王良玉", "梁博超"])
    assert all(e.note for e in glossary.entries if not e.verified)
    assert {Path(f).name for f in glossary.files} >= {
        "events-and-agreements.yaml",
        "offices-and-titles.yaml",
        "people.yaml",
    }
    assert all(e.type for e in glossary.entries)


# The fast reader (PyYAML events) must read every file as the round-trip parser does: the same
# entries, lines and problems; these texts cover what glossaries hold, valid and not.
PARITY_TEXTS = [
    "",
    "# only a comment\n",
    "terms:\n  - zh: 華府\n    en: Washington, DC\n",
    "name: people\nterms:\n- zh: [賴清德, 赖清德]\n  en: Lai Ching-te\n  first: President Lai\n",
    "terms:\n  - zh:\n      - 矽盛世宣言\n      - 矽和平宣言\n    en: 'the Pax Silica'\n",
    'terms:\n  - {zh: "AI", en: AI, case_sensitive: true}\n  - zh: ai\n    en: x\n',
    "terms:\n  - zh: 華府\n    en: yes\n    verified: no\n",
    "terms:\n  - zh: 華府\n    en: 1984\n  - zh: 10\n    en: ten\n  - zh: x\n    en: 0x1F\n",
    "terms:\n  - zh: 華府\n    en: ~\n    note: null\n    verified: False\n",
    "terms:\n  - zh: 華府\n    en: |\n      Washington\n      DC\n    type: place\n",
    "terms:\n  - zh: 華府\n    en: Washington\n    frist: Wash\n",
    "terms:\n  - zh: ''\n    en: x\n  - zh: [1, 華府]\n    en: 2.5\n  - just text\n",
    "terms:\n  - zh: 華府\n    en: Washington\n    en: Washington, DC\n",
    "terms:\n  - zh: 華府\n    en: [Washington, DC\n  - zh: x\n",
    "terms: {zh: x}\n",
    "- zh: x\n  en: y\n",
    "terms:\n  - zh: 華府\n    en: !!str 5\n",
    "terms:\n  - zh: 華府\n    en: 2024-01-01\n",
    "base: &b {en: x}\nterms:\n  - <<: *b\n    zh: 華府\n",
    "terms:\n  - zh: a\n    en: b\n---\nterms: []\n",
    "\ufeffterms:\n  - zh: 華府\n    en: x\n",
    "terms:\n  - &a\n    zh: 華府\n    en: Washington\n  - zh: 白宮\n    en: White House\n",
]


@pytest.mark.parametrize("text", PARITY_TEXTS)
def test_the_fast_reader_reads_as_the_round_trip_parser(tmp_path, text):
    from bilingual.glossary.model import entries_from_data, load_yaml, parse_yaml

    def read(parse):
        data, problems = parse(text.lstrip("\ufeff"), "g.yaml")
        if problems:
            return [], [str(p) for p in problems]
        entries, problems = entries_from_data(data, "g.yaml")
        return [asdict(e) for e in entries], [str(p) for p in problems]

    assert read(load_yaml) == read(parse_yaml)


def test_the_fast_reader_is_the_one_used(tmp_path, monkeypatch):
    from bilingual.glossary import model

    path = write(tmp_path, "g.yaml", "terms:\n  - zh: 華府\n    en: Washington\n")
    monkeypatch.setattr(model, "parse_yaml", lambda *a: pytest.fail("round-trip parser used"))
    glossary = load_glossary([path])
    assert [(e.zh, e.line) for e in glossary.entries] == [(["華府"], 2)]


def test_an_error_in_an_aliased_entry_names_the_alias_too(tmp_path):
    path = write(
        tmp_path,
        "g.yaml",
        "terms:\n  - &capital\n    zh: 華府\n    en: 5\n  - zh: 白宮\n    en: White House\n"
        "  - *capital\n",
    )
    found = errors_of([path])
    assert [line for _, line, _ in found] == [4, 7]
    assert "the entry at line 4, repeated here" in found[1][2]


def test_an_aliased_entry_is_a_duplicate_at_the_alias(tmp_path):
    path = write(
        tmp_path, "g.yaml", "terms:\n  - &capital\n    zh: 華府\n    en: Washington\n  - *capital\n"
    )
    _, problems = check_glossary([path])
    assert [str(p) for p in problems] == [
        f"{path}:5: warning: 華府: same entry already at {path}:3"
    ]


def test_dev_null_is_an_empty_glossary():
    glossary = load_glossary(["/dev/null"])
    assert len(glossary) == 0 and glossary.files == ["/dev/null"]


def test_invisible_and_one_character_forms_are_warned_about(tmp_path):
    path = write(
        tmp_path,
        "g.yaml",
        'terms:\n  - zh: "\\u200b\\u200d"\n    en: nothing\n  - zh: 的\n    en: of\n'
        "  - zh: 華府\n    en: Washington\n",
    )
    glossary, problems = check_glossary([path])
    assert len(glossary) == 3  # warnings only: the run still loads them
    assert [(p.line, p.severity) for p in problems] == [(2, "warning"), (4, "warning")]
    assert "only of invisible characters (U+200B, U+200D)" in problems[0].message
    assert problems[1].message == "的: a one-character source form matches inside many words"
