"""What each lab instrument achieves, checked against published figures.

The targets are a table reviewed like code, ``kosi_sim/data/instrument_targets.csv``: per
row an instrument, a metric of :data:`METRICS`, the published value and a tolerance (both in
the metric's unit), the budget and staff the source describes, the population they serve
(blank: a neighbourhood instrument of fixed size), the source, its address and a note on how
the value was derived.

:func:`evaluate` runs, for each instrument with a target, the given city with that
instrument alone (every other intervention removed) at the target's budget and staff (scaled
to the city's population where the table gives one, so a citizens' budget of EUR 150,000
for 355,000 inhabitants becomes EUR 21,000 in a town of 50,000), for whole years and a few
replicates, and measures the metric from the instrument's own monthly reports
(``model.intervention_log``, in real-city units).  A target passes when the mean over the
replicates lies within the tolerance of the published value.

Every metric is scale-free: per staff-year, per 1,000 residents aged 14+, per EUR 10,000
of budget, or a share, so it means the same at every ``scale`` and in every city.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from .scenario import Scenario

TABLE = "instrument_targets.csv"
COLUMNS = (
    "instrument",
    "metric",
    "target",
    "tolerance",
    "budget_eur_per_year",
    "staff_fte",
    "population",
    "source",
    "url",
    "note",
)


class InstrumentTargetError(ValueError):
    """A row of the target table is invalid (the message names the row and what is allowed)."""


@dataclass(frozen=True)
class Metric:
    """A scale-free measure of what an instrument did, from its monthly reports.

    ``value`` gets the summed reports (real-city units) of one run, the months it ran, and the
    instrument's real budget (EUR/year) and staff (FTE)."""

    instrument: str
    unit: str
    doc: str
    value: Callable[[dict[str, float], int, float, float], float]


