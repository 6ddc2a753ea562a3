"""Founding (ODD 7.5, M13): per district ``Poisson(founding_per_1000_young_engaged x
young engaged / 1000 / 12)`` foundings are requested; the founder is an engaged 18-35 year
old who leads nothing and has ``leader_spare_hours`` of spare time.  In the structural
phase a founder who is alive and leads nothing founds a Verein (funds 0), leads it and
brings up to ``min_members - 1`` engaged contacts without a Verein."""

from __future__ import annotations

import numpy as np

from ...select import count_grouped, nonzero


def request(table, model, rng) -> list[tuple[int, int]]:
    """This month's founding requests: (district, founder's row) pairs."""
    pop, n_d = model.pop, model.pop.n_districts
    young, eligible = table.impl.young_engaged(
        engaged=pop.engaged,
        age_m=pop.age_m,
        leads=pop.leads,
        budget=pop.time_budget,
        hours=pop.hours,
        need=np.float32(table.p.leader_spare_hours),
    )
    per_d = count_grouped(young, pop.district, n_d)
    expected = table.p.founding_per_1000_young_engaged * per_d / 1000.0 / 12.0
    counts = rng.poisson(expected)
    out: list[tuple[int, int]] = []
    if counts.sum() == 0:
        return out
    # who could found, in row order; a district's pool is picked from them (a month has
    # foundings in a few districts, so this is cheaper than grouping all by district)
    eligible = nonzero(eligible)
    in_district = pop.district[eligible]
    for d in np.flatnonzero(counts):  # districts with a founding this month
        pool = eligible[in_district == d]
        if len(pool) == 0:
            continue
        founders = rng.choice(pool, size=min(counts[d], len(pool)), replace=False)
        out.extend((int(d), int(f)) for f in founders)
    return out


def found(table, model, requests: list[tuple[int, int]]) -> int:
    """Found the requested Vereine of ``table`` whose founder is still alive and leads
    nothing (each founds one); returns how many."""
    pop = model.pop
    founding = [(d, f) for d, f in requests if pop.alive[f] and not pop.leads[f]]
    if founding:
        district = np.array([d for d, _ in founding], dtype=np.int16)
        founders = np.array([f for _, f in founding], dtype=np.int64)
        rows = table.create(model, district, model.streams("associations.founding"))
        table.funds[rows] = 0.0
        table.leader[rows] = pop.uid[founders]
        pop.leads[founders] = True
        pop.association[founders] = rows
        # each founder in turn brings engaged contacts without a Verein (up to
        # min_members - 1)
        for row, f in zip(rows.tolist(), founders.tolist(), strict=True):
            contacts = pop.contacts[f]
            free = contacts[pop.engaged[contacts] & (pop.association[contacts] < 0)]
            pop.association[np.unique(free)[: table.p.min_members - 1]] = row
    return len(founding)
