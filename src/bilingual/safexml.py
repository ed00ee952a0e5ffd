"""The one XML parser for input that comes from outside: review DOCX parts, XLIFF, TBX glossaries.

lxml is told to resolve no entities, load no DTD and touch no network; a DOCTYPE that declares
anything (where entity bombs and external entities live) is refused before the parser sees the
file, and so is XML larger than any real input.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InputError

MAX_XML_BYTES = 64 * 1024 * 1024  # far above any real review file or glossary, far below a bomb
_PROLOG = 64 * 1024  # a DOCTYPE comes before the root element, at the top of the file
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# A DOCTYPE that only names its DTD (as TBX files do: <!DOCTYPE martif SYSTEM "TBX….dtd">)
# declares nothing; the DTD itself is never loaded.
_QUOTED = rb"""(?:"[^"]*"|'[^']*')"""
_BARE_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+[^\s>\[]+(?:\s+(?:SYSTEM\s+" + _QUOTED + rb"|PUBLIC\s+" + _QUOTED
    + rb"\s+" + _QUOTED + rb"))?\s*>",
    re.IGNORECASE,
)  # fmt: skip


def parse_xml(
    data: bytes,
    origin: str,
    *,
    error: type[InputError] = InputError,
    allow_bare_doctype: bool = False,
) -> Any:
    """The root element of `data`, parsed with no entities resolved, no DTD and no network.

    Refused with `error` (one line naming `origin`): more than `MAX_XML_BYTES`, a DOCTYPE
    (with `allow_bare_doctype`, only one that declares something), XML that is not well-formed.
    """
    from lxml import etree

    if len(data) > MAX_XML_BYTES:
        raise error(f"{origin}: the XML is larger than {MAX_XML_BYTES // 2**20} MB; refused")
    # The prolog also without NUL bytes, so a UTF-16 file cannot hide its DOCTYPE.
    for prolog in (data[:_PROLOG], data[:_PROLOG].replace(b"\0", b"")):
        for found in _DOCTYPE.finditer(prolog):
            if not (allow_bare_doctype and _BARE_DOCTYPE.match(prolog, found.start())):
                raise error(f"{origin}: has a DOCTYPE (entity declarations are refused)")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = e.lineno or (e.position[0] if e.position else None)
        where = f"{origin}:{line}" if line else origin
        raise error(f"{where}: not well-formed XML ({e.msg})") from None
    if root is None:
        raise error(f"{origin}: empty XML")
    # Whatever the check above missed, the parser saw: a DOCTYPE that declares anything.
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    declares = dtd is not None and (
        any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements())
    )
    if declares or (docinfo.doctype and not allow_bare_doctype):
        raise error(f"{origin}: has a DOCTYPE (entity declarations are refused)")
    return root
