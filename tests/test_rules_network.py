"""The contact network (ODD 7.3): the rules (plain numpy) and their kernels draw the same
ties, and both follow the ODD: local and age-homophilous initial ties, the yearly renewal
of ties to the dead and of a share of the others."""

import statistics

import numba
import numpy as np
import pytest

from kosi_sim import ruleset
from kosi_sim.network import district_index, draw_contacts, kernels, rules, update_contacts
from tests.rules_util import assert_same


@pytest.fixture(params=ruleset.CHOICES)
def impl(request):
    return request.param


def _town(seed=4, n=20_000, k=8, n_d=4):
    rng = np.random.default_rng(seed)
    alive = rng.random(n) < 0.9
    district = np.where(alive, rng.integers(0, n_d, n), n_d).astype(np.int16)
    age = rng.integers(0, 1200, n).astype(np.int16)
    contacts = rng.integers(-1, n, (n, k)).astype(np.int32)
    uid = np.arange(n) * 3 + 11
    return dict(uid=uid, alive=alive, district=district, age_m=age, n_districts=n_d), contacts


def test_kernels_equal_the_rules():
    town, contacts = _town()
    index = {
        m.__name__: m.district_index(
            district=town["district"],
            age_m=town["age_m"],
            alive=town["alive"],
            n_districts=town["n_districts"],
        )
        for m in (rules, kernels)
    }
    fast, plain = index[kernels.__name__], index[rules.__name__]
    for name in ("sorted_rows", "size", "start", "rank"):
        got, want = getattr(fast, name), getattr(plain, name)
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, name)
    rows = np.flatnonzero(town["alive"])
    ties = [
        m.place_contacts(
            key=np.uint64(3), rows=rows, slots=8, uid=town["uid"], district=town["district"],
            index=plain, locality=0.8, homophily=0.05,
        )
        for m in (rules, kernels)
    ]  # fmt: skip
    np.testing.assert_array_equal(ties[1], ties[0])
    for check_alive in (True, False):
        renewed = []
        for m in (rules, kernels):
            c = contacts.copy()
            n = m.renew_ties(
                key=np.uint64(9), contacts=c, uid=town["uid"], alive=town["alive"],
                district=town["district"], index=plain, turnover=0.1, locality=0.8,
                homophily=0.15, check_alive=check_alive,
            )  # fmt: skip
            renewed.append((n, c))
        assert renewed[0][0] == renewed[1][0] > 0
        np.testing.assert_array_equal(renewed[1][1], renewed[0][1])


def test_normal_quantile_of_one_uniform():
    """The age-rank offset's normal number: the normal quantile of the uniform's grid cell
    midpoint (Acklam's approximation, relative error below 1.2e-9), finite at 0; the rule
    and the kernel agree to within one unit in the last place (numpy's and numba's
    logarithms of the tails may round differently)."""
    u = (np.arange(0, 2**24, 997) / 2**24).astype(np.float32)
    want = [statistics.NormalDist().inv_cdf(float(x) + 2**-25) for x in u]
    fast = np.array([kernels._normal(x) for x in u])
    plain = rules.normal(u)
    np.testing.assert_allclose(fast, want, rtol=2e-9, atol=1e-12)
    np.testing.assert_allclose(plain, fast, rtol=2.3e-16, atol=0)
    central = np.abs(u - 0.5) < 0.47
    np.testing.assert_array_equal(plain[central], fast[central])
    assert np.isfinite(rules.normal(np.float32([0]))).all() and rules.normal(np.float32([0])) < -5


def test_the_district_index_sorts_the_living_by_district_and_age(impl):
    town, _ = _town(seed=2, n=3_000)
    alive, district, age = town["alive"], town["district"], town["age_m"]
    idx = district_index(district=district, age_m=age, alive=alive, n_districts=4, rules=impl)
    rows = np.flatnonzero(alive)
    want = rows[np.lexsort((age[rows], district[rows]))]
    np.testing.assert_array_equal(idx.sorted_rows, want)
    size = np.bincount(district[rows], minlength=4)
    np.testing.assert_array_equal(idx.size, size)
    np.testing.assert_array_equal(idx.start, np.cumsum(size) - size)
    assert (idx.rank[~alive] == -1).all()
    assert (idx.rank[want] == np.arange(len(want)) - np.repeat(np.cumsum(size) - size, size)).all()


