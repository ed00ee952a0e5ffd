"""The translation memory: machine drafts and human edits in one SQLite file, shared by every run.

Machine drafts are keyed by the segment's source text, the model, the renderings in force for
that segment and the decoding options, so a change to any of them re-translates only what it
touches. Human edits are looked up by source text alone: they win whatever the model, options or
renderings. Every write is one committed transaction, so an interrupted run keeps what it stored.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from .document import VIAS, Via, renderings_in_force
from .errors import InputError, OutputError
from .locks import LockWait

__all__ = ["Draft", "HumanEdit", "Memory", "default_memory_path", "renderings_in_force"]

FILENAME = "memory.sqlite"
SCHEMA_VERSION = 1
# SQLite's own busy wait, per statement: long enough for another run to commit one batch (so a
# normal queue says nothing), short enough that LockWait can bound the total wait and say why.
BUSY_TIMEOUT_SECONDS = 0.5

# Version 1. `human.segmenter` is the version of the segmenter that numbered `segment_id` (NULL:
# an edit stored before the column existed, numbered by an unknown segmenter); it was added as
# `machine.via` was, without a new schema version. `human.status` is "human" for an edit in
# force; other values are reserved for later states (such as an edit a person withdrew) so that
# they need no migration. Human edits are never overwritten: a new edit is a new row and the
# newest row for a source wins.
SCHEMA = """
CREATE TABLE IF NOT EXISTS machine (
    source     TEXT NOT NULL,
    model      TEXT NOT NULL,
    renderings TEXT NOT NULL,
    options    TEXT NOT NULL,
    target     TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '[]',
    placed     TEXT NOT NULL DEFAULT '[]',
    at         TEXT NOT NULL,
    via        TEXT,
    PRIMARY KEY (source, model, renderings, options)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS human (
    id         INTEGER PRIMARY KEY,
    source     TEXT NOT NULL,
    target     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'human',
    renderings TEXT NOT NULL DEFAULT '[]',
    document   TEXT,
    segment_id TEXT,
    at         TEXT NOT NULL,
    segmenter  INTEGER
);
CREATE INDEX IF NOT EXISTS human_by_source ON human (source, id);
CREATE INDEX IF NOT EXISTS human_by_segment ON human (document, segment_id, id);
"""


def default_memory_path() -> Path:
    """Where the memory lives unless `--memory FILE` says otherwise.

    `$BILINGUAL_DATA_DIR/memory.sqlite`, else `$XDG_DATA_HOME/bilingual/memory.sqlite`, else
    `~/.local/share/bilingual/memory.sqlite`.
    """
    if folder := os.environ.get("BILINGUAL_DATA_DIR"):
        return Path(folder) / FILENAME
    if xdg := os.environ.get("XDG_DATA_HOME"):
        return Path(xdg) / "bilingual" / FILENAME
    return Path.home() / ".local" / "share" / "bilingual" / FILENAME


@dataclass
class Draft:
    """A machine draft as stored: the target, the engine's notes and how each term was placed."""

    target: str
    notes: list[str] = field(default_factory=list)
    placed: list[str | None] = field(default_factory=list)  # one per term, in term order
    via: Via | None = None  # how the English was obtained (None: stored before `via` existed)


@dataclass
class HumanEdit:
    """A reviewed target and what it was made for."""

    source: str
    target: str
    renderings: list[str]
    at: str
    status: str = "human"
    document: str | None = None
    segment_id: str | None = None
    # The version of the segmenter that gave `segment_id` (ids are positional: another version
    # may number the same sentence differently); None when unknown.
    segmenter: int | None = None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


class Memory:
    """An open translation memory; use it as a context manager.

    When another process holds the file's lock, each operation waits at most
    `$BILINGUAL_LOCK_TIMEOUT` seconds in all (30 by default), tells `on_wait` (or the notifier the
    CLI installed, see `bilingual.locks`) once that it is waiting, then raises `LockTimeout`.
    """

    def __init__(self, path: str | Path, *, on_wait: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self._wait = LockWait(self.path, "the translation memory", on_wait=on_wait)
        self._connection = self._open()

    # -- opening -----------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(
                f"{path}: cannot create the folder of the translation memory ({e.strerror})"
            ) from None
        if path.is_dir():
            raise OutputError(f"{path}: the translation memory is a folder, not a file")
        # SQLite opens a read-only file without complaint and fails at the first write, after
        # the engine has done its work; WAL also needs to create files beside it.
        writable = os.access(path, os.W_OK) if path.exists() else True
        if not (writable and os.access(path.parent, os.W_OK | os.X_OK)):
            raise OutputError(
                f"{path}: the translation memory is not writable (use --memory FILE or --no-memory)"
            )
        try:
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as e:
            raise OutputError(f"{path}: cannot open the translation memory ({e})") from None
        try:
            self._wait.run(lambda: self._prepare(connection), _locked)
        except BaseException:
            connection.close()
            raise
        return connection

    def _prepare(self, connection: sqlite3.Connection) -> None:
        path = self.path
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {name for (name,) in rows if not name.startswith("sqlite_")}
            if tables - {"machine", "human"}:
                # Another program's database: adding tables to it would be a surprise.
                raise InputError(
                    f"{path}: not a translation memory (an SQLite database with other tables)"
                )
            if version > SCHEMA_VERSION:
                raise InputError(
                    f"{path}: the translation memory was written by a newer bilingual "
                    f"(schema {version}, this one knows {SCHEMA_VERSION})"
                )
            # WAL: readers never block the one writer, and a killed process loses at most
            # its unfinished transaction. NORMAL sync is safe against crashes in WAL mode.
            # (Two first runs at once may race to switch the journal mode; SQLite reports that
            # as busy without waiting, and LockWait retries it.)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            if version < SCHEMA_VERSION:
                with _transaction(connection):
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            connection.execute(statement)
                    connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            # Columns added without a new schema version: an older bilingual reads and writes
            # the file as before (its drafts then have no `via`, its edits no `segmenter`, so
            # they are never found by their segment id).
            for table, column, kind in (
                ("machine", "via", "TEXT"),
                ("human", "segmenter", "INTEGER"),
            ):
                columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    with _transaction(connection):
                        connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except sqlite3.DatabaseError as e:
            if _locked(e):
                raise
            raise _not_usable(path, e) from None

    # -- machine drafts ----------------------------------------------------------------------

    def lookup_machine(
        self, source: str, *, model: str, renderings: Sequence[str], options: str
    ) -> Draft | None:
        """The stored draft for this source, model, renderings and options, if any."""
        row = self._query_one(
            "SELECT target, notes, placed, via FROM machine"
            " WHERE source = ? AND model = ? AND renderings = ? AND options = ?",
            (source, model, _key(renderings), options),
        )
        if row is None:
            return None
        via = row[3] if row[3] in VIAS else None
        return Draft(target=row[0], notes=json.loads(row[1]), placed=json.loads(row[2]), via=via)

    def store_machine(
        self,
        items: Iterable[tuple[str, Sequence[str], Draft]],
        *,
        model: str,
        options: str,
    ) -> int:
        """Store (source, renderings, draft) items in one transaction; return how many."""
        at = _now()
        rows = [
            (
                source,
                model,
                _key(renderings),
                options,
                draft.target,
                json.dumps(draft.notes, ensure_ascii=False),
                json.dumps(draft.placed),
                at,
                draft.via,
            )
            for source, renderings, draft in items
        ]
        if rows:
            self._write(
                "INSERT INTO machine"
                " (source, model, renderings, options, target, notes, placed, at, via)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, model, renderings, options) DO UPDATE SET"
                " target = excluded.target, notes = excluded.notes,"
                " placed = excluded.placed, at = excluded.at, via = excluded.via",
                rows,
            )
        return len(rows)

    # -- human edits -------------------------------------------------------------------------

    def lookup_human(self, source: str) -> HumanEdit | None:
        """The newest human edit made for exactly this source text, if any."""
        row = self._query_one(
            f"SELECT {_HUMAN_COLUMNS} FROM human WHERE source = ? AND status = 'human'"
            " ORDER BY id DESC LIMIT 1",
            (source,),
        )
        return _human(row)

    def lookup_human_at(
        self, document: str, segment_id: str, *, segmenter: int
    ) -> HumanEdit | None:
        """The newest human edit stored for this document's segment id, whatever its source,
        when that id was given by the same `segmenter` version (under another, or an unknown
        one, the id may name another sentence: such an edit is found by its source alone)."""
        row = self._query_one(
            f"SELECT {_HUMAN_COLUMNS} FROM human"
            " WHERE document = ? AND segment_id = ? AND segmenter = ? AND status = 'human'"
            " ORDER BY id DESC LIMIT 1",
            (document, segment_id, segmenter),
        )
        return _human(row)

    def store_human(
        self,
        source: str,
        target: str,
        *,
        renderings: Sequence[str],
        document: str | None = None,
        segment_id: str | None = None,
        segmenter: int | None = None,
    ) -> None:
        """Record a human edit; earlier edits stay in the file as history, the newest wins."""
        edit = HumanEdit(source, target, list(renderings), "", document=document)
        edit.segment_id, edit.segmenter = segment_id, segmenter
        self.store_human_edits([edit])

    def store_human_edits(self, edits: Iterable[HumanEdit]) -> int:
        """Record several human edits in one transaction (all or none); return how many were new.

        An edit identical to the newest one for its source adds nothing, so importing the same
        file twice leaves the memory as it was. Each edit's `at` is set to now.
        """
        at = _now()
        rows = []
        for edit in edits:
            newest = self.lookup_human(edit.source)
            if newest is not None and (
                newest.target,
                newest.renderings,
                newest.document,
                newest.segment_id,
                newest.segmenter,
            ) == (
                edit.target,
                list(edit.renderings),
                edit.document,
                edit.segment_id,
                edit.segmenter,
            ):
                continue
            rows.append(
                (
                    edit.source,
                    edit.target,
                    _key(edit.renderings),
                    edit.document,
                    edit.segment_id,
                    edit.segmenter,
                    at,
                )
            )
        if rows:
            self._write(
                "INSERT INTO human"
                " (source, target, status, renderings, document, segment_id, segmenter, at)"
                " VALUES (?, ?, 'human', ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def human_edits(self) -> Iterator[HumanEdit]:
        """Every human edit in force, oldest first (for export and inspection)."""
        rows = self._query_all(
            f"SELECT {_HUMAN_COLUMNS} FROM human WHERE status = 'human' ORDER BY id", ()
        )
        for row in rows:
            edit = _human(row)
            assert edit is not None
            yield edit

    def counts(self) -> dict[str, int]:
        """How many machine drafts and human edits the memory holds."""
        machine = self._query_one("SELECT count(*) FROM machine", ())
        human = self._query_one("SELECT count(*) FROM human", ())
        return {"machine": machine[0] if machine else 0, "human": human[0] if human else 0}

    # -- plumbing ----------------------------------------------------------------------------

    def _query_one(self, sql: str, params: tuple) -> tuple | None:
        try:
            return self._wait.run(lambda: self._connection.execute(sql, params).fetchone(), _locked)
        except sqlite3.DatabaseError as e:
            raise _not_usable(self.path, e, "cannot read") from None

    def _query_all(self, sql: str, params: tuple) -> list[tuple]:
        try:
            return self._wait.run(lambda: self._connection.execute(sql, params).fetchall(), _locked)
        except sqlite3.DatabaseError as e:
            raise _not_usable(self.path, e, "cannot read") from None

    def _write(self, sql: str, rows: list[tuple]) -> None:
        def attempt() -> None:
            with _transaction(self._connection):
                self._connection.executemany(sql, rows)

        try:
            self._wait.run(attempt, _locked)
        except sqlite3.DatabaseError as e:
            error = _not_usable(self.path, e, "cannot write")
            if isinstance(error, InputError) and not _corrupt(e):
                error = OutputError(f"{self.path}: cannot write the translation memory ({e})")
            raise error from None

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# SQLite's primary result codes (the low byte of `sqlite_errorcode`).
_PERM = 3
_BUSY = 5
_LOCKED = 6
_READONLY = 8
_IOERR = 10
_CORRUPT = 11
_FULL = 13
_CANTOPEN = 14
_NOTADB = 26


def _code(error: BaseException) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _locked(error: BaseException) -> bool:
    """Another connection holds the lock: wait and try again (see LockWait)."""
    if not isinstance(error, sqlite3.OperationalError):
        return False
    code = _code(error)
    if code is not None:
        return code in (_BUSY, _LOCKED)
    message = str(error)
    return "locked" in message or "busy" in message


def _corrupt(error: BaseException) -> bool:
    return _code(error) in (_CORRUPT, _NOTADB)


def _not_usable(path: Path, error: sqlite3.DatabaseError, doing: str = "cannot open") -> Exception:
    """The typed error for an SQLite failure: a full disk or a read-only file is a destination
    that cannot be written (exit 2); only a file SQLite cannot read as a database is a bad one."""
    code, message = _code(error), str(error)
    if code == _FULL or "disk is full" in message:
        return OutputError(f"{path}: cannot write the translation memory (the disk is full)")
    if code == _READONLY or "readonly" in message:
        return OutputError(f"{path}: the translation memory is not writable ({message})")
    if code in (_CANTOPEN, _PERM, _IOERR) or "unable to open" in message:
        return OutputError(f"{path}: {doing} the translation memory ({message})")
    if doing != "cannot open":
        return InputError(f"{path}: {doing} the translation memory ({message})")
    return InputError(f"{path}: not a translation memory ({message})")


_HUMAN_COLUMNS = "source, target, renderings, at, status, document, segment_id, segmenter"


def _human(row: tuple | None) -> HumanEdit | None:
    if row is None:
        return None
    source, target, renderings, at, status, document, segment_id, segmenter = row
    return HumanEdit(
        source=source,
        target=target,
        renderings=json.loads(renderings),
        at=at,
        status=status,
        document=document,
        segment_id=segment_id,
        segmenter=segmenter,
    )


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: take the write lock up front so that two runs queue, not fail."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
