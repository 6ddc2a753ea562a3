"""Services and coverage (ODD 7.9) on a hand-built town of three districts: demand by age
and remoteness, supply by the administration, Vereine and initiatives, and coverage,
each compared with the ODD's formula worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.agents.associations import DOMAINS
from kosi_sim.agents.initiatives import ACTIVE, GATE, SUSTAINED
from kosi_sim.services import CARE, MOBILITY, SOCIAL, SPACE
from tests.handmade import HandModel

#: every need and supply parameter set here, so the hand calculation below is complete
NEEDS = {
    "care_need_65_79": 0.5,
    "care_need_80plus": 4.0,
    "mobility_need_children": 0.3,
    "mobility_need_adults": 0.1,
    "mobility_need_65plus": 1.0,
    "social_need": 0.8,
    "space_need": 0.3,
    "remoteness_need": 1.0,
    "association_service_share": 0.15,
    "initiative_productivity": 0.8,
    "space_units_per_premises": 60.0,
    "business_staff_hours": 4.0,
}
W = 52.0 / 12.0  # weeks per month
REMOTENESS = (0.0, 0.5, 0.0)


@pytest.fixture
def town():
    """District 0: 3 children, 5 adults, 2 aged 70, 1 aged 85.  District 1 (remoteness
    0.5): 4 adults, 2 aged 85.  District 2: 6 adults only.  Nobody volunteers yet."""
    m = HandModel(3, remoteness=REMOTENESS, **NEEDS)
    for district, ages in [(0, [10] * 3 + [40] * 5 + [70] * 2 + [85]), (1, [40] * 4 + [85] * 2)]:
        for age in ages:
            m.add_citizens(1, district=district, age=age, engaged=False)
    m.add_citizens(6, district=2, engaged=False)
    m.take_census()
    return m


def hand_demand() -> np.ndarray:
    """The ODD's needs for the town above, domain x district."""
    need = np.zeros((4, 3))
    rural = 1.0 + np.array(REMOTENESS)
    need[CARE] = np.array([0.5 * 2 + 4.0 * 1, 4.0 * 2, 0.0]) * rural
    need[MOBILITY] = np.array([0.3 * 3 + 0.1 * 5 + 1.0 * 3, 0.1 * 4 + 1.0 * 2, 0.1 * 6]) * rural
    need[SOCIAL] = 0.8 * np.array([11, 6, 6])
    need[SPACE] = 0.3 * np.array([11, 6, 6])
    return need


def test_demand_is_the_needs_by_age_raised_by_remoteness(town):
    town.services.update(town, 0.0)
    np.testing.assert_allclose(town.services.demand, hand_demand(), rtol=1e-12)


def test_the_administrations_hours_follow_demand(town):
    hours = 123.0
    town.services.update(town, hours)
    need = hand_demand()
    np.testing.assert_allclose(town.services.supply_admin, hours * need / need.sum(), rtol=1e-12)
    assert town.services.supply_admin.sum() == pytest.approx(hours)


