"""Documents for the exporter tests: the reference article with terms and targets filled by hand.

Built from `bilingual.pipeline.read_document` so the exporters see the real blocks and ids, but
without the glossary or an engine, so these tests do not depend on them.
"""

from __future__ import annotations

import copy
import re

from bilingual.document import Document, Term

# source -> (rendering at the first occurrence, rendering after, glossary note)
TERMS = {
    "台美經濟繁榮夥伴對話": (
        "Taiwan-US Economic Prosperity Partnership Dialogue (EPPD)",
        "EPPD",
        None,
    ),
    "EPPD": ("EPPD", "EPPD", "keep as is"),
    "賴清德": ("President Lai Ching-te", "President Lai", "PO release, 3 Feb 2026"),
    "總統府": ("Presidential Office", "Presidential Office", None),
    "華府": ("Washington, DC", "Washington, DC", None),
    "川普": ("President Trump", "President Trump", None),
}


def with_terms(document: Document) -> Document:
    """A copy of `document` whose segments carry the TERMS occurrences, longest match first."""
    document = copy.deepcopy(document)
    seen: set[str] = set()
    keys = sorted(TERMS, key=len, reverse=True)
    for segment in document.segments:
        terms = []
        at = 0
        while at < len(segment.source):
            hit = next((k for k in keys if segment.source.startswith(k, at)), None)
            if hit is None:
                at += 1
                continue
            first, later, note = TERMS[hit]
            rendering = later if hit in seen else first
            seen.add(hit)
            terms.append(Term(hit, rendering, at, at + len(hit), note=note))
            at += len(hit)
        segment.terms = terms
    return document


def translated(document: Document) -> Document:
    """Terms, plus a stand-in English target for every segment that uses the renderings and
    keeps the source's numbers (so the checks have little to say)."""
    document = with_terms(document)
    for segment in document.segments:
        numbers = re.findall(r"\d+", segment.source)
        parts = [f"Sentence {segment.id} says", *[t.rendering for t in segment.terms], *numbers]
        segment.target = " ".join(parts) + " and more."
        segment.status = "machine"
    return document


HOSTILE_TARGET = "<script>window.pwned = 1</script> The State Council said so."
HOSTILE_RENDERING = '"><img src=x onerror="window.pwned = 2">'


def simplified_with_hostile_text() -> Document:
    """A short document of our own in Simplified Chinese whose Chinese, English and glossary
    rendering hold markup and a right-to-left override: an editor must show them as text."""
    from bilingual.document import Block, Segment

    first = "国务院今天宣布投资3亿元，用于\u202e改善交通。"
    second = '他说："><img src=x onerror="window.pwned = 3">是一段文字。'
    terms = [
        Term("国务院", "State Council", 0, 3, also=["the State Council"]),
        Term("交通", HOSTILE_RENDERING, first.index("交通"), first.index("交通") + 2),
    ]
    return Document(
        blocks=[
            Block(
                "b1",
                "title",
                [Segment("b1s1", "国务院宣布新投资", "State Council announces", "machine")],
            ),
            Block(
                "b2",
                "paragraph",
                [
                    Segment(
                        "b2s1",
                        first,
                        "The State Council announced 300 million yuan.",
                        "machine",
                        terms,
                    ),
                    Segment("b2s2", second, HOSTILE_TARGET, "machine"),
                ],
            ),
        ],
        source_lang="zh-Hans",
        meta={"input": "hostile.txt", "title": "国务院<script>window.pwned = 4</script>"},
    )
