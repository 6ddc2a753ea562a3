"""Recruitment (ODD 7.8 rule 3, and rule 5 for understaffed producing initiatives).

Each month the leader of a recruiting initiative asks her contacts who could volunteer
(:func:`kosi_sim.volunteering.can_volunteer`: engaged or willing, with spare time), each
with ``recruit_rate``, while the initiative has fewer than ``target_volunteers`` members
(whom: :func:`.rules.recruits`).  Recruits who were not engaged become engaged (informally,
outside a Verein).
"""

from __future__ import annotations

import numpy as np


def recruit(ini, model, rows: np.ndarray, rng) -> None:
    """Leaders of ``rows`` recruit volunteers among their contacts."""
    p, pop = ini.p, model.pop
    if len(rows) == 0:
        return
    leaders = pop.rows_of(ini.leader[rows])
    ok = ini.led(pop, rows, leaders)
    rows, leaders = rows[ok], leaders[ok]
    if len(rows) == 0:
        return
    contacts = pop.contacts[leaders]  # (n, k)
    citizens, where = ini.impl.recruits(
        contacts=contacts,
        need=np.maximum(0, p.target_volunteers - ini.volunteers[rows]),
        draws=rng.random(contacts.shape),
        rate=p.recruit_rate,
        willing_cutoff=p.willing_cutoff,
        willingness=pop.willingness,
        engaged=pop.engaged,
        coop=pop.coop,
        time_budget=pop.time_budget,
        hours=pop.hours,
        alive=pop.alive,
        age_m=pop.age_m,
        initiative=pop.initiative,
    )
    ini.join(pop, citizens, rows[where])
    model.engagement.enlist_informal(pop, citizens[~pop.engaged[citizens]])


def staff(ini, model, rows: np.ndarray, rng, rounds: int) -> None:
    """The leaders of ``rows`` recruit as in the proposal stage, for at most ``rounds``
    months, until each initiative has ``min_volunteers``."""
    for _ in range(rounds):
        ini.count_volunteers(model.pop)
        short = rows[ini.volunteers[rows] < ini.p.min_volunteers]
        if len(short) == 0:
            break
        recruit(ini, model, short, rng)
    ini.count_volunteers(model.pop)
