"""The administration's books (ODD 7.7): the budget identity month by month over two years
of a small city, recomputed from the ODD's formulas, and co-funding money that leaves
the fund only to reach approved initiatives.

tests/test_budget.py checks the single rules (revenue by place, consolidation, austerity,
lagging fixed costs) on a bare administration; here they run together in a whole model
with co-funding and lab spending."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.agents.administration import revenue_per_inhabitant
from kosi_sim.agents.initiatives import ACTIVE, GATE
from kosi_sim.model import CityModel
from kosi_sim.scenario import resolve
from tests.handmade import OPEN_GATE, HandModel

MONTHS = 24
STATE = (
    "revenue",
    "costs",
    "balance",
    "debt",
    "stress",
    "planned_deficit",
    "service_budget",
    "cofunding_left",
    "cofunding_spent",
    "lab_spending",
    "consolidation",
    "cost_pop",
)


@pytest.fixture(scope="module")
def books(one_thread):
    """The classroom town with all ten instruments (lab spending) under full pressure
    (deficits beyond the plan: austerity), 20% scale, 24 months: per month the inputs of
    the accounts (population, businesses, co-funding granted) and the state before and
    after them.  A fund of EUR 5 per inhabitant and short lead times (2 months), so that
    approvals within the two years are co-funded (the default fund of a town of 1,200
    simulated people, EUR 600 a year, is less than one grant)."""
    scn = resolve(
        "classroom_toolbox",
        {
            "scale": 0.2,
            "demographic_pressure": 1.0,
            "cofunding_per_capita": 5.0,
            "approval_lead_time": 2.0,
        },
    )
    model = CityModel(scn)
    adm = model.administration
    months: list[dict] = []
    cofund, account = adm.cofund, adm.account

    def spy_cofund(amount):
        granted = cofund(amount)
        months[-1]["granted"] += float(granted.sum())
        return granted

    def spy_account(pop_alive, businesses):
        months[-1].update(n=pop_alive, b=businesses, before=_state(adm))
        account(pop_alive, businesses)
        months[-1]["after"] = _state(adm)

    new_year = adm.new_year

    def spy_new_year(pop_alive):
        new_year(pop_alive)
        months[-1].update(refilled=float(adm.cofunding_left), refill_n=pop_alive)

    adm.cofund, adm.account, adm.new_year = spy_cofund, spy_account, spy_new_year
    start = _state(adm)
    for _ in range(MONTHS):
        months.append({"granted": 0.0})
        model.step()
    return model, start, months


def _state(adm) -> dict[str, float]:
    return {k: float(getattr(adm, k)) for k in STATE}


def test_the_books_are_the_odds_formulas_every_month(books):
    """Recomputed from the population, the businesses, the co-funding granted and the
    labs' spending alone: revenue, general costs with the lagging fixed part and the
    consolidation factor, costs, balance, debt, the plan, austerity and next month's
    service budget."""
    model, start, months = books
    adm, p = model.administration, model.params
    r = revenue_per_inhabitant(model.spec.place) / 12
    m = r * 12 / revenue_per_inhabitant("large_city")
    n0, b0, c0 = adm.pop0, adm.businesses0, adm.base_costs
    k, nc, s, stress, plan, debt = (
        start[x]
        for x in (
            "consolidation",
            "cost_pop",
            "service_budget",
            "stress",
            "planned_deficit",
            "debt",
        )
    )
    assert k == 1.0 and nc == n0 and debt == 0.0
    for t, month in enumerate(months, 1):
        n, b, got = month["n"], month["b"], month["after"]
        assert month["before"]["service_budget"] == pytest.approx(s, rel=1e-12)  # last month's
        revenue = n * r * (1 + p.demographic_pressure * p.pressure_revenue) * (0.7 + 0.3 * b / b0)
        nc += (n - nc) * p.cost_adjustment_rate / 12
        f = p.fixed_cost_share
        general = c0 * k * (f * nc / n0 + (1 - f) * n / n0)
        lab = month["before"]["lab_spending"]
        costs = general + m * s + month["granted"] + lab
        balance = revenue - costs
        debt = max(0.0, debt - balance)
        k *= max(0.0, 1 + p.consolidation_rate / 12 * balance / general)
        unplanned = max(0.0, -balance / revenue - plan)
        target = min(p.austerity_response * unplanned, p.max_austerity)
        stress = min(max(stress + (target - stress) / p.austerity_months, 0.0), p.max_austerity)
        plan *= 1 - p.consolidation_rate / 12
        s = p.service_budget_share * revenue / m * (1 - stress)
        want = {
            "revenue": revenue,
            "costs": costs,
            "balance": balance,
            "debt": debt,
            "consolidation": k,
            "cost_pop": nc,
            "stress": stress,
            "planned_deficit": plan,
            "service_budget": s,
        }
        for key, value in want.items():
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (t, key)
        assert got["balance"] == got["revenue"] - got["costs"]  # exactly
        assert got["cofunding_spent"] == 0.0  # booked, then reset for next month
    # the run exercised every term: deficits beyond the plan, co-funding, lab spending
    assert max(mo["after"]["stress"] for mo in months) > 0.01
    assert sum(mo["granted"] for mo in months) > 0
    assert min(mo["before"]["lab_spending"] for mo in months) > 0


def test_lab_spending_is_what_the_instruments_spent(books):
    model, _, months = books
    recorded = model.recorder.series("lab_spending")[1:]  # simulated (not real-city) EUR
    booked = np.array([mo["before"]["lab_spending"] for mo in months])
    np.testing.assert_allclose(recorded, booked, rtol=1e-12)


def test_cofunding_leaves_the_fund_only_as_what_was_granted(books):
    """Month by month the fund shrinks by the co-funding granted and booked, except when
    it is refilled with cofunding_per_capita x N at the start of a year."""
    model, start, months = books
    left = start["cofunding_left"]
    refills = 0
    for month in months:
        if "refilled" in month:  # the new year refills the fund before anything is granted
            left = month["refilled"]
            assert left == model.params.cofunding_per_capita * month["refill_n"]
            refills += 1
        before = month["before"]
        assert before["cofunding_left"] == pytest.approx(left - month["granted"], abs=1e-9)
        assert before["cofunding_spent"] == pytest.approx(month["granted"], abs=1e-12)
        assert before["cofunding_left"] >= 0.0
        left = month["after"]["cofunding_left"]
    assert refills == MONTHS // 12


def test_cofunding_goes_to_the_oldest_approvals_while_the_fund_lasts():
    """Three approvals, each needing 1,000 EUR, co-funded at 40%: a fund of 1,000 EUR
    pays the two that waited longest and nothing to the third; the money that leaves the
    fund is the money the initiatives receive."""
    no_failure = {"fail_base": 0.0, "fail_underfunded": 0.0}
    m = HandModel(cofunding_share=0.4, cofunding_per_capita=10.0, **OPEN_GATE, **no_failure)
    leaders = m.add_citizens(3)
    rows = m.add_initiatives(3, GATE, leaders, money_need=1000.0, money=50.0, waited=[1, 7, 4])
    m.add_citizens(97)
    m.open_books()  # 100 inhabitants: a fund of 1,000 EUR, 5 decisions a month
    adm, ini = m.administration, m.initiatives
    assert adm.cofunding_left == pytest.approx(1000.0)
    m.initiatives.step(m)
    assert (ini.stage[rows] == ACTIVE).all()
    assert ini.money[rows].tolist() == [50.0, 450.0, 450.0]
    assert adm.cofunding_left == pytest.approx(200.0)
    assert adm.cofunding_spent == pytest.approx(800.0)
    received = float(ini.money[rows].sum()) - 3 * 50.0
    assert received == pytest.approx(1000.0 - adm.cofunding_left)
