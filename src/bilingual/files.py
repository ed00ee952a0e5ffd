"""Files in and out: input read with one typed error per failure (`read_bytes`), output written
atomically: each file is written to a temporary file beside it, then renamed.

A temporary file is named `.<name>.<pid>.<random>.part` after the process writing it, so that a
run killed while writing (kill -9, a power cut) leaves parts that the next run can recognise as
dead and remove (`remove_stale_parts`, called by `ensure_folder` when a run prepares its output
folder), while the parts of a run still going are left alone. A rewritten file keeps its mode; a
new one gets the permissions the umask gives. Every failure to write is an `OutputError` (exit 2)
naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

from .errors import InputError, OutputError

# .<name>.<pid>.<8 hex digits>.part: only these are ours to clean up
_PART = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}\.part")


def ensure_folder(folder: Path) -> Path:
    """Create `folder` (and parents) if needed, check that it can be written, and remove the
    temporary files that runs killed while writing left in it (`remove_stale_parts`)."""
    folder = _create_folder(Path(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: the output folder is not writable")
    remove_stale_parts(folder)
    return folder


def remove_stale_parts(folder: Path) -> list[Path]:
    """Remove this tool's temporary files in `folder` whose writing process is gone.

    Parts of a live process (this one included) are kept: that run is still writing them. A
    process id reused since is taken as live, which only delays the removal to a later run.
    Returns the files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:  # not a readable folder: nothing of ours to clean up
        return removed
    for entry in entries:
        match = _PART.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if _process_alive(int(match["pid"])):
            continue
        with contextlib.suppress(FileNotFoundError):  # another run removed it first
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except (OverflowError, OSError):  # not a possible process id
        return False
    return True


def _create_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{folder}: cannot create the output folder ({_reason(e)})") from None
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    return folder


def _reason(error: OSError) -> str:
    """ "no space left on device" from ENOSPC: the system's words, as part of a sentence."""
    text = error.strerror or (errno.errorcode.get(error.errno or 0) or str(error))
    return text[:1].lower() + text[1:]


def _cannot_write(path: Path, error: OSError) -> OutputError:
    return OutputError(f"{path}: cannot write ({_reason(error)})")


def _open_part(path: Path) -> tuple[int, Path]:
    """Create the temporary file for `path`, with the mode `path` will have; (descriptor, path)."""
    try:
        mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise _cannot_write(path, e) from None
    while True:
        part = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        try:
            # 0o666 for a new file: the kernel applies the umask (and a folder's default ACL),
            # which no reading of the umask could do without racing other threads
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise _cannot_write(path, e) from None
        break
    if mode is not None:
        try:
            os.fchmod(fd, mode)  # a rewrite keeps the mode (a private 0600 file stays private)
        except OSError as e:
            os.close(fd)
            _remove(part)
            raise _cannot_write(path, e) from None
    return fd, part


def _remove(part: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(part)


def _rename(part: Path, path: Path) -> None:
    try:
        os.replace(part, path)
    except OSError as e:
        _remove(part)
        raise _cannot_write(path, e) from None


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO]:
    """Yield a file object whose content replaces `path` only when the block ends without error."""
    path = Path(path)
    _create_folder(path.parent)
    fd, part = _open_part(path)
    try:
        try:
            with os.fdopen(fd, mode, encoding=encoding) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as e:  # ENOSPC, EDQUOT, EIO... while writing or closing
            raise _cannot_write(path, e) from None
    except BaseException:
        _remove(part)
        raise
    _rename(part, path)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    with atomic_output(path, "wb") as handle:
        handle.write(data)
    return Path(path)


def write_text(path: Path, text: str) -> Path:
    """Write `text` as UTF-8 to `path` atomically."""
    return write_bytes(path, text.encode("utf-8"))


# What `write_all` writes into a file: its bytes, or a function that writes them into the file
# open for writing (an exporter's `Rendered.write`), so that a large output is never whole in
# memory.
Content = bytes | Callable[[BinaryIO], object]


