"""The intervention framework: lifecycle, budget and staff accounting, reporting.

An intervention (a lab instrument) is a plug-in component with a fixed lifecycle:

* ``start(model)`` once, in its first month;
* ``act(model)`` every month it runs, before citizens and organisations decide (it moves the
  levers of :mod:`kosi_sim.levers` and acts on the tables);
* ``report(model)`` every month, after the month's rules ran (what it achieved);
* ``end(model)`` once, after its last month.

Money: ``budget_eur_per_year`` is refilled at the start of each of its years and never
overdrawn (so lumpy instruments such as an annual call can spend it at once).  Staff:
``staff_fte`` gives ``staff_fte * hours_per_fte_year / 12`` hours each month.  Staff are paid
``staff_cost_per_fte_year`` whether busy or not.  :meth:`afford` says how many actions of a
given cost fit; :meth:`spend` refuses to overdraw.  Each intervention draws only from its own
random stream.

Scale.  Budget, staff and every parameter are given for the real city.  A model at ``scale``
s < 1 simulates a sample of s of the inhabitants, and its instruments act for that sample:

* money and staff: each refill adds s of the real amount (``budget_eur_per_year * s`` a
  year, ``hours * s`` a month) and staff cost ``s`` of the real cost; what the simulated lab
  leaves unspent carries over up to the real lab's amount for one period (a year's budget),
  so an action the real lab pays in one piece (a grant, a meeting, a course) still fits into
  the sample, in about s of the periods.  Staff hours carry over up to one month of the real
  lab's hours plus the largest single action's hours the instrument has asked for
  (:meth:`afford`): the remainder of a month too short for one more action is worked off
  next month at every scale, as the sample banks it, so an instrument whose actions come in
  lumps of hours delivers the same actions per staff-year at every scale, and never spends
  more hours than it was given.  Spending and the municipal budget are in the simulated
  town's units;
* a *count of actions* of the real lab (courses or round tables a year, transfers a year, the
  reviews one month of staff time allows) scales: :meth:`scaled_count` gives ``n * s``,
  rounded stochastically from the instrument's own stream (the expected value is exact; no
  draw when ``n * s`` is whole, so nothing changes at s = 1);
* the *size of one action* does not scale (members of a round table, participants of a
  course, a grant's or a project's EUR, hours per consultation, recruits per grant): one
  simulated table has as many members as a real one;
* a *city-wide action* that the sample shares (the vote of a participatory budget, the jury
  of a neighbourhood fund) is not thinned; its cost and its reported size are the sample's
  share, :meth:`sample_share` (``x * s``); whether it happens at all is decided on the real
  lab's month (:meth:`city_action_fits`), as at s = 1;
* shares, probabilities and effect sizes do not scale.

Reports (``counts``) are kept in the simulated town's units while an instrument acts and are
logged in real-city units (divided by s), as the city metrics in :data:`kosi_sim.metrics.SCALED`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np

from ..parameters import OwnSection, Param, Section

SECTION = Section(
    "labs",
    "Costs shared by all lab instruments",
    [
        Param(
            "hours_per_fte_year",
            1600.0,
            "h/FTE/year",
            "Productive hours of one full-time post",
            "Krems, Online-Verwaltungslexikon olev.de: Personalkosten-Stundensätze "
            "(BMF 2014 rates, 1,560/1,644 h/yr)",
            (500.0, 2200.0),
        ),
        Param(
            "staff_cost_per_fte_year",
            75000.0,
            "EUR/FTE/year",
            "Cost of one full-time post incl. overheads",
            "Krems, Online-Verwaltungslexikon olev.de: Personalkosten-Stundensätze "
            "(BMF 2014 rates, 1,560/1,644 h/yr)",
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

#: how an instrument's own parameter behaves at scale s < 1 (see the module docstring);
#: every instrument declares one kind per parameter in ``scaling``
SCALING = {
    "count": "× s, stochastically rounded (a count of actions)",
    "size": "unchanged (the size of one action)",
    "city": "× s (one city-wide action: the sample's share)",
    "same": "unchanged (a share, chance, effect, time or setting)",
}

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

    def running(self, month: int) -> bool:
        """Whether the intervention acts in ``month`` (1 = the first month)."""
        return self.start <= month and (self.end is None or month <= self.end)


class BudgetError(RuntimeError):
    """An instrument tried to spend more than it has: a bug in the instrument."""


class Intervention:
    """Base class of all lab instruments."""

    type: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    params: ClassVar[tuple[Param, ...]] = ()
    #: instrument-specific metrics, reported beside STANDARD_METRICS
    extra_metrics: ClassVar[tuple[str, ...]] = ()
    #: each of ``params`` -> its kind in :data:`SCALING`
    scaling: ClassVar[dict[str, str]] = {}
    #: origin code written on initiatives it launches
    origin: ClassVar[int] = 1
    #: a small town's budget (EUR/year) and staff (FTE) for it: the app's starting values
    typical: ClassVar[tuple[float, float]] = (0.0, 0.0)
    #: the model parameters every instrument reads: the section ``labs`` (staff hours and
    #: cost of a post) and nothing else; its own parameters are ``p``
    labs = OwnSection(SECTION)

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
        self.scale = float(model.scale)
        self.labs = model.params
        # the real lab's staff hours a month; the simulated lab gets the sample's share
        self.real_hours_per_month = spec.staff_fte * self.labs.hours_per_fte_year / 12.0
        self.hours_per_month = self.real_hours_per_month * self.scale
        self.budget_per_year = spec.budget_eur_per_year * self.scale
        self.staff_cost_per_month = (
            spec.staff_fte * self.labs.staff_cost_per_fte_year / 12.0 * self.scale
        )
        self.money_left = 0.0
        self.hours_left = 0.0
        # the most hours one action has cost (the carry-over's margin, see the docstring)
        self.largest_action_hours = 0.0
        self.spent_this_step = 0.0
        self.started = False
        self.ended = False
        self.counts: dict[str, float] = {}
        self.totals = {"money_eur": 0.0, "staff_hours": 0.0, "staff_cost_eur": 0.0}

    # -- lifecycle driven by the model ----------------------------------------------------
    def running(self, month: int) -> bool:
        return self.spec.running(month)

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
        # refill by the sample's share; carry over up to the real lab's amount (see above)
        if (month - self.spec.start) % 12 == 0:
            self.money_left = min(
                max(self.money_left, 0.0) + self.budget_per_year, self.spec.budget_eur_per_year
            )
        self.hours_left = min(
            max(self.hours_left, 0.0) + self.hours_per_month,
            self.real_hours_per_month + self.largest_action_hours,
        )
        self.counts["staff_cost_eur"] = self.staff_cost_per_month
        self.spent_this_step = self.staff_cost_per_month
        self.act(model)

    def report(self, model) -> None:
        if self.started and not self.ended and self.running(model.month):
            self.observe(model)
        real = {key: value / self.scale for key, value in self.counts.items()}
        for key in self.totals:
            self.totals[key] += real.get(key, 0.0)
        model.intervention_log.append((model.month, self.label, self.type, real))

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
            self.largest_action_hours = max(self.largest_action_hours, hours_each)
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
        """Add ``n`` (simulated-town units) to this month's report ``key``."""
        self.counts[key] += n

    # -- scale (see the module docstring) -------------------------------------------------
    def scaled_count(self, n: float) -> int:
        """The sample's share of ``n`` actions of the real lab: ``n * scale`` rounded
        stochastically (from the instrument's own stream; no draw when it is whole)."""
        x = n * self.scale
        whole = math.floor(x)
        if x > whole and self.rng.random() < x - whole:
            whole += 1
        return int(whole)

    def sample_share(self, amount: float) -> float:
        """The sample's share of a city-wide amount (a vote's staff time, a jury's size)."""
        return amount * self.scale

    def city_action_fits(self, real_hours: float) -> bool:
        """Whether the real lab's staff can do a city-wide action of ``real_hours`` in one
        month.  Checked on the real lab's hours, not the sample's: the sample pays only its
        share (:meth:`sample_share`), which would fit at a small scale where the real lab's
        month does not."""
        return real_hours <= self.real_hours_per_month + 1e-9

    def monthly_capacity(self, hours_each: float) -> int:
        """How many actions of ``hours_each`` one month of the real lab's staff time allows,
        as the sample's share (:meth:`scaled_count`): for work done for the whole city in one
        month (reviewing a call's submissions), which banked hours must not enlarge."""
        if hours_each <= 0:
            return 10**12
        return self.scaled_count(int(self.real_hours_per_month // hours_each + 1e-9))


class _Namespace:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
