"""The reviewer's editor under a typist: how long a live check and a save take, through a real
`bilingual review` server on loopback, on the reference article and on a long document (the
article repeated, as in benchmarks/export.py).

    python benchmarks/editor.py [--repeat 40] [--checks 50] [--saves 20]

1. page    GET / (every row, its terms and its findings rendered);
2. check   POST /api/check with a draft English, one segment after another (what the page sends
           after each pause in typing);
3. save    POST /api/save (Ctrl+Enter): the JSON form's lock, load, review record, atomic
           write, memory off (loading and writing the JSON form validate it: most of the time).

Medians and maxima in milliseconds, wall-clock at the client, the server's start-up not counted.
"""

from __future__ import annotations

import argparse
import copy
import http.cookiejar
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(repeat: int, path: Path) -> None:
    from tests.sample_documents import translated

    from bilingual.document import dump, renumber
    from bilingual.pipeline import read_document

    article = translated(
        read_document(ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt")
    )
    article.blocks = [copy.deepcopy(block) for _ in range(repeat) for block in article.blocks]
    renumber(article.blocks)
    dump(article, path)


def measure(path: Path, checks: int, saves: int) -> dict[str, object]:
    from bilingual.document import load

    command = [sys.executable, "-m", "bilingual", "review", str(path), "--no-open", "--port", "0"]
    server = subprocess.Popen([*command, "--no-memory"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        base = url.split("/?")[0]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def call(route: str, body: dict | None = None) -> tuple[float, int]:
            data = None if body is None else json.dumps(body).encode()
            request = urllib.request.Request(
                base + route if body is not None else url, data=data,
                headers={"Content-Type": "application/json"} if data else {},
            )  # fmt: skip
            started = time.perf_counter()
            try:
                with opener.open(request) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as e:
                status = e.code
            return (time.perf_counter() - started) * 1000, status

        page, _ = call("/")
        segments = [s for s in load(path).translatable_segments if s.source.strip()]
        check_times = [
            call("/api/check", {"segment": s.id, "target": s.target + " 42"})[0]
            for s in segments[:checks]
        ]
        save_times = []
        for segment in segments[:saves]:
            body = {"segment": segment.id, "target": segment.target + " (reviewed)",
                    "revision": segment.revision}  # fmt: skip
            elapsed, status = call("/api/save", body)
            assert status == 200, status
            save_times.append(elapsed)
            call("/api/check", {"segment": segment.id, "target": "x"})
        first_check = [call("/api/check", {"segment": segments[0].id, "target": "y"})[0]]
        return {
            "segments": len(load(path).segments),
            "page_ms": round(page),
            "check_ms_median": round(statistics.median(check_times), 1),
            "check_ms_max": round(max(check_times), 1),
            "save_ms_median": round(statistics.median(save_times), 1),
            "save_ms_max": round(max(save_times), 1),
            "check_after_nothing_changed_ms": round(first_check[0], 1),
        }
    finally:
        server.terminate()
        server.communicate(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=40, help="copies of the article in the long document"
    )
    parser.add_argument("--checks", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, repeat in (("article", 1), (f"article x{args.repeat}", args.repeat)):
            path = Path(folder) / f"{name.replace(' ', '-')}.json"
            build(repeat, path)
            print(name, json.dumps(measure(path, args.checks, args.saves)))


if __name__ == "__main__":
    main()
