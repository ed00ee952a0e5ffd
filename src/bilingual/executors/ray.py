"""The `ray` executor: a batch's engine work on Ray actors (`pip install 'bilingual[ray]'`).

The driver (this process) does everything but decoding: it reads, segments, asks the memory,
forms the batches exactly as a local run does, places terms, writes documents and commits the
memory. Each actor (one per worker slot of `threads` CPUs) loads the model once and only runs the
engine on the batches it is sent. The model reaches the workers through Ray: the package is
zipped once and `ray.put`, and each actor unpacks it into its own folder, so the workers need
the project installed but no model and no shared disk. Results come back in batch order whatever
actor ran them, so a Ray run writes what a local run writes. An actor that dies is replaced and
its batch sent again; when the block ends (Ctrl-C too) the actors are stopped, and the folders of
actors that died are swept from their machines.

Joining a cluster (`--ray-address`) is bounded: nothing answering, or a head still starting, is
waited for at most `$BILINGUAL_RAY_JOIN_TIMEOUT` seconds (30). A head with token authentication
is joined with the token Ray itself finds (`RAY_AUTH_MODE=token` and `RAY_AUTH_TOKEN`,
`RAY_AUTH_TOKEN_PATH` or `~/.ray/auth_token`); bilingual passes nothing of its own. What Ray's
core writes on stderr while joining and leaving (a line a second while a head refuses the
token) goes to `bilingual-ray.log` in the output folder, which an error names.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..engines import Engine, Executor, Translation, WorkerSpec
from ..errors import EngineUnavailable, UsageError
from .local import in_turn

INSTALL_HINT = "--executor ray needs Ray: pip install 'bilingual[ray]'"
# How many times one worker slot may lose its actor before the run gives up (a model that
# kills its process on every batch would otherwise be restarted for ever).
REPLACEMENTS = 3
WAIT_SECONDS = 0.5
JOIN_TIMEOUT_ENV = "BILINGUAL_RAY_JOIN_TIMEOUT"
DEFAULT_JOIN_TIMEOUT = 30.0
LOG_NAME = "bilingual-ray.log"
ACTOR_FOLDER = "bilingual-ray-actor-"
ADDRESS_HINT = "HOST:PORT as `ray start --head` printed it, or ray://HOST:PORT for Ray Client"
# host:port, [v6]:port, optionally behind ray:// (Ray Client); a host has no '/', ':' or space.
_ADDRESS = re.compile(
    r"(?P<client>ray://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^\s/:\[\]@]+):(?P<port>\d{1,5})"
)


class EngineWorker:
    """What runs inside a Ray actor: the engine the driver's `WorkerSpec` describes."""

    def __init__(self, spec: WorkerSpec, run: str) -> None:
        # A folder of its own, with the run's name in it, so that the folder of an actor killed
        # before it could remove it is found and removed at the end of this run (and only
        # this run's).
        self.folder = Path(tempfile.mkdtemp(prefix=f"{ACTOR_FOLDER}{run}-"))
        self.engine = spec.open(self.folder)

    def translate(self, texts: list[str]) -> list[tuple[str, list[str]]]:
        return [(t.text, t.notes) for t in self.engine.translate_batch(texts)]

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def sweep_actor_folders(run: str) -> int:
    """On one machine: remove what actors of `run` left in the temporary folder; how many."""
    found = list(Path(tempfile.gettempdir()).glob(f"{ACTOR_FOLDER}{run}-*"))
    for folder in found:
        shutil.rmtree(folder, ignore_errors=True)
    return len(found)


