"""The one-line error of an invalid experiment file, and the checks its parts share."""

from __future__ import annotations

from ..inputs import short
from ..parameters import finite_number


class ExperimentError(ValueError):
    """An experiment file is not valid; the message is one line."""


def fail(where: str, msg: str) -> ExperimentError:
    """The error ``msg`` at ``where`` (the file, or a part of it)."""
    return ExperimentError(f"{where}: {msg}")


def whole(doc: dict, key: str, default: int, lo: int, hi: int, where: str) -> int:
    """``doc[key]`` (else ``default``) as a whole number from ``lo`` to ``hi``."""
    v = doc.get(key, default)
    allowed = f"allowed: a whole number from {lo} to {hi}"
    try:
        finite_number(v)
    except ValueError as e:
        raise fail(where, f"{key} = {e}; {allowed}") from None
    if not isinstance(v, int) or not lo <= v <= hi:
        raise fail(where, f"{key} = {short(v)} is not allowed; {allowed}")
    return v
