"""`bilingual segment`: show how a text is split into blocks and segments."""

from __future__ import annotations

import click

from .options import input_format_option


@click.command()
@click.argument("input_path", metavar="FILE", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the JSON form instead of the outline.")
@input_format_option
def segment(input_path: str, as_json: bool, input_format: str | None) -> None:
    """Print the blocks, their kinds and the segment ids and text of FILE ('-': standard input)."""
    from ..pipeline import read_document

    warnings: list[str] = []
    document = read_document(input_path, input_format, warnings=warnings)
    for warning in warnings:
        click.echo(f"bilingual: {warning}", err=True)
    if as_json:
        click.echo(document.to_json(), nl=False)
        return
    meta = document.meta
    click.echo(f"{meta.get('input')}  [{document.source_lang}, {meta.get('encoding')}]")
    for key in ("title", "date", "byline"):
        if meta.get(key):
            click.echo(f"{key}: {meta[key]}")
    for block in document.blocks:
        level = f" {block.level}" if block.level is not None else ""
        click.echo(f"\n{block.id} {block.kind}{level}")
        for s in block.segments:
            click.echo(f"  {s.id}  {s.source}")
