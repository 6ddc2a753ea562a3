"""Long-run pattern checks: what must hold over the whole run, not only in the calibration
window.

The calibration targets describe today's city (the first months); a model can meet them and
still drift into the implausible later (negative vacancy, a deficit that eats the budget,
an initiative pipeline that grows for ever, districts that all end up alike).  Each check
here reads a finished run's recorder and states its rule and where its band comes from.
A check that does not apply to a scenario (a single district has no age differences)
reports ``applies = False`` and passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Outcome:
    value: float  # the measured quantity shown
    low: float  # the band
    high: float
    applies: bool = True
    series: np.ndarray | None = None  # by month, for a check judged on the replicates' mean

    @property
    def passed(self) -> bool:
        return (not self.applies) or bool(self.low <= self.value <= self.high)


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    rule: str  # what is measured, in words
    source: str  # where the band comes from
    measure: Callable[[object], Outcome]
    #: judged on the replicates' mean series (``pool`` applied to it), not on each replicate
    pool: Callable[[np.ndarray], Outcome] | None = None
    #: the check reads the worst month or year so far, so its miss can only grow as a run
    #: goes on: measured on a run's first months it bounds the whole run's miss from below
    #: (ABC stops a run as soon as such bounds exclude it; :func:`measure_so_far`)
    worst_so_far: bool = False


def _district_series(model, name: str) -> np.ndarray:
    """(district, month) values of ``name`` over the run (month 0 included)."""
    rec = model.recorder
    return np.array([rec.series(name, d) for d in range(model.n_districts)])


def _vacancy(model) -> Outcome:
    v = _district_series(model, "housing_vacancy")
    low, high = float(np.nanmin(v)), float(np.nanmax(v))
    # the side missed furthest, so the miss never falls as the run goes on
    return Outcome(low if -low > max(high - 1.0, 0.0) else high, 0.0, 1.0)


def _age_differences(model) -> Outcome:
    share = _district_series(model, "share_65plus")
    start = float(np.ptp(share[:, 0]))
    if model.n_districts < 2 or start < 0.02:
        return Outcome(np.nan, 0.5, np.inf, applies=False)
    return Outcome(float(np.ptp(share[:, -1])) / start, 0.5, np.inf)


def _deficit(model) -> Outcome:
    """The yearly mean deficit per inhabitant furthest outside the place's band (the
    largest if none is outside).  Under demographic pressure revenue per inhabitant falls
    at once by ``pressure * -pressure_revenue`` of revenue before consolidation reacts:
    the top of the band is raised by that much."""
    monthly = model.recorder.series("deficit_per_inhabitant")[1:]
    years = len(monthly) // 12
    if years == 0:
        return Outcome(np.nan, 0.0, 0.0, applies=False)
    yearly = monthly[: years * 12].reshape(years, 12).mean(axis=1)
    lo, hi = model.administration.deficit_band()
    below, above = lo - yearly.min(), yearly.max() - hi
    value = float(yearly.min() if below > max(above, 0.0) else yearly.max())
    return Outcome(value, lo, hi)


def _initiatives_drift(per_100k: np.ndarray) -> Outcome:
    """The yearly mean of producing initiatives per 100,000 furthest from its month-0 value,
    as a relative deviation, in the band of :mod:`kosi_sim.settled`."""
    from .settled import SETTLED_BANDS, yearly_drift

    band = SETTLED_BANDS["initiatives_producing_per_100k"]
    if len(per_100k) < 2 or per_100k[0] <= 0:
        return Outcome(np.nan, -band, band, applies=False)
    drift = yearly_drift(pd.Series(per_100k)).to_numpy()
    return Outcome(float(drift[np.argmax(np.abs(drift))]), -band, band, series=per_100k)


def _initiatives(model) -> Outcome:
    """Producing initiatives per 100,000 inhabitants by month and their drift in this run.
    The check is judged on the replicates' mean (as :func:`kosi_sim.settled.settled_drift`):
    one run's month-0 stock is filled from a year of spin-up flows, which in a city of
    350,000 are a few hundred events, and starts up to a fifth off that run's later level.
    It applies at today's rates (demographic pressure 0): under pressure, ageing,
    out-migration and fiscal stress are drivers that may move it."""
    rec = model.recorder
    per_100k = rec.series("initiatives_active") / np.maximum(rec.series("population"), 1) * 1e5
    out = _initiatives_drift(per_100k)
    if model.demography.pressure > 0:
        return Outcome(np.nan, out.low, out.high, applies=False)
    return out


def _shortage(model) -> Outcome:
    return Outcome(float(np.nanmax(model.recorder.series("housing_shortage"))), 0.0, 0.05)


CHECKS: tuple[Check, ...] = (
    Check(
        "vacancy_in_range",
        "housing vacancy in [0, 1], every district and month",
        "the district value furthest from [0, 1] (the largest if none is outside)",
        "definition: a share",
        _vacancy,
        worst_so_far=True,
    ),
    Check(
        "deficit_per_inhabitant",
        "municipal deficit per inhabitant and year (EUR), every year",
        "the yearly mean furthest outside the band (the largest if none is outside)",
        "the NRW range as a share of revenue (IT.NRW: 103.5% of expenses covered in 2018; "
        "Dortmund's planned 2025 shortfall) times the place's revenue "
        "(administration.deficit_band)",
        _deficit,
        worst_so_far=True,
    ),
    Check(
        "housing_shortage",
        "households without a dwelling, most in any month",
        "largest city-wide share of households without a dwelling of their own",
        "assumption: the stock follows demand within a few years (at most 5% short)",
        _shortage,
        worst_so_far=True,
    ),
    Check(
        "initiatives_per_100k",
        "producing initiatives per 100,000 inhabitants, every year",
        "the replicates' mean by month: its yearly mean's largest relative deviation from "
        "its month-0 value (at demographic pressure 0)",
        "the settled band (kosi_sim.settled.SETTLED_BANDS): a start at the pipeline's steady "
        "state and no stock that grows for ever (ODD 3.3)",
        _initiatives,
        pool=_initiatives_drift,
    ),
    Check(
        "district_age_differences",
        "district age differences kept (65+ share)",
        "spread (max - min) of the districts' 65+ shares at the end over that at month 0",
        "assumption: district age profiles persist for decades (residential sorting); at "
        "least half of the spread kept over 20 years",
        _age_differences,
    ),
)


def measure(model) -> dict[str, Outcome]:
    """Every check's outcome for one finished run."""
    return {check.name: check.measure(model) for check in CHECKS}


