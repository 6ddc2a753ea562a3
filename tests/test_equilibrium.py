"""The equilibrium stock of the producing initiatives (ODD 3.3) on hand-built numbers, and
the leader-loss rates it reads from the demography and the engagement."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.agents.initiatives import SUSTAINED
from kosi_sim.agents.initiatives.start import MIN_SPINUP, equilibrium_stocks
from kosi_sim.demography import N_MONTHS, Demography
from kosi_sim.engagement import Engagement
from kosi_sim.model import CityModel
from kosi_sim.scenario import load_builtin


def test_without_leader_loss_the_stocks_are_geometric():
    a, h, s, e = 2.0, 0.05, 24, 0.005
    st = equilibrium_stocks(a, h, 0.0, s, e, 0.1)
    q = 1.0 - h
    assert st.active == pytest.approx(a * sum(q ** (k + 1) for k in range(s)))
    assert st.sustained_led == pytest.approx(a * q ** (s + 1) / e)
    assert st.sustained_leaderless == pytest.approx(0.0)


def test_leader_loss_moves_sustained_ones_to_the_faster_ending_state():
    a, loss, e, f = 1.0, 0.01, 0.005, 0.1
    st = equilibrium_stocks(a, 0.0, loss, 1, e, f)
    # one active month: (1 - loss) arrive led, loss arrive leaderless (and survive 1 - f)
    e_led = a * (1 - loss) ** 2
    e_free = a * (loss * (1 - f) + (1 - loss) * loss) * (1 - f)
    s_led = e_led / (1 - (1 - loss) * (1 - e))
    assert st.sustained_led == pytest.approx(s_led)
    assert st.sustained_leaderless == pytest.approx((e_free + (1 - e - f) * loss * s_led) / (e + f))
    # the whole life is shorter than without losing leaders
    assert st.sustained < equilibrium_stocks(a, 0.0, 0.0, 1, e, f).sustained


class _Pop:
    def __init__(self, sex, age_m, burnout):
        self.sex = np.asarray(sex, np.int8)
        self.age_m = np.asarray(age_m, np.int16)
        self.burnout = np.asarray(burnout, np.float32)


def test_leave_probability_is_the_demographys_death_plus_emigration_rate():
    p = load_builtin("baseline").params
    demo = Demography(p)
    pop = _Pop([0, 1, 1], [30 * 12, 70 * 12 + 5, 90 * 12], [0, 0, 0])
    rows = np.arange(3)
    got = demo.leave_probability(pop, rows)
    want = [
        demo.rates.m_death[s * N_MONTHS + a] + demo.rates.m_out[s * N_MONTHS + a]
        for s, a in zip(pop.sex.astype(int), pop.age_m.astype(int), strict=True)
    ]
    assert got == pytest.approx(want)
    assert got[2] > got[1]  # mortality rises with age


def test_quit_probability_is_the_engagement_hazard():
    p = load_builtin("baseline").params
    eng = Engagement(p)
    pop = _Pop([0, 0, 0], [40 * 12, 40 * 12, 85 * 12], [0.0, 0.5, 0.0])
    got = eng.quit_probability(pop, np.arange(3))
    assert got == pytest.approx(
        [p.quit_rate, p.quit_rate + p.quit_burnout * 0.25, 2 * p.quit_rate], rel=1e-6
    )


def _model(**params):
    scenario = load_builtin("baseline").without_interventions().with_params(params)
    return CityModel(scenario, rng=5)


def test_the_spin_up_ends_with_established_sustained_initiatives(one_thread):
    """Filled initiatives have a team (a leader who cannot gather one never gets a proposal
    to the gate) and, as many as of the active ones the spin-up saw, money short of need."""
    model = _model()
    ini, p = model.initiatives, model.params
    sustained = np.flatnonzero(ini.stage == SUSTAINED)
    assert len(sustained) > 0
    led = ini.led(model.pop, sustained)
    assert (ini.volunteers[sustained[led]] >= p.min_volunteers).all()
    assert (ini.volunteers[sustained[~led]] >= p.min_volunteers - 1).all()
    assert (ini.money[sustained] <= ini.money_need[sustained]).all()
    short = (ini.money[sustained] < ini.money_need[sustained]).mean()
    assert 0.0 < short < 1.0
    again = _model().initiatives
    assert (again.stage == SUSTAINED).sum() == len(sustained)  # one named stream, same draws


def test_a_short_spin_up_fills_nothing(one_thread):
    model = _model(spinup_months=MIN_SPINUP - 1)
    assert (model.initiatives.stage == SUSTAINED).sum() == 0


def test_submissions_are_the_proposals_times_the_rules_chance():
    """The submissions a month are the proposals a month counted times the mean chance
    (over the months observed) that the rules carry a proposal to the gate, not the few
    submissions counted."""
    from kosi_sim.agents.initiatives.start import FlowMeter

    meter = FlowMeter(months=12, proposed=36, gate_chance_sum=4 * 0.25, gate_chance_n=4)
    assert meter.submissions() == pytest.approx(36 / 12 * 0.25)
    meter.at_gate, meter.chance_sum = 4, 4 * 0.5
    assert meter.approvals() == pytest.approx(36 / 12 * 0.25 * 0.5)
    assert FlowMeter().submissions() == 0.0 and FlowMeter().approvals() == 0.0


def test_the_gate_chance_follows_the_rules(one_thread):
    """No recruits: no proposal is staffed; one person is enough and rooms are always found:
    every proposal reaches the gate; fewer rounds to recruit in, a smaller chance."""
    from kosi_sim.agents.initiatives.funnel import gate_chance

    def chance(**params):
        return gate_chance(_model(spinup_months=3, **params))

    assert chance(recruit_rate=0.0) == 0.0
    assert chance(min_volunteers=1, space_find_rate=1.0) == pytest.approx(1.0)
    assert 0.0 < chance(proposal_lifetime=2) < chance() < 1.0
