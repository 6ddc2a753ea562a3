"""Housing: households occupy dwellings, arrivals need free ones, the stock follows demand."""

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kosi_sim.housing import SECTION, Housing, age_group, allocate, headship
from kosi_sim.model import CityModel
from kosi_sim.scenario import builtin_names, resolve

P = SimpleNamespace(**{p.name: p.default for p in SECTION.params})


def _housing(dwellings, households, **params) -> Housing:
    h = Housing(SimpleNamespace(**{**vars(P), **params}), [None] * 0)
    h.n = len(dwellings)
    h.dwellings = np.asarray(dwellings, dtype=float)
    h.households = np.asarray(households, dtype=float)
    h.households_last_year = h.households.copy()
    return h


def test_age_groups_and_headship():
    years = np.array([0, 17, 18, 34, 35, 64, 65, 99])
    assert age_group(years * 12).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    share = headship(years * 12, P)
    assert share[:2].tolist() == [0.0, 0.0]
    assert share[2] == pytest.approx(1 / P.household_size_adults)
    assert share[-1] == pytest.approx(1 / P.household_size_65plus)


def test_vacancy_stays_in_range_when_demand_exceeds_the_stock():
    h = _housing([100.0, 50.0, 0.0], [120.0, 10.0, 0.0])
    assert h.vacancy().tolist() == pytest.approx([0.0, 0.8, 0.0])
    assert h.shortage().tolist() == pytest.approx([20.0, 0.0, 0.0])
    assert (h.vacant_dwellings() >= 0).all()


def _allocate(need, origin, free, seed=1, affinity=None):
    n = len(need)
    affinity = np.ones((4, len(free))) if affinity is None else affinity
    return allocate(
        np.asarray(need, float),
        np.full(n, 1, np.int8),
        np.asarray(origin),
        np.asarray(free, float),
        affinity,
        np.random.default_rng(seed),
    )


def test_arrivals_never_take_more_than_the_free_dwellings():
    need = np.full(50, 0.5)
    dest = _allocate(need, np.full(50, -1), [3.0, 0.0, 7.0])
    for d, free in enumerate([3.0, 0.0, 7.0]):
        assert need[dest == d].sum() <= free + 1e-9
    # 10 dwellings for 25 dwellings' worth of arrivals: exactly 20 come, the rest find none
    assert (dest >= 0).sum() == 20 and (dest == 1).sum() == 0


def test_a_full_district_pushes_arrivals_to_the_others():
    dest = _allocate(np.full(10, 1.0), np.full(10, -1), [0.0, 10.0])
    assert (dest == 1).all()


def test_movers_never_move_within_their_district_and_free_their_dwelling():
    # two districts, one free dwelling in B; the A->B mover's dwelling in A lets the
    # B->A mover move in a later round
    dest = _allocate([1.0, 1.0], [0, 1], [0.0, 1.0], seed=3)
    assert dest.tolist() == [1, 0]
    # a single district: nobody can move
    assert (_allocate([1.0, 1.0], [0, 0], [5.0]) == -1).all()


def test_affinity_steers_arrivals():
    affinity = np.ones((4, 2))
    affinity[1] = [1.0, 9.0]  # young adults prefer district 1 nine to one
    dest = _allocate(np.full(2000, 0.01), np.full(2000, -1), [100.0, 100.0], affinity=affinity)
    assert (dest == 1).mean() == pytest.approx(0.9, abs=0.03)


def test_stock_builds_in_a_tight_market_within_the_largest_rate():
    h = _housing([100.0], [100.0])  # no vacancy: below the band
    h.adjust_stock()
    assert 100.0 < h.dwellings[0] <= 100.0 * (1 + P.max_construction_rate) + 1e-9


def test_stock_follows_growth_in_a_tight_market():
    h = _housing([1000.0], [990.0], housing_adjustment_rate=0.0)
    h.households_last_year = np.array([985.0])
    h.households = np.array([995.0])  # vacancy 0.5%, below the band; grew by 10
    h.adjust_stock()
    assert h.dwellings[0] == pytest.approx(1000.0 + 10.0 / (1 - P.vacancy_band_low))


