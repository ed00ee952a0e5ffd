"""Argos Translate packages on this machine: list, find, install (validated, atomic) and remove;
and the package file itself downloaded, validated, to carry to a machine without a network.

`argostranslate.package` is used only for the package index's metadata and
`argostranslate.settings` for the packages folder. Downloading, validating and extracting are done
here: argostranslate 1.11 downloads with no timeout or progress, extracts straight into the live
folder, and imports `argostranslate.translate` (and with it torch) on install.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ...errors import EngineUnavailable, InputError, OutputError, UsageError

# The pair this tool translates; Argos's index code for it is "zh_en".
FROM_CODE = "zh"
TO_CODE = "en"

# Zip bomb guards. The real zh->en package unpacks to about 130 MB and its model barely
# compresses (quantised weights), so these leave a wide margin.
MAX_UNPACKED_BYTES = 4 * 1024**3
MAX_MEMBERS = 10_000
MAX_RATIO = 100  # uncompressed/compressed, for members big enough to matter
RATIO_FLOOR_BYTES = 8 * 1024**2

INDEX_TIMEOUT = 10.0  # seconds to reach the package index
DOWNLOAD_TIMEOUT = 30.0  # seconds without a byte before a download gives up
CHUNK = 1024 * 1024

# Where argostranslate looks for packages (its settings.remote_package_index, unless the
# ARGOS_PACKAGE_INDEX setting moves it): named in the hints so a file can be fetched by hand.
ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"

# How a model reaches a machine without a network; part of every "no model" message.
CARRY_HINT = (
    "to carry a model to a machine without a network, run `bilingual models download zh_en` "
    "on a connected one (or fetch the zh->en link listed in the Argos package index, "
    f"{ARGOS_INDEX_URL}) and then `bilingual models install --file FILE.argosmodel` here"
)
FROM_FILE_HINT = (
    "install from a file instead: bilingual models install --file PATH.argosmodel; " + CARRY_HINT
)

# (bytes so far, total bytes or None): how downloads report progress; the CLI draws the bar.
DownloadProgress = Callable[[int, "int | None"], None]


@dataclass
class InstalledPackage:
    """One folder in the Argos packages folder."""

    name: str  # the folder name, e.g. "translate-zh_en-1_9"
    folder: Path
    from_code: str | None = None
    to_code: str | None = None
    version: str = ""
    size: int = 0  # bytes on disk
    metadata: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # why it cannot be used, if it cannot

    @property
    def pair(self) -> str:
        return f"{self.from_code or '?'}->{self.to_code or '?'}"


def packages_folder() -> Path:
    """The Argos packages folder, as argostranslate resolves it.

    The environment variable wins, as in argostranslate; it is read on each call (argostranslate
    reads it once at import) so that a long-lived process or a test can point it elsewhere.
    """
    if folder := os.environ.get("ARGOS_PACKAGES_DIR"):
        return Path(folder)
    import argostranslate.settings

    return Path(argostranslate.settings.package_data_dir)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _read_package(folder: Path) -> InstalledPackage:
    package = InstalledPackage(name=folder.name, folder=folder, size=_folder_size(folder))
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        package.problem = "no metadata.json"
        return package
    except (OSError, ValueError) as e:
        package.problem = f"unreadable metadata.json ({e})"
        return package
    if not isinstance(metadata, dict):
        package.problem = "metadata.json is not an object"
        return package
    package.metadata = metadata
    package.from_code = metadata.get("from_code")
    package.to_code = metadata.get("to_code")
    package.version = str(metadata.get("package_version", ""))
    if not (folder / "model").is_dir():
        package.problem = "no model/ folder"
    return package


def list_installed() -> list[InstalledPackage]:
    """Every package folder in the packages folder, sorted by name (broken ones say why)."""
    folder = packages_folder()
    if not folder.is_dir():
        return []
    return [_read_package(p) for p in sorted(folder.iterdir()) if p.is_dir()]


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.replace("_", ".").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def find_package(from_code: str = FROM_CODE, to_code: str = TO_CODE) -> InstalledPackage | None:
    """The usable package `translate` would use for the pair: the highest version installed."""
    candidates = [
        p
        for p in list_installed()
        if p.problem is None and p.from_code == from_code and p.to_code == to_code
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (_version_key(p.version), p.name))


# -- validation ------------------------------------------------------------------------------


def _member_problem(name: str) -> str | None:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return f"member {name!r} has an absolute path"
    if "\\" in name:
        return f"member {name!r} uses backslashes"
    if ".." in PurePosixPath(name).parts:
        return f"member {name!r} escapes the package folder with '..'"
    return None


def validate_archive(path: Path, where: str | None = None) -> tuple[str, dict[str, Any]]:
    """Check an .argosmodel without extracting it; return its top-level folder and metadata.

    Raises InputError (not a usable Argos package) naming the file (or `where`, for a download:
    its address) and what is wrong.
    """
    where = where or str(path)
    if not path.is_file():
        raise InputError(f"{where}: no such file")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{where}: not an Argos package (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            if not members:
                raise InputError(f"{where}: not an Argos package (the archive is empty)")
            if len(members) > MAX_MEMBERS:
                raise InputError(f"{where}: too many members ({len(members)}) for an Argos package")
            total = 0
            tops: set[str] = set()
            names: set[str] = set()
            for member in members:
                if problem := _member_problem(member.filename):
                    raise InputError(f"{where}: unsafe archive: {problem}")
                parts = PurePosixPath(member.filename).parts
                if not parts:
                    continue
                tops.add(parts[0])
                # A member implies its folders even when the zip lists no entry for them.
                names.update("/".join(parts[:i]) + "/" for i in range(1, len(parts)))
                names.add("/".join(parts) + ("/" if member.is_dir() else ""))
                total += member.file_size
                if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise InputError(
                        f"{where}: refusing a likely zip bomb: {member.filename} unpacks "
                        f"{member.file_size // max(member.compress_size, 1)}x its packed size"
                    )
            if total > MAX_UNPACKED_BYTES:
                raise InputError(
                    f"{where}: refusing a likely zip bomb: "
                    f"it would unpack to {total / 1024**3:.1f} GB"
                )
            if len(tops) != 1 or f"{next(iter(tops))}/" not in names:
                listed = ", ".join(sorted(tops)[:5])
                raise InputError(
                    f"{where}: not an Argos package "
                    f"(expected one top-level folder, found: {listed})"
                )
            top = next(iter(tops))
            if f"{top}/metadata.json" not in names:
                raise InputError(f"{where}: not an Argos package (no {top}/metadata.json)")
            if f"{top}/model/" not in names:
                raise InputError(f"{where}: not an Argos package (no {top}/model/ folder)")
            try:
                metadata = json.loads(zf.read(f"{top}/metadata.json").decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise InputError(f"{where}: {top}/metadata.json is not valid JSON ({e})") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as e:
        raise InputError(f"{where}: not an Argos package (damaged zip: {e})") from None
    if not isinstance(metadata, dict):
        raise InputError(f"{where}: {top}/metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key]:
            raise InputError(f"{where}: {top}/metadata.json has no {key}")
    if top in (".", "..") or top.startswith("."):
        raise InputError(f"{where}: not an Argos package (bad folder name {top!r})")
    return top, metadata


def _check_pair(where: str, metadata: dict[str, Any]) -> None:
    pair = f"{metadata['from_code']}->{metadata['to_code']}"
    if (metadata["from_code"], metadata["to_code"]) != (FROM_CODE, TO_CODE):
        raise EngineUnavailable(
            f"{where}: the package translates {pair}, but bilingual needs {FROM_CODE}->{TO_CODE}"
        )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_model(folder: Path, where: str) -> None:
    """Load the package's models once, so that a corrupt package is never installed."""
    import ctranslate2
    import sentencepiece

    try:
        ctranslate2.Translator(str(folder / "model"), device="cpu", intra_threads=1)
    except (RuntimeError, ValueError, OSError) as e:
        raise EngineUnavailable(f"{where}: the model cannot be loaded ({_first_line(e)})") from None
    tokenizer = folder / "sentencepiece.model"
    if tokenizer.is_file():
        try:
            sentencepiece.SentencePieceProcessor(model_file=str(tokenizer))
        except (RuntimeError, OSError) as e:
            raise EngineUnavailable(
                f"{where}: the tokenizer cannot be loaded ({_first_line(e)})"
            ) from None


