"""Initiatives (ODD 7.8): the compiled fast paths give the same bits as the plain numpy
rules (kosi_sim/agents/initiatives/rules.py), on a small town's state after two years and
on small hand-built cases with known answers."""

import numpy as np
import pytest

from kosi_sim.agents.initiatives import kernels, rules
from kosi_sim.population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER
from kosi_sim.select import nonzero_grouped
from tests.rules_util import assert_same


@pytest.fixture(scope="module")
def city(busy_city):
    return busy_city


def test_the_free_engaged_equal_the_rule(city):
    pop = city.pop
    free, _ = assert_same(rules.free_engaged, kernels.free_engaged, pop)
    want = pop.engaged & ~pop.leads & (pop.initiative < 0)
    assert 0 < want.sum() < pop.engaged.sum()
    np.testing.assert_array_equal(free.view(bool), want)
    rows = np.flatnonzero(want)
    grouped, per_d = nonzero_grouped(free, pop.district, pop.n_districts)
    np.testing.assert_array_equal(grouped, rows[np.argsort(pop.district[rows], kind="stable")])
    np.testing.assert_array_equal(per_d, np.bincount(pop.district[rows])[: pop.n_districts])


def test_member_tallies_equal_the_rules(city):
    pop, n = city.pop, city.initiatives.n
    members = np.flatnonzero(pop.initiative >= 0)
    assert len(members) > 0
    # a superset of the members (rows that left an initiative) gives the same answers
    superset = np.union1d(members, np.arange(0, pop.n, 7))
    mark = np.zeros(n, dtype=bool)
    mark[::2] = True
    got, _ = assert_same(rules.members_of, kernels.members_of, pop, rows=superset, mark=mark)
    np.testing.assert_array_equal(got, members[mark[pop.initiative[members]]])
    counts, _ = assert_same(
        rules.members_per_initiative, kernels.members_per_initiative, pop, rows=superset, n=n
    )
    np.testing.assert_array_equal(counts, np.bincount(pop.initiative[members], minlength=n))
    strain, _ = assert_same(
        rules.burnout_per_initiative, kernels.burnout_per_initiative, pop, rows=superset, n=n
    )
    assert strain.dtype == np.float64 and (strain > 0).any()
    np.testing.assert_allclose(strain.sum(), pop.burnout[members].astype(np.float64).sum())


def test_leaders_of_ideas_equal_the_rule(city):
    pop = city.pop
    rng = np.random.default_rng(5)
    holders = rng.choice(pop.n, 400, replace=False)
    holders[::9] = -1  # holders who are gone
    can_lead = rng.random(pop.n) < 0.3
    leaders, _ = assert_same(
        rules.pick_leaders, kernels.pick_leaders, pop, holders=holders, can_lead=can_lead
    )
    led = leaders[leaders >= 0]
    assert 0 < len(led) < len(holders) and len(np.unique(led)) == len(led)
    assert can_lead[led].all() and (leaders[holders < 0] == -1).all()


@pytest.mark.parametrize("module", [rules, kernels])
def test_an_idea_is_led_by_its_holder_else_by_the_first_able_altruist(module):
    """Citizen 0 holds two ideas and can lead: she leads the first; the second goes to her
    first contact who can lead and is an altruist (3; 1 cannot lead, 2 is conditional);
    citizen 4 cannot lead and has no able altruist: her idea has no leader."""
    contacts = np.array([[1, 2, 3], [0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 2, 0]], dtype=np.int32)
    coop = np.int8([COOP_ALTRUIST, COOP_ALTRUIST, COOP_CONDITIONAL, COOP_ALTRUIST, 0])
    leaders = module.pick_leaders(
        holders=np.array([0, 0, -1, 4]),
        can_lead=np.array([True, False, True, True, False]),
        coop=coop,
        contacts=contacts,
    )
    assert leaders.tolist() == [0, 3, -1, -1]


