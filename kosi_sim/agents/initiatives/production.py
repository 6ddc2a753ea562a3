"""Producing initiatives: their service supply, failure hazards and finishing (ODD 7.8
rules 5 and 6, and 7.9).

A producing initiative with fewer than ``min_volunteers`` members recruits.  An active one
fails with monthly probability ``fail_base + fail_understaffed * [volunteers <
min_volunteers] + fail_leaderless * [no leader] + fail_underfunded * [money < need] +
fail_burnout * mean burnout of its members``; "no leader" means the leader is no longer a
living member.  After ``sustain_months`` it is sustained and ends with
``sustained_end_rate + fail_leaderless * [no leader]``.  Sustaining is a good experience
for the members, failing a bad one; an ended initiative gives none.

Supply: each member gives her initiative hours (:func:`.members.initiative_hours`) times
``initiative_productivity``; a business partner adds ``business_staff_hours`` a month; an
initiative on vacant premises adds ``space_units_per_premises`` to the space domain.
"""

from __future__ import annotations

import numpy as np

from ...engagement import WEEKS_PER_MONTH
from ...services import SERVICE_DOMAINS, SPACE
from .members import _rows_in_initiatives, initiative_hours
from .recruitment import recruit
from .stages import ACTIVE, ENDED, FAILED, PRODUCING, SUSTAINED, in_stages


def _burnout(ini, pop) -> np.ndarray:
    """The members' summed burnout of each initiative (the team's strain)."""
    return ini.impl.burnout_per_initiative(
        rows=ini.candidate_rows(pop), initiative=pop.initiative, burnout=pop.burnout, n=ini.n
    )


def produce(ini, model, rng) -> None:
    """Rule 5: producing initiatives recruit if short, may fail or end, and grow into
    sustained ones."""
    p, pop = ini.p, model.pop
    act = np.flatnonzero((ini.stage == ACTIVE) | (ini.stage == SUSTAINED))
    if len(act) == 0:
        return
    recruit(ini, model, act[ini.volunteers[act] < p.min_volunteers], rng)
    ini.count_volunteers(pop)
    leader_ok = ini.led(pop, act)
    mean_burn = _burnout(ini, pop)[act] / np.maximum(ini.volunteers[act], 1)
    hazard = np.where(
        ini.stage[act] == SUSTAINED,
        p.sustained_end_rate + p.fail_leaderless * ~leader_ok,
        p.fail_base
        + p.fail_understaffed * (ini.volunteers[act] < p.min_volunteers)
        + p.fail_leaderless * ~leader_ok
        + p.fail_underfunded * (ini.money[act] < ini.money_need[act])
        + p.fail_burnout * mean_burn,
    )
    ends = rng.random(len(act)) < hazard
    failed = act[ends & (ini.stage[act] == ACTIVE)]
    ended = act[ends & (ini.stage[act] == SUSTAINED)]
    ini.finish(model, failed, FAILED, good=False)
    ini.finish(model, ended, ENDED, None)
    ini.events["failed"] += len(failed)
    ini.events["ended"] += len(ended)
    grown = act[~ends & (ini.stage[act] == ACTIVE) & (ini.months_in_stage[act] >= p.sustain_months)]
    if len(grown):
        model.engagement.experience(model.pop, ini.participants(pop, grown), good=True)
        ini.set_stage(grown, SUSTAINED)
        ini.events["sustained"] += len(grown)


def led_active_hazard(ini, pop, rows: np.ndarray) -> np.ndarray:
    """The ending hazard of the active initiatives ``rows`` as if they had their leader
    (rule 5 without its ``fail_leaderless`` term)."""
    p = ini.p
    return (
        p.fail_base
        + p.fail_understaffed * (ini.volunteers[rows] < p.min_volunteers)
        + p.fail_underfunded * (ini.money[rows] < ini.money_need[rows])
        + p.fail_burnout * _burnout(ini, pop)[rows] / np.maximum(ini.volunteers[rows], 1)
    )


def supply(ini, pop, n_districts: int, *, productivity: float, space_units: float) -> np.ndarray:
    """Service supply by domain and district from producing initiatives: their volunteers'
    hours at ``productivity`` (service units per hour), partner businesses' staff hours and
    ``space_units`` per premises in use (the services' parameters, ODD 7.9)."""
    k = len(SERVICE_DOMAINS)
    out = np.zeros((k, n_districts))
    if ini.n == 0:
        return out
    member = _rows_in_initiatives(pop.initiative)
    rows = pop.initiative[member]
    producing = in_stages(ini.stage[rows], PRODUCING)
    h = initiative_hours(pop, member[producing])
    rows = rows[producing]
    service = h * WEEKS_PER_MONTH * productivity
    idx = ini.domain[rows].astype(np.int64) * n_districts + ini.district[rows]
    out += np.bincount(idx, weights=service, minlength=k * n_districts).reshape(k, -1)
    staffed = np.flatnonzero(in_stages(ini.stage, PRODUCING) & (ini.business_partner >= 0))
    idx = ini.domain[staffed].astype(np.int64) * n_districts + ini.district[staffed]
    out += np.bincount(idx, minlength=k * n_districts).reshape(k, -1) * ini.p.business_staff_hours
    prem = np.flatnonzero(in_stages(ini.stage, PRODUCING) & ini.on_premises)
    out[SPACE] += np.bincount(ini.district[prem], minlength=n_districts)[:n_districts] * (
        space_units
    )
    return out
