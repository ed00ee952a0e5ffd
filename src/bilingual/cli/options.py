"""Options shared by several commands, and the bilingual.toml defaults behind them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ..exporters import DEFAULT_FORMATS, EXPORTERS, ExportOptions

FORMATS_HELP = "Comma-separated output formats (json is always written)."


def written(paths: Sequence[Path]) -> str:
    """The files a run wrote, for its summary line: a JSON form's pictures as their folder and
    a count (`out/story.assets/ (3 pictures)`), not one long name each."""
    from ..document import ASSETS_SUFFIX

    shown: list[str] = []
    pictures: dict[Path, int] = {}
    for path in paths:
        if path.parent.name.endswith(ASSETS_SUFFIX):
            if path.parent not in pictures:
                shown.append(str(path.parent))
            pictures[path.parent] = pictures.get(path.parent, 0) + 1
        else:
            shown.append(str(path))
    for folder, count in pictures.items():
        index = shown.index(str(folder))
        shown[index] = f"{folder}/ ({count} picture{'s' if count > 1 else ''})"
    return ", ".join(shown)


class LiveChoice(click.Choice):
    """A choice whose values are read each time they are needed: from a registry that may gain
    names after the command is built (a plugin, a test's engine), or from a module that only
    the command's own help or run should import (`bilingual --help` stays light)."""

    def __init__(self, values: Callable[[], Sequence[str]]) -> None:
        self._values = values
        super().__init__(())

    # click < 8.5 declares `choices` a plain attribute, 8.5 a property: ignore either way.
    @property  # type: ignore[override, unused-ignore]
    def choices(self) -> tuple[str, ...]:
        return tuple(self._values())

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # click.Choice.__init__ sets it; the values come from `_values`


def glossary_types() -> tuple[str, ...]:
    """The entry types a glossary accepts (`type:`), for `glossary add --type`."""
    from ..glossary.model import TYPES

    return TYPES


class FormatList(click.ParamType):
    """`docx,html`: a comma-separated list of output formats, each one of the exporters' names,
    listed in --help as a choice is."""

    name = "formats"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(EXPORTERS) + "],..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..errors import UsageError
        from ..exporters import parse_formats

        try:
            return ",".join(parse_formats(value))
        except UsageError as e:
            self.fail(str(e), param, ctx)


def _load_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # Eager: runs before the other options, so the file's values become their defaults and
    # anything given on the command line still wins.
    from ..config import SECTIONS, find_config, load_config

    path = find_config(value)
    if path is None:
        return value
    options = _describe(ctx.command, ctx.info_name or ctx.command.name or "")
    group = ctx.parent.command if ctx.parent is not None else None
    if isinstance(group, click.Group):  # what the other commands accept is not a typo
        for name in SECTIONS:
            other = group.get_command(ctx, name) if name != options.command else None
            if other is not None:
                options.elsewhere |= set(_describe(other, name).names)
    defaults = load_config(path, options)
    _check_types(ctx, path, defaults)
    if defaults:
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _describe(command: click.Command, name: str) -> Any:
    """The spellings, path options and list options of a command, for the config loader."""
    from ..config import CommandOptions, normalise

    described = CommandOptions(command=name, names={})
    for p in command.params:
        if not isinstance(p, click.Option) or not p.name or p.name == "config":
            continue
        flags = [o.lstrip("-") for o in p.opts if o.startswith("--")]
        described.flags += flags
        spellings = {p.name, *flags}
        for spelling in spellings:
            described.names[normalise(spelling)] = p.name
        if isinstance(p.type, click.Path):
            described.paths.add(p.name)
        if p.multiple:
            described.multiple.add(p.name)
    return described


def _check_types(ctx: click.Context, path: Any, defaults: dict[str, Any]) -> None:
    """A bad value in the file is a bad input file naming the file and key, not a usage error."""
    from ..errors import InputError

    params = {p.name: p for p in ctx.command.params}
    for name, value in defaults.items():
        try:
            params[name].type_cast_value(ctx, value)
        except click.BadParameter as e:
            raise InputError(f"{path}: {name.replace('_', '-')}: {e.message}") from None


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config",
        type=click.Path(dir_okay=False),
        is_eager=True,
        expose_value=False,
        callback=_load_config,
        help="Defaults for any option from this TOML file (default: ./bilingual.toml if present).",
    )(f)


def input_format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    from ..readers import FORMAT_NAMES  # a dict of names; no reader is imported

    return click.option(
        "--input-format",
        type=click.Choice(sorted(FORMAT_NAMES)),
        default=None,
        help="Read INPUT as this format instead of by its extension (INPUT '-': standard input).",
    )(f)


def glossary_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--glossary",
        "glossary",
        multiple=True,
        type=click.Path(),
        help="Glossary YAML file or folder (repeatable; default: ./glossary/ if present).",
    )(f)


def memory_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--memory",
        "memory_path",
        type=click.Path(),
        default=None,
        help="Translation memory SQLite file (default: in the user data folder).",
    )(f)


