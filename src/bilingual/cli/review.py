"""`bilingual check`, `bilingual import` and `bilingual review`: quality checks, reviewed edits
coming back, and the reviewer's editor in the browser."""

from __future__ import annotations

import json
from typing import Any

import click

from .options import memory_option

EXCERPT = 60  # characters of source and target shown under each finding


def _excerpt(text: str, width: int = EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command()
@click.argument("json_path", metavar="DOC.json", type=click.Path())
@click.option(
    "--glossary",
    "glossary",
    multiple=True,
    type=click.Path(),
    help="Check against this glossary (YAML file or folder, repeatable) instead of the terms "
    "stored in DOC.json by its translation run.",
)
@click.option("--json", "as_json", is_flag=True, default=False, help="Print the findings as JSON.")
def check(json_path: str, glossary: tuple[str, ...], as_json: bool) -> None:
    """Check the English of DOC.json: terms, numbers, untranslated text, brackets, lengths.

    Exits 1 when an error-level finding exists.
    """
    from ..check import check_file
    from ..errors import ExitCode

    result = check_file(json_path, glossary or None)
    segments = {s.id: s for s in result.document.segments}
    if as_json:
        findings = []
        for f in result.findings:
            segment = segments.get(f.segment_id)
            findings.append(
                {
                    **f.to_dict(),
                    "source": segment.source if segment else "",
                    "target": segment.target if segment else "",
                }
            )
        data = {
            "file": json_path,
            "errors": result.errors,
            "warnings": result.warnings,
            "findings": findings,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        listed = result.listed_findings()
        width = max((len(f.segment_id) for f in listed), default=4)
        for f in listed:
            segment = segments.get(f.segment_id)
            click.echo(f"{f.segment_id:<{width}}  {f.severity:<7}  {f.code}: {f.message}")
            if segment is not None:
                pad = " " * (width + 11)
                click.echo(f"{pad}zh: {_excerpt(segment.source)}")
                click.echo(f"{pad}en: {_excerpt(segment.target) or '(empty)'}")
        for shared in result.shared_warnings():
            click.echo(f"{'all':<{width}}  {'warning':<7}  {shared}")
        click.echo(result.summary())
    if result.errors:
        # The findings and the summary are the output; exit 1 says that errors were found.
        click.get_current_context().exit(ExitCode.PROBLEMS)


@click.command("import")
@click.argument("edited_path", metavar="EDITED", type=click.Path())
@click.option(
    "--into",
    "into",
    type=click.Path(),
    default=None,
    help="The JSON form to update (default: the .json beside EDITED with the same name).",
)
@memory_option
@click.option(
    "--no-memory", is_flag=True, default=False, help="Do not store the edits in the memory."
)
def import_edits(
    edited_path: str, into: str | None, memory_path: str | None, no_memory: bool
) -> None:
    """Bring a reviewed DOCX or XLIFF back: its edited English goes into DOC.json and the memory.

    Rows that cannot be matched safely (Chinese edited, rows added, merged or deleted, ids
    repeated) are listed and skipped; exits 3 when nothing could be imported.
    """
    from ..errors import InputError
    from ..review import import_edits as run_import

    report = run_import(edited_path, into, memory_path, use_memory=not no_memory)
    for note in report.notes:
        click.echo(f"bilingual: {note}", err=True)
    for problem in report.problems:
        click.echo(f"bilingual: {problem}", err=True)
    if report.failed:
        raise InputError(report.summary())
    click.echo(report.summary())


@click.command()
@click.argument("json_path", metavar="DOC.json", type=click.Path())
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1 lets other machines reach the editor "
    "(with the token).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--no-open", is_flag=True, default=False, help="Do not open the editor in the browser."
)
@memory_option
@click.option(
    "--no-memory", is_flag=True, default=False, help="Do not store the edits in the memory."
)
def review(
    json_path: str,
    host: str,
    port: int,
    no_open: bool,
    memory_path: str | None,
    no_memory: bool,
) -> None:
    """Open the reviewer's editor for DOC.json in the browser: edit the English row by row,
    with the terms and the checks as you type; Ctrl+Enter saves a segment as reviewed.

    Prints the editor's URL (with its token) and serves until Ctrl-C.
    """
    from ..editor.server import DEFAULT_HOST, serve

    exports = _export_settings(json_path)
    if host != DEFAULT_HOST:
        click.echo(
            f"bilingual: warning: listening on {host}, not only on this machine: anyone who "
            "can reach it and has the URL's token can edit DOC.json",
            err=True,
        )
    try:
        serve(
            json_path,
            host=host,
            port=port,
            open_browser=not no_open,
            memory_path=memory_path,
            use_memory=not no_memory,
            export_options=exports,
            announce=lambda url: click.echo(url),
        )
    except KeyboardInterrupt:  # Ctrl-C is how the editor is meant to stop, not a failure
        click.echo(
            f"bilingual: editor stopped; confirmed edits are in {json_path}, unconfirmed ones "
            "in the browser",
            err=True,
        )


def _export_settings(json_path: str) -> dict[str, Any]:
    """The options of the editor's export buttons, one set per edition: what
    `bilingual export DOC.json --edition EDITION` takes here, bilingual.toml included (its
    layout, fonts and paper; a bad value fails now, as that command would)."""
    from .export import export
    from .options import build_export_options

    group = click.get_current_context().parent
    options = {}
    for edition in ("review", "reader"):
        with export.make_context("export", [json_path, "--edition", edition], parent=group) as ctx:
            options[edition] = build_export_options(dict(ctx.params))
    return options
