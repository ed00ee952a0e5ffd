"""A batch against the shell loop a user runs today, with the small stand-in model.

One invocation makes a synthetic archive from the tokenizer's vocabulary (`tests/archive.py`:
N articles of 20-40 sentences of 15-80 characters, a title, a byline and headings, about 10% of
the sentences repeated across articles), builds the small stand-in Argos package once, and runs
each variant in its own process(es), memory off, DOCX + HTML + JSON out:

1. batch        `bilingual translate DIR` over the N articles;
2. loop         N `bilingual translate FILE` processes, one after the other;
3. resume       (1) again with nothing to do;
4. ray          (1) with `--executor ray` on a local Ray cluster, one actor, the same threads;
5. none-batch,  (1) and (2) with `--engine none` (the overhead alone);
   none-loop
6. none-10x     (5)'s batch over 10 x N articles, for its peak memory against (5)'s.

Times are wall-clock of the whole process (imports, model loading, cluster start included).
Peak memory is the process's maximum resident set size (the driver's, for Ray).

    python benchmarks/batch.py [--articles 200] [--threads 2] [--work DIR] [--only ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("none-batch", "none-loop", "none-10x", "batch", "resume", "ray", "loop")


def measure(args: list[str], env: dict[str, str], cwd: Path) -> dict:
    """Run one process; its wall time, its exit code and its own peak memory (wait4)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=devnull, stderr=devnull)
    _, status, usage = os.wait4(process.pid, 0)
    return {
        "wall": time.perf_counter() - started,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "bilingual-batch-bench"
    )
    parser.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(work / name.lower())
    env["HOME"] = str(work / "home")
    env["ARGOS_PACKAGES_DIR"] = str(work / "argos-packages")
    env["BILINGUAL_DATA_DIR"] = str(work / "bilingual-data")
    env["RAY_TMPDIR"] = str(work / "ray")
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    for folder in ("home", "ray", "cwd"):
        (work / folder).mkdir(exist_ok=True)
    cwd = work / "cwd"  # no ./glossary/ here: no glossary

    archive = work / f"archive-{args.articles}"
    bigger = work / f"archive-{args.articles * 10}"
    wanted = args.only.split(",")
    package = work / "standin" / "translate-zh_en-1_0.argosmodel"
    # Made in a child: a forked process starts with its parent's peak memory as its own, so
    # this process stays small (no numpy, no CTranslate2) for the peaks to be the children's.
    prepare = [
        f"sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'src')!r}]",
        "from pathlib import Path",
        "from tests.archive import make_archive",
        "from tests.standin import build_standin_package",
    ]
    if not archive.is_dir():
        prepare.append(f"make_archive(Path({str(archive)!r}), {args.articles})")
    if "none-10x" in wanted and not bigger.is_dir():
        prepare.append(f"make_archive(Path({str(bigger)!r}), {args.articles * 10})")
    if not package.is_file():
        prepare.append(f"build_standin_package(Path({str(work / 'standin')!r}))")
    subprocess.run([sys.executable, "-c", "import sys\n" + "\n".join(prepare)], check=True)
    inputs = sorted(archive.glob("*.txt"))
    sentences = sum(f.read_text(encoding="utf-8").count("。") for f in inputs)
    print(
        f"{len(inputs)} synthetic articles ({sentences} sentences, ~10% repeated), small "
        f"stand-in model, beam 4, {args.threads} threads, memory off, DOCX + HTML + JSON"
    )

    bilingual = [sys.executable, "-m", "bilingual", "translate"]
    common = ["--no-memory", "-q", "--threads", str(args.threads)]
    # the model installed once, as a user has it: a loop does not install it every time
    subprocess.run(
        [sys.executable, "-m", "bilingual", "models", "install", "--file", str(package)],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    argos = ["--engine", "argos"]

    def out(name: str) -> Path:
        return work / f"out-{name}"

    def fresh(name: str) -> Path:
        folder = out(name)
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def loop(engine: list[str], name: str) -> dict:
        folder = fresh(name)
        started = time.perf_counter()
        peak, exits = 0.0, set()
        for path in inputs:
            one = measure([*bilingual, str(path), "-o", str(folder), *engine, *common], env, cwd)
            peak, exits = max(peak, one["peak_mb"]), exits | {one["exit"]}
        return {"wall": time.perf_counter() - started, "peak_mb": peak, "exit": max(exits)}

    runs = {
        "none-batch": lambda: measure(
            [*bilingual, str(archive), "-o", str(fresh("none-batch")), "--engine", "none", *common],
            env,
            cwd,
        ),
        "none-loop": lambda: loop(["--engine", "none"], "none-loop"),
        "none-10x": lambda: measure(
            [*bilingual, str(bigger), "-o", str(fresh("none-10x")), "--engine", "none", *common],
            env,
            cwd,
        ),
        "batch": lambda: measure(
            [*bilingual, str(archive), "-o", str(fresh("batch")), *argos, *common], env, cwd
        ),
        "resume": lambda: measure(
            [*bilingual, str(archive), "-o", str(out("batch")), *argos, *common], env, cwd
        ),
        "loop": lambda: loop(argos, "loop"),
        "ray": lambda: measure(
            [
                *bilingual,
                str(archive),
                "-o",
                str(fresh("ray")),
                *argos,
                *common,
                "--executor",
                "ray",
            ],
            env,
            cwd,
        ),
    }
    results: dict[str, dict] = {}
    for variant in wanted:
        result = runs[variant]()
        results[variant] = result
        report = out(variant if variant != "resume" else "batch") / "bilingual-report.json"
        counts = ""
        if report.is_file():
            counts = "  " + json.dumps(json.loads(report.read_text())["counts"])
        print(
            f"  {variant:10}  wall {result['wall']:8.2f} s   peak {result['peak_mb']:6.0f} MB"
            f"   exit {result['exit']}{counts}",
            flush=True,
        )

    def ratio(a: str, b: str, key: str = "wall") -> float | None:
        if a in results and b in results:
            return results[a][key] / results[b][key]
        return None

    def line(label: str, value: float | None, unit: str, target: str) -> None:
        shown = f"{value:.2f}{unit}" if value is not None else "n/a"
        print(f"  {label:42} {shown:>10}   target {target}")

    line("(2)/(1) loop vs batch:", ratio("loop", "batch"), "x", ">= 1.15x")
    line("(5) none: loop vs batch:", ratio("none-loop", "none-batch"), "x", ">= 5x")
    resume = ratio("resume", "batch")
    line("(3)/(1) resume vs batch:", resume * 100 if resume else None, "%", "< 5%")
    line("(4)/(1) ray vs batch:", ratio("ray", "batch"), "x", "<= 1.3x")
    if "none-10x" in results and "none-batch" in results:
        grown = results["none-10x"]["peak_mb"] - results["none-batch"]["peak_mb"]
        line(f"peak at {args.articles * 10} - peak at {args.articles}:", grown, " MB", "<= 100 MB")
    if "batch" in results:
        per_hour = len(inputs) / results["batch"]["wall"] * 3600
        line("documents per hour (1):", per_hour, "", f"(this machine, {args.threads} threads)")


if __name__ == "__main__":
    main()
