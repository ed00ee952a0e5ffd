"""`bilingual glossary ...`: check, list, add, find, import and export glossary files."""

from __future__ import annotations

import json
from typing import Any

import click

from .options import LiveChoice, glossary_option, glossary_types, input_format_option


@click.group()
def glossary() -> None:
    """Check, list, edit and exchange the glossary (fixed renderings of terms)."""


@glossary.command()
@click.argument("paths", nargs=-1, type=click.Path())
@glossary_option
def check(paths: tuple[str, ...], glossary: tuple[str, ...]) -> None:
    """Validate glossary files: YAML errors, missing or empty keys, wrong types, conflicts.

    PATHS are files or folders (default: the --glossary paths, else ./glossary/). Every problem
    is printed with its file and line; exit 1 when there are errors.
    """
    from ..errors import ProblemsFound, UsageError
    from ..glossary import check_glossary

    chosen = list(paths) + list(glossary)
    loaded, problems = check_glossary(chosen or None)
    if not loaded.files:
        raise UsageError("no glossary files: give PATHS or --glossary, or create ./glossary/")
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    summary = (
        f"{len(loaded.files)} files, {len(loaded)} entries: "
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    if errors:
        raise ProblemsFound(f"glossary check: {summary}")
    click.echo(summary)


@glossary.command(name="list")
@glossary_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the entries as JSON, with file and line."
)
def list_entries(glossary: tuple[str, ...], as_json: bool) -> None:
    """Print the merged glossary: each entry's forms, renderings, and the file and line of it."""
    from ..glossary import load_glossary

    loaded = load_glossary(list(glossary) or None)
    if as_json:
        rows = [{**e.to_dict(), "file": e.file, "line": e.line} for e in loaded.entries]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for entry in loaded.entries:
        first = f" (first: {entry.first})" if entry.first else ""
        flag = "  [not verified]" if not entry.verified else ""
        click.echo(f"{' | '.join(entry.zh)} -> {entry.en}{first}{flag}  {entry.where}")
    click.echo(f"{len(loaded)} entries from {len(loaded.files)} files; {loaded.digest()}")


@glossary.command()
@click.argument("zh")
@click.argument("en")
@click.option("--first", default=None, help="The rendering at a document's first mention.")
@click.option(
    "--also",
    multiple=True,
    help="Another acceptable rendering, which the checks accept too (repeatable).",
)
@click.option("--note", default=None, help="A note for translators (source of the rendering...).")
@click.option(
    "--type", "kind", type=LiveChoice(glossary_types), default=None, help="What kind of term it is."
)
@click.option(
    "--unverified", is_flag=True, default=False, help="Mark the rendering as not verified."
)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    default=None,
    help="The YAML file to add to (needed when glossary/ has several).",
)
@click.option(
    "--replace",
    is_flag=True,
    default=False,
    help="Change the rendering of an entry that already has ZH.",
)
@glossary_option
def add(zh: str, en: str, **kwargs: Any) -> None:
    """Add the entry ZH -> EN, keeping the file's comments, order and indentation."""
    from ..glossary.edit import add_entry

    result = add_entry(
        zh,
        en,
        first=kwargs["first"],
        also=list(kwargs["also"]) or None,
        note=kwargs["note"],
        type=kwargs["kind"],
        verified=not kwargs["unverified"],
        file=kwargs["file"],
        replace=kwargs["replace"],
        glossary_paths=list(kwargs["glossary"]) or None,
    )
    if result.action == "unchanged":
        click.echo(f"{zh} is already in the glossary at {result.entry.where}; nothing changed")
    else:
        click.echo(f"{result.action} {zh} -> {en} at {result.path}:{result.line}")


@glossary.command()
@click.argument("input_path", metavar="INPUT", type=click.Path())
@glossary_option
@click.option("--json", "as_json", is_flag=True, help="Print {occurrences, candidates} as JSON.")
@input_format_option
def find(
    input_path: str, glossary: tuple[str, ...], as_json: bool, input_format: str | None
) -> None:
    """List the term occurrences in INPUT (text or JSON form), and candidate terms to add."""
    from ..glossary import load_glossary
    from ..glossary.find import find_terms

    document = _read(input_path, input_format)
    found = find_terms(document, load_glossary(list(glossary) or None))
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        return
    for o in found.occurrences:
        click.echo(f"{o['segment']}\t{o['start']}-{o['end']}\t{o['source']} -> {o['rendering']}")
    if found.candidates:
        click.echo("\ncandidates not in the glossary:")
        for c in found.candidates:
            click.echo(
                f"{c.segment}\t{c.kind}\t{c.text}" + (f"\t(x{c.count})" if c.count > 1 else "")
            )
    click.echo(f"\n{len(found.occurrences)} occurrences, {len(found.candidates)} candidates")


def _read(path: str, input_format: str | None) -> Any:
    if input_format is None and path.lower().endswith(".json"):
        from ..document import load

        return load(path)
    from ..pipeline import read_document

    warnings: list[str] = []
    document = read_document(path, input_format, warnings=warnings)
    for warning in warnings:
        click.echo(f"bilingual: {warning}", err=True)
    return document


@glossary.command(name="import")
@click.argument("file", type=click.Path())
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML file to write (default: glossary/<name>.yaml).",
)
@click.option(
    "--force", is_flag=True, default=False, help="Overwrite the output file if it exists."
)
@glossary_option
def import_(file: str, output: str | None, force: bool, glossary: tuple[str, ...]) -> None:
    """Convert a CSV/TSV (DeepL, Google) or TBX glossary FILE into a YAML glossary file."""
    from ..glossary.exchange import import_file

    result = import_file(file, output, force=force, glossary_paths=list(glossary) or None)
    click.echo(
        f"imported {result.entries} entries ({result.forms} source forms) into {result.path}"
    )


@glossary.command()
@click.option(
    "--format",
    "format",
    type=click.Choice(["csv", "tsv", "tbx"]),
    default="csv",
    show_default=True,
    help="csv/tsv: two columns for DeepL and Google; tbx: TBX-Basic for OmegaT and Trados.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: standard output).",
)
@glossary_option
def export(format: str, output: str | None, glossary: tuple[str, ...]) -> None:
    """Write the merged glossary as CSV/TSV or TBX-Basic."""
    from ..glossary import load_glossary
    from ..glossary.exchange import export_glossary

    data = export_glossary(load_glossary(list(glossary) or None), format)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    from pathlib import Path

    from ..files import write_bytes

    write_bytes(Path(output), data)
    click.echo(f"wrote {output}", err=True)
