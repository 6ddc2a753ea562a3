"""Services of general interest (Daseinsvorsorge) in four domains: demand, supply, coverage.

Demand (need) per district is a sum over residents of needs by age (hours of service per
month, assumptions below), raised for mobility and care by the district's remoteness.
Coverage is ``supply / need`` per domain and district: 1 means needs are met.  Needs are
absolute, so runs with different parameters are comparable (a city with more volunteers
starts with a higher coverage).

Supply comes from

* the administration: its service budget divided by ``admin_hour_cost``, allocated across
  districts and domains in proportion to need;
* associations: members' volunteer hours x ``association_service_share`` x a domain map;
* initiatives: volunteers' hours x ``initiative_productivity`` in their own domain, plus
  ``space_units_per_premises`` for each vacant premises they use.
"""

from __future__ import annotations

import numpy as np

from .census import ADULTS_18_64, AGE_65_79, AGE_65PLUS, AGE_80PLUS, CHILDREN
from .engagement import WEEKS_PER_MONTH
from .parameters import OwnSection, Param, Params, Section

SERVICE_DOMAINS = ("care", "mobility", "social", "space")
CARE, MOBILITY, SOCIAL, SPACE = range(4)

SECTION = Section(
    "services",
    "Needs, supply and coverage of local services",
    [
        Param(
            "care_need_65_79",
            0.5,
            "h/person/month",
            "Care and neighbourly help, 65-79",
            "assumption",
            (0.0, 20.0),
        ),
        Param(
            "care_need_80plus",
            4.0,
            "h/person/month",
            "Care and neighbourly help, 80+",
            "assumption",
            (0.0, 40.0),
        ),
        Param(
            "mobility_need_children",
            0.3,
            "h/person/month",
            "Mobility help, under 18",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "mobility_need_65plus",
            1.0,
            "h/person/month",
            "Mobility help, 65+",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "mobility_need_adults",
            0.1,
            "h/person/month",
            "Mobility help, 18-64",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "social_need",
            0.8,
            "h/person/month",
            "Social and cultural offers, everyone",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "space_need",
            0.3,
            "units/person/month",
            "Rooms and space, everyone",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "remoteness_need",
            1.0,
            "factor",
            "Extra mobility and care need at remoteness 1",
            "assumption: rural gaps in mobility and care",
            (0.0, 5.0),
        ),
        Param(
            "association_service_share",
            0.15,
            "share",
            "Share of Verein volunteer time that serves the public in these domains",
            "assumption: most Verein time is internal (training, rehearsals)",
            (0.0, 1.0),
        ),
        Param(
            "initiative_productivity",
            0.8,
            "share",
            "Share of initiative volunteer time that becomes service",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "space_units_per_premises",
            60.0,
            "units/month",
            "Space provided by one premises used by an initiative",
            "assumption",
            (0.0, 1000.0),
        ),
    ],
)

# Verein domain (sport, culture, social, education, environment, neighbourhood) -> services
ASSOCIATION_TO_SERVICE = np.array(
    [
        [0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [0.7, 0.1, 0.2, 0.0],
        [0.0, 0.2, 0.8, 0.0],
        [0.0, 0.2, 0.3, 0.5],
        [0.4, 0.3, 0.2, 0.1],
    ]
)  # assumption


class Services:
    """Demand, supply and coverage by domain (rows) and district (columns)."""

    #: the parameters it reads: its own section only
    p = OwnSection(SECTION)

    def __init__(self, p: Params, remoteness: np.ndarray) -> None:
        self.p = p
        self.remoteness = remoteness
        self.n = len(remoteness)
        self.demand = np.zeros((4, self.n))
        self.supply_admin = np.zeros((4, self.n))
        self.supply_assoc = np.zeros((4, self.n))
        self.supply_init = np.zeros((4, self.n))
        self.coverage = np.ones((4, self.n))
        self.coverage0 = np.ones(self.n)

    def raw_demand(self, census) -> np.ndarray:
        """Needs by domain and district from the month's census (hours or units/month)."""
        p = self.p
        c = census.count
        rural = 1.0 + p.remoteness_need * self.remoteness
        need = np.zeros((4, self.n))
        need[CARE] = (
            p.care_need_65_79 * c(band=AGE_65_79) + p.care_need_80plus * c(band=AGE_80PLUS)
        ) * rural
        need[MOBILITY] = (
            p.mobility_need_children * c(band=CHILDREN)
            + p.mobility_need_65plus * c(band=AGE_65PLUS)
            + p.mobility_need_adults * c(band=ADULTS_18_64)
        ) * rural
        everyone = c()
        need[SOCIAL] = p.social_need * everyone
        need[SPACE] = p.space_need * everyone
        return need

    def volunteer_supply(self, model) -> tuple[np.ndarray, np.ndarray]:
        p = self.p
        a = model.associations
        live = a.live
        assoc = np.zeros((4, self.n))
        hours = a.hours[live] * WEEKS_PER_MONTH * p.association_service_share
        for k in range(4):
            w = hours * ASSOCIATION_TO_SERVICE[a.domain[live], k]
            assoc[k] = np.bincount(a.district[live], weights=w, minlength=self.n)[: self.n]
        init = model.initiatives.supply(
            model.pop,
            self.n,
            productivity=p.initiative_productivity,
            space_units=p.space_units_per_premises,
        )
        return assoc, init

    def update(self, model, admin_hours: float) -> None:
        self.demand = self.raw_demand(model.census)
        total = self.demand.sum()
        self.supply_admin = (
            admin_hours * self.demand / total if total > 0 else np.zeros_like(self.demand)
        )
        self.supply_assoc, self.supply_init = self.volunteer_supply(model)
        supply = self.supply_admin + self.supply_assoc + self.supply_init
        self.coverage = np.where(self.demand > 0, supply / np.maximum(self.demand, 1e-12), 1.0)

    def mean_coverage(self) -> np.ndarray:
        """Demand-weighted coverage over the four domains, per district."""
        d = self.demand.sum(axis=0)
        s = (self.coverage * self.demand).sum(axis=0)
        return np.where(d > 0, s / np.maximum(d, 1e-12), 1.0)

    def gap(self) -> np.ndarray:
        """Unmet share of demand per domain and district (0 when covered)."""
        return np.clip(1.0 - self.coverage, 0.0, 1.0)