def write_all(
    items: Iterable[tuple[Path, Content]], *, digests: dict[str, str] | None = None
) -> list[Path]:
    """Write several files so that they appear together: a run's outputs, say.

    `items` may be made as they are asked for (`stages.render_outputs`): each file's content is
    let go once written, so only one is held at a time, and a content that writes itself is
    never held whole. With `digests`, each file's SHA-256 (hex) is put in it under the file's
    name as soon as the file is written, before the next item is asked for (the JSON form, made
    last, records those of the others).

    Every temporary file is written and synced first; only then are they renamed, in the given
    order (put the file that marks the run as done, the JSON form, last). When any file cannot be
    written, every temporary file is removed, no target is touched, and the `OutputError` names
    the file that could not be written. Returns the paths written, in order.
    """
    staged: list[tuple[Path, Path]] = []  # (temporary file, target)
    try:
        for path, content in items:
            path = Path(path)
            _create_folder(path.parent)
            fd, part = _open_part(path)
            staged.append((part, path))
            try:
                with os.fdopen(fd, "wb") as handle:
                    if isinstance(content, bytes):
                        handle.write(content)
                    else:
                        content(handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                if digests is not None:
                    # read back: a writer may seek (a zip rewrites its headers), so the bytes
                    # cannot be hashed on their way out
                    with open(part, "rb") as written:
                        digests[path.name] = _sha256(written)
            except OSError as e:
                raise _cannot_write(path, e) from None
            del content  # before the next item is made
    except BaseException:
        for part, _ in staged:
            _remove(part)
        raise
    # A rename within a folder does not allocate space; should one fail all the same, the files
    # renamed before it stay (they are complete) and the rest are removed.
    for index, (part, path) in enumerate(staged):
        try:
            _rename(part, path)
        except OutputError:
            for rest, _ in staged[index + 1 :]:
                _remove(rest)
            raise
    return [path for _, path in staged]


# --- reading input -------------------------------------------------------------------------------


def read_bytes(
    path: Path,
    what: str = "file",
    *,
    error: type[InputError] = InputError,
    limit: int | None = None,
) -> bytes:
    """The bytes of the input file `path`, or `error` with one line saying why not.

    `what` names the file in the message for a folder given instead ("a folder, not a JSON
    form"); with `limit`, a larger file is refused before any of it is read.
    """
    path = Path(path)
    try:
        if limit is not None and path.stat().st_size > limit:
            raise error(f"{path}: larger than {limit // 2**20} MB; refused")
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: a folder, not a {what}") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({e.strerror})") from None


def read_regular_file(
    path: Path, *, error: type[InputError] = InputError, head: int | None = None
) -> bytes:
    """The bytes of `path` (its first `head` bytes, if given) when it is a regular file or a
    symlink to one; else `error`, one line saying what it is. Opened without blocking and
    checked on the open file, so a named pipe never waits for a writer and a device (/dev/zero)
    is never read, whatever the path turned into since it was listed."""
    with _regular_file(path, error) as handle:
        try:
            return handle.read() if head is None else handle.read(head)
        except OSError as e:
            raise error(f"{path}: cannot read ({_reason(e)})") from None


def regular_file_sha256(path: Path, *, error: type[InputError] = InputError) -> str:
    """The SHA-256 (hex) of `path`, opened as `read_regular_file` opens it and read a
    megabyte at a time (an output of a million segments is hundreds of megabytes)."""
    with _regular_file(path, error) as handle:
        try:
            return _sha256(handle)
        except OSError as e:
            raise error(f"{path}: cannot read ({_reason(e)})") from None


@contextlib.contextmanager
def _regular_file(path: Path, error: type[InputError]) -> Iterator[IO[bytes]]:
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except IsADirectoryError:
        raise error(f"{path}: a folder, not a file") from None
    except OSError as e:
        raise error(f"{path}: cannot read ({_reason(e)})") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{path}: not a regular file ({_kind(mode)}); skipped")
        yield handle


def _sha256(handle: IO[bytes]) -> str:
    import hashlib

    sha = hashlib.sha256()
    while chunk := handle.read(1 << 20):
        sha.update(chunk)
    return sha.hexdigest()


def _kind(mode: int) -> str:
    kinds = [
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a file")
