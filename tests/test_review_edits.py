"""A human edit is never lost, whatever runs at the same time.

A translate that runs while `bilingual import` brings an edit into its JSON form keeps that edit
when it writes (raced for real, with subprocesses and the stand-in model); the JSON form's lock
is held only around read-merge-write and is waited for at most BILINGUAL_LOCK_TIMEOUT; an import
whose JSON form or memory cannot be written leaves both as they were.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import load
from bilingual.engines import ENGINES, EngineOptions, Translation
from bilingual.errors import ExitCode
from bilingual.memory import Memory
from bilingual.pipeline import translate_file
from tests.conftest import ARTICLE, ROOT, machine_rows, run_bilingual
from tests.test_importers import edit_xliff

STEM = ARTICLE.stem
EDIT = "The sixth EPPD ended, and a press conference was held today (a human edit)."
SHOWN = "a press conference was held today (a human edit)."  # as the HTML shows it: no term in it


def _worksheet(out: Path) -> tuple[Path, Path]:
    """The article's JSON form and XLIFF from an `--engine none` run: (JSON form, XLIFF)."""
    command = ["translate", str(ARTICLE), "--engine", "none", "--no-memory", "-q"]
    command += ["--format", "xliff", "-o", str(out)]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    return out / f"{STEM}.json", out / f"{STEM}.xlf"


def _human(json_form: Path) -> dict[str, str]:
    return {s.id: s.target for s in load(json_form).segments if s.status == "human"}


def _env(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**env, "PYTHONPATH": str(ROOT / "src"), **extra}


def _error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("bilingual: error:")]


# --- an edit imported while translate runs ---------------------------------------------------


class _ImportingEngine:
    """An engine during whose first batch a reviewer imports an edited XLIFF (in this process:
    what a second command does between the run's start and its write)."""

    name = "importing"
    fills_targets = True
    max_input_tokens: int | None = None  # takes any length
    xliff: Path | None = None

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self.warnings: list[str] = []
        self.imported = False

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        if not self.imported:
            self.imported = True
            assert self.xliff is not None
            result = CliRunner().invoke(cli, ["import", str(self.xliff), "--no-memory"])
            assert result.exit_code == 0, result.output
            assert "1 edit imported" in result.output
        return [Translation(f"Machine draft {n}.") for n, _ in enumerate(texts)]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict:
        return {"engine": "importing", "model": "importing 1", "options": {}}


