"""Initiatives (ODD 7.8, with the gate of 7.7) on hand-built cases: the stage rules from
idea to sustained, recruitment, and the failure and ending hazards term by term.

``Initiatives.step`` is called as the model's phase 7 calls it.  The pipeline's start at
the end of the spin-up (equilibrium.py) is not tested here."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.agents.initiatives import (
    ACTIVE,
    DROPPED,
    ENDED,
    FAILED,
    GATE,
    IDEA,
    PROPOSAL,
    REJECTED,
    SUSTAINED,
)
from kosi_sim.population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER
from tests.handmade import OPEN_GATE, HandModel, assert_binomial

#: no new ideas, no hazards, an open gate, no partners, no recruiting
STILL = {
    **OPEN_GATE,
    "idea_rate": 0.0,
    "fail_base": 0.0,
    "fail_understaffed": 0.0,
    "fail_leaderless": 0.0,
    "fail_underfunded": 0.0,
    "fail_burnout": 0.0,
    "sustained_end_rate": 0.0,
    "business_search": 0.0,
    "recruit_rate": 0.0,
}


def town(n_citizens: int = 60, **params) -> HandModel:
    """A town of ``n_citizens`` engaged adults (rows 0...) with its books open."""
    m = HandModel(**{**STILL, **params})
    m.add_citizens(n_citizens)
    m.open_books()
    return m


def led(m: HandModel, stage: int, n: int = 1, team: int = 0, **columns) -> np.ndarray:
    """``n`` initiatives in ``stage``, each led by a new citizen and with ``team`` more
    volunteers (new citizens)."""
    leaders = m.add_citizens(n)
    rows = m.add_initiatives(n, stage, leaders, **columns)
    for r in rows:
        m.enrol(m.add_citizens(team), int(r))
    return rows


def stages(m: HandModel, rows) -> list[int]:
    return m.initiatives.stage[rows].tolist()


# -- ideas (rule 1) ---------------------------------------------------------------------------


def test_ideas_come_from_the_free_engaged_more_where_needs_are_unmet():
    """Poisson(idea_rate / 12 x E / 1000 x (1 + need_weight x mean gap)) a month, E the
    engaged who neither lead nor belong to an initiative; domains in proportion to
    0.25 + gap; the holder one of E; space needed in the space domain or with
    space_share; money need money_need_median x LogNormal(0, 1)."""
    m = town(n_citizens=0, idea_rate=100.0, need_weight=2.0, idea_conversion=0.0, idea_lifetime=60)
    free = m.add_citizens(1200)
    m.add_citizens(300, leads=True)
    m.add_citizens(300, engaged=False)
    led(m, PROPOSAL, n=100, team=2)  # 300 in initiatives
    m.services.coverage[:] = np.array([[0.0], [0.5], [1.0], [1.7]])  # gap 1, 0.5, 0, 0
    months, before = 40, m.initiatives.n
    for _ in range(months):
        m.initiatives.step(m)
    ini = m.initiatives
    ideas = np.arange(before, ini.n)
    mean = 100.0 / 12 * 1200 / 1000 * (1 + 2.0 * 0.375) * months
    assert abs(len(ideas) - mean) < 5 * np.sqrt(mean)
    assert (ini.stage[ideas] == IDEA).all()
    assert set(ini.holder[ideas].tolist()) <= set(m.pop.uid[free].tolist())
    domains = np.bincount(ini.domain[ideas], minlength=4)
    for d, share in enumerate([0.5, 0.3, 0.1, 0.1]):  # (0.25 + gap) / 2.5
        assert_binomial(int(domains[d]), len(ideas), share)
    space = ini.needs_space[ideas]
    assert space[ini.domain[ideas] == 3].all()
    assert_binomial(
        int(space[ini.domain[ideas] < 3].sum()), int((ini.domain[ideas] < 3).sum()), 0.4
    )
    log_need = np.log(ini.money_need[ideas] / m.params.money_need_median)
    assert abs(log_need.mean()) < 5 / np.sqrt(len(ideas))
    assert abs(log_need.std() - 1.0) < 0.1


# -- idea -> proposal ---------------------------------------------------------------------


def _idea(m: HandModel, holder: int) -> int:
    row = m.initiatives.add(None, 1, agents=False, stage=IDEA, holder=m.pop.uid[holder], district=0)
    return int(row[0])


def test_an_idea_becomes_a_proposal_led_by_its_holder():
    m = town(idea_conversion=1.0)
    holder = int(m.add_citizens(1)[0])
    row = _idea(m, holder)
    m.initiatives.step(m)
    ini, pop = m.initiatives, m.pop
    assert ini.stage[row] == PROPOSAL
    assert ini.leader[row] == pop.uid[holder] and pop.leads[holder]
    assert pop.initiative[holder] == row and ini.volunteers[row] == 1
    assert ini.agents[row] is not None  # a Mesa Agent from the proposal on
    assert ini.events["proposals"] == 1


def test_else_an_altruist_contact_leads_and_becomes_engaged():
    """The holder cannot lead (no spare time); of her contacts a conditional cooperator
    and an altruist could: the altruist, not engaged so far, leads and is enlisted."""
    m = town(idea_conversion=1.0)
    holder = int(m.add_citizens(1, hours=10.0, time_budget=10.0)[0])
    conditional = int(m.add_citizens(1, coop=COOP_CONDITIONAL)[0])
    altruist = int(m.add_citizens(1, engaged=False, coop=COOP_ALTRUIST, time_budget=3.0)[0])
    m.connect(holder, [conditional, altruist])
    row = _idea(m, holder)
    m.initiatives.step(m)
    pop = m.pop
    assert m.initiatives.leader[row] == pop.uid[altruist]
    assert pop.engaged[altruist] and pop.hours[altruist] == pytest.approx(1.0)
    assert not pop.leads[holder] and not pop.leads[conditional]


@pytest.mark.parametrize(
    "who",
    [
        {"coop": COOP_FREE_RIDER},
        {"age": 17.5},
        {"leads": True},
        {"hours": 9.5, "time_budget": 10.0},  # 0.5 h spare, 1 h needed
    ],
    ids=["free rider", "under 18", "leads already", "no spare time"],
)
def test_nobody_who_cannot_lead_takes_up_an_idea(who):
    m = town(idea_conversion=1.0, idea_lifetime=6)
    holder = int(m.add_citizens(1, **who)[0])
    row = _idea(m, holder)
    m.initiatives.step(m)
    assert m.initiatives.stage[row] == IDEA and m.initiatives.leader[row] == -1


def test_the_trained_need_half_the_spare_time_to_lead():
    m = town(idea_conversion=1.0)
    holder = int(m.add_citizens(1, hours=9.4, time_budget=10.0, trained=True)[0])  # 0.6 h
    row = _idea(m, holder)
    m.initiatives.step(m)
    assert m.initiatives.stage[row] == PROPOSAL


def test_ideas_convert_at_the_declared_monthly_rate():
    m = town(idea_conversion=0.3)
    rows = [_idea(m, int(h)) for h in m.add_citizens(400)]
    m.initiatives.step(m)
    assert_binomial(int((m.initiatives.stage[rows] == PROPOSAL).sum()), 400, 0.3)


def test_an_idea_nobody_takes_up_is_dropped_after_idea_lifetime_months():
    m = town(idea_conversion=0.0, idea_lifetime=4)
    row = _idea(m, int(m.add_citizens(1)[0]))
    for month in range(1, 6):
        m.initiatives.step(m)
        assert m.initiatives.stage[row] == (IDEA if month <= 4 else DROPPED), month
    assert not m.initiatives.alive[row]


# -- proposal: recruitment, submission, dropping ------------------------------------------


def test_a_leader_recruits_every_suitable_contact_at_recruit_rate_one():
    """Suitable: alive, in no initiative, no free rider, engaged or willing, 0.5 h spare;
    recruited while the initiative had fewer than target_volunteers at the month's start
    (all suitable contacts of that month, even beyond the target)."""
    m = town(recruit_rate=1.0, target_volunteers=3, min_volunteers=50)
    (row,) = led(m, PROPOSAL)
    leader = m.pop.rows_of(m.initiatives.leader[row])[0]
    ok = m.add_citizens(3)
    willing = m.add_citizens(1, engaged=False, willingness=0.9)  # willing, not engaged
    free_rider = m.add_citizens(1, coop=COOP_FREE_RIDER)
    idle = m.add_citizens(1, engaged=False, willingness=0.0)
    busy = m.add_citizens(1, hours=9.6, time_budget=10.0)  # 0.4 h spare
    (other,) = led(m, PROPOSAL, team=1)
    taken = np.flatnonzero(m.pop.initiative == other)[1:]  # in another initiative
    m.connect(leader, np.concatenate((ok, willing, free_rider, idle, busy, taken)))
    m.initiatives.step(m)
    pop = m.pop
    recruits = np.concatenate((ok, willing))
    assert (pop.initiative[recruits] == row).all()
    assert m.initiatives.volunteers[row] == 1 + 4  # beyond the target of 3
    assert pop.engaged[willing].all() and pop.hours[willing] == pytest.approx(1.0)
    assert (pop.initiative[np.concatenate((free_rider, idle, busy))] == -1).all()
    assert pop.initiative[taken] == other
    m.initiatives.step(m)  # now at the target: nobody else
    more = m.add_citizens(1)
    m.connect(leader, more)
    m.initiatives.step(m)
    assert pop.initiative[more] == -1


def test_a_ready_proposal_is_submitted_in_the_month():
    m = town(min_volunteers=3, space_find_rate=0.0)
    ready = led(m, PROPOSAL, team=2)
    short = led(m, PROPOSAL, team=1)
    roomless = led(m, PROPOSAL, team=2, needs_space=True)
    housed = led(m, PROPOSAL, team=2, needs_space=True, has_space=True)
    m.initiatives.step(m)
    assert m.initiatives.stage[ready[0]] in (GATE, ACTIVE)  # ACTIVE if decided at once
    assert m.initiatives.stage[housed[0]] in (GATE, ACTIVE)
    assert stages(m, np.concatenate((short, roomless))) == [PROPOSAL, PROPOSAL]
    assert m.initiatives.events["submitted"] == 2


def test_a_proposal_that_is_never_ready_is_dropped_after_proposal_lifetime_months():
    m = town(min_volunteers=3, proposal_lifetime=5)
    (row,) = led(m, PROPOSAL)
    leader = m.pop.rows_of(m.initiatives.leader[row])[0]
    for month in range(1, 7):
        m.initiatives.step(m)
        assert m.initiatives.stage[row] == (PROPOSAL if month <= 5 else DROPPED), month
    assert m.pop.initiative[leader] == -1 and not m.pop.leads[leader]


@pytest.mark.parametrize("stage", [IDEA, PROPOSAL], ids=["idea", "proposal"])
def test_nothing_moves_on_after_its_lifetime(stage):
    m = town(idea_conversion=1.0, idea_lifetime=4, min_volunteers=3, proposal_lifetime=4)
    if stage == IDEA:
        holder = int(m.add_citizens(1, hours=10.0, time_budget=10.0)[0])  # cannot lead yet
        row = _idea(m, holder)
    else:
        (row,) = led(m, PROPOSAL)  # short of volunteers
    for _ in range(4):
        m.initiatives.step(m)
    assert m.initiatives.stage[row] == stage
    if stage == IDEA:  # in month 5 she could lead: too late
        m.pop.hours[holder] = 2.0
    else:  # in month 5 it would be ready: too late
        m.enrol(m.add_citizens(2), int(row))
    m.initiatives.step(m)
    assert m.initiatives.stage[row] == DROPPED


def test_a_proposal_collects_money_from_its_volunteers_and_a_business_partner():
    """volunteer_contribution x volunteers a month; once, a business partner (found with
    business_search x mean CSR of the district: 1 here) gives business_gift and, with
    business_space_share (1 here), rooms."""
    partner = {"business_search": 1.0, "business_gift": 700.0, "business_space_share": 1.0}
    m = town(min_volunteers=50, volunteer_contribution=20.0, space_find_rate=0.0, **partner)
    m.add_businesses([4])
    m.businesses.csr[:] = 1.0
    rows = led(m, PROPOSAL, n=2, team=2, needs_space=True)
    m.initiatives.step(m)
    ini = m.initiatives
    assert ini.money[rows].tolist() == [3 * 20.0 + 700.0] * 2
    assert (ini.business_partner[rows] >= 0).all() and ini.has_space[rows].all()
    m.initiatives.step(m)  # the partner gives once; the volunteers every month
    assert ini.money[rows].tolist() == [2 * 3 * 20.0 + 700.0] * 2


@pytest.mark.parametrize(
    ("find_rate", "lever", "on_premises"), [(1.0, 0.0, False), (0.0, 1.0, True)]
)
def test_rooms_are_found_by_own_search_or_on_premises_the_lab_opens(find_rate, lever, on_premises):
    """Found with space_find_rate + premises lever a month, on vacant premises with
    lever / (space_find_rate + lever)."""
    m = town(min_volunteers=50, space_find_rate=find_rate)
    m.levers.premises_open[:] = lever
    rows = led(m, PROPOSAL, n=5, needs_space=True)
    m.initiatives.step(m)
    assert m.initiatives.has_space[rows].all()
    assert (m.initiatives.on_premises[rows] == on_premises).all()
    assert m.initiatives.premises_in_use().sum() == (5 if on_premises else 0)


def test_what_partner_vereine_give_is_what_the_proposals_receive():
    m = town(min_volunteers=50, volunteer_contribution=0.0)
    (verein,) = m.add_vereine(1, funds=1000.0)  # the district's only Verein
    rows = led(m, PROPOSAL, n=200)
    m.initiatives.step(m)
    partnered = rows[m.initiatives.assoc_partner[rows] == verein]
    assert len(partnered) > 1  # about 20 found it (chance 0.1 each)
    given = 1000.0 - m.associations.funds[verein]
    assert float(m.initiatives.money[rows].sum()) == pytest.approx(given)


# -- the gate (ODD 7.7) ---------------------------------------------------------------------


@pytest.mark.parametrize("lever", [1.0, 0.5])
def test_lead_times_are_gamma_with_the_declared_mean(lever):
    """Lead time ~ Gamma(shape 2, mean approval_lead_time x lever): its draw is what is
    left plus what was waited."""
    m = town(n_citizens=0, min_volunteers=1, approval_lead_time=6.0)
    m.levers.lead_time[:] = lever
    rows = led(m, PROPOSAL, n=400)
    m.open_books()
    m.initiatives.step(m)
    ini = m.initiatives
    assert (ini.waited[rows] == 1).all()
    lead = ini.wait_left[rows] + ini.waited[rows]
    mean = 6.0 * lever
    assert abs(lead.mean() - mean) < 5 * mean / np.sqrt(2 * 400)
    assert abs(lead.var() / mean**2 - 0.5) < 0.25  # shape 2: variance mean^2 / 2


def test_the_gate_decides_in_the_month_the_lead_time_runs_out():
    m = town()
    rows = led(m, GATE, n=5, wait_left=[0.5, 1.0, 1.01, 2.0, 3.5])
    decided = decision_months(m, rows, 5)
    assert [decided[int(r)] for r in rows] == [1, 1, 2, 2, 4]
    assert m.initiatives.waited[rows].tolist() == [1, 1, 2, 2, 4]


def small_gate(proposals_per_fte: float, waited: list[int]) -> tuple[HandModel, np.ndarray]:
    """A town of 20 (100 FTE per 100,000: 0.02 FTE) with due proposals that waited
    ``waited`` months so far: the gate makes 0.02 x ``proposals_per_fte`` decisions a
    month."""
    m = HandModel(**{**STILL, "proposals_per_fte": proposals_per_fte})
    rows = led(m, GATE, n=len(waited), waited=waited)
    m.add_citizens(20 - m.pop.n)
    m.open_books()
    return m, rows


def decision_months(m: HandModel, rows: np.ndarray, months: int) -> dict[int, int]:
    """The month in which each of ``rows`` is decided (approved), in order of decision."""
    decided: dict[int, int] = {}
    for month in range(1, months + 1):
        m.initiatives.step(m)
        for r in rows:
            if m.initiatives.stage[r] == ACTIVE and int(r) not in decided:
                decided[int(r)] = month
    return decided


def test_the_gate_decides_the_longest_waiting_first_within_its_capacity():
    """0.5 decisions a month: the fraction carries over, so one decision every second
    month, the longest waiting first; the others stay due."""
    m, rows = small_gate(25.0, [5, 2, 9])
    decided = decision_months(m, rows, 7)
    assert list(decided) == [rows[2], rows[0], rows[1]]
    assert list(decided.values()) == [2, 4, 6]


def test_the_gate_credit_is_at_most_three_months_of_capacity():
    """ODD 7.7: capacity accrues in the months with due proposals and carries over up to
    three months' worth: 0.5 decisions a month saved up for 12 such months is 1.5, not 6;
    an idle gate saves nothing, so three proposals due after 11.5 months wait for the
    credit to reach a whole decision again (months 13, 15, 17)."""
    m, rows = small_gate(25.0, [0])
    a = m.administration
    for _ in range(12):
        a.gate_capacity()
    assert a.gate_credit == 1.5
    m, rows = small_gate(25.0, [0, 0, 0])
    m.initiatives.wait_left[rows] = 11.5
    assert list(decision_months(m, rows, 17).values()) == [13, 15, 17]


def test_a_gate_of_under_a_third_of_a_decision_a_month_still_decides():
    """ODD 7.7: ... or one decision, whichever is more: 0.2 decisions a month decide one
    proposal every fifth month (three months' worth, 0.6, would never make one)."""
    m, rows = small_gate(10.0, [0, 0, 0])
    assert list(decision_months(m, rows, 12).values()) == [5, 10]


def test_a_decision_rejects_postpones_or_approves_with_the_declared_chances():
    """p_reject = rejection_base x risk_aversion x 2 x risk, p_delay = delay_share x
    (1 - openness), else approved; a postponed one waits a new lead time, its waiting
    time kept."""
    m = town(
        n_citizens=10000,
        risk_aversion=1.0,
        rejection_base=0.5,
        openness=0.0,
        delay_share=0.3,
        cofunding_per_capita=0.0,
    )
    n = 400
    rows = led(m, GATE, n=n, team=1, wait_left=0.5, waited=3, risk=0.5)
    members = np.flatnonzero(np.isin(m.pop.initiative, rows))
    trust = m.pop.trust[members].copy()
    m.initiatives.step(m)
    ini, pop = m.initiatives, m.pop
    rejected, delayed, approved = (rows[ini.stage[rows] == s] for s in (REJECTED, GATE, ACTIVE))
    assert len(rejected) + len(delayed) + len(approved) == n
    assert_binomial(len(rejected), n, 0.5)
    assert_binomial(len(delayed), n, 0.3)
    assert (ini.waited[delayed] == 4).all() and (ini.wait_left[delayed] > 0).all()
    assert ini.admin_partner[approved].all() and not ini.admin_partner[delayed].any()
    assert not ini.alive[rejected].any()
    # rejection is a bad experience, approval a good one (M7)
    was = pop.initiative[members]  # -1 for the rejected, who were released
    lost = trust > pop.trust[members]
    assert (lost == (was == -1)).all()
    assert (pop.trust[members][np.isin(was, approved)] > trust[np.isin(was, approved)]).all()


@pytest.mark.parametrize("risk", [0.0, 0.25, 1.0])
def test_risk_makes_a_rejection_more_likely(risk):
    m = town(n_citizens=10000, risk_aversion=1.0, rejection_base=0.4, openness=1.0)
    rows = led(m, GATE, n=300, wait_left=0.5, risk=risk)
    m.initiatives.step(m)
    rejected = int((m.initiatives.stage[rows] == REJECTED).sum())
    assert_binomial(rejected, 300, min(0.4 * 2 * risk, 1.0))


# -- from proposal to sustained ---------------------------------------------------------------


def test_a_ready_proposal_with_no_hazard_moves_to_the_gate_active_and_sustained_on_time():
    """Submitted in month 1 with lead time L: decided (approved) in month ceil(L),
    sustained sustain_months later, and then it stays."""
    m = town(min_volunteers=3, sustain_months=5)
    (row,) = led(m, PROPOSAL, team=2)
    ini = m.initiatives
    m.initiatives.step(m)
    lead = float(ini.wait_left[row] + ini.waited[row])
    approve = max(1, int(np.ceil(lead)))
    seen = [int(ini.stage[row])]
    for _ in range(approve + 5 + 24):
        m.initiatives.step(m)
        seen.append(int(ini.stage[row]))
    want = [GATE] * (approve - 1) + [ACTIVE] * 5 + [SUSTAINED] * (len(seen) - approve - 4)
    assert seen == want
    assert ini.admin_partner[row]


def test_approval_and_sustaining_are_good_experiences_for_the_members():
    m = town(min_volunteers=3, sustain_months=3)
    gate = led(m, GATE, n=2, team=2, wait_left=0.5)
    grown = led(m, ACTIVE, n=2, team=2, months_in_stage=2)
    members = np.flatnonzero(np.isin(m.pop.initiative, np.concatenate((gate, grown))))
    trust = m.pop.trust[members].copy()
    m.initiatives.step(m)
    assert (m.initiatives.stage[gate] == ACTIVE).all()
    assert (m.initiatives.stage[grown] == SUSTAINED).all()
    assert (m.pop.trust[members] > trust).all()


# -- failure and ending hazards (rule 5) ------------------------------------------------------


def test_with_no_hazard_no_producing_initiative_ends():
    m = town(min_volunteers=3, sustain_months=12)
    understaffed = led(m, ACTIVE, n=5)
    underfunded = led(m, ACTIVE, n=5, team=2, money_need=1e6)
    leaderless = led(m, ACTIVE, n=5, team=2)
    m.pop.remove(m.pop.rows_of(m.initiatives.leader[leaderless]))
    burnt = led(m, ACTIVE, n=5, team=2)
    m.pop.burnout[np.isin(m.pop.initiative, burnt)] = 1.0
    rows = np.concatenate((understaffed, underfunded, leaderless, burnt))
    for _ in range(36):
        m.initiatives.step(m)
    assert (m.initiatives.stage[rows] == SUSTAINED).all()


CONDITIONS = ["understaffed", "leaderless", "underfunded", "burnt out"]


def _with_and_without(m: HandModel, condition: str, stage: int, n: int = 20):
    """``n`` initiatives in ``stage`` with the condition and ``n`` without it."""
    bad = led(m, stage, n=n, team=0 if condition == "understaffed" else 2)
    good = led(m, stage, n=n, team=2)
    pop, ini = m.pop, m.initiatives
    if condition == "leaderless":
        pop.remove(pop.rows_of(ini.leader[bad][: n // 2]))  # died
        left = pop.rows_of(ini.leader[bad][n // 2 :])
        pop.initiative[left] = -1  # left the initiative (and stays alive)
    elif condition == "underfunded":
        ini.money_need[np.concatenate((bad, good))] = 1000.0
        ini.money[bad] = 999.0
        ini.money[good] = 1000.0  # need met exactly
    elif condition == "burnt out":
        pop.burnout[np.isin(pop.initiative, bad)] = 1.0
    return bad, good


HAZARD_TERM = {
    "understaffed": "fail_understaffed",
    "leaderless": "fail_leaderless",
    "underfunded": "fail_underfunded",
    "burnt out": "fail_burnout",
}


@pytest.mark.parametrize("condition", CONDITIONS)
def test_a_hazard_term_of_one_ends_every_active_initiative_it_applies_to(condition):
    m = town(min_volunteers=3, **{HAZARD_TERM[condition]: 1.0})
    bad, good = _with_and_without(m, condition, ACTIVE)
    m.initiatives.step(m)
    assert (m.initiatives.stage[bad] == FAILED).all()
    assert (m.initiatives.stage[good] == ACTIVE).all()
    assert m.initiatives.events["failed"] == len(bad)


def test_the_base_hazard_and_the_mean_burnout_add_up():
    """fail_base 0.2 + fail_burnout 0.6 x mean burnout (one of two members at 1: 0.5)."""
    m = town(n_citizens=0, min_volunteers=2, fail_base=0.2, fail_burnout=0.6)
    rows = led(m, ACTIVE, n=500, team=1)
    leaders = m.pop.rows_of(m.initiatives.leader[rows])
    m.pop.burnout[leaders] = 1.0
    m.initiatives.step(m)
    assert_binomial(int((m.initiatives.stage[rows] == FAILED).sum()), 500, 0.2 + 0.6 * 0.5)


@pytest.mark.parametrize("condition", ["understaffed", "underfunded", "burnt out"])
def test_a_sustained_initiative_ignores_the_active_stage_hazards(condition):
    active_only = {"fail_base": 0.5, "fail_understaffed": 1.0, "fail_underfunded": 1.0}
    m = town(min_volunteers=3, fail_burnout=1.0, **active_only)
    bad, good = _with_and_without(m, condition, SUSTAINED)
    for _ in range(12):
        m.initiatives.step(m)
    assert (m.initiatives.stage[np.concatenate((bad, good))] == SUSTAINED).all()


def test_a_sustained_initiative_without_its_leader_ends():
    m = town(min_volunteers=3, fail_leaderless=1.0)
    bad, good = _with_and_without(m, "leaderless", SUSTAINED)
    m.initiatives.step(m)
    assert (m.initiatives.stage[bad] == ENDED).all()
    assert (m.initiatives.stage[good] == SUSTAINED).all()
    assert m.initiatives.events["ended"] == len(bad) and m.initiatives.events["failed"] == 0


def test_sustained_initiatives_end_at_the_declared_rate():
    m = town(n_citizens=0, sustained_end_rate=0.3)
    rows = led(m, SUSTAINED, n=400)
    m.initiatives.step(m)
    assert_binomial(int((m.initiatives.stage[rows] == ENDED).sum()), 400, 0.3)


def test_a_lost_leader_is_not_replaced():
    m = town(min_volunteers=3)
    (row,) = led(m, ACTIVE, team=4)
    leader = m.pop.rows_of(m.initiatives.leader[row])[0]
    m.pop.initiative[leader] = -1
    m.pop.leads[leader] = False
    for _ in range(12):
        m.initiatives.step(m)
        assert m.initiatives.stage[row] == ACTIVE
        assert not m.initiatives.led(m.pop, np.array([row]))[0]
    assert not m.pop.leads[np.flatnonzero(m.pop.initiative == row)].any()


def test_closing_releases_members_leader_and_premises_and_feeds_back():
    """A failed initiative: bad experience for its members; an ended one: none; both
    release their members (who stay engaged), the leader's role and their premises."""
    m = town(min_volunteers=3, fail_understaffed=1.0, fail_leaderless=1.0)
    failing = led(m, ACTIVE, n=3, team=1, on_premises=True)
    ending = led(m, SUSTAINED, n=3, team=2, on_premises=True)
    leaderless = m.pop.rows_of(m.initiatives.leader[ending])
    m.pop.initiative[leaderless] = -1  # left: the sustained ones end
    m.pop.leads[leaderless] = False
    pop, ini = m.pop, m.initiatives
    members = {
        s: np.flatnonzero(np.isin(pop.initiative, r)) for s, r in (("f", failing), ("e", ending))
    }
    trust = pop.trust.copy()
    m.initiatives.step(m)
    assert (ini.stage[failing] == FAILED).all() and (ini.stage[ending] == ENDED).all()
    for rows in members.values():
        assert (pop.initiative[rows] == -1).all()
        assert not pop.leads[rows].any()
        assert pop.engaged[rows].all()
    assert (pop.trust[members["f"]] < trust[members["f"]]).all()
    assert (pop.trust[members["e"]] == trust[members["e"]]).all()
    assert ini.premises_in_use().sum() == 0


def test_the_first_k_by_key_are_those_of_a_stable_sort():
    """find_leaders takes the first of a district's candidates ordered by (not engaged,
    random key) without sorting them all; the same positions as a stable argsort."""
    from kosi_sim.agents.initiatives.leaders import _first_by_key

    rng = np.random.default_rng(7)
    for n in (0, 1, 5, 200):
        keys = (rng.random(n) < 0.5) + rng.random(n)
        full = np.argsort(keys, kind="stable")
        for k in (0, 1, 3, n - 1, n, n + 4):
            if k < 0:
                continue
            assert np.array_equal(_first_by_key(keys, k), full[:k])
