"""The city administration: budget, service provision, staff and the approval gate.

**Kind of place.** A scenario declares its ``place``: ``large_city`` (a kreisfreie Stadt),
``town`` (a kreisangehörige Stadt) or ``rural`` (a small kreisangehörige Gemeinde).  Its
revenue per inhabitant ``r`` comes from the packaged table ``data/municipal_budget.csv``
(every figure with its source); in a kreisangehörige place the Kreis carries part of the
tasks, so ``r`` is lower there.

**Budget** per month (EUR), ODD rules in this order each month (step 9 of the model):

* revenue ``R = N * r / 12 * (1 + P * pressure_revenue) * (0.7 + 0.3 * E)`` with ``N`` the
  living population, ``P`` the demographic pressure and the economy index ``E`` =
  businesses now / at the start (trade tax, jobs);
* the services: the co-produced services are funded by all municipal tiers (a kreisfreie
  Stadt carries both the municipality's and the Kreis's tasks), at the large city's level
  per inhabitant: ``S = service_budget_share * R * r_city / r * (1 - s)``, set at the end
  of the previous month's accounts; the municipality books the share ``m = r / r_city`` of
  it, the Kreis the rest (outside these books);
* general costs ``G = C0 * k * (f * Nc / N0 + (1 - f) * N / N0)``: a share ``f`` is fixed,
  sized for the population ``Nc`` that follows ``N`` at ``cost_adjustment_rate`` a year
  (infrastructure and staff shrink with a lag), the rest follows ``N`` at once; ``k`` is the
  consolidation factor (1 at the start);
* costs ``C = G + m * S + F + L`` with this month's co-funding ``F`` and the labs' spending
  ``L``; ``C0`` is set so that the first month's balance is the scenario's declared, sourced
  ``-initial_deficit_share * R``;
* balance ``B = R - C``; deficits accumulate as ``debt``;
* consolidation (Haushaltssicherungskonzept, § 76 GO NRW): ``k`` changes so that next
  month's general costs close ``consolidation_rate / 12`` of this month's gap (deficits by
  savings, surpluses by spending or lower tax rates);
* the plan: the planned deficit share starts at ``initial_deficit_share`` and shrinks at
  the same consolidation rate;
* austerity: only the deficit beyond the plan, ``u = max(0, -B / R - planned)``, calls for
  a cut ``s* = min(austerity_response * u, max_austerity)`` of the services and gate staff;
  the cut ``s`` moves towards ``s*`` by ``1 / austerity_months`` of the difference a month
  (it comes with the next budgets).  A declared initial deficit is planned and cuts nothing.

:func:`deficit_band` gives the plausible deficit per inhabitant and year of a place, from
the same table, for checks of whole runs.

The approval gate (M3), whose rules are in :mod:`kosi_sim.agents.gate`: a proposal waits
a lead time drawn from a Gamma distribution with mean ``approval_lead_time`` times the
district's lead-time lever; the staff decide at most ``staff capacity`` proposals a month,
oldest first.  A decided proposal is rejected with probability ``rejection_base *
risk_aversion * rejection lever * 2 * risk``, delayed by another lead time with
``delay_share * (1 - openness)``, otherwise approved.  ``risk`` is the proposal's novelty
in [0, 1].
"""

from __future__ import annotations

import mesa
import numpy as np

from ..parameters import OwnSection, Param, Section
from .places import DEFAULT_PLACE, check_place, deficit_band, revenue_per_inhabitant

