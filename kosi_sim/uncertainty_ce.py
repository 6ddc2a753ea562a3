"""Cost-effectiveness with parameter uncertainty: a ratio only where its denominator can be
told from zero.

The lab's cost per year is summarised over all K*R pairs (median and 90% interval; it
varies with the draws only where an instrument's spending depends on a drawn parameter).

A ratio such as EUR per additional engaged citizen needs a gain that can be told from zero,
and whether it can depends on the draw.  For draw k the gain is the mean effect over its R
replicates, g_k; it is *told from zero* when its 95% interval lies above zero,
g_k - t(0.975, K(R-1)) * sqrt(s2 / R) > 0, with s2 the chance variance pooled over all
draws (the within-draw variance of :func:`kosi_sim.uncertainty.variance_split`).  Pooling
assumes that the replicate noise is about the same in every draw (an assumption); it gives
each draw's interval K(R-1) degrees of freedom instead of R-1, which matters with R = 2.
The ratio, cost_k / g_k, is formed only for those draws and summarised by its median and
90% interval over them; the row says in how many of the K draws that was (``draws_clear``).
With no such draw there is no ratio.  Conditioning on a clear gain selects the draws where
the lab works: when ``draws_clear`` is below 1 the ratio describes those draws only, and
the note says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import INDICATORS, RATIOS
from .uncertainty import LEVEL, UncertainComparison


def _quantiles(x: np.ndarray) -> tuple[float, float, float]:
    tail = (1 - LEVEL) / 2
    low, median, high = np.quantile(x, [tail, 0.5, 1 - tail])
    return float(median), float(low), float(high)


def clear_gains(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each draw's mean gain over its replicates (y: K x R) and whether its 95% interval,
    with the chance variance pooled over draws, lies above zero."""
    k, r = y.shape
    gain = y.mean(axis=1)
    pooled = y.var(axis=1, ddof=1).mean()
    half = stats.t.ppf(0.975, k * (r - 1)) * np.sqrt(pooled / r)
    return gain, gain - half > 0


def cost_effectiveness_uncertain(u: UncertainComparison) -> pd.DataFrame:
    """One row per measure: ``value`` (median), ``low90``, ``high90``, ``draws_clear`` (the
    share of draws whose gain can be told from zero) and a ``note``."""
    k, r = u.pair_costs.shape
    value, low, high = _quantiles(u.pair_costs.reshape(-1))
    rows = [
        {
            "measure": "lab_cost_eur_per_year",
            "value": value,
            "low90": low,
            "high90": high,
            "draws_clear": np.nan,
            "note": f"over the months the lab runs; {k * r} paired runs",
        }
    ]
    names = [o.name for o in INDICATORS]
    draw_costs = u.pair_costs.mean(axis=1)
    for name, indicator, per in RATIOS:
        y = u.pair_effects[:, :, names.index(indicator)] * per
        gain, clear = clear_gains(y)
        row = {"measure": name, "value": np.nan, "low90": np.nan, "high90": np.nan}
        row["draws_clear"] = float(clear.mean())
        if not clear.any():
            row["note"] = (
                f"n/a: the gain cannot be told from zero in any of the {k} draws, "
                "so no ratio is given"
            )
        else:
            row["value"], row["low90"], row["high90"] = _quantiles(draw_costs[clear] / gain[clear])
            row["note"] = (
                f"over the {clear.sum()} of {k} draws whose gain can be told from zero"
                + (
                    f"; in the other {k - clear.sum()} it cannot and there is no ratio"
                    if not clear.all()
                    else ""
                )
            )
        rows.append(row)
    return pd.DataFrame(rows)
