"""Businesses (ODD 7.6): the numba fast path of :mod:`.rules`, each wrapper called as its
rule by keyword (:func:`kosi_sim.ruleset.fast_path_of`); tested bit for bit against the
rules in ``tests/test_rules_businesses.py``."""

from __future__ import annotations

import numpy as np

from ...jit import kernel
from ...ruleset import fast_path_of
from . import rules


@fast_path_of(rules.group_sums)
def group_sums(a) -> np.ndarray:
    return _group_sums(a.values, a.rows, a.bounds)


@fast_path_of(rules.pick_by_weight)
def pick_by_weight(a) -> np.ndarray:
    return _pick_by_weight(a.rows, a.bounds, a.weight, a.group, a.u)


# -- the kernels --------------------------------------------------------------------------
@kernel
def _group_sums(values, rows, bounds):
    """The sum of ``values`` over each group's ``rows[bounds[g]:bounds[g + 1]]``, in double
    precision and in row order (as ``np.bincount`` with weights)."""
    out = np.zeros(len(bounds) - 1)
    for g in range(len(bounds) - 1):
        total = 0.0
        for i in range(bounds[g], bounds[g + 1]):
            total += np.float64(values[rows[i]])
        out[g] = total
    return out


@kernel
def _pick_by_weight(rows, bounds, weight, group, u):
    """For each request ``i``: a row of group ``group[i]`` (``rows[bounds[g]:bounds[g +
    1]]``) drawn in proportion to ``weight`` by the uniform ``u[i]``, -1 if the group's
    weights sum to zero: the first row whose running sum (double precision) reaches
    ``u[i]`` times the total, as ``np.searchsorted(np.cumsum(w), u * total)``."""
    out = np.full(len(group), -1, dtype=np.int32)
    for i in range(len(group)):
        lo, hi = bounds[group[i]], bounds[group[i] + 1]
        total = 0.0
        for j in range(lo, hi):
            total += np.float64(weight[rows[j]])
        if hi == lo or total <= 0:
            continue
        target = u[i] * total
        running = 0.0
        k = hi - 1
        for j in range(lo, hi):
            running += np.float64(weight[rows[j]])
            if running >= target:
                k = j
                break
        out[i] = rows[k]
    return out
