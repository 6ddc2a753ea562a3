"""Who can lead an initiative (M10, ODD 7.8 rule 2), and finding leaders.

A leader is alive, 18 or older, not a free rider, leads nothing, is in no initiative and has
spare time of at least ``leader_spare_hours`` times the district's leader lever (half for
the trained).  An idea's leader is its holder if she can lead, else the first altruist
among her contacts who can.
"""

from __future__ import annotations

import numpy as np


def can_lead(ini, model, rows: np.ndarray | slice) -> np.ndarray:
    """Whether each citizen of ``rows`` (or ``slice(None)``: everyone, read without copies)
    could lead an initiative now (M10, :func:`.rules.can_lead`)."""
    pop = model.pop
    everyone = isinstance(rows, slice)
    if everyone and rows != slice(None):
        raise ValueError(f"rows: an array of rows or slice(None) (everyone), not {rows}")
    return ini.impl.can_lead(
        rows=None if everyone else np.asarray(rows, dtype=np.int64),
        alive=pop.alive,
        leads=pop.leads,
        initiative=pop.initiative,
        coop=pop.coop,
        time_budget=pop.time_budget,
        hours=pop.hours,
        age_m=pop.age_m,
        trained=pop.trained,
        district=pop.district,
        leader_spare=model.levers.leader_spare,
        spare_hours=ini.p.leader_spare_hours,
    )


def find_leaders(ini, model, district: np.ndarray, rng) -> np.ndarray:
    """One possible leader per requested district (engaged first), -1 where none."""
    pop = model.pop
    pool = np.flatnonzero(can_lead(ini, model, slice(None)))
    in_district = pop.district[pool]
    out = np.full(len(district), -1, dtype=np.int64)
    for d in np.unique(district):  # loop over the requested districts
        cand = pool[in_district == d]  # in row order
        if len(cand) == 0:
            continue
        want = np.flatnonzero(district == d)
        order = _first_by_key(~pop.engaged[cand] + rng.random(len(cand)), len(want))
        out[want[: len(order)]] = cand[order]
    return out


def _first_by_key(keys: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` positions of ``np.argsort(keys, kind="stable")`` (all if fewer),
    without sorting all of them: the ``k`` smallest keys, ordered by key and position.
    (The two differ only if two keys tie at the k-th place; the keys here are random
    float64 numbers.)"""
    if k >= len(keys):
        return np.argsort(keys, kind="stable")
    idx = np.argpartition(keys, k - 1)[:k] if k > 0 else np.empty(0, dtype=np.int64)
    return idx[np.lexsort((idx, keys[idx]))]


def leaders_of_ideas(ini, model, holders: np.ndarray) -> np.ndarray:
    """The leader (row, -1: none) of each idea whose holders are ``holders`` (rows, -1 if
    gone), ideas in turn (rule 2)."""
    pop = model.pop
    # who could lead: the holders and their contacts (evaluated only for them, in row
    # order; a mark per row finds them faster than sorting the list of a few thousand)
    present = holders[holders >= 0]
    nearby = np.zeros(pop.n, dtype=bool)
    nearby[present] = True
    nearby[pop.contacts[present]] = True  # an empty slot (-1) marks the last row
    nearby = np.flatnonzero(nearby)
    able = np.zeros(pop.n, dtype=bool)
    able[nearby] = can_lead(ini, model, nearby)
    return ini.impl.pick_leaders(
        holders=holders, can_lead=able, coop=pop.coop, contacts=pop.contacts
    )
