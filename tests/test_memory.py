"""The translation memory: keys, human edits, concurrency, and files it cannot use."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bilingual import memory as memory_module
from bilingual.errors import ExitCode, InputError, OutputError
from bilingual.memory import Draft, HumanEdit, Memory, default_memory_path

MODEL = "argos:translate-zh_en 1.0"
OPTIONS = '{"beam": 4}'


def test_default_path_follows_the_data_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BILINGUAL_DATA_DIR", str(tmp_path / "data"))
    assert default_memory_path() == tmp_path / "data" / "memory.sqlite"
    monkeypatch.delenv("BILINGUAL_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_memory_path() == tmp_path / "xdg" / "bilingual" / "memory.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_memory_path() == tmp_path / "home" / ".local/share/bilingual/memory.sqlite"


def test_a_machine_draft_is_found_only_under_its_whole_key(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "memory.sqlite"
    with Memory(path) as memory:
        draft = Draft("President Lai said.", ["characters the model cannot see: 龔"], ["protected"])
        memory.store_machine(
            [("賴清德說。", ["賴清德=President Lai"], draft)], model=MODEL, options=OPTIONS
        )
        key = {"model": MODEL, "renderings": ["賴清德=President Lai"], "options": OPTIONS}
        assert memory.lookup_machine("賴清德說。", **key) == draft
        assert memory.lookup_machine("賴清德講。", **key) is None
        assert memory.lookup_machine("賴清德說。", **{**key, "model": "argos:other 2.0"}) is None
        assert memory.lookup_machine("賴清德說。", **{**key, "renderings": ["賴清德=Lai"]}) is None
        assert memory.lookup_machine("賴清德說。", **{**key, "options": '{"beam": 2}'}) is None
    # It is a file on disk in WAL mode, and a new connection sees the draft.
    with Memory(path) as memory:
        assert memory.lookup_machine("賴清德說。", **key) == draft
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_storing_a_draft_again_replaces_it(tmp_path: Path) -> None:
    with Memory(tmp_path / "m.sqlite") as memory:
        for target in ("first", "second"):
            memory.store_machine([("源", [], Draft(target))], model=MODEL, options=OPTIONS)
        found = memory.lookup_machine("源", model=MODEL, renderings=[], options=OPTIONS)
        assert found is not None and found.target == "second"
        assert memory.counts() == {"machine": 1, "human": 0}


def test_human_edits_keep_their_history_and_the_newest_wins(tmp_path: Path) -> None:
    with Memory(tmp_path / "m.sqlite") as memory:
        assert memory.lookup_human("源") is None
        for target in ("First edit.", "Second edit.", "Second edit."):
            memory.store_human(
                "源", target, renderings=["EPPD"], document="a.txt", segment_id="b2s1", segmenter=4
            )
        edit = memory.lookup_human("源")
        assert edit is not None
        assert (edit.target, edit.renderings, edit.document, edit.segment_id, edit.status) == (
            "Second edit.",
            ["EPPD"],
            "a.txt",
            "b2s1",
            "human",
        )
        assert edit.at.endswith("Z")
        assert [e.target for e in memory.human_edits()] == ["First edit.", "Second edit."]
        at = memory.lookup_human_at("a.txt", "b2s1", segmenter=4)
        assert at is not None and at.target == "Second edit." and at.segmenter == 4
        assert memory.lookup_human_at("a.txt", "b9s9", segmenter=4) is None


def test_an_edit_is_found_by_its_id_only_under_the_segmenter_that_numbered_it(
    tmp_path: Path,
) -> None:
    """Ids are positional: b3s1 under segmenter 3 is another sentence under segmenter 4 (a
    picture became a block before it). An edit stored without a segmenter (an older memory)
    is found by its source alone."""
    with Memory(tmp_path / "m.sqlite") as memory:
        memory.store_human("舊句。", "Old.", renderings=[], document="a.txt", segment_id="b3s1")
        memory.store_human(
            "另句。", "Other.", renderings=[], document="a.txt", segment_id="b3s1", segmenter=3
        )
        assert memory.lookup_human_at("a.txt", "b3s1", segmenter=4) is None
        at = memory.lookup_human_at("a.txt", "b3s1", segmenter=3)
        assert at is not None and at.target == "Other."
        found = memory.lookup_human("舊句。")  # by its Chinese text, whatever numbered it
        assert found is not None and found.target == "Old." and found.segmenter is None


def test_a_memory_from_before_the_segmenter_column_still_works(tmp_path: Path) -> None:
    """A memory an older bilingual wrote (no `human.segmenter`) opens, keeps its edits, gains the
    column, and its edits are never found by id; an older bilingual can still use it."""
    path = tmp_path / "old.sqlite"
    old_schema = memory_module.SCHEMA.replace(",\n    segmenter  INTEGER", "")
    assert "segmenter" not in old_schema
    with sqlite3.connect(path) as connection:
        connection.executescript(old_schema)
        connection.execute(
            "INSERT INTO human (source, target, document, segment_id, at)"
            " VALUES ('舊句。', 'Old.', 'a.txt', 'b3s1', '2026-01-01T00:00:00Z')"
        )
        connection.execute(f"PRAGMA user_version={memory_module.SCHEMA_VERSION}")
    connection.close()
    with Memory(path) as memory:
        found = memory.lookup_human("舊句。")
        assert found is not None and (found.target, found.segmenter) == ("Old.", None)
        assert memory.lookup_human_at("a.txt", "b3s1", segmenter=4) is None
        memory.store_human(
            "新句。", "New.", renderings=[], document="a.txt", segment_id="b3s1", segmenter=4
        )
        at = memory.lookup_human_at("a.txt", "b3s1", segmenter=4)
        assert at is not None and at.target == "New."
    with sqlite3.connect(path) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    connection.close()
    assert version == memory_module.SCHEMA_VERSION  # an older bilingual opens it as before


def test_several_human_edits_are_stored_all_or_none(tmp_path: Path) -> None:
    with Memory(tmp_path / "m.sqlite") as memory:
        edits = [HumanEdit("一", "One.", [], ""), HumanEdit("二", "Two.", ["EPPD"], "")]
        assert memory.store_human_edits(edits) == 2
        assert memory.store_human_edits(edits) == 0  # the same import again adds nothing
        broken = [HumanEdit("三", "Three.", [], ""), HumanEdit("四", None, [], "")]  # type: ignore[arg-type]
        with pytest.raises(OutputError):
            memory.store_human_edits(broken)
        assert memory.lookup_human("三") is None
        assert memory.counts()["human"] == 2


def test_the_human_table_records_what_an_edit_was_made_for(tmp_path: Path) -> None:
    """The review round trip needs no migration: status, source, renderings, where and when."""
    Memory(tmp_path / "m.sqlite").close()
    columns = {
        row[1] for row in sqlite3.connect(tmp_path / "m.sqlite").execute("PRAGMA table_info(human)")
    }
    assert {"source", "target", "status", "renderings", "document", "segment_id", "at"} <= columns


def test_a_folder_in_the_way_is_a_one_line_usage_error(tmp_path: Path) -> None:
    (tmp_path / "memory.sqlite").mkdir()
    with pytest.raises(OutputError) as caught:
        Memory(tmp_path / "memory.sqlite")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "memory.sqlite" in str(caught.value) and "\n" not in str(caught.value)


def test_a_file_in_place_of_its_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    with pytest.raises(OutputError, match="cannot create the folder"):
        Memory(tmp_path / "plain-file" / "memory.sqlite")


def test_a_memory_in_a_read_only_place_is_a_usage_error() -> None:
    # /proc refuses new files even to root, who can write a chmod-444 file (CI runs as root).
    with pytest.raises(OutputError) as caught:
        Memory(Path("/proc/bilingual-memory.sqlite"))
    assert caught.value.exit_code == ExitCode.USAGE
    assert "/proc/bilingual-memory.sqlite" in str(caught.value) and "\n" not in str(caught.value)


def test_a_file_that_is_not_a_memory_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    path.write_bytes(b"this is not an SQLite database, just text " * 50)
    with pytest.raises(InputError, match="not a translation memory") as caught:
        Memory(path)
    assert caught.value.exit_code == ExitCode.BAD_INPUT


def test_a_memory_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version=99")
    connection.close()
    with pytest.raises(InputError, match="newer bilingual"):
        Memory(path)


WRITER = """
import sys
import textwrap
from bilingual.memory import Draft, Memory
path, name = sys.argv[1], sys.argv[2]
with Memory(path) as memory:
    for batch in range(30):
        items = [(f"{name}-{batch}-{n}", [], Draft(f"{name} {batch} {n}")) for n in range(10)]
        items.append((f"shared-{batch}", [], Draft(f"shared {batch}")))
        memory.store_machine(items, model="m", options="{}")
        memory.store_human(f"human-{name}-{batch}", "edit", renderings=[])
