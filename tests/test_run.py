"""The run loop around any engine: the term guarantee, memory, human edits, batches, progress."""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.document import GLOSSARY_CHANGED, SOURCE_CHANGED, Document, Segment
from bilingual.engines import EngineOptions, Translation
from bilingual.glossary import Glossary, annotate, load_glossary, term_findings
from bilingual.glossary.check import occurrences
from bilingual.memory import Memory, renderings_in_force
from bilingual.pipeline import read_document, translate_file
from bilingual.segment import SEGMENTER_VERSION
from bilingual.translate.run import token_batches, translate_document
from tests.conftest import ARTICLE, ROOT, machine_rows

GLOSSARY = ROOT / "glossary"
PLACEHOLDER = re.compile(r"Z[QXJVKW]{2,}")


class Scripted:
    """A fake engine that treats placeholders as told: copy, drop, duplicate, reorder, corrupt.

    Each stretch of Chinese becomes one made-up word, so the sentence it returns is easy to
    predict; the fallback's pieces (no placeholder in them) come back as "piece".
    """

    name = "scripted"
    fills_targets = True
    max_input_tokens: int | None = None  # takes any length

    def __init__(self, mode: str = "copy", max_batch_tokens: int = 1024) -> None:
        self.warnings: list[str] = []
        self.mode = mode
        self.options = EngineOptions(max_batch_tokens=max_batch_tokens)
        self.batches: list[list[str]] = []

    def english(self, text: str) -> str:
        tokens = PLACEHOLDER.findall(text)
        if not tokens:
            return "piece"
        if self.mode == "drop":
            tokens = tokens[:-1]
        elif self.mode == "duplicate":
            tokens = [tokens[0], *tokens]
        elif self.mode == "reorder":
            tokens = tokens[::-1]
        elif self.mode == "corrupt":
            tokens = [tokens[0][:2] + " " + tokens[0][2:], *tokens[1:]]
        elif self.mode == "noise":
            tokens = []
        return "Draft: " + " ".join(f"word{n} {token}" for n, token in enumerate(tokens)) + " end."

    def translate_batch(self, texts: list[str]) -> list[Translation]:
        self.batches.append(list(texts))
        return [Translation(self.english(text)) for text in texts]

    def count_tokens(self, text: str) -> int:
        return len(text)

    def describe(self) -> dict:
        return {"engine": "scripted", "model": f"scripted-{self.mode} 1", "options": {"beam": 4}}

    @property
    def texts(self) -> int:
        return sum(len(batch) for batch in self.batches)


def translate(
    engine: Scripted | object,
    *,
    memory: Path | None = None,
    document: Document | None = None,
    glossary: Path = GLOSSARY,
    **kwargs,
) -> tuple[Document, dict]:
    document = document or read_document(ARTICLE)
    loaded = load_glossary([glossary])
    annotate(document, loaded)
    stats = translate_document(
        document,
        engine,  # type: ignore[arg-type]
        glossary=loaded,
        memory_path=memory,
        use_memory=memory is not None,
        **kwargs,
    )
    return document, stats


def assert_terms_guaranteed(document: Document) -> None:
    """Every term occurrence has its rendering in the target, once; no parenthetical doubled."""
    assert any(s.terms for s in document.segments)
    for segment in document.segments:
        if not segment.terms:
            continue
        assert segment.target, segment.id
        assert term_findings(segment) == [], (segment.id, segment.target)
        required: dict[str, int] = {}
        for term in segment.terms:
            required[term.rendering] = required.get(term.rendering, 0) + 1
            assert term.placed in ("protected", "fallback")
        working = segment.target
        for rendering in sorted(required, key=len, reverse=True):
            spans = occurrences(working, rendering)
            assert len(spans) == required[rendering], (segment.id, rendering, segment.target)
            for start, end in spans:
                working = working[:start] + "\0" * (end - start) + working[end:]
        assert not PLACEHOLDER.search(segment.target)
        assert "(EPPD) (EPPD)" not in segment.target
        assert "Donald Trump (Donald Trump)" not in segment.target


def test_a_faithful_model_keeps_its_own_sentence() -> None:
    engine = Scripted("copy")
    document, stats = translate(engine)
    assert_terms_guaranteed(document)
    assert stats["protected"] == stats["terms"] > 50 and stats["fallback"] == 0
    assert engine.texts == len(document.translatable_segments)  # nothing went to the fallback
    segment = document.segment("b2s3")
    assert segment is not None
    # 至於立院將審議台美關稅協議，賴清德盼能…: the model's words kept around the renderings
    assert segment.target == (
        "Draft: word0 Legislative Yuan word1 Taiwan-US tariff agreement word2 President Lai end."
    )


