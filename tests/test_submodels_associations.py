"""Vereine (ODD 7.5) on hand-built cases: counts and funds, leadership and succession,
dissolution and founding, each with a known answer.

The rules are called as the model's phases call them: ``Associations.step`` (phase 5,
requests only) and ``Associations.apply`` (phase 10, the structural changes)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.handmade import HandModel, assert_binomial

#: no dissolution and no founding unless a test asks for them
QUIET = {
    "dissolution_rate": 0.0,
    "dissolution_small": 0.0,
    "dissolution_leaderless": 0.0,
    "founding_per_1000_young_engaged": 0.0,
}


def town(**params) -> HandModel:
    return HandModel(**{**QUIET, **params})


# -- counts and funds -------------------------------------------------------------------


def test_counts_and_funds_follow_the_rule():
    """funds = max(0, funds + dues x members - fixed costs); members under 30 counted;
    a member also in an initiative gives the Verein half her hours."""
    m = town(dues_per_member=5.0, association_fixed_costs=40.0)
    big, small = m.add_vereine(2, funds=[100.0, 10.0])
    members = np.concatenate((m.add_citizens(7, hours=2.0), m.add_citizens(3, age=25, hours=2.0)))
    m.join(members, big, lead=True)
    m.pop.initiative[members[-1]] = 0  # also in an initiative: half her hours
    m.join(m.add_citizens(1, hours=4.0), small, lead=True)
    m.associations.step(m)
    a = m.associations
    assert a.members[[big, small]].tolist() == [10, 1]
    assert a.young_members[[big, small]].tolist() == [3, 0]
    assert a.hours[big] == pytest.approx(9 * 2.0 + 1.0)
    assert a.funds[big] == pytest.approx(100.0 + 5.0 * 10 - 40.0)
    assert a.funds[small] == 0.0  # 10 + 5 - 40 < 0: never below zero


# -- leadership and succession (M10) ------------------------------------------------------


def test_a_leader_who_is_still_a_living_member_keeps_leading():
    m = town(succession_rate=1.0)
    v = m.add_vereine(1)[0]
    members = m.add_citizens(8)
    m.join(members, v, lead=True)
    for _ in range(6):
        m.associations.step(m)
        assert m.associations.leader[v] == m.pop.uid[members[0]]
        assert m.associations.leaderless_months[v] == 0


@pytest.mark.parametrize("how", ["died", "left the Verein"])
def test_without_succession_a_verein_whose_leader_leaves_stays_leaderless(how):
    """succession_rate 0: the leader is dropped in the month she is gone, nobody follows
    her although every member could, and leaderless_months counts the months."""
    m = town(succession_rate=0.0)
    v = m.add_vereine(1)[0]
    members = m.add_citizens(8)
    m.join(members, v, lead=True)
    if how == "died":
        m.pop.remove(members[:1])
    else:
        m.pop.association[members[0]] = -1
    for month in range(1, 16):
        m.associations.step(m)
        assert m.associations.leader[v] == -1
        assert m.associations.leaderless_months[v] == month
        assert not m.pop.leads[members[1:]].any()


def _leaderless_with(m: HandModel, kinds: list[str]) -> tuple[int, dict[str, int]]:
    """A leaderless Verein with one member of each kind: ``eligible`` (engaged, leads
    nothing, spare time), ``idle`` (not engaged), ``leading`` (leads something else),
    ``busy`` (less spare time than leader_spare_hours), ``trained`` (eligible and trained),
    ``trained_tight`` (trained, with between half and all of leader_spare_hours spare)."""
    spare = m.params.leader_spare_hours
    v = int(m.add_vereine(1)[0])
    rows: dict[str, int] = {}  # the first member of each kind
    for kind in kinds:
        kw = {"time_budget": 10.0, "hours": 2.0}
        if kind == "idle":
            kw = {"engaged": False}
        elif kind == "leading":
            kw["leads"] = True
        elif kind == "busy":
            kw["hours"] = 10.0 - 0.9 * spare
        elif kind == "trained":
            kw["trained"] = True
        elif kind == "trained_tight":
            kw.update(trained=True, hours=10.0 - 0.75 * spare)
        row = int(m.add_citizens(1, **kw)[0])
        rows.setdefault(kind, row)
        m.join(row, v)
    return v, rows


def test_with_certain_succession_the_eligible_member_leads_in_the_month():
    m = town(succession_rate=1.0)
    cases = [_leaderless_with(m, ["idle", "leading", "busy", "eligible"]) for _ in range(5)]
    m.associations.step(m)
    for v, rows in cases:
        assert m.associations.leader[v] == m.pop.uid[rows["eligible"]]
        assert m.pop.leads[rows["eligible"]]
        assert m.associations.leaderless_months[v] == 0


def test_a_verein_without_an_eligible_member_finds_no_leader():
    m = town(succession_rate=1.0)
    v, _ = _leaderless_with(m, ["idle", "leading", "busy"])
    for month in (1, 2, 3):
        m.associations.step(m)
        assert m.associations.leader[v] == -1
        assert m.associations.leaderless_months[v] == month
    assert m.pop.leads.tolist() == [False, True, False]  # only the one who led already


def test_trained_members_are_chosen_first():
    m = town(succession_rate=1.0)
    cases = [_leaderless_with(m, ["eligible"] * 4 + ["trained"] + ["eligible"] * 3)]
    cases += [_leaderless_with(m, ["trained"] + ["eligible"] * 7) for _ in range(9)]
    m.associations.step(m)
    for v, rows in cases:
        assert m.associations.leader[v] == m.pop.uid[rows["trained"]]


def test_succession_happens_at_the_declared_monthly_rate():
    m = town(succession_rate=0.25)
    cases = [_leaderless_with(m, ["eligible"]) for _ in range(400)]
    m.associations.step(m)
    found = sum(m.associations.leader[v] >= 0 for v, _ in cases)
    assert_binomial(found, 400, 0.25)


def test_a_trained_member_needs_the_full_spare_time_to_lead_a_verein():
    m = town(succession_rate=1.0)
    v, _ = _leaderless_with(m, ["trained_tight"])
    m.associations.step(m)
    assert m.associations.leader[v] == -1


# -- dissolution (M13) ------------------------------------------------------------------


def _vereine(m: HandModel, n: int, members: int, led: bool, leaderless_months: int = 0):
    """``n`` Vereine of ``members`` engaged members each, led by the first or leaderless
    for ``leaderless_months`` already."""
    rows = m.add_vereine(n, leaderless_months=leaderless_months)
    for v in rows:
        m.join(m.add_citizens(members), int(v), lead=led)
    return rows


def test_the_monthly_dissolution_chance_is_the_annual_hazard_over_twelve():
    """hazard = dissolution_rate + dissolution_small [members < min_members]
    + dissolution_leaderless [leaderless_months >= 12], a twelfth of it a month."""
    base, small, leaderless = 0.5, 2.0, 2.0
    m = town(
        dissolution_rate=base,
        dissolution_small=small,
        dissolution_leaderless=leaderless,
        min_members=3,
        succession_rate=0.0,
    )
    n = 400
    groups = {  # the Vereine and their annual hazard
        "healthy": (_vereine(m, n, 3, led=True), base),
        "small": (_vereine(m, n, 2, led=True), base + small),
        "leaderless a year": (
            _vereine(m, n, 3, led=False, leaderless_months=11),
            base + leaderless,
        ),
        "both": (_vereine(m, n, 2, led=False, leaderless_months=11), base + small + leaderless),
    }
    months = 10  # requests only (nothing applied): ten independent months
    dissolved = np.zeros(m.associations.n, dtype=int)
    for _ in range(months):
        m.associations.step(m)
        dissolved[m.associations.pending_dissolution] += 1
    for rows, hazard in groups.values():
        assert_binomial(int(dissolved[rows].sum()), n * months, hazard / 12)


def test_without_a_hazard_no_verein_dissolves():
    m = town(succession_rate=0.0, min_members=7)
    _vereine(m, 50, 1, led=False)  # small and leaderless for years
    for _ in range(36):
        m.associations.step(m)
        assert len(m.associations.pending_dissolution) == 0
        m.associations.apply(m)
    assert m.associations.count() == 50


def test_the_leaderless_hazard_starts_in_the_twelfth_month_without_a_leader():
    m = town(dissolution_leaderless=2.0, succession_rate=0.0)
    rows = _vereine(m, 300, 8, led=False)
    for month in range(1, 13):
        m.associations.step(m)
        pending = len(m.associations.pending_dissolution)
        if month < 12:
            assert pending == 0, month
        else:  # each with 2/12: none of 300 would fail with (5/6)**300
            assert pending > 0
    assert (m.associations.leaderless_months[rows] == 12).all()


def test_the_small_verein_hazard_applies_below_min_members_only():
    m = town(dissolution_small=2.0, min_members=7)
    at_min = _vereine(m, 200, 7, led=True)
    below = _vereine(m, 200, 6, led=True)
    dissolved = []
    for _ in range(6):
        m.associations.step(m)
        dissolved.extend(m.associations.pending_dissolution.tolist())
    assert not set(dissolved) & set(at_min.tolist())
    assert set(dissolved) <= set(below.tolist()) and dissolved


def test_a_dissolution_is_applied_in_the_structural_phase_and_releases_the_members():
    m = town(dissolution_small=2.0, min_members=7)
    rows = _vereine(m, 60, 3, led=True)
    m.associations.step(m)
    gone = m.associations.pending_dissolution.copy()
    assert 0 < len(gone) < 60
    assert m.associations.alive[gone].all()  # requested only
    before_hours = m.pop.hours.copy()
    m.associations.apply(m)
    a, pop = m.associations, m.pop
    assert a.dissolved_this_step == len(gone)
    assert not a.alive[gone].any()
    assert all(a.agents[v] is None for v in gone)
    released = np.isin(pop.association, gone)
    assert not released.any()
    kept = np.setdiff1d(rows, gone)
    # members stay engaged, informally; the leaders' roles end
    was_member = np.repeat(rows, 3)  # members were added Verein by Verein
    of_gone = np.isin(was_member, gone)
    assert (pop.association[~of_gone] == was_member[~of_gone]).all()
    assert pop.engaged[of_gone].all()
    assert (pop.hours == before_hours).all()
    assert pop.leads[of_gone].sum() == 0
    assert pop.leads[~of_gone].sum() == len(kept)


# -- founding (M13) -----------------------------------------------------------------------


def _poisson_capped_mean(mu: float, cap: int) -> float:
    """E[min(N, cap)] for N ~ Poisson(mu)."""
    pmf = [math.exp(-mu) * mu**k / math.factorial(k) for k in range(cap)]
    return sum(k * q for k, q in enumerate(pmf)) + cap * (1.0 - sum(pmf))


def test_foundings_are_poisson_in_the_young_engaged_and_founders_are_eligible():
    """Per district Poisson(rate x YE / 1000 / 12), YE the engaged aged 18-35 (leaders and
    the busy too); founders only among them who lead nothing and have spare time."""
    rate = 20.0
    m = town(n_districts=2, founding_per_1000_young_engaged=rate)
    # district 0: 300 who could found; beside them, people who do not count
    free0 = m.add_citizens(300, age=25)
    m.add_citizens(300, age=25, engaged=False)
    m.add_citizens(300, age=36)  # 36 in completed years: beyond 18-35
    m.add_citizens(300, age=17.9)
    # district 1: 300 young engaged, but only 2 could found
    m.add_citizens(150, district=1, age=30, leads=True)
    m.add_citizens(148, district=1, age=30, hours=10.0, time_budget=10.0)  # no spare time
    free1 = m.add_citizens(2, district=1, age=30)
    months = 600
    counts = np.zeros((months, 2), dtype=int)
    for t in range(months):
        m.associations.step(m)
        for d, f in m.associations.pending_foundings:
            counts[t, d] += 1
            assert f in (free0 if d == 0 else free1)
    mu = rate * 300 / 1000 / 12
    sd = math.sqrt(mu / months)
    assert abs(counts[:, 0].mean() - mu) < 5 * sd
    assert abs(counts[:, 1].mean() - _poisson_capped_mean(mu, 2)) < 5 * sd
    assert counts[:, 1].max() <= 2


def _founder(m: HandModel, free: int, in_verein: int, idle: int) -> tuple[int, np.ndarray]:
    """A founder with ``free`` engaged contacts in no Verein, ``in_verein`` engaged ones in
    another Verein and ``idle`` ones not engaged; returns her row and the free ones'."""
    other = int(m.add_vereine(1)[0])
    founder = int(m.add_citizens(1, age=28)[0])
    free_rows = m.add_citizens(free)
    members = m.add_citizens(in_verein)
    m.join(members, other)
    idle_rows = m.add_citizens(idle, engaged=False)
    m.connect(founder, np.concatenate((free_rows, members, idle_rows)))
    return founder, free_rows