def test_coverage_is_supply_over_demand_with_volunteers_of_vereine_and_initiatives(town):
    m = town
    pop = m.pop
    # a social Verein in district 0: a member there (3 h) and one who moved to district 1
    # (2 h, also in an initiative: half to each)
    social = int(m.add_vereine(1, district=0, domain=DOMAINS.index("social"))[0])
    sport = int(m.add_vereine(1, district=2, domain=DOMAINS.index("sport"))[0])
    here = m.add_citizens(1, district=0, hours=3.0)
    moved = m.add_citizens(1, district=1, hours=2.0)
    m.join(np.concatenate((here, moved)), social, lead=True)
    m.join(m.add_citizens(1, district=2, hours=5.0), sport, lead=True)
    # a producing care initiative in district 1 on vacant premises with a business partner;
    # its leader gives 4 h, the Verein member above 2 h (half of it here)
    leader = m.add_citizens(1, district=1, hours=4.0)
    (care,) = m.add_initiatives(
        1, ACTIVE, leader, domain=CARE, on_premises=True, business_partner=0
    )
    m.enrol(moved, int(care))
    # a sustained mobility initiative in district 2 and one at the gate, which produces
    # nothing yet
    m.add_initiatives(1, SUSTAINED, m.add_citizens(1, district=2, hours=6.0), domain=MOBILITY)
    m.add_initiatives(1, GATE, m.add_citizens(1, district=2, hours=9.0), domain=SOCIAL)
    m.take_census()
    m.associations.refresh_counts(pop)  # the Vereine's hours of the month (phase 5)
    admin = 40.0
    m.services.update(m, admin)

    # by hand: demand counts the volunteers too (all adults of 40)
    need = hand_demand()
    need[MOBILITY] += 0.1 * np.array([1, 2, 3]) * (1.0 + np.array(REMOTENESS))
    need[SOCIAL] += 0.8 * np.array([1, 2, 3])
    need[SPACE] += 0.3 * np.array([1, 2, 3])
    supply = admin * need / need.sum()
    verein_social = (3.0 + 2.0 / 2) * W * 0.15  # in the Verein's district 0
    supply[:, 0] += verein_social * np.array([0.7, 0.1, 0.2, 0.0])
    supply[SOCIAL, 2] += 5.0 * W * 0.15  # sport serves the social domain
    supply[CARE, 1] += (4.0 + 2.0 / 2) * W * 0.8 + 4.0  # volunteers + business staff
    supply[SPACE, 1] += 60.0  # the premises
    supply[MOBILITY, 2] += 6.0 * W * 0.8
    s = m.services
    np.testing.assert_allclose(s.demand, need, rtol=1e-12)
    np.testing.assert_allclose(s.supply_admin + s.supply_assoc + s.supply_init, supply, rtol=1e-6)
    # no care need in district 2: covered
    want = np.divide(supply, need, out=np.ones_like(supply), where=need > 0)
    assert need[CARE, 2] == 0 and want[CARE, 2] == 1.0
    np.testing.assert_allclose(s.coverage, want, rtol=1e-6)
    assert s.coverage[SPACE, 1] > 1  # not capped
    np.testing.assert_allclose(s.gap(), np.clip(1 - want, 0, 1), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(s.mean_coverage(), supply.sum(0) / need.sum(0), rtol=1e-6)


def test_without_supply_there_is_no_coverage_and_without_demand_full_coverage():
    m = HandModel(2, **NEEDS)
    m.add_citizens(5, district=0, age=70, engaged=False)  # a need in every domain
    m.take_census()  # district 1 is empty
    m.services.update(m, 0.0)
    np.testing.assert_array_equal(m.services.coverage[:, 0], 0.0)
    np.testing.assert_array_equal(m.services.coverage[:, 1], 1.0)
    np.testing.assert_array_equal(m.services.gap()[:, 0], 1.0)
    assert m.services.mean_coverage().tolist() == [0.0, 1.0]


def test_mean_coverage_leaves_out_supply_in_a_domain_without_demand():
    """ODD 7.9: the mean coverage is the demand-weighted mean of the domains' coverage, so
    supply in a domain nobody needs (care where nobody is 65+) meets no need and is not
    counted; with demand in every domain it is total supply over total demand."""
    m = HandModel(1, **NEEDS)
    m.add_citizens(10, engaged=False)  # adults only: no care need
    m.add_initiatives(1, ACTIVE, m.add_citizens(1, hours=3.0), domain=CARE)
    m.take_census()
    m.services.update(m, 0.0)
    s = m.services
    assert s.demand[CARE, 0] == 0.0
    assert s.supply_init[CARE, 0] == pytest.approx(3.0 * W * 0.8)
    supply = s.supply_admin + s.supply_assoc + s.supply_init
    needed = supply[s.demand[:, 0] > 0, 0].sum()
    assert s.mean_coverage()[0] == pytest.approx(needed / s.demand.sum())
    assert s.mean_coverage()[0] < supply.sum() / s.demand.sum()  # the care supply is left out
