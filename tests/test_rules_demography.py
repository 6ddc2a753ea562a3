"""Demography (ODD 7.2): the compiled monthly draws give the same rows and draws as the
plain numpy rule, and the rule follows the ODD on small hand-built cases."""

import numpy as np
import pytest

from kosi_sim.demography import N_MONTHS, Demography, kernels, rules
from kosi_sim.rng import uniforms
from kosi_sim.scenario import load_builtin
from tests.rules_util import assert_same, inputs


@pytest.fixture(scope="module")
def city(busy_city):
    return busy_city


def test_events_kernel_equals_the_rule(city):
    pop, rates = city.pop, city.demography.rates
    given = dict(
        events_key=np.uint64(2),
        births_key=np.uint64(3),
        event_rate=rates.m_event,
        birth_rate=rates.m_birth,
    )
    want = rules.events(**inputs(rules.events, pop, **given))
    got = kernels.events(**inputs(kernels.events, pop, **given))
    for w, g in zip(want, got, strict=True):
        assert w.dtype == g.dtype
        np.testing.assert_array_equal(g, w)
    events, u, mothers = want
    assert len(events) > 0 and len(mothers) > 0
    np.testing.assert_array_equal(u, uniforms(np.uint64(2), pop.uid[events]))
    assert pop.alive[events].all() and (pop.sex[mothers] == 1).all()


def test_one_draw_decides_death_emigration_or_a_move():
    rows = np.arange(6)
    u = np.float32([0.0, 0.009, 0.01, 0.02, 0.029, 0.03])
    deaths, emigrants, movers = rules.split_events(rows, u, np.float32(0.01), np.float32(0.03))
    assert deaths.tolist() == [0, 1]
    assert emigrants.tolist() == [2, 3, 4]
    assert movers.tolist() == [5]


@pytest.mark.parametrize("module", [rules, kernels])
def test_the_dead_draw_nothing_and_the_rates_are_by_sex_and_age(module):
    """A rate of 1 for women aged 30 (in months 360-371) and 0 elsewhere: exactly the living
    women of that age have an event; births likewise for men never."""
    event_rate = np.zeros(2 * N_MONTHS, dtype=np.float32)
    event_rate[N_MONTHS + 360 : N_MONTHS + 372] = 1.0
    birth_rate = np.zeros(2 * N_MONTHS, dtype=np.float32)
    birth_rate[N_MONTHS:] = 1.0
    sex = np.int8([1, 1, 0, 1, 1])
    age_m = np.int16([360, 371, 365, 372, 1400])  # the last older than the tables
    alive = np.array([True, False, True, True, True])
    events, u, mothers = module.events(
        events_key=np.uint64(1),
        births_key=np.uint64(2),
        uid=np.arange(5, dtype=np.int64),
        alive=alive,
        sex=sex,
        age_m=age_m,
        event_rate=event_rate,
        birth_rate=birth_rate,
    )
    assert events.tolist() == [0]
    assert mothers.tolist() == [0, 3, 4]
    assert len(u) == 1


def test_rates_follow_the_declared_parameters():
    """Fertility sums to the TFR over the fertile ages; at zero pressure the monthly
    emigration rate is ``out_migration_rate x profile / 12`` with the profile's population
    mean 1; death probabilities are ``1 - exp(-mu / 12)``."""
    p = load_builtin("baseline").params
    r = Demography(p).rates
    assert r.asfr.sum() == pytest.approx(p.total_fertility_rate)
    assert r.asfr[:15].sum() == 0 and r.asfr[50:].sum() == 0
    np.testing.assert_allclose(r.p_death, 1 - np.exp(-r.annual_hazard / 12), rtol=1e-6)
    np.testing.assert_allclose(r.m_leave, r.m_death + r.m_out)
    assert r.p_out.max() > r.p_out[70]  # the young leave more often


def test_ageing_kernel_equals_the_rule_and_the_dead_do_not_age():
    """A month older for the living only (in place, int16 kept); the rows now of the given
    age are the living who turned it, never the dead who died at that age."""
    rng = np.random.default_rng(1)
    age = rng.integers(0, 1300, 10_003).astype(np.int16)
    alive = rng.random(len(age)) < 0.9
    turned, after = assert_same(
        rules.age_one_month, kernels.age_one_month, age_m=age, alive=alive, months=14 * 12
    )
    assert after["age_m"].dtype == np.int16
    np.testing.assert_array_equal(after["age_m"], age + alive)
    dead_at_14 = np.flatnonzero(~alive & (age == 14 * 12))
    assert len(turned) > 0 and len(dead_at_14) > 0 and not np.isin(dead_at_14, turned).any()
    np.testing.assert_array_equal(turned, np.flatnonzero(alive & (age == 14 * 12 - 1)))
