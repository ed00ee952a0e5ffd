"""Reader speed: a 300-page PDF and a 1,000-paragraph DOCX, each read and segmented in its own
process (the time includes importing the reader's library).

    python benchmarks/readers.py [--pages 300] [--paragraphs 1000]

The PDF is made once by LibreOffice from a generated DOCX and kept in the temporary folder
(bilingual-bench-readers/), so later runs measure only the reading. Target (issue 12): each
input read in a few seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from children import run_child

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


def child(path: str) -> None:
    import json
    import time

    sys.path.insert(0, str(ROOT / "src"))
    started = time.perf_counter()
    from bilingual.pipeline import read_document

    document = read_document(path)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "blocks": len(document.blocks),
                "segments": len(document.segments),
                "pages": document.meta.get("pages"),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
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
