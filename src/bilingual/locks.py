"""Waiting for a lock another process holds: a bounded wait, said once, then a typed error.

Every lock bilingual waits for (the translation memory's SQLite lock, the JSON form's lock)
goes through `LockWait`, so the bound (`BILINGUAL_LOCK_TIMEOUT`, seconds, 30 by default) and
the one line saying what is waited for are the same everywhere. The library does not print:
the CLI installs a notifier with `set_wait_notifier`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import LockTimeout

__all__ = ["LOCK_TIMEOUT_ENV", "LockWait", "lock_timeout", "set_wait_notifier"]

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