def _per_staff_year(key: str) -> Callable[[dict[str, float], int, float, float], float]:
    def f(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
        return sums[key] / (staff * months / 12.0) if staff > 0 else math.nan

    return f


def _per_1000_14plus(key: str) -> Callable[[dict[str, float], int, float, float], float]:
    def f(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
        n = sums["residents_14plus"]
        return 1000.0 * sums[key] / n if n > 0 else math.nan

    return f


def _turnout(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
    n = sums["residents_14plus"]
    return sums["voters"] / n if n > 0 else math.nan


def _grants_per_10k(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
    return sums["grants"] / (months / 12.0) / (budget / 1e4) if budget > 0 else math.nan


def _premises_per_10k(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
    # premises_used is a stock reported every month: its mean over the months
    return sums["premises_used"] / months / (budget / 1e4) if budget > 0 else math.nan


def _converged_share(sums: dict[str, float], months: int, budget: float, staff: float) -> float:
    ended = sums["tables_converged"] + sums["tables_failed"]
    return sums["tables_converged"] / ended if ended > 0 else math.nan


#: every metric a target may name, by name
METRICS: dict[str, Metric] = {
    "placements_per_staff_year": Metric(
        "matching",
        "placements/FTE-year",
        "citizens who start volunteering after brokering, per paid staff-year",
        _per_staff_year("matched"),
    ),
    "inquiries_per_staff_year": Metric(
        "matching",
        "citizens/FTE-year",
        "citizens brokered (advised), per paid staff-year",
        _per_staff_year("reached"),
    ),
    "consultations_per_staff_year": Metric(
        "contact_point",
        "consultations/FTE-year",
        "consultations of open ideas and proposals, per paid staff-year",
        _per_staff_year("consultations"),
    ),
    "turnout_share": Metric(
        "participatory_budget",
        "share of 14+",
        "voters per resident aged 14+ at each cycle's call",
        _turnout,
    ),
    "ideas_per_1000_14plus": Metric(
        "participatory_budget",
        "ideas per 1,000 aged 14+",
        "ideas submitted per 1,000 residents aged 14+ at each cycle's call",
        _per_1000_14plus("ideas_submitted"),
    ),
    "submissions_per_1000_14plus": Metric(
        "ideas_call",
        "ideas per 1,000 aged 14+",
        "submissions per 1,000 residents aged 14+ at each call",
        _per_1000_14plus("submissions"),
    ),
    "grants_per_10k_eur": Metric(
        "small_grants",
        "grants per EUR 10,000",
        "grants a year per EUR 10,000 of the fund's yearly budget",
        _grants_per_10k,
    ),
    "premises_per_10k_eur": Metric(
        "space_provision",
        "premises per EUR 10,000",
        "premises in use (monthly mean) per EUR 10,000 of yearly budget",
        _premises_per_10k,
    ),
    "converged_share": Metric(
        "round_tables",
        "share of tables",
        "tables that converged on a joint initiative, of those that ended",
        _converged_share,
    ),
}


@dataclass(frozen=True)
class InstrumentTarget:
    instrument: str
    metric: str
    target: float
    tolerance: float
    budget_eur_per_year: float
    staff_fte: float
    population: int | None  # inhabitants budget and staff serve; None: not scaled
    source: str
    url: str
    note: str

    def passes(self, simulated: float) -> bool:
        return bool(np.isfinite(simulated)) and abs(simulated - self.target) <= self.tolerance

    def resources_for(self, population: int) -> tuple[float, float]:
        """Budget (EUR/year) and staff (FTE) for a city of ``population`` inhabitants."""
        f = 1.0 if self.population is None else population / self.population
        return self.budget_eur_per_year * f, self.staff_fte * f


def _number(row: dict, key: str, where: str, lo: float, hi: float) -> float:
    text = (row.get(key) or "").strip()
    try:
        v = float(text)
    except ValueError:
        raise InstrumentTargetError(
            f"{where}: {key} = {text!r} is not a number; allowed: {lo:g} to {hi:g}"
        ) from None
    if not (math.isfinite(v) and lo <= v <= hi):
        raise InstrumentTargetError(
            f"{where}: {key} = {text} is not allowed; allowed: {lo:g} to {hi:g}"
        )
    return v


def parse(rows: list[dict], name: str = TABLE) -> tuple[InstrumentTarget, ...]:
    """Validated targets from the table's rows; InstrumentTargetError (one line) if a row
    is wrong: unknown instrument or metric, a metric of another instrument, a bad number,
    no source, or the same metric twice."""
    from .interventions.base import BUDGET, STAFF
    from .interventions.registry import REGISTRY

    out: list[InstrumentTarget] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(rows, start=2):  # line 1 is the header
        where = f"{name} line {i}"
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise InstrumentTargetError(
                f"{where}: no column {missing[0]!r}; needed: {', '.join(COLUMNS)}"
            )
        kind, metric = row["instrument"].strip(), row["metric"].strip()
        if kind not in REGISTRY:
            raise InstrumentTargetError(
                f"{where}: instrument {kind!r} is unknown; allowed: {', '.join(REGISTRY)}"
            )
        if metric not in METRICS or METRICS[metric].instrument != kind:
            own = [m for m, d in METRICS.items() if d.instrument == kind]
            raise InstrumentTargetError(
                f"{where}: metric {metric!r} is not one of {kind}'s; allowed: "
                + (", ".join(own) or "none (no metric is defined for it)")
            )
        if (kind, metric) in seen:
            raise InstrumentTargetError(f"{where}: {kind} {metric} has a target already")
        seen.add((kind, metric))
        pop_text = (row["population"] or "").strip()
        population = None if not pop_text else int(_number(row, "population", where, 1, 1e8))
        source = (row["source"] or "").strip()
        if not source:
            raise InstrumentTargetError(f"{where}: no source; every target names its source")
        t = InstrumentTarget(
            kind,
            metric,
            _number(row, "target", where, 0, 1e9),
            _number(row, "tolerance", where, 1e-12, 1e9),
            _number(row, BUDGET.name, where, *BUDGET.bounds),
            _number(row, STAFF.name, where, *STAFF.bounds),
            population,
            source,
            (row["url"] or "").strip(),
            (row["note"] or "").strip(),
        )
        # one set of runs per instrument measures all its metrics: same budget and staff
        first = next((o for o in out if o.instrument == kind), None)
        if first is not None and _setting(first) != _setting(t):
            raise InstrumentTargetError(
                f"{where}: {kind} needs the same budget_eur_per_year, staff_fte and "
                f"population in all its rows (first: {_setting(first)})"
            )
        out.append(t)
    return tuple(out)


def _setting(t: InstrumentTarget) -> tuple[float, float, int | None]:
    return (t.budget_eur_per_year, t.staff_fte, t.population)


def load() -> tuple[InstrumentTarget, ...]:
    """The packaged targets."""
    with resources.files("kosi_sim.data").joinpath(TABLE).open(encoding="utf-8") as f:
        return parse(list(csv.DictReader(f)))


def scenario_for(scn: Scenario, target: InstrumentTarget, months: int) -> Scenario:
    """``scn`` with ``target``'s instrument alone, at its budget and staff for the city's
    population, running from the first month for ``months`` (whole years)."""
    from .scenario import from_dict

    budget, staff = target.resources_for(sum(d.population for d in scn.districts))
    doc = scn.to_dict()
    doc["years"] = max(1, math.ceil(months / 12))
    doc["interventions"] = [
        {
            "type": target.instrument,
            "label": target.instrument,
            "budget_eur_per_year": round(budget, 2),
            "staff_fte": round(staff, 4),
        }
    ]
    return from_dict(doc, scn.source or "<instrument check>")


def measure(model, label: str, target: InstrumentTarget, months: int) -> float:
    """``target``'s metric from the reports of the instrument ``label`` over ``months``."""
    spec = next(s for s in model.interventions if s.label == label).spec
    sums: dict[str, float] = {}
    for _month, who, _kind, counts in model.intervention_log:
        if who == label:
            for key, value in counts.items():
                sums[key] = sums.get(key, 0.0) + value
    return METRICS[target.metric].value(sums, months, spec.budget_eur_per_year, spec.staff_fte)


def evaluate(
    scn: Scenario,
    replications: int = 3,
    months: int = 24,
    targets: tuple[InstrumentTarget, ...] | None = None,
    progress: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """One row per target: the published value, tolerance, the simulated mean and spread
    over ``replications`` runs of ``months`` (rounded up to whole years) with the instrument
    alone, and pass/fail."""
    from .compare import replicate_seeds
    from .model import CityModel

    months = 12 * max(1, math.ceil(months / 12))
    targets = load() if targets is None else targets
    seeds = replicate_seeds(scn.seed, replications)
    rows = []
    for kind in dict.fromkeys(t.instrument for t in targets):  # in table order
        mine = [t for t in targets if t.instrument == kind]
        alone = scenario_for(scn, mine[0], months)
        values = np.empty((len(mine), len(seeds)))
        for j, seed in enumerate(seeds):
            model = CityModel(alone, rng=seed)
            model.run(months)
            for i, t in enumerate(mine):
                values[i, j] = measure(model, kind, t, months)
            if progress:
                progress()
        spec = alone.intervention_specs[0]
        for t, v in zip(mine, values, strict=True):
            ok = np.isfinite(v)
            mean = float(v[ok].mean()) if ok.any() else math.nan
            rows.append(
                {
                    "instrument": kind,
                    "metric": t.metric,
                    "unit": METRICS[t.metric].unit,
                    "target": t.target,
                    "tolerance": t.tolerance,
                    "simulated_mean": mean,
                    "simulated_sd": float(v[ok].std(ddof=1)) if ok.sum() > 1 else 0.0,
                    "runs_measured": int(ok.sum()),
                    "passed": t.passes(mean),
                    "budget_eur_per_year": spec.budget_eur_per_year,
                    "staff_fte": spec.staff_fte,
                    "months": months,
                    "replications": replications,
                    "source": t.source,
                    "url": t.url,
                }
            )
    return pd.DataFrame(rows)


def markdown(targets: tuple[InstrumentTarget, ...] | None = None) -> str:
    """The target table for the docs (docs/odd.md section 11), from the data."""
    from .catalog import illustrative
    from .interventions.registry import REGISTRY

    targets = load() if targets is None else targets
    lines = [
        "| instrument | metric | target | tolerance | budget (EUR/yr) | staff (FTE) "
        "| for inhabitants | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in targets:
        links = " ".join(f"<{u}>" for u in t.url.split())
        pop = "not scaled" if t.population is None else f"{t.population:,}"
        cells = [
            f"`{t.instrument}`",
            f"{METRICS[t.metric].doc} ({METRICS[t.metric].unit})",
            f"{t.target:g}",
            f"±{t.tolerance:g}",
            f"{t.budget_eur_per_year:,.0f}",
            f"{t.staff_fte:g}",
            pop,
            f"{t.source} {links}. {t.note}".strip(),
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    without = [k for k in REGISTRY if k not in {t.instrument for t in targets}]
    if without:
        flagged = [k for k in without if illustrative(k)]
        lines.append("")
        lines.append(
            "No published figure for what "
            + ", ".join(f"`{k}`" for k in without)
            + " achieve"
            + ("s" if len(without) == 1 else "")
            + " was found; "
            + (
                "all of them carry the `illustrative` flag."
                if flagged == without
                else "flagged `illustrative`: "
                + (", ".join(f"`{k}`" for k in flagged) or "none")
                + "."
            )
        )
    return "\n".join(lines)