SECTION = Section(
    "administration",
    "The municipal budget, service provision and the approval gate",
    [
        Param(
            "initial_deficit_share",
            0.0,
            "share of revenue",
            "Planned deficit in the first month (the scenario's budget plan)",
            ("Wuppertaler Rundschau 2025 (2026 draft budget) and 2025 Nachtragshaushalt"),
            (-0.5, 0.5),
        ),
        Param(
            "fixed_cost_share",
            0.6,
            "share",
            "General costs sized for the population of years ago (buildings, networks, staff)",
            "assumption: infrastructure and personnel costs are sticky",
            (0.0, 1.0),
        ),
        Param(
            "cost_adjustment_rate",
            0.05,
            "1/year",
            "Rate at which the fixed costs follow a changing population",
            "assumption (uncertain, 0.02 to 0.2): costs of shrinking cities adjust over "
            "decades (Remanenzkosten)",
            (0.0, 1.0),
        ),
        Param(
            "consolidation_rate",
            0.2,
            "1/year",
            "Share of the gap between costs and revenue closed per year (Haushaltssicherung)",
            "derived: Wuppertal's consolidation plan saves about EUR 1 bn in ten years to 2036 "
            "on a gap of about EUR 158 m a year (Wuppertaler Rundschau 2025); closing 20% of "
            "the gap a year saves 6.1 years' gap in ten years; § 76 GO NRW asks for balance "
            "within ten years; uncertain, 0.1 to 0.3",
            (0.0, 2.0),
        ),
        Param(
            "service_budget_share",
            0.08,
            "share of revenue",
            "Spending on the co-produced services modelled here",
            "assumption",
            (0.0, 0.5),
        ),
        Param(
            "admin_hour_cost",
            25.0,
            "EUR/hour",
            "Cost of one hour of service bought or provided by the city",
            "Krems, Online-Verwaltungslexikon olev.de: Personalkosten-Stundensätze "
            "(BMF 2014 rates, 1,560/1,644 h/yr)",
            (1.0, 500.0),
        ),
        Param(
            "austerity_response",
            3.0,
            "",
            "Cut of the services per unit of deficit share beyond the plan",
            "assumption",
            (0.0, 20.0),
        ),
        Param(
            "austerity_months",
            12.0,
            "months",
            "Time over which a cut of the services is phased in",
            "assumption: cuts come with the next budget (about a year)",
            (1.0, 120.0),
        ),
        Param(
            "max_austerity",
            0.5,
            "share",
            "Largest cut of the service budget",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "gate_staff_per_100k",
            6.0,
            "FTE per 100,000 inhabitants",
            "Staff deciding on co-production proposals",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "proposals_per_fte",
            2.0,
            "proposals/FTE/month",
            "Decisions one FTE can make",
            "assumption",
            (0.1, 50.0),
        ),
        Param(
            "openness",
            0.5,
            "0..1",
            "Encouragement of citizen input (M3)",
            "assumption after Ostrom 1996",
            (0.0, 1.0),
        ),
        Param(
            "risk_aversion",
            0.5,
            "0..1",
            "Risk-averse administrative culture (M3)",
            "assumption after Voorberg et al. 2015",
            (0.0, 1.0),
        ),
        Param(
            "approval_lead_time",
            6.0,
            "months",
            "Mean time from submission to decision",
            "assumption; KoSI-Lab Wuppertal: a bench took about 2 years from idea to inauguration",
            (0.5, 48.0),
        ),
        Param(
            "rejection_base",
            0.5,
            "probability",
            "Rejection chance of a risky proposal under full risk aversion",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "delay_share",
            0.3,
            "probability",
            "Chance a decision is postponed when the administration is closed",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "cofunding_per_capita",
            0.5,
            "EUR/inhabitant/year",
            "Fund for co-funding approved initiatives",
            "Eberswalde Bürgerbudget: city pages, MOZ 2017-06 evaluation, Der Blitz"
            " 2016-09, MOZ 2023-09",
            (0.0, 100.0),
        ),
        Param(
            "cofunding_share",
            0.3,
            "share",
            "Share of an approved initiative's costs co-funded",
            "Dortmund neighbourhood funds: Unionviertel Quartiersfonds; Nordstadt "
            "Quartiersfonds 2016; Stadtteilfonds Westerfilde & Bodelschwingh",
            (0.0, 1.0),
        ),
    ],
)

#: parameters of other sections the administration reads, and why: the demographic
#: pressure and its effect on revenue (drivers, ODD 7.1) set the revenue per inhabitant
SHARED = ("demographic_pressure", "pressure_revenue")


