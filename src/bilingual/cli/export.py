"""`bilingual export`: write the outputs of a JSON form without translating again."""

from __future__ import annotations

from typing import Any

import click

from .options import build_export_options, config_option, export_options, written


@click.command()
@click.argument("json_path", metavar="DOC.json", type=click.Path())
@click.option(
    "-o",
    "--output",
    "output_dir",
    default=None,
    type=click.Path(),
    help="Output folder (default: beside DOC.json).",
)
@export_options
@config_option
def export(json_path: str, output_dir: str | None, **kwargs: Any) -> None:
    """Write DOCX, HTML, PDF, TMX or XLIFF from DOC.json (after a review, or with other options)."""
    from ..pipeline import export_file

    options = build_export_options(kwargs)
    result = export_file(json_path, output_dir, formats=kwargs["format"], options=options)
    for warning in result.warnings:
        click.echo(f"bilingual: {warning}", err=True)
    click.echo(f"{result.summary()}; wrote {written(result.written)}")
