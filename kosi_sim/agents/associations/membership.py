"""Membership (ODD 7.5, counts): who is in which Verein, and the members, young members and
volunteer hours each Verein counts; joining a Verein of one's district by its appeal."""

from __future__ import annotations

import numpy as np


def refresh_counts(table, pop) -> np.ndarray:
    """Members, members under 30 and their volunteer hours per Verein of ``table``;
    returns the members' rows.

    Members who are also in an initiative give it half their hours (as in
    :func:`~kosi_sim.agents.initiatives.initiative_hours`)."""
    members, young, hours, member_rows = table.impl.tally_members(
        association=pop.association,
        initiative=pop.initiative,
        age_m=pop.age_m,
        hours=pop.hours,
        n=table.n,
    )
    table.members[:] = members
    table.young_members[:] = young
    table.hours[:] = hours
    return member_rows


def admit(table, model, rows: np.ndarray, rng: np.random.Generator) -> None:
    """Citizens ``rows`` join a Verein of ``table`` in their district (weighted by its
    appeal)."""
    pop = model.pop
    if len(rows) == 0 or table.n == 0:
        return
    grouped, bounds = table.grouped_by("district", pop.n_districts + 1)
    u = rng.random(len(rows))
    table.impl.pick_weighted(
        rows=rows,
        district=pop.district,
        u=u,
        grouped=grouped,
        bounds=bounds,
        weight=table.attractiveness,
        choice=pop.association,
    )
