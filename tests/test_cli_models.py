"""`bilingual models list | install | remove`."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.engines.argos import packages
from bilingual.errors import ExitCode
from tests.conftest import ARTICLE
from tests.standin import hostile_archives, rewrite_package
from tests.test_packages import index_server  # noqa: F401 (a fixture)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "argos-packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_list_with_nothing_installed_says_how_to_install(runner: CliRunner, folder: Path) -> None:
    result = runner.invoke(cli, ["models", "list"])
    assert result.exit_code == 0
    assert f"no Argos packages in {folder}" in result.output
    assert "models install --file" in result.output


def test_install_list_remove(runner: CliRunner, folder: Path, standin_package: Path) -> None:
    result = runner.invoke(cli, ["models", "install", "--file", str(standin_package)])
    assert result.exit_code == 0, result.output
    assert "installed translate-zh_en-1_0 (zh->en, version 1.0)" in result.output

    result = runner.invoke(cli, ["models", "list"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if "translate-zh_en-1_0" in x)
    assert line.startswith("*") and "zh->en" in line and "1.0" in line and "MB" in line
    assert str(folder / "translate-zh_en-1_0") in line
    assert "used by `translate` for zh->en: translate-zh_en-1_0" in result.output

    result = runner.invoke(cli, ["models", "remove", "translate-zh_en-1_0"])
    assert result.exit_code == 0
    assert result.output.startswith("removed translate-zh_en-1_0")
    assert not any(folder.iterdir())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return hostile_archives(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("case", ["traversal", "zip-bomb", "not-a-zip", "two-folders"])
def test_install_refuses_hostile_archives(
    case: str, runner: CliRunner, folder: Path, hostile: dict[str, tuple[Path, str]]
) -> None:
    path, problem = hostile[case]
    result = runner.invoke(cli, ["models", "install", "--file", str(path)])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"bilingual: error: {path}: ") and problem in result.stderr
    assert not folder.exists() or not any(folder.iterdir())


def test_install_pair_and_file_together_is_a_usage_error(
    runner: CliRunner, folder: Path, standin_package: Path
) -> None:
    result = runner.invoke(cli, ["models", "install", "zh_en", "--file", str(standin_package)])
    assert result.exit_code == ExitCode.USAGE
    assert "not both" in result.stderr


def test_remove_unknown_package_is_a_usage_error(runner: CliRunner, folder: Path) -> None:
    result = runner.invoke(cli, ["models", "remove", "translate-xx_yy"])
    assert result.exit_code == ExitCode.USAGE
    assert "no installed package is named 'translate-xx_yy'" in result.stderr


def _network_namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=10)
    return done.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _network_namespaces_work(), reason="needs `unshare -rn`")
def test_install_without_a_network_fails_fast(sandbox_env: dict[str, str], tmp_path: Path) -> None:
    bilingual = shutil.which("bilingual")
    assert bilingual is not None
    started = time.monotonic()
    done = subprocess.run(
        ["unshare", "-rn", bilingual, "models", "install", "zh_en"],
        env=sandbox_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 10
    assert done.returncode == ExitCode.ENGINE_UNAVAILABLE
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot reach the Argos package index" in lines[0]
    assert "bilingual models install --file PATH.argosmodel" in lines[0]
    packages = Path(sandbox_env["ARGOS_PACKAGES_DIR"])
    assert not packages.exists() or not any(packages.iterdir())


# -- models download: a package file to carry to a machine without a network -------------------


@pytest.fixture
def index(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The local test index (tests/test_packages.py's `index_server`) in place of the Argos one."""
    url = request.getfixturevalue("index_server")
    monkeypatch.setattr(packages, "index_url", lambda: url)
    return url


