"""The intervention framework: lifecycle, budget and staff accounting, reporting.

An intervention (a lab instrument) is a plug-in component with a fixed lifecycle:

* ``start(model)`` once, in its first month;
* ``act(model)`` every month it runs, before citizens and organisations decide (it moves the
  levers of :mod:`kosi_sim.levers` and acts on the tables);
* ``report(model)`` every month, after the month's rules ran (what it achieved);
* ``end(model)`` once, after its last month.

Money: ``budget_eur_per_year`` is refilled at the start of each of its years and never
overdrawn (so lumpy instruments such as an annual call can spend it at once).  Staff:
``staff_fte`` gives ``staff_fte * hours_per_fte_year / 12`` hours each month, not carried
over.  Staff are paid ``staff_cost_per_fte_year`` whether busy or not.  :meth:`afford`
says how many actions of a given cost fit; :meth:`spend` refuses to overdraw.  Each
intervention draws only from its own random stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..parameters import Param, Section

SECTION = Section(
    "labs",
    "Costs shared by all lab instruments",
    [
        Param(
            "hours_per_fte_year",
            1600.0,
            "h/FTE/year",
            "Productive hours of one full-time post",
            "assumption: order of the KGSt standard for German municipalities",
            (500.0, 2200.0),
        ),
        Param(
            "staff_cost_per_fte_year",
            75000.0,
            "EUR/FTE/year",
            "Cost of one full-time post incl. overheads",
            "assumption: order of KGSt personnel cost rates for a graduate post",
            (0.0, 300000.0),
        ),
    ],
)

#: money and staff of an instrument (every ``[[interventions]]`` entry gives both)
BUDGET = Param(
    "budget_eur_per_year",
    0.0,
    "EUR/year",
    "Money per year, refilled at the start of each of the instrument's years",
    "scenario input",
    (0.0, 1e9),
)
STAFF = Param(
    "staff_fte",
    0.0,
    "FTE",
    "Staff posts working for the instrument",
    "scenario input",
    (0.0, 1000.0),
)
TYPICAL_SOURCE = (
    "assumption: a small town's instrument, as in scenarios/classroom_toolbox.toml "
    "(used as the app's starting value)"
)

#: metrics every intervention reports each month (zero where they do not apply)
STANDARD_METRICS = (
    "money_eur",
    "staff_hours",
    "staff_cost_eur",
    "reached",
    "ideas",
    "proposals",
    "approvals",
    "rejections",
    "initiatives_launched",
)


@dataclass(frozen=True)
class InterventionSpec:
    """A validated ``[[interventions]]`` entry (see :mod:`kosi_sim.interventions.spec`)."""

    type: str
    label: str
    start: int
    end: int | None
    budget_eur_per_year: float
    staff_fte: float
    districts: tuple[str, ...] | None
    params: Mapping[str, Any]


class BudgetError(RuntimeError):
    """An instrument tried to spend more than it has: a bug in the instrument."""


class Intervention:
    """Base class of all lab instruments."""

    type: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: instrument-specific metrics, reported beside STANDARD_METRICS
    extra_metrics: ClassVar[tuple[str, ...]] = ()
    #: origin code written on initiatives it launches
    origin: ClassVar[int] = 1
    #: a small town's budget (EUR/year) and staff (FTE) for it: the app's starting values
    typical: ClassVar[tuple[float, float]] = (0.0, 0.0)

    @classmethod
    def typical_budget(cls) -> Param:
        """:data:`BUDGET` with this instrument's typical value as its default."""
        return replace(BUDGET, default=cls.typical[0], source=TYPICAL_SOURCE)

    @classmethod
    def typical_staff(cls) -> Param:
        """:data:`STAFF` with this instrument's typical value as its default."""
        return replace(STAFF, default=cls.typical[1], source=TYPICAL_SOURCE)

    def __init__(self, spec: InterventionSpec, model) -> None:
        self.spec = spec
        self.label = spec.label
        values = {p.name: p.default for p in self.params}
        values.update(spec.params)
        self.p = _Namespace(values)
        self.rng = model.streams(f"intervention.{spec.label}")
        names = model.district_names
        chosen = names if spec.districts is None else spec.districts
        self.districts = np.array([names.index(d) for d in chosen], dtype=np.int64)
        self.in_target = np.zeros(model.n_districts, dtype=bool)
        self.in_target[self.districts] = True
        self.hours_per_month = spec.staff_fte * model.params.hours_per_fte_year / 12.0
        self.staff_cost_per_month = spec.staff_fte * model.params.staff_cost_per_fte_year / 12.0
        self.money_left = 0.0
        self.hours_left = 0.0
        self.spent_this_step = 0.0
        self.started = False
        self.ended = False
        self.counts: dict[str, float] = {}
        self.totals = {"money_eur": 0.0, "staff_hours": 0.0, "staff_cost_eur": 0.0}

    # -- lifecycle driven by the model ----------------------------------------------------
    def running(self, month: int) -> bool:
        end = self.spec.end
        return self.spec.start <= month and (end is None or month <= end)

    def step(self, model) -> None:
        self.counts = dict.fromkeys((*STANDARD_METRICS, *self.extra_metrics), 0.0)
        self.spent_this_step = 0.0
        month = model.month
        if not self.running(month):
            if self.started and not self.ended:
                self.end(model)
                self.ended = True
            return
        if not self.started:
            self.started = True
            self.start(model)
        if (month - self.spec.start) % 12 == 0:
            self.money_left = self.spec.budget_eur_per_year
        self.hours_left = self.hours_per_month
        self.counts["staff_cost_eur"] = self.staff_cost_per_month
        self.spent_this_step = self.staff_cost_per_month
        self.act(model)

    def report(self, model) -> None:
        if self.started and not self.ended and self.running(model.month):
            self.observe(model)
        for key in self.totals:
            self.totals[key] += self.counts.get(key, 0.0)
        model.intervention_log.append((model.month, self.label, self.type, dict(self.counts)))

    # -- hooks for instruments --------------------------------------------------------
    def start(self, model) -> None:
        """Called once in the first month (before ``act``)."""

    def act(self, model) -> None:
        """Called every running month, before citizens and organisations decide."""

    def observe(self, model) -> None:
        """Called every running month after the month's rules: count what was achieved."""

    def end(self, model) -> None:
        """Called once after the last month."""

    # -- money and staff ----------------------------------------------------------------
    def afford(self, wanted: int, eur_each: float = 0.0, hours_each: float = 0.0) -> int:
        """How many of ``wanted`` actions fit into the money and staff time left."""
        n = max(0, int(wanted))
        if eur_each > 0:
            n = min(n, int(self.money_left // eur_each + 1e-9))
        if hours_each > 0:
            n = min(n, int(self.hours_left // hours_each + 1e-9))
        return n

    def spend(self, eur: float = 0.0, hours: float = 0.0) -> None:
        if eur > self.money_left + 1e-6 or hours > self.hours_left + 1e-6:
            raise BudgetError(
                f"{self.label}: tried to spend EUR {eur:.2f} and {hours:.2f} h with EUR "
                f"{self.money_left:.2f} and {self.hours_left:.2f} h left"
            )
        self.money_left -= eur
        self.hours_left -= hours
        self.counts["money_eur"] += eur
        self.counts["staff_hours"] += hours
        self.spent_this_step += eur

    def count(self, key: str, n: float) -> None:
        self.counts[key] += n


class _Namespace:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
