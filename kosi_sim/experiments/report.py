"""The HTML report of a sweep's analysis: a summary in words generated from the numbers, the
figures, every table with the 95% interval of each estimate it shows, notes and provenance.

Values are written as the metric registry's units say: shares in percent (changes in
percentage points), counts with thousands separators, euros as "EUR 1,234".
"""

from __future__ import annotations

import base64
import html
import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import plotstyle as style
from ..catalog import illustrative_text
from .effects import has_lab
from .sensitivity import rules

if TYPE_CHECKING:
    from pathlib import Path

    from .analysis import Analysis

FIGURES = (
    ("heatmaps.png", "Outcomes over pressure x engagement"),
    ("trajectories.png", "Trajectories (mean, 10-90% band)"),
    ("sensitivity.png", "Sensitivity indices"),
    ("prim.png", "Scenario discovery (PRIM)"),
)
TITLES = {
    "lab_effect_study": "The lab's effect over the whole study",
    "lab_effect_extremes": "Where the lab's effect is largest and smallest",
    "lab_cost_effectiveness": "What the lab costs per unit of gain",
    "lab_effect_grid": "The lab's effect per heatmap cell",
    "sensitivity": "Sensitivity indices",
    "sensitivity_warnings": "Why the sensitivity indices are unreliable",
    "prior_ranking": "Which priors matter: Morris mu* and each rank's 90% interval over "
    "resampled trajectories",
    "payoff_runs": "Paired runs in which the lab pays off (a count, not an estimate)",
    "prim_box": "PRIM box (describes the design's runs; no estimate)",
    "runs_status": "Runs",
}


