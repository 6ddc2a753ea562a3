"""Which priors matter: sensitivity indices of a ``[priors]`` study (:mod:`.priors`) and the
ranking of its factors, with how uncertain the ranking is.

The response of a unit point (one draw of the priors) is, with ``response = "lab_effect"``,
the lab's paired effect: the run with the lab minus the run without it, same seed, averaged
over replicates; for

* engaged share, service coverage (mean over the four services) and trust share: the
  difference of the outcomes (mean of the last 12 months, :mod:`.analysis`);
* cost-effectiveness: additional engaged citizens per EUR 100,000 of lab spending per year
  (the paired effect on ``engaged_citizens`` divided by the lab run's spending per year,
  :func:`.effects.lab_cost_per_year`).  This is the inverse of "EUR per additional engaged
  citizen", which is undefined (divides by zero, flips sign) wherever a draw makes the
  effect zero or negative, and so cannot be the response of an elementary effect.

With ``response = "outcome"`` the responses are the outcomes themselves.

Only whole blocks of the design enter the indices (a Morris trajectory of D + 1 unit points,
a Saltelli block of D + 2): a study stopped early is analysed over the blocks it finished.

How uncertain the ranking is (Morris): the trajectories are resampled with replacement
(:data:`RANK_BOOTSTRAP` times, seeded), mu* and the ranks recomputed, and each factor's 90%
interval of its rank reported (``rank_low`` to ``rank_high``).  Rank 1 is the most
influential; ties (e.g. several factors with mu* = 0) share the worst of their ranks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import sensitivity as salib

if TYPE_CHECKING:
    from .analysis import Analysis

#: the paired effects (lab_effect studies): response name -> the outcome metric it is of
EFFECTS = {
    "effect_engaged_share": "engaged_share",
    "effect_coverage_mean": "coverage_mean",
    "effect_trust_share": "trust_share",
}
#: additional engaged citizens per this many EUR of lab spending per year
PER_EUR = 100_000
COST = "engaged_per_eur100k"
OUTCOMES = ("engaged_share", "coverage_mean", "trust_share", "engaged_citizens")
RANK_BOOTSTRAP = 1000
#: the chart shows this many factors per response (a bar per factor; 150 would not read)
CHART_TOP = 20
RANK_SEED = 1
#: the ranking of a per-parameter study shipped for ``calibrate --posterior``
#: (written by scripts/sensitivity_docs.py from the study's analysis)
INFLUENTIAL = Path(__file__).resolve().parents[1] / "data" / "influential.csv"
#: how many of each outcome's most influential parameters the file keeps
INFLUENTIAL_TOP = 10


def responses(a: Analysis) -> pd.DataFrame:
    """One row per unit point with a response (index: the unit point), its factors' unit
    values and one column per response, averaged over replicates."""
    names = list(a.manifest["priors"]["groups"])
    df = a.outcomes
    if a.manifest["priors"]["response"] != "lab_effect":
        cols = [m for m in OUTCOMES if m in df]
        return df.groupby("point")[[*names, *cols]].mean().rename_axis("unit")
    df = df.assign(unit=df["point"] // 2)
    if not (df["lab"] == (df["point"] % 2 == 0)).all():
        raise ValueError("the design is not in pairs (point 2i with the lab, 2i + 1 without)")
    keys = ["unit", "replicate"]
    on, off = df[df["lab"]].set_index(keys), df[~df["lab"]].set_index(keys)
    both = on.index.intersection(off.index)
    on, off = on.loc[both], off.loc[both]
    out = on[names].copy()
    for name, metric in EFFECTS.items():
        if metric in df:
            out[name] = on[metric] - off[metric]
    if "engaged_citizens" in df and len(a.lab_cost):
        cost = on["run_id"].map(a.lab_cost)
        gain = on["engaged_citizens"] - off["engaged_citizens"]
        out[COST] = (gain / (cost / PER_EUR)).where(cost > 0)
    return out.groupby("unit").mean()


def complete_blocks(resp: pd.DataFrame, size: int) -> pd.DataFrame:
    """The rows of the blocks of ``size`` unit points that all have every response."""
    ok = resp.dropna()
    block = ok.index.to_series() // size
    counts = block.map(block.value_counts())
    return ok[counts == size]


def elementary_effects(x: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """Morris's elementary effects, one row per trajectory, one column per factor: in each
    trajectory (d + 1 points, one factor changed per step) the change of ``y`` over the
    change of the factor that moved."""
    r = len(y) // (d + 1)
    ee = np.full((r, d), np.nan)
    for t in range(r):
        xs, ys = x[t * (d + 1) : (t + 1) * (d + 1)], y[t * (d + 1) : (t + 1) * (d + 1)]
        for j in range(d):
            step = xs[j + 1] - xs[j]
            i = int(np.argmax(np.abs(step)))
            ee[t, i] = (ys[j + 1] - ys[j]) / step[i]
    return ee


def ranks(mu_star: np.ndarray) -> np.ndarray:
    """Rank 1 for the largest mu*; ties share the worst of their ranks."""
    return pd.Series(mu_star).rank(ascending=False, method="max").to_numpy(int)


def rank_intervals(ee: np.ndarray, seed: int = RANK_SEED) -> tuple[np.ndarray, np.ndarray]:
    """The 5% and 95% quantiles of each factor's rank over trajectories resampled with
    replacement."""
    rng = np.random.default_rng(seed)
    r = len(ee)
    boot = np.array(
        [ranks(np.abs(ee[rng.integers(0, r, r)]).mean(axis=0)) for _ in range(RANK_BOOTSTRAP)]
    )
    return np.quantile(boot, 0.05, axis=0), np.quantile(boot, 0.95, axis=0)


def ranking(a: Analysis, pts: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per response, every factor's mu* (SALib, with its 95% bootstrap half-width), its rank
    and the 90% interval of its rank over resampled trajectories, most influential first."""
    groups = a.manifest["priors"]["groups"]
    names = list(groups)
    table = a.tables["sensitivity"]
    rows = []
    for m in metrics:
        part = table[table["metric"] == m].set_index("factor").loc[names]
        ee = elementary_effects(pts[names].to_numpy(), pts[m].to_numpy(), len(names))
        low, high = rank_intervals(ee)
        rows.append(
            pd.DataFrame(
                {
                    "outcome": m,
                    "rank": ranks(part["mu_star"].to_numpy()),
                    "rank_low": low.astype(int),
                    "rank_high": high.astype(int),
                    "factor": names,
                    "keys": [len(groups[n]) for n in names],
                    "mu_star": part["mu_star"].to_numpy(),
                    "mu_star_conf": part["mu_star_conf"].to_numpy(),
                    "sigma": part["sigma"].to_numpy(),
                    "trajectories": len(ee),
                }
            ).sort_values(["rank", "factor"])
        )
    return pd.concat(rows, ignore_index=True)


