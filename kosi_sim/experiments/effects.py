"""The lab's paired effect in a sweep: per run pair, per design cell and for the whole study.

A pair is two runs at the same design point (every factor but ``lab`` equal) and the same
replicate, so the same seed: with the lab minus without it.  A sweep gives every design
point of a replicate the same seed, so the effects of one replicate's cells share their
random draws; the replicates are the independent units (with ``[uncertainty]`` the
parameter draws, each the mean of its replicates).  Hence:

* a cell's effect: the mean over its pairs (its replicates), with a t-based 95% interval;
* the study's effect: each replicate's effect averaged over the design points, then the
  mean over replicates with a t-based 95% interval over the replicates (none with one);
* the cost of one unit of gain: :func:`kosi_sim.compare.cost_effectiveness` on the
  replicates' effects and lab costs, so the rules (a ratio only for a clear increase, a
  paired bootstrap interval) are the same as for ``kosi-sim compare``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..compare import Comparison, cost_effectiveness, mean_ci95, verdict

if TYPE_CHECKING:
    from .analysis import Analysis


def paired(df: pd.DataFrame, metric: str, factors: list[str]) -> pd.DataFrame:
    """Paired lab effect: same replicate, same other factors, lab on minus lab off; with the
    two runs' values (``with_lab``, ``without_lab``) and any binned columns ``_x``/``_y``."""
    keys = [*(f for f in factors if f != "lab"), "replicate"]
    on = df[df["lab"]].set_index(keys)[metric].rename("with_lab")
    off = df[~df["lab"]].set_index(keys)[metric].rename("without_lab")
    both = pd.concat([on, off], axis=1, join="inner").dropna()
    effect = both.assign(effect=both["with_lab"] - both["without_lab"]).reset_index()
    for col in ("_x", "_y", "unit"):
        if col in df and col not in keys:
            effect = effect.merge(df[[*keys, col]].drop_duplicates(keys), on=keys, how="left")
    return effect


def cell_effects(pairs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per cell (one value of ``keys``): the mean paired effect, its t-based 95% interval
    over the cell's pairs, their number and the verdict (clear or not distinguishable from
    zero)."""
    rows = []
    for cell, group in pairs.groupby(keys):
        per_unit = group.groupby(unit_of(group))["effect"].mean()  # a pair per replicate
        mean, lo, hi = mean_ci95(per_unit.to_numpy()[:, None])
        rows.append(
            {
                **dict(zip(keys, cell, strict=True)),
                "effect": mean[0],
                "ci95_low": lo[0],
                "ci95_high": hi[0],
                "pairs": len(group),
                "verdict": verdict(lo[0], hi[0]),
            }
        )
    return pd.DataFrame(rows)


def has_lab(outcomes: pd.DataFrame, factors: list[str]) -> bool:
    """Whether the sweep runs every point with and without the lab."""
    return "lab" in factors and outcomes["lab"].nunique() == 2


def unit_of(df: pd.DataFrame) -> str:
    """The independent unit: the replicate, or with [uncertainty] the parameter draw
    (``unit``), whose replicates share their parameters."""
    return "unit" if "unit" in df else "replicate"


def by_replicate(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each unit's (replicate's, or draw's) mean over its design points and replicates of
    the pairs' values and effects."""
    return pairs.groupby(unit_of(pairs))[["with_lab", "without_lab", "effect"]].mean()


def study_effects(outcomes: pd.DataFrame, factors: list[str], metrics) -> pd.DataFrame:
    """One row per metric: the mean over replicates of the design-averaged values with and
    without the lab and of the paired effect, each with its 95% interval over replicates,
    the verdict, and the numbers of replicates, pairs and cells behind it."""
    rows = []
    for m in metrics:
        if m not in outcomes:
            continue
        pairs = paired(outcomes, m, factors)
        if pairs.empty:
            continue
        reps = by_replicate(pairs)
        mean, lo, hi = mean_ci95(reps.to_numpy())
        row = {"metric": m}
        for i, col in enumerate(reps.columns):
            row[col] = mean[i]
            row[f"{col}_ci95_low"], row[f"{col}_ci95_high"] = lo[i], hi[i]
        row["verdict"] = verdict(row["effect_ci95_low"], row["effect_ci95_high"])
        row["replicates"] = len(reps)
        row["pairs"] = len(pairs)
        keys = [f for f in factors if f != "lab"]
        row["cells"] = len(pairs.groupby(keys)) if keys else 1
        rows.append(row)
    return pd.DataFrame(rows)


