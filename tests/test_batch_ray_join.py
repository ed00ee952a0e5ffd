"""Joining a Ray cluster (`--ray-address`): a real head with token authentication on, the token
given and refused, and an address where nothing answers — each bounded in time.

The head (tests/ray_head.py) lives in this module's own temporary folder with ports of its own,
and is stopped by its process id when the module ends.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.archive import make_archive
from tests.conftest import ROOT
from tests.ray_head import free_port, ray_env, ray_head, short_place

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

TOKEN = secrets.token_hex(32)


@pytest.fixture(scope="module")
def place() -> Iterator[Path]:
    with short_place() as folder:
        yield folder


@pytest.fixture(scope="module")
def env(place: Path) -> dict[str, str]:
    return ray_env(place)


@pytest.fixture(scope="module")
def head(place: Path, env: dict[str, str]) -> Iterator[str]:
    """A head that accepts only drivers and workers holding TOKEN; its address."""
    with ray_head(place, {**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": TOKEN}) as address:
        yield address


@pytest.fixture(scope="module")
def archive(place: Path) -> Path:
    inputs = place / "in"
    make_archive(inputs, 3, terms=["外交部", "总统府"], sentences=(2, 4), length=(8, 20))
    return inputs


def _translate(
    place: Path, name: str, env: dict[str, str], archive: Path, model: Path, address: str
) -> tuple[subprocess.CompletedProcess[str], float, Path]:
    """`bilingual translate` joining `address`: what it said, its seconds, its output folder."""
    out = place / name
    args = [sys.executable, "-m", "bilingual", "translate", str(archive), "-o", str(out)]
    args += ["--engine", "argos", "--model", str(model), "--beam", "1", "--threads", "1"]
    args += ["--no-memory", "--glossary", str(ROOT / "glossary"), "-q"]
    args += ["--executor", "ray", "--ray-address", address]
    started = time.monotonic()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - started, out


def test_a_head_with_token_authentication_is_joined_with_its_token(
    place: Path, env: dict[str, str], head: str, archive: Path, standin_package: Path
) -> None:
    with_token = {**env, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": TOKEN}
    done, _, out = _translate(place, "joined", with_token, archive, standin_package, head)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # Ray's lines, if any, went to the log
    report = json.loads((out / "bilingual-report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"translated": 3, "up to date": 0, "failed": 0}


@pytest.mark.parametrize(
    "given",
    [
        {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)},  # a wrong token
        {},  # none at all: Ray does not even try token authentication
        {"RAY_AUTH_MODE": "token"},  # the mode, but no token anywhere
    ],
    ids=["wrong token", "no token", "mode without token"],
)
def test_a_refused_token_says_what_to_set_in_one_line(
    place: Path,
    env: dict[str, str],
    head: str,
    archive: Path,
    standin_package: Path,
    given: dict[str, str],
) -> None:
    name = f"refused-{len(given)}"
    done, seconds, out = _translate(place, name, {**env, **given}, archive, standin_package, head)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr  # not Ray's InvalidAuthToken line a second
    for needed in ("RAY_AUTH_MODE=token", "RAY_AUTH_TOKEN", "ray get-auth-token", head):
        assert needed in lines[0]
    if "RAY_AUTH_TOKEN" in given or not given:  # Ray tried: its lines are in the log named
        log = out / "bilingual-ray.log"
        assert str(log) in lines[0]
        assert "InvalidAuthToken" in log.read_text(encoding="utf-8")
    assert seconds < 20  # one refused attempt, not Ray's 20 tries a second apart


def test_an_address_where_nothing_answers_is_given_up_after_the_join_timeout(
    place: Path, env: dict[str, str], archive: Path, standin_package: Path
) -> None:
    address = f"127.0.0.1:{free_port()}"
    bounded = {**env, "BILINGUAL_RAY_JOIN_TIMEOUT": "3"}
    done, seconds, _ = _translate(place, "nothing", bounded, archive, standin_package, address)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"bilingual: error: cannot join the Ray cluster at {address}: nothing answered there "
        "within 3 s (BILINGUAL_RAY_JOIN_TIMEOUT sets how long to wait)"
    ]
    assert 3 <= seconds < 30
