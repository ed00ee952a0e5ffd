"""Faults a careful user or a hostile file runs into: locks held by another process, full disks,
hand-edited JSON forms. Each ends in one line naming the file and the right exit code, never a
hang or a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bilingual.errors import ExitCode, LockTimeout, OutputError
from bilingual.locks import LOCK_TIMEOUT_ENV, LockWait, lock_timeout
from bilingual.memory import Memory
from tests.conftest import run_bilingual

ARTICLE = "台北市長今天宣布新政策。\n\n市民表示歡迎。\n"


def assert_one_line_error(result: subprocess.CompletedProcess, exit_code: int, *names: str) -> str:
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("bilingual: error:")]
    assert len(errors) == 1, result.stderr
    for name in names:
        assert name in errors[0]
    assert "unexpected" not in errors[0]
    return errors[0]


# -- locks ---------------------------------------------------------------------------------------

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


# -- a full disk ---------------------------------------------------------------------------------


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


FULL_DISK = textwrap.dedent(
    """
    set -e
    mount -t tmpfs -o size=2m tmpfs "$DISK"
    "$PYTHON" -c 'import sys; from bilingual.memory import Memory, Draft
    with Memory(sys.argv[1]) as m:
        m.store_machine([("源", [], Draft("x"))], model="m", options="{}")' "$DISK/memory.sqlite"
    dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true
    "$PYTHON" -c '
    import sys
    from bilingual.memory import Memory, Draft
    from bilingual.errors import BilingualError
    try:
        with Memory(sys.argv[1]) as m:
            rows = [("源%d" % i + "長" * 2000, [], Draft("y" * 2000)) for i in range(200)]
            m.store_machine(rows, model="m", options="{}")
    except BilingualError as e:
        print(type(e).__name__, e.exit_code, e)
    ' "$DISK/memory.sqlite"
    """
)


@pytest.mark.slow  # a subprocess
@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs unshare -rm and a tmpfs mount")
def test_a_good_memory_on_a_full_disk_is_not_called_corrupt(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    env = {
        **os.environ,
        "DISK": str(disk),
        "PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", FULL_DISK], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    name, code, message = result.stdout.strip().split(" ", 2)
    assert name == "OutputError" and int(code) == ExitCode.USAGE, result.stdout
    assert "memory.sqlite" in message and "full" in message
    assert "not a translation memory" not in message


def test_a_corrupt_memory_is_still_a_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception, match="not a translation memory") as raised:
        Memory(path)
    assert not isinstance(raised.value, OutputError)
    assert raised.value.exit_code == ExitCode.BAD_INPUT  # type: ignore[attr-defined]


# -- hand-edited JSON forms ----------------------------------------------------------------------


@pytest.fixture
def json_form(tmp_path: Path, sandbox_env: dict[str, str]) -> Path:
    """A real JSON form (and its XLIFF) written by `translate --engine none`."""
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    made = run_bilingual(
        ["translate", "article.txt", "--engine", "none", "--no-memory", "--format", "xliff"],
        sandbox_env,
        tmp_path,
    )
    assert made.returncode == 0, made.stderr
    return tmp_path / "output" / "article.json"


def edited(form: Path, name: str, old: str, new: str) -> Path:
    text = form.read_text(encoding="utf-8")
    assert old in text
    path = form.parent / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def commands_on(form: Path) -> list[list[str]]:
    xliff = form.parent / "article.xlf"
    return [
        ["export", str(form), "--format", "docx,html,tmx,xliff", "-o", str(form.parent / "x")],
        ["check", str(form)],
        ["import", str(xliff), "--into", str(form), "--no-memory"],
    ]


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ('"options": {}', '"options": ' + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('"options": {}', '"options": {"beam": ' + "9" * 5000 + "}", "more than 4300 digits"),
        ('"blocks": [', '"blocks": [], "unused": [', "the JSON form has no segments"),
    ],
    ids=["deep", "long-integer", "no-segments"],
)
def test_a_broken_json_form_is_a_bad_input_file(
    json_form: Path, sandbox_env: dict[str, str], old: str, new: str, says: str
) -> None:
    broken = edited(json_form, "broken.json", old, new)
    if "unused" in new:  # no segments: the blocks emptied, the rest of the form valid
        data = json.loads(broken.read_text(encoding="utf-8"))
        del data["unused"]
        broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = broken.read_bytes()
    for command in commands_on(broken):
        result = run_bilingual(command, sandbox_env, json_form.parent)
        line = assert_one_line_error(result, ExitCode.BAD_INPUT, str(broken), says)
        assert "article.txt" not in line  # the JSON file, not meta.input
    assert broken.read_bytes() == before
    assert not (json_form.parent / "x").exists()


@pytest.mark.slow  # a subprocess
def test_a_lone_surrogate_is_removed_from_what_is_written_and_named(
    json_form: Path, sandbox_env: dict[str, str]
) -> None:
    old = '"target": "",\n          "status": "empty"'
    form = edited(
        json_form,
        "article.json",
        old,
        '"target": "Mayor \\ud800said.",\n          "status": "machine"',
    )
    out = json_form.parent / "x"
    result = run_bilingual(commands_on(form)[0], sandbox_env, json_form.parent)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "segment b1s1" in result.stderr and "U+D800" in result.stderr
    # The JSON form keeps the text as it was; the XML formats carry it without the surrogate.
    assert (
        json.loads((out / "article.json").read_text(encoding="utf-8"))["blocks"][0]["segments"][0][
            "target"
        ]
        == "Mayor \ud800said."
    )
    for name in ("article.xlf", "article.tmx", "article.html"):
        assert "Mayor said." in (out / name).read_text(encoding="utf-8"), name
    assert (out / "article.docx").stat().st_size > 0
    check = run_bilingual(commands_on(form)[1], sandbox_env, json_form.parent)
    assert check.returncode in (0, 1) and "unexpected" not in check.stderr, check.stderr
    # An import writes the JSON form back: the surrogate survives as its escape.
    xliff = json_form.parent / "article.xlf"
    text = xliff.read_text(encoding="utf-8")
    xliff.write_text(
        text.replace('<segment state="initial">', '<segment state="translated">').replace(
            "歡迎。</source>", "歡迎。</source><target>Residents welcomed it.</target>"
        ),
        encoding="utf-8",
    )
    imported = run_bilingual(commands_on(form)[2], sandbox_env, json_form.parent)
    assert imported.returncode == 0, imported.stderr
    data = json.loads(form.read_text(encoding="utf-8"))
    segments = [s for b in data["blocks"] for s in b["segments"]]
    assert segments[0]["target"] == "Mayor \ud800said."
    assert segments[1]["target"] == "Residents welcomed it."
    assert "\\ud800" in form.read_text(encoding="utf-8")