def export_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Layout and typography options of the exporters (translate and export share them); the
    defaults are those of `ExportOptions`, so the library and the command line agree."""
    decorators = [
        click.option(
            "--format",
            "format",
            type=FormatList(),
            default=",".join(DEFAULT_FORMATS),
            show_default=True,
            help=FORMATS_HELP,
        ),
        click.option(
            "--layout",
            type=click.Choice(["side-by-side", "interleaved"]),
            default=ExportOptions.layout,
            show_default=True,
            help="DOCX layout: a two-column table, or each Chinese paragraph then its English.",
        ),
        click.option(
            "--cjk-font",
            default=ExportOptions.cjk_font,
            help="East Asian font for Chinese text (default by script; see docs/outputs.md).",
        ),
        click.option(
            "--latin-font",
            default=ExportOptions.latin_font,
            show_default=True,
            help="Font for English text.",
        ),
        click.option(
            "--paper",
            type=click.Choice(["a4", "letter"]),
            default=ExportOptions.paper,
            show_default=True,
            help="Paper size.",
        ),
        click.option(
            "--landscape/--portrait",
            default=ExportOptions.landscape,
            help="Page orientation (default portrait).",
        ),
        click.option(
            "--glossary-appendix",
            is_flag=True,
            default=ExportOptions.glossary_appendix,
            help="Add a table of the terms used, with their renderings.",
        ),
        click.option(
            "--source-script",
            type=click.Choice(["source", "simplified"]),
            default=ExportOptions.source_script,
            show_default=True,
            help="Script of the Chinese column: as in the source, or Simplified (mainland).",
        ),
        click.option(
            "--comments",
            is_flag=True,
            default=ExportOptions.comments,
            help="Add check findings to the DOCX as comments.",
        ),
        click.option(
            "--keep-boilerplate",
            is_flag=True,
            default=ExportOptions.keep_boilerplate,
            help="Show boilerplate lines (延伸閱讀, 點我訂閱...) in DOCX, HTML and Markdown.",
        ),
        click.option(
            "--edition",
            type=click.Choice(["review", "reader"]),
            default=ExportOptions.edition,
            show_default=True,
            help="review: a worksheet with check marks and term hints (imports back); reader: "
            "the headline on top and clean pages, to send to readers.",
        ),
        click.option(
            "--credit",
            default=ExportOptions.credit,
            help="A line under the byline of the reader's edition ('Translated by ...').",
        ),
        click.option(
            "--require-reviewed",
            is_flag=True,
            default=ExportOptions.require_reviewed,
            help="Refuse a reader's edition (exit 1) while any English is a machine draft, "
            "missing, or has check errors.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def build_export_options(kwargs: dict[str, Any]) -> ExportOptions:
    """Pop the exporter options out of a command's keyword arguments (one per field that is
    an option)."""
    fields = [f for f in dataclasses.fields(ExportOptions) if f.metadata.get("option", True)]
    return ExportOptions(**{f.name: kwargs.pop(f.name) for f in fields})


def llm_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The `llm` engine's options (bilingual.toml: under [llm] without the prefix); the defaults
    are those of `LLMOptions`. The API key is never an option: BILINGUAL_LLM_API_KEY."""
    from ..engines import LLMOptions

    decorators = [
        click.option(
            "--llm-url",
            "llm_url",
            multiple=True,
            metavar="URL",
            help="An OpenAI-compatible server's base URL, such as http://127.0.0.1:11434/v1 "
            "(--engine llm; repeatable: several servers share the work).",
        ),
        click.option(
            "--llm-model",
            default=None,
            metavar="NAME",
            help="The model to ask (default: the server's only model).",
        ),
        click.option(
            "--llm-concurrency",
            type=click.IntRange(1, 256),
            default=LLMOptions.concurrency,
            show_default=True,
            help="Groups of segments in flight per server.",
        ),
        click.option(
            "--llm-temperature",
            type=click.FloatRange(0, 2),
            default=LLMOptions.temperature,
            show_default=True,
            help="Sampling temperature.",
        ),
        click.option(
            "--llm-seed", type=int, default=None, help="Sampling seed, for servers that take one."
        ),
        click.option(
            "--llm-prompt",
            type=click.Path(dir_okay=False),
            default=None,
            help="A Jinja2 template replacing the default instructions (see docs/engines.md).",
        ),
        click.option(
            "--llm-timeout",
            type=click.FloatRange(1, 3600),
            default=LLMOptions.timeout,
            show_default=True,
            help="Seconds to wait for the reply to a group of 1,000 characters (scaled by size).",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def build_llm_options(kwargs: dict[str, Any]) -> Any:
    """Pop the `llm` engine's options out of a command's keyword arguments."""
    from ..engines import LLMOptions

    return LLMOptions(
        urls=list(kwargs.pop("llm_url") or ()),
        model=kwargs.pop("llm_model"),
        concurrency=kwargs.pop("llm_concurrency"),
        temperature=kwargs.pop("llm_temperature"),
        seed=kwargs.pop("llm_seed"),
        prompt=kwargs.pop("llm_prompt"),
        timeout=kwargs.pop("llm_timeout"),
    )
