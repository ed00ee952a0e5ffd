"""The `ray` executor: a batch's engine work on Ray actors (`pip install 'bilingual[ray]'`).

The driver (this process) does everything but decoding: it reads, segments, asks the memory,
forms the batches exactly as a local run does, places terms, writes documents and commits the
memory. Each actor (one per worker slot of `threads` CPUs) loads the model once and only runs the
engine on the batches it is sent. The model reaches the workers through Ray: the package is
zipped once and `ray.put`, and each actor unpacks it into its own folder, so the workers need
the project installed but no model and no shared disk. Results come back in batch order whatever
actor ran them, so a Ray run writes what a local run writes. An actor that dies is replaced and
its batch sent again; when the block ends (Ctrl-C too) the actors are stopped.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..engines import Engine, EngineOptions, Translation
from ..errors import EngineUnavailable, UsageError
from ..translate.run import Executor, in_turn

INSTALL_HINT = "--executor ray needs Ray: pip install 'bilingual[ray]'"
# How many times one worker slot may lose its actor before the run gives up (a model that
# kills its process on every batch would otherwise be restarted for ever).
REPLACEMENTS = 3
WAIT_SECONDS = 0.5


def package_archive(folder: Path) -> bytes:
    """The installed package in `folder` as an .argosmodel (a zip with one top-level folder)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, (Path(folder.name) / path.relative_to(folder)).as_posix())
    return buffer.getvalue()


class EngineWorker:
    """What runs inside a Ray actor: the Argos engine over a package sent by the driver."""

    def __init__(
        self, archive: bytes, options: dict[str, Any], decode_options: dict[str, Any]
    ) -> None:
        from ..engines.argos import ArgosEngine, packages

        # Its own packages folder: actors on one machine never share (or race on) a folder.
        self.folder = Path(tempfile.mkdtemp(prefix="bilingual-ray-actor-"))
        os.environ["ARGOS_PACKAGES_DIR"] = str(self.folder / "packages")
        path = self.folder / "package.argosmodel"
        path.write_bytes(archive)
        package = packages.install_file(path, verify=False)  # the driver's copy was verified
        path.unlink()
        self.engine = ArgosEngine(package, EngineOptions(**options))
        self.engine.decode_options.update(decode_options)
        self.engine.translator  # load the model now, not inside the first batch  # noqa: B018

    def translate(self, texts: list[str]) -> list[tuple[str, list[str]]]:
        return [(t.text, t.notes) for t in self.engine.translate_batch(texts)]

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Pool:
    """The actors, one per worker slot; each batch to the first free one, results in order."""

    def __init__(self, ray: Any, engine: Any, slots: int, cpus: float) -> None:
        self.ray = ray
        self.remote = ray.remote(num_cpus=cpus, max_restarts=0)(EngineWorker)
        decode_options = dict(getattr(engine, "decode_options", {}) or {})
        archive = ray.put(package_archive(engine.package.folder))
        self.args = (archive, asdict(engine.options), decode_options)
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


def worker_slots(total_cpus: float, threads: int) -> tuple[int, float]:
    """How many actors a cluster of `total_cpus` holds at `threads` CPUs each, and their CPUs."""
    cpus = float(min(threads, max(total_cpus, 1)))
    return max(1, int(total_cpus // cpus)), cpus


@contextlib.contextmanager
def open_ray(engine: Engine, *, address: str | None = None) -> Iterator[Executor]:
    """Actors on the Ray cluster at `address` (None: a local cluster started for this run)."""
    if not engine.fills_targets:  # the worksheet: no engine work to send anywhere
        yield in_turn
        return
    if getattr(engine, "takes_groups", False):
        raise UsageError(
            f"--executor ray does not run the {engine.name} engine: its model runs on servers; "
            "to scale, give several --llm-url, or one URL in front of a vLLM deployment (vLLM's "
            "own data parallelism, which can run on Ray)"
        )
    if getattr(engine, "package", None) is None:
        raise UsageError(f"--executor ray runs the argos engine, not {engine.name!r}")
    try:
        import ray
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    started_here = not ray.is_initialized()
    if started_here:
        try:
            ray.init(
                address=address,
                log_to_driver=False,
                include_dashboard=False,
                configure_logging=False,
            )
        except ConnectionError as e:
            raise UsageError(f"cannot join the Ray cluster at {address}: {e}") from None
    pool: _Pool | None = None
    try:
        total = float(ray.cluster_resources().get("CPU", 1))
        slots, cpus = worker_slots(total, engine.options.threads)
        pool = _Pool(ray, engine, slots, cpus)
        yield pool.run
    finally:
        if pool is not None:
            pool.stop()
        if started_here:
            ray.shutdown()
