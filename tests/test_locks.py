"""Locks held by another process (locks.py): a run or an import waits for a locked memory at
most BILINGUAL_LOCK_TIMEOUT seconds, tells once that it waits, then gives up in one line naming
the file (exit 2); a lock released in time is waited for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bilingual.errors import ExitCode, LockTimeout
from bilingual.locks import LOCK_TIMEOUT_ENV, LockWait, lock_timeout
from bilingual.memory import Memory
from tests.conftest import assert_one_line_error, run_bilingual

ARTICLE = "台北市長今天宣布新政策。\n\n市民表示歡迎。\n"


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("PRAGMA journal_mode=delete")
    connection.execute("BEGIN EXCLUSIVE")
    connection.execute(
        "INSERT INTO machine (source, model, renderings, options, target, notes, placed, at)"
        " VALUES ('x', 'm', '[]', '{}', 'y', '[]', '[]', 'now')"
    )
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    connection.execute("ROLLBACK")
    """
)


def hold_exclusive(memory: Path, seconds: float) -> subprocess.Popen:
    """A real second process holding BEGIN EXCLUSIVE on a rollback-journal memory."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(memory), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    holder.stdout.close()
    return holder


@pytest.fixture
def locked_memory(tmp_path: Path):
    memory = tmp_path / "memory.sqlite"
    Memory(memory).close()  # a good memory, with its tables
    holder = hold_exclusive(memory, 60)
    yield memory
    holder.kill()
    holder.wait()


@pytest.mark.slow  # a subprocess
def test_translate_gives_up_on_a_locked_memory_saying_why(
    locked_memory: Path, tmp_path: Path, sandbox_env: dict[str, str]
) -> None:
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    env = {**sandbox_env, LOCK_TIMEOUT_ENV: "2"}
    started = time.monotonic()
    result = run_bilingual(
        [
            "translate",
            "article.txt",
            "--engine",
            "none",
            "--memory",
            str(locked_memory),
            "-o",
            "out",
        ],
        env,
        tmp_path,
    )
    elapsed = time.monotonic() - started
    line = assert_one_line_error(result, ExitCode.USAGE, str(locked_memory))
    assert "locked by another process; gave up after 2 s" in line
    waiting = [x for x in result.stderr.splitlines() if x.startswith("bilingual: waiting for")]
    assert len(waiting) == 1 and str(locked_memory) in waiting[0], result.stderr
    assert elapsed < 20, elapsed  # bounded: 2 s of waiting plus start-up, not 50 x 30 s
    assert not (tmp_path / "out" / "article.json").exists()


@pytest.mark.slow  # a subprocess
def test_import_gives_up_on_a_locked_memory(
    locked_memory: Path, tmp_path: Path, sandbox_env: dict[str, str]
) -> None:
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    env = {**sandbox_env, LOCK_TIMEOUT_ENV: "1"}
    made = run_bilingual(
        ["translate", "article.txt", "--engine", "none", "--no-memory", "--format", "xliff"],
        env,
        tmp_path,
    )
    assert made.returncode == 0, made.stderr
    xliff = tmp_path / "output" / "article.xlf"
    text = xliff.read_text(encoding="utf-8")
    edited = text.replace('<segment state="initial">', '<segment state="translated">', 1).replace(
        "新政策。</source>", "新政策。</source><target>The mayor spoke.</target>", 1
    )
    assert edited != text
    xliff.write_text(edited, encoding="utf-8")
    result = run_bilingual(
        ["import", str(xliff), "--memory", str(locked_memory)],
        env,
        tmp_path,
    )
    assert_one_line_error(result, ExitCode.USAGE, str(locked_memory), "locked by another process")


@pytest.mark.slow  # a subprocess
def test_a_lock_released_in_time_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    Memory(path).close()
    holder = hold_exclusive(path, 1.0)
    told: list[str] = []
    try:
        lock = LockWait(path, "the translation memory", timeout=30)
        with Memory(path, on_wait=told.append) as memory:
            memory._wait = lock  # the default bound would do too; this one is explicit
            assert memory.counts() == {"machine": 0, "human": 0}  # the holder rolled back
    finally:
        holder.wait(timeout=30)
    assert len(told) == 1 and str(path) in told[0]


@pytest.mark.slow  # a real timeout
def test_lock_wait_bounds_the_total_and_tells_once(tmp_path: Path) -> None:
    told: list[str] = []
    lock = LockWait(tmp_path / "form.json", "the JSON form", timeout=0.3, on_wait=told.append)
    attempts = 0

    def attempt() -> None:
        nonlocal attempts
        attempts += 1
        raise BlockingIOError("held")

    started = time.monotonic()
    with pytest.raises(LockTimeout, match=r"form\.json: the JSON form is locked .* after 0.3 s"):
        lock.run(attempt, lambda e: isinstance(e, BlockingIOError))
    assert time.monotonic() - started < 2
    assert attempts > 1 and len(told) == 1
    assert LockTimeout.exit_code == ExitCode.USAGE
    # A failure that is not a lock is raised at once.
    with pytest.raises(ValueError):
        lock.run(lambda: int("x"), lambda e: isinstance(e, BlockingIOError))


def test_lock_timeout_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOCK_TIMEOUT_ENV, raising=False)
    assert lock_timeout() == 30.0
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "2.5")
    assert lock_timeout() == 2.5
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "soon")
    assert lock_timeout() == 30.0
