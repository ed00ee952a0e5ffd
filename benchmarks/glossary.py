"""Benchmark: glossary matching, 10,000 entries over 1 MB of text, against a naive peer.

Each run is a fresh process (so peak memory is its own, and imports and tables count) that
builds its matcher then matches the whole text; the best of three cold runs is kept, as timeit
does, because other work on the machine only ever adds time. The Aho-Corasick matcher must
finish build + match in under a second, as must annotating the same text as 8,000 segments.

    python benchmarks/glossary.py [--entries 10000] [--megabytes 1]

At scale, the whole path through the CLI: a glossary YAML file of 1,000,000 entries is loaded,
checked and matched against 1 MB of text by `bilingual glossary check` and by `bilingual
translate --engine none`, each in its own process; each must finish in under 60 s with a peak
RSS under 1.5 GB (wall time, or CPU time when the machine is busy).

    python benchmarks/glossary.py --scale [--entries 1000000] [--megabytes 1]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def make_data(entries: int, megabytes: float, seed: int = 7) -> tuple[list[tuple[str, str]], str]:
    """Distinct source forms (5 % Latin abbreviations) and a text with many of them in it."""
    rng = random.Random(seed)
    forms: dict[str, str] = {}
    while len(forms) < entries:
        if rng.random() < 0.05:
            form = "".join(rng.choice(LATIN) for _ in range(rng.randint(2, 5)))
        else:
            form = "".join(rng.choice(CJK) for _ in range(rng.randint(2, 8)))
        forms.setdefault(form, f"rendering {len(forms)}")
    pairs = list(forms.items())
    pieces: list[str] = []
    size = 0
    target = int(megabytes * 1_000_000)
    while size < target:
        if rng.random() < 0.15:
            piece = rng.choice(pairs)[0]
        else:
            piece = "".join(rng.choice(CJK) for _ in range(rng.randint(3, 20))) + rng.choice(
                "，。、"
            )
        pieces.append(piece)
        size += len(piece.encode("utf-8"))
    return pairs, "".join(pieces)


def run_aho_corasick(pairs: list[tuple[str, str]], text: str) -> dict:
    from bilingual.glossary import Entry, Glossary

    started = time.perf_counter()
    glossary = Glossary(Entry(zh=[zh], en=en) for zh, en in pairs)
    matcher = glossary.matcher  # the automaton, built once per run
    built = time.perf_counter()
    found = matcher.matches(text)
    done = time.perf_counter()
    return {
        "build_s": built - started,
        "match_s": done - built,
        "spans": [(o.start, o.end) for o in found],
    }


def run_naive(pairs: list[tuple[str, str]], text: str) -> dict:
    """The obvious peer: str.find for every form, then leftmost-longest, same folding and rules."""
    from bilingual.glossary.fold import fold, is_latin

    started = time.perf_counter()
    keys = [fold(zh) for zh, _ in pairs]
    built = time.perf_counter()
    folded = fold(text)
    found = []
    for key in keys:
        position = folded.find(key)
        while position >= 0:
            end = position + len(key)
            left_ok = not (
                is_latin(text[position]) and position > 0 and is_latin(text[position - 1])
            )
            right_ok = not (is_latin(text[end - 1]) and end < len(text) and is_latin(text[end]))
            if left_ok and right_ok:
                found.append((position, -end))
            position = folded.find(key, position + 1)
    found.sort()
    spans, last = [], 0
    for start, negative_end in found:
        if start >= last:
            spans.append((start, -negative_end))
            last = -negative_end
    done = time.perf_counter()
    return {"build_s": built - started, "match_s": done - built, "spans": spans}


def run_annotate(pairs: list[tuple[str, str]], text: str) -> dict:
    """The real use: the same text as a Document of sentences, annotated segment by segment."""
    from bilingual.document import Block, Document, Segment
    from bilingual.glossary import Entry, Glossary, annotate

    sentences = [s + "。" for s in text.split("。")]
    blocks = [
        Block(
            f"b{i}",
            "paragraph",
            [Segment(f"b{i}s{j}", s) for j, s in enumerate(sentences[i : i + 10])],
        )
        for i in range(0, len(sentences), 10)
    ]
    document = Document(blocks=blocks)
    started = time.perf_counter()
    glossary = Glossary(Entry(zh=[zh], en=en) for zh, en in pairs)
    glossary.matcher  # noqa: B018 - the property builds the automaton
    built = time.perf_counter()
    annotate(document, glossary)
    done = time.perf_counter()
    spans, offset = [], 0
    for segment in document.segments:
        spans.extend((offset + t.start, offset + t.end) for t in segment.terms)
        offset += len(segment.source)
    return {
        "build_s": built - started,
        "match_s": done - built,
        "spans": spans,
        "segments": len(sentences),
    }


VARIANTS = {
    "aho-corasick": run_aho_corasick,
    "annotate": run_annotate,
    "naive str.find": run_naive,
}


def child(variant: str, entries: int, megabytes: float) -> None:
    pairs, text = make_data(entries, megabytes)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    result = VARIANTS[variant](pairs, text)
    result["cpu_s"] = time.process_time() - cpu
    spans = result.pop("spans")
    result.update(
        **({"segments": result.pop("segments")} if "segments" in result else {}),
        matches=len(spans),
        spans_hash=hash(tuple(spans)) & 0xFFFFFFFF,
        text_chars=len(text),
        text_bytes=len(text.encode("utf-8")),
        rss_before_mb=before / 1024,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    print(json.dumps(result))


def measure(variant: str, entries: int, megabytes: float, runs: int) -> dict:
    """Best of `runs` cold runs, each in a fresh process (imports and tables included)."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                variant,
                "--entries",
                str(entries),
                "--megabytes",
                str(megabytes),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout))
    best = min(results, key=lambda r: r["build_s"] + r["match_s"])
    best["all_s"] = sorted(round(r["build_s"] + r["match_s"], 3) for r in results)
    return best


