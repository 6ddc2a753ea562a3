"""The structural-change phase: requested births, deaths, migration and moves are applied.

This is the only place where citizens enter or leave the population or change district.
Per-district flows are returned for the accounting identity
``pop[t+1] = pop[t] + births - deaths + in_migration - out_migration + moves_in - moves_out``.
"""

from __future__ import annotations

import numpy as np

from .demography import Requests
from .engagement import draw_traits
from .jit import kernel


def _count(district: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(district, minlength=n)[:n].astype(float)


def local_contacts(pop, rows: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Contacts for newcomers: living citizens of the same district, drawn uniformly.

    Rejection sampling over random rows (no sort of the population needed): each newcomer
    takes the first ``k`` of its candidates that live in her district (the dead are parked
    outside every district); slots that find no local match take a random living citizen
    anywhere.
    """
    n = len(rows)
    if n == 0:
        return np.empty((0, k), dtype=np.int32)
    tries = 16 * k
    cand = rng.integers(0, pop.n, size=(n, tries))
    alive_rows = np.flatnonzero(pop.alive)
    out = alive_rows[rng.integers(0, len(alive_rows), size=(n, k))]  # the fallback
    _first_local(cand, pop.district, pop.district[rows], out)
    return out.astype(np.int32)


@kernel
def _first_local(cand, district, own, out):
    """Row ``i`` of ``out`` takes the first candidates of row ``i`` of ``cand`` that live in
    district ``own[i]``, in order; slots without a match keep their fallback."""
    k = out.shape[1]
    for i in range(cand.shape[0]):
        got = 0
        for c in cand[i]:
            if district[c] == own[i]:
                out[i, got] = c
                got += 1
                if got == k:
                    break


def apply_requests(model, req: Requests) -> dict[str, np.ndarray]:
    pop, n_d = model.pop, model.n_districts
    flows: dict[str, np.ndarray] = {}
    pop.age_m += pop.alive  # everyone alive at the end of the month is a month older
    # teenagers reaching 14 this month enter the engagement age (school, sport, youth groups)
    teens = np.flatnonzero(pop.age_m == 14 * 12)
    model.engagement.initial_engagement(model, teens, model.streams("engagement.teens"))
    if model.life_table is not None:
        model.life_table.record(pop, req.deaths)
    flows["deaths"] = _count(pop.district[req.deaths], n_d)
    flows["out_migration"] = _count(pop.district[req.emigrants], n_d)
    pop.remove(np.concatenate((req.deaths, req.emigrants)))

    movers = req.movers[pop.alive[req.movers]]
    dest = req.move_to[pop.alive[req.movers]]
    flows["moves_out"] = _count(pop.district[movers], n_d)
    flows["moves_in"] = _count(dest, n_d)
    pop.district[movers] = dest

    p = model.params
    rng = model.streams("demography.newcomers")
    # births: the child lives with the mother and starts with her contacts (family network)
    mothers = req.mothers
    nb = len(mothers)
    # a mother who died or left this month: the child is counted in her former district
    mother_district = np.where(pop.alive[mothers], pop.district[mothers], req.mothers_district)
    flows["births"] = _count(mother_district, n_d)
    if nb:
        contacts = pop.contacts[mothers].copy()
        contacts[:, 0] = mothers
        traits = draw_traits(nb, p, rng)
        rows = pop.add(
            nb,
            contacts=contacts,
            age_m=0,
            sex=(rng.random(nb) < 0.5).astype(np.int8),
            district=mother_district,
            **traits,
        )
        model.engagement.update_life_stage(pop, rows)

    ni = len(req.immigrant_district)
    flows["in_migration"] = _count(req.immigrant_district, n_d)
    if ni:
        traits = draw_traits(ni, p, rng)
        rows = pop.add(
            ni,
            age_m=req.immigrant_age_m,
            sex=req.immigrant_sex,
            district=req.immigrant_district,
            **traits,
        )
        pop.contacts[rows] = local_contacts(pop, rows, pop.k, rng)
        model.engagement.update_life_stage(pop, rows)
        model.engagement.initial_engagement(model, rows, rng)
    return flows
