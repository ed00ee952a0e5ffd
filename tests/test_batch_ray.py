"""`--executor ray`: a batch on a real local Ray cluster started here (bilingual.executors.ray).

The cluster (`ray start --head --block`, 2 CPUs, tests/ray_head.py) runs with HOME and Ray's
temporary folder in this module's own temporary folder, and is stopped by its process id (never
`ray stop`, which would stop every cluster of the user). Each actor unpacks the package into its
own folder. Without --ray-address a run starts a cluster of its own (and does not join this one).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.archive import make_archive
from tests.conftest import ROOT
from tests.ray_head import free_port, our_processes, ray_env, ray_head, short_place

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

TERMS = ["外交部", "經濟部", "總統府"]


@pytest.fixture(scope="module")
def place() -> Iterator[Path]:
    with short_place() as folder:
        yield folder


@pytest.fixture(scope="module")
def env(place: Path) -> dict[str, str]:
    return ray_env(place)


@pytest.fixture(scope="module")
def cluster(place: Path, env: dict[str, str]) -> Iterator[str]:
    """A Ray head with 2 CPUs; its address."""
    with ray_head(place, env) as address:
        yield address


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
    place: Path, env: dict[str, str], archive: Path, local_run: Path, standin_package: Path
) -> None:
    # Without --ray-address the run starts a cluster of its own, whatever Ray's stale files
    # and RAY_ADDRESS say: here they name clusters that are long gone.
    dead = f"127.0.0.1:{free_port()}"
    (place / "ray" / "ray_current_cluster").write_text(dead)
    out = place / "on-ray"
    process = _translate(
        archive, out, {**env, "RAY_ADDRESS": dead}, standin_package, "--executor", "ray"
    )
    process.wait(timeout=120)
    assert process.returncode == 0, (place / "on-ray.log").read_text()
    # its own cluster's token is its own: nothing written into the user's home
    assert not (place / "home" / ".ray").exists()
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
        actors = our_processes(env["HOME"], "ray::EngineWorker")
        if len(actors) == 2 and list((place / "tmp").glob("bilingual-ray-actor-*")):
            victims = actors[:1]
        time.sleep(0.05)
    assert victims, "the actors never started"
    time.sleep(0.5)  # into the run's batches
    os.kill(victims[0], signal.SIGKILL)
    process.wait(timeout=120)
    assert process.returncode == 0, (place / "killed.log").read_text()
    assert victims[0] not in our_processes(env["HOME"], "ray::EngineWorker")
    report = json.loads((out / "bilingual-report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"translated": 10, "up to date": 0, "failed": 0}
    # the batches are the ones a local run forms, so the forms are equal: no segment lost,
    # none translated twice into a different batch
    assert _forms(out) == _forms(local_run)
    # the killed actor could not remove its package folder; the run removed it at the end
    assert not list((place / "tmp").glob("bilingual-ray-actor-*"))
