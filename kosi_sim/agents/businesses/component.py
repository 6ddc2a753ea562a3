"""Businesses: sector, size and premises in a district; open and close with local demand.

Local demand of a district is ``population x purchasing power``, purchasing power being
the share of employed plus 0.6 x the share of pensioners relative to the start
(assumption: pensions buy about 60% of a wage).  The businesses a district supports is
``density x demand``.  Each month, per business, closure hazard
``closure_rate / 12 * (actual / supported) ^ elasticity``; per district, openings
``Poisson(closure_rate / 12 * actual * (supported / actual) ^ elasticity)`` but only into
vacant premises.  A closure leaves its premises vacant.  Businesses have a CSR propensity
with which they give money, space or staff time to initiatives (see initiatives): a partner
is drawn among a district's businesses in proportion to it (:mod:`.rules`, with its compiled
fast path in :mod:`.kernels`).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ... import ruleset
from ...census import AGE_65PLUS
from ...parameters import OwnSection, Param, Section
from ..table import AgentTable, TableAgent
from . import kernels
from . import rules as numpy_rules

SECTORS = ("retail", "hospitality", "services", "crafts", "health_care", "industry")
SECTOR_SHARES = np.array([0.2, 0.1, 0.35, 0.15, 0.1, 0.1])  # assumption

SECTION = Section(
    "businesses",
    "Local businesses and their premises",
    [
        Param(
            "businesses_per_1000",
            42.0,
            "per 1,000 inhabitants",
            "Establishments",
            "derived: IT.NRW 2018, 765,137 establishments in NRW (about 42 per 1,000)",
            (0.0, 200.0),
        ),
        Param(
            "business_closure_rate",
            0.07,
            "1/year",
            "Base closure hazard",
            "assumption: order of annual business deregistrations",
            (0.0, 0.5),
        ),
        Param(
            "demand_elasticity",
            2.0,
            "",
            "Response of closures and openings to demand",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "initial_premises_vacancy",
            0.08,
            "share",
            "Vacant business premises at start",
            "Essen inner-city vacancy survey 2017 (WAZ); study Zukunftsfeste "
            "Innenstädte (junge Welt 10/2021)",
            (0.0, 0.5),
        ),
        Param(
            "csr_mean",
            0.1,
            "share",
            "Mean CSR propensity of a business",
            "IW Köln / First Engagementbericht 2012 (survey 2011); Stifterverband &"
            " Bertelsmann CC-Survey 2018",
            (0.0, 1.0),
        ),
        Param(
            "pension_purchasing_power",
            0.6,
            "factor",
            "Purchasing power of a pensioner relative to an employed person",
            "assumption",
            (0.0, 1.5),
        ),
    ],
)


class Business(TableAgent):
    """A business establishment.  Its state lives in ``model.businesses``."""

    table_attr = "businesses"

    @property
    def sector(self) -> str:
        return SECTORS[int(self.table.sector[self.row])]

    @property
    def district(self) -> int:
        return int(self.table.district[self.row])

    @property
    def csr(self) -> float:
        return float(self.table.csr[self.row])


class Businesses(AgentTable):
    columns: ClassVar = {
        "sector": (np.int8, 0),
        "district": (np.int16, 0),
        "size": (np.int16, 1),
        "csr": (np.float32, 0.0),
        "opened": (np.int32, 0),
    }
    agent_cls = Business
    #: the parameters its rules read: section ``businesses`` only
    p = OwnSection(SECTION)

    def __init__(
        self, p, n_districts: int, capacity: int = 64, rules: str = ruleset.KERNELS
    ) -> None:
        super().__init__(capacity)
        self.p = p
        #: the rules of :mod:`.rules` or their fast path :mod:`.kernels` (kosi_sim.ruleset)
        self.impl = ruleset.pick(rules, numpy_rules, kernels)
        self.n_districts = n_districts
        self.pending_closures = np.empty(0, dtype=np.int64)
        self.pending_openings = np.zeros(n_districts, dtype=np.int64)
        self.closed_this_step = 0
        self.opened_this_step = 0
        self.density = p.businesses_per_1000 / 1000.0
        self.power0: np.ndarray | None = None

    def create(self, model, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n = len(district)
        mean = self.p.csr_mean
        return self.add(
            model,
            n,
            sector=rng.choice(len(SECTORS), size=n, p=SECTOR_SHARES).astype(np.int8),
            district=district,
            size=np.minimum(1 + rng.geometric(0.25, n), 5000).astype(np.int16),
            csr=rng.beta(max(mean, 1e-3) * 4, max(1 - mean, 1e-3) * 4, n).astype(np.float32),
            opened=model.steps,
        )

    def per_district(self) -> np.ndarray:
        """Live businesses per district (kept until businesses open or close; read-only)."""
        return self.derived(
            ("per_district",), lambda: np.diff(self.grouped_by("district", self.n_districts)[1])
        )

    def purchasing_power(self, census) -> np.ndarray:
        """Population x purchasing power per district (employed = 1, pensioners = factor)."""
        return census.count(employed=1) + self.p.pension_purchasing_power * census.count(
            band=AGE_65PLUS
        )

    def supported(self, census) -> np.ndarray:
        power = self.purchasing_power(census)
        if self.power0 is None:
            self.power0 = np.maximum(power, 1e-9)
            self.pop0 = np.maximum(census.count(), 1)
        return self.density * self.pop0 * power / self.power0

    def mean_csr_by_district(self) -> np.ndarray:
        def compute() -> np.ndarray:
            rows, bounds = self.grouped_by("district", self.n_districts)
            total = self.impl.group_sums(values=self.csr, rows=rows, bounds=bounds)
            return total / np.maximum(self.per_district(), 1)

        return self.derived(("mean_csr",), compute)

    def pick_partner(self, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One business per entry of ``district``, chosen in proportion to CSR propensity
        among the district's businesses (-1 where none has any)."""
        rows, bounds = self.grouped_by("district", self.n_districts)
        u = rng.random(len(district))
        return self.impl.pick_by_weight(
            rows=rows, bounds=bounds, weight=self.csr, group=district, u=u
        )

    def step(self, model) -> None:
        p = self.p
        rng = model.streams("businesses")
        live = self.live
        actual = np.maximum(self.per_district(), 1)
        ratio = actual / np.maximum(self.supported(model.census), 1e-9)
        hazard = p.business_closure_rate / 12.0 * ratio**p.demand_elasticity
        u = rng.random(self.n)[live]  # one draw per business id: paired runs stay aligned
        self.pending_closures = live[u < hazard[self.district[live]]]
        openings = rng.poisson(
            p.business_closure_rate / 12.0 * actual * (1.0 / ratio) ** p.demand_elasticity
        )
        free = model.premises.vacant()
        self.pending_openings = np.minimum(openings, np.maximum(free, 0)).astype(np.int64)

    def apply(self, model) -> None:
        self.closed_this_step = len(self.pending_closures)
        self.remove(self.pending_closures)
        rng = model.streams("businesses.openings")
        district = np.repeat(np.arange(self.n_districts), self.pending_openings)
        self.opened_this_step = len(district)
        if len(district):
            self.create(model, district.astype(np.int16), rng)
        self.pending_closures = np.empty(0, dtype=np.int64)
        self.pending_openings[:] = 0
