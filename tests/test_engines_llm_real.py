"""The `llm` engine through a real llama.cpp server (llama-cpp-python's `llama_cpp.server`) that
serves a tiny random-weight llama written at test time (tests/tiny_llama.py). Its English is
noise, so every term comes through the repair steps; what is checked is that a real server,
its real output constraint and its real replies give a document that keeps every promise."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bilingual.document import load
from bilingual.engines import EngineOptions, LLMOptions
from bilingual.glossary import term_findings
from bilingual.pipeline import translate_file
from tests.conftest import ARTICLE, ROOT
from tests.llm_server import free_port

# Looked up, not imported: llama_cpp opens two files at import that it never closes, and the
# server runs in its own process anyway. .ci/run installs both, so CI always runs this module.
for _module in ("llama_cpp", "gguf"):
    if importlib.util.find_spec(_module) is None:
        pytest.fail(f"{_module} is not installed: pip install -c constraints.txt -e '.[test]'")

STARTUP_SECONDS = 120


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.tiny_llama import write_tiny_llama

    folder = tmp_path_factory.mktemp("llama")
    model = write_tiny_llama(folder / "tiny-llama.gguf")
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "llama_cpp.server", "--model", str(model)),
            *("--model_alias", "tiny-llama", "--host", "127.0.0.1", "--port", str(port)),
            *("--n_ctx", "4096", "--n_threads", "2", "--verbose", "False"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                output = (folder / "server.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"llama_cpp.server did not start: {output}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.slow
def test_a_real_llama_cpp_server_gives_a_document_that_keeps_every_promise(
    llama_server: str, tmp_path: Path
) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    paragraphs = tmp_path / "eppd-opening.txt"
    paragraphs.write_text("\n\n".join(text.split("\n\n")[:3]), encoding="utf-8")
    result = translate_file(
        paragraphs,
        tmp_path / "out",
        engine="llm",
        # no --llm-model: the server's only model is found by GET /models
        engine_options=EngineOptions(llm=LLMOptions(urls=[llama_server], timeout=300)),
        formats="json,docx",
        glossary_paths=[ROOT / "glossary"],
        memory_path=tmp_path / "memory.sqlite",
    )
    # llama-cpp-python answers OpenAI's json_schema form with HTTP 500 and honours its own
    assert result.warnings[0] == (
        f"llm: model tiny-llama on {llama_server} "
        "(output constrained by response_format json_object with a schema)"
    )
    document = load(tmp_path / "out" / "eppd-opening.json")
    segments = document.translatable_segments
    assert len(segments) >= 5 and sum(len(s.terms) for s in segments) >= 10
    for segment in segments:
        assert segment.target.strip() and segment.via is not None, segment.id
        english = segment.target
        for term in segment.terms:
            english = english.replace(term.rendering, "")
        assert not any("\u3400" <= ch <= "\u9fff" for ch in english), segment.target
        assert term_findings(segment) == [], (segment.id, segment.target)
    assert (
        result.stats["terms"]
        == result.stats["fallback"] + result.stats["protected"] + (result.stats["model"])
    )
    assert (tmp_path / "out" / "eppd-opening.docx").stat().st_size > 0
