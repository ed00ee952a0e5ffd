"""The `llm` engine against a floor, and through a real llama.cpp server.

One invocation:

1. A well-behaved fake OpenAI-compatible server (tests/llm_server.py, in a process of its own)
   that answers each request after a realistic delay: a fixed cost per request plus a cost per
   output token (four characters), with every request in flight served at once, as a server
   that batches does. The reference article x10 (one document of ~400 segments) goes through
   `bilingual translate --engine llm` (its own process, memory off, JSON out) at concurrency 1
   and 4; then the floor sends the very requests that run sent (recorded by the server) by a
   plain concurrent loop with no checks, at the same concurrency. Goals: bilingual <= 1.10x the
   floor at each, and concurrency 4 at least 2.5x faster than 1.
2. The reference article once through a real `llama_cpp.server` serving a tiny random-weight
   llama (tests/tiny_llama.py): wall time and the peak memory of the bilingual process and of
   the server. Its English is noise, so every term goes through the repairs: this is the worst
   case of the guarantee's cost, not a model's speed.

    python benchmarks/llm.py [--delay 0.25] [--per-token 0.01] [--copies 10] [--no-real]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ARTICLE = ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt"


def measure(args: list[str], env: dict[str, str]) -> dict:
    """Run one process; its wall time, exit code and peak memory (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    return {
        "wall": time.perf_counter() - started,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "stderr": error,
    }


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the server at {url} stopped")
        time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not start")


def replay(root: str, requests: list[dict], concurrency: int) -> float:
    """The floor: the same requests by a plain concurrent loop, no checks; its wall time."""
    with httpx.Client(timeout=httpx.Timeout(10, read=600), trust_env=False) as client:

        def send(request: dict) -> None:
            client.post(root + request["path"], json=request["body"]).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(send, requests))
        return time.perf_counter() - started


def free_port() -> int:
    from tests.llm_server import free_port as port

    return port()


def fake_runs(args: argparse.Namespace, work: Path, env: dict[str, str]) -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    article = work / f"eppd-x{args.copies}.txt"
    article.write_text("\n\n".join([text.strip()] * args.copies) + "\n", encoding="utf-8")
    port = free_port()
    log = work / "requests.jsonl"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.llm_server", "--port", str(port)),
            *("--log", str(log), "--delay", str(args.delay)),
            *("--delay-per-token", str(args.per_token)),
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/v1"
    results = {}
    try:
        wait_for(url, server)
        for concurrency in (1, 4):
            log.write_text("", encoding="utf-8")
            run = measure(
                [
                    *(sys.executable, "-m", "bilingual", "translate", str(article)),
                    *("-o", str(work / f"out-{concurrency}"), "--format", "json", "-q"),
                    *("--engine", "llm", "--llm-url", url, "--llm-model", "fake-mt"),
                    *("--llm-concurrency", str(concurrency), "--no-memory"),
                    *("--glossary", str(ROOT / "glossary")),
                ],
                env,
            )
            if run["exit"] != 0:
                raise SystemExit(f"bilingual failed: {run['stderr']}")
            requests = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
            floor = replay(f"http://127.0.0.1:{port}", requests, concurrency)
            results[concurrency] = (run, floor, len(requests))
    finally:
        server.terminate()
        server.wait()
    segments = json.loads((work / "out-1" / f"{article.stem}.json").read_text(encoding="utf-8"))
    count = sum(len(b["segments"]) for b in segments["blocks"])
    print(
        f"fake server: {args.delay} s per request + {args.per_token} s per output token; "
        f"the article x{args.copies} ({count} segments)"
    )
    print("| concurrency | bilingual | floor | ratio | requests | bilingual peak |")
    print("|---|---|---|---|---|---|")
    for concurrency, (run, floor, requests) in results.items():
        print(
            f"| {concurrency} | {run['wall']:.1f} s | {floor:.1f} s | "
            f"{run['wall'] / floor:.2f}x | {requests} | {run['peak_mb']:.0f} MB |"
        )
    speedup = results[1][0]["wall"] / results[4][0]["wall"]
    print(f"concurrency 4 is {speedup:.2f}x faster than 1 (goal: at least 2.5x)")


def real_run(work: Path, env: dict[str, str]) -> None:
    from tests.tiny_llama import write_tiny_llama

    model = write_tiny_llama(work / "tiny-llama.gguf")
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "llama_cpp.server", "--model", str(model)),
            *("--model_alias", "tiny-llama", "--host", "127.0.0.1", "--port", str(port)),
            *("--n_ctx", "4096", "--n_threads", "2", "--verbose", "False"),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for(url, server)
        run = measure(
            [
                *(sys.executable, "-m", "bilingual", "translate", str(ARTICLE)),
                *("-o", str(work / "out-real"), "--format", "json,docx", "-q"),
                *("--engine", "llm", "--llm-url", url, "--no-memory"),
                *("--glossary", str(ROOT / "glossary")),
            ],
            env,
        )
    finally:
        server.terminate()
        _, _, usage = os.wait4(server.pid, 0)
    if run["exit"] != 0:
        raise SystemExit(f"bilingual failed: {run['stderr']}")
    data = json.loads((work / "out-real" / f"{ARTICLE.stem}.json").read_text(encoding="utf-8"))
    vias: dict[str, int] = {}
    for block in data["blocks"]:
        for segment in block["segments"]:
            if segment.get("via"):
                vias[segment["via"]] = vias.get(segment["via"], 0) + 1
    print(
        f"real llama.cpp server (llama-cpp-python, tiny random llama): the reference article in "
        f"{run['wall']:.1f} s; bilingual peak {run['peak_mb']:.0f} MB, server peak "
        f"{usage.ru_maxrss / 1024:.0f} MB; segments by way: {vias}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay", type=float, default=0.25, help="seconds per request")
    parser.add_argument("--per-token", type=float, default=0.01, help="seconds per token")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--no-real", action="store_true", help="skip the llama.cpp server")
    args = parser.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bilingual-llm-bench-") as folder:
        work = Path(folder)
        env["BILINGUAL_DATA_DIR"] = str(work / "data")
        fake_runs(args, work, env)
        if not args.no_real:
            real_run(work, env)


if __name__ == "__main__":
    main()
