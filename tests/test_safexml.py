"""The one parser for XML input: no entities, no DTD, no DOCTYPE that declares anything."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from bilingual import safexml
from bilingual.errors import GlossaryError, InputError
from bilingual.safexml import parse_xml

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
REFUSED = "x.xml: has a DOCTYPE (entity declarations are refused)"
BARE = b'<?xml version="1.0"?>\n<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">\n<martif/>'


def test_parse_xml_resolves_no_entities_even_without_the_doctype_check():
    from lxml import etree

    data = (HOSTILE / "external-entity.xlf").read_bytes()
    with pytest.raises(InputError):
        parse_xml(data, "x")
    # The parser settings alone keep the file's content out, whatever the DTD says.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(io.BytesIO(data), parser).getroot()
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_plain_xml_is_parsed_without_comments_or_processing_instructions():
    root = parse_xml(b"<?xml version='1.0'?><a><!-- note --><?pi x?><b>text</b></a>", "x.xml")
    assert [child.tag for child in root] == ["b"]
    assert root.findtext("b") == "text"


@pytest.mark.parametrize("name", ["entity-bomb.xlf", "external-entity.xlf", "entity-bomb.tbx"])
@pytest.mark.parametrize("bare_ok", [False, True])
def test_a_doctype_that_declares_entities_is_always_refused_fast(name: str, bare_ok: bool):
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        parse_xml((HOSTILE / name).read_bytes(), "x.xml", allow_bare_doctype=bare_ok)
    assert str(caught.value) == REFUSED
    assert time.perf_counter() - started < 2


def test_a_bare_doctype_is_refused_unless_allowed():
    with pytest.raises(InputError, match="has a DOCTYPE"):
        parse_xml(BARE, "x.xml")
    assert parse_xml(BARE, "x.xml", allow_bare_doctype=True).tag == "martif"
    public = b'<!DOCTYPE martif PUBLIC "ISO 12200:1999A//DTD MARTIF core//EN" "TBXcore.dtd">'
    assert parse_xml(public + b"<martif/>", "x.xml", allow_bare_doctype=True).tag == "martif"


@pytest.mark.parametrize(
    "doctype",
    [
        b"<!DOCTYPE martif []>",  # an empty internal subset is still one
        b'<!DOCTYPE martif SYSTEM "a.dtd" [<!ENTITY e "x">]>',
        b'<!DOCTYPE martif SYSTEM "a.dtd" [<!ELEMENT martif ANY>]>',
        b"<!doctype martif [<!ENTITY e 'x'>]>",
    ],
)
def test_a_doctype_with_an_internal_subset_is_refused_even_when_bare_ones_are_allowed(
    doctype: bytes,
):
    with pytest.raises(InputError, match="has a DOCTYPE"):
        parse_xml(doctype + b"<martif/>", "x.xml", allow_bare_doctype=True)


def test_a_doctype_hidden_in_utf16_is_seen():
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(InputError, match="has a DOCTYPE"):
        parse_xml(data.encode("utf-16"), "x.xml", allow_bare_doctype=True)


def test_a_doctype_after_a_long_comment_is_refused_after_parsing():
    # Past the prolog the text check does not look; what the parser saw still refuses it.
    data = b"<!--" + b" " * (70 * 1024) + b'-->\n<!DOCTYPE a [<!ENTITY e "x">]>\n<a>&e;</a>'
    for bare_ok in (False, True):
        with pytest.raises(InputError, match="has a DOCTYPE"):
            parse_xml(data, "x.xml", allow_bare_doctype=bare_ok)


def test_xml_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(safexml, "MAX_XML_BYTES", 2**20)
    data = b"<a>" + b" " * 2**20 + b"</a>"
    with pytest.raises(InputError, match=r"^x\.xml: the XML is larger than 1 MB; refused$"):
        parse_xml(data, "x.xml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<a>\n<b>\n</a>\n", r"^x\.xml:3: not well-formed XML \(.+\)$"),
        (b"", r"^x\.xml(:1)?: not well-formed XML"),
        (b"just text", r"^x\.xml:1: not well-formed XML"),
    ],
)
def test_malformed_xml_names_the_line(data: bytes, message: str):
    with pytest.raises(InputError, match=message) as caught:
        parse_xml(data, "x.xml")
    assert "\n" not in str(caught.value)


def test_the_error_is_of_the_callers_type():
    with pytest.raises(GlossaryError, match="has a DOCTYPE"):
        parse_xml((HOSTILE / "entity-bomb.tbx").read_bytes(), "g.tbx", error=GlossaryError)
    with pytest.raises(GlossaryError, match="not well-formed"):
        parse_xml(b"<a>", "g.tbx", error=GlossaryError)