SCALE_SECONDS = 60.0
SCALE_MEGABYTES = 1500.0

# Runs one command and reports its own wall time, CPU time and peak RSS: a wrapper process whose
# only child is the command, so RUSAGE_CHILDREN is that command's and no one else's.
_TIMED = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024, "code": done.returncode,
                  "stdout": done.stdout[-2000:], "stderr": done.stderr[-2000:]}))
"""


def write_scale_files(folder: Path, entries: int, megabytes: float) -> tuple[Path, Path]:
    """A glossary YAML file of `entries` entries and a text of `megabytes` that uses them."""
    from bilingual.glossary.match import fold

    # Forms that fold to the same key (a Traditional and a Simplified spelling) would be
    # conflicts; the benchmark wants a clean glossary, so make a few more and drop those.
    pairs, text = make_data(entries + entries // 50, megabytes)
    keys: set[str] = set()
    distinct = [p for p in pairs if not (fold(p[0]) in keys or keys.add(fold(p[0])))][:entries]
    glossary = folder / "glossary.yaml"
    with glossary.open("w", encoding="utf-8") as out:
        out.write("name: scale\nterms:\n")
        for zh, en in distinct:
            out.write(f"  - zh: {zh}\n    en: {en}\n")
    # Paragraphs of about 500 characters, as an article has, so segmentation is realistic.
    paragraphs = [text[i : i + 500] for i in range(0, len(text), 500)]
    article = folder / "article.txt"
    article.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return glossary, article


def timed(command: list[str], cwd: Path) -> dict:
    env = {**os.environ, "BILINGUAL_DATA_DIR": str(cwd / "data")}
    out = subprocess.run(
        [sys.executable, "-c", _TIMED, *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=env,
    )
    return json.loads(out.stdout)


def scale(entries: int, megabytes: float) -> bool:
    """The whole path at scale through the CLI; print each command's numbers and a verdict."""
    cli = [sys.executable, "-m", "bilingual"]
    with tempfile.TemporaryDirectory(prefix="bilingual-scale-") as name:
        folder = Path(name)
        started = time.perf_counter()
        glossary, article = write_scale_files(folder, entries, megabytes)
        size, text_size = glossary.stat().st_size / 1e6, article.stat().st_size / 1e6
        print(
            f"wrote {entries} entries ({size:.1f} MB of YAML) and {text_size:.2f} MB of text "
            f"in {time.perf_counter() - started:.1f} s"
        )
        commands = {
            "glossary check": [*cli, "glossary", "check", str(glossary)],
            "translate --engine none": [
                *cli,
                "translate",
                str(article),
                "--engine",
                "none",
                "--no-memory",
                "--glossary",
                str(glossary),
                "-q",
                "-o",
                str(folder / "out"),
            ],
        }
        ok = True
        for label, command in commands.items():
            r = timed(command, folder)
            # Wall time, or CPU time when the machine is busy (other processes only add wall).
            seconds = min(r["wall_s"], r["cpu_s"])
            passed = r["code"] == 0 and seconds < SCALE_SECONDS and r["peak_mb"] < SCALE_MEGABYTES
            ok = ok and passed
            tail = (r["stdout"].strip().splitlines() or [""])[-1]
            print(
                f"{'PASS' if passed else 'FAIL'}: {label}: {r['wall_s']:.1f} s wall, "
                f"{r['cpu_s']:.1f} s CPU, peak RSS {r['peak_mb']:.0f} MB, exit {r['code']} "
                f"(limits {SCALE_SECONDS:.0f} s, {SCALE_MEGABYTES:.0f} MB); {tail[:160]}"
            )
            if r["code"] != 0:
                print(r["stderr"].strip()[-500:])
        return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3, help="cold runs per variant (best is kept)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--scale", action="store_true", help="the whole CLI path (default 1,000,000 entries)"
    )
    args = parser.parse_args()
    if args.scale:
        entries = args.entries if args.entries != 10_000 else 1_000_000
        sys.exit(0 if scale(entries, args.megabytes) else 1)
    if args.child:
        child(args.child, args.entries, args.megabytes)
        return
    results = {}
    for variant in VARIANTS:
        runs = 1 if variant.startswith("naive") else args.runs
        results[variant] = r = measure(variant, args.entries, args.megabytes, runs)
        total = r["build_s"] + r["match_s"]
        print(
            f"{variant:15s} {args.entries} entries over {r['text_bytes'] / 1e6:.2f} MB "
            f"({r['text_chars']} chars): build {r['build_s']:.3f} s + match {r['match_s']:.3f} s "
            f"= {total:.3f} s, {r['matches']} matches, peak RSS {r['peak_rss_mb']:.0f} MB"
            + (f" ({r['segments']} segments)" if "segments" in r else "")
            + f"; CPU {r['cpu_s']:.3f} s"
            + (f"; wall of each run {r['all_s']}" if len(r["all_s"]) > 1 else "")
        )
    ours, peer = results["aho-corasick"], results["naive str.find"]
    ours_total = ours["build_s"] + ours["match_s"]
    peer_total = peer["build_s"] + peer["match_s"]
    same = ours["spans_hash"] == peer["spans_hash"] and ours["matches"] == peer["matches"]
    annotated = results["annotate"]
    print(f"ratio naive / aho-corasick: {peer_total / ours_total:.1f}x; same matches: {same}")
    # The limit applies to the best cold wall time, or to the CPU time when the machine is busy
    # (CPU time counts only our own work; wall time also counts other processes' turns).
    ours_time = min(ours_total, ours["cpu_s"])
    annotated_time = min(annotated["build_s"] + annotated["match_s"], annotated["cpu_s"])
    verdict = "PASS" if ours_time < 1.0 and annotated_time < 1.0 else "FAIL"
    print(
        f"{verdict}: build + match {ours_total:.3f} s wall / {ours['cpu_s']:.3f} s CPU; "
        f"annotate {annotated_time:.3f} s (limit 1 s)"
    )
    if verdict == "FAIL" or not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
