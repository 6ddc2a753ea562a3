"""Vereine (ODD 7.5): the compiled fast paths give the same bits as the plain numpy rules
(kosi_sim/agents/associations/rules.py), on a small town's state after two years and on
small hand-built cases with known answers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kosi_sim.agents.associations import kernels, rules
from tests.rules_util import assert_same


@pytest.fixture(scope="module")
def city(busy_city):
    return busy_city


def test_tallies_equal_the_rule(city):
    pop, n = city.pop, city.associations.n
    (members, young, hours, rows), _ = assert_same(
        rules.tally_members, kernels.tally_members, pop, n=n
    )
    assert 0 < len(rows) < pop.n and (pop.initiative[rows] >= 0).any()
    assert members.sum() == len(rows) and 0 < young.sum() < members.sum()
    # a member also in an initiative gives the Verein half her hours
    h = np.where(pop.initiative[rows] >= 0, pop.hours[rows] / 2, pop.hours[rows])
    np.testing.assert_allclose(hours.sum(), h.astype(np.float64).sum(), rtol=1e-9)


def test_joining_equals_the_rule_and_picks_a_verein_of_the_district(city):
    pop, a = city.pop, city.associations
    rows = np.flatnonzero(pop.alive)[::5]
    grouped, bounds = a.grouped_by("district", pop.n_districts + 1)
    _, after = assert_same(
        rules.pick_weighted,
        kernels.pick_weighted,
        rows=rows,
        district=pop.district,
        u=np.random.default_rng(8).random(len(rows)),
        grouped=grouped,
        bounds=bounds,
        weight=a.attractiveness,
        choice=np.full(pop.n, -7, dtype=np.int32),
    )
    chosen = after["choice"][rows]
    assert (chosen >= 0).all()
    np.testing.assert_array_equal(a.district[chosen], pop.district[rows])


@pytest.mark.parametrize("module", [rules, kernels])
def test_joining_follows_the_appeal(module):
    """Three Vereine in district 0 with appeal 1, 0, 3: a draw below 1/4 picks the first,
    above it the third (never the one without appeal); district 1 has none."""
    choice = np.full(6, -1, dtype=np.int32)
    module.pick_weighted(
        rows=np.arange(6),
        district=np.int16([0, 0, 0, 0, 1, 0]),
        u=np.array([0.0, 0.2, 0.26, 0.99, 0.5, 0.25]),
        grouped=np.array([0, 1, 2]),
        bounds=np.array([0, 3, 3]),
        weight=np.float32([1.0, 0.0, 3.0]),
        choice=choice,
    )
    assert choice.tolist() == [0, 0, 2, 2, -1, 2]


def test_successors_equal_the_rule(city):
    pop, a = city.pop, city.associations
    members = np.flatnonzero(pop.association >= 0)
    spare = float(city.params.leader_spare_hours)
    want, _ = assert_same(
        rules.successors,
        kernels.successors,
        members=members,
        association=pop.association,
        wanted=np.random.default_rng(3).random(a.n) < 0.5,
        engaged=pop.engaged,
        leads=pop.leads,
        budget=pop.time_budget,
        hours=pop.hours,
        spare=spare,
    )
    assert 0 < len(want) < len(members)
    assert pop.engaged[want].all() and not pop.leads[want].any()
    assert (pop.time_budget[want] - pop.hours[want] >= spare).all()


def test_young_engaged_equal_the_rule(city):
    pop = city.pop
    need = np.float32(city.params.leader_spare_hours)
    (young, eligible), _ = assert_same(
        rules.young_engaged, kernels.young_engaged, pop, budget=pop.time_budget, need=need
    )
    age = pop.age_m
    want_young = pop.engaged & (age >= 18 * 12) & (age < 36 * 12)
    np.testing.assert_array_equal(young.view(bool), want_young)
    want = want_young & ~pop.leads & (pop.time_budget - pop.hours >= need)
    assert 0 < want.sum() < want_young.sum()
    np.testing.assert_array_equal(eligible.view(bool), want)


def test_members_of_dissolving_vereine_equal_the_rule(city):
    pop = city.pop
    gone = np.zeros(city.associations.n + 1, dtype=np.uint8)  # the last: in no Verein
    gone[1:-1:3] = 1
    want, _ = assert_same(rules.members_of, kernels.members_of, pop, marked=gone)
    in_verein = np.flatnonzero(pop.association >= 0)
    assert 0 < len(want) < len(in_verein)
    np.testing.assert_array_equal(want, in_verein[gone[pop.association[in_verein]] == 1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40))
def test_gift_order_equals_the_rule(rows):
    rows = np.array(rows, dtype=np.int64)
    (earlier, times), _ = assert_same(rules.gift_order, kernels.gift_order, rows=rows, n=7)
    for i, r in enumerate(rows):  # the gifts of the same Verein before this one
        assert earlier[i] == (rows[:i] == r).sum()
    assert times.tolist() == np.bincount(rows, minlength=7).tolist()
