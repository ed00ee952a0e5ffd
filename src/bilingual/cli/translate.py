"""`bilingual translate`: the main job."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..engines import ENGINES, EngineOptions
from ..front import GivenFront
from .options import (
    LiveChoice,
    build_export_options,
    build_llm_options,
    config_option,
    export_options,
    glossary_option,
    input_format_option,
    llm_options,
    memory_option,
    written,
)


def _check_date(value: str | None) -> str | None:
    from ..front import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


@contextlib.contextmanager
def _keep_finished_work(no_memory: bool) -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        from ..errors import Interrupted

        kept = (
            "nothing was kept (--no-memory)"
            if no_memory
            else "finished batches are kept in the memory; run the same command to go on"
        )
        raise Interrupted(f"interrupted; {kept}") from None


@contextlib.contextmanager
def _nothing_left_on_failure(output_dir: str) -> Iterator[None]:
    """A run that fails (no model, a bad input) leaves no output folder it created: the run
    prepares the folder first, so that an unwritable one fails before any work is done."""
    created: list[Path] = []  # the folders this run will create, deepest first
    folder = Path(output_dir).absolute()
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    try:
        yield
    except BaseException:
        for made in created:
            try:
                made.rmdir()  # only while empty: whatever the run wrote stays
            except OSError:
                break
        raise


@click.command()
@click.argument("input_paths", metavar="PATH...", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o",
    "--output",
    "output_dir",
    default="output",
    show_default=True,
    type=click.Path(),
    help="Output folder.",
)
@click.option(
    "--engine",
    type=LiveChoice(lambda: sorted(ENGINES)),
    default="auto",
    show_default=True,
    help="auto (Argos if a zh->en model is installed, else a worksheet), argos, llm (a language "
    "model behind an OpenAI-compatible server: --llm-url), or none.",
)
@click.option(
    "--model", type=click.Path(), default=None, help="An .argosmodel file to install and use."
)
@click.option(
    "--beam",
    type=click.IntRange(1, 16),
    default=EngineOptions.beam,
    show_default=True,
    help="Beam size.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=EngineOptions.threads,
    show_default=True,
    help="CPU threads for decoding.",
)
@click.option(
    "--max-batch-tokens",
    type=click.IntRange(16, 65536),
    default=EngineOptions.max_batch_tokens,
    show_default=True,
    help="Token budget of one decoding batch (segments are batched by length).",
)
@llm_options
@glossary_option
@memory_option
@click.option(
    "--no-memory",
    is_flag=True,
    default=False,
    help="Neither read nor write the translation memory.",
)
@click.option(
    "-q", "--quiet", is_flag=True, default=False, help="No progress bar, only the summary line."
)
@click.option(
    "--force",
    is_flag=True,
    default=False,
    help="Translate again documents that are up to date (a batch skips them otherwise), and "
    "write over a JSON form that another input made.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    default=False,
    help="Translate symbolic links in a folder that lead outside it (skipped otherwise).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where the engine runs: in this process, or on a Ray cluster (bilingual[ray]).",
)
@click.option(
    "--ray-address",
    metavar="HOST:PORT",
    default=None,
    help="The Ray cluster to join: HOST:PORT as `ray start --head` printed it (waits at most "
    "$BILINGUAL_RAY_JOIN_TIMEOUT s, 30); default: start a local one.",
)
@click.option(
    "--title", default=None, help="The headline, when the input has none or to replace its own."
)
@click.option("--title-en", default=None, help="The headline's English (else it is translated).")
@click.option(
    "--byline", default=None, help="The byline, when the input has none or to replace it."
)
@click.option(
    "--date",
    default=None,
    metavar="YYYY-MM-DD",
    callback=lambda _ctx, _param, value: _check_date(value),
    help="The article's date, when the input has none or to replace it.",
)
@input_format_option
@export_options
@config_option
@click.pass_context
def translate(
    ctx: click.Context, input_paths: tuple[str, ...], output_dir: str, **kwargs: Any
) -> None:
    """Translate PATH... (text, DOCX, HTML, Markdown or PDF files, or folders of them; '-':
    standard input) into bilingual DOCX and HTML, plus the JSON form.

    With one file, its outputs go to the output folder. With folders or several files it is a
    batch: the model loads once, repeated sentences are translated once, up-to-date documents
    are skipped, and DIR/bilingual-report.json says what became of each input.
    """
    options = build_export_options(kwargs)
    engine_options = EngineOptions(
        model=kwargs["model"],
        beam=kwargs["beam"],
        threads=kwargs["threads"],
        max_batch_tokens=kwargs["max_batch_tokens"],
        llm=build_llm_options(kwargs),
    )
    from ..executors import check_executor

    check_executor(kwargs["executor"], kwargs["ray_address"])
    given = GivenFront(
        **{name: kwargs.pop(name) for name in ("title", "title_en", "byline", "date")}
    )
    # One file is a batch of one without the up-to-date skip and the report; the run loop is
    # the same.
    if len(input_paths) == 1 and not os.path.isdir(input_paths[0]):
        _translate_one(input_paths[0], output_dir, engine_options, options, kwargs, given)
        return
    if given:
        raise click.UsageError("--title, --title-en, --byline and --date are for one input file")
    ctx.exit(_translate_many(input_paths, output_dir, engine_options, options, kwargs))


def _run_arguments(
    engine_options: EngineOptions, options: Any, kwargs: dict[str, Any]
) -> dict[str, Any]:
    """What a single-file run and a batch both take from the command line."""
    return {
        "engine": kwargs["engine"],
        "engine_options": engine_options,
        "formats": kwargs["format"],
        "export_options": options,
        "glossary_paths": kwargs["glossary"] or None,
        "memory_path": kwargs["memory_path"],
        "use_memory": not kwargs["no_memory"],
        "input_format": kwargs["input_format"],
        "force": kwargs["force"],
        "executor": kwargs["executor"],
        "ray_address": kwargs["ray_address"],
    }


def _translate_many(
    paths: tuple[str, ...],
    output_dir: str,
    engine_options: EngineOptions,
    options: Any,
    kwargs: dict[str, Any],
) -> int:
    from ..batch import translate_batch
    from .progress import batch_progress

    with _nothing_left_on_failure(output_dir), batch_progress(quiet=kwargs["quiet"]) as progress:
        result = translate_batch(
            paths,
            output_dir,
            **_run_arguments(engine_options, options, kwargs),
            follow_symlinks=kwargs["follow_symlinks"],
            progress=progress,
        )
    for warning in result.warnings:
        click.echo(f"bilingual: {warning}", err=True)
    for line in result.summary():
        click.echo(line)
    if result.interrupted:
        click.echo("bilingual: interrupted; the documents written so far are kept", err=True)
    return int(result.exit_code)


def _translate_one(
    input_path: str,
    output_dir: str,
    engine_options: EngineOptions,
    options: Any,
    kwargs: dict[str, Any],
    given: GivenFront,
) -> None:
    from ..pipeline import translate_file
    from .progress import progress_bar

    with (
        _nothing_left_on_failure(output_dir),
        progress_bar(quiet=kwargs["quiet"]) as progress,
        _keep_finished_work(kwargs["no_memory"]),
    ):
        result = translate_file(
            input_path,
            output_dir,
            **_run_arguments(engine_options, options, kwargs),
            progress=progress,
            given=given,
        )
    for warning in result.warnings:
        click.echo(f"bilingual: {warning}", err=True)
    click.echo(f"{result.summary()}; wrote {written(result.written)}")
