"""Where a run's outputs go, and what they may replace. Each input's outputs are named
`<output folder>/<input stem><format's extension>`; no output may be an input, two inputs may
not share an output, no document may write a file of the run itself (the batch's report), and
a JSON form made from another input is not written over unless forced. A single-file run and a
batch both plan through here (`check_plan`, `claim_json_form`), and an export checks its outputs
against the input its JSON form records (`check_export`), before anything is written.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BilingualError, OutputError, UsageError
from .readers import STDIN

# The signature's record of which input made a JSON form: a digest of the input's resolved path
# (the path itself would publish the user's folders in a file meant to be shared).
MADE_FROM = "input_path_sha256"


@dataclass
class Job:
    """One input of a run: where it is, its name in the run, where its outputs go."""

    input: Path
    # The input's path relative to the batch root, with forward slashes (its file name in a
    # single run): the document's meta.input, so that human edits of a/press.txt never reach
    # b/press.txt.
    name: str
    folder: Path
    stem: str

    @property
    def json_path(self) -> Path:
        return self.folder / f"{self.stem}.json"


def made_from(path: str | Path) -> str | None:
    """What a JSON form records of the input that made it; None for standard input."""
    if str(path) == STDIN:
        return None
    return hashlib.sha256(os.fsencode(Path(path).resolve())).hexdigest()


def check_plan(
    jobs: Sequence[Job], extensions: Sequence[str], *, run_files: Mapping[Path, str] | None = None
) -> None:
    """Refuse, with a UsageError (exit 2) naming both files, a plan in which two inputs would
    write the same output, an output would replace an input, or a document's output would be
    one of the run's own `run_files` (path -> what it is: the batch's report, the Ray log).
    Called before anything is written."""
    extensions = list(dict.fromkeys([*extensions, ".json"]))
    writers: dict[str, Job] = {}  # output path -> the job writing it (strings: see _Inputs)
    for job in jobs:
        folder = os.fspath(job.folder)
        earlier = writers.get(os.path.join(folder, f"{job.stem}.json"))
        if earlier is not None and earlier is not job:
            raise UsageError(
                f"{earlier.input} and {job.input} would both write {job.folder}/{job.stem}.*; "
                "rename one, or translate them into different folders"
            )
        for extension in extensions:
            writers[os.path.join(folder, f"{job.stem}{extension}")] = job
    own = {os.fspath(path): what for path, what in (run_files or {}).items()}
    for path, what in own.items():
        if path in writers:
            raise UsageError(
                f"{writers[path].input} would write {path}, {what}; rename it, or translate "
                "into another folder (-o)"
            )
    inputs = _Inputs(job.input for job in jobs)
    for path in [*writers, *own]:
        overwritten = inputs.find(path)
        if overwritten is not None:
            raise UsageError(
                f"the output {Path(path)} would overwrite the input {overwritten}; translate into "
                "another folder (-o)"
            )
    for job in jobs:  # the pictures' folder beside each JSON form holds no input either
        assets = os.path.join(os.fspath(job.folder), f"{job.stem}.assets")
        inside = inputs.find(assets) or inputs.inside(assets)
        if inside is not None:
            raise UsageError(
                f"the pictures of {job.input} go in {Path(assets)}, which holds the input "
                f"{inside}; translate into another folder (-o)"
            )


class _Inputs:
    """The inputs of a run, findable by the place they are at and by the file they are.
    (Plain strings and one lstat per path: a batch of 10,000 files checks 40,000 paths.)"""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.folders: dict[str, str] = {}  # folder as given -> resolved: one lookup each
        self.places: dict[str, Path] = {}
        self.files: dict[tuple[int, int], Path] = {}
        self.below: dict[str, Path] | None = None  # each folder that holds an input -> one of them
        for path in paths:
            if str(path) == STDIN:
                continue
            places, identity = self._look(path)
            for place in places:
                self.places[place] = path
            if identity is not None:
                self.files[identity] = path

    def inside(self, folder: str) -> Path | None:
        """An input inside `folder` (at any depth), if any."""
        if self.below is None:  # built on first use: only a run with pictures' folders asks
            self.below = {}
            for place, path in self.places.items():
                parent = os.path.dirname(place)
                while parent and parent not in self.below:
                    self.below[parent] = path
                    parent, last = os.path.dirname(parent), parent
                    if parent == last:
                        break
        resolved = os.path.realpath(folder)
        return self.below.get(resolved)

    def find(self, output: str) -> Path | None:
        """The input that `output` is, by place (the path given, or where its links lead) or
        by file (a hard link, another spelling of the name on a case-insensitive disk)."""
        places, identity = self._look(output)
        for place in places:
            if place in self.places:
                return self.places[place]
        return self.files.get(identity) if identity is not None else None

    def _look(self, path: str | Path) -> tuple[list[str], tuple[int, int] | None]:
        # its places: the folder resolved and the name as given (a symlink named as the input
        # is that input's place), and where a symlink leads; and the file it is, if it exists
        given, name = os.path.split(os.fspath(path))
        folder = self.folders.get(given)
        if folder is None:
            folder = self.folders[given] = os.path.realpath(given or ".")
        places = [os.path.join(folder, name)]
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                places.append(os.path.realpath(path))
                info = os.stat(path)
        except (OSError, ValueError):
            return places, None
        return places, (info.st_dev, info.st_ino)


def check_export(json_path: Path, meta: Mapping[str, Any], paths: Iterable[Path]) -> None:
    """Refuse (UsageError, exit 2) an export whose output would be the input that the JSON form
    at `json_path` was made from (`export out/a.json -o docs` beside the original docs/a.docx):
    the form records it (`MADE_FROM`); an older form records nothing to compare."""
    signature = meta.get("signature")
    recorded = signature.get(MADE_FROM) if isinstance(signature, dict) else None
    if recorded is None:
        return
    for path in paths:
        if made_from(path) == recorded:
            raise UsageError(
                f"the output {path} would overwrite the input {json_path} was made from; "
                "export into another folder (-o)"
            )


def claim_json_form(job: Job, *, force: bool = False, same_content: str | None = None) -> None:
    """Refuse (OutputError, exit 2) to write `job`'s outputs over a JSON form that another input
    made: it may hold that input's review. The form records the input that made it (`MADE_FROM`);
    an older form without that record is judged by the input's name it holds. A form made from
    the same bytes (`same_content`, the input's sha256, when the form records it) is the same
    document, wherever it was moved. `force` writes over it all the same."""
    if force or str(job.input) == STDIN:
        return
    meta = _meta(job.json_path)
    if meta is None:
        return
    signature = meta.get("signature")
    signature = signature if isinstance(signature, dict) else {}
    recorded, name = signature.get(MADE_FROM), meta.get("input")
    if recorded is not None:
        ours = recorded == made_from(job.input)
    else:
        ours = not name or name == job.name
    if ours or (same_content is not None and signature.get("input_sha256") == same_content):
        return
    raise OutputError(
        f"{job.json_path} was made from another input file ({name or 'unnamed'}), not from "
        f"{job.input}; it may hold that document's review, so it is not written over: translate "
        "into another folder (-o), or give --force to replace it"
    )


def _meta(json_path: Path) -> dict[str, Any] | None:
    """The meta of the JSON form at `json_path`; None when there is none or it cannot be read
    (the run's reading of the previous form says why, and stops)."""
    from .formstream import parts

    try:  # the head alone: a form of a million segments is never parsed whole for it
        meta = parts(json_path, lambda block, index: None).get("meta")
    except (BilingualError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None
