"""Batches: `bilingual translate PATH... -o DIR` over folders and many files (bilingual.batch)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from bilingual import batch
from bilingual.batch import find_inputs, translate_batch
from bilingual.cli import cli
from bilingual.engines import ENGINES, EngineOptions, Translation
from bilingual.errors import ExitCode, UsageError
from bilingual.memory import Memory
from bilingual.segment import SEGMENTER_VERSION
from tests.archive import make_archive
from tests.conftest import ROOT, run_bilingual

SENTENCE = "行政院今天召開記者會說明預算。"
UNDECODABLE = b"\xff\xfe\xff\xff not text in any encoding we know \xff"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def report_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "bilingual-report.json").read_text(encoding="utf-8"))


def by_input(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["input"]: d for d in report["documents"]}


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


class CountingEngine:
    """An engine that writes "EN(<text>)" and records every text it is sent."""

    name = "counting"
    fills_targets = True
    max_input_tokens: int | None = None  # takes any length
    sent: ClassVar[list[str]] = []

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self.warnings: list[str] = []

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        CountingEngine.sent.extend(texts)
        return [Translation(f"EN({len(text)})") for text in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict[str, Any]:
        return {"engine": "counting", "model": "counting 1", "options": {}}


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[CountingEngine]:
    monkeypatch.chdir(tmp_path)  # no ./glossary/ but the one a test asks for
    monkeypatch.setitem(ENGINES, "counting", "tests.test_batch:CountingEngine")
    monkeypatch.setattr(CountingEngine, "sent", [])
    return CountingEngine


# -- inputs and outputs ----------------------------------------------------------------------


def test_a_folder_of_mixed_inputs_mirrors_its_tree_and_reports_the_bad_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    write(inputs / "a" / "press.txt", f"標題\n\n{SENTENCE}\n")
    write(inputs / "a" / "deep" / "er" / "note.txt", "第二篇。\n")
    write(inputs / "b" / "press.txt", "另一篇新聞稿。\n")
    (inputs / "b" / "bad.txt").write_bytes(UNDECODABLE)
    write(inputs / ".hidden.txt", "不要翻譯。\n")
    write(inputs / ".git" / "x.txt", "不要翻譯。\n")
    write(inputs / "table.csv", "a,b\n")
    out = inputs / "out"  # inside the input folder: never read as input
    write(out / "old.txt", "上一次的輸出資料夾。\n")

    result = runner.invoke(cli, ["translate", str(inputs), "-o", str(out), "--engine", "none"])

    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    for name in ("a/press", "a/deep/er/note", "b/press"):
        for extension in (".json", ".docx", ".html"):
            assert (out / f"{name}{extension}").is_file(), name + extension
    assert not (out / "b" / "bad.json").exists()
    assert not list(out.rglob("*hidden*")) and not (out / ".git").exists()
    assert not (out / "table.json").exists() and not (out / "out").exists()
    report = by_input(report_of(out))
    assert sorted(report) == ["a/deep/er/note.txt", "a/press.txt", "b/bad.txt", "b/press.txt"]
    assert report["b/bad.txt"]["status"] == "failed"
    assert "bad.txt" in report["b/bad.txt"]["reason"]
    assert f"failed: b/bad.txt: {inputs / 'b' / 'bad.txt'}: " in result.stdout
    assert report["a/press.txt"]["status"] == "translated"
    assert report["a/press.txt"]["segments"] == 2
    # the document knows its path in the batch, not only its file name
    document = json.loads((out / "b" / "press.json").read_text(encoding="utf-8"))
    assert document["meta"]["input"] == "b/press.txt"
    assert len(document["meta"]["signature"]["input_sha256"]) == 64


def test_two_inputs_that_would_write_the_same_output_are_refused_before_running(
    runner: CliRunner, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    write(inputs / "news" / "press.txt", "一。\n")
    write(inputs / "news" / "press.text", "二。\n")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["translate", str(inputs), "-o", str(out), "--engine", "none"])
    assert result.exit_code == ExitCode.USAGE
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "press.text" in message and "press.txt" in message
    assert not out.exists()


def test_several_paths_put_each_folder_under_its_name_and_each_file_at_the_top(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "x" / "news", tmp_path / "y" / "briefs"
    write(first / "a.txt", "一。\n")
    write(second / "sub" / "b.txt", "二。\n")
    single = write(tmp_path / "loose.txt", "三。\n")
    out = tmp_path / "out"
    jobs = find_inputs([first, second, single], out)
    assert [(j.name, j.folder, j.stem) for j in jobs] == [
        ("news/a.txt", out.resolve() / "news", "a"),
        ("briefs/sub/b.txt", out.resolve() / "briefs" / "sub", "b"),
        ("loose.txt", out.resolve(), "loose"),
    ]
    # two folders of the same name collide, and so do two files of the same name
    write(tmp_path / "z" / "news" / "c.txt", "四。\n")
    write(tmp_path / "z" / "loose.txt", "五。\n")
    with pytest.raises(UsageError, match="would both write"):
        find_inputs([first / "a.txt", tmp_path / "z" / "news" / "a.txt", first], out)
    with pytest.raises(UsageError, match="loose"):
        find_inputs([single, tmp_path / "z" / "loose.txt"], out)


def test_an_output_that_cannot_be_written_fails_that_document_only(
    runner: CliRunner, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    write(inputs / "a.txt", "一。\n")
    write(inputs / "b.txt", "二。\n")
    (tmp_path / "in" / "bad.txt").write_bytes(UNDECODABLE)
    out = tmp_path / "out"
    (out / "a.docx").mkdir(parents=True)  # a folder where the DOCX must go
    result = runner.invoke(cli, ["translate", str(inputs), "-o", str(out), "--engine", "none"])
    assert result.exit_code == ExitCode.USAGE  # a destination failed: 2 wins over a bad input
    report = by_input(report_of(out))
    assert report["a.txt"]["status"] == "failed" and "a.docx" in report["a.txt"]["reason"]
    assert report["b.txt"]["status"] == "translated"
    assert not (out / "a.json").exists() and (out / "b.json").is_file()


# -- the engine sees each sentence once ------------------------------------------------------


@pytest.mark.parametrize("window", [1, 32])
def test_a_sentence_repeated_across_documents_reaches_the_engine_once(
    tmp_path: Path,
    counting: type[CountingEngine],
    monkeypatch: pytest.MonkeyPatch,
    window: int,
) -> None:
    monkeypatch.setattr(batch, "WINDOW_DOCUMENTS", window)
    inputs = tmp_path / "in"
    for n in range(4):
        write(inputs / f"doc{n}.txt", f"第{n}篇的第一句。{SENTENCE}\n\n{SENTENCE}第{n}篇的結尾。\n")
    out = tmp_path / "out"
    result = translate_batch([inputs], out, engine="counting", use_memory=False)
    assert result.exit_code == 0
    assert counting.sent.count(SENTENCE) == 1
    assert len(counting.sent) == len(set(counting.sent)) == 1 + 4 * 2
    report = by_input(report_of(out))
    assert [report[f"doc{n}.txt"]["deduplicated"] for n in range(4)] == [1, 2, 2, 2]
    assert sum(d["translated"] for d in report.values()) == 9
    for n in range(4):
        document = json.loads((out / f"doc{n}.json").read_text(encoding="utf-8"))
        targets = [s["target"] for b in document["blocks"] for s in b["segments"]]
        assert targets.count(f"EN({len(SENTENCE)})") == 2


def test_the_memory_is_asked_before_the_engine(
    tmp_path: Path, counting: type[CountingEngine]
) -> None:
    inputs = tmp_path / "in"
    write(inputs / "a.txt", f"{SENTENCE}\n")
    write(inputs / "b.txt", f"{SENTENCE}另一句。\n")
    memory = tmp_path / "memory.sqlite"
    translate_batch([inputs / "a.txt"], tmp_path / "first", engine="counting", memory_path=memory)
    counting.sent.clear()
    result = translate_batch([inputs], tmp_path / "out", engine="counting", memory_path=memory)
    assert counting.sent == ["另一句。"]
    report = by_input(report_of(tmp_path / "out"))
    assert report["a.txt"]["from_memory"] == 1 and report["b.txt"]["from_memory"] == 1
    assert result.exit_code == 0


def test_human_edits_follow_the_path_in_the_batch_not_the_file_name(
    runner: CliRunner, tmp_path: Path
) -> None:
    inputs = tmp_path / "in"
    for folder in ("a", "b"):
        write(inputs / folder / "press.txt", f"{SENTENCE}\n")
    memory = tmp_path / "memory.sqlite"
    with Memory(memory) as store:  # reviewed when the sentence read otherwise, in a/ only
        store.store_human(
            "行政院昨天召開記者會。",
            "Reviewed.",
            renderings=[],
            document="a/press.txt",
            segment_id="b1s1",
            segmenter=SEGMENTER_VERSION,
        )
    out = tmp_path / "out"
    args = ["translate", str(inputs), "-o", str(out), "--engine", "none", "--memory", str(memory)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output

    def first_target(name: str) -> str:
        document = json.loads((out / name).read_text(encoding="utf-8"))
        return document["blocks"][0]["segments"][0]["target"]

    assert first_target("a/press.json") == "Reviewed."
    assert first_target("b/press.json") == ""


# -- resume ----------------------------------------------------------------------------------


def test_a_rerun_skips_up_to_date_documents_and_redoes_the_changed_ones(
    tmp_path: Path, counting: type[CountingEngine]
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    for n in range(3):
        write(inputs / f"d{n}.txt", f"第{n}篇。\n")

    def run(**kwargs: Any) -> dict[str, str]:
        result = translate_batch([inputs], out, engine="counting", use_memory=False, **kwargs)
        assert result.exit_code == 0
        return {d.input: d.status for d in result.documents}

    assert set(run().values()) == {"translated"}
    assert set(run().values()) == {"up to date"}
    assert report_of(out)["counts"] == {"translated": 0, "up to date": 3, "failed": 0}
    write(inputs / "d0.txt", "改過的第0篇。\n")  # new bytes
    (out / "d1.html").unlink()  # a requested output gone
    (out / "d2.docx").write_bytes(b"not the DOCX written with its JSON form")
    assert run() == {"d0.txt": "translated", "d1.txt": "translated", "d2.txt": "translated"}
    assert set(run().values()) == {"up to date"}
    assert set(run(formats="docx,html,tmx").values()) == {"translated"}  # a format not written
    assert set(run(formats="docx,html,tmx").values()) == {"up to date"}
    assert set(run(formats="docx,html,tmx", force=True).values()) == {"translated"}
    assert set(run(formats="docx,html,tmx", glossary_paths=[ROOT / "glossary"]).values()) == {
        "translated"
    }


# -- what a run says -----------------------------------------------------------------------


def _said(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("bilingual: ")]


def test_a_batch_says_what_a_single_run_says(runner: CliRunner, tmp_path: Path) -> None:
    text = "行政院\u200b今天召開記者會說明預算。\n"  # a zero-width space, no headline
    write(tmp_path / "one" / "a.txt", text)
    write(tmp_path / "many" / "a.txt", text)
    engine = ["--engine", "none", "--no-memory", "-q"]
    one = runner.invoke(cli, ["translate", str(tmp_path / "one" / "a.txt"), "-o", "o1", *engine])
    many = runner.invoke(cli, ["translate", str(tmp_path / "many"), "-o", "o2", *engine])
    assert one.exit_code == many.exit_code == 0, one.output + many.output
    assert len(_said(one)) == 2 and _said(one) == _said(many)
    assert "a.txt: the text contains 1 invisible character" in _said(many)[0]
    # the exporters' warnings too
    reader = runner.invoke(
        cli, ["translate", str(tmp_path / "many"), "-o", "o3", "--edition", "reader", *engine]
    )
    assert reader.exit_code == 0, reader.output
    assert any("the reader's edition has 1 segment not translated" in w for w in _said(reader))


def test_a_batch_says_which_reviewed_english_was_not_carried(
    runner: CliRunner, tmp_path: Path
) -> None:
    write(tmp_path / "in" / "a.txt", f"標題\n\n{SENTENCE}\n")
    write(tmp_path / "in" / "b.txt", "另一篇新聞稿。\n")
    engine = ["--engine", "none", "--no-memory", "-q"]
    first = runner.invoke(cli, ["translate", str(tmp_path / "in"), "-o", "out", *engine])
    assert first.exit_code == 0, first.output
    form = tmp_path / "out" / "a.json"
    data = json.loads(form.read_text(encoding="utf-8"))
    data["meta"]["signature"]["segmenter"] = 1  # another segmenter: reviews carry by text
    segment = data["blocks"][-1]["segments"][0]
    segment.update(source="一句不再有的話。", target="Reviewed.", status="human")
    form.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = runner.invoke(cli, ["translate", str(tmp_path / "in"), "-o", "out", *engine])
    assert again.exit_code == 0, again.output
    (line,) = [w for w in _said(again) if "was not carried" in w]
    assert "Reviewed." in line


def test_one_file_with_force_is_one_file(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "行政院\u200b今天召開記者會說明預算。\n")
    args = ["translate", "a.txt", "-o", "out", "--engine", "none", "--no-memory", "-q"]
    plain = runner.invoke(cli, args)
    forced = runner.invoke(cli, [*args, "--force"])
    assert plain.exit_code == forced.exit_code == 0, forced.output
    assert not (tmp_path / "out" / "bilingual-report.json").exists()
    assert "wrote out/a.docx" in forced.stdout and "documents" not in forced.stdout
    assert len(_said(forced)) == 2 and _said(forced) == _said(plain)


def test_one_file_and_a_batch_sign_the_same_way(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", f"標題\n\n{SENTENCE}\n")
    engine = ["--engine", "none", "--no-memory", "-q"]
    runner.invoke(cli, ["translate", str(tmp_path / "in" / "a.txt"), "-o", "one", *engine])
    runner.invoke(cli, ["translate", str(tmp_path / "in"), "-o", "many", *engine])
    one, many = (
        json.loads((tmp_path / folder / "a.json").read_text(encoding="utf-8"))["meta"]["signature"]
        for folder in ("one", "many")
    )
    assert sorted(one) == sorted(many)
    assert one["input_sha256"] == many["input_sha256"]
    assert set(one["outputs"]) == {"a.docx", "a.html"}


def test_a_resumed_batch_counts_the_checks_of_the_documents_it_kept(
    runner: CliRunner, tmp_path: Path
) -> None:
    write(tmp_path / "in" / "a.txt", f"標題\n\n{SENTENCE}\n")
    write(tmp_path / "in" / "b.txt", "另一篇新聞稿。\n")
    glossary = write(
        tmp_path / "terms.yaml",
        "terms:\n  - zh: 行政院\n    en: Executive Yuan\n    type: organisation\n",
    )
    args = ["translate", str(tmp_path / "in"), "-o", "out", "--engine", "none", "--no-memory"]
    args += ["--glossary", str(glossary)]
    first = runner.invoke(cli, args)
    again = runner.invoke(cli, args)
    assert first.exit_code == again.exit_code == 0, again.output
    assert "2 up to date" in again.stdout
    # the worksheet translates nothing: the kept documents' figures are the first run's
    figures = first.stdout.splitlines()[1]
    assert "1 terms" in figures and figures in again.stdout.splitlines()
    checks = [
        line[line.index("checks:") :] for line in first.stdout.splitlines() if "checks:" in line
    ]
    assert checks and checks[0] != "checks: 0 errors, 0 warnings"
    assert checks[0] in again.stdout
    totals = report_of(tmp_path / "out")["totals"]
    assert (totals["errors"], totals["warnings"]) != (0, 0)
    # a JSON form written before the checks were recorded is checked again
    for form in (tmp_path / "out").glob("*.json"):
        data = json.loads(form.read_text(encoding="utf-8"))
        if "signature" in data.get("meta", {}):
            del data["meta"]["signature"]["checks"]
            form.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    older = runner.invoke(cli, args)
    assert "2 up to date" in older.stdout and checks[0] in older.stdout


def test_the_progress_line_waits_for_a_pace_before_giving_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bilingual.batch import BatchProgress
    from bilingual.cli.progress import batch_progress

    with batch_progress() as update:
        assert update is not None
        update(BatchProgress(1, 3, 0, 0.01))  # an up-to-date document: no pace yet
        update(BatchProgress(3, 3, 40, 2.0))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "1/3 documents"
    assert lines[1] == "3/3 documents, 20.0 segments/s, ETA 0s"


# -- a batch killed mid-run ------------------------------------------------------------------

# A real batch in its own process, with windows of two documents so that documents are written
# one window after another.
KILLABLE = """
import sys
from bilingual import batch
batch.WINDOW_DOCUMENTS = 2
from bilingual.cli import main
main(sys.argv[1:])
"""


def _batch_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", KILLABLE, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _outcome(out: Path) -> dict[str, Any]:
    """Per document: segment ids, statuses and term placements (not the English)."""
    outcome = {}
    for path in sorted(out.glob("*.json")):
        if path.name == "bilingual-report.json":
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        segments = [s for b in document["blocks"] for s in b["segments"]]
        outcome[path.name] = [
            (s["id"], s["status"], [t["placed"] for t in s["terms"]]) for s in segments
        ]
    return outcome


@pytest.mark.slow
def test_a_killed_batch_leaves_whole_documents_and_the_rerun_does_the_rest(
    tmp_path: Path, sandbox_env: dict[str, str], standin_package: Path
) -> None:
    inputs = tmp_path / "in"
    make_archive(inputs, 8, terms=["外交部", "經濟部", "總統府"], sentences=(3, 5), length=(8, 20))
    env = {**sandbox_env, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    common = ["--engine", "argos", "--model", str(standin_package), "--beam", "1"]
    common += ["--no-memory", "--glossary", str(ROOT / "glossary"), "-q"]

    whole = tmp_path / "whole"
    log = tmp_path / "stderr.txt"
    done = _batch_process(["translate", str(inputs), "-o", str(whole), *common], env, log)
    assert done.wait(timeout=300) == 0, log.read_text()

    out = tmp_path / "out"
    killed = _batch_process(["translate", str(inputs), "-o", str(out), *common], env, log)
    deadline = time.monotonic() + 300
    while not list(out.glob("*.json")) and time.monotonic() < deadline:
        assert killed.poll() is None, "the batch ended before it could be killed"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    finished = {p.stem for p in out.glob("*.json")}
    assert 0 < len(finished) < 8, finished
    for stem in finished:  # a JSON form appears only once its document is whole
        assert (out / f"{stem}.docx").is_file() and (out / f"{stem}.html").is_file()
    assert not (out / "bilingual-report.json").exists()

    rerun = _batch_process(["translate", str(inputs), "-o", str(out), *common], env, log)
    assert rerun.wait(timeout=300) == 0, log.read_text()
    counts = report_of(out)["counts"]
    assert counts == {"translated": 8 - len(finished), "up to date": len(finished), "failed": 0}
    assert _outcome(out) == _outcome(whole)
    assert any(placed for doc in _outcome(whole).values() for _, _, placed in doc if placed)
    assert not list(out.glob(".*.part"))


# -- executors -------------------------------------------------------------------------------


def test_a_worksheet_on_ray_needs_no_cluster(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "in" / "a.txt", "一。\n")
    args = ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "none"]
    result = runner.invoke(cli, [*args, "--executor", "ray"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a.json").is_file()


def test_a_ray_address_without_the_ray_executor_is_a_usage_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    write(tmp_path / "in" / "a.txt", "一。\n")
    for given in (tmp_path / "in", tmp_path / "in" / "a.txt"):
        args = ["translate", str(given), "-o", str(tmp_path / "out"), "--engine", "none"]
        result = runner.invoke(cli, [*args, "--ray-address", "127.0.0.1:6379"])
        assert result.exit_code == ExitCode.USAGE
        assert "--ray-address needs --executor ray" in result.stderr


@pytest.mark.parametrize(
    "address", ["garbage", "http://127.0.0.1:1", "127.0.0.1", "127.0.0.1:99999", "a:1:2", ""]
)
def test_what_is_no_ray_address_is_a_usage_error_before_any_work(
    runner: CliRunner, tmp_path: Path, address: str
) -> None:
    write(tmp_path / "in" / "a.txt", "一。\n")
    args = ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "none"]
    result = runner.invoke(cli, [*args, "--executor", "ray", "--ray-address", address])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        f"bilingual: error: --ray-address {address!r} is not a Ray address: give HOST:PORT as "
        "`ray start --head` printed it, or ray://HOST:PORT for Ray Client"
    ]
    assert not (tmp_path / "out").exists()


def test_ray_addresses_as_ray_prints_them_are_taken() -> None:
    from bilingual.executors.ray import parse_address

    for address in ("127.0.0.1:6379", "head.example.org:6379", "[::1]:6379", "ray://head:10001"):
        assert parse_address(address) == address


@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf"])
def test_a_join_timeout_that_is_no_number_of_seconds_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BILINGUAL_RAY_JOIN_TIMEOUT", value)
    write(tmp_path / "in" / "a.txt", "一。\n")
    args = ["translate", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--engine", "none"]
    result = runner.invoke(cli, [*args, "--executor", "ray", "--ray-address", "127.0.0.1:6379"])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines() == [
        f"bilingual: error: BILINGUAL_RAY_JOIN_TIMEOUT={value!r}: give a number of seconds above 0"
    ]


def test_worker_slots_fill_the_cluster_with_actors_of_threads_cpus() -> None:
    from bilingual.executors.ray import worker_slots

    assert worker_slots(8, 2) == (4, 2.0)
    assert worker_slots(2, 1) == (2, 1.0)
    assert worker_slots(1, 4) == (1, 1.0)  # a cluster smaller than one slot still gets an actor


def test_the_engine_failing_stops_the_batch_with_exit_4(
    tmp_path: Path, counting: type[CountingEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bilingual.errors import EngineUnavailable

    def broken(self: CountingEngine, texts: list[str]) -> list[Translation]:
        raise EngineUnavailable("the model cannot be loaded (test)")

    monkeypatch.setattr(CountingEngine, "translate_batch", broken)
    write(tmp_path / "in" / "a.txt", "一。\n")
    write(tmp_path / "in" / "b.txt", "二。\n")
    result = translate_batch([tmp_path / "in"], tmp_path / "out", engine="counting")
    assert result.exit_code == ExitCode.ENGINE_UNAVAILABLE
    assert {d.status for d in result.documents} == {"failed"}
    assert "the model cannot be loaded (test)" in result.documents[0].reason
    assert report_of(tmp_path / "out")["exit_code"] == 4


def test_ctrl_c_keeps_the_finished_documents_and_exits_130(
    runner: CliRunner,
    tmp_path: Path,
    counting: type[CountingEngine],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "WINDOW_DOCUMENTS", 1)
    calls = []
    real = CountingEngine.translate_batch

    def interrupted(self: CountingEngine, texts: list[str]) -> list[Translation]:
        calls.append(texts)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, texts)

    monkeypatch.setattr(CountingEngine, "translate_batch", interrupted)
    for n in range(3):
        write(tmp_path / "in" / f"d{n}.txt", f"第{n}篇。\n")
    out = tmp_path / "out"
    result = runner.invoke(
        cli,
        ["translate", str(tmp_path / "in"), "-o", str(out), "--engine", "counting", "--no-memory"],
    )
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "interrupted" in result.stderr
    assert sorted(p.name for p in out.glob("d*.json")) == ["d0.json"]
    report = report_of(out)
    assert report["interrupted"] is True
    assert [d["status"] for d in report["documents"]] == ["translated", "not done", "not done"]
    assert "1 translated, 0 up to date, 0 failed, 2 not done (interrupted)" in result.stdout


def test_the_placeholder_probe_runs_once_per_batch(
    tmp_path: Path, counting: type[CountingEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The counting engine drops placeholders: the first window's probe finds that out, and the
    # later windows send their sentences with terms straight to the fallback.
    monkeypatch.setattr(batch, "WINDOW_DOCUMENTS", 1)
    glossary = write(
        tmp_path / "terms.yaml", "terms:\n  - zh: 外交部\n    en: MOFA\n    type: organisation\n"
    )
    for n in range(3):
        write(tmp_path / "in" / f"d{n}.txt", f"外交部第{n}次發言。外交部第{n}次回應。\n")
    result = translate_batch(
        [tmp_path / "in"],
        tmp_path / "out",
        engine="counting",
        glossary_paths=[glossary],
        use_memory=False,
    )
    assert result.exit_code == 0
    protected = [text for text in counting.sent if text.startswith("ZQX")]
    assert protected == ["ZQX第0次發言。", "ZQX第0次回應。"]
    assert {d.input: d.fallback for d in result.documents} == {
        "d0.txt": 2,
        "d1.txt": 2,
        "d2.txt": 2,
    }


@pytest.mark.slow
def test_only_regular_files_are_read_and_links_stay_inside_the_folder(
    tmp_path: Path, sandbox_env: dict[str, str]
):
    docs = tmp_path / "docs"
    write(docs / "ok.txt", SENTENCE)
    (docs / "alias.txt").symlink_to(docs / "ok.txt")  # a link inside the folder: an input
    os.mkfifo(docs / "pipe.txt")  # nobody ever writes to it
    (docs / "zero.txt").symlink_to("/dev/zero")  # endless
    secret = write(tmp_path / "private" / "secret.txt", "這是不應公開的私人筆記。")
    (docs / "secret.txt").symlink_to(secret)
    write(docs / "notes.html", "<p>国防部今天说明演习情况。</p>")
    os.mkfifo(docs / "notes.json")  # looked at to tell our own outputs from inputs
    os.makedirs(tmp_path / "out")
    os.mkfifo(tmp_path / "out" / "ok.json")  # looked at to tell whether ok.txt is up to date

    run = run_bilingual(
        ["translate", "docs", "-o", "out", "--engine", "none"], sandbox_env, tmp_path
    )
    assert run.returncode == 3, run.stderr
    assert (
        "failed: pipe.txt: docs/pipe.txt: not a regular file (a named pipe); skipped" in run.stdout
    )
    assert "docs/zero.txt: a symbolic link to /dev/zero, outside docs; skipped" in run.stderr
    assert f"docs/secret.txt: a symbolic link to {secret}, outside docs; skipped" in run.stderr
    report = by_input(report_of(tmp_path / "out"))
    assert sorted(report) == ["alias.txt", "notes.html", "ok.txt", "pipe.txt"]
    assert report["pipe.txt"]["exit_code"] == 3
    assert {report[n]["status"] for n in ("alias.txt", "notes.html", "ok.txt")} == {"translated"}
    assert json.loads((tmp_path / "out" / "ok.json").read_bytes())["format"] == "bilingual-document"
    assert not list((tmp_path / "out").glob("secret.*"))

    run = run_bilingual(
        ["translate", "docs", "-o", "out", "--engine", "none", "--follow-symlinks"],
        sandbox_env,
        tmp_path,
    )
    assert run.returncode == 3, run.stderr
    report = by_input(report_of(tmp_path / "out"))
    assert "not a regular file (a character device)" in report["zero.txt"]["reason"]
    assert report["zero.txt"]["exit_code"] == 3
    assert report["secret.txt"]["status"] == "translated"
    assert "私人筆記" in (tmp_path / "out" / "secret.json").read_text(encoding="utf-8")


def test_a_link_outside_the_folder_is_skipped_unless_followed(runner: CliRunner, tmp_path: Path):
    write(tmp_path / "docs" / "ok.txt", SENTENCE)
    secret = write(tmp_path / "private" / "secret.txt", "这是不应公开的私人笔记。")
    (tmp_path / "docs" / "secret.txt").symlink_to(secret)
    (tmp_path / "docs" / "null.txt").symlink_to(os.devnull)
    args = ["translate", "docs", "-o", "out", "--engine", "none", "-q"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"docs/secret.txt: a symbolic link to {secret.resolve()}, outside docs" in result.output
    assert sorted(by_input(report_of(tmp_path / "out"))) == ["ok.txt"]
    result = runner.invoke(cli, [*args, "--follow-symlinks"])
    assert result.exit_code == 3
    report = by_input(report_of(tmp_path / "out"))
    assert report["secret.txt"]["status"] == "translated"
    assert report["null.txt"]["reason"].endswith("not a regular file (a character device); skipped")


@pytest.mark.parametrize(
    "text",
    ["# 貨櫃碼頭\n\n貨櫃碼頭今天很忙。", "# 货柜码头\n\n货柜码头今天很忙。"],
    ids=["Hant", "Hans"],
)
def test_what_a_reader_could_not_read_is_said_once_and_kept_in_the_report(tmp_path, text):
    from tests.conftest import invoke

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.md").write_text(
        f"{text}\n\n![遠端](https://example.com/photo.jpg)\n", encoding="utf-8"
    )
    said = "story.md: 1 picture on the network not fetched"
    one = invoke("translate", folder / "story.md", "-o", tmp_path / "one", "--engine", "none")
    assert one.exit_code == 0, one.output
    assert [line for line in one.stderr.splitlines() if said in line] == [
        f"bilingual: {folder / 'story.md'}: 1 picture on the network not fetched (save the page "
        "with its pictures to keep them); left out"
    ]
    many = invoke("translate", folder, "-o", tmp_path / "many", "--engine", "none")
    assert many.exit_code == 0, many.output
    assert sum(said in line for line in many.stderr.splitlines()) == 1
    report = json.loads((tmp_path / "many" / "bilingual-report.json").read_text("utf-8"))
    assert any(said in line for line in report["documents"][0]["said"])