def test_yearly_tie_update(impl):
    town, contacts = _town()
    alive, district = town["alive"], town["district"]
    n_d = town["n_districts"]
    dead_tie = (contacts < 0) | ~np.take(alive, contacts, mode="clip")
    dead_tie[~alive] = False

    def update(c, turnover, key, **kw):
        return update_contacts(
            contacts=c, **town, turnover=turnover, locality=0.8, homophily=0.15,
            key=np.uint64(key), rules=impl, **kw,
        )  # fmt: skip

    # no turnover: exactly the living's ties to the dead (or -1) are redrawn, to the living
    c0 = contacts.copy()
    assert update(c0, 0.0, 9) == dead_tie.sum()
    np.testing.assert_array_equal(c0 != contacts, dead_tie)
    assert alive[c0[alive]].all()
    np.testing.assert_array_equal(c0[~alive], contacts[~alive])  # the dead's ties are left

    # turnover: each other tie of the living with that probability; most new ties are local
    c1 = contacts.copy()
    renewed = update(c1, 0.1, 9)
    turned = (c1 != contacts) & ~dead_tie & alive[:, None]
    # a redrawn tie rarely lands on the same person again
    assert 0 <= renewed - dead_tie.sum() - turned.sum() < 0.01 * renewed
    share = turned.sum() / (~dead_tie & alive[:, None]).sum()
    assert abs(share - 0.1) < 0.01
    new = c1[c1 != contacts]
    rows = np.nonzero(c1 != contacts)[0]
    local = district[new] == district[rows]
    assert abs(local.mean() - (0.8 + 0.2 / n_d)) < 0.02
    # the same key gives the same ties (and a different key others)
    c2 = contacts.copy()
    update(c2, 0.1, 9)
    np.testing.assert_array_equal(c1, c2)
    update(c2 := contacts.copy(), 0.1, 10)
    assert not np.array_equal(c1, c2)

    # ties known to point to the living (after a compaction): only the -1 ties are looked
    # at, and the same ties come out as when every contact is checked
    repaired = np.where(dead_tie, -1, contacts)
    c3, c4 = repaired.copy(), repaired.copy()
    n3 = update(c3, 0.0, 9)
    n4 = update(c4, 0.0, 9, ties_to_living=True)
    assert n3 == n4 == dead_tie.sum()
    np.testing.assert_array_equal(c3, c4)


def test_initial_contacts_are_local_and_age_homophilous(impl):
    """Initial ties: local with probability ``locality`` (else anyone), local ones at an
    age-rank offset of about ``homophily`` x district size (a normal spread), the same for
    the same key and on any number of threads."""
    rng = np.random.default_rng(5)
    n, n_d, k = 40_000, 4, 8
    district = rng.integers(0, n_d, n).astype(np.int16)
    age = rng.integers(0, 1200, n).astype(np.int16)
    alive = np.ones(n, dtype=bool)
    uid = np.arange(n) * 2 + 5
    index = district_index(district=district, age_m=age, alive=alive, n_districts=n_d)
    rows = np.arange(n)

    def draw(key):
        return draw_contacts(
            rows=rows, slots=k, uid=uid, district=district, index=index, locality=0.8,
            homophily=0.05, key=np.uint64(key), rules=impl,
        )  # fmt: skip

    ties = draw(3)
    src = np.repeat(rows, k)
    dst = ties.ravel()
    local = district[dst] == district[src]
    assert abs(local.mean() - (0.8 + 0.2 / n_d)) < 0.01
    assert (dst != src)[local & (index.size[district[src]] > 1)].mean() > 0.9999  # not oneself
    # rank offsets of local ties: mostly within a normal spread of 5% of the district
    size = index.size[district[src]]
    offset = (index.rank[dst] - index.rank[src]) % size
    offset = np.where(offset > size // 2, offset - size, offset)[local]
    spread = 0.05 * size[local]
    # within one standard deviation: 68% of the local draws (94% of the same-district
    # ties; the others came from anywhere and fall there with 10%): 0.648
    inner = np.abs(offset) <= spread
    assert 0.635 < inner.mean() < 0.66
    np.testing.assert_array_equal(draw(3), ties)
    assert not np.array_equal(draw(4), ties)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        np.testing.assert_array_equal(draw(3), ties)
    finally:
        numba.set_num_threads(before)


def test_newcomers_contacts_kernel_equals_the_rule_and_are_local():
    """Newcomers of a town with 4 districts take 8 contacts each: the kernel gives the
    rule's rows; each slot is a living citizen, of her district wherever 16 tries per
    contact find one.  In a district of one (a lone newcomer, rows 0..n-1 elsewhere) the
    slots fall back on living citizens anywhere."""
    town, _ = _town()
    alive, district = town["alive"], town["district"]
    rows = np.flatnonzero(alive)[::97]
    given = dict(key=np.uint64(5), uid=town["uid"], alive=alive, rows=rows, tries=16 * 8)
    out = np.full((len(rows), 8), -9, dtype=np.int32)
    _, after = assert_same(
        rules.newcomer_contacts, kernels.newcomer_contacts, district=district, out=out, **given
    )
    ties = after["out"]
    assert (ties >= 0).all()
    assert (district[ties] == district[rows][:, None]).mean() > 0.99
    lone = district.copy()
    lone[rows[0]] = 9  # a district of her own: no local contact can be found
    _, after = assert_same(
        rules.newcomer_contacts,
        kernels.newcomer_contacts,
        district=lone,
        out=out,
        **given,
    )
    assert alive[after["out"][0]].all() and (lone[after["out"][0]] != 9).all()