def interval(metric: str, low: float, high: float, change: bool = True) -> str:
    """'95% interval A to B' in the metric's units, or why there is none."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no interval (fewer than two replicates)"
    return (
        f"95% interval {style.value_text(metric, low, change)} "
        f"to {style.value_text(metric, high, change)}"
    )


def _estimate(metric: str, value: float, low: float, high: float, change: bool = True) -> str:
    return f"{style.value_text(metric, value, change)} ({interval(metric, low, high, change)})"


def _months(months: list[int]) -> str:
    if len(months) == 1:
        return f"month {months[0]}"
    steps = set(np.diff(months).tolist())
    if len(months) > 6 and len(steps) == 1:
        step = steps.pop()
        every = "every month" if step == 1 else f"every {step} months"
        return f"{every} from month {months[0]} to {months[-1]}"
    return "months " + ", ".join(str(m) for m in months[:-1]) + f" and {months[-1]}"


def window_text(a: Analysis) -> str:
    """The outcome window, exactly as :func:`.analysis.load` takes it."""
    w = a.window
    if not w:
        return "the mean over the last 12 months of each run"
    last, recorded = w["last_month"], w["recorded"]
    span = f"{last // 12:g} years" if last % 12 == 0 else f"{last} months"
    text = (
        f"the mean of the values recorded in the last {w['months']} months of the "
        f"{span} simulated (months {max(last - w['months'] + 1, 0)} to {last}): "
        f"{len(recorded)} recorded value{'s' if len(recorded) != 1 else ''}, "
        f"{_months(recorded)}"
    )
    if len(w["last_months"]) > 1:
        text += f" (runs end in different months: {', '.join(map(str, w['last_months']))})"
    return text


def _design_text(a: Analysis) -> str:
    o, m = a.outcomes, a.manifest
    ok = int((a.runs["status"] == "ok").sum()) if "status" in a.runs else len(o)
    missing = len(a.runs) < m.get("runs", 0)
    reps = int(m.get("replications", 0))
    design = m.get("design", "?")
    options = m.get("design_options") or {}
    if design == "full_factorial":
        over = ", ".join(
            "with and without the lab"
            if f == "lab" and o[f].nunique() == 2
            else f"{f} ({o[f].nunique()} values)"
            for f in a.factors
        )
        kind = "a full factorial design"
    else:
        over = f"{len(a.factors)} factors ({', '.join(a.factors)})"
        n = options.get("samples", 0)
        kind = {
            "sobol": f"a Sobol (Saltelli) design with N = {n:,} base samples",
            "morris": f"a Morris design with {n:,} trajectories",
            "latin_hypercube": f"a Latin hypercube of {n:,} samples",
        }.get(design, f"an {design} design")
    return (
        f"Study '{m.get('experiment', '?')}' on the scenario '{m.get('base_scenario', '?')}': "
        f"{kind}, {m.get('points', 0):,} design points over {over}, x {reps:,} "
        f"replicate{'s' if reps != 1 else ''}{_draws_text(m)} = {m.get('runs', 0):,} runs; "
        f"{ok:,} finished, "
        f"{len(a.runs) - ok:,} failed" + (", the rest missing." if missing else ".")
    )


def summary(a: Analysis) -> list[str]:
    """The report's opening paragraphs, in words, from the analysis's numbers."""
    paragraphs = [*(f"Warning: {w}." for w in a.warnings), _design_text(a)]
    shown = a.manifest.get("illustrative_instruments") or []
    if shown:
        paragraphs.append(illustrative_text(shown))
    window = window_text(a)
    study = a.tables.get("lab_effect_study")
    if study is None or study.empty:
        reason = "has no lab factor with both levels" if not _has_lab(a) else "has no pairs"
        paragraphs.append(
            f"The study {reason}, so it gives no effect of the lab. A run's outcome is {window}."
        )
    else:
        paragraphs.append(_effect_method(a, study, window))
        paragraphs += [_effect_sentence(a, row) for _, row in study.iterrows()]
        if "lab_effect_extremes" in a.tables:
            cells = int(a.tables["lab_effect_extremes"]["cells"].iloc[0])
            paragraphs.append(
                f"Largest and smallest are picked out of {cells:,} design cells after the "
                "fact; their intervals (over each cell's replicates) are not widened for that "
                "choice."
            )
        if "lab_cost_effectiveness" in a.tables:
            reps = int(study["replicates"].iloc[0])
            paragraphs.append(_cost_sentence(a.tables["lab_cost_effectiveness"], reps))
    if "sensitivity" in a.tables and len(a.tables["sensitivity"]):
        paragraphs += _sensitivity_sentences(a)
    return paragraphs


def _draws_text(m: dict) -> str:
    """' x K prior parameter draws' for a sweep with [uncertainty], else ''."""
    unc = m.get("uncertainty")
    return f" x {unc['draws']:,} {unc['source']} parameter draws" if unc else ""


def _has_lab(a: Analysis) -> bool:
    return has_lab(a.outcomes, a.factors)


def _effect_method(a: Analysis, study: pd.DataFrame, window: str) -> str:
    row = study.iloc[0]
    reps, cells = int(row["replicates"]), int(row["cells"])
    text = (
        f"The lab's effect on a metric is the outcome with the lab minus without it at the "
        f"same design point and replicate (the same seed); a run's outcome is {window}. "
    )
    if a.manifest.get("uncertainty"):
        return text + (
            f"The study's effect averages each parameter draw's {cells:,} design cell"
            f"{'s' if cells != 1 else ''} and replicates and gives the mean over the {reps:,} "
            "draws with a t-based 95% interval over draws (the runs of one draw share its "
            "parameters, so the draws are the independent units); the interval thus carries "
            "the uncertainty of the parameters as well as chance."
        )
    return text + (
        f"The study's effect averages each replicate's {cells:,} design cell"
        f"{'s' if cells != 1 else ''} and gives the mean over the {reps:,} replicate"
        f"{'s' if reps != 1 else ''} with a t-based 95% interval over replicates (the design "
        "points of one replicate share its seed, so the replicates are the independent units)."
    )


def _effect_sentence(a: Analysis, row: pd.Series) -> str:
    m = row["metric"]
    text = (
        f"{style.label(m)}: {style.value_text(m, row['without_lab'])} without the lab, "
        f"{style.value_text(m, row['with_lab'])} with it; the lab's effect is "
        f"{_estimate(m, row['effect'], row['effect_ci95_low'], row['effect_ci95_high'])}: "
        f"{row['verdict']}."
    )
    ends = a.tables.get("lab_effect_extremes")
    if ends is not None:
        for _, cell in ends[ends["metric"] == m].iterrows():
            keys = [f for f in a.factors if f != "lab"]
            where = ", ".join(f"{k.replace('_', ' ')} {cell[k]:g}" for k in keys)
            text += (
                f" {cell['where'].capitalize()} at {where}: "
                f"{_estimate(m, cell['effect'], cell['ci95_low'], cell['ci95_high'])}, "
                f"{cell['verdict']} ({int(cell['pairs'])} pairs)."
            )
    return text


_RATIO_WORDS = {
    "eur_per_additional_engaged_citizen_per_year": "per additional engaged citizen per year",
    "eur_per_coverage_point_per_year": "per point (0.01) of service coverage per year",
}


def _cost_sentence(cost: pd.DataFrame, replicates: int) -> str:
    first = cost.iloc[0]
    parts = [f"The lab costs EUR {first['value']:,.0f} per year ({first['note']})."]
    for _, row in cost.iloc[1:].iterrows():
        words = _RATIO_WORDS.get(row["measure"], row["measure"].replace("_", " "))
        if np.isfinite(row["value"]):
            parts.append(
                f"Cost {words}: EUR {row['value']:,.0f} (95% interval EUR "
                f"{row['ci95_low']:,.0f} to EUR {row['ci95_high']:,.0f}, from a paired "
                f"bootstrap over the {replicates:,} replicates)."
            )
        else:
            parts.append(f"Cost {words}: {row['note']}.")
    return " ".join(parts)


def _sensitivity_sentences(a: Analysis) -> list[str]:
    table = a.tables["sensitivity"]
    sobol = "ST" in table
    key = "ST" if sobol else "mu_star"
    words = "total Sobol index ST" if sobol else "Morris mu*"
    parts = []
    for m, part in table.groupby("metric", sort=False):
        top = part.loc[part[key].idxmax()]
        if sobol:
            low, high = top["ST_ci95_low"], top["ST_ci95_high"]
            value = f"{top['ST']:.2f} (95% interval {low:.2f} to {high:.2f})"
        else:
            value = (
                f"{style.value_text(m, top['mu_star'], True)} (95% interval "
                f"{style.value_text(m, top['mu_star_ci95_low'], True)} to "
                f"{style.value_text(m, top['mu_star_ci95_high'], True)})"
            )
        parts.append(f"{style.label(m)}: {top['factor']}, {value}")
    found = a.tables.get("sensitivity_warnings")
    if found is not None and len(found):
        listed = "; ".join(
            (f"{style.label(m)}: " if m else "") + w
            for m, w in zip(found["metric"], found["warning"], strict=True)
        )
        verdict = f"These indices are unreliable: {listed}."
    else:
        verdict = "No reliability warning (the rules are stated under the sensitivity table)."
    return [f"The factor with the largest {words}, per metric: " + "; ".join(parts) + ".", verdict]


def _formatted(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """A table as the report shows it: every estimate with its 95% interval, in words and
    the metric's units."""
    if name == "lab_effect_study":
        rows = []
        for _, r in table.iterrows():
            m = r["metric"]
            rows.append(
                {
                    "metric": style.label(m),
                    **{
                        f"{col.replace('_', ' ')} (95% interval)": _estimate(
                            m, r[col], r[f"{col}_ci95_low"], r[f"{col}_ci95_high"], col == "effect"
                        )
                        for col in ("without_lab", "with_lab", "effect")
                    },
                    "verdict": r["verdict"],
                    "replicates": int(r["replicates"]),
                    "pairs": int(r["pairs"]),
                }
            )
        return pd.DataFrame(rows)
    if name in ("lab_effect_grid", "lab_effect_extremes"):
        out = table.copy()
        out["effect (95% interval over the cell's pairs)"] = [
            _estimate(r["metric"], r["effect"], r["ci95_low"], r["ci95_high"])
            for _, r in table.iterrows()
        ]
        out["metric"] = out["metric"].map(style.label)
        out = out.drop(columns=["effect", "ci95_low", "ci95_high", "cells"], errors="ignore")
        return out[["metric", *(c for c in out.columns if c != "metric")]]
    if name == "lab_cost_effectiveness":
        out = table.copy()
        out["value (95% interval)"] = [
            "n/a"
            if not np.isfinite(r["value"])
            else f"EUR {r['value']:,.0f}"
            + (
                f" (EUR {r['ci95_low']:,.0f} to EUR {r['ci95_high']:,.0f})"
                if np.isfinite(r["ci95_low"])
                else " (a cost, not an estimated effect)"
            )
            for _, r in table.iterrows()
        ]
        return out[["measure", "value (95% interval)", "note"]]
    if name == "sensitivity":
        out = pd.DataFrame({"metric": table["metric"].map(style.label), "factor": table["factor"]})
        cols = ("S1", "ST") if "ST" in table else ("mu_star",)
        for c in cols:
            out[f"{c} (95% interval)"] = [
                f"{v:.2f} ({lo:.2f} to {hi:.2f})"
                if c != "mu_star"
                else f"{v:.3g} ({lo:.3g} to {hi:.3g})"
                for v, lo, hi in zip(
                    table[c], table[f"{c}_ci95_low"], table[f"{c}_ci95_high"], strict=True
                )
            ]
        if "sigma" in table:
            out["sigma (a spread, no interval)"] = table["sigma"].map(lambda v: f"{v:.3g}")
        return out
    if name == "sensitivity_warnings":
        return table.assign(metric=table["metric"].map(lambda m: style.label(m) if m else "all"))
    return table


