"""A settled start: the main indicators of a run and the band they should stay in.

At demographic pressure 0 and without a lab, a city whose start is settled keeps its main
indicators near their month-0 values; what changes is explained by a driver (the ageing,
shrinking population at today's rates), not by stocks that are still filling after the
spin-up.  The check reads a tidy metrics table (``metrics.parquet``), not a live model:

* the indicators (:data:`INDICATORS`) are computed from the city rows each month;
* their yearly means, averaged over runs, are compared with the month-0 value averaged over
  the same runs (one month of one run is too noisy for a town's few initiatives);
* :data:`SETTLED_BANDS` gives, per indicator, the largest relative deviation allowed.

The bands: +-10% for the engaged share, whose 20-year change at today's rates is a few
per cent (ageing moves people into the less engaged 65+ group); +-15% for the others, which
also follow the population: a shrinking city keeps its Vereine a while (per 1,000 rises) and
funds fewer service hours per inhabitant (coverage and trust fall).  Trust and coverage
stay in their band only while the fiscal effect of shrinking is taken out (``fixed_cost_share
= 0``): with sticky costs a city losing a tenth of its people runs a deficit and cuts its
service budget, a driver and not an artefact (ODD 7.7).
"""

from __future__ import annotations

import pandas as pd

#: indicator -> (metric divided, metric divided by or None, factor)
INDICATORS: dict[str, tuple[str, str | None, float]] = {
    "engaged_share": ("engaged_share", None, 1.0),
    "initiatives_producing_per_100k": ("initiatives_active", "population", 1e5),
    "associations_per_1000": ("associations", "population", 1e3),
    "trust_share": ("trust_share", None, 1.0),
    "coverage_mean": ("coverage_mean", None, 1.0),
}

#: largest relative deviation of an indicator's yearly mean from its month-0 value
SETTLED_BANDS: dict[str, float] = {
    "engaged_share": 0.10,
    "initiatives_producing_per_100k": 0.15,
    "associations_per_1000": 0.15,
    "trust_share": 0.15,
    "coverage_mean": 0.15,
}


def indicators(metrics: pd.DataFrame, district: str = "city") -> pd.DataFrame:
    """The indicators by month (and by ``run`` if the table has that column) from a tidy
    metrics table with columns month, district, metric, value."""
    rows = metrics[metrics["district"] == district]
    keys = ["run", "month"] if "run" in rows.columns else ["month"]
    wide = rows.pivot_table(index=keys, columns="metric", values="value", observed=True)
    out = pd.DataFrame(index=wide.index)
    for name, (num, den, factor) in INDICATORS.items():
        out[name] = wide[num] * factor / (wide[den] if den else 1.0)
    return out


def yearly_drift(by_month: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Relative deviation of the yearly means (year 0 = months 1-12; a last, partial year
    included) from the month-0 value, for values indexed by month from 0."""
    start = by_month.loc[0]
    later = by_month[by_month.index > 0]
    yearly = later.groupby((later.index - 1) // 12).mean()
    yearly.index.name = "year"
    return yearly / start - 1.0


def settled_drift(metrics: pd.DataFrame, district: str = "city") -> pd.DataFrame:
    """Relative deviation of each indicator's yearly mean from its month-0 value (both
    averaged over runs first), by year (0 = months 1-12)."""
    ind = indicators(metrics, district)
    return yearly_drift(ind.groupby(level="month").mean())


def outside_band(drift: pd.DataFrame, names: list[str] | None = None) -> dict[str, float]:
    """The indicators (of ``names``, default all) whose largest yearly deviation leaves its
    band, with that deviation."""
    worst = drift.abs().max()
    return {
        n: float(drift[n].loc[drift[n].abs().idxmax()])
        for n in names or list(SETTLED_BANDS)
        if worst[n] > SETTLED_BANDS[n]
    }
