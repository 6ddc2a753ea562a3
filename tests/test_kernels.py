"""The compiled kernels that are bookkeeping, not model rules, give numpy's bits.

Every submodel's rules ship as plain numpy (``rules.py`` beside ``kernels.py`` in
kosi_sim/network/, engagement/, demography/, agents/associations/, agents/initiatives/,
agents/businesses/), and their kernels are checked against them in tests/test_rules_*.py.
The kernels left here (census, row selections, the initiatives' member rows) are checked
against the numpy code they replaced, and the kernels as a whole for thread-count
independence.  They run on a small city's state after a few years, with burnout, grant
exposure and initiative membership spread so that every branch is taken.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kosi_sim.model import CityModel
from kosi_sim.scenario import from_dict
from tests.conftest import SMALL


@pytest.fixture(scope="module")
def city(busy_city):
    return busy_city


def test_member_rows_match_numpy(city):
    """The rows of everyone in an initiative (bookkeeping: the tracked member rows, left
    compiled on both paths) are ``np.flatnonzero(initiative >= 0)``."""
    from kosi_sim.agents.initiatives import _rows_in_initiatives

    members = np.flatnonzero(city.pop.initiative >= 0)
    assert len(members) > 0
    np.testing.assert_array_equal(_rows_in_initiatives(city.pop.initiative), members)


def test_results_do_not_depend_on_the_number_of_threads():
    import numba

    def run(threads):
        numba.set_num_threads(threads)
        model = CityModel(from_dict(copy.deepcopy(SMALL), "small"))
        model.run(13)
        return model.metrics_frame(), model.pop.burnout.copy(), model.pop.contacts.copy()

    before = numba.get_num_threads()
    try:
        one, many = run(1), run(numba.config.NUMBA_NUM_THREADS)
    finally:
        numba.set_num_threads(before)
    assert one[0].equals(many[0])
    np.testing.assert_array_equal(one[1], many[1])
    np.testing.assert_array_equal(one[2], many[2])


def test_two_models_stepping_in_threads_match_serial_runs():
    import threading

    def run(out, key):
        model = CityModel(from_dict(copy.deepcopy(SMALL), "small"))
        model.run(13)
        out[key] = model.metrics_frame()

    serial: dict = {}
    run(serial, "a")
    threaded: dict = {}
    workers = [threading.Thread(target=run, args=(threaded, k)) for k in ("a", "b")]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert threaded["a"].equals(serial["a"]) and threaded["b"].equals(serial["a"])


def test_census_matches_the_numpy_cross_tabulation(city):
    pop, cutoff = city.pop, city.params.willing_cutoff
    n_d = pop.n_districts
    engaged = np.flatnonzero(pop.engaged)
    before = pop.hours.copy()
    # hours on and next to the rounding edges (half to even: 2.5 -> 2, 5.5 -> 6)
    edges = np.float32([2.5, 5.5, np.nextafter(2.5, 3), np.nextafter(5.5, 5), 3.0, 6.0])
    pop.hours[engaged[: 6 * 20]] = np.repeat(edges, 20)
    try:
        _check_census(pop, cutoff, n_d, engaged)
    finally:
        pop.hours[:] = before


def test_census_count_selects_like_numpy_indexing(city):
    """``Census.count`` (cached cell numbers) equals indexing the count array directly."""
    counts = city.census.counts
    selections = [
        {},
        {"band": [1, 2], "eng": [1, 2, 3]},
        {"band": 6, "willing": 1, "eng": 0},
        {"eng": slice(1, None), "member": 1},
        {"band": [5, 6], "trusting": 0, "employed": [1]},
        {"band": [], "eng": 2},
        {"band": -1},
    ]
    names = ("band", "eng", "willing", "trusting", "member", "employed")
    for sel in selections:
        sub = counts
        for axis, name in enumerate(names, start=1):
            index = sel.get(name, slice(None))
            if isinstance(index, slice):
                sub = sub[(slice(None),) * axis + (index,)]
            else:
                sub = np.take(sub, np.atleast_1d(index).astype(np.int64), axis=axis)
        want = sub.reshape(len(sub), -1).sum(axis=1)
        np.testing.assert_array_equal(city.census.count(**sel), want)
        assert city.census.count(**sel).sum() <= counts.sum()


def _check_census(pop, cutoff, n_d, engaged):
    from kosi_sim.census import _BAND_CELL, _CELLS, SHAPE, Census

    cell = np.take(_BAND_CELL, pop.age_m, mode="clip")
    rounded = np.rint(pop.hours[engaged])
    cell[engaged] += 1 + (rounded >= 3).view(np.int8) + (rounded >= 6).view(np.int8)
    for flag in (pop.willingness >= cutoff, pop.trust >= 0.5, pop.association >= 0, pop.employed):
        cell *= 2
        cell += flag
    code = pop.district.astype(np.intp) * _CELLS + cell
    counts = np.bincount(code, minlength=(n_d + 1) * _CELLS).reshape(n_d + 1, *SHAPE)[:n_d]
    district = pop.district[engaged].astype(np.intp)
    census = Census(pop, cutoff)
    np.testing.assert_array_equal(census.counts, counts)
    # sums in blocks of rows (in a fixed order): equal up to rounding
    np.testing.assert_allclose(
        census.hours,
        np.bincount(district, weights=pop.hours[engaged], minlength=n_d + 1)[:n_d],
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        census.burnout_engaged,
        np.bincount(district, weights=pop.burnout[engaged], minlength=n_d + 1)[:n_d],
        rtol=1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=200), st.integers(1, 5))
def test_census_code_counts_match_bincount(codes, n_parts):
    """The census's code tally (slices of rows, several tallies per slice) equals
    ``np.bincount`` for any number of slices, including slices shorter than the lanes."""
    from kosi_sim.census import _count_codes

    codes = np.array(codes, dtype=np.int32)
    want = np.bincount(codes, minlength=10)
    np.testing.assert_array_equal(_count_codes(codes, 10, n_parts), want)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 4)), max_size=300),
    st.integers(5, 8),
)
def test_selections_match_numpy(rows, n_groups):
    from kosi_sim.select import count_grouped, nonzero, nonzero_grouped

    mask = np.array([m for m, _ in rows], dtype=bool)
    group = np.array([g for _, g in rows], dtype=np.int16)
    want = np.flatnonzero(mask)
    np.testing.assert_array_equal(nonzero(mask), want)
    np.testing.assert_array_equal(nonzero(mask.view(np.uint8)), want)  # read as 64-bit words
    got, counts = nonzero_grouped(mask, group, n_groups)
    np.testing.assert_array_equal(got, want[np.argsort(group[want], kind="stable")])
    np.testing.assert_array_equal(counts, np.bincount(group[want], minlength=n_groups))
    np.testing.assert_array_equal(count_grouped(mask.view(np.uint8), group, n_groups), counts)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 4)), min_size=1, max_size=300),
    st.integers(0, 299),
    st.sampled_from([-1, 5, 6, 32000]),
)
def test_grouped_selections_refuse_codes_out_of_range(rows, at, code):
    """A selected row whose group is outside [0, n_groups) raises IndexError (it used to
    write past the counts array); a row that is not selected may hold any code."""
    from kosi_sim.select import count_grouped, nonzero_grouped

    mask = np.array([m for m, _ in rows], dtype=bool)
    group = np.array([g for _, g in rows], dtype=np.int16)
    at %= len(rows)
    group[at] = code
    if mask[at]:
        with pytest.raises(IndexError, match="group code"):
            nonzero_grouped(mask, group, 5)
        with pytest.raises(IndexError, match="group code"):
            count_grouped(mask, group, 5)
    else:
        want = np.flatnonzero(mask)
        np.testing.assert_array_equal(
            nonzero_grouped(mask, group, 5)[1], count_grouped(mask, group, 5)
        )
        assert nonzero_grouped(mask, group, 5)[1].sum() == len(want)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 60), max_size=40, unique=True),
    st.lists(st.integers(0, 70), min_size=1, max_size=12),
)
def test_member_rows_insert_matches_union(rows, new):
    from kosi_sim.agents.initiatives import insert_sorted

    rows = np.array(sorted(rows), dtype=np.int64)
    for dtype in (np.int64, np.int32):  # recruits come as contacts' rows (int32)
        got = insert_sorted(rows, np.array(new, dtype=dtype))
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, np.union1d(rows, np.array(new, dtype=dtype)))


def test_table_grouping_is_kept_until_rows_change(city):
    """The cached district grouping is read-only and recomputed once rows are added or
    removed (businesses open and close in the structural phase)."""
    from kosi_sim.agents.businesses import Businesses

    b = Businesses(city.params, 3)
    b.add(None, 7, district=np.array([2, 0, 1, 0, 2, 2, 1], dtype=np.int16))
    rows, bounds = b.grouped_by("district", 3)
    assert not rows.flags.writeable and not bounds.flags.writeable
    assert b.grouped_by("district", 3)[0] is rows  # kept
    assert rows.tolist() == [1, 3, 2, 6, 0, 4, 5] and b.per_district().tolist() == [2, 2, 3]
    b.remove(np.array([3, 4]))
    assert b.grouped_by("district", 3)[0].tolist() == [1, 2, 6, 0, 5]
    b.add(None, 1, district=np.array([1], dtype=np.int16))
    assert b.per_district().tolist() == [1, 3, 2]


def test_bool_arrays_reach_kernels_as_byte_views():
    """Parallel kernels get bool arrays as uint8 views of the same memory (0/1); other
    arguments pass unchanged."""
    from kosi_sim.jit import as_bytes

    mask = np.array([True, False, True])
    view = as_bytes(mask)
    assert view.dtype == np.uint8 and view.tolist() == [1, 0, 1]
    view[1] = 1  # the same memory
    assert mask[1]
    ints = np.arange(3)
    assert as_bytes(ints) is ints and as_bytes(2.5) == 2.5


@settings(deadline=None)  # the first example compiles the kernel
@given(st.integers(0, 700), st.integers(0, 2**31 - 1))
def test_pairwise_sum_is_numpys_sum_bit_for_bit(n, seed):
    from kosi_sim.jit import pairwise_sum

    rng = np.random.default_rng(seed)
    values = rng.random(n + 3) * 10.0 ** rng.uniform(-6, 6, n + 3)
    assert pairwise_sum(values, 3, n) == values[3:].sum()
    big = rng.random(40 * n + 1)
    assert pairwise_sum(big, 1, len(big) - 1) == big[1:].sum()
    assert pairwise_sum(values, 0, n) == values[:n].sum()


def test_find_leaders_matches_the_loop_over_districts(city):
    """Leaders found for requests from every district (twice from some) are those of the
    plain rule: per district the citizens who can lead, in row order, engaged first at
    random, taken in turn; -1 where a district has too few."""
    ini, pop = city.initiatives, city.pop
    district = np.array([0, 1, 1, 2, 0, 3] + [1] * 3, dtype=np.int16) % pop.n_districts
    got = ini.find_leaders(city, district, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    pool = ini.can_lead(city, np.arange(pop.n))
    want = np.full(len(district), -1, dtype=np.int64)
    for d in np.unique(district):
        cand = np.flatnonzero(pool & (pop.district == d))
        cand = cand[np.argsort(~pop.engaged[cand] + rng.random(len(cand)), kind="stable")]
        asked = np.flatnonzero(district == d)
        want[asked[: len(cand)]] = cand[: len(asked)]
    assert (want >= 0).any()
    np.testing.assert_array_equal(got, want)
