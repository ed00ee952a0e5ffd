"""Waiting for a lock another process holds: a bounded wait, said once, then a typed error.

Every lock bilingual waits for (the translation memory's SQLite lock, the JSON form's lock)
goes through `LockWait`, so the bound (`BILINGUAL_LOCK_TIMEOUT`, seconds, 30 by default) and
the one line saying what is waited for are the same everywhere. The library does not print:
the CLI installs a notifier with `set_wait_notifier`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from .errors import LockTimeout, OutputError

__all__ = ["LOCK_TIMEOUT_ENV", "LockWait", "json_form_lock", "lock_timeout", "set_wait_notifier"]

LOCK_TIMEOUT_ENV = "BILINGUAL_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0

T = TypeVar("T")

_notifier: Callable[[str], None] | None = None


def set_wait_notifier(notifier: Callable[[str], None] | None) -> Callable[[str], None] | None:
    """Install what is told "waiting for FILE" (the CLI: one line on stderr); return the old one."""
    global _notifier
    previous, _notifier = _notifier, notifier
    return previous


def lock_timeout() -> float:
    """The longest total wait for one lock, in seconds: `$BILINGUAL_LOCK_TIMEOUT` or 30."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT
    return value if value >= 0 else DEFAULT_LOCK_TIMEOUT


class LockWait:
    """Retry an attempt while another process holds `path`'s lock, for a bounded total time.

    `attempt()` either succeeds or raises; `is_locked(exc)` says whether that exception means
    "held by someone else" (retry) or is a real failure (raised at once). The first time a wait
    begins, the notifier (or `on_wait`) is told once which file is waited for; when the total
    wait passes the timeout, `LockTimeout` names the file.
    """

    def __init__(
        self,
        path: str | Path,
        what: str,
        *,
        timeout: float | None = None,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.what = what
        self.timeout = lock_timeout() if timeout is None else timeout
        self.on_wait = on_wait
        self.told = False

    def run(self, attempt: Callable[[], T], is_locked: Callable[[BaseException], bool]) -> T:
        started = time.monotonic()
        pause = 0.05
        while True:
            try:
                return attempt()
            except Exception as e:
                if not is_locked(e):
                    raise
            waited = time.monotonic() - started
            if waited >= self.timeout:
                raise LockTimeout(
                    f"{self.path}: {self.what} is locked by another process; "
                    f"gave up after {self.timeout:g} s"
                ) from None
            self._tell()
            time.sleep(min(pause, max(self.timeout - waited, 0.0)))
            pause = min(pause * 2, 1.0)

    def _tell(self) -> None:
        if self.told:
            return
        self.told = True
        notify = self.on_wait or _notifier
        if notify is not None:
            notify(
                f"waiting for {self.path}: {self.what} is locked by another process "
                f"(giving up after {self.timeout:g} s)"
            )


@contextlib.contextmanager
def json_form_lock(json_path: str | Path) -> Iterator[None]:
    """Hold the lock of the JSON form at `json_path` for the block: what a command that reads,
    merges and writes it takes (import, export, translate at write time, never while
    translating), so that none writes over what another has just written.

    The lock is an `flock` on `.<name>.lock` beside the JSON form, waited for as every lock is
    (bounded, said once, then `LockTimeout` naming the JSON form). The lock file is removed on
    release; a command that locked a file removed meanwhile locks the new one instead. A folder
    where the lock file cannot be made is a destination that cannot be written (`OutputError`).
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no advisory locks to take
        yield
        return
    path = Path(json_path)
    lock = path.with_name(f".{path.name}.lock")
    wait = LockWait(path, "the JSON form")
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as e:
            raise OutputError(f"{path}: cannot write ({_reason(e)})") from None
        try:
            wait.run(
                functools.partial(fcntl.flock, fd, fcntl.LOCK_EX | fcntl.LOCK_NB),
                lambda e: isinstance(e, BlockingIOError),
            )
        except OSError as e:  # no locks on this file system (ENOLCK), say
            os.close(fd)
            raise OutputError(f"{path}: cannot lock ({_reason(e)})") from None
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, lock):
            break
        os.close(fd)  # its last holder removed it on release: lock the one there now
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # while still holding it, so no one can take a removed file
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _reason(error: OSError) -> str:
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]