def measure_so_far(model) -> dict[str, Outcome]:
    """The outcomes of the checks one run is judged by whose miss can only grow
    (``worst_so_far``), on the months run so far: lower bounds of the whole run's misses."""
    return {c.name: c.measure(model) for c in CHECKS if c.worst_so_far and c.pool is None}


def summarise(runs: list[dict[str, Outcome]]) -> pd.DataFrame:
    """One row per check over the replicates' outcomes: the mean, least and largest
    measured value, the band, and whether every replicate passed (for a check with
    ``pool``: the value and verdict of the replicates' mean series)."""
    rows = []
    for check in CHECKS:
        outcomes = [run[check.name] for run in runs]
        values = [o.value for o in outcomes if o.applies]
        judged = outcomes
        if check.pool is not None and values:
            series = [o.series for o in outcomes if o.applies]
            n = min(len(x) for x in series)
            judged = [check.pool(np.mean([x[:n] for x in series], axis=0))]
        rows.append(
            {
                "check": check.name,
                "label": check.label,
                "rule": check.rule,
                "low": outcomes[0].low,
                "high": outcomes[0].high,
                "simulated_mean": (
                    judged[0].value
                    if check.pool is not None and values
                    else (float(np.mean(values)) if values else np.nan)
                ),
                "simulated_min": float(np.min(values)) if values else np.nan,
                "simulated_max": float(np.max(values)) if values else np.nan,
                "applies": bool(values),
                "passed": all(o.passed for o in judged),
                "source": check.source,
            }
        )
    return pd.DataFrame(rows)
