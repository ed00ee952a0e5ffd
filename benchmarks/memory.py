"""Peak memory per segment: the issue-19 inputs translated with `--engine none`, each variant
in its own process (`/usr/bin/time`-style peak RSS from getrusage of that child alone).

    python benchmarks/memory.py [--lines 200000] [--cells 100000]
                                [--million 1000000] [--table-rows 100000]
                                [--exporters 100000]

Variants: (a) a text of LINES one-line paragraphs to the JSON form, and that JSON form read
back (`bilingual export`); (b) a text of MILLION short lines (16 MB at a million) to the
default formats (DOCX, HTML and the JSON form), its JSON form exported again and the text
translated again over it; (c) an HTML page of CELLS table cells to DOCX;
(d) a Markdown table of TABLE-ROWS rows of ten one-character cells to DOCX, and that table
only read (`bilingual.readers.read`: the Markdown reader's own peak, its raw blocks included);
(e) a text of EXPORTERS short lines read and segmented once, then each exporter of a run
written into a file: the memory each adds beyond the Document (its peak RSS less the RSS
before it, Linux only). `--million 0`, `--table-rows 0` or `--exporters 0` leaves a variant
out. Goal (issue 19): each run under 1 GB, or refused at once with exit 3 when this machine
cannot hold it; each exporter adds a bounded amount (under 200 MB at a million segments: it
writes as it renders).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 1024
EXPORTER_GOAL_MB = 200  # what one exporter may add at a million segments
EXPORTER_FORMATS = ("json", "html", "docx", "md")


BILINGUAL = [sys.executable, "-m", "bilingual"]
READ = [sys.executable, "-c", "import sys; from bilingual.readers import read; read(sys.argv[1])"]


def run(command: list[str]) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB) and exit code of `command` in a process of its own."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = child.stderr.read() if child.stderr else ""
    _, status, usage = os.wait4(child.pid, 0)
    if stderr.strip():
        print("   ", stderr.strip().splitlines()[-1])
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--million", type=int, default=1_000_000)
    parser.add_argument("--table-rows", type=int, default=100_000)
    parser.add_argument("--exporters", type=int, default=100_000)
    parser.add_argument("--child", metavar="TEXT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        exporters_in_child(Path(args.child))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bilingual-bench-memory-"))
    sentences = ("經濟部今天宣布新的補助措施。", "行政院隨後表示支持，預計明年實施。")
    text = folder / "lines.txt"
    text.write_text(
        "\n".join(f"第{i}行：{sentences[i % 2]}" for i in range(args.lines)) + "\n", "utf-8"
    )
    page = folder / "cells.html"
    rows = "".join(f"<tr><td>項目{i}</td><td>金額{i}萬元</td></tr>" for i in range(args.cells // 2))
    page.write_text(f"<html><body><table>{rows}</table></body></html>", "utf-8")
    million = folder / "million.txt"
    million.write_text("".join(f"第{i}行。\n" for i in range(args.million)), "utf-8")
    table = folder / "table.md"
    with table.open("w", encoding="utf-8") as out:
        out.write("|" + "|".join("abcdefghij") + "|\n|" + "---|" * 10 + "\n")
        out.writelines("|甲|乙|丙|丁|戊|己|庚|辛|壬|癸|\n" for _ in range(args.table_rows))
    variants = [
        (f"text, {args.lines:,} lines -> JSON form", [*BILINGUAL, "translate", str(text), "-o",
         str(folder / "a"), "--engine", "none", "--format", "json", "--no-memory"]),
        ("the JSON form read back -> JSON form", [*BILINGUAL, "export",
         str(folder / "a" / "lines.json"), "--format", "json", "-o", str(folder / "b")]),
        (f"text, {args.million:,} short lines -> DOCX, HTML, JSON form", [*BILINGUAL,
         "translate", str(million), "-o", str(folder / "m"), "--engine", "none", "--no-memory"]),
        ("the million lines' JSON form read back -> DOCX, HTML (export)", [*BILINGUAL, "export",
         str(folder / "m" / "million.json"), "-o", str(folder / "mx")]),
        ("the million lines translated again (the previous JSON form read for human edits)",
         [*BILINGUAL, "translate", str(million), "-o", str(folder / "m"), "--engine", "none",
         "--no-memory"]),
        (f"HTML, {args.cells:,} table cells -> DOCX", [*BILINGUAL, "translate", str(page), "-o",
         str(folder / "c"), "--engine", "none", "--format", "docx", "--no-memory"]),
        (f"Markdown, a table of {args.table_rows * 10:,} cells -> DOCX", [*BILINGUAL,
         "translate", str(table), "-o", str(folder / "t"), "--engine", "none", "--format",
         "docx", "--no-memory"]),
        (f"Markdown, a table of {args.table_rows * 10:,} cells, read only", [*READ, str(table)]),
    ]  # fmt: skip
    if not args.million:
        variants = [v for v in variants if str(million) not in v[1] and "million" not in v[0]]
    if not args.table_rows:
        variants = [v for v in variants if "Markdown" not in v[0]]
    over = []
    for label, command in variants:
        seconds, peak, code = run(command)
        refused = " (refused: exit 3)" if code == 3 else f" (exit {code})" if code else ""
        print(f"{label}: {seconds:.1f} s, peak {peak:.0f} MB{refused}")
        if peak > GOAL_MB or code not in (0, 3):
            over.append(label)
    if args.exporters:
        over += exporters(args.exporters, folder)
    if over:
        print(f"over the goal: {', '.join(over)}")
        return 1
    return 0


def exporters(lines: int, folder: Path) -> list[str]:
    """(e): what each exporter adds to the peak beyond the Document; the formats over the goal
    (scaled to `lines` segments)."""
    from children import run_child

    text = folder / "exporters.txt"
    text.write_text("".join(f"第{i}行。\n" for i in range(lines)), "utf-8")
    added = run_child(__file__, str(text))["added"]
    goal = EXPORTER_GOAL_MB * lines / 1_000_000
    for fmt, (mb, seconds) in added.items():
        print(f"text, {lines:,} short lines -> {fmt} alone: adds {mb} MB, {seconds:.1f} s")
    return [f"{fmt} (adds {mb} MB)" for fmt, (mb, _) in added.items() if mb > max(goal, 20)]


def exporters_in_child(text: Path) -> None:
    """The child of (e): read and segment `text`, then write each format into a file, resetting
    the peak before each (/proc/self/clear_refs); print {"added": {format: [MB, seconds]}}."""
    sys.path.insert(0, str(ROOT / "src"))
    from bilingual.exporters import ExportOptions, get_exporter
    from bilingual.files import write_all
    from bilingual.readers import read
    from bilingual.segment import segment

    def rss() -> dict[str, int]:
        with open("/proc/self/status") as status:
            fields = (line.split() for line in status if line.startswith(("VmRSS", "VmHWM")))
            return {f[0].rstrip(":"): int(f[1]) // 1024 for f in fields}

    raw = read(text)
    document = segment(raw)
    del raw
    added = {}
    for fmt in EXPORTER_FORMATS:
        gc.collect()
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak (VmHWM) starts again from the present RSS
        before = rss()["VmRSS"]
        started = time.perf_counter()
        exporter = get_exporter(fmt)
        rendered = exporter.render(document, ExportOptions())
        write_all([(text.with_suffix(exporter.extension), rendered.write)], digests={})
        added[fmt] = [rss()["VmHWM"] - before, time.perf_counter() - started]
    print(json.dumps({"added": added}))


if __name__ == "__main__":
    sys.exit(main())
