"""Engagement (ODD 7.4): each compiled kernel gives the same bits as its plain numpy rule,
and the rules give the ODD's answers on small hand-built cases.

The equality tests run on a small city's state after two years, with burnout, grant
exposure, leaders and zero budgets spread so that every branch of a rule is taken.
"""

import inspect

import numpy as np
import pytest

from kosi_sim.engagement import kernels, rules
from kosi_sim.population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER, Population
from tests.rules_util import assert_same, inputs


@pytest.fixture(scope="module")
def city(busy_city):
    return busy_city


def _public(module):
    return {
        name: f
        for name, f in vars(module).items()
        if inspect.isfunction(f) and not name.startswith("_") and f.__module__ == module.__name__
    }


def test_every_kernel_has_its_rule_with_the_same_keyword_only_signature():
    fast = _public(kernels)
    assert set(fast) == {
        "life_stage", "willingness", "meets_threshold", "joiners", "effort", "burnout",
        "trust_drift", "quitters",
    }  # fmt: skip
    for name, f in fast.items():
        rule = getattr(rules, name)
        assert inspect.signature(f) == inspect.signature(rule), name
        kinds = {p.kind for p in inspect.signature(f).parameters.values()}
        assert kinds == {inspect.Parameter.KEYWORD_ONLY}, name


def test_a_positional_missing_or_unknown_argument_is_refused():
    args = dict(
        trust=np.zeros(1, np.float32),
        trust_anchor=np.zeros(1, np.float32),
        district=np.zeros(1, np.int16),
        shift_by_district=np.zeros(2, np.float32),
        trust_reversion=0.1,
    )
    kernels.trust_drift(**args)
    with pytest.raises(TypeError, match="positional"):
        kernels.trust_drift(*args.values())
    with pytest.raises(TypeError, match="missing a required argument: 'district'"):
        kernels.trust_drift(**{k: v for k, v in args.items() if k != "district"})
    with pytest.raises(TypeError, match="unexpected keyword argument 'anchor'"):
        kernels.trust_drift(**args, anchor=args["trust_anchor"])


def test_willingness(city):
    e, pop, p = city.engagement, city.pop, city.params
    assert np.count_nonzero(pop.grant_exposure) > 0
    stage = e.stage_by_month
    want, _ = assert_same(
        rules.willingness, kernels.willingness, pop, p, stage_factor_by_month=stage
    )
    assert want.dtype == np.float32 and 0 < (want > 0).mean() < 1
    rows = np.flatnonzero(pop.alive)[::7]
    np.testing.assert_array_equal(e.willingness(pop, rows), want[rows])


def test_joiners_and_the_threshold_rule(city):
    pop, p = city.pop, city.params
    want, _ = assert_same(rules.joiners, kernels.joiners, pop, p, review_key=np.uint64(3))
    assert len(want) > 0
    other = rules.joiners(**inputs(rules.joiners, pop, p, review_key=np.uint64(4)))
    assert not np.array_equal(other, want)
    rows = np.flatnonzero(pop.alive & ~pop.engaged)
    met, _ = assert_same(rules.meets_threshold, kernels.meets_threshold, pop, rows=rows)
    assert 0 < met.mean() < 1


def test_effort(city):
    pop, p = city.pop, city.params
    free_riders = np.flatnonzero(pop.alive & (pop.coop == COOP_FREE_RIDER))[:50]
    eng = np.union1d(np.flatnonzero(pop.engaged), free_riders)  # as if brought in
    assert len(eng) > 100
    for kind in (COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER):
        assert (pop.coop[eng] == kind).any()
    want, _ = assert_same(rules.effort, kernels.effort, pop, p, rows=eng)
    assert not np.array_equal(want, pop.hours[eng])


def test_burnout(city):
    pop, p = city.pop, city.params
    has_say = city.initiatives.members_have_say()
    say = has_say[pop.initiative] | pop.leads
    assert say.any() and not say.all()
    _, after = assert_same(rules.burnout, kernels.burnout, pop, p, has_say=has_say)
    assert not np.array_equal(after["burnout"], pop.burnout)
    exposed = pop.grant_exposure > 0
    assert (after["grant_exposure"][exposed] < pop.grant_exposure[exposed]).all()


def test_trust_drift(city):
    pop = city.pop
    shift = np.float32([0.05, -0.1, 0.2, 0.0])
    _, after = assert_same(
        rules.trust_drift, kernels.trust_drift, pop, shift_by_district=shift, trust_reversion=0.3
    )
    assert not np.array_equal(after["trust"], pop.trust)


def test_quitters(city):
    pop, p = city.pop, city.params
    eng = np.flatnonzero(pop.engaged)
    want, _ = assert_same(rules.quitters, kernels.quitters, pop, p, rows=eng, quit_key=np.uint64(5))
    assert len(want) > 0


