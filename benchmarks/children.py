"""Run a benchmark variant in its own process, for honest time and peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Any


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