class _Pool:
    """The actors, one per worker slot; each batch to the first free one, results in order."""

    def __init__(self, ray: Any, spec: WorkerSpec, slots: int, cpus: float) -> None:
        self.ray = ray
        self.remote = ray.remote(num_cpus=cpus, max_restarts=0)(EngineWorker)
        self.run_name = secrets.token_hex(4)
        # put once: every actor (and every replacement) reads the same copy of the package
        self.args = (ray.put(spec), self.run_name)
        self.replaced = [0] * slots
        self.actors = [self._start() for _ in range(slots)]

    def _start(self) -> Any:
        return self.remote.remote(*self.args)

    def replace(self, slot: int) -> None:
        self.replaced[slot] += 1
        if self.replaced[slot] > REPLACEMENTS:
            raise EngineUnavailable(
                f"a Ray worker died {self.replaced[slot]} times running the engine; giving up"
            )
        with contextlib.suppress(Exception):
            self.ray.kill(self.actors[slot])
        self.actors[slot] = self._start()

    def run(self, engine: Engine, batches: list[list[str]]) -> Iterator[list[Translation]]:
        ray = self.ray
        waiting = deque(range(len(batches)))
        free = deque(range(len(self.actors)))
        running: dict[Any, tuple[int, int]] = {}  # ref -> (batch, slot)
        done: dict[int, list[Translation]] = {}
        given = 0
        while given < len(batches):
            while waiting and free:
                index, slot = waiting.popleft(), free.popleft()
                ref = self.actors[slot].translate.remote(batches[index])
                running[ref] = (index, slot)
            if given in done:
                yield done.pop(given)
                given += 1
                continue
            # In short waits: a signal (Ctrl-C) is only handled between them, not inside one.
            ready, _ = ray.wait(list(running), num_returns=1, timeout=WAIT_SECONDS)
            for ref in ready:
                index, slot = running.pop(ref)
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayTaskError as e:  # the engine itself failed
                    cause = e.cause if isinstance(e.cause, Exception) else e
                    raise EngineUnavailable(f"on a Ray worker: {cause}") from None
                except ray.exceptions.RayActorError:
                    # The actor died with the batch (killed, out of memory, its machine gone):
                    # a new one takes the slot and the batch goes again, so nothing is lost
                    # and, since only this result is ever used, nothing is doubled.
                    self.replace(slot)
                    waiting.appendleft(index)
                    free.append(slot)
                    continue
                done[index] = [Translation(text, list(notes)) for text, notes in result]
                free.append(slot)

    def stop(self) -> None:
        for actor in self.actors:
            with contextlib.suppress(Exception):
                self.ray.get(actor.close.remote(), timeout=10)
            with contextlib.suppress(Exception):
                self.ray.kill(actor)
        if any(self.replaced):  # a dead actor could not remove its folder: sweep every machine
            self._sweep()

    def _sweep(self) -> None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        sweep = self.ray.remote(num_cpus=0, max_retries=0)(sweep_actor_folders)
        refs = []
        for node in self.ray.nodes():
            if node.get("Alive"):
                place = NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
                refs.append(sweep.options(scheduling_strategy=place).remote(self.run_name))
        with contextlib.suppress(Exception):
            self.ray.get(refs, timeout=30)


