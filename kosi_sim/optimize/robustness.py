"""Robustness of designs over futures: mean, a low percentile, regret and satisficing.

Input is a long outcome table: one row per design and future, one column per outcome.
Directions say which way is better (:class:`kosi_sim.vocabulary.Direction`).

* **mean** over the futures;
* **percentile**: the bad tail: the ``q``-th percentile of an outcome where more is better,
  the ``(100 - q)``-th where less is better;
* **regret** (Savage): in each future, how far a design falls short of the best design
  *among those compared* in that future; per design its largest regret over the futures
  (minimax regret) is reported, and its mean regret;
* **relative regret**: that shortfall divided by the size of the best value (0 where both are
  0; infinite where the best is 0 and the design falls short);
* **satisficing**: the share of futures in which a design meets every threshold (and per
  outcome, the share meeting that outcome's threshold).  A failed run meets nothing.

Regret depends on the set of designs compared: here it is computed over every design the
search evaluated (it is not a search objective, whose values must not change as the search
goes on).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..vocabulary import Direction

DESIGN, FUTURE = "design", "future"


def regret(table: pd.DataFrame, outcome: str, direction: Direction) -> pd.DataFrame:
    """Per design and future: ``best`` (the best value in that future), ``regret`` (the gap
    to it, >= 0) and ``relative_regret``."""
    v = table[outcome].astype(float)
    s = direction.sign
    best = (s * v).groupby(table[FUTURE]).transform("max") * s
    with np.errstate(invalid="ignore"):
        gap = np.where(v.to_numpy() == best.to_numpy(), 0.0, s * (best - v).to_numpy())
        size = np.abs(best.to_numpy())
        rel = np.where(gap == 0, 0.0, np.where(size > 0, gap / np.where(size > 0, size, 1), np.inf))
    gap = np.where(np.isnan(v.to_numpy()), np.inf, gap)
    rel = np.where(np.isnan(v.to_numpy()), np.inf, rel)
    return pd.DataFrame(
        {
            DESIGN: table[DESIGN].to_numpy(),
            FUTURE: table[FUTURE].to_numpy(),
            "best": best.to_numpy(),
            "regret": gap,
            "relative_regret": rel,
        }
    )


def meets(
    table: pd.DataFrame, thresholds: Mapping[str, float], directions: Mapping[str, Direction]
) -> pd.DataFrame:
    """Per row, whether each outcome with a threshold meets it (NaN never does)."""
    out = {}
    for name, limit in thresholds.items():
        v = table[name].astype(float).to_numpy()
        ok = v >= limit if directions[name] is Direction.MAXIMIZE else v <= limit
        out[name] = ok & ~np.isnan(v)
    return pd.DataFrame(out, index=table.index)


def tail(values: pd.Series, direction: Direction, q: float) -> float:
    """The bad tail of ``values``: the ``q``-th percentile if more is better, else the
    ``(100 - q)``-th (NaN counts as the worst value)."""
    v = values.astype(float).to_numpy()
    worst = -np.inf if direction is Direction.MAXIMIZE else np.inf
    v = np.where(np.isnan(v), worst, v)
    return float(
        np.percentile(v, q if direction is Direction.MAXIMIZE else 100 - q, method="lower")
    )


def summary(
    table: pd.DataFrame,
    directions: Mapping[str, Direction],
    thresholds: Mapping[str, float],
    q: float,
) -> pd.DataFrame:
    """One row per design: ``mean_<o>``, ``percentile_<o>``, ``max_regret_<o>``,
    ``mean_regret_<o>``, ``max_relative_regret_<o>`` for each outcome, ``satisficing_<o>``
    for each threshold and ``satisficing`` (all thresholds at once)."""
    groups = table.groupby(DESIGN, sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(table[DESIGN].unique()), name=DESIGN))
    for name, d in directions.items():
        out[f"mean_{name}"] = groups[name].mean()
        out[f"percentile_{name}"] = groups[name].apply(lambda v, d=d: tail(v, d, q))
        r = regret(table, name, d).groupby(DESIGN)
        out[f"max_regret_{name}"] = r["regret"].max()
        out[f"mean_regret_{name}"] = r["regret"].mean()
        out[f"max_relative_regret_{name}"] = r["relative_regret"].max()
    if thresholds:
        ok = meets(table, thresholds, directions)
        for name in thresholds:
            out[f"satisficing_{name}"] = ok[name].groupby(table[DESIGN]).mean()
        out["satisficing"] = ok.all(axis=1).groupby(table[DESIGN]).mean()
    return out.reset_index()


#: what an objective is worth when it cannot be computed (a failed run, no gain at all):
#: larger than any real value, finite so that sorting and hypervolume stay defined
WORST = 1e12


def objective(
    table: pd.DataFrame,
    outcome: str,
    statistic: str,
    direction: Direction,
    thresholds: Mapping[str, float],
    directions: Mapping[str, Direction],
    q: float,
) -> pd.Series:
    """One search objective per design, to be minimised: the statistic of the outcome,
    negated where more is better; ``satisficing`` is the share meeting every threshold."""
    groups = table.groupby(DESIGN, sort=True)
    if statistic == "satisficing":
        ok = meets(table, thresholds, directions).all(axis=1)
        return -ok.groupby(table[DESIGN]).mean()
    if statistic == "mean":
        value = groups[outcome].apply(lambda v: v.astype(float).mean(skipna=False))
    else:
        value = groups[outcome].apply(lambda v: tail(v, direction, q))
    f = -direction.sign * value
    return f.where(np.isfinite(f), WORST).clip(upper=WORST)
