"""Shared fixtures. The user's own Argos folders and config are never touched by the tests.

argostranslate reads XDG_* and ARGOS_PACKAGES_DIR once, at import, and creates its folders then,
so they are pointed at a throwaway folder here, before anything can import it.

The clone must stand on its own: a test that opens a file beside the clone (in its parent folder
but outside the repository, such as `../shared`) fails, even where that file exists.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from tests.standin import TOKENIZER_DIR

if TYPE_CHECKING:
    from click.testing import Result

# Property tests check what holds, not how fast: on a loaded two-core machine (CI shares it) an
# example can take longer than hypothesis's 200 ms default deadline and fail for no fault.
settings.register_profile("bilingual", deadline=None)
# The fast run (`-m "not slow"`) tries a fifth of the examples: every property is still tried on
# fresh examples (and on the failures hypothesis remembers); the full run, CI's, tries them all.
FAST_SHARE = 5
settings.register_profile("bilingual-fast", deadline=None, max_examples=100 // FAST_SHARE)
settings.load_profile("bilingual")
_fast_run = False


def pytest_configure(config: pytest.Config) -> None:
    global _fast_run
    _fast_run = "not slow" in (config.getoption("markexpr", "") or "")
    if _fast_run:
        settings.load_profile("bilingual-fast")


def examples(full: int) -> int:
    """A property test's own example count (`@settings(max_examples=examples(60))`): all of them
    in the full run, a fifth (at least 10) in the fast run."""
    return max(10, full // FAST_SHARE) if _fast_run else full


_SANDBOX = Path(tempfile.mkdtemp(prefix="bilingual-tests-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
    os.environ[_name] = str(_SANDBOX / _name.lower())
os.environ["ARGOS_PACKAGES_DIR"] = str(_SANDBOX / "argos-packages")
os.environ.setdefault("BILINGUAL_DATA_DIR", str(_SANDBOX / "bilingual-data"))

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "eppd-press-conference-2026-02-03.zh-Hant.txt"

__all__ = [
    "ARTICLE",
    "ROOT",
    "TOKENIZER_DIR",
    "examples",
    "invoke",
    "one_error_line",
    "run_bilingual",
]


# -- the guard: nothing beside the clone is read --------------------------------------------------
# CI always has `../shared` beside the clone, so a test that reads it would pass there and fail on
# a user's fresh clone. An audit hook sees every Python-level open (C libraries such as
# sentencepiece open files themselves, but the paths they get come from Python code, and every
# such path in the tests starts at TOKENIZER_DIR, inside the repository). An audit hook cannot be
# removed, and raising inside it would break whatever code happened to open the file, so the hook
# only records; the runtest hooks below fail the test during which the open happened.


def _prefix(path: str | Path) -> str:
    return os.path.join(os.path.abspath(path), "")


_REPOSITORY = _prefix(ROOT)
_BESIDE = _prefix(ROOT.parent)
# Temporary folders, and the Python installation (a venv may sit beside the clone). A clone made
# inside the temporary folder is therefore not guarded (test_isolation.py skips its proof there).
_EXCEPTED = tuple(
    {
        _prefix(folder)
        for base in (tempfile.gettempdir(), sys.prefix, sys.base_prefix, sys.exec_prefix)
        for folder in (base, os.path.realpath(base))
    }
)
# A clone at the top of the file system has every file "beside" it: nothing to guard then.
_GUARDED = ROOT.parent != Path(ROOT.anchor)
_outside_opens: list[str] = []


def _outside_repository(path: str) -> bool:
    full = _prefix(path)
    return (
        full.startswith(_BESIDE)
        and not full.startswith(_REPOSITORY)
        and not full.startswith(_EXCEPTED)
        # installed packages' metadata, read by importlib.metadata (pytest's plugin lookup): an
        # editable install made from another checkout keeps its .egg-info there
        and not any(part.endswith((".egg-info", ".dist-info")) for part in Path(full).parts)
    )


def _record_outside_open(event: str, args: tuple) -> None:
    if event != "open" or not _GUARDED:
        return
    path = args[0]
    if isinstance(path, int) or path is None:  # an already-open descriptor
        return
    try:
        path = os.fsdecode(path)
        if _outside_repository(path):
            _outside_opens.append(os.path.abspath(path))
    except Exception:  # never break the code that opens a file
        pass


sys.addaudithook(_record_outside_open)


def _fail_on_outside_opens() -> None:
    if _outside_opens:
        opened = sorted(set(_outside_opens))
        _outside_opens.clear()
        pytest.fail(
            f"opened {len(opened)} file(s) beside the repository (a fresh clone has none): "
            + ", ".join(opened),
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    # also blames the first test for opens made while collecting (imports of test modules)
    _fail_on_outside_opens()
    result = yield
    _fail_on_outside_opens()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    _fail_on_outside_opens()
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    _fail_on_outside_opens()
    return result


@pytest.fixture(scope="session")
def article_path() -> Path:
    return ARTICLE


@pytest.fixture(scope="session")
def article_document():
    """The reference article, read once and shared: a test that changes it takes `article_copy`."""
    from bilingual.pipeline import read_document

    return read_document(ARTICLE)


@pytest.fixture(scope="session")
def _article_as_read():
    """The reference article as read, handed to no test (the shared one may have been changed)."""
    from bilingual.pipeline import read_document

    return read_document(ARTICLE)


@pytest.fixture
def article_copy(_article_as_read):
    """The reference article as read, this test's own copy to change (a copy is cheaper than a
    read)."""
    return copy.deepcopy(_article_as_read)


@pytest.fixture
def own_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test runs in its own empty folder: ./glossary/ and ./bilingual.toml are not the
    repository's. Modules that want it for every test say `pytestmark = usefixtures(...)`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- running the command line ---------------------------------------------------------------------


def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
    """`bilingual ARGS` in this process (click's CliRunner: stdout and stderr apart)."""
    from click.testing import CliRunner

    from bilingual.cli import cli

    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env)