"""


@pytest.mark.slow
def test_two_processes_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], stderr=subprocess.PIPE)
        for name in ("one", "two")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Memory(path) as memory:
        assert memory.counts() == {"machine": 2 * 300 + 30, "human": 60}
        for name in ("one", "two"):
            draft = memory.lookup_machine(f"{name}-29-9", model="m", renderings=[], options="{}")
            assert draft is not None and draft.target == f"{name} 29 9"


def test_another_programs_database_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE customers (name TEXT)")
    connection.commit()
    connection.close()
    with pytest.raises(InputError, match="other tables"):
        Memory(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("customers",)]


def test_a_memory_written_before_via_gains_it_and_keeps_its_drafts(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    with sqlite3.connect(path) as connection:  # the version-1 table, as earlier releases made it
        connection.executescript(
            """
            CREATE TABLE machine (source TEXT NOT NULL, model TEXT NOT NULL,
                renderings TEXT NOT NULL, options TEXT NOT NULL, target TEXT NOT NULL,
                notes TEXT NOT NULL DEFAULT '[]', placed TEXT NOT NULL DEFAULT '[]',
                at TEXT NOT NULL, PRIMARY KEY (source, model, renderings, options))
                WITHOUT ROWID;
            CREATE TABLE human (id INTEGER PRIMARY KEY, source TEXT NOT NULL,
                target TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'human',
                renderings TEXT NOT NULL DEFAULT '[]', document TEXT, segment_id TEXT,
                at TEXT NOT NULL);
            INSERT INTO machine VALUES ('源', 'm', '[]', '{}', 'Old.', '[]', '[]', 'then');
            PRAGMA user_version = 1;
            """
        )
    connection.close()
    with Memory(path) as memory:
        key = {"model": "m", "renderings": [], "options": "{}"}
        assert memory.lookup_machine("源", **key) == Draft("Old.")  # via None: not known
        memory.store_machine([("新", [], Draft("New.", via="retry"))], model="m", options="{}")
        assert memory.lookup_machine("新", **key) == Draft("New.", via="retry")
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1  # older ones read it
    connection.close()


# -- a full disk, a corrupt file ------------------------------------------------------------------


def _can_mount_tmpfs() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


FULL_DISK = textwrap.dedent(
    """
    set -e
    mount -t tmpfs -o size=2m tmpfs "$DISK"
    "$PYTHON" -c 'import sys; from bilingual.memory import Memory, Draft
    with Memory(sys.argv[1]) as m:
        m.store_machine([("源", [], Draft("x"))], model="m", options="{}")' "$DISK/memory.sqlite"
    dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null || true
    "$PYTHON" -c '
    import sys
    from bilingual.memory import Memory, Draft
    from bilingual.errors import BilingualError
    try:
        with Memory(sys.argv[1]) as m:
            rows = [("源%d" % i + "長" * 2000, [], Draft("y" * 2000)) for i in range(200)]
            m.store_machine(rows, model="m", options="{}")
    except BilingualError as e:
        print(type(e).__name__, e.exit_code, e)
    ' "$DISK/memory.sqlite"
    """
)


@pytest.mark.slow  # a subprocess
@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs unshare -rm and a tmpfs mount")
def test_a_good_memory_on_a_full_disk_is_not_called_corrupt(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    env = {
        **os.environ,
        "DISK": str(disk),
        "PYTHON": sys.executable,
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", FULL_DISK], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    name, code, message = result.stdout.strip().split(" ", 2)
    assert name == "OutputError" and int(code) == ExitCode.USAGE, result.stdout
    assert "memory.sqlite" in message and "full" in message
    assert "not a translation memory" not in message


def test_a_corrupt_memory_is_still_a_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "memory.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception, match="not a translation memory") as raised:
        Memory(path)
    assert not isinstance(raised.value, OutputError)
    assert raised.value.exit_code == ExitCode.BAD_INPUT  # type: ignore[attr-defined]