@pytest.mark.parametrize("mode", ["drop", "duplicate", "corrupt", "noise"])
def test_a_lost_placeholder_sends_the_segment_to_the_fallback(mode: str) -> None:
    engine = Scripted(mode)
    document, stats = translate(engine)
    assert_terms_guaranteed(document)
    assert stats["fallback"] == stats["terms"] and stats["protected"] == 0
    segment = document.segment("b2s3")
    assert segment is not None
    # Split at the terms, the pieces in between translated, the renderings in their places.
    assert segment.target == (
        "Piece Legislative Yuan piece Taiwan-US tariff agreement, President Lai piece."
    )
    assert not segment.target.endswith("President Lai")  # nothing appended at the end


def test_reordered_placeholders_keep_the_sentence_and_the_first_mention_first() -> None:
    glossary = load_glossary([GLOSSARY])
    document, stats = translate(Scripted("reorder"))
    assert_terms_guaranteed(document)
    assert stats["protected"] == stats["terms"]
    checked = 0
    for segment in document.segments:
        for entry in glossary.entries:
            forms = [t.rendering for t in segment.terms]
            if entry.first and entry.first in forms and entry.en in forms:
                first_at = segment.target.index(entry.first)
                blanked = segment.target.replace(entry.first, "\0" * len(entry.first))
                assert first_at < occurrences(blanked, entry.en)[0][0], segment.target
                checked += 1
    assert checked >= 1  # the article has a sentence naming one entry twice


def test_the_worksheet_engine_leaves_targets_empty_but_finds_the_terms(tmp_path: Path) -> None:
    from bilingual.engines.none import NoEngine

    document, stats = translate(NoEngine(), memory=tmp_path / "m.sqlite")
    assert stats["translated"] == 0 and stats["terms"] > 50
    assert all(s.target == "" and s.status == "empty" for s in document.translatable_segments)
    assert all(t.placed is None for s in document.segments for t in s.terms)
    with Memory(tmp_path / "m.sqlite") as memory:
        assert memory.counts()["machine"] == 0


def test_batches_keep_to_the_token_budget_and_report_progress() -> None:
    engine = Scripted("noise", max_batch_tokens=200)
    seen: list[tuple[int, int]] = []
    document, _ = translate(engine, progress=lambda done, total: seen.append((done, total)))
    assert len(engine.batches) > 5
    for batch in engine.batches:
        if len(batch) > 1:
            assert max(len(text) for text in batch) * len(batch) <= 200
    # Pieces of every segment that took the fallback go into the same batches.
    assert any(
        len(batch) > 1 and not any(PLACEHOLDER.search(t) for t in batch) for batch in engine.batches
    )
    assert len(seen) == len(engine.batches)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (len(document.translatable_segments), len(document.translatable_segments))


def test_token_batches_sort_by_length() -> None:
    batches = token_batches(["aaaa", "a", "aaa", "aa"], len, 6)
    assert batches == [["a", "aa"], ["aaa"], ["aaaa"]]