@pytest.mark.parametrize(("min_members", "brought"), [(7, 3), (3, 2)])
def test_a_founder_founds_a_verein_with_up_to_min_members_minus_one_free_contacts(
    min_members, brought
):
    m = town(min_members=min_members)
    founder, free = _founder(m, free=3, in_verein=2, idle=3)
    n_before = m.associations.n
    m.associations.pending_foundings = [(0, founder)]
    m.associations.apply(m)
    a, pop = m.associations, m.pop
    assert a.founded_this_step == 1 and a.n == n_before + 1
    v = a.n - 1
    assert a.alive[v] and a.agents[v] is not None
    assert a.district[v] == 0 and a.funds[v] == 0.0 and a.founded[v] == m.steps
    assert a.leader[v] == pop.uid[founder] and pop.leads[founder]
    assert pop.association[founder] == v
    assert (pop.association[free[:brought]] == v).all()
    assert (pop.association[free[brought:]] == -1).all()
    assert np.count_nonzero(pop.association == v) == 1 + brought


def test_a_new_verein_below_min_members_carries_the_small_verein_hazard():
    m = town(min_members=7, dissolution_small=2.0)
    founders = [_founder(m, free=2, in_verein=0, idle=0)[0] for _ in range(200)]
    m.associations.pending_foundings = [(0, f) for f in founders]
    m.associations.apply(m)
    new = m.pop.association[founders]
    m.associations.step(m)
    assert (m.associations.members[new] == 3).all()
    gone = np.isin(m.associations.pending_dissolution, new).sum()
    assert_binomial(int(gone), 200, 2.0 / 12)


