"""Output folders: which names may become folders, which folders ``--force`` may replace, one
writer per folder at a time, and failed writes as one-line errors.

* A scenario's or experiment's ``name`` becomes a folder name only if it passes
  :func:`check_name` (no path separators, never ``.`` or ``..``, not hidden).
* ``--force`` replaces only a folder whose ``manifest.json`` carries the marker of the kind of
  output being written (:data:`RESULT`, :data:`SWEEP`, :data:`ANALYSIS`, :data:`POSTERIOR`);
  any other non-empty folder is refused.
* A writer holds an ``flock`` on ``.NAME.lock`` next to the folder (next to it, because the
  folder itself is replaced). The kernel drops the lock when the process ends, so a lock left
  by a killed process never blocks; the file is removed on release.
* :func:`claim` makes the parent folders, takes the lock and makes the temporary sibling
  ``.NAME.tmp-XXXXXXXX`` before anything is computed, so an unwritable place fails at once;
  :meth:`Claim.commit` fills it and renames it into place. Leftovers of a killed writer (hidden
  siblings named by that pattern) are removed when the next writer of the folder starts.

The lock needs ``fcntl`` (Linux, macOS); elsewhere folders are written without one.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inputs import short

try:
    import fcntl
except ImportError:  # not POSIX
    fcntl = None  # type: ignore[assignment]


class ResultsError(RuntimeError):
    """A results folder cannot be written or read; the message is one line."""


class WriteError(ResultsError):
    """Writing an output failed (read-only place, a file in the way, disk full)."""


# --- names --------------------------------------------------------------------------------

NAME_MAX = 100
NAME_RULE = (
    "letters (also umlauts and other Unicode letters), digits, '-', '_' and '.', "
    f"starting with a letter or digit, at most {NAME_MAX} characters"
)
_NAME = re.compile(r"[^\W_][\w.-]*")  # \w: Unicode letters and digits, and '_'


def name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a folder name, or None if it can."""
    if isinstance(name, str) and len(name) <= NAME_MAX and _NAME.fullmatch(name):
        return None
    return f"name = {short(name)} cannot name an output folder; allowed: {NAME_RULE}"


def check_name(name: Any) -> str:
    """``name`` if it is a safe folder name; ResultsError otherwise."""
    problem = name_problem(name)
    if problem:
        raise ResultsError(problem)
    return name


def default_folder(name: Any, suffix: str = "") -> Path:
    """``results/<name><suffix>``, the output folder when no --out is given."""
    return Path("results") / f"{check_name(name)}{suffix}"


# --- which folders the tool wrote ---------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    marker: str  # the key in manifest.json that marks such a folder
    writer: str  # the commands that write it
    exists_hint: str  # what to do when the folder already exists


RESULT = Kind(
    "kosi_sim_result",
    "kosi-sim run, compare or calibrate",
    "choose another --out or pass --force to replace it",
)
SWEEP = Kind(
    "kosi_sim_sweep",
    "kosi-sim sweep",
    "use --resume to continue that sweep, or another --out, or --force to replace it",
)
ANALYSIS = Kind("kosi_sim_analysis", "kosi-sim analyze", "choose another --out")
CLASSROOM = Kind(
    "kosi_sim_classroom", "kosi-sim classroom (export)", "export again after the next turn"
)
OPTIMIZATION = Kind(
    "kosi_sim_optimization",
    "kosi-sim optimize",
    "use --resume to continue that search, or another --out, or --force to replace it",
)
POSTERIOR = Kind(
    "kosi_sim_posterior",
    "kosi-sim calibrate --posterior",
    "use --resume to continue that calibration, or another --out, or --force to replace it",
)
KINDS = (RESULT, SWEEP, ANALYSIS, CLASSROOM, OPTIMIZATION, POSTERIOR)
MANIFEST_MAX_BYTES = 64 * 2**20


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest.json as a dict; None if missing, not a regular file or damaged."""
    path = Path(folder) / "manifest.json"
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        with path.open("rb") as f:
            data = f.read(MANIFEST_MAX_BYTES + 1)
        doc = json.loads(data) if len(data) <= MANIFEST_MAX_BYTES else None
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def kind_of(folder: Path) -> Kind | None:
    """Which kind of output the folder holds, by its manifest's marker."""
    doc = read_manifest(folder) or {}
    return next((k for k in KINDS if k.marker in doc), None)


def check_replaceable(out: Path, kind: Kind, force: bool, label: str) -> None:
    """ResultsError unless ``out`` is absent, empty, or (with force) written as ``kind``."""
    if not os.path.lexists(out):
        return
    if not out.is_dir():
        raise ResultsError(f"{label} exists and is not a folder; choose another --out")
    with write_errors(out):
        empty = not any(out.iterdir())
    if empty:
        return
    if not force:
        raise ResultsError(f"{label} already exists; {kind.exists_hint}")
    if kind_of(out) is not kind:
        raise ResultsError(
            f"{label} is not a folder written by {kind.writer} (no manifest.json with "
            f"{kind.marker}); --force replaces only such folders; choose another --out"
        )


# --- paths --------------------------------------------------------------------------------


