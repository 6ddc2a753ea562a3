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


def _district_series(model, name: str) -> np.ndarray:
    """(district, month) values of ``name`` over the run (month 0 included)."""
    rec = model.recorder
    return np.array([rec.series(name, d) for d in range(model.n_districts)])


def _vacancy(model) -> Outcome:
    v = _district_series(model, "housing_vacancy")
    worst = float(np.nanmin(v)) if np.nanmin(v) < 0 else float(np.nanmax(v))
    return Outcome(worst, 0.0, 1.0)


def _age_differences(model) -> Outcome:
    share = _district_series(model, "share_65plus")
    start = float(np.ptp(share[:, 0]))
    if model.n_districts < 2 or start < 0.02:
        return Outcome(np.nan, 0.5, np.inf, applies=False)
    return Outcome(float(np.ptp(share[:, -1])) / start, 0.5, np.inf)


def _shortage(model) -> Outcome:
    return Outcome(float(np.nanmax(model.recorder.series("housing_shortage"))), 0.0, 0.05)


CHECKS: tuple[Check, ...] = (
    Check(
        "vacancy_in_range",
        "housing vacancy in [0, 1], every district and month",
        "the district value furthest from [0, 1] (the largest if none is outside)",
        "definition: a share",
        _vacancy,
    ),
    Check(
        "housing_shortage",
        "households without a dwelling, most in any month",
        "largest city-wide share of households without a dwelling of their own",
        "assumption: the stock follows demand within a few years (at most 5% short)",
        _shortage,
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


def summarise(runs: list[dict[str, Outcome]]) -> pd.DataFrame:
    """One row per check over the replicates' outcomes: the mean, least and largest
    measured value, the band, and whether every replicate passed."""
    rows = []
    for check in CHECKS:
        outcomes = [run[check.name] for run in runs]
        values = [o.value for o in outcomes if o.applies]
        rows.append(
            {
                "check": check.name,
                "label": check.label,
                "rule": check.rule,
                "low": outcomes[0].low,
                "high": outcomes[0].high,
                "simulated_mean": float(np.mean(values)) if values else np.nan,
                "simulated_min": float(np.min(values)) if values else np.nan,
                "simulated_max": float(np.max(values)) if values else np.nan,
                "applies": bool(values),
                "passed": all(o.passed for o in outcomes),
                "source": check.source,
            }
        )
    return pd.DataFrame(rows)
