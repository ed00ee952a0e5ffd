"""Running a command in a subprocess with a time limit and an address-space limit, for inputs
that once hung or blew up: a failure is a timeout or a MemoryError, never a stuck test run."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

GB = 1024**3


def run_limited(
    args: list[str], *, seconds: float, memory: int = 2 * GB, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`bilingual ARGS` with at most `seconds` of wall time and `memory` bytes of address space;
    a run past its time fails the test (subprocess.TimeoutExpired)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {**os.environ, "BILINGUAL_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "bilingual", *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=limit,
        cwd=cwd,
        env=env,
    )