def run_bilingual(
    args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`bilingual ARGS` in a process of its own running the code under test; a process still
    running after `timeout` seconds is killed and fails the test (rather than hanging the suite)."""
    import bilingual

    source = Path(bilingual.__file__).resolve().parents[1]
    env = {**env, "PYTHONPATH": os.pathsep.join([str(source), str(ROOT)])}
    try:
        return subprocess.run(
            [sys.executable, "-m", "bilingual", *args],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"bilingual {' '.join(args)} still running after {timeout} s", pytrace=False)


def assert_one_line_error(
    result: subprocess.CompletedProcess[str], exit_code: int, *names: str
) -> str:
    """The one error line of a `bilingual` process (run_bilingual), naming every one of `names`."""
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("bilingual: error:")]
    assert len(errors) == 1, result.stderr
    for name in names:
        assert name in errors[0]
    assert "unexpected" not in errors[0]
    return errors[0]


def one_error_line(result: Result) -> str:
    """The one `bilingual: error: ...` line a failed command prints, with no traceback."""
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bilingual: error: ")
    return lines[0]


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
    """A tiny stand-in Argos zh->en package (.argosmodel): the real tokenizer, random weights.
    Built once per run: parallel workers (pytest-xdist) share the first one's, under a lock in
    the run's common temporary folder. Read it, never change it."""
    import fcntl

    from tests.standin import build_standin_package

    run_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_folder = run_folder.parent  # the workers' basetemps are popen-gw0, popen-gw1, ...
    folder = run_folder / "standin"
    with open(run_folder / "standin.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = list(folder.glob("*.argosmodel"))
        return built[0] if built else build_standin_package(folder)


@pytest.fixture
def installed_standin(
    standin_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The stand-in installed into this test's own Argos packages folder; its install folder."""
    from bilingual.engines.argos import packages

    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "argos-packages"))
    return packages.install_file(standin_package).folder


@pytest.fixture
def review_form(article_document, tmp_path: Path) -> Path:
    """The reference article as a machine-translated JSON form (terms and numbers right), in
    tmp_path: what `bilingual review` opens."""
    from bilingual.document import dump
    from tests.sample_documents import translated

    return dump(translated(article_document), tmp_path / "article.json")


# Debian's Chromium, driven by Playwright (which cannot download a browser here); the flags keep
# it from reaching for the network at start-up.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A real headless Chromium for the module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def machine_rows(memory: Path) -> int:
    """How many machine translations a memory file holds, read while another process may be
    writing it (0 until it exists and is readable)."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{memory}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT count(*) FROM machine").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return 0