def extremes(outcomes: pd.DataFrame, factors: list[str], metric: str) -> pd.DataFrame:
    """The design cells (values of every factor but ``lab``) with the largest and the
    smallest mean paired effect on ``metric`` (rows ``largest`` and ``smallest``), each with
    its interval over the cell's pairs; empty when the design has fewer than two cells."""
    keys = [f for f in factors if f != "lab"]
    if not keys or metric not in outcomes:
        return pd.DataFrame()
    cells = cell_effects(paired(outcomes, metric, factors), keys)
    if len(cells) < 2:
        return pd.DataFrame()
    out = cells.loc[[cells["effect"].idxmax(), cells["effect"].idxmin()]]
    out.index = ["largest", "smallest"]
    out.attrs["cells"] = len(cells)
    return out


def cost_ratios(
    outcomes: pd.DataFrame, factors: list[str], lab_cost: pd.Series, seed: int
) -> pd.DataFrame:
    """What the lab costs per year and per unit of gain (additional engaged citizen, point
    of coverage), by :func:`kosi_sim.compare.cost_effectiveness` over the replicates; empty
    when the sweep did not record the metrics or the lab's spending."""
    needed = ("engaged_citizens", "coverage_mean")
    if lab_cost.empty or any(m not in outcomes for m in needed):
        return pd.DataFrame()
    effects, gains = [], {}
    for m in needed:
        pairs = paired(outcomes, m, factors)
        reps = pairs.groupby(unit_of(pairs))["effect"].mean()
        mean, lo, hi = mean_ci95(reps.to_numpy()[:, None])
        effects.append({"indicator": m, "effect": mean[0], "verdict": verdict(lo[0], hi[0])})
        gains[m] = reps
    lab_runs = outcomes[outcomes["lab"]]
    costs = (
        lab_runs.assign(cost=lab_runs["run_id"].map(lab_cost))
        .groupby(unit_of(lab_runs))["cost"]
        .mean()
        .reindex(gains[needed[0]].index)
    )
    if costs.isna().any():
        return pd.DataFrame()
    comparison = Comparison(
        effects=pd.DataFrame(effects),
        over_time=pd.DataFrame(),
        cost_per_year=float(costs.mean()),
        replications=len(costs),
        replicate_effects=pd.DataFrame(gains).reset_index(drop=True),
        replicate_costs=costs.to_numpy(),
        seed=seed,
    )
    table = cost_effectiveness(comparison)
    table.loc[0, "note"] = (
        "mean over replicates of the lab runs' spending (money and staff) in the recorded "
        "months in which the lab spends, times 12"
    )
    return table


def lab_cost_per_year(city: pd.DataFrame) -> pd.Series:
    """Each run's lab spending per year: the mean of ``lab_spending`` over its recorded
    months with spending (the months the lab runs), times 12; 0 for runs without any."""
    spend = city[city["metric"] == "lab_spending"]
    if spend.empty:
        return pd.Series(dtype=float)
    runs = spend["run_id"].unique()
    running = spend[spend["value"] > 0]
    return (running.groupby("run_id")["value"].mean() * 12.0).reindex(runs, fill_value=0.0)


def add_tables(a: Analysis, metrics) -> None:
    """The lab's effect over the whole study (with its interval over replicates), the design
    cells where it is largest and smallest, and its cost per unit of gain, as tables."""
    if not has_lab(a.outcomes, a.factors):
        return
    metrics = [*metrics, "engaged_citizens"]  # what the cost per engaged citizen divides
    study = study_effects(a.outcomes, a.factors, metrics)
    if study.empty:
        return
    a.tables["lab_effect_study"] = study
    ends = []
    for m in study["metric"]:
        part = extremes(a.outcomes, a.factors, m)
        if len(part):
            ends.append(part.assign(metric=m, cells=part.attrs["cells"]).rename_axis("where"))
    if ends:
        a.tables["lab_effect_extremes"] = pd.concat(ends).reset_index()
    cost = cost_ratios(a.outcomes, a.factors, a.lab_cost, int(a.manifest.get("root_seed", 0)))
    if len(cost):
        a.tables["lab_cost_effectiveness"] = cost
