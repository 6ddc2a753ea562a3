"""Figures from the tidy metrics table (never from a live model)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from . import plotstyle as style
from .services import SERVICE_DOMAINS

MAIN_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Population", ("population",)),
    ("Age shares", ("share_0_17", "share_65plus", "share_80plus")),
    (
        "Engaged share (14+)",
        (
            "engaged_share",
            "engaged_share_14_29",
            "engaged_share_30_49",
            "engaged_share_50_64",
            "engaged_share_65plus",
        ),
    ),
    ("Willing, inactive and trusting", ("willing_inactive_share", "trust_share")),
    ("Service coverage (supply / need)", tuple(f"coverage_{d}" for d in SERVICE_DOMAINS)),
    ("Initiatives producing", tuple(f"initiatives_active_{d}" for d in SERVICE_DOMAINS)),
    ("Vereine", ("associations",)),
    ("Vacancy", ("housing_vacancy", "premises_vacancy")),
    ("Municipal budget balance (EUR/month)", ("budget_balance",)),
)
DISTRICT_PANELS = (
    "population",
    "share_65plus",
    "engaged_share",
    "trust_share",
    "coverage_mean",
    "housing_vacancy",
)


def _city(df: pd.DataFrame) -> pd.DataFrame:
    city = df[df["district"] == "city"]
    return city.pivot_table(index="month", columns="metric", values="value", observed=True)


def main_indicators(df: pd.DataFrame, path: Path, title: str = "") -> None:
    wide = _city(df)
    years = wide.index / 12
    fig, axes = plt.subplots(3, 3, figsize=(15, 10), constrained_layout=True)
    for ax, (label, names) in zip(axes.flat, MAIN_PANELS, strict=True):
        shown = [n for n in names if n in wide]
        for name, colour in zip(shown, style.colours(len(shown)), strict=True):
            ax.plot(years, wide[name], label=style.readable(name), color=colour)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        if shown:
            style.metric_axis(ax, style.unit_of(shown[0]))
        if len(shown) > 1:
            style.legend_outside(ax)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def district_multiples(df: pd.DataFrame, path: Path, title: str = "") -> None:
    sub = df[(df["district"] != "city") & df["metric"].isin(DISTRICT_PANELS)]
    districts = [d for d in sub["district"].cat.categories if d != "city"]
    colour = dict(zip(districts, style.colours(len(districts)), strict=True))
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), constrained_layout=True)
    for ax, name in zip(axes.flat, DISTRICT_PANELS, strict=True):
        part = sub[sub["metric"] == name]
        for district, g in part.groupby("district", observed=True):
            ax.plot(g["month"] / 12, g["value"], label=str(district), color=colour[district])
        ax.set_title(style.readable(name), fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        style.metric_axis(ax, style.unit_of(name))
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(6, len(labels)), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run_plots(df: pd.DataFrame, folder: Path, title: str = "") -> None:
    main_indicators(df, folder / "main_indicators.png", title)
    district_multiples(df, folder / "districts.png", title)


def _panels(n: int):
    """A figure with ``n`` panels, three a row (the spare ones hidden)."""
    rows = (n + 2) // 3
    fig, axes = plt.subplots(
        rows, 3, figsize=(14, 3.3 * rows), constrained_layout=True, squeeze=False
    )
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _finish(fig, axes, path: Path, title: str, ncol: int) -> None:
    """The first panel's legend below the panels, the title, saved and closed."""
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def effect_bands(
    over_time: pd.DataFrame,
    path: Path,
    indicators: tuple[str, ...],
    title: str = "",
    replications: int | None = None,
    start_month: int | None = None,
) -> None:
    """Effect of the lab over time (with minus without, paired) with its 95% interval
    across replicates; the lab's start marked."""
    fig, axes = _panels(len(indicators))
    band = "95% interval" + (f" over {replications} paired replicates" if replications else "")
    for ax, name in zip(axes.flat, indicators, strict=False):
        part = over_time[over_time["indicator"] == name]
        years = part["month"] / 12
        ax.plot(years, part["effect"], color="C0", label="mean effect")
        ax.fill_between(
            years, part["ci95_low"], part["ci95_high"], color="C0", alpha=0.25, label=band
        )
        ax.set_title(f"effect on {style.readable(name)}", fontsize=10)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
        style.metric_axis(ax, style.unit_of(name), change=True)
        if start_month is not None:
            style.mark_start(ax, start_month / 12)
    _finish(fig, axes, path, title, ncol=2)


def calibration_chart(table: pd.DataFrame, path: Path, title: str = "") -> None:
    """Each target's simulated value as a miss in tolerance units; the band is +-1."""
    rows = table[~table["shape_rule"]].iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.5), constrained_layout=True)
    tol = rows["tolerance"].to_numpy()
    miss = (rows["simulated_mean"] - rows["value"]).to_numpy() / tol
    lo = (rows["simulated_min"] - rows["value"]).to_numpy() / tol
    hi = (rows["simulated_max"] - rows["value"]).to_numpy() / tol
    y = range(len(rows))
    ax.axvspan(-1, 1, color="C2", alpha=0.15, label="tolerance")
    ax.hlines(y, lo, hi, color="grey")
    colors = ["C2" if p else "C3" for p in rows["passed"]]
    ax.scatter(miss, y, color=colors, zorder=3, label="simulated (mean, range)")
    ax.set_yticks(list(y), [f"{r.label} ({r.value:g})" for r in rows.itertuples()], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("simulated minus target, in tolerances")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def effect_distributions(
    pair_effects, summary: pd.DataFrame, path: Path, indicators: tuple[str, ...], title: str = ""
) -> None:
    """The distribution of the lab's effect per indicator over parameter draws and chance:
    every paired run as a dot in the column of its draw (draws ordered by their mean), each
    draw's mean as a bar, the median over all runs as a line and the 90% interval as a band.
    ``pair_effects`` is (draws, replicates, indicators) in the order of ``summary``."""
    names = list(summary["indicator"])
    fig, axes = _panels(len(indicators))
    k, r = pair_effects.shape[:2]
    for ax, name in zip(axes.flat, indicators, strict=False):
        i = names.index(name)
        row = summary.iloc[i]
        y = pair_effects[:, :, i]
        order = y.mean(axis=1).argsort()
        x = range(1, k + 1)
        ax.axhspan(row["low90"], row["high90"], color="C0", alpha=0.2, label="90% interval")
        ax.axhline(row["median"], color="C0", label="median")
        for j in range(r):
            label = "paired run" if j == 0 else "_nolegend_"
            ax.scatter(x, y[order, j], s=10, color="grey", zorder=3, label=label)
        ax.scatter(
            x,
            y[order].mean(axis=1),
            marker="_",
            s=200,
            color="C3",
            zorder=4,
            label="mean of a draw",
        )
        share = row["share_parameters"]
        split = "" if share != share else f", {share:.0%} of variance from parameters"
        ax.set_title(
            f"effect on {style.readable(name)}\nP(>0) = {row['p_positive']:.0%}{split}",
            fontsize=9,
        )
        ax.set_xlabel("parameter draw (ordered by its mean)")
        ax.grid(alpha=0.3)
        style.metric_axis(ax, style.unit_of(name), change=True)
    _finish(fig, axes, path, title, ncol=4)