def test_a_founder_who_died_or_leads_by_then_founds_nothing():
    m = town()
    dead, _ = _founder(m, free=3, in_verein=0, idle=0)
    leading, _ = _founder(m, free=3, in_verein=0, idle=0)
    n_before = m.associations.n
    m.pop.remove(np.array([dead]))
    m.pop.leads[leading] = True
    m.associations.pending_foundings = [(0, dead), (0, leading)]
    m.associations.apply(m)
    assert m.associations.founded_this_step == 0
    assert m.associations.n == n_before
    assert m.associations.pending_foundings == []


# -- partners of initiatives (ODD 7.8 rule 3) ----------------------------------------------


def test_a_verein_giving_twice_gives_a_share_of_what_is_left_each_time():
    """Gifts in the order asked: Verein 0 gives 20% of 100, then 20% of the 80 left; what
    the Vereine lose is what the partners get; no gift changes nothing."""
    m = town()
    rows = np.concatenate((m.add_vereine(2, funds=[100.0, 50.0]), m.add_vereine(1, funds=80.0)))
    a = m.associations
    none = a.donate(np.empty(0, dtype=np.int32), share=0.2)
    assert none.dtype == np.float32 and len(none) == 0
    assert a.funds[rows].tolist() == [100.0, 50.0, 80.0]
    gifts = a.donate(np.array([rows[0], rows[2], rows[0]], dtype=np.int32), share=0.2)
    assert gifts.dtype == np.float32
    np.testing.assert_allclose(gifts, [20.0, 16.0, 16.0], rtol=1e-6)
    np.testing.assert_allclose(a.funds[rows], [64.0, 50.0, 64.0])
    assert gifts.sum() == pytest.approx(230.0 - a.funds[rows].sum(), rel=1e-6)


