"""Options shared by several commands, and the bilingual.toml defaults behind them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

FORMATS_HELP = (
    "Comma-separated output formats: docx, html, pdf, tmx, xliff (json is always written)."
)


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Eager: runs before the other options, so the file's values become their defaults and
    # anything given on the command line still wins.
    from ..config import load_config

    known = {p.name for p in ctx.command.params if p.name and p.name != "config"}
    defaults = load_config(value, known=known)
    if defaults:
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        type=click.Path(dir_okay=False),
        is_eager=True,
        expose_value=False,
        callback=_load_config,
        help="Defaults for any option from this TOML file (default: ./bilingual.toml if present).",
    )(f)


def glossary_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--glossary",
        "glossary",
        multiple=True,
        type=click.Path(),
        help="Glossary YAML file or folder (repeatable; default: ./glossary/ if present).",
    )(f)


def export_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Layout and typography options of the exporters (translate and export share them)."""
    decorators = [
        click.option(
            "--format", "format", default="docx,html", show_default=True, help=FORMATS_HELP
        ),
        click.option(
            "--layout",
            type=click.Choice(["side-by-side", "interleaved"]),
            default="side-by-side",
            show_default=True,
            help="DOCX layout: a two-column table, or each Chinese paragraph then its English.",
        ),
        click.option(
            "--cjk-font",
            default=None,
            help="East Asian font for Chinese text (default by script; see README).",
        ),
        click.option(
            "--latin-font", default="Calibri", show_default=True, help="Font for English text."
        ),
        click.option(
            "--paper",
            type=click.Choice(["a4", "letter"]),
            default="a4",
            show_default=True,
            help="Paper size.",
        ),
        click.option(
            "--landscape/--portrait", default=False, help="Page orientation (default portrait)."
        ),
        click.option(
            "--glossary-appendix",
            is_flag=True,
            default=False,
            help="Add a table of the terms used, with their renderings.",
        ),
        click.option(
            "--source-script",
            type=click.Choice(["source", "simplified"]),
            default="source",
            show_default=True,
            help="Script of the Chinese column: as in the source, or Simplified (mainland).",
        ),
        click.option(
            "--comments",
            is_flag=True,
            default=False,
            help="Add check findings to the DOCX as comments.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def build_export_options(kwargs: dict[str, Any]) -> Any:
    """Pop the exporter options out of a command's keyword arguments."""
    from ..exporters import ExportOptions

    return ExportOptions(
        layout=kwargs.pop("layout"),
        cjk_font=kwargs.pop("cjk_font"),
        latin_font=kwargs.pop("latin_font"),
        paper=kwargs.pop("paper"),
        landscape=kwargs.pop("landscape"),
        glossary_appendix=kwargs.pop("glossary_appendix"),
        source_script=kwargs.pop("source_script"),
        comments=kwargs.pop("comments"),
    )
