"""Every format carries any text the JSON form holds: a 16 MB input with a 13 MB paragraph.

libxml2 refuses one text node over 10,000,000 bytes by default; the DOCX exporter built its body
through python-docx's parser and failed there ("Text node too long") after the JSON form.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

# Common characters that make no term of the starter glossary, so the paragraph stays one run.
_CHARS = "的一是不了人我在有他这为之大来以个中上们到说和地也子时道出而要于就下得可你年生"
LONG = 4_500_000  # characters, 13.5 MB of UTF-8: one segment, no sentence end
SHORT = 15_000  # sentences of 40 characters after it


def _huge_text(path: Path) -> str:
    rng = random.Random(11)
    long = "".join(rng.choices(_CHARS, k=LONG))
    sentences = ["".join(rng.choices(_CHARS, k=40)) + "。" for _ in range(SHORT)]
    path.write_text(long + "\n\n" + "\n\n".join(sentences) + "\n", encoding="utf-8")
    return long


@pytest.mark.slow
def test_a_16_mb_text_reaches_every_format(tmp_path: Path, sandbox_env: dict[str, str]) -> None:
    import docx
    from lxml import etree

    source = tmp_path / "huge.txt"
    long = _huge_text(source)
    assert source.stat().st_size > 15_000_000
    out = tmp_path / "out"
    command = [sys.executable, "-m", "bilingual", "translate", str(source), "-o", str(out)]
    command += ["--engine", "none", "--format", "docx,html,tmx,xliff", "--no-memory", "--quiet"]
    result = subprocess.run(
        command, env=sandbox_env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr

    form = json.loads((out / "huge.json").read_text(encoding="utf-8"))
    sources = [s["source"] for block in form["blocks"] for s in block["segments"]]
    assert len(sources) == SHORT + 1 and max(map(len, sources)) == LONG

    # python-docx opens it with its own (default-limit) parser: no text node is over the limit.
    document = docx.Document(str(out / "huge.docx"))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    longest = max(cells, key=len)
    assert len(longest) == LONG and longest == long

    html = (out / "huge.html").read_text(encoding="utf-8")
    assert long in html

    huge = etree.XMLParser(huge_tree=True, resolve_entities=False)
    xliff = etree.parse(str(out / "huge.xlf"), huge)
    texts = [e.text or "" for e in xliff.iter("{*}source")]
    assert len(texts) == SHORT + 1 and long in texts
    etree.parse(str(out / "huge.tmx"))  # no pairs without targets, but a whole file
