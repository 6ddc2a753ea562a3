"""Businesses (ODD 7.6): the rules over a district's businesses, in plain numpy.

A business that gives to an initiative is drawn among its district's businesses in
proportion to its CSR propensity; the district's mean propensity is their summed
propensity over their number.  The compiled fast paths are in :mod:`.kernels`, called
exactly as these (``kosi_sim.ruleset.fast_path_of``) and tested equal to them
(``tests/test_rules_businesses.py``); a model built with ``rules="numpy"`` runs these.
A district's businesses are ``rows[bounds[g]:bounds[g + 1]]`` (the table's grouping).
"""

from __future__ import annotations

import numpy as np


def group_sums(*, values, rows, bounds) -> np.ndarray:
    """The sum of ``values`` over each group's rows, in double precision and in row order
    (as ``np.bincount`` with weights)."""
    group = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    weights = values[rows[: bounds[-1]]].astype(np.float64)
    return np.bincount(group, weights=weights, minlength=len(bounds) - 1)


def pick_by_weight(*, rows, bounds, weight, group, u) -> np.ndarray:
    """For each request ``i``: a row of group ``group[i]`` drawn in proportion to
    ``weight`` by the uniform ``u[i]`` (the first whose running sum, in double precision,
    reaches ``u[i]`` times the group's total), -1 if the group's weights sum to zero."""
    out = np.full(len(group), -1, dtype=np.int32)
    for i, g in enumerate(group):
        cand = rows[bounds[g] : bounds[g + 1]]
        cdf = np.cumsum(weight[cand].astype(np.float64))
        if len(cand) and cdf[-1] > 0:
            out[i] = cand[min(np.searchsorted(cdf, u[i] * cdf[-1]), len(cand) - 1)]
    return out
