"""Start-up stays light: the CLI imports no heavy library, and `--help` is instant."""

from __future__ import annotations

import ast
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

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
    "ray",
)


@pytest.mark.slow  # a subprocess
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


@pytest.mark.slow  # a subprocess
def test_help_is_instant():
    # CPU time of the child, not wall time: the test machine is shared, and a busy neighbour
    # stretches the wall clock but not the work that listing the commands costs.
    subprocess.run([sys.executable, "-m", "bilingual", "--help"], capture_output=True, check=True)
    best = float("inf")
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [sys.executable, "-m", "bilingual", "--help"], capture_output=True, text=True
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, spent)
        assert result.returncode == 0
        assert "translate" in result.stdout
    assert best < 0.4, f"bilingual --help took {best:.2f} s of CPU"


# --- no import cycles -----------------------------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "bilingual"


def module_imports(package: Path = PACKAGE) -> dict[str, dict[str, int]]:
    """Module -> the package's modules it imports (-> line), at any depth: inside functions and
    under TYPE_CHECKING too, since a lazy import still makes two modules depend on each other."""
    root = package.parent
    files: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    imports: dict[str, dict[str, int]] = {name: {} for name in files}
    for name, path in files.items():
        package_name = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                stem = node.module or ""
                if node.level:
                    base = package_name.split(".")[: len(package_name.split(".")) - node.level + 1]
                    stem = ".".join(base + ([node.module] if node.module else []))
                # `from . import pipeline` imports the submodule; `from . import x` a name in it
                targets = [
                    f"{stem}.{a.name}" if f"{stem}.{a.name}" in files else stem for a in node.names
                ]
            else:
                continue
            for target in targets:
                while target and target not in files:  # `import bilingual.x.Name` -> bilingual.x
                    target = target.rpartition(".")[0]
                if target and target != name:
                    imports[name].setdefault(target, node.lineno)
    return imports


def import_cycles(imports: dict[str, dict[str, int]]) -> list[list[str]]:
    """The groups of modules that reach each other through imports (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path: Path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import thing\n")
    (package / "b.py").write_text("def thing():\n    from . import a\n")
    (package / "c.py").write_text("from pkg import b\n")
    assert import_cycles(module_imports(package)) == [["pkg.a", "pkg.b"]]


def test_no_two_modules_import_each_other():
    imports = module_imports()
    cycles = import_cycles(imports)
    # each import inside a cycle, as "importer -> imported (line)", to show where to cut it
    shown = [
        [f"{a} -> {b} (line {line})" for a in c for b, line in imports[a].items() if b in c]
        for c in cycles
    ]
    assert shown == []
