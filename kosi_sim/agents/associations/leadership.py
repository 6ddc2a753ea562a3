"""Leadership (ODD 7.5, M10): a leader who is no longer a living member is dropped; a
leaderless Verein finds a leader with probability ``succession_rate`` a month among its
engaged members who lead nothing and have ``leader_spare_hours`` of spare time, trained
members first; ``leaderless_months`` counts the months without one."""

from __future__ import annotations

import numpy as np

from ..table import leader_is_member


def step(table, model, live: np.ndarray, members: np.ndarray, rng) -> None:
    """The month's leadership of the live Vereine ``live`` of ``table`` (``members``: the
    members' rows)."""
    pop = model.pop
    # leader still alive and a member?
    ok = leader_is_member(pop, table.leader[live], pop.association, live)
    table.leader[live[~ok]] = -1
    leaderless = live[table.leader[live] < 0]
    succession(table, model, leaderless, members, rng)
    still = table.leader[live] < 0
    table.leaderless_months[live] = np.where(still, table.leaderless_months[live] + 1, 0)


def succession(table, model, leaderless: np.ndarray, members: np.ndarray, rng) -> None:
    """Leaderless Vereine (``leaderless``) try to find a leader among ``members``."""
    pop = model.pop
    if len(leaderless) == 0:
        return
    trying = leaderless[rng.random(len(leaderless)) < table.p.succession_rate]
    if len(trying) == 0:
        return
    wanted = np.zeros(table.n, dtype=bool)
    wanted[trying] = True
    cand = table.impl.successors(
        members=members,
        association=pop.association,
        wanted=wanted,
        engaged=pop.engaged,
        leads=pop.leads,
        budget=pop.time_budget,
        hours=pop.hours,
        spare=float(table.p.leader_spare_hours),
    )
    if len(cand) == 0:
        return
    # trained members first (capacity building), otherwise at random
    cand = cand[np.lexsort((rng.random(len(cand)), ~pop.trained[cand]))]
    assoc, first = np.unique(pop.association[cand], return_index=True)
    chosen = cand[first]
    table.leader[assoc] = pop.uid[chosen]
    pop.leads[chosen] = True
