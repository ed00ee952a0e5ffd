"""Peak memory per segment: the issue-19 inputs translated with `--engine none`, each variant
in its own process (`/usr/bin/time`-style peak RSS from getrusage of that child alone).

    python benchmarks/memory.py [--lines 200000] [--cells 100000]

Variants: a text of LINES one-line paragraphs to the JSON form; the JSON form read back
(`bilingual export`); an HTML page of CELLS table cells to DOCX. Goal (issue 19): each under
1 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 1024


def run(args: list[str]) -> tuple[float, float, int]:
    """Seconds, peak RSS (MB) and exit code of `bilingual ARGS` in a process of its own."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bilingual", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, usage = os.wait4(child.pid, 0)[1:]
    stderr = child.stderr.read() if child.stderr else ""
    if usage and stderr.strip():
        print("   ", stderr.strip().splitlines()[-1])
    return time.perf_counter() - started, usage.ru_maxrss / 1024, 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--cells", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bilingual-bench-memory-"))
    sentences = ("經濟部今天宣布新的補助措施。", "行政院隨後表示支持，預計明年實施。")
    text = folder / "lines.txt"
    text.write_text(
        "\n".join(f"第{i}行：{sentences[i % 2]}" for i in range(args.lines)) + "\n", "utf-8"
    )
    page = folder / "cells.html"
    rows = "".join(f"<tr><td>項目{i}</td><td>金額{i}萬元</td></tr>" for i in range(args.cells // 2))
    page.write_text(f"<html><body><table>{rows}</table></body></html>", "utf-8")
    variants = [
        (f"text, {args.lines:,} lines -> JSON form", ["translate", str(text), "-o",
         str(folder / "a"), "--engine", "none", "--format", "json", "--no-memory"]),
        ("the JSON form read back -> JSON form", ["export", str(folder / "a" / "lines.json"),
         "--format", "json", "-o", str(folder / "b")]),
        (f"HTML, {args.cells:,} table cells -> DOCX", ["translate", str(page), "-o",
         str(folder / "c"), "--engine", "none", "--format", "docx", "--no-memory"]),
    ]  # fmt: skip
    over = []
    for label, command in variants:
        seconds, peak, _ = run(command)
        print(f"{label}: {seconds:.1f} s, peak {peak:.0f} MB")
        if peak > GOAL_MB:
            over.append(label)
    if over:
        print(f"over {GOAL_MB} MB: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
