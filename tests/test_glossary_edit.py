"""`glossary add`: a file keeps its comments, order and layout byte for byte outside the entry."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilingual.errors import GlossaryError, UsageError
from bilingual.glossary import check_glossary, load_glossary
from bilingual.glossary.edit import add_entry
from tests.conftest import examples

# Conflicts are checked against the glossary in force, ./glossary/ by default: not the repo's.
pytestmark = pytest.mark.usefixtures("own_folder")

TWO_SPACES = """\
# Taiwan-US relations: the publisher's house renderings.
name: Taiwan–US economic relations      # optional
terms:
  - zh: 台美經濟繁榮夥伴對話               # one source form, or a list of variants
    en: EPPD                            # the rendering used in running text
    first: Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)
    note: 'Presidential Office usage; the US side writes U.S.-Taiwan'
  # Declarations
  - zh: [矽盛世宣言, 矽和平宣言]
    en: "Pax Silica Declaration"
    note: >-
      Some outlets write
      矽和平宣言.

# end of file
"""

FOUR_SPACES = """\
name: four
terms:
    -   zh: 華府
        en: Washington, DC

    -   zh: 總統府
        en: Presidential Office
        # checked 2026-02

# trailing comment
"""


def added_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two texts."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (
            TWO_SPACES,
            [
                "  - zh: 台美關稅協議\n",
                "    en: Taiwan-US tariff agreement\n",
                '    note: "descriptive: ours"\n',
            ],
        ),
        (
            FOUR_SPACES,
            [
                "\n",
                "    -   zh: 台美關稅協議\n",
                "        en: Taiwan-US tariff agreement\n",
                '        note: "descriptive: ours"\n',
            ],
        ),
    ],
    ids=["two-space", "four-space"],
)
def test_add_keeps_everything_else_byte_for_byte(tmp_path, original, expected):
    path = tmp_path / "g.yaml"
    path.write_bytes(original.encode("utf-8"))
    result = add_entry(
        "台美關稅協議", "Taiwan-US tariff agreement", note="descriptive: ours", file=path
    )
    after = path.read_bytes().decode("utf-8")
    removed, added = added_lines(original, after)
    assert removed == []
    assert sorted(added) == sorted(expected)
    # The new lines form one contiguous block, and the old text is what is left without it.
    start = after.index("".join(expected))
    assert after[:start] + after[start + len("".join(expected)) :] == original
    assert result.action == "added"
    assert after.splitlines()[result.line - 1].lstrip().startswith("-")
    glossary = load_glossary([path])
    assert glossary.entries[-1].en == "Taiwan-US tariff agreement"
    assert glossary.entries[-1].note == "descriptive: ours"
    assert glossary.entries[-1].line == result.line


def test_add_goes_before_outdented_trailing_comments(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(TWO_SPACES, encoding="utf-8")
    add_entry("華府", "Washington, DC", file=path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith(
        "      矽和平宣言.\n  - zh: 華府\n    en: Washington, DC\n\n# end of file\n"
    )


def test_add_keeps_crlf_and_a_missing_final_newline(tmp_path):
    path = tmp_path / "g.yaml"
    original = b"terms:\r\n  - zh: \xe8\x8f\xaf\xe5\xba\x9c\r\n    en: Washington, DC"
    path.write_bytes(original)
    add_entry("總統府", "Presidential Office", file=path)
    data = path.read_bytes()
    assert (
        data
        == original
        + b"\r\n  - zh: \xe7\xb8\xbd\xe7\xb5\xb1\xe5\xba\x9c\r\n    en: Presidential Office\r\n"
    )


def test_add_quotes_what_yaml_would_misread(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("terms:\n  - zh: 華府\n    en: Washington, DC\n", encoding="utf-8")
    for zh, en in [
        ("真", "true"),
        ("數", "123"),
        ("井", "#1 hit"),
        ("冒", "a: b"),
        ("引", "'quoted'"),
        ("空", "null"),
    ]:
        add_entry(zh, en, file=path)
    renderings = {e.zh[0]: e.en for e in load_glossary([path]).entries}
    assert renderings == {
        "華府": "Washington, DC",
        "真": "true",
        "數": "123",
        "井": "#1 hit",
        "冒": "a: b",
        "引": "'quoted'",
        "空": "null",
    }


def test_add_to_new_and_empty_files(tmp_path):
    new = tmp_path / "new.yaml"
    add_entry("華府", "Washington, DC", first="Washington, DC (the US capital)", file=new)
    assert new.read_text(encoding="utf-8") == (
        "terms:\n  - zh: 華府\n    en: Washington, DC\n    first: Washington, DC (the US capital)\n"
    )
    flow = tmp_path / "flow.yaml"
    flow.write_text("# mine\nname: x\nterms: []   # none yet\n", encoding="utf-8")
    add_entry("華府", "Washington, DC", file=flow)
    assert (
        flow.read_text(encoding="utf-8")
        == "# mine\nname: x\nterms:\n  - zh: 華府\n    en: Washington, DC\n"
    )
    comments = tmp_path / "comments.yaml"
    comments.write_text("# only a comment\n", encoding="utf-8")
    add_entry("華府", "Washington, DC", file=comments)
    assert comments.read_text(encoding="utf-8").startswith(
        "# only a comment\nterms:\n  - zh: 華府\n"
    )


def test_conflicting_duplicate_is_refused_unless_replace(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(FOUR_SPACES, encoding="utf-8")
    with pytest.raises(
        UsageError,
        match=r"华府 is already in the glossary: 華府 -> 'Washington, DC' at .*g\.yaml:3; "
        "use --replace",
    ):
        add_entry("华府", "Washington", file=path)
    assert path.read_text(encoding="utf-8") == FOUR_SPACES
    same = add_entry("華府", "Washington, DC", file=path)
    assert same.action == "unchanged"
    assert path.read_text(encoding="utf-8") == FOUR_SPACES

    result = add_entry("华府", "Washington", file=path, replace=True)
    assert result.action == "replaced" and result.line == 3
    after = path.read_text(encoding="utf-8")
    assert after == FOUR_SPACES.replace(
        "        en: Washington, DC\n", "        en: Washington\n", 1
    )


def test_replace_keeps_comments_and_other_keys(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(FOUR_SPACES, encoding="utf-8")
    add_entry("總統府", "the Presidential Office", note="house style", file=path, replace=True)
    after = path.read_text(encoding="utf-8")
    assert (
        "        en: the Presidential Office\n"
        "        note: house style\n"
        "        # checked 2026-02\n" in after
    )
    assert after.endswith("\n# trailing comment\n")


def test_without_file_uses_the_only_file_or_asks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = add_entry("華府", "Washington, DC")
    assert result.path == Path("glossary/glossary.yaml")
    add_entry("總統府", "Presidential Office")
    assert len(load_glossary()) == 2
    (tmp_path / "glossary" / "people.yaml").write_text("terms: []\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"several glossary files .* choose one with --file"):
        add_entry("外交部", "MOFA")
    # A conflict found in another file of the glossary is reported with that file's line.
    with pytest.raises(UsageError, match=r"glossary\.yaml:\d+"):
        add_entry("華府", "Washington", file="glossary/people.yaml")
    with pytest.raises(UsageError, match=r"add --file glossary/glossary\.yaml"):
        add_entry("華府", "Washington", file="glossary/people.yaml", replace=True)


def test_refuses_to_edit_a_broken_file(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text("terms:\n  - zh: 華府\n    en: [oops\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"g\.yaml:\d+: YAML syntax error"):
        add_entry("總統府", "Presidential Office", file=path)


def test_added_entries_pass_check(tmp_path):
    path = tmp_path / "g.yaml"
    path.write_text(TWO_SPACES, encoding="utf-8")
    add_entry("劉威廉", "Liu Wei-lien", type="person", verified=False, note="to confirm", file=path)
    _, problems = check_glossary([path])
    assert [p.severity for p in problems] == ["warning"]
    entry = load_glossary([path]).entries[-1]
    assert (entry.type, entry.verified, entry.note) == ("person", False, "to confirm")


VALUE = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=20,
).filter(lambda v: v.strip() == v and v)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(zh=VALUE, en=VALUE, note=st.one_of(st.none(), VALUE))
def test_any_value_reads_back_and_the_rest_stays(tmp_path, zh, en, note):
    path = tmp_path / "g.yaml"
    path.write_text(FOUR_SPACES, encoding="utf-8")
    from bilingual.glossary.fold import fold

    if fold(zh) in {fold("華府"), fold("總統府")}:
        return
    add_entry(zh, en, note=note, file=path)
    after = path.read_text(encoding="utf-8")
    assert after.startswith(FOUR_SPACES[: FOUR_SPACES.index("\n# trailing comment")])
    assert after.endswith("\n# trailing comment\n")
    entry = load_glossary([path]).entries[-1]
    assert (entry.zh, entry.en, entry.note) == ([zh], en, note)
