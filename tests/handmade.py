"""Hand-built cases for the behaviour tests of one submodel at a time.

:class:`HandModel` is a bare Mesa model with the components a submodel's monthly rule reads
(population, Vereine, businesses, initiatives, the administration, services, levers,
premises, named random streams), but no citizens and no organisations until a test adds
them, no spin-up and no step of its own: a test calls the submodel's ``step`` (and, for the
structural changes, its ``apply``) directly, as ``CityModel.step`` does in its phases.

Citizens are added with every attribute a rule reads set explicitly; each one is her own
only contact unless the test connects her (a tie to oneself is inert: nobody recruits,
brings or picks herself).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from kosi_sim.agents.administration import Administration
from kosi_sim.agents.associations import Associations
from kosi_sim.agents.businesses import Businesses
from kosi_sim.agents.initiatives import Initiatives
from kosi_sim.catalog import CATALOG
from kosi_sim.census import Census
from kosi_sim.districts import Premises
from kosi_sim.engagement import Engagement
from kosi_sim.levers import Levers
from kosi_sim.parameters import Params
from kosi_sim.population import Population
from kosi_sim.rng import Streams
from kosi_sim.services import Services

#: an open gate that approves every proposal it decides, with the staff for 0.05
#: decisions per inhabitant a month (100 FTE per 100,000 inhabitants x 50 decisions each)
OPEN_GATE = {
    "risk_aversion": 0.0,
    "openness": 1.0,
    "gate_staff_per_100k": 100.0,
    "proposals_per_fte": 50.0,
}

#: contacts per hand-built citizen: a few are enough to wire small cases by hand
CONTACTS = 8


class HandModel(mesa.Model):
    """A bare city of ``n_districts`` districts with checked parameters ``params`` (names
    as in ``kosi-sim params``; out-of-range values are an error, as in a scenario)."""

    def __init__(
        self,
        n_districts: int = 1,
        *,
        seed: int = 1,
        remoteness: tuple[float, ...] | None = None,
        place: str = "town",
        **params: Any,
    ) -> None:
        super().__init__(rng=seed)
        self.params = p = Params(CATALOG, params)
        self.seed = seed
        self.streams = Streams(seed)
        self.month = 0
        self.n_districts = n_districts
        self.pop = Population(n_districts, CONTACTS, capacity=64)
        self.levers = Levers(n_districts)
        self.engagement = Engagement(p)
        self.associations = Associations(p)
        self.businesses = Businesses(p, n_districts)
        self.initiatives = Initiatives(p, n_districts)
        self.premises = Premises(n_districts)
        self.administration = Administration(self, p, place)
        rem = np.zeros(n_districts) if remoteness is None else np.asarray(remoteness, float)
        self.services = Services(p, rem)
        self.census = Census(self.pop, p.willing_cutoff)

    # -- citizens ------------------------------------------------------------------------
    def add_citizens(
        self,
        n: int,
        *,
        district: int = 0,
        age: float = 40.0,
        engaged: bool = True,
        hours: float = 2.0,
        time_budget: float = 10.0,
        willingness: float | None = None,
        **columns: Any,
    ) -> np.ndarray:
        """``n`` citizens aged ``age`` years; engaged ones give ``hours`` a week of their
        ``time_budget``; willingness 0.9 if engaged, else 0, unless given.  Other columns
        of :data:`kosi_sim.population.COLUMNS` by name (``employed``, ``association``,
        ``initiative``, ``leads``, ``trained``, ``coop``, ``burnout``, ...).  Returns their
        rows; each is her own contact."""
        start = self.pop.n
        rows = np.arange(start, start + n)
        contacts = np.repeat(rows[:, None], CONTACTS, axis=1).astype(np.int32)
        return self.pop.add(
            n,
            contacts=contacts,
            age_m=round(age * 12),
            district=district,
            engaged=engaged,
            hours=hours if engaged else 0.0,
            time_budget=time_budget,
            willingness=(0.9 if engaged else 0.0) if willingness is None else willingness,
            **columns,
        )

    def connect(self, row: int, contacts: list[int] | np.ndarray) -> None:
        """Citizen ``row``'s contacts (at most :data:`CONTACTS`; the rest point to herself)."""
        ties = np.full(CONTACTS, row, dtype=np.int32)
        ties[: len(contacts)] = contacts
        self.pop.contacts[row] = ties

    def take_census(self) -> Census:
        """The month's census (the model takes it after the structural changes)."""
        self.census = Census(self.pop, self.params.willing_cutoff)
        return self.census

    # -- organisations -------------------------------------------------------------------
    def add_vereine(self, n: int, *, district: int = 0, **columns: Any) -> np.ndarray:
        """``n`` Vereine in ``district`` (Mesa Agents), with ``columns`` set after
        creation (``domain``, ``funds``, ``leader``, ``leaderless_months``, ...)."""
        a = self.associations
        rows = a.create(self, np.full(n, district, dtype=np.int16), self.streams("test.vereine"))
        for name, value in columns.items():
            getattr(a, name)[rows] = value
        return rows

    def join(self, citizens: np.ndarray, verein: int, *, lead: bool = False) -> None:
        """``citizens`` become members of ``verein``; with ``lead`` the first leads it."""
        citizens = np.atleast_1d(citizens)
        self.pop.association[citizens] = verein
        if lead:
            self.associations.leader[verein] = self.pop.uid[citizens[0]]
            self.pop.leads[citizens[0]] = True

    def add_businesses(self, per_district: list[int], *, vacancy: float = 0.5) -> None:
        """``per_district[d]`` businesses in each district; the premises stock is sized so
        that a share ``vacancy`` of it is vacant (as at initialisation)."""
        district = np.repeat(np.arange(len(per_district)), per_district).astype(np.int16)
        self.businesses.create(self, district, self.streams("test.businesses"))
        self.premises.init(self.businesses.per_district(), vacancy)

    def add_initiatives(
        self, n: int, stage: int, leaders: np.ndarray, **columns: Any
    ) -> np.ndarray:
        """``n`` open initiatives in ``stage`` (Mesa Agents), led and joined by the
        citizens ``leaders`` (one each), with ``columns`` set; volunteers are counted."""
        ini, pop = self.initiatives, self.pop
        values = {"district": pop.district[leaders], "money_need": 0.0, **columns}
        rows = ini.add(
            self, n, stage=stage, leader=pop.uid[leaders], holder=pop.uid[leaders], **values
        )
        pop.initiative[leaders] = rows
        pop.leads[leaders] = True
        ini.volunteers[:] = np.bincount(pop.initiative[pop.initiative >= 0], minlength=ini.n)
        return rows

    def enrol(self, citizens: np.ndarray, initiative: int) -> None:
        """``citizens`` join ``initiative`` as volunteers."""
        self.pop.initiative[np.atleast_1d(citizens)] = initiative
        ini = self.initiatives
        ini.volunteers[:] = np.bincount(
            self.pop.initiative[self.pop.initiative >= 0], minlength=ini.n
        )

    def open_books(self) -> None:
        """The administration's budget of the first month for today's population."""
        self.administration.init(self.pop.n_alive, self.businesses.count())


def assert_binomial(count: int, n: int, p: float, sigmas: float = 5.0) -> None:
    """``count`` successes of ``n`` trials agree with probability ``p`` (within ``sigmas``
    standard deviations: a wrong rule fails, a change of random stream does not)."""
    sd = (n * p * (1.0 - p)) ** 0.5
    assert abs(count - n * p) <= sigmas * sd + 1e-9, (count, n * p, sd)
