"""`--executor ray`: a batch on a real local Ray cluster started here (bilingual.executors.ray).

The cluster (`ray start --head --block`, 2 CPUs) runs with HOME and Ray's temporary folder in
this module's own temporary folder, and is stopped by its process id (never `ray stop`, which
would stop every cluster of the user). Each actor unpacks the package into its own folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.archive import make_archive
from tests.conftest import ROOT

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

TERMS = ["外交部", "經濟部", "總統府"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # a short path: Ray's socket paths inside its temporary folder must fit in 107 bytes
    return tmp_path_factory.mktemp("r")


@pytest.fixture(scope="module")
def env(place: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(place / name.lower())
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


@pytest.fixture(scope="module")
def cluster(place: Path, env: dict[str, str]) -> Iterator[str]:
    """A Ray head with 2 CPUs; its address."""
    port = _free_port()
    ports = {
        "--ray-client-server-port": _free_port(),
        "--dashboard-agent-listen-port": _free_port(),
        "--dashboard-agent-grpc-port": _free_port(),
        "--runtime-env-agent-port": _free_port(),
        "--metrics-export-port": _free_port(),
        "--node-manager-port": _free_port(),
        "--object-manager-port": _free_port(),
    }
    args = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block"]
    args += ["--num-cpus", "2", "--port", str(port), "--node-ip-address", "127.0.0.1"]
    args += ["--temp-dir", str(place / "ray"), "--include-dashboard", "false"]
    args += ["--disable-usage-stats"]
    for flag, value in ports.items():
        args += [flag, str(value)]
    with (place / "ray-head.log").open("wb") as log:
        head = subprocess.Popen(args, env=env, stdout=log, stderr=log, start_new_session=True)
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert head.poll() is None, (place / "ray-head.log").read_text()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    time.sleep(1.0)
    try:
        yield address
    finally:
        # the head's whole session (raylet, GCS, workers): we started it, we stop it
        session = os.getpgid(head.pid)
        head.send_signal(signal.SIGTERM)  # `ray start --block` stops its processes on SIGTERM
        try:
            head.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(session, signal.SIGKILL)
            head.wait(timeout=10)
        for pid in _our_processes(env["HOME"], "ray::"):
            os.kill(pid, signal.SIGKILL)


def _our_processes(home: str, title: str) -> list[int]:
    """Processes whose title starts with `title` and that run with this module's HOME."""
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


@pytest.fixture(scope="module")
def archive(place: Path) -> Path:
    inputs = place / "in"
    make_archive(inputs, 10, terms=TERMS, sentences=(3, 6), length=(8, 24))
    return inputs


def _translate(
    inputs: Path, out: Path, env: dict[str, str], model: Path, *extra: str
) -> subprocess.Popen:
    args = [sys.executable, "-m", "bilingual", "translate", str(inputs), "-o", str(out)]
    args += ["--engine", "argos", "--model", str(model), "--beam", "1", "--threads", "1"]
    args += ["--max-batch-tokens", "128"]  # many small batches: a run long enough to kill into
    args += ["--no-memory", "--glossary", str(ROOT / "glossary"), "-q", *extra]
    with (out.parent / f"{out.name}.log").open("wb") as log:
        return subprocess.Popen(args, env=env, stdout=log, stderr=log)


def _forms(out: Path) -> dict[str, Any]:
    """Every JSON form but what differs by the moment of writing (the outputs' digests)."""
    forms = {}
    for path in sorted(out.glob("*.json")):
        if path.name == "bilingual-report.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        data["meta"]["signature"].pop("outputs")
        forms[path.name] = data
    return forms


@pytest.fixture(scope="module")
def local_run(place: Path, env: dict[str, str], archive: Path, standin_package: Path) -> Path:
    out = place / "local"
    process = _translate(archive, out, env, standin_package)
    assert process.wait(timeout=120) == 0, (place / "local.log").read_text()
    return out


def test_a_ray_run_writes_what_a_local_run_writes(
    place: Path,
    env: dict[str, str],
    cluster: str,
    archive: Path,
    local_run: Path,
    standin_package: Path,
) -> None:
    out = place / "on-ray"
    process = _translate(archive, out, env, standin_package, "--executor", "ray")
    process.wait(timeout=120)
    assert process.returncode == 0, (place / "on-ray.log").read_text()
    forms = _forms(out)
    assert len(forms) == 10 and forms == _forms(local_run)
    placed = [
        t["placed"]
        for f in forms.values()
        for b in f["blocks"]
        for s in b["segments"]
        for t in s["terms"]
    ]
    assert placed and all(placed)
    # the actors unpacked the model into their own folders and removed them when stopped
    assert not list((place / "tmp").glob("bilingual-ray-actor-*"))


def test_a_killed_actor_is_replaced_and_nothing_is_lost_or_doubled(
    place: Path,
    env: dict[str, str],
    cluster: str,
    archive: Path,
    local_run: Path,
    standin_package: Path,
) -> None:
    out = place / "killed"
    args = ("--executor", "ray", "--ray-address", cluster)
    process = _translate(archive, out, env, standin_package, *args)
    deadline = time.monotonic() + 90
    victims: list[int] = []
    while not victims and time.monotonic() < deadline and process.poll() is None:
        actors = _our_processes(env["HOME"], "ray::EngineWorker")
        if len(actors) == 2 and list((place / "tmp").glob("bilingual-ray-actor-*")):
            victims = actors[:1]
        time.sleep(0.05)
    assert victims, "the actors never started"
    time.sleep(0.5)  # into the run's batches
    os.kill(victims[0], signal.SIGKILL)
    process.wait(timeout=120)
    assert process.returncode == 0, (place / "killed.log").read_text()
    assert victims[0] not in _our_processes(env["HOME"], "ray::EngineWorker")
    report = json.loads((out / "bilingual-report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"translated": 10, "up to date": 0, "failed": 0}
    # the batches are the ones a local run forms, so the forms are equal: no segment lost,
    # none translated twice into a different batch
    assert _forms(out) == _forms(local_run)