def test_the_start_fills_leaders_and_able_contacts_equal_the_rules(city):
    """The expectation behind the start fill (funnel.py): each holder's leader on its own,
    and each leader's contacts who could volunteer; also with empty contact slots (-1,
    read as the last row) and with holders and leaders of -1."""
    pop = city.pop
    rng = np.random.default_rng(8)
    contacts = pop.contacts.copy()
    contacts[rng.random(contacts.shape) < 0.05] = -1
    can_lead = rng.random(pop.n) < 0.3
    can_lead[-1] = True
    coop = pop.coop.copy()
    coop[-1] = COOP_ALTRUIST  # an empty slot reads a row that qualifies
    holders = rng.choice(pop.n, 500, replace=False)
    holders[::50] = -1
    given = {"contacts": contacts, "coop": coop}
    leaders, _ = assert_same(
        rules.first_leaders, kernels.first_leaders, pop, holders=holders, can_lead=can_lead, **given
    )
    assert (leaders >= 0).any() and (leaders < 0).any()
    could = rng.random(pop.n) < 0.4
    counts, _ = assert_same(
        rules.able_contacts, kernels.able_contacts, pop, leaders=leaders, could=could, **given
    )
    assert 0 < counts.max() <= contacts.shape[1]


@pytest.mark.parametrize("module", [rules, kernels])
def test_a_holders_leader_on_its_own_and_her_able_contacts(module):
    """Citizen 0 can lead and leads her idea; 4 cannot, and her first contact who can and is
    an altruist is 3 (1 cannot lead, 2 is conditional); 1's contacts are 2 (conditional) and
    4 (cannot lead): no leader.  Leader 0's
    contacts 1, 2, 3: 1 and 3 could volunteer; leader 3's contacts are 0 and herself twice,
    and 0 could: one."""
    contacts = np.array([[1, 2, 3], [2, 2, 4], [0, 0, 0], [0, 3, 3], [1, 2, 3]], dtype=np.int32)
    coop = np.int8([COOP_ALTRUIST, COOP_ALTRUIST, COOP_CONDITIONAL, COOP_ALTRUIST, 0])
    can_lead = np.array([True, False, True, True, False])
    leaders = module.first_leaders(
        holders=np.array([0, 4, 1]), can_lead=can_lead, coop=coop, contacts=contacts
    )
    assert leaders.tolist() == [0, 3, -1]
    could = np.array([True, True, False, True, False])
    counts = module.able_contacts(leaders=np.array([0, 3]), could=could, contacts=contacts)
    assert counts.tolist() == [2, 1]


def test_recruits_equal_the_rule(city):
    """Whom 300 leaders recruit among their contacts: the kernel gives the rule's bits,
    also with willingness exactly at the cutoff (compared in single precision, as numpy
    compares a float32 array with a Python float), with empty contact slots, contacts
    asked by several initiatives, and initiatives that want nobody."""
    pop = city.pop
    rng = np.random.default_rng(11)
    leaders = rng.choice(np.flatnonzero(pop.alive), 300, replace=False)
    contacts = pop.contacts[leaders].copy()
    contacts[::7, -1] = -1  # an empty slot reads the last row, in both
    contacts[1::5, 0] = contacts[::5, 0][: len(contacts[1::5])]  # asked twice
    need = rng.integers(-1, 4, len(leaders))
    # float32(0.7) lies below 0.7: a comparison in double precision would differ
    for rate, cutoff in ((0.0, 0.3), (0.35, 0.3), (1.0, 0.7), (0.5, 0.7)):
        willingness = pop.willingness.copy()
        willingness[contacts[::3, 1]] = np.float32(cutoff)  # at the cutoff in single precision
        (citizens, where), _ = assert_same(
            rules.recruits,
            kernels.recruits,
            pop,
            contacts=contacts,
            need=need,
            draws=rng.random(contacts.shape),
            rate=rate,
            willing_cutoff=cutoff,
            willingness=willingness,
        )
        assert (len(citizens) == 0) == (rate == 0.0)
        assert np.all(np.diff(citizens) > 0) and np.all(need[where] > 0)
        assert all(c in contacts[w] for c, w in zip(citizens, where, strict=True))


