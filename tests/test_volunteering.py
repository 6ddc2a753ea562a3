"""The one rule of who can volunteer (kosi_sim/volunteering.py), on hand-built citizens."""

from __future__ import annotations

import numpy as np

from kosi_sim.population import COOP_CONDITIONAL, COOP_FREE_RIDER
from kosi_sim.volunteering import ENGAGEMENT_AGE_MONTHS, MIN_VOLUNTEER_HOURS, can_volunteer
from tests.handmade import HandModel

CUTOFF = 0.4


def _citizens():
    """One citizen per case; the first can volunteer, each other one fails one condition."""
    m = HandModel(willing_cutoff=CUTOFF)
    cases = {
        "able": {},
        "unwilling": {"willingness": 0.1},
        "free rider": {"coop": COOP_FREE_RIDER},
        "child": {"age": 13.0},
        "no time": {"time_budget": MIN_VOLUNTEER_HOURS / 2},
        "engaged": {"engaged": True},
        "busy engaged": {"engaged": True, "hours": 9.9, "time_budget": 10.0},
    }
    rows = {}
    for name, case in cases.items():
        kw = {"engaged": False, "hours": 0.0, "willingness": 0.6, "coop": COOP_CONDITIONAL}
        kw.update(case)
        rows[name] = int(m.add_citizens(1, **kw)[0])
    return m, rows


def test_the_inactive_who_are_willing_of_age_with_time_and_no_free_riders_can_volunteer():
    m, rows = _citizens()
    ok = can_volunteer(m.pop, np.array(list(rows.values())), CUTOFF)
    assert dict(zip(rows, ok.tolist(), strict=True)) == {
        "able": True,
        "unwilling": False,
        "free rider": False,
        "child": False,
        "no time": False,
        "engaged": False,  # brokerage and grants ask the inactive
        "busy engaged": False,
    }


def test_recruiting_asks_the_engaged_with_spare_time_too():
    m, rows = _citizens()
    ok = can_volunteer(
        m.pop, np.array(list(rows.values())), CUTOFF, engaged_too=True, spare_time=True
    )
    got = dict(zip(rows, ok.tolist(), strict=True))
    assert got["engaged"] and not got["busy engaged"]  # 0.1 h/week spare is too little
    assert got["able"] and not got["child"] and not got["free rider"]


def test_money_draws_in_free_riders_and_a_citizen_in_an_initiative_is_not_asked():
    m, rows = _citizens()
    r = np.array([rows["free rider"], rows["able"]])
    assert can_volunteer(m.pop, r, CUTOFF, paid=True).tolist() == [True, True]
    m.pop.initiative[rows["able"]] = 0
    assert can_volunteer(m.pop, r, CUTOFF, paid=True).tolist() == [True, False]
    assert ENGAGEMENT_AGE_MONTHS == 14 * 12