class Administration(mesa.Agent):
    """The one city administration of a model, in a ``place`` of one of
    :data:`~kosi_sim.agents.places.PLACES`."""

    #: the parameters it reads (budget and gate, :mod:`kosi_sim.agents.gate`): its own
    #: section and the declared shared ones
    p = OwnSection(SECTION, SHARED)

    def __init__(self, model, p, place: str = DEFAULT_PLACE) -> None:
        super().__init__(model)
        self.p = p
        self.place = check_place(place)
        self.revenue_per_capita = revenue_per_inhabitant(place) / 12.0  # EUR/month
        #: the municipality's share of the services (the Kreis pays the rest)
        self.municipal_share = self.revenue_per_capita * 12.0 / revenue_per_inhabitant("large_city")
        self.revenue = 0.0
        self.costs = 0.0
        self.balance = 0.0
        self.debt = 0.0
        self.stress = 0.0
        self.planned_deficit = 0.0  # share of revenue
        self.deficit_per_inhabitant = 0.0  # EUR per inhabitant and year, this month
        self.service_budget = 0.0
        self.cofunding_left = 0.0
        self.cofunding_spent = 0.0
        self.lab_spending = 0.0  # set by the model each month: all lab instruments together
        self.gate_credit = 0.0
        self.unit_cost = 1.0
        self.base_costs = 0.0
        self.consolidation = 1.0  # factor k on the general costs
        self.cost_pop = 1.0  # the population the fixed costs are sized for
        self.pop0 = 1
        self.businesses0 = 1

    # -- set-up ------------------------------------------------------------------------
    def init(self, pop_alive: int, businesses: int) -> None:
        p = self.p
        self.pop0 = max(pop_alive, 1)
        self.cost_pop = float(self.pop0)
        self.businesses0 = max(businesses, 1)
        self.revenue = self._revenue(pop_alive, businesses)
        self.stress = 0.0
        self.consolidation = 1.0
        self.planned_deficit = p.initial_deficit_share
        self.service_budget = self._service_budget(self.revenue)
        self.unit_cost = p.admin_hour_cost
        # general costs so that the first month has the declared (planned) deficit
        target_costs = self.revenue * (1.0 + p.initial_deficit_share)
        self.base_costs = max(0.0, target_costs - self.municipal_share * self.service_budget)
        self.costs = self.base_costs + self.municipal_share * self.service_budget
        self.balance = self.revenue - self.costs
        self.deficit_per_inhabitant = -self.balance * 12.0 / self.pop0
        self.cofunding_left = p.cofunding_per_capita * pop_alive
        self.cofunding_spent = 0.0  # nothing spent before month 1 (spin-up) is booked
        self.gate_credit = 0.0

    def _revenue(self, pop_alive: int, businesses: int) -> float:
        m = self.p
        economy = businesses / self.businesses0
        return (
            pop_alive
            * self.revenue_per_capita
            * (1.0 + m.demographic_pressure * m.pressure_revenue)
            * (0.7 + 0.3 * economy)
        )

    def _service_budget(self, revenue: float) -> float:
        """All tiers' budget for the co-produced services (EUR/month), after the cut."""
        return self.p.service_budget_share * revenue / self.municipal_share * (1.0 - self.stress)

    def general_costs(self, pop_alive: int) -> float:
        """General costs this month: the fixed part sized for ``cost_pop``, the rest for the
        living population, times the consolidation factor."""
        f = self.p.fixed_cost_share
        size = f * self.cost_pop / self.pop0 + (1.0 - f) * pop_alive / self.pop0
        return self.base_costs * self.consolidation * size

    # -- monthly -----------------------------------------------------------------------
    @property
    def admin_hours(self) -> float:
        """Service hours per month the service budget buys."""
        return self.service_budget / self.unit_cost

    def gate_capacity(self) -> int:
        """Decisions the staff can make this month.  Fractional capacity carries over (up to
        three months' worth or one decision, whichever is more: a gate of less than a
        third of a decision a month still decides now and then), so a scaled-down city is
        not given a rounded-up gate.  Called in the months with due proposals only: an
        idle gate saves nothing up (ODD 7.7)."""
        p = self.p
        fte = p.gate_staff_per_100k * self.pop0 / 1e5 * (1.0 - self.stress)
        per_month = fte * p.proposals_per_fte
        self.gate_credit = min(self.gate_credit + per_month, max(3.0 * per_month, 1.0))
        return int(self.gate_credit)

    def deficit_band(self) -> tuple[float, float]:
        """:func:`deficit_band` of the place, its top raised by the revenue per inhabitant
        the demographic pressure takes away at once, before consolidation reacts."""
        lo, hi = deficit_band(self.place)
        share = self.p.demographic_pressure * max(0.0, -self.p.pressure_revenue)
        hi += share * revenue_per_inhabitant(self.place)
        return lo, hi

    def decided(self, n: int) -> None:
        self.gate_credit = max(0.0, self.gate_credit - n)

    def new_year(self, pop_alive: int) -> None:
        self.cofunding_left = self.p.cofunding_per_capita * pop_alive

    def cofund(self, amount: np.ndarray) -> np.ndarray:
        """Grant co-funding for approved initiatives, oldest first, within the fund."""
        want = self.p.cofunding_share * np.asarray(amount, dtype=np.float64)  # EUR in double
        cum = np.cumsum(want)
        granted = np.where(cum <= self.cofunding_left, want, 0.0)
        self.cofunding_left -= granted.sum()
        self.cofunding_spent += granted.sum()
        return granted

    def account(self, pop_alive: int, businesses: int) -> None:
        """Close the month's books and set next month's costs and service budget (the
        rules in the module docstring, in that order)."""
        p = self.p
        self.revenue = self._revenue(pop_alive, businesses)
        self.cost_pop += (pop_alive - self.cost_pop) * p.cost_adjustment_rate / 12.0
        general = self.general_costs(pop_alive)
        self.costs = (
            general
            + self.municipal_share * self.service_budget
            + self.cofunding_spent
            + self.lab_spending
        )
        self.balance = self.revenue - self.costs
        self.debt = max(0.0, self.debt - self.balance)
        self.deficit_per_inhabitant = -self.balance * 12.0 / max(pop_alive, 1)
        # consolidation: next month's general costs close part of this month's gap
        if general > 0:
            step = p.consolidation_rate / 12.0 * self.balance / general
            self.consolidation *= max(0.0, 1.0 + step)
        # austerity responds to the deficit beyond the plan, phased in
        deficit = -self.balance / max(self.revenue, 1e-9)
        unplanned = max(0.0, deficit - self.planned_deficit)
        target = min(p.austerity_response * unplanned, p.max_austerity)
        self.stress = float(
            np.clip(self.stress + (target - self.stress) / p.austerity_months, 0.0, p.max_austerity)
        )
        self.planned_deficit *= 1.0 - p.consolidation_rate / 12.0
        self.service_budget = self._service_budget(self.revenue)
        self.cofunding_spent = 0.0
