"""Shared fixtures. The user's own Argos folders and config are never touched by the tests.

argostranslate reads XDG_* and ARGOS_PACKAGES_DIR once, at import, and creates its folders then,
so they are pointed at a throwaway folder here, before anything can import it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SANDBOX = Path(tempfile.mkdtemp(prefix="bilingual-tests-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(_SANDBOX / _name.lower())
os.environ["ARGOS_PACKAGES_DIR"] = str(_SANDBOX / "argos-packages")
os.environ.setdefault("BILINGUAL_DATA_DIR", str(_SANDBOX / "bilingual-data"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARTICLE = ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt"
TOKENIZER_DIR = SHARED / "models" / "argos-zh_en-tokenizer"


@pytest.fixture(scope="session")
def article_path() -> Path:
    return ARTICLE


@pytest.fixture(scope="session")
def article_document():
    """The reference article, read once: copy it (Document.from_dict(d.to_dict())) to change it."""
    from bilingual.pipeline import read_document

    return read_document(ARTICLE)


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """An environment for a `bilingual` subprocess with its own Argos and data folders."""
    env = dict(os.environ)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    env["ARGOS_PACKAGES_DIR"] = str(tmp_path / "argos-packages")
    env["BILINGUAL_DATA_DIR"] = str(tmp_path / "bilingual-data")
    return env


@pytest.fixture(scope="session")
def standin_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny stand-in Argos zh->en package (.argosmodel): the real tokenizer, random weights."""
    from tests.standin import build_standin_package

    return build_standin_package(tmp_path_factory.mktemp("standin"))


@pytest.fixture
def installed_standin(
    standin_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The stand-in installed into this test's own Argos packages folder; its install folder."""
    from bilingual.engines.argos import packages

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    return packages.install_file(standin_package).folder
