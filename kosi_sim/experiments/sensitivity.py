"""Sensitivity indices of a sweep (SALib): Sobol (S1, ST) or Morris (mu*, sigma), a chart
with both indices side by side and their 95% intervals, and warnings when they are unreliable.

The outcome of a design point is the mean of its runs' outcomes over replicates.  SALib's
``*_conf`` values are the half-widths of 95% bootstrap intervals, seeded with
:data:`BOOTSTRAP_SEED` so that they are repeatable.

Warnings (each rule stated in the warning itself):

* Sobol, too few samples: fewer than :data:`MIN_SOBOL_SAMPLES` base samples N;
* Sobol, wide intervals: a 95% interval half-width above :data:`MAX_SOBOL_CONF` (indices
  are shares of the output variance, 0 to 1);
* Sobol, a negative index whose whole interval lies below zero (indices cannot be negative);
* Sobol, ST below S1 with non-overlapping intervals (the total effect includes the first-order
  effect, so ST >= S1);
* Sobol, S1 summing to more than 1 by more than its interval (the S1 half-widths combined as
  the square root of the sum of squares): first-order shares of one variance cannot;
* Sobol, an output that does not vary over the design (no indices);
* Morris: fewer than :data:`MIN_MORRIS_TRAJECTORIES` trajectories, or mu* of the most
  influential factor with an interval wider than half its value.
"""

from __future__ import annotations

import textwrap
import warnings
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import plotstyle as style

if TYPE_CHECKING:
    from .analysis import Analysis

#: fewer base samples (N of Saltelli's N * (D + 2) points) than this give rough Sobol indices
MIN_SOBOL_SAMPLES = 500
#: a Sobol index known only to ± this (95%) cannot rank factors that differ by twice it
MAX_SOBOL_CONF = 0.1
MIN_MORRIS_TRAJECTORIES = 10
#: the seed of SALib's bootstrap of the intervals; not 0, which SALib's Sobol analysis takes
#: as "no seed" (``if seed:``), so its intervals changed from one analysis to the next
BOOTSTRAP_SEED = 1

SOBOL_NAMES = {"S1": "first-order index S1", "ST": "total index ST"}
MORRIS_NAMES = {"mu_star": "mean absolute effect mu*", "sigma": "spread of effects sigma"}


def sensitivity(a: Analysis, metrics) -> None:
    """Indices for ``metrics`` into ``a.tables['sensitivity']``, their reliability into
    ``a.tables['sensitivity_warnings']`` and ``a.warnings``, the chart into
    ``a.figures['sensitivity.png']``; a note when the design gives no indices."""
    design = a.manifest.get("design")
    if design not in ("sobol", "morris"):
        a.notes.append(f"No sensitivity indices: the design is {design} (use sobol or morris).")
        return
    names = a.factors
    metrics = [m for m in metrics if m in a.outcomes]
    pts = a.outcomes.groupby("point")[[*names, *metrics]].mean().sort_index()
    expected = a.manifest["points"]
    if len(pts) != expected:
        a.notes.append(
            f"No sensitivity indices: {expected - len(pts)} design points have "
            "no successful run (finish the sweep with --resume)."
        )
        return
    bounds = [[float(a.outcomes[n].min()), float(a.outcomes[n].max())] for n in names]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    options = a.manifest.get("design_options", {})
    if design == "sobol":
        table, found = _sobol(problem, pts, metrics, bool(options.get("second_order", False)))
    else:
        table, found = _morris(problem, pts, metrics, int(options.get("levels", 4)))
    a.tables["sensitivity"] = table
    if found:
        a.tables["sensitivity_warnings"] = pd.DataFrame(found, columns=["metric", "warning"])
        metrics_flagged = len({m for m, _ in found if m})
        a.warnings.append(
            f"the sensitivity indices are unreliable: {len(found)} warning"
            f"{'s' if len(found) != 1 else ''} ({metrics_flagged} of {len(metrics)} metrics "
            "flagged"
            + ("; too few samples" if any(not m for m, _ in found) else "")
            + "); see the chart, sensitivity_warnings.csv and the report"
        )
    a.figures["sensitivity.png"] = chart(table, design, found)