def _pick_partner_reference(a, district, rng, chance):
    """The rule as a loop over districts: with ``chance`` the Verein at position
    u x (count) among the district's Vereine in row order, else -1."""
    out = np.full(len(district), -1, dtype=np.int32)
    lucky = rng.random(len(district)) < chance
    u = rng.random(len(district))
    for d in np.unique(district[lucky]):
        cand = np.flatnonzero(a.alive & (a.district == d))
        sel = lucky & (district == d)
        if len(cand):
            out[sel] = cand[np.minimum((u[sel] * len(cand)).astype(np.int64), len(cand) - 1)]
    return out


@pytest.mark.parametrize("chance", [0.0, 0.3, 1.0])
def test_verein_partners_are_drawn_by_the_rule(chance):
    """Partners of requests from three districts (district 1 has no Verein, one Verein of
    district 0 is dissolved) match the loop over districts, draw for draw."""
    m = town()
    m.add_vereine(3, district=0)
    m.add_vereine(4, district=2)
    m.associations.remove(np.array([1]))
    district = np.random.default_rng(5).integers(0, 3, 200).astype(np.int16)
    got = m.associations.pick_partner(district, np.random.default_rng(9), chance=chance)
    want = _pick_partner_reference(m.associations, district, np.random.default_rng(9), chance)
    np.testing.assert_array_equal(got, want)
    assert (got[district == 1] == -1).all() and (got != 1).all()
    if chance == 1.0:  # every request from a district with Vereine finds one
        assert (got[district != 1] >= 0).all()
