"""Installing, listing and removing Argos packages: validated, atomic, never half-installed."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bilingual.engines.argos import packages
from bilingual.errors import EngineUnavailable, ExitCode, InputError, UsageError
from tests.standin import hostile_archives, rewrite_package


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own Argos packages folder."""
    folder = tmp_path / "argos-packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


def leftovers(folder: Path) -> list[str]:
    """Anything in or beside the packages folder that an install or removal left behind."""
    inside = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(".bilingual-")]
    return inside + beside


def test_packages_folder_follows_the_environment(folder: Path) -> None:
    assert packages.packages_folder() == folder


def test_install_file_puts_the_package_in_place(folder: Path, standin_package: Path) -> None:
    package = packages.install_file(standin_package)
    assert package.folder == folder / "translate-zh_en-1_0"
    assert (package.folder / "model" / "model.bin").is_file()
    assert (package.from_code, package.to_code, package.version) == ("zh", "en", "1.0")
    assert package.size > 1_000_000
    assert [p.name for p in packages.list_installed()] == ["translate-zh_en-1_0"]
    assert packages.find_package() == package
    assert leftovers(folder) == ["translate-zh_en-1_0"]


def test_installing_again_replaces_the_package(folder: Path, standin_package: Path) -> None:
    first = packages.install_file(standin_package)
    (first.folder / "stale.txt").write_text("from the old copy", encoding="utf-8")
    second = packages.install_file(standin_package)
    assert second.folder == first.folder
    assert not (second.folder / "stale.txt").exists()
    assert leftovers(folder) == ["translate-zh_en-1_0"]


def test_find_package_prefers_the_highest_version(folder: Path, standin_package: Path) -> None:
    older = packages.install_file(standin_package)
    newer = folder / "translate-zh_en-1_10"
    newer.mkdir()
    (newer / "model").mkdir()
    metadata = {"from_code": "zh", "to_code": "en", "package_version": "1.10"}
    (newer / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    assert packages.find_package().folder == newer
    (newer / "metadata.json").write_text("{broken", encoding="utf-8")
    assert packages.find_package().folder == older.folder
    broken = {p.name: p.problem for p in packages.list_installed()}["translate-zh_en-1_10"]
    assert broken is not None and "metadata.json" in broken


HOSTILE = [
    "traversal",
    "absolute",
    "no-metadata",
    "two-folders",
    "no-folder",
    "no-model",
    "bad-metadata",
    "metadata-no-to-code",
    "zip-bomb",
    "not-a-zip",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return hostile_archives(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_archives_are_refused_and_nothing_is_written(
    case: str, hostile: dict[str, tuple[Path, str]], folder: Path
) -> None:
    path, problem = hostile[case]
    with pytest.raises(InputError) as raised:
        packages.install_file(path)
    message = str(raised.value)
    assert raised.value.exit_code == ExitCode.BAD_INPUT
    assert str(path) in message and problem in message
    assert "\n" not in message
    assert leftovers(folder) == []
    assert not (folder.parent.parent / "evil.txt").exists()


def test_wrong_language_pair_is_engine_unavailable(
    folder: Path, standin_package: Path, tmp_path: Path
) -> None:
    metadata = json.dumps({"package_version": "1.0", "from_code": "en", "to_code": "zh"})
    wrong = rewrite_package(
        standin_package, tmp_path / "en_zh.argosmodel", {"metadata.json": metadata.encode()}
    )
    with pytest.raises(EngineUnavailable, match=r"translates en->zh, but bilingual needs zh->en"):
        packages.install_file(wrong)
    assert leftovers(folder) == []


def test_corrupt_model_is_never_installed(
    folder: Path, standin_package: Path, tmp_path: Path
) -> None:
    corrupt = rewrite_package(
        standin_package, tmp_path / "corrupt.argosmodel", {"model/model.bin": b"\x06garbage" * 99}
    )
    with pytest.raises(EngineUnavailable, match=r"corrupt\.argosmodel: the model cannot be loaded"):
        packages.install_file(corrupt)
    assert leftovers(folder) == []


def test_remove_by_folder_name_or_pair(folder: Path, standin_package: Path) -> None:
    packages.install_file(standin_package)
    removed = packages.remove("translate-zh_en-1_0")
    assert removed.name == "translate-zh_en-1_0"
    assert leftovers(folder) == []
    packages.install_file(standin_package)
    packages.remove("zh_en")
    assert leftovers(folder) == []


@pytest.mark.parametrize("name", ["nothing-here", "..", "../argos-packages"])
def test_remove_refuses_what_is_not_an_installed_package(
    name: str, folder: Path, standin_package: Path
) -> None:
    packages.install_file(standin_package)
    with pytest.raises(UsageError, match="translate-zh_en-1_0"):
        packages.remove(name)
    assert leftovers(folder) == ["translate-zh_en-1_0"]


# -- the package index ---------------------------------------------------------------------------


@pytest.fixture
def index_server(tmp_path: Path, standin_package: Path) -> Iterator[str]:
    """A local HTTP server with an Argos-style index.json and the stand-in package."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "translate-zh_en.argosmodel").write_bytes(standin_package.read_bytes())
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    index = [
        {
            "package_version": "1.0",
            "from_code": "zh",
            "to_code": "en",
            "links": [f"{base}/missing.argosmodel", f"{base}/translate-zh_en.argosmodel"],
        },
        {"package_version": "1.9", "from_code": "en", "to_code": "zh", "links": [f"{base}/x"]},
    ]
    (root / "index.json").write_text(json.dumps(index), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{base}/index.json"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.slow  # a server on loopback
def test_install_from_index_downloads_with_progress(
    folder: Path, index_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packages, "index_url", lambda: index_server)
    seen: list[tuple[int, int | None]] = []
    package = packages.install_from_index(
        "zh_en", progress=lambda done, total: seen.append((done, total))
    )
    assert package.folder == folder / "translate-zh_en-1_0"
    assert seen and seen[-1][0] == seen[-1][1]  # the last report is the whole file
    assert leftovers(folder) == ["translate-zh_en-1_0"]


def test_index_unreachable_fails_fast_with_a_hint(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) on localhost: connection refused, as with the network down.
    monkeypatch.setattr(packages, "index_url", lambda: "http://127.0.0.1:9/index.json")
    started = time.monotonic()
    with pytest.raises(EngineUnavailable) as raised:
        packages.install_from_index("zh_en")
    assert time.monotonic() - started < 5
    assert "models install --file PATH.argosmodel" in str(raised.value)
    assert leftovers(folder) == []


def test_only_zh_en_is_installable() -> None:
    with pytest.raises(UsageError, match="zh->en only"):
        packages.install_from_index("en_zh")
    with pytest.raises(UsageError, match="language pair"):
        packages.install_from_index("chinese")
