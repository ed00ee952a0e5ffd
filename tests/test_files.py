"""The write path: modes kept, temporary files named after their process, outputs appearing
together, and every failure to write one line naming the file (exit 2), on a real full disk too."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bilingual import files
from bilingual.errors import ExitCode, InputError, OutputError
from tests.conftest import ARTICLE, ROOT

# --- permissions ------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_private_file_stays_private_when_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    target.write_text("{}")
    target.chmod(0o600)
    files.write_text(target, '{"new": true}')
    assert target.read_text() == '{"new": true}'
    assert _mode(target) == 0o600
    files.write_all([(target, b"{}")])
    assert _mode(target) == 0o600


def test_a_rewrite_keeps_a_group_readable_mode(tmp_path: Path) -> None:
    target = tmp_path / "doc.docx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    files.write_bytes(target, b"new")
    assert _mode(target) == 0o640


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_follow_the_umask(tmp_path: Path, umask: int, expected: int) -> None:
    previous = os.umask(umask)
    try:
        one = files.write_bytes(tmp_path / "one.html", b"x")
        (two,) = files.write_all([(tmp_path / "two.json", b"{}")])
    finally:
        os.umask(previous)
    assert _mode(one) == expected
    assert _mode(two) == expected


@pytest.mark.slow  # a subprocess
def test_translate_keeps_a_private_json_form_private(tmp_path: Path, sandbox_env) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "bilingual", "translate", str(ARTICLE), "--engine", "none"]
    command += ["--no-memory", "-q", "-o", str(out)]
    env = {**sandbox_env, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    json_form = out / f"{ARTICLE.stem}.json"
    docx = out / f"{ARTICLE.stem}.docx"
    json_form.chmod(0o600)
    docx.chmod(0o640)
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    assert _mode(json_form) == 0o600
    assert _mode(docx) == 0o640


# --- temporary files named after their process -------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid  # reaped: no such process any more (reuse within the test is unlikely)


def test_a_part_is_named_after_the_process_writing_it(tmp_path: Path) -> None:
    seen = []
    with files.atomic_output(tmp_path / "doc.json", "wb") as handle:
        handle.write(b"{}")
        seen = [p.name for p in tmp_path.iterdir()]
    assert len(seen) == 1
    assert seen[0].startswith(f".doc.json.{os.getpid()}.") and seen[0].endswith(".part")
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


@pytest.mark.slow  # a subprocess
def test_stale_parts_of_a_dead_process_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f".doc.json.{_dead_pid()}.0123abcd.part"
    live = tmp_path / f".doc.docx.{os.getppid()}.89abcdef.part"
    mine = tmp_path / f".doc.html.{os.getpid()}.00000000.part"
    not_ours = tmp_path / ".notes.txt.part"
    output = tmp_path / "doc.json"
    for path in (dead, live, mine, not_ours, output):
        path.write_bytes(b"x")
    assert files.remove_stale_parts(tmp_path) == [dead]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (live, mine, not_ours, output)
    )


@pytest.mark.slow  # a subprocess
def test_a_run_removes_the_parts_a_killed_run_left(tmp_path: Path, sandbox_env) -> None:
    """kill -9 while writing, for real: the part stays; the next run removes it."""
    out = tmp_path / "out"
    out.mkdir()
    writer = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from bilingual.files import atomic_output\n"
        "with atomic_output(Path(sys.argv[1]) / 'doc.json', 'wb') as handle:\n"
        "    handle.write(b'{')\n"
        "    handle.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**sandbox_env, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", writer, str(out)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        (part,) = out.iterdir()
        assert part.name.startswith(f".doc.json.{child.pid}.")
        # a run started while the writer is alive keeps its part
        files.ensure_folder(out)
        assert part.exists()
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert part.exists()  # kill -9 cleans nothing up
    command = [sys.executable, "-m", "bilingual", "translate", str(ARTICLE), "--engine", "none"]
    command += ["--no-memory", "-q", "--format", "html", "-o", str(out)]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    assert sorted(p.name for p in out.iterdir()) == [f"{ARTICLE.stem}.html", f"{ARTICLE.stem}.json"]


# --- write_all ---------------------------------------------------------------------------------


def test_write_all_renames_only_after_every_file_is_written(tmp_path, monkeypatch) -> None:
    order: list[str] = []
    real_replace = os.replace

    def recording_replace(src, dst):
        # by the first rename, every temporary file is already there, complete
        parts = sorted(p.name for p in tmp_path.glob(".*.part"))
        order.append(f"{Path(dst).name} ({len(parts)} parts left)")
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", recording_replace)
    items = [(tmp_path / "a.docx", b"docx"), (tmp_path / "a.html", b"html")]
    written = files.write_all([*items, (tmp_path / "a.json", b"{}")])
    assert written == [tmp_path / "a.docx", tmp_path / "a.html", tmp_path / "a.json"]
    assert order == ["a.docx (3 parts left)", "a.html (2 parts left)", "a.json (1 parts left)"]
    assert (tmp_path / "a.json").read_bytes() == b"{}"


def test_write_all_failure_leaves_no_temporary_file_and_no_output(tmp_path, monkeypatch) -> None:
    (tmp_path / "a.json").write_bytes(b"previous run")
    real_fsync = os.fsync
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the second file: the disk is full
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    items = [(tmp_path / "a.docx", b"docx"), (tmp_path / "a.html", b"html")]
    with pytest.raises(OutputError) as raised:
        files.write_all([*items, (tmp_path / "a.json", b"{}")])
    assert str(raised.value) == f"{tmp_path / 'a.html'}: cannot write (no space left on device)"
    assert raised.value.exit_code == ExitCode.USAGE == 2
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"previous run"


def test_write_all_streams_a_writer_and_gives_each_digest_before_the_next_item(
    tmp_path: Path,
) -> None:
    """A content that writes itself goes straight into the file (a zip seeks back to fill its
    headers: the digest is of the bytes on disk); each digest is there before the next item is
    made, as the JSON form needs the others'."""

    def zip_writer(handle) -> None:
        with zipfile.ZipFile(handle, "w") as archive:
            archive.writestr("a.txt", "甲" * 1000, zipfile.ZIP_DEFLATED)

    digests: dict[str, str] = {}
    seen: list[dict[str, str]] = []

    def items():
        yield tmp_path / "a.docx", zip_writer
        seen.append(dict(digests))
        yield tmp_path / "a.html", lambda handle: [handle.write(b"<p>%d</p>" % i) for i in range(3)]
        seen.append(dict(digests))
        yield tmp_path / "a.json", b"{}"

    written = files.write_all(items(), digests=digests)
    assert [p.name for p in written] == ["a.docx", "a.html", "a.json"]
    assert (tmp_path / "a.html").read_bytes() == b"<p>0</p><p>1</p><p>2</p>"
    with zipfile.ZipFile(tmp_path / "a.docx") as archive:
        assert archive.read("a.txt").decode() == "甲" * 1000
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}
    assert digests == expected
    assert seen == [{"a.docx": expected["a.docx"]}, {k: expected[k] for k in ("a.docx", "a.html")}]