def target_path(out: str | Path) -> Path:
    """``out`` as an absolute path; ResultsError if it is the root, the current folder or one
    of its parents (replacing it would pull the ground from under the command)."""
    path = Path(os.path.abspath(out))
    real = path.resolve()
    cwd = Path.cwd()
    if not path.name or real == cwd or real in cwd.parents:
        raise ResultsError(
            f"{out} is the current folder or one of its parents; give a new folder as --out"
        )
    return path


def make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; the ones created, outermost first."""
    missing = []
    p = folder
    while not os.path.lexists(p):
        missing.append(p)
        p = p.parent
    missing.reverse()
    with write_errors(folder):
        for p in missing:
            p.mkdir()
    return missing


def remove_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` that are (still) empty, innermost first."""
    for p in reversed(folders):
        try:
            p.rmdir()
        except OSError:
            return  # not empty (it holds output) or gone


# --- write errors -------------------------------------------------------------------------

REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.EISDIR: "a folder of that name is in the way",
}


def describe(e: OSError, where: Path) -> str:
    reason = REASONS.get(e.errno or 0) or (e.strerror or str(e) or type(e).__name__)
    return f"cannot write {where}: {reason.splitlines()[0]}"


@contextmanager
def write_errors(where: Path) -> Iterator[None]:
    """Turn an OSError from writing ``where`` into a one-line WriteError naming ``where`` (not
    the temporary or lock file the error was about)."""
    try:
        yield
    except OSError as e:
        raise WriteError(describe(e, where)) from None


# --- one writer at a time -----------------------------------------------------------------


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return f" (process {pid})" if pid.isdigit() else ""


def _open_locked(path: Path, label: str) -> int | None:
    """An fd holding the flock on ``path``; None if the file was replaced meanwhile."""
    with write_errors(path.parent):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise ResultsError(
            f"{label} is being written by another kosi-sim command{holder}; "
            "wait for it to end or choose another --out"
        ) from None
    try:
        same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except FileNotFoundError:
        same = False
    if not same:  # the previous holder removed the file between our open and our lock
        os.close(fd)
        return None
    return fd


@contextmanager
def writer_lock(out: Path, label: str | None = None) -> Iterator[None]:
    """Hold the lock of the output folder ``out`` (whose parent exists); ResultsError with one
    line if another process holds it."""
    if fcntl is None:
        yield
        return
    path = lock_path(out)
    label = label or str(out)
    fd = None
    for _ in range(5):
        fd = _open_locked(path, label)
        if fd is not None:
            break
    if fd is None:
        raise ResultsError(f"{label}: its lock file {path} keeps changing; try again")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        path.unlink(missing_ok=True)  # while still locked: a waiting opener sees a new file
        os.close(fd)


# --- a folder written as a whole ----------------------------------------------------------

_LEFTOVER = r"\.{name}\.(tmp|old)-[a-z0-9_]{{8}}"


def remove_leftovers(out: Path) -> None:
    """Remove hidden ``.NAME.tmp-*`` / ``.NAME.old-*`` folders a killed writer left next to
    ``out`` (the names :func:`tempfile.mkdtemp` gives them below); call under the lock."""
    pattern = re.compile(_LEFTOVER.format(name=re.escape(out.name)))
    with os.scandir(out.parent) as entries:
        for e in entries:
            if pattern.fullmatch(e.name) and e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path, ignore_errors=True)


def _temporary_folder(out: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; the result is an ordinary folder
    return tmp


def _swap(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out``, replacing an existing ``out`` (moved aside, then removed)."""
    if not os.path.lexists(out):
        os.replace(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, old / out.name)
    try:
        os.replace(tmp, out)
    except OSError:
        os.replace(old / out.name, out)
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


class Claim:
    """An output folder being written: locked, with its temporary sibling made."""

    def __init__(self, out: Path, tmp: Path, kind: Kind, force: bool, label: str) -> None:
        self.out, self.tmp, self.kind, self.force, self.label = out, tmp, kind, force, label
        self.done = False

    def commit(self, fill: Callable[[Path], None]) -> Path:
        """Fill the temporary folder and rename it into place; WriteError if a write fails."""
        with write_errors(Path(self.label)):
            fill(self.tmp)
        check_replaceable(self.out, self.kind, self.force, self.label)  # may have appeared
        with write_errors(Path(self.label)):
            _swap(self.tmp, self.out)
        self.done = True
        return self.out


@contextmanager
def claim(out: str | Path, kind: Kind, force: bool = False) -> Iterator[Claim]:
    """Make ready to write the folder ``out`` as a whole; see the module's docstring. On leaving
    without a commit nothing is left: no temporary folder, lock file or created parent."""
    label = str(out)
    path = target_path(out)
    check_replaceable(path, kind, force, label)
    created = make_parents(path.parent)
    try:
        with writer_lock(path, label):
            with write_errors(Path(label)):
                remove_leftovers(path)
                tmp = _temporary_folder(path)
            c = Claim(path, tmp, kind, force, label)
            try:
                yield c
            finally:
                if not c.done:
                    shutil.rmtree(tmp, ignore_errors=True)
    finally:
        remove_empty(created)


def write_folder(out: str | Path, kind: Kind, fill: Callable[[Path], None], force: bool) -> Path:
    """Write the folder ``out`` as a whole when its content is already computed."""
    with claim(out, kind, force) as c:
        return c.commit(fill)
