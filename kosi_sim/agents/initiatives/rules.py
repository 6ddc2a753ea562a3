"""Initiatives (ODD 7.8): the rules that read the citizens' arrays, in plain numpy.

Who is free to have an idea (rule 1), who leads an idea (M10, rule 2), whom a leader
recruits (rule 3), and the tallies
over an initiative's members that its rules read (members, their summed burnout for the
failure hazard, who is released when it closes).  Their compiled fast paths are in
:mod:`.kernels`, called exactly as these (``kosi_sim.ruleset.fast_path_of``) and tested
equal to them (``tests/test_rules_initiatives.py``); a model built with ``rules="numpy"``
runs these.  A citizen's initiative is ``pop.initiative`` (-1: none); the tallies read
only the ``rows`` given (the tracked superset of the members, see :class:`Initiatives`).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ...population import COOP_ALTRUIST, COOP_FREE_RIDER
from ...volunteering import can_volunteer

#: the age from which a citizen can lead an initiative (months): of age (Volljährigkeit),
#: as a leader signs for the initiative (assumption)
LEADER_AGE_MONTHS = 18 * 12
#: factor on the spare time a trained citizen needs to lead (capacity building, ODD 11.8;
#: assumption)
TRAINED_SPARE_FACTOR = 0.5


def free_engaged(*, engaged, leads, initiative) -> np.ndarray:
    """Rule 1: whether each citizen is engaged and neither leads nor belongs to an
    initiative (the ones who have ideas), as uint8 marks."""
    return (engaged.astype(bool) & ~leads.astype(bool) & (initiative < 0)).view(np.uint8)


def can_lead(
    *,
    rows,
    alive,
    leads,
    initiative,
    coop,
    time_budget,
    hours,
    age_m,
    trained,
    district,
    leader_spare,
    spare_hours,
) -> np.ndarray:
    """M10: whether each citizen of ``rows`` (rows, or None: everyone) could lead an
    initiative now: alive, of age (:data:`LEADER_AGE_MONTHS`), not a free rider, leading
    nothing and in no initiative, with spare time (time budget less the hours she gives)
    of at least ``spare_hours`` times her district's ``leader_spare`` lever
    (:data:`TRAINED_SPARE_FACTOR` of that for the trained; the dead, outside every
    district, read the last district's lever)."""
    rows = slice(None) if rows is None else rows
    lever = leader_spare[np.minimum(district[rows], len(leader_spare) - 1)]
    need = spare_hours * lever * np.where(trained[rows], TRAINED_SPARE_FACTOR, 1.0)
    return (
        alive[rows]
        & ~leads[rows]
        & (initiative[rows] < 0)
        & (coop[rows] != COOP_FREE_RIDER)
        & (time_budget[rows] - hours[rows] >= need)
        & (age_m[rows] >= LEADER_AGE_MONTHS)
    )


def pick_leaders(*, holders, can_lead, coop, contacts) -> np.ndarray:
    """M10, rule 2: the leader (row, -1: none) of each idea, ideas in turn: its holder
    (row, -1 if gone) if she can lead and leads no earlier idea, else the first of her
    contacts who can, is an altruist and leads no earlier idea."""
    taken = np.zeros(len(can_lead), dtype=bool)
    out = np.full(len(holders), -1, dtype=np.int64)
    for j, h in enumerate(holders):
        if h < 0:
            continue
        if can_lead[h] and not taken[h]:
            leader = h
        else:
            c = contacts[h]
            able = np.flatnonzero(can_lead[c] & ~taken[c] & (coop[c] == COOP_ALTRUIST))
            leader = c[able[0]] if len(able) else -1
        if leader >= 0:
            taken[leader] = True
            out[j] = leader
    return out


def first_leaders(*, holders, can_lead, coop, contacts) -> np.ndarray:
    """Rule 2's leader (row, -1: none) of an idea held by each of ``holders`` (rows), each
    on its own (no idea takes a leader from another, as the start fill's expectation
    assumes, :mod:`.funnel`): the holder if she can lead, else her first contact who can
    and is an altruist."""
    c = contacts[holders]
    alt = can_lead[c] & (coop[c] == COOP_ALTRUIST)
    first = c[np.arange(len(holders)), np.argmax(alt, axis=1)]
    return np.where(can_lead[holders], holders, np.where(alt.any(axis=1), first, -1)).astype(
        np.int64
    )


def able_contacts(*, leaders, could, contacts) -> np.ndarray:
    """How many contacts of each of ``leaders`` (rows; -1, none, reads row 0's) other than
    herself could volunteer (``could``: a mask over all rows)."""
    c = contacts[np.maximum(leaders, 0)]
    return (could[c] & (c != leaders[:, None])).sum(axis=1).astype(np.int64)


def recruits(
    *,
    contacts,
    need,
    draws,
    rate,
    willing_cutoff,
    willingness,
    engaged,
    coop,
    time_budget,
    hours,
    alive,
    age_m,
    initiative,
) -> tuple[np.ndarray, np.ndarray]:
    """Rule 3, whom the leaders recruit: ``contacts`` has a row of the leader's contacts
    for each recruiting initiative, ``need`` its members still wanted, ``draws`` a uniform
    draw per contact.  A contact who could volunteer
    (:func:`kosi_sim.volunteering.can_volunteer`, the engaged too, by spare time) is
    recruited if the initiative still wants members and her draw is below ``rate``; asked
    by several, she joins the first (in row order, then contact order).  Returns the
    recruits (rows, ascending) and for each the index of her initiative's row in
    ``contacts``."""
    pop = SimpleNamespace(
        willingness=willingness,
        engaged=engaged,
        coop=coop,
        time_budget=time_budget,
        hours=hours,
        alive=alive,
        age_m=age_m,
        initiative=initiative,
    )
    suitable = can_volunteer(pop, contacts, willing_cutoff, engaged_too=True, spare_time=True)
    accept = suitable & (need[:, None] > 0) & (draws < rate)
    r_idx, c_idx = np.nonzero(accept)
    citizens, first = np.unique(contacts[r_idx, c_idx], return_index=True)
    return citizens.astype(np.int64), r_idx[first].astype(np.int64)


def members_per_initiative(*, rows, initiative, n) -> np.ndarray:
    """Members of each of ``n`` initiatives among ``rows``."""
    i = initiative[rows]
    return np.bincount(i[i >= 0], minlength=n).astype(np.int64)


def members_of(*, rows, initiative, mark) -> np.ndarray:
    """The rows among ``rows`` (in their order) whose initiative is marked."""
    member = rows[initiative[rows] >= 0]
    return member[mark[initiative[member]]].astype(np.int64)


def burnout_per_initiative(*, rows, initiative, burnout, n) -> np.ndarray:
    """Summed burnout of each of ``n`` initiatives' members among ``rows`` (the team's
    strain; double precision, in row order)."""
    member = rows[initiative[rows] >= 0]
    weights = burnout[member].astype(np.float64)
    return np.bincount(initiative[member], weights=weights, minlength=n)
