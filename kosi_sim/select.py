"""Row selections for compiled rules, without branches on the selected values.

Selecting rows by a mask that is true for a random third of the citizens is, done with a
branch per row (``np.flatnonzero`` in numpy and numba alike), mostly mispredicted branches:
about 2.7 ms for 610,000 rows on the benchmark machine.  Writing every row's index and
advancing the write position by the mask value does the same in about 0.5 ms.
"""

from __future__ import annotations

import numpy as np

from .jit import kernel


@kernel
def nonzero(mask):
    """The indices where ``mask`` is true, ascending (as ``np.flatnonzero``)."""
    out = np.empty(len(mask), dtype=np.int64)
    k = 0
    for i in range(len(mask)):
        out[k] = i  # k <= i: a row not selected is overwritten by the next
        k += mask[i]
    return out[:k].copy()


@kernel
def nonzero_grouped(mask, group, n_groups):
    """The indices where ``mask`` is true, grouped by ``group`` (ints in ``[0, n_groups)``
    where the mask is true) and ascending within a group (a stable counting sort), and the
    number in each group.  Fast when the selected rows come mostly grouped already."""
    rows = nonzero(mask)
    counts = np.zeros(n_groups, dtype=np.int64)
    cur = 0
    c = 0
    for r in rows:  # the running count of the current group stays in a register
        g = group[r]
        if g != cur:
            counts[cur] += c
            cur = g
            c = 0
        c += 1
    counts[cur] += c
    pos = np.zeros(n_groups, dtype=np.int64)
    for g in range(1, n_groups):
        pos[g] = pos[g - 1] + counts[g - 1]
    out = np.empty(len(rows), dtype=np.int64)
    cur = 0
    p = pos[0]
    for r in rows:
        g = group[r]
        if g != cur:
            pos[cur] = p
            cur = g
            p = pos[g]
        out[p] = r
        p += 1
    return out, counts