def test_a_second_run_translates_nothing(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    first, stats = translate(Scripted("noise"), memory=memory)
    assert stats["translated"] == len(first.translatable_segments)
    engine = Scripted("noise")
    second, stats = translate(engine, memory=memory)
    assert engine.texts == 0
    assert stats["translated"] == 0 and stats["from_memory"] == len(second.translatable_segments)
    assert stats["fallback"] == stats["terms"]  # how terms were placed comes back too
    assert [s.to_dict() for s in second.segments] == [s.to_dict() for s in first.segments]


def test_changing_one_sentence_translates_only_that_sentence(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    translate(Scripted("copy"), memory=memory)
    original = ARTICLE.read_text(encoding="utf-8")
    changed = original.replace("大家辛苦了。", "大家真的辛苦了。")
    assert changed != original
    (tmp_path / "article.txt").write_text(changed, encoding="utf-8")
    engine = Scripted("copy")
    document, stats = translate(
        engine, memory=memory, document=read_document(tmp_path / "article.txt")
    )
    translatable = len(document.translatable_segments)
    assert stats["translated"] == 1 and stats["from_memory"] == translatable - 1
    assert any("大家真的辛苦了" in text for text in engine.batches[0])


def test_changing_one_glossary_entry_translates_only_its_segments(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    translate(Scripted("copy"), memory=memory)
    glossary = tmp_path / "glossary"
    shutil.copytree(GLOSSARY, glossary)
    places = glossary / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace("Washington, DC", "Washington"))
    engine = Scripted("copy")
    document, stats = translate(engine, memory=memory, glossary=glossary)
    with_term = [s for s in document.segments if any(t.source == "華府" for t in s.terms)]
    assert len(with_term) == 2
    assert stats["translated"] == len(with_term)
    assert all("Washington" in s.target and "DC" not in s.target for s in with_term)


def test_no_memory_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    _, stats = translate(Scripted("copy"))
    assert stats["from_memory"] == 0
    assert not (tmp_path / "data").exists()


def test_the_default_memory_lives_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    document = read_document(ARTICLE)
    glossary = load_glossary([GLOSSARY])
    annotate(document, glossary)
    translate_document(document, Scripted("copy"), glossary=glossary)  # type: ignore[arg-type]
    with Memory(tmp_path / "data" / "memory.sqlite") as memory:
        assert memory.counts()["machine"] == len(document.translatable_segments)


def test_human_edits_win_whatever_the_model(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    document, _ = translate(Scripted("copy"), memory=memory)
    segment = document.segment("b3s1")
    assert segment is not None
    with Memory(memory) as store:
        store.store_human(
            segment.source,
            "The Presidential Office held a press conference.",
            renderings=renderings_in_force(segment),
            document=str(document.meta.get("input")),
            segment_id="b3s1",
        )
    engine = Scripted("noise")  # another model: its drafts are not in the memory
    document, stats = translate(engine, memory=memory)
    edited = document.segment("b3s1")
    assert edited is not None
    assert (edited.status, edited.target) == (
        "human",
        "The Presidential Office held a press conference.",
    )
    assert edited.review is not None and edited.review["source"] == edited.source
    assert edited.flags == []
    assert stats["human"] == 1 and stats["translated"] == len(document.translatable_segments) - 1
    assert not any(edited.source in text for batch in engine.batches for text in batch)


def test_a_human_edit_is_flagged_when_the_glossary_changed(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    document = read_document(ARTICLE)
    segment = document.segment("b3s1")
    assert segment is not None
    with Memory(memory) as store:
        store.store_human(segment.source, "Reviewed.", renderings=["Old rendering"])
    document, _ = translate(Scripted("copy"), memory=memory)
    edited = document.segment("b3s1")
    assert edited is not None
    assert (edited.status, edited.target, edited.flags) == (
        "human",
        "Reviewed.",
        [GLOSSARY_CHANGED],
    )


def test_a_human_edit_is_kept_and_flagged_when_its_source_changed(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    document = read_document(ARTICLE)
    with Memory(memory) as store:
        store.store_human(
            "一句已經改寫的舊句子。",
            "An old reviewed sentence.",
            renderings=[],
            document=str(document.meta["input"]),
            segment_id="b5s1",
            segmenter=SEGMENTER_VERSION,  # the ids of this run's segmenter
        )
    document, _ = translate(Scripted("copy"), memory=memory, document=document)
    edited = document.segment("b5s1")
    assert edited is not None
    assert (edited.status, edited.target) == ("human", "An old reviewed sentence.")
    assert SOURCE_CHANGED in edited.flags


def test_a_stored_draft_that_fails_the_term_check_is_translated_again(tmp_path: Path) -> None:
    memory = tmp_path / "memory.sqlite"
    translate(Scripted("copy"), memory=memory)
    connection = sqlite3.connect(memory)
    connection.execute("UPDATE machine SET target = 'Damaged.' WHERE source LIKE '至於立院%'")
    connection.commit()
    connection.close()
    engine = Scripted("copy")
    document, stats = translate(engine, memory=memory)
    assert stats["translated"] == 1
    assert_terms_guaranteed(document)


def test_segments_already_reviewed_are_kept() -> None:
    document = read_document(ARTICLE)
    segment = document.segments[6]
    segment.status, segment.target = "human", "Kept as reviewed."
    segment.review = {"source": "something else", "renderings": []}
    engine = Scripted("copy")
    document, stats = translate(engine, document=document)
    assert segment.target == "Kept as reviewed." and segment.status == "human"
    assert SOURCE_CHANGED in segment.flags
    assert stats["human"] == 1


def test_an_unwritable_memory_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            *("translate", str(ARTICLE), "--engine", "none", "-o", str(out), "--format", "json"),
            *("--glossary", str(GLOSSARY), "--memory", str(tmp_path / "file" / "memory.sqlite")),
        ],
    )
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bilingual: error: ")
    assert "memory.sqlite" in lines[0] and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


# -- with the stand-in Argos model (random weights: placeholders never survive) ---------------


@pytest.fixture(scope="module")
def standin_engine(standin_package: Path, tmp_path_factory: pytest.TempPathFactory):
    import os

    from bilingual.engines.argos import open_engine

    packages = tmp_path_factory.mktemp("argos-packages")
    old = os.environ.get("ARGOS_PACKAGES_DIR")
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)
    try:
        yield open_engine(EngineOptions(model=str(standin_package), beam=1))
    finally:
        if old is None:
            del os.environ["ARGOS_PACKAGES_DIR"]
        else:
            os.environ["ARGOS_PACKAGES_DIR"] = old


@pytest.mark.slow
def test_the_standin_model_gets_every_term_of_the_article(standin_engine) -> None:
    document, stats = translate(standin_engine)
    assert_terms_guaranteed(document)
    assert stats["terms"] > 50 and stats["fallback"] == stats["terms"]
    assert all(s.target and s.status == "machine" for s in document.segments)


def _summary(stdout: str) -> dict[str, int]:
    return {
        key: int(n) for n, key in re.findall(r"(\d+) (translated|from memory|segments)", stdout)
    }


@pytest.mark.slow
def test_a_killed_run_keeps_its_finished_batches(
    standin_package: Path, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    memory = tmp_path / "memory.sqlite"
    command = [
        "bilingual",
        "translate",
        str(ARTICLE),
        "-o",
        str(tmp_path / "out"),
        "--format",
        "json",
    ]
    command += ["--model", str(standin_package), "--beam", "1", "--max-batch-tokens", "48"]
    command += ["--glossary", str(GLOSSARY), "--memory", str(memory), "--quiet"]
    run = subprocess.Popen(
        command, env=sandbox_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while machine_rows(memory) < 3 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert run.poll() is None, "the run ended before it could be killed; make it longer"
    run.send_signal(signal.SIGKILL)
    run.wait()
    kept = machine_rows(memory)
    assert 3 <= kept < 39
    assert not (tmp_path / "out" / f"{ARTICLE.stem}.json").exists()

    again = subprocess.run(command, env=sandbox_env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    summary = _summary(again.stdout)
    assert summary["from memory"] >= kept
    assert summary["translated"] == 39 - summary["from memory"]
    data = json.loads((tmp_path / "out" / f"{ARTICLE.stem}.json").read_text(encoding="utf-8"))
    assert all(s["target"] for b in data["blocks"] for s in b["segments"])


@pytest.mark.slow
def test_two_runs_at_once_share_one_memory(
    standin_package: Path, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    memory = tmp_path / "memory.sqlite"
    runs = []
    for name in ("one", "two"):
        command = ["bilingual", "translate", str(ARTICLE), "-o", str(tmp_path / name)]
        command += ["--format", "json", "--model", str(standin_package), "--beam", "1"]
        command += ["--max-batch-tokens", "128", "--glossary", str(GLOSSARY)]
        command += ["--memory", str(memory), "--quiet"]
        runs.append(subprocess.Popen(command, env=sandbox_env, stderr=subprocess.PIPE))
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    connection = sqlite3.connect(memory)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT count(*) FROM machine").fetchone()[0] == 39
    connection.close()


def test_memory_keys_leave_out_what_does_not_change_the_draft(tmp_path: Path) -> None:
    """More threads or another batch budget still find the drafts."""
    memory = tmp_path / "memory.sqlite"

    class Threaded(Scripted):
        def describe(self) -> dict:
            return {**super().describe(), "options": {"beam": 4, "threads": self.threads}}

    first = Threaded("copy")
    first.threads = 1  # type: ignore[attr-defined]
    translate(first, memory=memory)
    second = Threaded("copy", max_batch_tokens=64)
    second.threads = 8  # type: ignore[attr-defined]
    _, stats = translate(second, memory=memory)
    assert stats["translated"] == 0


def test_a_glossary_object_can_be_passed_in() -> None:
    document = Document(blocks=[])
    from bilingual.document import Block

    document.blocks.append(Block("b1", "paragraph", [Segment("b1s1", "賴清德說。")]))
    stats = translate_document(document, Scripted("copy"), glossary=Glossary(), use_memory=False)  # type: ignore[arg-type]
    assert stats["terms"] == 0 and document.segments[0].target == "piece"
    # The glossary's hash is the pipeline's business now: it goes into the signature.
    assert "glossary_hash" not in stats


def test_the_signature_carries_the_hash_of_the_glossary_in_force(tmp_path: Path) -> None:
    result = translate_file(
        ARTICLE,
        tmp_path,
        engine="none",
        formats="json",
        glossary_paths=[GLOSSARY],
        use_memory=False,
    )
    digest = result.document.meta["signature"]["glossary"]
    assert digest.startswith("sha256:")
    assert digest == load_glossary([GLOSSARY]).digest()
    assert "glossary_hash" not in result.stats
