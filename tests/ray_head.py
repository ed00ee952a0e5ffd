"""A real Ray head node for tests: `ray start --head --block` in a folder of the test's own.

Everything the head makes lives under `place` (HOME, Ray's temporary folder, the actors' package
folders), every port is one the system just gave us free, and the head is stopped by its process
id and its session's process group — never `ray stop`, which stops every cluster of the user (other
people run Ray tests on the same machine).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def short_place() -> Iterator[Path]:
    """A folder of the module's own with a short path, removed at the end: Ray's socket paths
    inside it must fit in 107 bytes, which pytest's tmp_path (deeper still under pytest-xdist,
    `.../pytest-N/popen-gw0/...`) does not leave room for."""
    with tempfile.TemporaryDirectory(prefix="ray-", ignore_cleanup_errors=True) as folder:
        yield Path(folder)


def ray_env(place: Path) -> dict[str, str]:
    """An environment whose HOME, Ray and temporary folders are under `place` (short: Ray's
    socket paths inside its temporary folder must fit in 107 bytes)."""
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(place / name.lower())
    for name in ("RAY_ADDRESS", "RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        env.pop(name, None)
    env.update(
        HOME=str(place / "home"),
        ARGOS_PACKAGES_DIR=str(place / "argos-packages"),
        BILINGUAL_DATA_DIR=str(place / "data"),
        RAY_TMPDIR=str(place / "ray"),
        TMPDIR=str(place / "tmp"),  # the actors' own package folders go here
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        RAY_USAGE_STATS_ENABLED="0",
    )
    for folder in ("home", "ray", "tmp"):
        (place / folder).mkdir(exist_ok=True)
    return env


@contextlib.contextmanager
def ray_head(place: Path, env: dict[str, str], cpus: int = 2) -> Iterator[str]:
    """A Ray head with `cpus` CPUs started with `env` (token authentication too, if it says so);
    its address, HOST:PORT. Stopped, with all its processes, when the block ends."""
    port = free_port()
    args = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block"]
    args += ["--num-cpus", str(cpus), "--port", str(port), "--node-ip-address", "127.0.0.1"]
    args += ["--temp-dir", str(place / "ray"), "--include-dashboard", "false"]
    args += ["--disable-usage-stats"]
    for flag in (
        "--ray-client-server-port",
        "--dashboard-port",
        "--dashboard-agent-listen-port",
        "--dashboard-agent-grpc-port",
        "--runtime-env-agent-port",
        "--metrics-export-port",
        "--node-manager-port",
        "--object-manager-port",
    ):
        args += [flag, str(free_port())]
    log_path = place / "ray-head.log"
    with log_path.open("wb") as log:
        head = subprocess.Popen(args, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert head.poll() is None, log_path.read_text()
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        time.sleep(1.0)
        yield f"127.0.0.1:{port}"
    finally:
        # the head's whole session (raylet, GCS, workers): we started it, we stop it. A session
        # of its own (start_new_session) is a process group whose id is the head's pid, which
        # stays valid after a head that failed to start was reaped.
        session = head.pid
        head.send_signal(signal.SIGTERM)  # `ray start --block` stops its processes on SIGTERM
        try:
            head.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(session, signal.SIGKILL)
            head.wait(timeout=10)
        for pid in our_processes(env["HOME"], "ray::"):
            os.kill(pid, signal.SIGKILL)


def our_processes(home: str, title: str) -> list[int]:
    """Processes whose title starts with `title` and that run with this HOME."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if cmdline.startswith(title.encode()) and f"HOME={home}".encode() in environ.split(b"\0"):
            found.append(int(entry.name))
    return found
