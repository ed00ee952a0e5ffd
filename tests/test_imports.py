"""Start-up stays light: the CLI imports no heavy library, and `--help` is instant."""

from __future__ import annotations

import json
import subprocess
import sys
import time

HEAVY = (
    "ctranslate2",
    "argostranslate",
    "docx",
    "lxml",
    "opencc",
    "torch",
    "stanza",
    "sentencepiece",
    "jsonschema",
    "ruamel",
    "ahocorasick",
    "jinja2",
    "numpy",
)


def test_importing_the_cli_loads_nothing_heavy():
    code = (
        "import json, sys, bilingual.cli\n"
        "from bilingual.cli import COMMANDS, cli\n"
        "import click\n"
        "ctx = click.Context(cli)\n"
        "[cli.get_command(ctx, name) for name in COMMANDS]\n"  # help lists every command
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(out.stdout)
    loaded = [m for m in modules if m.split(".")[0] in HEAVY]
    assert loaded == []


def test_help_is_instant():
    subprocess.run([sys.executable, "-m", "bilingual", "--help"], capture_output=True, check=True)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bilingual", "--help"], capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - started)
        assert result.returncode == 0
        assert "translate" in result.stdout
    assert best < 0.5, f"bilingual --help took {best:.2f} s"
