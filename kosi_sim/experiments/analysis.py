"""Analysis of a sweep: outcomes, heatmaps, trajectories, sensitivity, scenario discovery.

Works only on the results folder (never on live models):

* outcome of a run = the mean of a city metric's values recorded in the last 12 months of
  the run (months m-11 to m of a run of m months; with records every k months that is
  12 / k values, one with yearly records);
* the lab's paired effect (same design point and replicate, with minus without the lab) for
  the whole study with a 95% interval over replicates, per design cell, and what it costs
  per unit of gain (:mod:`.effects`);
* heatmaps of the main outcomes over ``demographic_pressure`` x ``civic_engagement`` - with
  the lab, without it and the paired difference when the sweep has a ``lab`` factor;
* trajectories: mean and 10-90% band across runs, per level of the first on/off factor;
* sensitivity: Sobol (S1, ST) or Morris (mu*, sigma) indices via SALib, for those designs,
  with warnings when they are unreliable (:mod:`.sensitivity`);
* scenario discovery: PRIM (EMA Workbench) boxes of factor space in which the lab pays off
  (its paired effect on ``payoff_metric`` reaches ``payoff_threshold``; :mod:`.discovery`);
* an HTML report that opens with a summary in words, then figures (embedded), tables with
  intervals and provenance (:mod:`.report`);
* export to the EMA Workbench's (experiments, outcomes) form (``ema_results.tar.gz``), so
  ``ema_workbench.load_results`` and its analyses work on kosi-sim results
  (:mod:`.discovery`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from .. import plotstyle as style
from ..outdir import ANALYSIS, ResultsError, claim
from ..vocabulary import InstrumentSwitch, target
from . import effects, prior_sensitivity
from .discovery import discovery, prim_box, save_ema, to_ema
from .report import report
from .sensitivity import sensitivity
from .store import Store, read_metrics, read_runs

MAIN = ("engaged_share", "coverage_mean", "trust_share", "initiatives_active")
HEAT_X, HEAT_Y = "demographic_pressure", "civic_engagement"
#: the months at the end of a run over which its outcome is the mean of the recorded values
WINDOW = 12


@dataclass
class Analysis:
    manifest: dict
    runs: pd.DataFrame
    outcomes: pd.DataFrame  # one row per ok run: run_id, factors..., metrics
    factors: list[str]
    figures: dict[str, bytes] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. an unfinished sweep
    #: the outcome window: last month of the runs and the recorded months averaged
    window: dict = field(default_factory=dict)
    #: each run's lab spending per year (EUR), over the recorded months the lab spends
    lab_cost: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


def missing_runs(root: Path, manifest: dict, runs: pd.DataFrame) -> str | None:
    """A warning if the sweep has fewer run records than runs (still running or stopped)."""
    total = int(manifest.get("runs", 0))
    missing = total - len(runs)
    if missing <= 0:
        return None
    experiment = manifest.get("experiment_file") or "EXPERIMENT"
    return (
        f"{root}: the sweep is unfinished (status {manifest.get('status', 'unknown')}): "
        f"{missing} of {total} runs have no result yet; this analysis covers the "
        f"{len(runs)} recorded; finish it with kosi-sim sweep {experiment} --out {root} --resume"
    )


def load(root: Path) -> Analysis:
    store = Store(root)
    manifest = store.manifest()
    runs = read_runs(root)
    if runs.empty:
        raise ResultsError(f"{root}: the sweep has no finished runs yet")
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        raise ResultsError(f"{root}: every run failed; see the error column of runs.parquet")
    metrics = read_metrics(root)
    city = metrics[metrics["district"] == "city"]
    last = city.groupby("run_id")["month"].transform("max")
    final = city[city["month"] > last - WINDOW]
    outcomes = final.pivot_table(
        index="run_id", columns="metric", values="value", aggfunc="mean", observed=True
    ).reset_index()
    factors = list(manifest["factors"])
    outcomes = ok[["run_id", "point", "replicate", *factors]].merge(outcomes, on="run_id")
    if manifest.get("uncertainty"):  # the runs of one parameter draw are one unit
        outcomes["unit"] = outcomes["replicate"] // int(manifest["replications"])
    elif (manifest.get("priors") or {}).get("response") == "lab_effect":
        # a prior study's pairs are points 2i and 2i + 1: their key, since draws may repeat
        outcomes.insert(3, "unit", outcomes["point"] // 2)
        factors = ["unit", *factors]
    a = Analysis(manifest, runs, outcomes, factors)
    a.window = outcome_window(final)
    a.lab_cost = effects.lab_cost_per_year(city[city["run_id"].isin(ok["run_id"])])
    if warning := missing_runs(root, manifest, runs):
        a.warnings.append(warning)
    a.tables["runs_status"] = runs.groupby("status").size().rename("runs").reset_index()
    return a


def outcome_window(final: pd.DataFrame) -> dict:
    """The months behind each run's outcome: the most common last month of the runs, the
    recorded months averaged in its window, and every last month found (normally one)."""
    lasts = final.groupby("run_id")["month"].max()
    last = int(lasts.mode().iloc[0])
    runs = lasts.index[lasts == last]
    months = sorted(int(m) for m in final.loc[final["run_id"].isin(runs), "month"].unique())
    return {
        "months": WINDOW,
        "last_month": last,
        "recorded": months,
        "last_months": sorted(int(m) for m in lasts.unique()),
    }


def _binned(values: pd.Series) -> pd.Series:
    if values.nunique() <= 10:
        return values.round(6)
    return pd.cut(values, 5).apply(lambda iv: round(iv.mid, 3)).astype(float)


def _draw_grid(
    fig,
    ax,
    grid: pd.DataFrame,
    metric: str,
    title: str,
    limits,
    change: bool,
    unclear: np.ndarray | None = None,
) -> None:
    """One heatmap panel with its value in every cell; a difference panel uses a diverging
    scale centred on zero and hatches the cells whose interval includes zero."""
    from ..compare import UNCLEAR

    vmin, vmax = limits
    im = ax.imshow(
        grid.values,
        origin="lower",
        aspect="auto",
        cmap="RdBu" if change else "viridis",
        vmin=vmin,
        vmax=vmax,
    )
    norm = im.norm
    for (r, c), value in np.ndenumerate(grid.values):
        shade = norm(value) if value == value else 0.5
        dark = not 0.2 < shade < 0.8 if change else shade < 0.55  # white text on dark cells
        ax.text(
            c,
            r,
            style.value_text(metric, value, change) if value == value else "",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if dark else "black",
        )
        if unclear is not None and unclear[r, c]:
            ax.add_patch(
                plt.Rectangle(
                    (c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///", edgecolor="0.45", linewidth=0
                )
            )
    ax.set_xticks(range(len(grid.columns)), [f"{c:.3g}" for c in grid.columns])
    ax.set_yticks(range(len(grid.index)), [f"{c:.3g}" for c in grid.index])
    ax.set_xlabel(HEAT_X.replace("_", " ") + " (0 = today's rates)")
    ax.set_ylabel(HEAT_Y.replace("_", " ") + " (1 = calibrated)")
    ax.set_title(f"{metric.replace('_', ' ')}: {title}", fontsize=9)
    bar = fig.colorbar(im, ax=ax, shrink=0.8)
    if metric.endswith("_share"):
        bar.ax.yaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(
                (lambda v, _: f"{v * 100:+.1f} pp") if change else (lambda v, _: f"{v:.1%}")
            )
        )
    if change and unclear is not None and unclear.any():
        ax.text(0.0, -0.32, f"hatched: {UNCLEAR}", transform=ax.transAxes, fontsize=7)


def heatmaps(a: Analysis, metrics=MAIN) -> None:
    """Outcomes over pressure x engagement: with and without the lab on one colour scale,
    and the paired difference on a diverging scale centred on zero, every cell labelled."""
    from ..compare import UNCLEAR

    if HEAT_X not in a.factors or HEAT_Y not in a.factors:
        a.notes.append(f"No heatmaps: the sweep does not vary both {HEAT_X} and {HEAT_Y}.")
        return
    df = a.outcomes.copy()
    df["_x"], df["_y"] = _binned(df[HEAT_X]), _binned(df[HEAT_Y])
    has_lab = "lab" in a.factors and df["lab"].nunique() == 2
    panels = ["with lab", "without lab", "difference (paired)"] if has_lab else ["all runs"]
    fig, axes = plt.subplots(
        len(metrics),
        len(panels),
        squeeze=False,
        figsize=(4.6 * len(panels), 3.8 * len(metrics)),
        constrained_layout=True,
    )
    rows = []
    for i, m in enumerate(metrics):
        if m not in df:
            continue
        if not has_lab:
            grid = df.pivot_table(index="_y", columns="_x", values=m)
            limits = (np.nanmin(grid.values), np.nanmax(grid.values))
            _draw_grid(fig, axes[i][0], grid, m, panels[0], limits, change=False)
            continue
        on = df[df["lab"]].pivot_table(index="_y", columns="_x", values=m)
        off = df[~df["lab"]].pivot_table(index="_y", columns="_x", values=m)
        shared = (  # with and without the lab on one scale
            np.nanmin([np.nanmin(on.values), np.nanmin(off.values)]),
            np.nanmax([np.nanmax(on.values), np.nanmax(off.values)]),
        )
        _draw_grid(fig, axes[i][0], on, m, panels[0], shared, change=False)
        _draw_grid(fig, axes[i][1], off, m, panels[1], shared, change=False)
        cells = effects.cell_effects(effects.paired(df, m, a.factors), ["_y", "_x"])
        diff = cells.pivot_table(index="_y", columns="_x", values="effect")
        unclear = (
            cells.assign(u=cells["verdict"] == UNCLEAR)
            .pivot_table(index="_y", columns="_x", values="u", aggfunc="max")
            .reindex_like(diff)
            .fillna(True)
            .to_numpy(dtype=bool)
        )
        vmax = float(np.nanmax(np.abs(diff.values))) or 1.0
        _draw_grid(fig, axes[i][2], diff, m, panels[2], (-vmax, vmax), True, unclear)
        long = cells.rename(columns={"_x": HEAT_X, "_y": HEAT_Y})
        long.insert(0, "metric", m)
        rows.append(long)
    a.figures["heatmaps.png"] = style.png(fig)
    if rows:
        a.tables["lab_effect_grid"] = pd.concat(rows, ignore_index=True)


def _level_label(switch: str | None, level) -> str:
    """A legend entry for one level of an on/off factor ("with lab", not "lab = True")."""
    if switch is None:
        return "all runs"
    t = target(switch)
    # an intervention by its label, the lab or a true/false parameter by its name
    name = (t.label if isinstance(t, InstrumentSwitch) else t.name).replace("_", " ")
    return f"with {name}" if level else f"without {name}"


def trajectories(a: Analysis, root: Path, metrics=MAIN) -> None:
    """The city's main outcomes over time: the mean over all runs of each level of the first
    on/off factor, with the band from the 10th to the 90th percentile of those runs (over
    every design point and replicate: the spread of the study, not an interval of a mean)."""
    metrics_df = read_metrics(root, columns=["run_id", "month", "district", "metric", "value"])
    city = metrics_df[(metrics_df["district"] == "city") & metrics_df["metric"].isin(metrics)]
    switch = next((f for f in a.factors if a.outcomes[f].dtype == bool), None)
    groups = [(None, a.outcomes)] if switch is None else list(a.outcomes.groupby(switch))
    fig, axes = plt.subplots(
        1, len(metrics), figsize=(4.4 * len(metrics), 3.8), constrained_layout=True, squeeze=False
    )
    window = a.window
    for ax, m in zip(axes[0], metrics, strict=True):
        if window:  # the months whose records give a run's outcome
            last = window["last_month"]
            ax.axvspan(
                max(last - window["months"], 0) / 12,
                last / 12,
                color="0.5",
                alpha=0.12,
                lw=0,
                zorder=0,
                label=f"outcome: mean over the last {window['months']} months",
            )
        for level, g in groups:
            part = city[(city["metric"] == m) & city["run_id"].isin(g["run_id"])]
            stats = part.groupby("month")["value"].agg(
                mean="mean", lo=lambda s: s.quantile(0.1), hi=lambda s: s.quantile(0.9)
            )
            label = _level_label(switch, level)
            ax.plot(stats.index / 12, stats["mean"], label=f"{label}: mean of {len(g)} runs")
            ax.fill_between(
                stats.index / 12,
                stats["lo"],
                stats["hi"],
                alpha=0.2,
                label=f"{label}: 10-90% of runs",
            )
        ax.set_title(style.readable(m), fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        style.metric_axis(ax, style.unit_of(m))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8)
    fig.suptitle("Over every design point and replicate", fontsize=9)
    a.figures["trajectories.png"] = style.png(fig)


def analyze(
    root: Path,
    out: Path,
    payoff_metric: str = "coverage_mean",
    payoff_threshold: float = 0.02,
    ema: bool = True,
) -> Analysis:
    """Analyse the sweep in ``root`` into the folder ``out``; it replaces an earlier analysis
    (recognised by its manifest), never another folder, and nothing is written into ``root``
    except ``out`` itself when it lies there."""
    a = load(root)  # first: a folder that is no sweep is refused before anything is made
    with claim(out, ANALYSIS, force=True) as target:
        heatmaps(a)
        effects.add_tables(a, MAIN)
        trajectories(a, root)
        if a.manifest.get("priors"):
            prior_sensitivity.sensitivity(a)
            a.notes.append("No scenario discovery: the factors are quantiles of priors.")
        else:
            sensitivity(a, MAIN)
            discovery(a, payoff_metric, payoff_threshold)
        target.commit(_filler(a, root, ema))
    return a


def _filler(a: Analysis, root: Path, ema: bool):
    def fill(tmp: Path) -> None:
        for name, data in a.figures.items():
            (tmp / name).write_bytes(data)
        for name, table in a.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        a.outcomes.to_parquet(tmp / "outcomes.parquet", index=False)
        report(a, tmp / "report.html")
        if ema:
            save_ema(root, tmp / "ema_results.tar.gz")
        marker = {ANALYSIS.marker: 1, "sweep": str(Path(root).resolve()), "notes": a.notes}
        (tmp / "manifest.json").write_text(json.dumps(marker, indent=2) + "\n")

    return fill


__all__ = ["Analysis", "analyze", "discovery", "load", "prim_box", "save_ema", "to_ema"]