def _extract(zf: zipfile.ZipFile, dest: Path) -> None:
    # Member by member, after validation: every name is relative and free of "..".
    for member in zf.infolist():
        target = dest.joinpath(*PurePosixPath(member.filename).parts)
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(member) as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)


def install_file(path: str | Path, *, verify: bool = True) -> InstalledPackage:
    """Install an .argosmodel file into the packages folder; replace the same package if present.

    Validated before anything is written; extracted into a temporary folder beside the packages
    folder and renamed into place, so the packages folder never holds a half-installed package.
    """
    path = Path(path)
    where = str(path)
    top, metadata = validate_archive(path)
    _check_pair(where, metadata)
    folder = packages_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Beside, not inside: argostranslate treats every folder inside as a package.
        staging = Path(tempfile.mkdtemp(prefix=".bilingual-install-", dir=folder.parent))
    except OSError as e:
        raise UsageError(f"{folder}: cannot write to the Argos packages folder ({e})") from None
    try:
        try:
            with zipfile.ZipFile(path) as zf:
                _extract(zf, staging)
        except (zipfile.BadZipFile, EOFError) as e:
            raise InputError(f"{where}: cannot unpack the package ({e})") from None
        except OSError as e:
            raise UsageError(f"{staging}: cannot unpack the package here ({e})") from None
        if verify:
            check_model(staging / top, where)
        destination = folder / top
        try:
            if destination.exists():
                # Move the old copy aside first so the swap is two renames, not a slow delete.
                destination.rename(staging / ".replaced")
            (staging / top).rename(destination)
        except OSError as e:
            raise UsageError(f"{destination}: cannot put the package in place ({e})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _read_package(destination)


def remove(name: str) -> InstalledPackage:
    """Remove the installed package whose folder is `name` (or whose pair code is, e.g. zh_en)."""
    installed = list_installed()
    matches = [p for p in installed if p.name == name]
    if not matches:
        matches = [p for p in installed if f"{p.from_code}_{p.to_code}" == name]
    if len(matches) != 1:
        names = ", ".join(p.name for p in installed) or "none"
        what = "more than one package matches" if matches else "no installed package is named"
        raise UsageError(f"{what} {name!r} (installed: {names})")
    package = matches[0]
    # Rename out of the packages folder first: a crash mid-delete leaves no broken package.
    trash = Path(tempfile.mkdtemp(prefix=".bilingual-remove-", dir=package.folder.parent.parent))
    try:
        package.folder.rename(trash / package.name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)
    return package


# -- the Argos package index -----------------------------------------------------------------


def _network_error(what: str, url: str, error: BaseException) -> EngineUnavailable:
    import urllib.error

    if isinstance(error, urllib.error.HTTPError):
        error.close()  # it holds the response open
    reason = getattr(error, "reason", None) or error
    return EngineUnavailable(f"cannot reach {what} (no network? {url}: {reason}); {FROM_FILE_HINT}")


def index_url() -> str:
    import argostranslate.settings

    return str(argostranslate.settings.remote_package_index)


def available_packages(timeout: float = INDEX_TIMEOUT) -> list[Any]:
    """The Argos package index as `argostranslate.package.AvailablePackage`s, fetched now."""
    import urllib.error
    import urllib.request

    from argostranslate.package import AvailablePackage

    url = index_url()
    request = urllib.request.Request(url, headers={"User-Agent": "bilingual"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise _network_error("the Argos package index", url, e) from None
    try:
        index = json.loads(data)
    except ValueError as e:
        raise EngineUnavailable(f"{url}: the package index is not valid JSON ({e})") from None
    return [AvailablePackage(entry) for entry in index if isinstance(entry, dict)]


def download(
    url: str,
    dest: Path,
    *,
    progress: DownloadProgress | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> Path:
    """Download `url` to `dest` in chunks, reporting progress; EngineUnavailable on failure."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "bilingual"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise _network_error("the package download", url, e) from None
    if total is not None and done != total:
        raise EngineUnavailable(
            f"{url}: the download stopped at {done} of {total} bytes; try again"
        )
    return dest


def _split_code(code: str) -> tuple[str, str]:
    try:
        from_code, to_code = code.split("_")
    except ValueError:
        raise UsageError(f"{code!r} is not a language pair such as zh_en") from None
    if (from_code, to_code) != (FROM_CODE, TO_CODE):
        raise UsageError(
            f"bilingual translates {FROM_CODE}->{TO_CODE} only, not {from_code}->{to_code}"
        )
    return from_code, to_code


def _fetch(
    code: str, work: Path, progress: DownloadProgress | None, timeout: float
) -> tuple[Path, str]:
    """Download the newest package for `code` from the index into the folder `work`; the file
    and the address it came from."""
    from_code, to_code = _split_code(code)
    candidates = [
        p
        for p in available_packages(timeout=timeout)
        if p.from_code == from_code and p.to_code == to_code and p.links
    ]
    if not candidates:
        raise EngineUnavailable(f"the Argos package index has no {code} package; {FROM_FILE_HINT}")
    package = max(candidates, key=lambda p: _version_key(p.package_version))
    dest = work / f"translate-{code}.argosmodel"
    error: EngineUnavailable | None = None
    for link in package.links:  # mirrors: the first that answers
        try:
            return download(link, dest, progress=progress), link
        except EngineUnavailable as e:
            error = e
    assert error is not None
    raise error


def install_from_index(
    code: str = f"{FROM_CODE}_{TO_CODE}",
    *,
    progress: DownloadProgress | None = None,
    timeout: float = INDEX_TIMEOUT,
) -> InstalledPackage:
    """Download the package for `code` (e.g. "zh_en") from the Argos index and install it."""
    _split_code(code)  # a wrong pair fails before the network is tried
    folder = packages_folder()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bilingual-download-", dir=folder.parent) as work:
        return install_file(_fetch(code, Path(work), progress, timeout)[0])


@dataclass
class DownloadedPackage:
    """An .argosmodel file written by `download_package`."""

    path: Path
    name: str  # the package's own name, its top-level folder: "translate-zh_en-1_9"
    metadata: dict[str, Any]

    @property
    def pair(self) -> str:
        return f"{self.metadata['from_code']}->{self.metadata['to_code']}"

    @property
    def version(self) -> str:
        return str(self.metadata.get("package_version", ""))


def download_package(
    code: str = f"{FROM_CODE}_{TO_CODE}",
    output: str | Path | None = None,
    *,
    progress: DownloadProgress | None = None,
    timeout: float = INDEX_TIMEOUT,
    verify: bool = True,
) -> DownloadedPackage:
    """Download the package for `code` to a file, validated as `install` validates it.

    `output` is the file to write, or a folder to write it in; by default the current folder.
    The file is named after the package (`translate-zh_en-1_9.argosmodel`) unless `output`
    names it. It is written only once it has been checked (archive, language pair, and, with
    `verify`, its model loaded once), and atomically: a failed download leaves nothing.
    """
    from ...files import atomic_output

    _split_code(code)
    target = Path(output) if output is not None else Path.cwd()
    into_folder = output is None or target.is_dir()
    # Staged beside the file it becomes (one file system, so the rename is atomic); the folder
    # must exist: a download that fails leaves no folder behind either.
    parent = target if into_folder else target.parent
    if not parent.is_dir():
        raise OutputError(f"{parent}: no such folder")
    try:
        work = tempfile.TemporaryDirectory(prefix=".bilingual-download-", dir=parent)
    except OSError as e:
        raise OutputError(f"{parent}: cannot write the download here ({e.strerror})") from None
    with work as folder:
        fetched, where = _fetch(code, Path(folder), progress, timeout)
        top, metadata = validate_archive(fetched, where)
        _check_pair(where, metadata)
        if verify:
            unpacked = Path(folder) / "unpacked"
            with zipfile.ZipFile(fetched) as zf:
                _extract(zf, unpacked)
            check_model(unpacked / top, where)
        path = target / f"{top}.argosmodel" if into_folder else target
        with open(fetched, "rb") as src, atomic_output(path) as out:
            shutil.copyfileobj(src, out, CHUNK)
    return DownloadedPackage(path=path, name=top, metadata=metadata)
