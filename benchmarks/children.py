"""Run a benchmark variant in its own process, for honest time and peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_child(script: str, *args: str) -> dict[str, Any]:
    """Run `script --child ARGS...`; its JSON line plus wall time and peak RSS (MB).

    The peak is the largest of all children so far (getrusage), so run lighter variants first.
    """
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, script, "--child", *args], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {**json.loads(done.stdout), "wall": wall, "peak_mb": peak_kb / 1024}


def read_in_child(path: str) -> None:
    """The child side of a reader benchmark: read and segment `path`, then print one JSON line
    (seconds, blocks, figures, segments, pages) for `run_child`."""
    sys.path.insert(0, str(ROOT / "src"))
    started = time.perf_counter()
    from bilingual.pipeline import read_document

    document = read_document(path)
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "blocks": len(document.blocks),
                "figures": sum(b.kind == "figure" for b in document.blocks),
                "segments": len(document.segments),
                "pages": document.meta.get("pages"),
            }
        )
    )
