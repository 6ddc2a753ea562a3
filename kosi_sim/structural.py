"""The structural-change phase: requested births, deaths, migration and moves are applied.

This is the only place where citizens enter or leave the population or change district.
Per-district flows are returned for the accounting identity
``pop[t+1] = pop[t] + births - deaths + in_migration - out_migration + moves_in - moves_out``.
"""

from __future__ import annotations

import numpy as np

from .demography import Requests
from .jit import parallel_kernel, prange
from .rng import DRAWS, uniform
from .select import nonzero


def _count(district: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(district, minlength=n)[:n].astype(float)


@parallel_kernel
def _age_one_month(age_m, alive, months):
    """Add a month to the age of the living (in place); returns the living rows whose age is
    now ``months`` (as ``np.flatnonzero(alive & (age_m == months))``: a citizen who died at
    that age keeps it and must not turn it again every month)."""
    turning = np.empty(len(age_m), dtype=np.uint8)
    for r in prange(len(age_m)):
        living = np.int16(alive[r])
        a = age_m[r] + living
        age_m[r] = a
        turning[r] = (a == months) & (living == 1)
    return nonzero(turning)


def local_contacts(pop, rows: np.ndarray, k: int, key: np.uint64) -> np.ndarray:
    """Contacts for newcomers: living citizens of the same district, drawn uniformly.

    Rejection sampling over random rows (no sort of the population needed): each newcomer
    takes the first ``k`` of up to ``16 k`` random rows that live in her district (the dead
    are parked outside every district); slots that find no local match take a random
    living citizen anywhere.  Draws from the keyed stream ``key`` by the newcomer's uid.
    """
    out = np.empty((len(rows), k), dtype=np.int32)
    _first_local(key, pop.uid, rows, pop.district, pop.alive, 16 * k, out)
    return out


@parallel_kernel
def _first_local(key, uid, rows, district, alive, tries, out):
    """Row ``i`` of ``out``: the first ``k`` of ``tries`` random rows in the district of
    ``rows[i]``; the remaining slots a random living row (rejection sampling)."""
    n, k = len(district), out.shape[1]
    for i in prange(len(rows)):  # newcomers independent: each writes her own row
        own = district[rows[i]]
        base = uid[rows[i]] * DRAWS
        got = 0
        for j in range(tries):
            c = min(np.int64(uniform(key, base + j) * n), n - 1)
            if district[c] == own:
                out[i, got] = c
                got += 1
                if got == k:
                    break
        j = tries
        while got < k:
            c = min(np.int64(uniform(key, base + j) * n), n - 1)
            j += 1
            if alive[c] | (j >= DRAWS):  # DRAWS: a bound that no city with living people meets
                out[i, got] = c
                got += 1


def apply_requests(model, req: Requests) -> dict[str, np.ndarray]:
    pop, n_d = model.pop, model.n_districts
    flows: dict[str, np.ndarray] = {}
    # everyone alive at the end of the month is a month older; teenagers reaching 14 enter
    # the engagement age (school, sport, youth groups)
    teens = _age_one_month(pop.age_m, pop.alive, 14 * 12)
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
        traits = model.engagement.draw_traits(nb, rng)
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
        traits = model.engagement.draw_traits(ni, rng)
        rows = pop.add(
            ni,
            age_m=req.immigrant_age_m,
            sex=req.immigrant_sex,
            district=req.immigrant_district,
            **traits,
        )
        pop.contacts[rows] = local_contacts(
            pop, rows, pop.k, model.streams.key("demography.newcomers.contacts")
        )
        model.engagement.update_life_stage(pop, rows)
        model.engagement.initial_engagement(model, rows, rng)
    return flows
