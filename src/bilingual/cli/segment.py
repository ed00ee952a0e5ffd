"""`bilingual segment`: show how a text is split into blocks and segments."""

from __future__ import annotations

import click


@click.command()
@click.argument("input_path", metavar="FILE", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the JSON form instead of the outline.")
def segment(input_path: str, as_json: bool) -> None:
    """Print the blocks, their kinds and the segment ids and text of FILE."""
    from ..pipeline import read_document

    document = read_document(input_path)
    if as_json:
        click.echo(document.to_json(), nl=False)
        return
    meta = document.meta
    click.echo(f"{meta.get('input')}  [{document.source_lang}, {meta.get('encoding')}]")
    for key in ("title", "date", "byline"):
        if meta.get(key):
            click.echo(f"{key}: {meta[key]}")
    for block in document.blocks:
        click.echo(f"\n{block.id} {block.kind}")
        for s in block.segments:
            click.echo(f"  {s.id}  {s.source}")
