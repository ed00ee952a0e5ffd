"""The clone stands on its own: the test data ship inside it, and the guard in conftest.py trips."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, TOKENIZER_DIR


def test_tokenizer_files_ship_in_the_repository() -> None:
    assert TOKENIZER_DIR.resolve().is_relative_to(ROOT)
    for name in ("sentencepiece.model", "shared_vocabulary.txt", "metadata.json", "README.md"):
        assert (TOKENIZER_DIR / name).is_file(), name
    credits = (TOKENIZER_DIR / "README.md").read_text(encoding="utf-8")
    for credit in ("OPUS", "WikiMatrix", "UN Parallel Corpus", "Argos Translate", "1.9"):
        assert credit in credits


def test_no_code_reads_beside_the_clone() -> None:
    for folder in ("tests", "benchmarks", ".ci"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".toml", "") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for needle in ('"shared"', "'shared'", "/shared/", "parent.parent.parent", "/work/"):
                if path == Path(__file__) or needle not in text:
                    continue
                raise AssertionError(f"{path.relative_to(ROOT)} mentions {needle!r}")


@pytest.mark.slow  # a subprocess
@pytest.mark.skipif(
    ROOT.parent.is_relative_to(Path(tempfile.gettempdir()).resolve()),
    reason="the clone is inside the temporary folder: every file beside it counts as temporary",
)
def test_guard_fails_a_test_that_opens_a_file_beside_the_clone(tmp_path: Path) -> None:
    # Run a tiny test file under this conftest, in a pytest of its own: the test that opens
    # a file beside the clone must fail, even when the file does not exist (the open is seen
    # before it is tried), and the others must pass.
    beside = ROOT.parent / "shared" / "models" / "no-such-file.txt"
    inside = ROOT / "pyproject.toml"
    tiny = tmp_path / "test_tiny.py"
    tiny.write_text(
        textwrap.dedent(
            f"""
            import contextlib
            import tempfile
            from pathlib import Path

            import pytest


            def test_opens_beside():
                with contextlib.suppress(OSError):
                    open({str(beside)!r}, "rb").close()


            @pytest.fixture
            def reads_beside():
                with contextlib.suppress(OSError):
                    Path({str(beside)!r}).read_bytes()


            def test_fixture_opens_beside(reads_beside):
                pass


            def test_opens_inside_the_repository():
                Path({str(inside)!r}).read_bytes()


            def test_opens_a_temporary_file():
                with tempfile.TemporaryFile() as handle:
                    handle.write(b"x")
            """
        ),
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "-rfE",
            str(tiny),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = completed.stdout + completed.stderr
    assert completed.returncode == 1, out
    assert "1 failed, 2 passed, 1 error" in out, out
    assert "FAILED" in out and "test_opens_beside" in out, out
    assert "ERROR" in out and "test_fixture_opens_beside" in out, out
    assert f"opened 1 file(s) beside the repository (a fresh clone has none): {beside}" in out, out
