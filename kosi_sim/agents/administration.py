"""The city administration: budget, service provision, staff and the approval gate.

Budget per month (EUR):

* revenue ``R = pop * revenue_per_capita * (1 + p * pressure_revenue) * (0.7 + 0.3 * E)``
  with the economy index ``E`` = businesses now / at the start (trade tax, jobs);
* costs ``C = C0 * (f + (1 - f) * pop / pop0) + S + G + L``: the general costs ``C0``, of
  which a share ``f`` is fixed and does not shrink with the population (the source of
  fiscal stress under shrinkage), the service budget ``S``, co-funding of initiatives ``G``
  and the labs' spending ``L``; ``C0`` is set so that the first month's balance is
  ``-initial_deficit_share * R``;
* fiscal stress ``s = clip(austerity_response * max(0, -(R - C)) / R, 0, max_austerity)``
  cuts next month's service budget ``S = service_budget_share * R * (1 - s)`` and gate staff.

The approval gate (M3): a proposal waits a lead time drawn from a Gamma distribution with
mean ``approval_lead_time`` times the district's lead-time lever; the staff decide at most
``staff capacity`` proposals a month, oldest first.  A decided proposal is rejected with
probability ``rejection_base * risk_aversion * rejection lever * 2 * risk``, delayed by
another lead time with ``delay_share * (1 - openness)``, otherwise approved.  ``risk`` is the
proposal's novelty in [0, 1].
"""

from __future__ import annotations

import mesa
import numpy as np

from ..parameters import Param, Section

SECTION = Section(
    "administration",
    "The municipal budget, service provision and the approval gate",
    [
        Param(
            "revenue_per_capita",
            463.0,
            "EUR/month",
            "Municipal revenue per inhabitant",
            "derived: Dortmund budget volume about EUR 3.4 bn (2024) / 612,065 inhabitants "
            "/ 12 (City of Dortmund)",
            (0.0, 5000.0),
        ),
        Param(
            "initial_deficit_share",
            0.0,
            "share of revenue",
            "Deficit in the first month",
            "assumption (Dortmund 2025: EUR 361.8 m on EUR 3.4 bn, about 0.106)",
            (-0.5, 0.5),
        ),
        Param(
            "fixed_cost_share",
            0.6,
            "share",
            "Costs that do not shrink with the population",
            "assumption: infrastructure and personnel costs are sticky",
            (0.0, 1.0),
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
            "assumption: blended cost of own staff and contracted providers",
            (1.0, 500.0),
        ),
        Param(
            "austerity_response",
            3.0,
            "",
            "Cut of service budget per unit of deficit share",
            "assumption",
            (0.0, 20.0),
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
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "cofunding_share",
            0.3,
            "share",
            "Share of an approved initiative's costs co-funded",
            "assumption",
            (0.0, 1.0),
        ),
    ],
)


class Administration(mesa.Agent):
    """The one city administration of a model."""

    def __init__(self, model, p) -> None:
        super().__init__(model)
        self.p = p
        self.revenue = 0.0
        self.costs = 0.0
        self.balance = 0.0
        self.debt = 0.0
        self.stress = 0.0
        self.service_budget = 0.0
        self.cofunding_left = 0.0
        self.cofunding_spent = 0.0
        self.lab_spending = 0.0  # set by the model each month: all lab instruments together
        self.gate_credit = 0.0
        self.unit_cost = 1.0
        self.base_costs = 0.0
        self.pop0 = 1
        self.businesses0 = 1

    # -- set-up ------------------------------------------------------------------------
    def init(self, pop_alive: int, businesses: int) -> None:
        p = self.p
        self.pop0 = max(pop_alive, 1)
        self.businesses0 = max(businesses, 1)
        self.revenue = self._revenue(pop_alive, businesses)
        self.service_budget = p.service_budget_share * self.revenue
        self.unit_cost = p.admin_hour_cost
        # general costs so that the first month has the declared deficit
        target_costs = self.revenue * (1.0 + p.initial_deficit_share)
        self.base_costs = max(0.0, target_costs - self.service_budget)
        self.costs = self.base_costs + self.service_budget
        self.balance = self.revenue - self.costs
        self.cofunding_left = p.cofunding_per_capita * pop_alive
        self.cofunding_spent = 0.0  # nothing spent before month 1 (spin-up) is booked
        self.gate_credit = 0.0

    def _revenue(self, pop_alive: int, businesses: int) -> float:
        p, m = self.p, self.model.params
        economy = businesses / self.businesses0
        return (
            pop_alive
            * p.revenue_per_capita
            * (1.0 + m.demographic_pressure * m.pressure_revenue)
            * (0.7 + 0.3 * economy)
        )

    # -- monthly -----------------------------------------------------------------------
    @property
    def admin_hours(self) -> float:
        """Service hours per month the service budget buys."""
        return self.service_budget / self.unit_cost

    def gate_capacity(self) -> int:
        """Decisions the staff can make this month.  Fractional capacity carries over (up to
        three months' worth), so a scaled-down city is not given a rounded-up gate."""
        p = self.p
        fte = p.gate_staff_per_100k * self.pop0 / 1e5 * (1.0 - self.stress)
        per_month = fte * p.proposals_per_fte
        self.gate_credit = min(self.gate_credit + per_month, max(3.0 * per_month, 1.0))
        return int(self.gate_credit)

    def decided(self, n: int) -> None:
        self.gate_credit = max(0.0, self.gate_credit - n)

    def new_year(self, pop_alive: int) -> None:
        self.cofunding_left = self.p.cofunding_per_capita * pop_alive

    def cofund(self, amount: np.ndarray) -> np.ndarray:
        """Grant co-funding for approved initiatives, oldest first, within the fund."""
        want = self.p.cofunding_share * amount
        cum = np.cumsum(want)
        granted = np.where(cum <= self.cofunding_left, want, 0.0)
        self.cofunding_left -= granted.sum()
        self.cofunding_spent += granted.sum()
        return granted

    def account(self, pop_alive: int, businesses: int) -> None:
        """Close the month's books and set next month's service budget."""
        p = self.p
        self.revenue = self._revenue(pop_alive, businesses)
        general = self.base_costs * (
            p.fixed_cost_share + (1 - p.fixed_cost_share) * pop_alive / self.pop0
        )
        self.costs = general + self.service_budget + self.cofunding_spent + self.lab_spending
        self.balance = self.revenue - self.costs
        self.debt = max(0.0, self.debt - self.balance)
        deficit = max(0.0, -self.balance) / max(self.revenue, 1e-9)
        self.stress = float(np.clip(p.austerity_response * deficit, 0.0, p.max_austerity))
        self.service_budget = p.service_budget_share * self.revenue * (1.0 - self.stress)
        self.cofunding_spent = 0.0
