"""`bilingual models list | install | remove`."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingual.cli import cli
from bilingual.errors import ExitCode
from tests.standin import hostile_archives


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
