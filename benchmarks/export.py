"""Export speed and memory: a 1,000-paragraph document (the reference article repeated) to DOCX
and to HTML, each in its own process so that each peak memory is its own.

    python benchmarks/export.py [--paragraphs 1000]

Target (issue 6): DOCX + HTML under 3 s together, each under 300 MB peak memory.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from children import run_child

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt"
TARGET_SECONDS = 3.0
TARGET_MB = 300


def build(paragraphs: int, path: Path) -> int:
    """Write the JSON form of the long document; return its number of segments."""
    from bilingual.document import dump, renumber
    from bilingual.glossary import annotate, load_glossary
    from bilingual.pipeline import read_document

    article = read_document(ARTICLE)
    body = [b for b in article.blocks if b.kind in ("paragraph", "heading")]
    blocks = article.blocks[:1]
    count = 0
    while count < paragraphs:
        for block in body:
            if count == paragraphs:
                break
            blocks.append(copy.deepcopy(block))
            count += 1
    blocks.append(copy.deepcopy(article.blocks[-1]))
    renumber(blocks)
    article.blocks = blocks
    annotate(article, load_glossary([ROOT / "glossary"]))
    for segment in article.segments:  # a stand-in English draft that uses the renderings
        numbers = re.findall(r"\d+", segment.source)
        words = ["The sentence says", *[t.rendering for t in segment.terms], *numbers]
        segment.target = " ".join(words) + " and goes on for a while, as news sentences do."
        segment.status = "machine"
    dump(article, path)
    return len(article.segments)


def child(fmt: str, source: str, folder: str) -> None:
    """Runs in the subprocess: load the JSON form, export one format, print the seconds."""
    from bilingual.check import check_document
    from bilingual.document import load
    from bilingual.exporters import ExportOptions, get_exporter
    from bilingual.files import write_all

    document = load(source)
    started = time.perf_counter()
    exporter = get_exporter(fmt)
    # the HTML shows the check findings, so its time includes the check stage; a DOCX without
    # --comments does not need them
    findings = check_document(document) if fmt == "html" else []
    rendered = exporter.render(document, ExportOptions(), findings)
    write_all([(Path(folder) / f"long{exporter.extension}", rendered.write)])
    print(json.dumps({"seconds": time.perf_counter() - started}))


def measure(fmt: str, source: Path, folder: Path) -> dict[str, float]:
    return run_child(__file__, fmt, str(source), str(folder))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "JSON", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bilingual-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "long.json"
        segments = build(args.paragraphs, source)
        print(f"document: {args.paragraphs} paragraphs, {segments} segments")
        # ru_maxrss of children is the largest so far: run the lighter format first
        results = {fmt: measure(fmt, source, folder) for fmt in ("html", "docx")}
        for fmt, r in results.items():
            size = (folder / f"long.{fmt}").stat().st_size / 1e6
            print(
                f"{fmt:5} export {r['seconds']:.2f} s (process {r['wall']:.2f} s), "
                f"peak memory {r['peak_mb']:.0f} MB, file {size:.1f} MB"
            )
        # the same as a user runs it: one process, JSON form read (and written) plus both formats
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bilingual", "export", str(source), "-o", str(folder / "cli"),
             "--format", "docx,html"],
            capture_output=True, check=True,
        )  # fmt: skip
        cli_wall = time.perf_counter() - started
        cli_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"`bilingual export --format docx,html` (JSON read and written too): {cli_wall:.2f} s, "
            f"peak memory of the processes so far {cli_peak:.0f} MB"
        )
        total = sum(r["seconds"] for r in results.values())
        peak = max(r["peak_mb"] for r in results.values())
        ok = total < TARGET_SECONDS and peak < TARGET_MB
        print(
            f"together {total:.2f} s (target < {TARGET_SECONDS:.0f} s), "
            f"peak {peak:.0f} MB (target < {TARGET_MB} MB): {'OK' if ok else 'MISSED'}"
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
