"""Scenario discovery on a sweep's results: PRIM (EMA Workbench) boxes of factor space in
which the lab pays off, and the export of a sweep to the EMA Workbench's (experiments,
outcomes) form, so that its analyses work on kosi-sim results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import plotstyle as style
from . import effects
from .store import Store, read_metrics, read_runs

if TYPE_CHECKING:
    from .analysis import Analysis


def discovery(a: Analysis, metric: str = "coverage_mean", threshold: float = 0.02) -> None:
    if "lab" not in a.factors or a.outcomes["lab"].nunique() < 2:
        a.notes.append("No scenario discovery: the sweep has no 'lab' factor with both levels.")
        return
    others = [f for f in a.factors if f != "lab" and np.issubdtype(a.outcomes[f].dtype, np.number)]
    if not others:
        a.notes.append("No scenario discovery: no numeric factor besides 'lab'.")
        return
    paired = effects.paired(a.outcomes, metric, a.factors)
    x = paired[others].astype(float).reset_index(drop=True)
    y = (paired["effect"] >= threshold).to_numpy()
    a.tables["payoff_runs"] = pd.DataFrame(
        {
            "pairs": [len(y)],
            "lab_pays_off": [int(y.sum())],
            "metric": [metric],
            "threshold": [threshold],
        }
    )
    if y.all() or not y.any() or len(y) < 10:
        a.notes.append(
            f"No PRIM box: the lab pays off ({metric} +{threshold:g}) in "
            f"{int(y.sum())} of {len(y)} paired runs."
        )
        return
    box, limits = prim_box(x, y)
    limits["coverage"] = box.coverage
    limits["density"] = box.density
    limits["mass"] = box.mass
    a.tables["prim_box"] = limits
    a.notes.append(
        f"PRIM: the lab raises {metric} by at least {threshold:g} in a box "
        f"covering {box.coverage:.0%} of such runs with density {box.density:.0%}."
    )
    if len(others) >= 2:
        fig, ax = plt.subplots(figsize=(5, 4), constrained_layout=True)
        ax.scatter(x[others[0]], x[others[1]], c=y, cmap="coolwarm", s=18)
        lo, hi = (
            limits.set_index("factor").loc[others[0]],
            limits.set_index("factor").loc[others[1]],
        )
        ax.add_patch(
            plt.Rectangle(
                (lo["low"], hi["low"]),
                lo["high"] - lo["low"],
                hi["high"] - hi["low"],
                fill=False,
                lw=2,
            )
        )
        ax.set_xlabel(others[0])
        ax.set_ylabel(others[1])
        ax.set_title(f"where the lab pays off ({metric} +{threshold:g})", fontsize=9)
        a.figures["prim.png"] = style.png(fig)


def prim_box(x: pd.DataFrame, y: np.ndarray):
    """PRIM (EMA Workbench) on the cases ``y`` among the points ``x``: the box on the peeling
    trajectory with the most coverage at a density of 80% or more (else the densest), and
    its limits as a table (factor, low, high)."""
    import warnings

    prim = _ema().analysis.prim
    with warnings.catch_warnings():  # pandas deprecations inside the EMA Workbench
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, peel_alpha=0.1, mass_min=0.05).find_box()
    traj = box.peeling_trajectory
    dense = traj[traj["density"] >= 0.8]
    i = int(dense["coverage"].idxmax()) if len(dense) else int(traj["density"].idxmax())
    box.select(i)
    limits = box.box_lims[i].T.reset_index()
    limits.columns = ["factor", "low", "high"]
    return box, limits


def to_ema(root: Path) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The sweep as the EMA Workbench's (experiments, outcomes): one row per ok run, one
    array (runs x recorded months) per city metric."""
    runs = read_runs(root)
    manifest = Store(root).manifest()
    ok = runs[runs["status"] == "ok"].sort_values("run_id")
    experiments = ok[manifest["factors"]].copy()
    for c in experiments.columns:
        if experiments[c].dtype == bool:
            experiments[c] = experiments[c].astype(str)
    experiments["scenario"] = ok["point"].to_numpy()
    experiments["policy"] = (
        "lab on" if "lab" not in manifest["factors"] else np.where(ok["lab"], "lab on", "lab off")
    )
    experiments["model"] = manifest["base_scenario"]
    metrics = read_metrics(root)
    city = metrics[(metrics["district"] == "city") & metrics["run_id"].isin(ok["run_id"])]
    outcomes = {}
    for m, part in city.groupby("metric", observed=True):
        wide = part.pivot_table(index="run_id", columns="month", values="value")
        outcomes[str(m)] = wide.reindex(ok["run_id"]).to_numpy()
    outcomes["TIME"] = np.tile(np.array(sorted(city["month"].unique()), dtype=float), (len(ok), 1))
    return experiments.reset_index(drop=True), outcomes


def save_ema(root: Path, path: Path) -> None:
    ema = _ema()
    experiments, outcomes = to_ema(root)
    for name in outcomes:
        ema.ArrayOutcome(name)  # registers how the EMA Workbench stores it
    ema.save_results((experiments, outcomes), str(path))


def _ema():
    """The EMA Workbench, imported quietly (it warns about optional cluster back-ends)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ema_workbench
        import ema_workbench.analysis.prim
    return ema_workbench
