"""Dissolution (ODD 7.5, M13): annual hazard ``dissolution_rate + dissolution_small x
[members < min_members] + dissolution_leaderless x [leaderless >= 12 months]``, requested
in the month and applied in the structural phase; the members stay engaged, informally."""

from __future__ import annotations

import numpy as np


def request(table, live: np.ndarray, rng) -> np.ndarray:
    """The live Vereine ``live`` of ``table`` that dissolve this month (monthly
    probability: the annual hazard / 12)."""
    p = table.p
    hazard = (
        p.dissolution_rate
        + p.dissolution_small * (table.members[live] < p.min_members)
        + p.dissolution_leaderless * (table.leaderless_months[live] >= 12)
    ) / 12.0
    u = rng.random(len(live))
    return live[u < hazard]


def dissolve(table, model, rows: np.ndarray) -> int:
    """Dissolve Vereine ``rows`` of ``table``: members released, the leader's role ended;
    returns how many."""
    pop = model.pop
    if len(rows):
        gone = np.zeros(table.n + 1, dtype=np.uint8)  # the last: in no Verein
        gone[rows] = 1
        pop.association[table.impl.members_of(association=pop.association, marked=gone)] = -1
        leaders = pop.rows_of(table.leader[rows])
        pop.leads[leaders[leaders >= 0]] = False
        table.remove(rows)
    return len(rows)
