"""Membership (ODD 7.5, counts): who is in which Verein, and the members, young members and
volunteer hours each Verein counts; joining a Verein of one's district by its appeal."""

from __future__ import annotations

import numpy as np

from ...jit import kernel
from ...select import nonzero


def refresh_counts(table, pop) -> np.ndarray:
    """Members, members under 30 and their volunteer hours per Verein of ``table``;
    returns the members' rows.

    Members who are also in an initiative give it half their hours (as in
    :func:`~kosi_sim.agents.initiatives.initiative_hours`)."""
    members, young, hours, member_rows = _tally_members(
        pop.association, pop.initiative, pop.age_m, pop.hours, table.n
    )
    table.members[:] = members
    table.young_members[:] = young
    table.hours[:] = hours
    return member_rows


def admit(table, model, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Citizens ``rows`` join a Verein of ``table`` in their district (weighted by its
    appeal)."""
    pop = model.pop
    if len(rows) == 0 or table.n == 0:
        return
    grouped, bounds = table.grouped_by("district", pop.n_districts + 1)
    u = rng.random(len(rows))
    _pick_weighted(rows, pop.district, u, grouped, bounds, table.attractiveness, pop.association)


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
