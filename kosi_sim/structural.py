"""The structural-change phase: requested births, deaths, migration and moves are applied.

This is the only place where citizens enter or leave the population or change district.
Per-district flows are returned for the accounting identity
``pop[t+1] = pop[t] + births - deaths + in_migration - out_migration + moves_in - moves_out``.
"""

from __future__ import annotations

import numpy as np

from .demography import Requests
from .engagement.rules import ENGAGEMENT_AGE_MONTHS
from .network.rules import LOCAL_TRIES_PER_CONTACT


def _count(district: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(district, minlength=n)[:n].astype(float)


def apply_requests(model, req: Requests) -> dict[str, np.ndarray]:
    pop, n_d = model.pop, model.n_districts
    flows: dict[str, np.ndarray] = {}
    # everyone alive at the end of the month is a month older (ODD 7.2); teenagers reaching
    # 14 enter the engagement age (school, sport, youth groups; ODD 7.4)
    teens = model.demography.impl.age_one_month(
        age_m=pop.age_m, alive=pop.alive, months=ENGAGEMENT_AGE_MONTHS
    )
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
        # newcomers' contacts: living citizens of their district, drawn uniformly (ODD 7.3)
        contacts = np.empty((len(rows), pop.k), dtype=np.int32)
        model.network.impl.newcomer_contacts(
            key=model.streams.key("demography.newcomers.contacts"),
            uid=pop.uid,
            rows=rows,
            district=pop.district,
            alive=pop.alive,
            tries=LOCAL_TRIES_PER_CONTACT * pop.k,
            out=contacts,
        )
        pop.contacts[rows] = contacts
        model.engagement.update_life_stage(pop, rows)
        model.engagement.initial_engagement(model, rows, rng)
    return flows
