"""User input: bounded reads of the files a user names, and short renderings for messages.

Every file a user names (scenario, districts CSV, experiment) is read by :func:`read_text`:
only a regular file (a FIFO would block, ``/dev/zero`` never ends, a folder is no file),
at most :data:`MAX_FILE_BYTES`, UTF-8 with or without a byte-order mark (spreadsheet
programs write one).  Errors are raised as the caller's one-line error class.

Error messages stay one short line: :func:`short` cuts long values, :func:`listing` long
lists.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: the largest file read: scenario and experiment files and districts CSVs are a few KB
MAX_FILE_BYTES = 4 * 1024 * 1024


def read_text(path: Path, what: str, error: type[Exception]) -> str:
    """The text of the regular file ``path`` (a ``what``, e.g. "scenario file");
    ``error`` with a one-line message if it is missing, not a regular file, too large or
    not UTF-8 text."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not block
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except OSError as e:
        raise error(f"{path}: cannot be read: {e.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise error(f"{path}: is a folder, expected a {what}")
        if not stat.S_ISREG(mode):
            raise error(f"{path}: not a regular file (a device, pipe or socket); expected a {what}")
        with open(fd, "rb", closefd=False) as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise error(f"{path}: cannot be read: {e.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        mb = MAX_FILE_BYTES // 2**20
        raise error(f"{path}: larger than {mb} MB; allowed: a {what} of at most {mb} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (expected UTF-8 text)") from None


def read_toml(path: Path, what: str, error: type[Exception]) -> tuple[dict[str, Any], str]:
    """The document and text of the TOML file ``path`` (read by :func:`read_text`);
    ``error`` with one line if it is not valid TOML."""
    import tomllib

    text = read_text(path, what, error)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        raise error(f"{path}: not valid TOML: {e}") from None


def clip(text: str, limit: int = 60) -> str:
    """``text``, cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    return clip(repr(value), limit)


def listing(items: Iterable[Any], limit: int = 20) -> str:
    """Items joined by commas; beyond ``limit`` only the first ones and how many more."""
    items = [str(x) for x in items]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
