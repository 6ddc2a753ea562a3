import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kosi_sim.population import Population


def test_uids_are_stable_and_never_reused():
    pop = Population(n_districts=2, n_contacts=3)
    pop.add(5, district=0)
    pop.remove(np.array([1, 3]))
    remap = pop.compact()
    assert remap.tolist() == [0, -1, 1, -1, 2]
    assert pop.uid.tolist() == [0, 2, 4]
    rows = pop.add(2, district=1)
    assert pop.uid[rows].tolist() == [5, 6]
    assert pop.rows_of([4, 1, 6, 99]).tolist() == [2, -1, 4, -1]


_HISTORY = st.tuples(st.integers(0, 40), st.integers(0, 2**31 - 1), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(_HISTORY, max_size=12))
def test_rows_of_follows_adds_removals_and_compactions(ops):
    """The uid -> row table agrees with a search of the uids after any history, and
    compaction leaves the rows grouped by district, in their former order within one."""
    pop = Population(n_districts=2, n_contacts=1, capacity=16)
    for count, seed, compact in ops:
        rng = np.random.default_rng(seed)
        pop.add(count, district=rng.integers(0, 2, count))
        pop.remove(np.flatnonzero(rng.random(pop.n) < 0.3))
        if compact:
            before = pop.uid[pop.alive].copy(), pop.district[pop.alive].copy()
            pop.compact()
            order = np.argsort(before[1], kind="stable")
            np.testing.assert_array_equal(pop.uid, before[0][order])
            np.testing.assert_array_equal(pop.district, before[1][order])
    row_of = {int(u): r for r, u in enumerate(pop.uid) if pop.alive[r]}
    uids = np.arange(-2, pop.next_uid + 3)
    want = [row_of.get(int(u), -1) for u in uids]
    np.testing.assert_array_equal(pop.rows_of(uids), want)


def test_removed_citizens_leave_every_district():
    pop = Population(n_districts=3, n_contacts=2)
    pop.add(6, district=np.array([0, 0, 1, 1, 2, 2]))
    pop.remove(np.array([0, 5]))
    assert pop.per_district().tolist() == [1, 2, 1]
    assert pop.n_alive == 4


def test_growth_keeps_values():
    pop = Population(n_districts=1, n_contacts=2, capacity=16)
    pop.add(10, age_m=np.arange(10))
    pop.add(100, age_m=7)
    assert pop.n == 110
    assert pop.age_m[:10].tolist() == list(range(10))


def test_inspect_by_uid(small_run):
    pop = small_run.pop
    uid = int(pop.uid[np.flatnonzero(pop.alive)[0]])
    info = small_run.inspect_citizen(uid)
    assert info["uid"] == uid
    assert info["cooperation_type"] in ("conditional cooperator", "free rider", "altruist")
    with pytest.raises(KeyError):
        small_run.inspect_citizen(10**9)


def test_unknown_attribute_is_an_error():
    pop = Population(n_districts=1, n_contacts=2)
    with pytest.raises(KeyError):
        pop.add(1, shoe_size=3)
