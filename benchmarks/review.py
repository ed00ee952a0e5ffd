"""Review speed and memory: `check` and `import` on a 1,000-paragraph document (the reference
article repeated, as in benchmarks/export.py), each in its own process so that each peak memory
is its own.

    python benchmarks/review.py [--paragraphs 1000]

1. check         load the JSON form and run every check (what `bilingual check` does, and what
                 the HTML exporter runs to mark rows);
2. import docx   read the exported side-by-side DOCX with one English cell in ten edited, and
                 store the edits in the JSON form and a fresh memory;
3. import xliff  the same from the XLIFF with one target in ten edited.

There is no floor or peer to run beside these: no other tool reads our bookmarks back.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from children import run_child

ROOT = Path(__file__).resolve().parent.parent


def build(paragraphs: int, folder: Path) -> int:
    """The long JSON form (built as benchmarks/export.py builds it), its DOCX and XLIFF, edited."""
    spec = importlib.util.spec_from_file_location("export_bench", ROOT / "benchmarks" / "export.py")
    assert spec and spec.loader
    export_bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(export_bench)
    from docx import Document as open_docx
    from lxml import etree

    from bilingual.document import load
    from bilingual.exporters import ExportOptions, get_exporter
    from bilingual.files import write_all

    source = folder / "long.json"
    segments = export_bench.build(paragraphs, source)
    document = load(source)
    for name in ("docx", "xliff"):
        exporter = get_exporter(name)
        rendered = exporter.render(document, ExportOptions())
        write_all([(folder / f"long{exporter.extension}", rendered.write)])
    doc = open_docx(str(folder / "long.docx"))
    for n, row in enumerate(doc.tables[0].rows[1:]):
        if n % 10 == 0:
            row.cells[1].paragraphs[0].add_run(" Edited by a reviewer.")
    doc.save(str(folder / "long.docx"))
    ns = "urn:oasis:names:tc:xliff:document:2.0"
    tree = etree.parse(str(folder / "long.xlf"))
    for n, target in enumerate(tree.iter(f"{{{ns}}}target")):
        if n % 10 == 0:
            target.text = (target.text or "") + " Edited in a CAT tool."
    tree.write(str(folder / "long.xlf"), xml_declaration=True, encoding="UTF-8")
    return segments


def child(task: str, folder: str) -> None:
    """Runs in the subprocess: one task, then its seconds as JSON on stdout."""
    work = Path(folder)
    started = time.perf_counter()
    if task == "check":
        from bilingual.check import check_file

        result = check_file(work / "long.json")
        detail = result.summary()
    else:
        from bilingual.review import import_edits

        into = work / f"{task}.json"
        shutil.copy(work / "long.json", into)
        edited = work / ("long.docx" if task == "docx" else "long.xlf")
        report = import_edits(edited, into, work / f"{task}.sqlite", use_memory=True)
        detail = report.summary()
    print(json.dumps({"seconds": time.perf_counter() - started, "detail": detail}))


def measure(task: str, folder: Path) -> dict:
    return run_child(__file__, task, str(folder))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--child", nargs=2, metavar=("TASK", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    with tempfile.TemporaryDirectory(prefix="bilingual-bench-") as tmp:
        folder = Path(tmp)
        segments = build(args.paragraphs, folder)
        print(f"document: {args.paragraphs} paragraphs, {segments} segments")
        # ru_maxrss of children is the largest so far: lighter tasks first
        for task, label in (("check", "check"), ("xliff", "import xliff"), ("docx", "import docx")):
            r = measure(task, folder)
            print(
                f"{label:12} {r['seconds']:.2f} s (process {r['wall']:.2f} s), "
                f"peak memory so far {r['peak_mb']:.0f} MB; {r['detail']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
