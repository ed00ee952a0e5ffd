"""`bilingual models`: list, install and remove the Argos Translate packages on this machine, and
download a package file to carry to a machine without a network."""

from __future__ import annotations

import click

from .progress import progress_bar


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n:.1f} GB"


@click.group()
def models() -> None:
    """List, install, download and remove Argos Translate models (packages)."""


@models.command("list")
def list_models() -> None:
    """Show the installed packages and which one `translate` uses for zh->en."""
    from ..engines.argos import packages

    installed = packages.list_installed()
    folder = packages.packages_folder()
    if not installed:
        click.echo(
            f"no Argos packages in {folder}; install one with `bilingual models install zh_en` "
            "or `bilingual models install --file PATH.argosmodel`"
        )
        return
    chosen = packages.find_package()
    rows = [("", "name", "from->to", "version", "size", "folder")]
    for package in installed:
        mark = "*" if chosen is not None and package.folder == chosen.folder else ""
        folder_text = str(package.folder)
        if package.problem:
            folder_text += f"  (unusable: {package.problem})"
        version = package.version or "?"
        rows.append((mark, package.name, package.pair, version, _size(package.size), folder_text))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[5]]).rstrip())
    if chosen is not None:
        click.echo(f"* used by `translate` for zh->en: {chosen.name}")
    else:
        click.echo("no usable zh->en package: `translate` writes a worksheet")


@models.command("install")
@click.argument("code", required=False, metavar="[zh_en]")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Install this .argosmodel file (offline) instead of downloading from the Argos index.",
)
@click.option("-q", "--quiet", is_flag=True, default=False, help="No download progress bar.")
def install(code: str | None, file: str | None, quiet: bool) -> None:
    """Install the zh->en package from the Argos package index, or from a file with --file."""
    from ..engines.argos import packages
    from ..errors import UsageError

    if file and code:
        raise UsageError("give a language pair to download or --file, not both")
    if file:
        package = packages.install_file(file)
    else:
        with progress_bar(quiet=quiet, unit="B", unit_scale=True, unit_divisor=1024) as progress:
            package = packages.install_from_index(code or "zh_en", progress=progress)
    click.echo(
        f"installed {package.name} ({package.pair}, version {package.version or '?'}) "
        f"into {package.folder}"
    )


@models.command("download")
@click.argument("code", required=False, default="zh_en", metavar="[zh_en]")
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    default=None,
    help="The file to write, or a folder to write it in (default: the package's own name, "
    "e.g. translate-zh_en-1_9.argosmodel, in the current folder).",
)
@click.option("-q", "--quiet", is_flag=True, default=False, help="No download progress bar.")
def download(code: str, output: str | None, quiet: bool) -> None:
    """Download the zh->en package to a file, checked as `install` checks it, to carry to a
    machine without a network (there: `bilingual models install --file FILE`)."""
    from ..engines.argos import packages

    with progress_bar(quiet=quiet, unit="B", unit_scale=True, unit_divisor=1024) as progress:
        package = packages.download_package(code, output, progress=progress)
    click.echo(
        f"downloaded {package.name} ({package.pair}, version {package.version or '?'}) "
        f"to {package.path}; on the machine without a network: "
        f"bilingual models install --file {package.path.name}"
    )


@models.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove the installed package NAME (its folder name as `models list` shows it)."""
    from ..engines.argos import packages

    package = packages.remove(name)
    click.echo(f"removed {package.name} ({package.pair}) from {package.folder.parent}")