def test_stock_is_demolished_slowly_when_vacancy_is_high():
    h = _housing([1000.0], [700.0])  # 30% vacant
    h.adjust_stock()
    assert h.dwellings[0] == pytest.approx(1000.0 * (1 - P.max_demolition_rate))
    h = _housing([1000.0], [950.0])  # 5%: inside the band, nothing happens
    h.adjust_stock()
    assert h.dwellings[0] == pytest.approx(1000.0)


def test_affinity_keeps_young_districts_young():
    """Over 20 years, the spread of the 65+ share between districts stays at least half as
    wide as at the start (with residential sorting) and narrows more without it."""
    spreads = {}
    for sorting in (0.0, 1.0):
        scn = resolve("dortmund", {"scale": 0.02, "residential_sorting": sorting})
        model = CityModel(scn)
        model.run(240)
        share = np.array(
            [model.recorder.series("share_65plus", d) for d in range(model.n_districts)]
        )
        spreads[sorting] = (np.ptp(share[:, 0]), np.ptp(share[:, -1]))
    start, end = spreads[1.0]
    assert end >= 0.5 * start
    assert spreads[0.0][1] < end


SCENARIO_CASES = [(name, pressure) for name in builtin_names() for pressure in (0.0, 1.0)]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize(("name", "pressure"), SCENARIO_CASES)
def test_vacancy_in_range_in_every_district_over_twenty_years(name, pressure):
    """Every built-in scenario at today's rates and at full pressure, about 3,000 citizens,
    20 years: vacancy in [0, 1] in every district every month, and arrivals within the
    stock (a shortage can only come from households forming as children grow up)."""
    scn = resolve(name, {})
    people = sum(d.population for d in scn.districts)
    scale = min(1.0, 3000 / people)
    model = CityModel(resolve(name, {"scale": scale, "demographic_pressure": pressure}))
    for _ in range(240):
        model.step()
        v = model.housing.vacancy()
        assert ((v >= 0.0) & (v <= 1.0)).all(), f"month {model.month}: {v}"
    shortage = model.recorder.series("housing_shortage")
    assert np.nanmax(shortage) < 0.05


@given(
    st.lists(st.floats(-5.0, 50.0), min_size=1, max_size=12),
    st.integers(0, 300),
    st.integers(0, 2**31 - 1),
)
def test_allocation_never_overfills_and_never_moves_within_a_district(free, n, seed):
    """Any free stock (negative: a shortage) and any arrivals: each district takes at most
    its free dwellings plus those its leaving movers free, and no mover stays put."""
    rng = np.random.default_rng(seed)
    free = np.array(free)
    n_d = len(free)
    need = rng.choice([0.0, 1 / 1.75, 1 / 1.45], n)
    origin = np.where(rng.random(n) < 0.5, rng.integers(0, n_d, n), -1)
    dest = allocate(need, rng.integers(0, 4, n), origin, free, rng.random((4, n_d)) + 0.1, rng)
    moved = dest >= 0
    assert not (moved & (dest == origin)).any()
    taken = np.bincount(dest[moved], weights=need[moved], minlength=n_d)
    freed = np.bincount(
        origin[moved & (origin >= 0)], weights=need[moved & (origin >= 0)], minlength=n_d
    )
    assert (taken <= np.maximum(free, 0.0) + freed + 1e-9).all()


@settings(deadline=None)  # the first example compiles the kernel
@given(st.integers(1, 12), st.integers(0, 400), st.integers(0, 2**31 - 1))
def test_taking_in_order_kernel_equals_the_rule_bit_for_bit(n_d, n, seed):
    from kosi_sim.housing import kernels, rules

    rng = np.random.default_rng(seed)
    need = rng.choice([0.0, 1 / 1.75, 1 / 1.45, 0.3 * rng.random()], 2 * n + 1)
    looking = rng.permutation(2 * n + 1)[:n]
    choice = rng.integers(-1, n_d, n)
    left = rng.random(n_d) * rng.choice([1.0, 10.0, 200.0])
    results = []
    for module in (kernels, rules):
        out = (left.copy(), np.full(2 * n + 1, -1), np.zeros(n, dtype=bool))
        module.take_in_order(
            choice=choice, need=need, looking=looking, left=out[0], dest=out[1], taken=out[2]
        )
        results.append(out)
    for got, expected in zip(*results, strict=True):
        assert np.array_equal(got, expected)
    assert results[0][0].tobytes() == results[1][0].tobytes()  # the same bits