@pytest.mark.parametrize("module", [rules, kernels])
def test_a_leader_recruits_who_could_volunteer_and_the_first_asker_wins(module):
    """Two initiatives ask contacts 1-4.  1 is engaged (joins whatever her willingness), 2
    willing, 3 a free rider, 4 already in an initiative, 5 without spare time; 2 is asked
    by both and joins the first; initiative 1's draw for 1 is above the rate; initiative
    2 wants nobody more."""
    n = 6
    contacts = np.array([[1, 2, 3], [2, 1, 4], [5, 2, 1]], dtype=np.int32)
    got = module.recruits(
        contacts=contacts,
        need=np.array([2, 1, 0]),
        draws=np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]),
        rate=0.5,
        willing_cutoff=0.5,
        willingness=np.float32([0, 0.1, 0.6, 0.9, 0.9, 0.9]),
        engaged=np.array([False, True, False, False, False, False]),
        coop=np.int8([COOP_CONDITIONAL, COOP_CONDITIONAL, COOP_ALTRUIST, COOP_FREE_RIDER, 0, 0]),
        time_budget=np.float32([5, 5, 5, 5, 5, 0.2]),
        hours=np.zeros(n, np.float32),
        alive=np.ones(n, bool),
        age_m=np.full(n, 30 * 12, np.int16),
        initiative=np.array([-1, -1, -1, -1, 0, -1]),
    )
    assert [x.tolist() for x in got] == [[1, 2], [1, 0]]


def test_who_can_lead_equals_the_rule(city):
    """M10 on a town's state, for everyone and for given rows: the kernel gives the rule's
    bits with a district lever, trained citizens, and spare time exactly at the need."""
    pop = city.pop
    rng = np.random.default_rng(3)
    lever = rng.uniform(0.5, 2.0, pop.n_districts)
    trained = rng.random(pop.n) < 0.2
    hours = pop.hours.copy()
    spare = 2.5
    # spare time exactly at the need (of the untrained, lever 1) for some
    edge = np.flatnonzero(pop.alive)[::11]
    lever[pop.district[edge[0]]] = 1.0
    hours[edge] = pop.time_budget[edge] - np.float32(spare)
    args = dict(leader_spare=lever, spare_hours=spare, trained=trained, hours=hours)
    everyone, _ = assert_same(rules.can_lead, kernels.can_lead, pop, rows=None, **args)
    assert everyone.dtype == bool and 0 < everyone.sum() < pop.alive.sum()
    rows = rng.choice(pop.n, 500)
    some, _ = assert_same(rules.can_lead, kernels.can_lead, pop, rows=rows, **args)
    np.testing.assert_array_equal(some, everyone[rows])


@pytest.mark.parametrize("module", [rules, kernels])
def test_a_leader_is_of_age_free_with_spare_time_and_no_free_rider(module):
    """0 can lead; 1 is 17; 2 a free rider; 3 leads; 4 is in an initiative; 5 is dead; 6
    has 1.5 h spare against 2 h needed, but 7, trained, needs only 1 h; 8 lives in the
    district whose lever doubles the need."""
    n = 9
    got = module.can_lead(
        rows=None,
        alive=np.array([1, 1, 1, 1, 1, 0, 1, 1, 1], bool),
        leads=np.array([0, 0, 0, 1, 0, 0, 0, 0, 0], bool),
        initiative=np.array([-1, -1, -1, -1, 3, -1, -1, -1, -1], np.int32),
        coop=np.int8([0, 0, COOP_FREE_RIDER, 0, 0, 0, 0, 0, 0]),
        time_budget=np.float32([5, 5, 5, 5, 5, 5, 2.5, 2.5, 5]),
        hours=np.float32([1, 1, 1, 1, 1, 1, 1, 1, 2]),
        age_m=np.int16([30 * 12, 17 * 12 + 11] + [30 * 12] * 7),
        trained=np.array([0, 0, 0, 0, 0, 0, 0, 1, 0], bool),
        district=np.int16([0, 0, 0, 0, 0, 2, 0, 0, 1]),  # the dead: outside (2)
        leader_spare=np.array([1.0, 2.0]),
        spare_hours=2.0,
    )
    assert np.flatnonzero(got).tolist() == [0, 7]
    assert len(got) == n