def sensitivity(a: Analysis) -> None:
    """Indices of a ``[priors]`` study into ``a.tables['sensitivity']`` (and warnings, chart,
    like :func:`.sensitivity.sensitivity`), and, for Morris, the ranking with its rank
    intervals into ``a.tables['prior_ranking']``."""
    design = a.manifest["design"]
    if design not in ("morris", "sobol"):
        a.notes.append(f"No sensitivity indices: the design is {design} (use sobol or morris).")
        return
    names = list(a.manifest["priors"]["groups"])
    d = len(names)
    options = a.manifest.get("design_options", {})
    second = bool(options.get("second_order", False))
    size = d + 1 if design == "morris" else (2 * d + 2 if second else d + 2)
    resp = responses(a)
    metrics = [c for c in resp.columns if c not in names]
    pts = complete_blocks(resp, size)
    blocks, planned = (
        len(pts) // size,
        a.manifest["points"]
        // (2 if a.manifest["priors"]["response"] == "lab_effect" else 1)
        // size,
    )
    unit = "trajectories" if design == "morris" else "Saltelli blocks"
    if blocks < planned:
        a.notes.append(
            f"The indices use the {blocks} of {planned} {unit} whose every run finished."
        )
    if blocks < 2:
        a.notes.append(f"No sensitivity indices: fewer than 2 complete {unit}.")
        return
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    if design == "morris":
        table, found = salib._morris(problem, pts, metrics, int(options.get("levels", 4)))
    else:
        table, found = salib._sobol(problem, pts, metrics, second)
    a.tables["sensitivity"] = table
    if found:
        a.tables["sensitivity_warnings"] = pd.DataFrame(found, columns=["metric", "warning"])
        a.warnings.append(
            f"the sensitivity indices are unreliable: {len(found)} warning"
            f"{'s' if len(found) != 1 else ''}; see sensitivity_warnings.csv and the report"
        )
    rank = "mu_star" if design == "morris" else "ST"
    shown = table.sort_values(rank, ascending=False).groupby("metric", sort=False).head(CHART_TOP)
    if d > CHART_TOP:
        a.notes.append(
            f"The sensitivity chart shows each response's {CHART_TOP} most influential of the "
            f"{d} factors; sensitivity.csv has all."
        )
    a.figures["sensitivity.png"] = salib.chart(shown, design, found)
    if design == "morris":
        a.tables["prior_ranking"] = ranking(a, pts, metrics)


def influential_rows(ranking: pd.DataFrame, top: int = INFLUENTIAL_TOP) -> pd.DataFrame:
    """The rows of :data:`INFLUENTIAL` from a per-parameter study's ``prior_ranking``: each
    outcome's ``top`` parameters with mu* > 0 (key, rank and its 90% interval, mu* and its
    95% half-width, the outcome, the trajectories behind it)."""
    keep = ranking[(ranking["rank"] <= top) & (ranking["mu_star"] > 0)]
    out = keep.assign(key=keep["factor"].str.removeprefix("prior."))
    cols = ["key", "rank", "rank_low", "rank_high", "mu_star", "mu_star_conf", "outcome"]
    return out[[*cols, "trajectories"]].reset_index(drop=True)


def influential_keys(path: Path = INFLUENTIAL, top: int = INFLUENTIAL_TOP) -> list[str]:
    """The parameter keys ranked in the top ``top`` for any outcome in the shipped ranking,
    best rank first (for the parameters a calibration estimates)."""
    table = pd.read_csv(path)
    table = table[table["rank"] <= top].sort_values(["rank", "mu_star"], ascending=[True, False])
    return list(dict.fromkeys(table["key"]))
