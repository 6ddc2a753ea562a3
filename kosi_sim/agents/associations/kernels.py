"""Vereine (ODD 7.5): the compiled fast path of :mod:`kosi_sim.agents.associations.rules`.

Each public function is called exactly as the rule of the same name (keyword-only, with
the rule's signature: :func:`kosi_sim.ruleset.fast_path_of`) and gives the same results
(``tests/test_rules_associations.py`` checks them bit for bit); each calls one numba kernel
(:mod:`kosi_sim.jit`) below.
"""

from __future__ import annotations

import numpy as np

from ...jit import kernel, parallel_kernel, prange
from ...ruleset import fast_path_of
from ...select import nonzero
from . import rules


@fast_path_of(rules.tally_members)
def tally_members(a) -> tuple:
    return _tally_members(a.association, a.initiative, a.age_m, a.hours, a.n)


@fast_path_of(rules.pick_weighted)
def pick_weighted(a) -> None:
    _pick_weighted(a.rows, a.district, a.u, a.grouped, a.bounds, a.weight, a.choice)


@fast_path_of(rules.successors)
def successors(a) -> np.ndarray:
    return _successors(
        a.members, a.association, a.wanted, a.engaged, a.leads, a.budget, a.hours, a.spare
    )


@fast_path_of(rules.young_engaged)
def young_engaged(a) -> tuple:
    return _young_engaged(a.engaged, a.age_m, a.leads, a.budget, a.hours, a.need)


@fast_path_of(rules.members_of)
def members_of(a) -> np.ndarray:
    return _members_of(a.association, a.marked)


@fast_path_of(rules.gift_order)
def gift_order(a) -> tuple:
    return _gift_order(a.rows, a.n)


# -- the kernels --------------------------------------------------------------------------
@kernel
def _tally_members(association, initiative, age_m, hours, n):
    """Members, members under 30 and volunteer hours (half for those also in an
    initiative, summed in double precision in row order) of each of ``n`` Vereine, and
    the members' rows.

    The members (a few in seven citizens, at random rows) are selected first without a
    branch (:func:`~kosi_sim.select.nonzero`); a branch per citizen on membership would
    be mostly mispredicted."""
    is_member = np.empty(len(association), dtype=np.uint8)
    for r in range(len(association)):
        is_member[r] = association[r] >= 0
    rows = nonzero(is_member)
    members = np.zeros(n, dtype=np.int64)
    young = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    for r in rows:
        a = association[r]
        members[a] += 1
        young[a] += age_m[r] < 30 * 12
        h = hours[r] * np.float32(0.5) if initiative[r] >= 0 else hours[r]
        total[a] += np.float64(h)
    return members, young, total, rows


@kernel
def _pick_weighted(rows, district, u, grouped, bounds, weight, choice):
    """``choice[rows[i]]``: a Verein of the citizen's district (``grouped[bounds[d]:
    bounds[d + 1]]``), by inverse transform of ``u[i]`` on the running sum of ``weight``
    (float32, in row order, as ``np.cumsum``); unchanged where the district has none."""
    n_groups = len(bounds) - 1
    cdf = np.empty(len(grouped), dtype=weight.dtype)
    for g in range(n_groups):
        acc = np.float32(0)  # the weights are float32
        for j in range(bounds[g], bounds[g + 1]):
            acc += weight[grouped[j]]
            cdf[j] = acc
    for i in range(len(rows)):
        d = district[rows[i]]
        lo, hi = bounds[d], bounds[d + 1]
        if hi == lo:
            continue
        v = u[i] * np.float64(cdf[hi - 1])
        # the first entry above v (np.searchsorted(..., side="right")), at most the last
        a, b = lo, hi
        while a < b:
            mid = (a + b) // 2
            if np.float64(cdf[mid]) <= v:
                a = mid + 1
            else:
                b = mid
        choice[rows[i]] = grouped[min(a, hi - 1)]


@kernel
def _successors(members, association, wanted, engaged, leads, budget, hours, spare):
    """The ``members`` (in their order) of the wanted Vereine who could lead one: engaged,
    leading nothing, with ``spare`` free hours a week (training halves the need only for
    leading an initiative, ODD 11.8; for a Verein it only puts the trained first)."""
    out = np.empty(len(members), dtype=np.int64)
    k = 0
    for r in members:
        if wanted[association[r]] and engaged[r] and not leads[r]:
            if budget[r] - hours[r] >= spare:  # float32 difference, compared in double
                out[k] = r
                k += 1
    return out[:k].copy()


@parallel_kernel
def _young_engaged(engaged, age_m, leads, budget, hours, need):
    """Whether each citizen is engaged and aged 18-35, and whether she also could found a
    Verein (leads nothing and has ``need`` spare hours): uint8 marks, ``engaged`` and
    ``leads`` come as uint8."""
    young = np.empty(len(engaged), dtype=np.uint8)
    eligible = np.empty(len(engaged), dtype=np.uint8)
    for r in prange(len(engaged)):
        a = age_m[r]
        y = engaged[r] & np.uint8(a >= 18 * 12) & np.uint8(a < 36 * 12)
        young[r] = y
        eligible[r] = y & (np.uint8(1) - leads[r]) & np.uint8(budget[r] - hours[r] >= need)
    return young, eligible


@parallel_kernel
def _members_of(association, marked):
    """Rows of the members of the marked Vereine (``marked`` as uint8, one entry per
    Verein and a last one 0 for citizens in none)."""
    member = np.empty(len(association), dtype=np.uint8)
    for r in prange(len(association)):
        member[r] = marked[association[r]]  # -1 (none) reads the last entry, 0
    return nonzero(member)


@kernel
def _gift_order(rows, n):
    """For each gift of ``rows`` (Vereine of ``n``), how many gifts of the same Verein
    precede it; and how many gifts each Verein makes."""
    times = np.zeros(n, dtype=np.int64)
    earlier = np.empty(len(rows), dtype=np.int64)
    for i in range(len(rows)):
        earlier[i] = times[rows[i]]
        times[rows[i]] += 1
    return earlier, times