def worker_slots(total_cpus: float, threads: int) -> tuple[int, float]:
    """How many actors a cluster of `total_cpus` holds at `threads` CPUs each, and their CPUs."""
    cpus = float(min(threads, max(total_cpus, 1)))
    return max(1, int(total_cpus // cpus)), cpus


def parse_address(address: str) -> str:
    """`address` if it can name a Ray cluster (HOST:PORT or ray://HOST:PORT); else UsageError."""
    match = _ADDRESS.fullmatch(address.strip())
    if match is None or not 0 < int(match["port"]) < 65536:
        raise UsageError(f"--ray-address {address!r} is not a Ray address: give {ADDRESS_HINT}")
    return address.strip()


def join_timeout() -> float:
    """How long joining a cluster may take, in seconds: `$BILINGUAL_RAY_JOIN_TIMEOUT` or 30."""
    raw = os.environ.get(JOIN_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_JOIN_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise UsageError(f"{JOIN_TIMEOUT_ENV}={raw!r}: give a number of seconds above 0")
    return value


@contextlib.contextmanager
def _stderr_to(log: Path) -> Iterator[None]:
    """Send this process's stderr (Ray's C++ core writes there directly) to `log`."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as file:
            os.dup2(file.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait_until_listening(address: str, deadline: float) -> None:
    """Until something accepts a connection at `address`, or UsageError at `deadline`."""
    match = _ADDRESS.fullmatch(address)
    assert match is not None  # parse_address came first
    host, port = match["host"].strip("[]"), int(match["port"])
    while True:
        try:
            wait = max(0.1, min(5.0, deadline - time.monotonic()))
            with socket.create_connection((host, port), timeout=wait):
                return
        except socket.gaierror:
            raise UsageError(f"cannot join the Ray cluster at {address}: no such host") from None
        except OSError:
            if time.monotonic() >= deadline:
                raise UsageError(
                    f"cannot join the Ray cluster at {address}: nothing answered there within "
                    f"{join_timeout():g} s ({JOIN_TIMEOUT_ENV} sets how long to wait)"
                ) from None
            time.sleep(0.5)


def _refused_for_token(error: BaseException) -> bool:
    """Whether Ray's error (or what caused it) is a head refusing this driver's token."""
    from ray.exceptions import AuthenticationError

    while error is not None:
        if isinstance(error, AuthenticationError) or "InvalidAuthToken" in str(error):
            return True
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
    return False


def _where_logged(log: Path) -> str:
    """` (Ray's log: LOG)` when Ray wrote something there."""
    try:
        return f" (Ray's log: {log})" if log.stat().st_size else ""
    except OSError:
        return ""


def _join(ray: Any, address: str, log: Path) -> None:
    """ray.init to the cluster at `address`, within the join timeout; UsageError if refused."""
    deadline = time.monotonic() + join_timeout()
    _wait_until_listening(address, deadline)
    # One connection attempt per ray.init (Ray's own loop tries 20 times, a second apart, and
    # retries a refused token as eagerly as a head still starting): a refusal is seen at once,
    # and the wait stays within our deadline.
    while True:
        try:
            with _environment(RAY_gcs_server_port_wait_time_s="1"), _stderr_to(log):
                ray.init(
                    address=address,
                    log_to_driver=False,
                    include_dashboard=False,
                    configure_logging=False,
                )
            return
        except (ConnectionError, RuntimeError, ray.exceptions.RayError) as e:
            if _refused_for_token(e):
                raise UsageError(
                    f"the Ray cluster at {address} refused to let this driver join: it wants "
                    "its token; set RAY_AUTH_MODE=token and RAY_AUTH_TOKEN to what "
                    f"`ray get-auth-token` prints on the head{_where_logged(log)}"
                ) from None
            if time.monotonic() >= deadline:
                reason = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise UsageError(
                    f"cannot join the Ray cluster at {address} within {join_timeout():g} s "
                    f"({JOIN_TIMEOUT_ENV} sets how long): {reason}{_where_logged(log)}"
                ) from None
            time.sleep(1.0)


def _start_local(ray: Any, log: Path) -> None:
    """A Ray cluster of this run's own on this machine, whatever RAY_ADDRESS or the cluster
    files in Ray's temporary folder say (they may name a cluster that is long gone)."""
    import logging

    if not _has_token():
        # Ray turns on token authentication for a new local cluster and, lacking a token,
        # writes ~/.ray/auth_token, which then turns it on for every `ray start --head` of the
        # user. A token for this cluster alone (its processes inherit it) leaves home alone.
        # Kept in the environment: Ray itself sets RAY_AUTH_MODE there for the whole process.
        os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    # Ray's notice that token authentication is on (and how to opt out) is about clusters the
    # user runs; this one is the run's own and gone when it ends.
    notices = logging.getLogger("ray._private.authentication.authentication_token_setup")
    level = notices.level
    notices.setLevel(logging.ERROR)
    try:
        with _stderr_to(log):
            ray.init(
                address="local",
                log_to_driver=False,
                include_dashboard=False,
                configure_logging=False,
            )
    finally:
        notices.setLevel(level)


def _has_token() -> bool:
    """Whether Ray will find an authentication token (or is told not to use one)."""
    if os.environ.get("RAY_AUTH_MODE") or os.environ.get("RAY_AUTH_TOKEN"):
        return True
    if os.environ.get("RAY_AUTH_TOKEN_PATH"):
        return True
    return (Path.home() / ".ray" / "auth_token").exists()


@contextlib.contextmanager
def open_ray(
    engine: Engine, *, address: str | None = None, log_folder: Path | None = None
) -> Iterator[Executor]:
    """Actors on the Ray cluster at `address` (None: a local cluster started for this run).

    What Ray writes on stderr while joining and leaving goes to `log_folder/bilingual-ray.log`
    (default: the temporary folder); the file is removed when Ray had nothing to say.
    """
    if not engine.fills_targets:  # the worksheet: no engine work to send anywhere
        yield in_turn
        return
    spec = engine.worker_spec()  # an engine that cannot run in a worker says why, first
    try:
        import ray
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    log = (log_folder or Path(tempfile.gettempdir())) / LOG_NAME
    log.unlink(missing_ok=True)  # this run's lines only
    started_here = not ray.is_initialized()
    if started_here:
        if address is None:
            _start_local(ray, log)
        else:
            _join(ray, address, log)
    pool: _Pool | None = None
    try:
        total = float(ray.cluster_resources().get("CPU", 1))
        slots, cpus = worker_slots(total, engine.options.threads)
        pool = _Pool(ray, spec, slots, cpus)
        yield pool.run
    finally:
        with _stderr_to(log):
            if pool is not None:
                pool.stop()
            if started_here:
                ray.shutdown()
        with contextlib.suppress(OSError):
            if log.stat().st_size == 0:
                log.unlink()
