"""Businesses (ODD 7.6) on hand-built towns: closures and openings follow the ratio of
businesses to what the district's purchasing power supports, and openings need vacant
premises.

The ODD has no profit per business: a district supports ``S_d = businesses_per_1000 / 1000
x N_d(0) x PP_d / PP_d(0)`` businesses, and with ``r_d = max(actual_d, 1) / S_d`` each
closes with ``business_closure_rate / 12 x r_d^eps`` a month, while the district opens
``Poisson(business_closure_rate / 12 x max(actual_d, 1) x r_d^-eps)``, at most its vacant
premises.  ``Businesses.step`` (phase 6, requests) and ``apply`` (phase 10) are called as
the model calls them."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.agents.businesses import SECTORS
from tests.handmade import HandModel, assert_binomial

PER_1000 = 200.0  # 0.2 businesses per inhabitant: 10 for 50 inhabitants


def town(employed: list[int], n: list[int] | None = None, vacancy=0.5, **params) -> HandModel:
    """Districts of ``n[d]`` (default 50) adults of 40 each, ``employed[d]`` of them
    employed, with the businesses their population supports and premises a share
    ``vacancy`` of them vacant; this census fixes the purchasing power of month 0."""
    n = n or [50] * len(employed)
    m = HandModel(len(employed), businesses_per_1000=PER_1000, **params)
    for d, e in enumerate(employed):
        m.add_citizens(e, district=d, engaged=False, employed=True)
        m.add_citizens(n[d] - e, district=d, engaged=False, employed=False)
    m.add_businesses([round(PER_1000 / 1000 * k) for k in n], vacancy=vacancy)
    m.take_census()
    m.businesses.supported(m.census)  # month 0: the base of the purchasing power
    return m


def employ(m: HandModel, district: int, count: int) -> None:
    """``count`` of the district's residents employed, the others not."""
    rows = np.flatnonzero(m.pop.district == district)
    m.pop.employed[rows] = False
    m.pop.employed[rows[:count]] = True
    m.take_census()


def test_purchasing_power_counts_the_employed_and_pensioners():
    m = town([50], pension_purchasing_power=0.6)
    m.add_citizens(10, age=70, engaged=False)
    m.take_census()
    assert m.businesses.purchasing_power(m.census).tolist() == [pytest.approx(50 + 0.6 * 10)]


def test_a_district_whose_purchasing_power_is_gone_loses_every_business():
    m = town([50, 50], business_closure_rate=0.1, demand_elasticity=1.0)
    employ(m, 0, 0)  # nobody earns in district 0: it supports no business
    m.businesses.step(m)
    b = m.businesses
    in_d0 = b.live[b.district[b.live] == 0]
    assert set(in_d0.tolist()) <= set(b.pending_closures.tolist())
    assert b.pending_openings[0] == 0
    closing = len(b.pending_closures)
    m.businesses.apply(m)
    assert b.per_district()[0] == 0
    assert b.closed_this_step == closing
    assert all(b.agents[r] is None for r in in_d0)


def test_where_purchasing_power_booms_every_vacant_premises_gets_a_business():
    """Everyone employed where one was: r = 10 / (10 x 50), so the expected openings are
    in the millions and the 10 vacant premises cap them."""
    m = town([1, 50], business_closure_rate=0.1, demand_elasticity=4.0)
    employ(m, 0, 50)
    assert m.premises.vacant().tolist() == [10.0, 10.0]
    m.businesses.step(m)
    b = m.businesses
    assert b.pending_openings[0] == 10
    opening, n_before = int(b.pending_openings.sum()), b.n
    m.businesses.apply(m)
    assert b.opened_this_step == opening
    new = np.arange(n_before, b.n)
    new = new[b.district[new] == 0]
    assert len(new) == 10 and (b.opened[new] == m.steps).all()
    assert ((b.csr[new] >= 0) & (b.csr[new] <= 1)).all()
    assert (b.size[new] >= 2).all() and (b.sector[new] < len(SECTORS)).all()
    assert all(b.agents[r] is not None for r in new)


def test_no_business_opens_without_vacant_premises():
    """Premises used by initiatives are not vacant either."""
    m = town([1, 1], vacancy=0.5, business_closure_rate=0.5, demand_elasticity=4.0)
    employ(m, 0, 50)
    employ(m, 1, 50)
    m.premises.by_initiatives[0] = 10  # district 0's vacant premises lent to initiatives
    m.premises.stock[1] = m.premises.by_businesses[1]  # district 1 has none left
    for _ in range(12):
        m.businesses.step(m)
        assert m.businesses.pending_openings.tolist() == [0, 0]


def test_closures_and_openings_follow_the_ratio_to_the_supported_number():
    """District 0 (100 businesses) lost half its purchasing power: r = 2, closure hazard
    rate / 12 x 2^eps, openings rate / 12 x 100 x 2^-eps a month.  District 1 supports
    5 but has none: r = max(0, 1) / 5, openings rate / 12 x 1 x 5^eps."""
    rate, eps, months = 0.5, 2.0, 200
    m = town([500, 25], n=[500, 25], business_closure_rate=rate, demand_elasticity=eps)
    b = m.businesses
    b.remove(b.live[b.district[b.live] == 1])
    m.premises.by_businesses[1] = 0  # its 10 premises vacant
    employ(m, 0, 250)
    closures = np.zeros(2, dtype=int)
    openings = np.zeros(2, dtype=int)
    for _ in range(months):  # requests only: independent draws on the same state
        b.step(m)
        closures += np.bincount(b.district[b.pending_closures], minlength=2)
        openings += b.pending_openings
    assert_binomial(closures[0], 100 * months, rate / 12 * 2.0**eps)
    assert closures[1] == 0
    for d, mean in enumerate([rate / 12 * 100 * 2.0**-eps, rate / 12 * 5.0**eps]):
        total = mean * months  # Poisson: the variance is the mean
        assert abs(openings[d] - total) < 5 * np.sqrt(total), (d, openings[d], total)
