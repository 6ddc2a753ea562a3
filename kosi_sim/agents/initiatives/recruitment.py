"""Recruitment (ODD 7.8 rule 3, and rule 5 for understaffed producing initiatives).

Each month the leader of a recruiting initiative asks her contacts who could volunteer
(:func:`kosi_sim.volunteering.can_volunteer`: engaged or willing, with spare time), each
with ``recruit_rate``, while the initiative has fewer than ``target_volunteers`` members.
Recruits who were not engaged become engaged (informally, outside a Verein).
"""

from __future__ import annotations

import numpy as np

from ...volunteering import can_volunteer


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
    need = np.maximum(0, p.target_volunteers - ini.volunteers[rows])
    cand = pop.contacts[leaders]  # (n, k)
    suitable = can_volunteer(pop, cand, p.willing_cutoff, engaged_too=True, spare_time=True)
    suitable &= need[:, None] > 0
    accept = suitable & (rng.random(cand.shape) < p.recruit_rate)
    r_idx, c_idx = np.nonzero(accept)
    citizens = cand[r_idx, c_idx]
    citizens, first = np.unique(citizens, return_index=True)
    ini.join(pop, citizens, rows[r_idx[first]])
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