def test_life_stage(city):
    e, pop, p = city.engagement, city.pop, city.params
    rows = np.flatnonzero(pop.alive)
    given = dict(rows=rows, budget_by_group=e.budget, time_budget=np.full(pop.n, -1, np.float32))
    _, after = assert_same(rules.life_stage, kernels.life_stage, pop, p, **given)
    assert 0.2 < after["employed"][rows].mean() < 0.8
    assert (after["time_budget"][~pop.alive] == -1).all()  # the dead are left alone
    assert (after["time_budget"][rows] >= 0).all()


# -- known answers of the rules (ODD 7.4) ------------------------------------------------
def _pop(n_contacts=2, **values):
    n = len(next(iter(values.values())))
    pop = Population(n_districts=1, n_contacts=n_contacts)
    contacts = values.pop("contacts", np.zeros((n, n_contacts), dtype=np.int32))
    pop.add(n, contacts=np.asarray(contacts, dtype=np.int32), **values)
    return pop


@pytest.mark.parametrize("module", [rules, kernels])
def test_willingness_known_answers(module):
    """``w = clip(E m L (1 + tw (T - 0.5)) + x (c_in (1 - m) - c_out m) - bw B, 0, 1)``."""
    stage = np.full(rules.MAX_MONTHS, 0.8, dtype=np.float32)
    stage[: rules.ENGAGEMENT_AGE_MONTHS] = 0.0
    args = dict(
        age_m=np.int16([30 * 12, 30 * 12, 10 * 12, 30 * 12]),
        motivation=np.float32([0.5, 0.5, 0.9, 0.2]),
        trust=np.float32([0.5, 1.0, 0.5, 0.5]),
        burnout=np.float32([0.0, 0.5, 0.0, 0.0]),
        grant_exposure=np.float32([0.0, 0.0, 1.0, 1.0]),
        alive=np.array([True, True, True, True]),
        stage_factor_by_month=stage,
        civic_engagement=1.0,
        trust_weight=0.6,
        crowding_in=0.3,
        crowding_out=0.15,
        burnout_weight=0.6,
    )
    w = module.willingness(**args)
    # 0.5*0.8; 0.5*0.8*1.3 - 0.3; under 14: 0; 0.2*0.8 + (0.3*0.8 - 0.15*0.2)
    np.testing.assert_allclose(w, [0.4, 0.22, 0.0, 0.37], rtol=1e-6)


@pytest.mark.parametrize("module", [rules, kernels])
def test_effort_known_answers(module):
    """An altruist gives her budget, a free rider half her own level, a conditional
    cooperator mixes her own level with her giving contacts' mean (discounted outside a
    Verein); hours stay within ``[min(0.25, b), b]``."""
    pop = _pop(
        time_budget=np.float32([4, 4, 4, 4, 0.1]),
        motivation=np.float32([0.5, 0.5, 0.5, 0.5, 0.5]),
        coop=np.int8([COOP_ALTRUIST, COOP_FREE_RIDER, COOP_CONDITIONAL, COOP_CONDITIONAL, 0]),
        association=np.int32([-1, -1, -1, 0, -1]),
        hours=np.float32([3, 0, 0, 0, 0]),
        contacts=[[1, 0], [0, 0], [0, 1], [0, 0], [1, 1]],
    )
    given = dict(civic_engagement=1.0, peer_discount=0.9, peer_weight=0.2)
    h = module.effort(**inputs(module.effort, pop, rows=np.arange(5), **given))
    # own = 2; the conditional outside a Verein sees peers' mean 3 (one giving contact)
    # the last has no giving contact (peers = own = 0.05) and is clipped up to min(0.25, b)
    want = [4, 1, 0.8 * 2 + 0.2 * 0.9 * 3, 0.8 * 2 + 0.2 * 1.0 * 3, 0.1]
    np.testing.assert_allclose(h, want, rtol=1e-6)


@pytest.mark.parametrize("module", [rules, kernels])
def test_burnout_known_answers(module):
    """The engaged overloaded leader: ``B + load (h/b - 0.75) + strain - voice - rec B``;
    the inactive only recover."""
    b = np.float32([0.2, 0.2])
    x = np.float32([0.5, 0.0])
    module.burnout(
        burnout=b,
        grant_exposure=x,
        engaged=np.array([True, False]),
        leads=np.array([True, False]),
        initiative=np.int32([-1, -1]),
        hours=np.float32([4, 0]),
        time_budget=np.float32([4, 4]),
        has_say=np.array([False]),
        grant_exposure_decay=0.1,
        burnout_recovery=0.05,
        burnout_load=0.08,
        burnout_strain=0.02,
        burnout_voice=0.03,
    )
    np.testing.assert_allclose(b, [0.2 + 0.08 * 0.25 + 0.02 - 0.03 - 0.01, 0.19], rtol=1e-6)
    np.testing.assert_allclose(x, [0.45, 0.0], rtol=1e-6)


def test_quit_probability_doubles_from_80():
    p = rules.quit_probability(
        rows=np.arange(2),
        burnout=np.float32([0.5, 0.5]),
        age_m=np.int16([79 * 12 + 11, 80 * 12]),
        quit_rate=0.01,
        quit_burnout=0.2,
    )
    np.testing.assert_allclose(p, [0.06, 0.12], rtol=1e-6)