@pytest.fixture
def importing_engine(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(ENGINES, "importing", f"{__name__}:_ImportingEngine")
    yield _ImportingEngine
    _ImportingEngine.xliff = None


def test_an_edit_imported_while_translate_runs_is_kept(tmp_path: Path, importing_engine) -> None:
    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    importing_engine.xliff = xliff
    result = translate_file(
        ARTICLE, tmp_path / "out", engine="importing", formats="html,xliff", use_memory=False
    )
    assert _human(json_form) == {"b2s1": EDIT}
    b2s1 = load(json_form).segment("b2s1")
    assert b2s1 is not None and b2s1.review and b2s1.review["source"] == b2s1.source
    assert b2s1.flags == []  # made for this source and these renderings: nothing to look at
    others = [s for s in load(json_form).segments if s.id != "b2s1" and s.source.strip()]
    assert all(s.status == "machine" for s in others)
    # every output of the run carries the edit, not only the JSON form
    assert SHOWN in (tmp_path / "out" / f"{STEM}.html").read_text(encoding="utf-8")
    assert EDIT in (tmp_path / "out" / f"{STEM}.xlf").read_text(encoding="utf-8")
    assert any("b2s1" in w and "while this run translated" in w for w in result.warnings)


def test_edits_older_than_the_run_are_not_taken_again_from_the_file(tmp_path: Path) -> None:
    """Only edits reviewed since the run started are merged at write time: older ones were in
    the JSON form the run read, and the carry before translating decided about them."""
    from bilingual.review import merge_concurrent_edits, now

    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    assert CliRunner().invoke(cli, ["import", str(xliff), "--no-memory"]).exit_code == 0
    document = load(json_form)
    started = "9999-12-31T23:59:59Z"  # a run that started after every review in the file
    assert merge_concurrent_edits(document, json_form, started) == []
    assert merge_concurrent_edits(document, json_form, now()[:4]) == ["b2s1"]


def _slow_run(standin_package: Path, source: Path, out: Path, memory: Path) -> list[str]:
    command = [sys.executable, "-m", "bilingual", "translate", str(source), "-o", str(out)]
    command += ["--model", str(standin_package), "--beam", "1", "--max-batch-tokens", "48"]
    return [*command, "--format", "html,xliff", "--memory", str(memory), "--quiet"]


@pytest.mark.slow
def test_a_running_translate_keeps_an_edit_imported_meanwhile(
    standin_package: Path, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """The issue's reproduction, raced for real: `translate` with a model that takes a while,
    and meanwhile `import edited.xlf --into out/ART.json --no-memory` in another process."""
    env = _env(sandbox_env)
    text = ARTICLE.read_text(encoding="utf-8")
    source = tmp_path / f"{STEM}.txt"
    source.write_text("\n\n".join([text] * 4), encoding="utf-8")  # a few seconds of decoding
    out = tmp_path / "out"
    args = ["translate", str(source), "--engine", "none", "--no-memory", "-q", "--format", "xliff"]
    first = run_bilingual([*args, "-o", str(out)], env=env, timeout=180)
    assert first.returncode == 0, first.stderr
    json_form, xliff = out / f"{STEM}.json", out / f"{STEM}.xlf"
    edit_xliff(xliff, {"b2s1": EDIT})
    edited = tmp_path / "edited.xlf"
    shutil.copy(xliff, edited)

    memory = tmp_path / "memory.sqlite"
    run = subprocess.Popen(
        _slow_run(standin_package, source, out, memory),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while machine_rows(memory) < 1 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the run has read the JSON form and is translating
        assert run.poll() is None, "translate ended before the import could start"
        imported = run_bilingual(
            ["import", str(edited), "--into", str(json_form), "--no-memory"], env=env, timeout=180
        )
        assert imported.returncode == 0, imported.stderr
        assert "1 edit imported" in imported.stdout
        assert run.poll() is None, "translate ended before the import did: make the text longer"
        _, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == 0, stderr
    assert "Traceback" not in stderr
    segments = load(json_form).segments
    reviewed = next(s.source for s in segments if s.id == "b2s1")
    # the text is the article four times: the edit holds for its sentence wherever it occurs,
    # as a carried review does (b2s1, b24s1, ...)
    same = [s.id for s in segments if s.source == reviewed]
    assert len(same) == 4 and same[0] == "b2s1"
    assert _human(json_form) == dict.fromkeys(same, EDIT)
    assert all(s.status == "machine" for s in segments if s.id not in same and s.source.strip())
    assert SHOWN in (out / f"{STEM}.html").read_text(encoding="utf-8")
    assert EDIT in (out / f"{STEM}.xlf").read_text(encoding="utf-8")
    assert "b2s1" in stderr and "while this run translated" in stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no lock file left


# --- the JSON form's lock ---------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from bilingual.locks import json_form_lock
    with json_form_lock(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold_json_form_lock(json_form: Path, seconds: float, env: dict[str, str]) -> subprocess.Popen:
    """A real second process holding the JSON form's lock (as a translate writing it does)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(json_form), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    holder.stdout.close()
    return holder


@pytest.mark.slow  # a subprocess
def test_an_import_waits_for_the_json_form_lock_and_then_imports(
    tmp_path: Path, sandbox_env: dict[str, str]
) -> None:
    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    env = _env(sandbox_env, BILINGUAL_LOCK_TIMEOUT="60")
    holder = _hold_json_form_lock(json_form, 1.5, env)
    try:
        result = run_bilingual(["import", str(xliff), "--no-memory"], env=env, timeout=180)
    finally:
        holder.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    waiting = [line for line in result.stderr.splitlines() if "waiting for" in line]
    assert len(waiting) == 1 and str(json_form) in waiting[0], result.stderr
    assert _human(json_form) == {"b2s1": EDIT}


@pytest.mark.slow  # a subprocess
def test_a_json_form_lock_not_released_is_exit_2_naming_the_file(
    tmp_path: Path, sandbox_env: dict[str, str]
) -> None:
    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    before = json_form.read_bytes()
    env = _env(sandbox_env, BILINGUAL_LOCK_TIMEOUT="1")
    holder = _hold_json_form_lock(json_form, 60, env)
    try:
        started = time.monotonic()
        result = run_bilingual(["import", str(xliff), "--no-memory"], env=env, timeout=180)
        waited = time.monotonic() - started
        export = run_bilingual(["export", str(json_form)], env=env, timeout=180)
    finally:
        holder.kill()
        holder.wait()
    for command in (result, export):
        assert command.returncode == ExitCode.USAGE == 2, command.stderr
        (line,) = _error_lines(command.stderr)
        assert line.startswith(f"bilingual: error: {json_form}: ")
        assert "locked by another process" in line and "gave up after 1 s" in line
        assert sum("waiting for" in x for x in command.stderr.splitlines()) == 1
    assert waited < 30
    assert json_form.read_bytes() == before


# --- an import writes both destinations or neither --------------------------------------------


def _human_rows(memory: Path) -> int:
    if not memory.exists():
        return 0
    with Memory(memory) as opened:
        return opened.counts()["human"]


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


_NEEDS_UNSHARE = pytest.mark.skipif(
    not _unshare_works(), reason="needs `unshare -rm` (user and mount namespaces) for a tmpfs"
)


@pytest.mark.slow
@_NEEDS_UNSHARE
@pytest.mark.parametrize(
    ("case", "size", "remount", "reason"),
    [
        ("read-only", "1m", "ro", "read-only file system"),
        ("full", None, "rw", "no space left on device"),
    ],
)
def test_an_import_whose_json_form_cannot_be_written_leaves_the_memory_as_it_was(
    tmp_path: Path,
    sandbox_env: dict[str, str],
    case: str,
    size: str | None,
    remount: str,
    reason: str,
) -> None:
    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    before = json_form.read_bytes()
    memory = tmp_path / "memory.sqlite"
    Memory(memory).close()
    # full: room for the JSON form and the edited file, not for a second JSON form beside them
    size = size or f"{(len(before) + xliff.stat().st_size) // 1024 + 24}k"
    disk = tmp_path / "disk"
    disk.mkdir()
    after = tmp_path / "after.json"
    script = (
        f'mount -t tmpfs -o size={size} tmpfs "$1" && cp "$3" "$4" "$1"/ && '
        f'mount -o remount,{remount} "$1" && '
        '"$2" -m bilingual import "$1/$(basename "$4")" --into "$1/$(basename "$3")" '
        '--memory "$5"; code=$?; cp "$1/$(basename "$3")" "$6"; ls -A "$1" > "$6.ls"; exit $code'
    )
    completed = subprocess.run(
        [
            "unshare",
            "-rm",
            "sh",
            "-c",
            script,
            "sh",
            disk,
            sys.executable,
            json_form,
            xliff,
            memory,
            after,
        ],
        env=_env(sandbox_env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == ExitCode.USAGE == 2, completed.stderr
    (line,) = _error_lines(completed.stderr)
    assert line.startswith(f"bilingual: error: {disk}/{json_form.name}"), line
    assert reason in line, line
    assert _human_rows(memory) == 0  # the memory did not take the edits the JSON form lacks
    assert after.read_bytes() == before  # the JSON form as it was
    assert sorted(Path(f"{after}.ls").read_text().split()) == sorted([json_form.name, xliff.name])


@pytest.mark.slow  # a subprocess
def test_an_import_whose_memory_fails_puts_the_json_form_back(
    tmp_path: Path, sandbox_env: dict[str, str]
) -> None:
    """The memory opens, then cannot take the edits (another process holds its write lock for
    longer than the bound): the JSON form, already written, is put back as it was."""
    json_form, xliff = _worksheet(tmp_path / "out")
    edit_xliff(xliff, {"b2s1": EDIT})
    before = json_form.read_bytes()
    memory = tmp_path / "memory.sqlite"
    Memory(memory).close()  # WAL mode: readers go on while a writer holds the lock
    holder = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(memory)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        holder.stdout.close()
        env = _env(sandbox_env, BILINGUAL_LOCK_TIMEOUT="1")
        result = run_bilingual(
            ["import", str(xliff), "--memory", str(memory)], env=env, timeout=180
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == ExitCode.USAGE == 2, result.stderr
    (line,) = _error_lines(result.stderr)
    assert line.startswith(f"bilingual: error: {memory}: "), line
    assert json_form.read_bytes() == before
    assert _human_rows(memory) == 0
    assert json.loads(before)  # still a JSON form


WRITER = textwrap.dedent(
    """
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    time.sleep(120)
    """
)


def test_a_batch_keeps_an_edit_imported_while_it_translates(
    tmp_path: Path, importing_engine
) -> None:
    from bilingual.batch import translate_batch

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(ARTICLE, inputs / ARTICLE.name)
    (inputs / "other.txt").write_text("市民表示歡迎。\n", encoding="utf-8")
    out = tmp_path / "out"
    first = translate_batch([inputs], out, engine="none", formats="xliff", use_memory=False)
    assert first.exit_code == 0
    (json_form,) = out.rglob(f"{STEM}.json")
    xliff = json_form.with_suffix(".xlf")
    edit_xliff(xliff, {"b2s1": EDIT})
    importing_engine.xliff = xliff
    result = translate_batch([inputs], out, engine="importing", formats="xliff", use_memory=False)
    assert result.exit_code == 0
    assert _human(json_form) == {"b2s1": EDIT}
    assert EDIT in xliff.read_text(encoding="utf-8")
    assert any("b2s1" in w and "while this run translated" in w for w in result.warnings)


def test_an_edit_merged_at_write_time_is_flagged_when_the_glossary_changed(tmp_path: Path) -> None:
    """The reviewer worked from outputs made with other renderings than this run's glossary:
    the edit is kept, flagged for a look, as a carried review is."""
    from bilingual.review import merge_concurrent_edits, now

    json_form, xliff = _worksheet(tmp_path / "out")
    started = now()
    edit_xliff(xliff, {"b2s1": EDIT})
    assert CliRunner().invoke(cli, ["import", str(xliff), "--no-memory"]).exit_code == 0
    running = load(json_form)  # this run's document, before the edit: no human segment
    for segment in running.segments:
        segment.review, segment.status = None, "machine"
    b2s1 = running.segment("b2s1")
    assert b2s1 is not None and b2s1.terms  # the article's second sentence has glossary terms
    b2s1.terms[0].rendering = "another rendering"
    assert merge_concurrent_edits(running, json_form, started) == ["b2s1"]
    assert b2s1.status == "human" and b2s1.target == EDIT
    assert b2s1.flags == ["glossary changed since review"]
