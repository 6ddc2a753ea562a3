"""Vereine (ODD 7.5): the rules that read or write the citizens' arrays, in plain numpy.

One module for the package's rules (they are short, and each names the submodel module
that calls it): membership counts and joining (:mod:`.membership`), who can succeed a
leader (M10, :mod:`.leadership`), who could found a Verein (M13, :mod:`.founding`), the
members of dissolving Vereine (M13, :mod:`.dissolution`) and the order of a Verein's gifts
to partners (:mod:`.funds`).  Their compiled fast paths are in :mod:`.kernels`, called
exactly as these (``kosi_sim.ruleset.fast_path_of``) and tested equal to them
(``tests/test_rules_associations.py``); a model built with ``rules="numpy"`` runs these.
"""

from __future__ import annotations

import numpy as np

#: below this age (months) a member counts as young (``young_members``: under 30 years)
YOUNG_MEMBER_MONTHS = 30 * 12
#: the ages (months) from which and below which an engaged citizen counts as young engaged
#: and may found a Verein: 18 to 35 years (M13)
FOUNDER_AGE_MONTHS = (18 * 12, 36 * 12)
#: the share of her volunteer hours a Verein member who is also in an initiative gives the
#: Verein (the other half goes to the initiative; assumption, as
#: :func:`~kosi_sim.agents.initiatives.initiative_hours`)
SHARED_HOURS = np.float32(0.5)


def tally_members(*, association, initiative, age_m, hours, n) -> tuple:
    """Members, members under 30 and volunteer hours of each of ``n`` Vereine, and the
    members' rows (ascending).  A member also in an initiative gives the Verein half her
    hours; the hours are summed in double precision in row order."""
    rows = np.flatnonzero(association >= 0)
    a = association[rows]
    members = np.bincount(a, minlength=n).astype(np.int64)
    young = np.bincount(a[age_m[rows] < YOUNG_MEMBER_MONTHS], minlength=n).astype(np.int64)
    h = np.where(initiative[rows] >= 0, hours[rows] * SHARED_HOURS, hours[rows])
    total = np.bincount(a, weights=h.astype(np.float64), minlength=n)
    return members, young, total, rows


def pick_weighted(*, rows, district, u, grouped, bounds, weight, choice) -> None:
    """Joining: ``choice[rows[i]]`` becomes a Verein of the citizen's district (the
    district's Vereine are ``grouped[bounds[d]:bounds[d + 1]]``) drawn in proportion to
    ``weight`` (its appeal) by the uniform ``u[i]``: the first whose running sum exceeds
    ``u[i]`` times the district's total.  Unchanged where the district has none."""
    d_rows = district[rows]
    for d in np.unique(d_rows):
        cand = grouped[bounds[d] : bounds[d + 1]]
        if len(cand) == 0:
            continue
        sel = d_rows == d
        cdf = np.cumsum(weight[cand])  # float32, in row order
        pick = np.searchsorted(cdf, u[sel] * np.float64(cdf[-1]), side="right")
        choice[rows[sel]] = cand[np.minimum(pick, len(cand) - 1)]


def successors(*, members, association, wanted, engaged, leads, budget, hours, spare):
    """Succession (M10): the ``members`` (in their order) of the ``wanted`` Vereine who
    could lead one: engaged, leading nothing, with ``spare`` free hours a week (the
    float32 difference compared in double precision)."""
    cand = members[wanted[association[members]]]
    cand = cand[engaged[cand] & ~leads[cand]]
    return cand[(budget[cand] - hours[cand]).astype(np.float64) >= spare].astype(np.int64)


def young_engaged(*, engaged, age_m, leads, budget, hours, need) -> tuple:
    """Founding (M13): whether each citizen is engaged and aged 18-35 (the young engaged
    a district's founding rate counts), and whether she also could found a Verein (leads
    nothing and has ``need`` spare hours, float32); both as uint8 marks."""
    lo, hi = FOUNDER_AGE_MONTHS
    young = engaged.astype(bool) & (age_m >= lo) & (age_m < hi)
    eligible = young & ~leads.astype(bool) & (budget - hours >= need)
    return young.view(np.uint8), eligible.view(np.uint8)


def members_of(*, association, marked) -> np.ndarray:
    """Dissolution (M13): rows of the members of the marked Vereine (``marked``: one uint8
    per Verein and a last one, 0, that citizens in none (-1) read)."""
    return np.flatnonzero(marked[association])


def gift_order(*, rows, n) -> tuple:
    """Funds: for each gift of ``rows`` (Vereine of ``n``), how many gifts of the same
    Verein precede it; and how many gifts each Verein makes."""
    rows = np.asarray(rows, dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    ranked = rows[order]
    earlier = np.empty(len(rows), dtype=np.int64)
    earlier[order] = np.arange(len(rows)) - np.searchsorted(ranked, ranked, side="left")
    return earlier, np.bincount(rows, minlength=n).astype(np.int64)