def report(a: Analysis, path: Path) -> None:
    """Write the HTML report of ``a`` to ``path``."""
    parts = [f"<h1>kosi-sim sweep: {html.escape(a.manifest['experiment'])}</h1>"]
    parts.append(
        "<section id='summary'><h2>Summary</h2>"
        + "".join(f"<p class='summary'>{html.escape(p)}</p>" for p in summary(a))
        + "</section>"
    )
    for name, title in FIGURES:
        if name in a.figures:
            data = base64.b64encode(a.figures[name]).decode()
            parts.append(f"<h2>{title}</h2><img src='data:image/png;base64,{data}'>")
    order = [*(n for n in TITLES if n in a.tables), *(n for n in a.tables if n not in TITLES)]
    for name in order:
        table = a.tables[name]
        title = TITLES.get(name, name.replace("_", " "))
        shown = _formatted(name, table)
        parts.append(
            f"<h2>{html.escape(title)}</h2>"
            + shown.head(200).to_html(index=False, float_format=lambda v: f"{v:,.4g}")
        )
        if name == "sensitivity":
            parts.append(
                "<p>When the indices are flagged as unreliable: "
                + html.escape("; ".join(rules(a.manifest.get("design", ""))))
                + ".</p>"
            )
    if a.notes or a.warnings:
        notes = [*a.warnings, *a.notes]
        parts.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
        )
    prov = {k: v for k, v in a.manifest.items() if k != "experiment_text"}
    parts.append(
        "<h2>Provenance</h2><pre>" + html.escape(json.dumps(prov, indent=2, default=str)) + "</pre>"
    )
    parts.append(
        "<h2>Experiment file</h2><pre>"
        + html.escape(a.manifest.get("experiment_text", ""))
        + "</pre>"
    )
    css = (
        "<style>body{font-family:sans-serif;max-width:1300px;margin:auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}#summary p{max-width:900px;line-height:1.4}</style>"
    )
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'>{css}"
        f"<title>{html.escape(a.manifest['experiment'])}</title></head><body>"
        + "\n".join(parts)
        + "</body></html>",
        encoding="utf-8",
    )