def test_write_all_a_writer_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    """An exporter failing halfway through its file (a JSON form that does not validate) leaves
    no temporary file and touches no output; its own error goes through unchanged."""
    (tmp_path / "a.json").write_bytes(b"previous run")

    def failing(handle) -> None:
        handle.write(b'{"half": ')
        raise InputError("doc.txt (JSON form): field blocks/0: bad")

    items = [(tmp_path / "a.docx", b"docx"), (tmp_path / "a.json", failing)]
    with pytest.raises(InputError, match="field blocks/0: bad"):
        files.write_all(items)
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"previous run"


def test_write_all_into_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(OutputError, match="file/sub: cannot create the output folder"):
        files.write_all([(tmp_path / "ok.txt", b"x"), (tmp_path / "file" / "sub" / "a", b"x")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# --- every failure to write is an OutputError --------------------------------------------------


def test_read_only_file_system_is_an_output_error() -> None:
    # /proc refuses new files even to root
    with pytest.raises(OutputError, match=r"^/proc/doc\.json: cannot write \("):
        files.write_bytes(Path("/proc/doc.json"), b"{}")


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


_NEEDS_UNSHARE = pytest.mark.skipif(
    not _unshare_works(),
    reason="needs `unshare -rm` (user and mount namespaces) to mount a tiny tmpfs",
)


def _translate_onto_a_full_disk(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str, list[str]]:
    """Translate onto a real 200 KB tmpfs that the JSON form alone fits but the run's outputs do
    not; (the tmpfs mount point, the one error line, what was left on the tmpfs)."""
    text = ARTICLE.read_text(encoding="utf-8")
    source = tmp_path / "long.txt"
    source.write_text("\n\n".join([text] * 4), encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    listing = tmp_path / "left-on-disk.txt"
    # the tmpfs lives in the child's own mount namespace: list it before the child ends
    script = (
        'mount -t tmpfs -o size=200k tmpfs "$1" && '
        '"$2" -m bilingual translate "$3" --engine none --no-memory -q -o "$1"; '
        'code=$?; ls -A "$1" > "$4"; exit $code'
    )
    completed = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", disk, sys.executable, source, listing],
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert completed.returncode == ExitCode.USAGE == 2, completed.stderr
    assert len(lines) == 1, completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert list(disk.iterdir()) == []  # the mount was private to the child
    return disk, lines[0], listing.read_text().split()


@pytest.mark.slow
@_NEEDS_UNSHARE
def test_a_full_disk_is_one_line_naming_the_file(tmp_path: Path, sandbox_env) -> None:
    disk, line, left = _translate_onto_a_full_disk(tmp_path, sandbox_env)
    assert line.startswith(f"bilingual: error: {disk}/long.")
    assert line.endswith(": cannot write (no space left on device)"), line
    assert [name for name in left if name.endswith(".part")] == []


@pytest.mark.slow
@_NEEDS_UNSHARE
def test_a_full_disk_leaves_no_output_of_the_run(tmp_path: Path, sandbox_env) -> None:
    _, _, left = _translate_onto_a_full_disk(tmp_path, sandbox_env)
    assert left == []