def rules(design: str) -> list[str]:
    """The rules of the warnings, in words, for the report."""
    if design == "morris":
        return [
            f"fewer than {MIN_MORRIS_TRAJECTORIES} Morris trajectories",
            "the 95% interval of mu* of the most influential factor wider than half its value",
        ]
    return [
        f"fewer than {MIN_SOBOL_SAMPLES:,} base samples N (Saltelli: N x (factors + 2) points)",
        f"a 95% interval half-width (S1_conf, ST_conf) above {MAX_SOBOL_CONF:g}",
        "a negative S1 or ST whose whole interval lies below zero",
        "ST below S1 with non-overlapping intervals",
        "the S1 of a metric adding up to more than 1 by more than their combined interval "
        "(square root of the sum of the squared S1_conf)",
        "an output that does not vary over the design",
    ]


def _sobol(problem: dict, pts: pd.DataFrame, metrics, second: bool):
    from SALib.analyze import sobol as sobol_analyze

    d = problem["num_vars"]
    n = len(pts) // (2 * d + 2 if second else d + 2)
    rows, found = [], sobol_checks_n(n)
    for m in metrics:
        y = pts[m].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            found.append((m, "the output does not vary over the design (or has gaps): no indices"))
            continue
        with warnings.catch_warnings():  # SALib's note on N not a power of 2 is said above
            warnings.simplefilter("ignore")
            res = sobol_analyze.analyze(problem, y, calc_second_order=second, seed=BOOTSTRAP_SEED)
        part = pd.DataFrame(
            {
                "metric": m,
                "factor": problem["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
        for col in ("S1", "ST"):
            part[f"{col}_ci95_low"] = part[col] - part[f"{col}_conf"]
            part[f"{col}_ci95_high"] = part[col] + part[f"{col}_conf"]
        rows.append(part)
        found += [(m, text) for text in sobol_checks(part)]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(), found


def sobol_checks_n(n: int) -> list[tuple[str, str]]:
    """The warning on the number of base samples, for the whole study (metric '')."""
    if n >= MIN_SOBOL_SAMPLES:
        return []
    return [
        (
            "",
            f"N = {n:,} base samples; Sobol indices need about {MIN_SOBOL_SAMPLES:,} or more "
            "(rule: N below that is flagged); raise design.samples",
        )
    ]


def sobol_checks(part: pd.DataFrame) -> list[str]:
    """Warnings on one metric's Sobol indices (one row per factor), each saying its rule."""
    out = []
    widest = part[["S1_conf", "ST_conf"]].max(axis=1)
    if (widest > MAX_SOBOL_CONF).any():
        row = part.loc[widest.idxmax()]
        out.append(
            f"wide intervals: up to ±{widest.max():.2f} ({row['factor']}); "
            f"rule: a 95% half-width above {MAX_SOBOL_CONF:g} is flagged"
        )
    for col in ("S1", "ST"):
        neg = part[part[f"{col}_ci95_high"] < 0]
        if len(neg):
            out.append(
                f"negative {col} beyond its interval for "
                + ", ".join(f"{f} ({v:.2f})" for f, v in zip(neg["factor"], neg[col], strict=True))
                + "; indices cannot be negative"
            )
    low = part[part["ST_ci95_high"] < part["S1_ci95_low"]]
    if len(low):
        out.append(
            "ST below S1 with non-overlapping intervals for "
            + ", ".join(low["factor"])
            + "; the total index includes the first-order one"
        )
    total, noise = part["S1"].sum(), float(np.sqrt((part["S1_conf"] ** 2).sum()))
    if total - noise > 1:
        out.append(
            f"the S1 add up to {total:.2f}, above 1 by more than their interval (±{noise:.2f}); "
            "first-order shares of one variance cannot"
        )
    return out


def _morris(problem: dict, pts: pd.DataFrame, metrics, levels: int):
    from SALib.analyze import morris as morris_analyze

    r = len(pts) // (problem["num_vars"] + 1)
    rows, found = [], []
    if r < MIN_MORRIS_TRAJECTORIES:
        found.append(
            (
                "",
                f"{r} Morris trajectories; rule: fewer than {MIN_MORRIS_TRAJECTORIES} are "
                "flagged; raise design.samples",
            )
        )
    x = pts[problem["names"]].to_numpy()
    for m in metrics:
        y = pts[m].to_numpy(dtype=float)
        res = morris_analyze.analyze(problem, x, y, seed=BOOTSTRAP_SEED, num_levels=levels)
        part = pd.DataFrame(
            {
                "metric": m,
                "factor": problem["names"],
                "mu_star": res["mu_star"],
                "mu_star_conf": res["mu_star_conf"],
                "sigma": res["sigma"],
            }
        )
        part["mu_star_ci95_low"] = part["mu_star"] - part["mu_star_conf"]
        part["mu_star_ci95_high"] = part["mu_star"] + part["mu_star_conf"]
        rows.append(part)
        top = part.loc[part["mu_star"].idxmax()]
        if top["mu_star_conf"] > top["mu_star"] / 2:
            found.append(
                (
                    m,
                    f"mu* of {top['factor']} is {top['mu_star']:.3g} ± "
                    f"{top['mu_star_conf']:.3g}; rule: an interval wider than half of mu* "
                    "for the most influential factor is flagged",
                )
            )
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(), found


def chart(table: pd.DataFrame, design: str, found: list[tuple[str, str]]) -> bytes:
    """Both indices of every factor side by side (S1 and ST, or mu* and sigma), with the
    95% intervals SALib gives, one panel per metric titled in words, the warnings in red
    under each panel and, for the whole study, in the figure's title."""
    if design == "sobol":
        bars = (("S1", "S1_conf"), ("ST", "ST_conf"))
        names, title = SOBOL_NAMES, "Sobol indices"
    else:
        bars = (("mu_star", "mu_star_conf"), ("sigma", None))
        names, title = MORRIS_NAMES, "Morris elementary effects"
    metrics = list(dict.fromkeys(table["metric"])) if len(table) else []
    study = [t for m, t in found if not m]
    if not metrics:
        fig, ax = plt.subplots(figsize=(7, 1.5))
        ax.axis("off")
        text = "\n".join(textwrap.fill(t, 100) for _, t in found) or "no indices"
        ax.text(0, 0.5, text, color="firebrick", fontsize=8, va="center")
        return style.png(fig)
    cols = min(2, len(metrics))
    n_factors = int(table.groupby("metric").size().max())
    fig, axes = plt.subplots(
        -(-len(metrics) // cols),
        cols,
        squeeze=False,
        figsize=(6.0 * cols, (1.9 + 0.45 * n_factors) * -(-len(metrics) // cols) + 0.5),
        constrained_layout=True,
    )
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    height = 0.38
    for ax, m in zip(axes.flat, metrics, strict=False):
        rank = "ST" if design == "sobol" else "mu_star"
        part = table[table["metric"] == m].sort_values(rank)  # the most influential on top
        y = np.arange(len(part))
        for k, (col, err) in enumerate(bars):
            ax.barh(
                y + (0.5 - k) * height,  # the first index above the second
                part[col],
                height=height,
                xerr=None if err is None else part[err],
                color=f"C{k}",
                capsize=2,
                error_kw={"elinewidth": 0.8, "ecolor": "0.2"},
                label=names[col] + ("" if err is None else " (95% interval)"),
            )
        ax.set_yticks(y, part["factor"], fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        if design == "sobol":
            ax.axvline(1, color="0.4", lw=0.8, ls=":")  # the whole variance
            ax.set_xlabel("share of the output's variance (0 to 1)", fontsize=8)
        else:
            unit = style.unit_of(m) or "output units"
            ax.set_xlabel(f"change of the output over the factor's range ({unit})", fontsize=8)
        ax.set_title(
            textwrap.fill(style.label(m), 70) + "\n" + " and ".join(names.values()),
            fontsize=9,
            loc="left",
        )
        ax.grid(axis="x", alpha=0.3)
        own = [t for mm, t in found if mm == m]
        if own:
            ax.annotate(
                textwrap.fill("Unreliable: " + "; ".join(own), 100),
                (0, 0),
                xycoords="axes fraction",
                xytext=(0, -28),
                textcoords="offset points",
                va="top",
                fontsize=7,
                color="firebrick",
            )
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=8, frameon=False)
    if study:
        title += "\n" + textwrap.fill("Unreliable for every metric: " + "; ".join(study), 150)
    fig.suptitle(title, fontsize=10, color="firebrick" if study else "black")
    return style.png(fig)