def strays(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.slow  # a server on loopback
def test_download_writes_a_checked_file_that_installs_offline(
    runner: CliRunner, folder: Path, index: str, tmp_path: Path, standin_package: Path
) -> None:
    carried = tmp_path / "usb" / "zh_en.argosmodel"
    carried.parent.mkdir()
    result = runner.invoke(cli, ["models", "download", "zh_en", "-o", str(carried)])
    assert result.exit_code == 0, result.output
    assert "downloaded translate-zh_en-1_0 (zh->en, version 1.0)" in result.stdout
    assert f"bilingual models install --file {carried.name}" in result.stdout
    assert carried.read_bytes() == standin_package.read_bytes()
    assert strays(carried.parent) == []  # no temporary file or folder beside it
    # Downloading installs nothing (importing argostranslate may create the empty folder).
    assert not folder.exists() or not any(folder.iterdir())

    result = runner.invoke(cli, ["models", "install", "--file", str(carried)])
    assert result.exit_code == 0, result.output
    assert (folder / "translate-zh_en-1_0" / "model" / "model.bin").is_file()


@pytest.mark.slow  # a server on loopback
def test_download_is_named_after_the_package_in_the_current_folder(
    runner: CliRunner, folder: Path, index: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = runner.invoke(cli, ["models", "download", "-q"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in here.iterdir()] == ["translate-zh_en-1_0.argosmodel"]
    packages.validate_archive(here / "translate-zh_en-1_0.argosmodel")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = runner.invoke(cli, ["models", "download", "zh_en", "-o", str(elsewhere)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in elsewhere.iterdir()] == ["translate-zh_en-1_0.argosmodel"]


@pytest.mark.slow  # a server on loopback
def test_download_of_a_damaged_package_writes_nothing(
    runner: CliRunner,
    folder: Path,
    index: str,
    tmp_path: Path,
    standin_package: Path,
) -> None:
    www = tmp_path / "www"  # where the index fixture serves from
    corrupt = rewrite_package(
        standin_package, tmp_path / "corrupt.argosmodel", {"model/model.bin": b"\x06garbage" * 99}
    )
    (www / "translate-zh_en.argosmodel").write_bytes(corrupt.read_bytes())
    out = tmp_path / "usb"
    out.mkdir()
    result = runner.invoke(cli, ["models", "download", "-o", str(out)])
    assert result.exit_code == ExitCode.ENGINE_UNAVAILABLE
    assert result.stderr.count("\n") == 1
    assert "translate-zh_en.argosmodel: the model cannot be loaded" in result.stderr
    assert list(out.iterdir()) == []

    (www / "translate-zh_en.argosmodel").write_bytes(b"<html>not found</html>")
    result = runner.invoke(cli, ["models", "download", "-o", str(out / "x.argosmodel")])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stderr.startswith(f"bilingual: error: {index.rsplit('/', 1)[0]}/translate-zh_en")
    assert "not an Argos package" in result.stderr
    assert list(out.iterdir()) == []


def test_download_refuses_other_pairs_and_missing_folders(
    runner: CliRunner, folder: Path, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["models", "download", "en_zh"])
    assert result.exit_code == ExitCode.USAGE
    assert "zh->en only" in result.stderr
    missing = tmp_path / "nowhere" / "zh_en.argosmodel"
    result = runner.invoke(cli, ["models", "download", "-o", str(missing)])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == f"bilingual: error: {missing.parent}: no such folder\n"
    assert not missing.parent.exists()


def test_offline_messages_say_how_to_carry_a_model(
    runner: CliRunner, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packages, "index_url", lambda: "http://127.0.0.1:9/index.json")
    offline = runner.invoke(cli, ["models", "download", "-o", str(tmp_path)])
    assert offline.exit_code == ExitCode.ENGINE_UNAVAILABLE
    no_model = runner.invoke(
        cli, ["translate", str(ARTICLE), "--engine", "argos", "-o", str(tmp_path / "out")]
    )
    assert no_model.exit_code == ExitCode.ENGINE_UNAVAILABLE
    worksheet = runner.invoke(
        cli,
        [
            "translate",
            str(ARTICLE),
            "--format",
            "json",
            "--no-memory",
            "-q",
            "-o",
            str(tmp_path / "sheet"),
        ],
    )
    assert worksheet.exit_code == 0, worksheet.output
    for result in (offline, no_model, worksheet):
        assert "bilingual models download zh_en" in result.stderr
        assert packages.ARGOS_INDEX_URL in result.stderr
        assert "bilingual models install --file" in result.stderr
