"""Who belongs to which initiative: membership tallies over the population's arrays.

A citizen's initiative is ``pop.initiative`` (-1: none).  The kernels read only the rows
given (during a month the tracked superset of members, see :class:`Initiatives`), so the
tallies do not scan the whole population each time.
"""

from __future__ import annotations

import numpy as np

from ...jit import kernel, parallel_kernel, prange
from ...select import nonzero


def insert_sorted(rows: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``np.union1d(rows, new)`` for ascending unique ``rows`` (int64) and a few ``new``:
    one merge of the two sorted lists instead of numpy's search and insert, which cost
    several small calls for each joining batch."""
    return _merge_unique(rows, np.asarray(new))


@kernel
def _merge_unique(rows, new):
    """The ascending union of ascending unique ``rows`` and the values of ``new``."""
    add = np.unique(new)
    out = np.empty(len(rows) + len(add), dtype=rows.dtype)
    i = j = k = 0
    while i < len(rows) and j < len(add):
        a, b = rows[i], add[j]
        if a <= b:
            out[k] = a
            i += 1
            j += a == b  # a value in both lists is written once
        else:
            out[k] = b
            j += 1
        k += 1
    while i < len(rows):
        out[k] = rows[i]
        i += 1
        k += 1
    while j < len(add):
        out[k] = add[j]
        j += 1
        k += 1
    return out[:k].copy()


def initiative_hours(pop, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Weekly hours each citizen of ``rows`` (default all) gives to an initiative (half,
    if also in a Verein)."""
    share = np.where(pop.association[rows] >= 0, np.float32(0.5), np.float32(1.0))
    return np.where(pop.initiative[rows] >= 0, pop.hours[rows] * share, np.float32(0.0))


@parallel_kernel
def _rows_in_initiatives(initiative):
    """Rows (ascending) of everyone in an initiative."""
    member = np.empty(len(initiative), dtype=np.uint8)
    for r in prange(len(initiative)):
        member[r] = initiative[r] >= 0
    return nonzero(member)
