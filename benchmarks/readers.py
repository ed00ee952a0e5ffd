"""Reader speed: a 300-page PDF and a 1,000-paragraph DOCX, each read and segmented in its own
process (the time includes importing the reader's library).

    python benchmarks/readers.py [--pages 300] [--paragraphs 1000]
    python benchmarks/readers.py --scaling

`--scaling` reads each input that once made a reader quadratic (tests/hostile_inputs.py) at one
size and at twice that size, each in its own process, and prints the time ratio: a linear
reader takes about twice as long (goal, issue 19: at most 2.5 times).

The PDF is made once by LibreOffice from a generated DOCX and kept in the temporary folder
(bilingual-bench-readers/), so later runs measure only the reading. Target (issue 12): each
input read in a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from children import read_in_child, run_child

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "bilingual-bench-readers"
TARGET_SECONDS = 5.0
PARAGRAPHS_PER_PAGE = 12  # about what LibreOffice sets on a page of the sample paragraphs


def _samples():
    sys.path.insert(0, str(ROOT))
    from tests.reader_samples import docx_to_pdf, make_report_docx, paragraph_text

    return docx_to_pdf, make_report_docx, paragraph_text


def make_pdf(pages: int) -> Path:
    docx_to_pdf, make_report_docx, paragraph_text = _samples()
    pdf = CACHE / f"report-{pages}.pdf"
    if not pdf.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        paragraphs = [paragraph_text(i) for i in range(1, pages * PARAGRAPHS_PER_PAGE + 1)]
        source = make_report_docx(CACHE / f"report-{pages}.docx", paragraphs, heading="報告")
        docx_to_pdf(source, CACHE)
    return pdf


def make_docx(paragraphs: int) -> Path:
    _, make_report_docx, paragraph_text = _samples()
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"release-{paragraphs}.docx"
    make_report_docx(path, [paragraph_text(i) for i in range(1, paragraphs + 1)], heading="新聞稿")
    return path


# (label, builder in tests/hostile_inputs.py, reader, size, what the size counts)
SCALING = [
    ("Markdown soft-wrapped paragraph", "markdown_soft_wrapped", "markdown", 40_000, "lines"),
    ("Markdown table", "markdown_table", "markdown", 20_000, "rows"),
    ("text paragraph hard-wrapped", "text_hard_wrapped", "text", 40_000, "lines"),
    ("PDF paragraph across pages", "pdf_paragraph_across_pages", "pdf", 300, "KB"),
    ("PDF runs on one baseline", "pdf_runs_on_one_baseline", "pdf", 20_000, "runs"),
    ("HTML tag with many attributes", "html_attributes", "html", 100_000, "attributes"),
]
SCALING_GOAL = 2.5


def scaling_child(builder: str, reader: str, size: str) -> None:
    import json
    import time

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    from tests import hostile_inputs

    from bilingual.readers import get_reader

    data = getattr(hostile_inputs, builder)(int(size))
    parse = get_reader(reader).parse
    started = time.perf_counter()
    raw = parse(data, builder)
    print(json.dumps({"seconds": time.perf_counter() - started, "blocks": len(raw.blocks)}))


def scaling() -> int:
    worse = []
    for label, builder, reader, size, unit in SCALING:
        once = run_child(__file__, "scaling", builder, reader, str(size))["seconds"]
        twice = run_child(__file__, "scaling", builder, reader, str(2 * size))["seconds"]
        ratio = twice / max(once, 1e-3)
        print(
            f"{label}: {size:,} {unit} {once:.2f} s, {2 * size:,} {unit} {twice:.2f} s, "
            f"ratio {ratio:.2f}"
        )
        if ratio > SCALING_GOAL:
            worse.append(label)
    if worse:
        print(f"more than {SCALING_GOAL} times as long for twice the input: {', '.join(worse)}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--scaling", action="store_true", help="the scaling check only")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "scaling":
            scaling_child(*args.child[1:])
        else:
            read_in_child(args.child[0])
        return 0
    if args.scaling:
        return scaling()
    slow = []
    for label, path in (
        (f"DOCX, {args.paragraphs} paragraphs", make_docx(args.paragraphs)),
        (f"PDF, about {args.pages} pages", make_pdf(args.pages)),
    ):
        got = run_child(__file__, str(path))
        print(
            f"{label}: read in {got['seconds']:.2f} s ({got['wall']:.2f} s with start-up), "
            f"{got['blocks']} blocks, {got['segments']} segments"
            + (f", {got['pages']} pages" if got.get("pages") else "")
            + f", peak {got['peak_mb']:.0f} MB"
        )
        if got["seconds"] > TARGET_SECONDS:
            slow.append(label)
    if slow:
        print(f"slower than {TARGET_SECONDS:.0f} s: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
