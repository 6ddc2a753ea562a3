"""``kosi-sim analyze`` on an optimisation folder: figures, tables and an HTML report.

* the Pareto front: 2-D projections of every pair of objectives (all evaluated designs in
  grey, the result in colour) and parallel coordinates of the result;
* the trade-off between cost and equity (mean lab cost vs the mean gain in the coverage of
  the district served worst without the lab), every design;
* the composition of the robust designs: which instruments they use and with what share;
* convergence: hypervolume and epsilon progress per generation;
* for one design (``--design ID``; default the result's design meeting every threshold in
  most futures, else the one with the smallest largest regret in the first objective's
  outcome) the futures in which it fails, and PRIM (EMA Workbench) on the futures' drivers
  and parameters to describe where they lie.

Every statistic is over the futures of the study; the report says how many there are and
gives no interval for a single design's mean (the futures are not a random sample of a
stated population but a space-filling design).
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import plotstyle as style
from ..outdir import ANALYSIS, OPTIMIZATION, ResultsError, claim, read_manifest
from .evaluate import OUTCOMES
from .futures import ID_COLUMNS, TWIN

#: fewest futures for PRIM, and fewest of each class (as the sweep's scenario discovery)
PRIM_MIN_FUTURES = 10


@dataclass
class OptAnalysis:
    manifest: dict
    designs: pd.DataFrame
    outcomes: pd.DataFrame
    robustness: pd.DataFrame
    pareto: pd.DataFrame
    convergence: pd.DataFrame
    futures: pd.DataFrame
    figures: dict[str, bytes] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def load(root: Path) -> OptAnalysis:
    doc = read_manifest(root)
    if not doc or OPTIMIZATION.marker not in doc:
        raise ResultsError(
            f"{root}: not a folder of kosi-sim optimize (no manifest.json with its marker)"
        )
    files = ("designs", "outcomes", "robustness", "pareto", "convergence", "futures")
    missing = [f for f in files if not (root / f"{f}.parquet").is_file()]
    if missing:
        raise ResultsError(
            f"{root}: no {missing[0]}.parquet yet (no generation finished); resume the search first"
        )
    try:
        t = {f: pd.read_parquet(root / f"{f}.parquet") for f in files}
    except (OSError, ValueError) as e:
        raise ResultsError(f"{root}: a Parquet file is damaged ({type(e).__name__})") from None
    return OptAnalysis(doc, **t)


def _objective_values(a: OptAnalysis, frame: pd.DataFrame) -> pd.DataFrame:
    """The objectives in their natural sense (more is better for every statistic of an
    outcome to maximise and for satisficing; less for cost)."""
    out = {}
    for label in a.manifest["objectives"]:
        f = frame[f"objective_{label}"].astype(float)
        outcome = label.partition("_")[2]
        maximise = label == "satisficing" or OUTCOMES[outcome][0].direction.sign > 0
        out[label] = -f if maximise else f
    return pd.DataFrame(out).replace([np.inf, -np.inf, 1e12, -1e12], np.nan)


def projections(a: OptAnalysis) -> None:
    import matplotlib.pyplot as plt

    labels = a.manifest["objectives"]
    pairs = [(i, j) for i in range(len(labels)) for j in range(i + 1, len(labels))]
    if not pairs:
        return
    every, best = _objective_values(a, a.designs), _objective_values(a, a.pareto)
    cols = min(3, len(pairs))
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4 * cols, 3.4 * rows), squeeze=False, constrained_layout=True
    )
    for ax, (i, j) in zip(axes.flat, pairs, strict=False):
        x, y = labels[i], labels[j]
        ax.scatter(every[x], every[y], s=10, c="#bbbbbb", label="evaluated")
        ax.scatter(best[x], best[y], s=22, c="#c0392b", label="result (Pareto set)")
        ax.set_xlabel(x, fontsize=8)
        ax.set_ylabel(y, fontsize=8)
    for ax in list(axes.flat)[len(pairs) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    a.figures["pareto_projections.png"] = style.png(fig)


def parallel(a: OptAnalysis) -> None:
    import matplotlib.pyplot as plt

    v = _objective_values(a, a.pareto)
    if len(v) == 0 or v.shape[1] < 2:
        return
    lo, hi = v.min(), v.max()
    good = -a.pareto[[f"objective_{c}" for c in v.columns]].set_axis(v.columns, axis=1)
    good = good.where(good.abs() < 1e12)
    norm = (good - good.min()) / (good.max() - good.min()).replace(0, 1)
    fig, ax = plt.subplots(figsize=(1.8 * v.shape[1] + 2, 3.6), constrained_layout=True)
    colours = plt.cm.viridis(np.linspace(0, 1, len(norm)))
    for k, (_, row) in enumerate(norm.iterrows()):
        ax.plot(range(v.shape[1]), row.to_numpy(), color=colours[k], lw=1.2, alpha=0.8)
    ax.set_xticks(
        range(v.shape[1]), [f"{c}\n{lo[c]:.3g} .. {hi[c]:.3g}" for c in v.columns], fontsize=7
    )
    ax.set_ylabel("from the set's worst (0) to its best (1)", fontsize=8)
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(
        "the Pareto set, one line per design (on each axis 1 = the best in the set)", fontsize=9
    )
    a.figures["parallel_coordinates.png"] = style.png(fig)


def tradeoff(a: OptAnalysis) -> None:
    import matplotlib.pyplot as plt

    r = a.robustness
    in_set = r["design"].isin(a.pareto["design"])
    fig, ax = plt.subplots(figsize=(5.5, 4), constrained_layout=True)
    ax.scatter(
        r["mean_cost_eur_per_year"], r["mean_coverage_worst"], s=12, c="#bbbbbb", label="evaluated"
    )
    ax.scatter(
        r.loc[in_set, "mean_cost_eur_per_year"],
        r.loc[in_set, "mean_coverage_worst"],
        s=24,
        c="#c0392b",
        label="result (Pareto set)",
    )
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("lab cost (EUR/year, mean over futures)")
    ax.set_ylabel("gain in worst-served district's coverage\n(mean over futures)")
    ax.legend(fontsize=7)
    a.figures["cost_vs_equity.png"] = style.png(fig)


def composition(a: OptAnalysis) -> None:
    import matplotlib.pyplot as plt

    kinds = a.manifest["instruments"]
    shares = a.pareto[[f"share_{k}" for k in kinds]].to_numpy(dtype=float)
    used = shares > 0
    a.tables["instruments_in_result"] = pd.DataFrame(
        {
            "instrument": kinds,
            "designs_using_it": used.sum(axis=0),
            "share_of_result": used.mean(axis=0) if len(shares) else np.nan,
            "mean_share_when_used": [
                shares[used[:, j], j].mean() if used[:, j].any() else np.nan
                for j in range(len(kinds))
            ],
        }
    ).sort_values("designs_using_it", ascending=False)
    if not len(shares):
        return
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(shares) + 2), constrained_layout=True)
    im = ax.imshow(shares, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(kinds)), kinds, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(shares)), [f"design {d}" for d in a.pareto["design"]], fontsize=7)
    fig.colorbar(im, ax=ax, label="share of budget and staff")
    ax.set_title("composition of the Pareto set", fontsize=9)
    a.figures["composition.png"] = style.png(fig)


def convergence(a: OptAnalysis) -> None:
    import matplotlib.pyplot as plt

    c = a.convergence
    fig, ax = plt.subplots(figsize=(5.5, 3.2), constrained_layout=True)
    ax.plot(c["evaluations"], c["hypervolume"], marker="o", label="hypervolume")
    ax.set_xlabel("designs evaluated")
    ax.set_ylabel("hypervolume (normalised)")
    ax2 = ax.twinx()
    ax2.step(
        c["evaluations"],
        c["epsilon_progress"],
        where="post",
        color="#c0392b",
        label="epsilon progress",
    )
    ax2.set_ylabel("epsilon progress (cumulative)")
    a.figures["convergence.png"] = style.png(fig)


def chosen_design(a: OptAnalysis, design: int | None) -> int:
    if design is not None:
        if design not in set(a.designs["design"]):
            n = len(a.designs)
            raise ResultsError(
                f"--design {design} is not allowed; allowed: a design id from 0 to {n - 1}"
            )
        return design
    p = a.pareto.copy()
    if "satisficing" in p:
        return int(
            p.sort_values(["satisficing", "design"], ascending=[False, True])["design"].iloc[0]
        )
    first = a.manifest["objectives"][0].partition("_")[2] or "engaged_share"
    return int(p.sort_values([f"max_regret_{first}", "design"])["design"].iloc[0])


def failures(a: OptAnalysis, design: int) -> None:
    """The futures where ``design`` fails, and PRIM on them."""
    from ..experiments.analysis import prim_box
    from .robustness import meets, regret

    thresholds = a.manifest.get("thresholds") or {}
    out = a.outcomes
    mine = out[out["design"] == design].set_index("future").sort_index()
    if thresholds:
        dirs = {n: o.direction for n, (o, _) in OUTCOMES.items()}
        fails = ~meets(mine, thresholds, dirs).all(axis=1)
        what = "misses a threshold (" + ", ".join(f"{k} {v:g}" for k, v in thresholds.items()) + ")"
    else:
        first = a.manifest["objectives"][0].partition("_")[2]
        r = regret(out, first, OUTCOMES[first][0].direction)
        r = r[r["design"] == design].set_index("future").sort_index()["regret"]
        fails = r > r.median()
        what = f"has more than its median regret in {first}"
    x = a.futures.set_index("future").loc[mine.index]
    x = x[[c for c in x.columns if c not in ID_COLUMNS and not c.startswith(TWIN)]]
    x = x.loc[:, x.nunique() > 1].astype(float)
    table = x.copy()
    table.insert(0, "fails", fails.to_numpy())
    a.tables["futures_of_design"] = table.reset_index()
    n, k = len(fails), int(fails.sum())
    a.notes.append(f"Design {design} {what} in {k} of {n} futures.")
    if n < PRIM_MIN_FUTURES or k == 0 or k == n or x.shape[1] == 0:
        a.notes.append(
            f"No PRIM box for design {design}: PRIM needs at least {PRIM_MIN_FUTURES} futures with "
            f"both failures and successes (here {k} failures in {n} futures)."
        )
        return
    box, lims = prim_box(x.reset_index(drop=True), fails.to_numpy())
    restricted = (lims["low"] > x.min().reindex(lims["factor"]).to_numpy()) | (
        lims["high"] < x.max().reindex(lims["factor"]).to_numpy()
    )
    lims = lims[restricted.to_numpy()]
    lims["coverage"], lims["density"], lims["mass"] = box.coverage, box.density, box.mass
    a.tables["prim_failure_box"] = lims
    a.notes.append(
        f"PRIM: a box on {', '.join(lims['factor']) or 'no factor'} holds "
        f"{box.coverage:.0%} of the "
        f"futures where design {design} fails, with density {box.density:.0%} (describes these "
        f"{n} futures; no estimate beyond them)."
    )


def analyze(root: Path, out: Path, design: int | None = None) -> OptAnalysis:
    a = load(root)
    with claim(out, ANALYSIS, force=True) as target:
        for step in (projections, parallel, tradeoff, composition, convergence):
            step(a)
        chosen = chosen_design(a, design)
        failures(a, chosen)
        a.tables["pareto_set"] = a.pareto
        a.manifest["chosen_design"] = chosen
        target.commit(lambda tmp: _fill(a, tmp))
    return a


def _fill(a: OptAnalysis, tmp: Path) -> None:
    for name, data in a.figures.items():
        (tmp / name).write_bytes(data)
    for name, table in a.tables.items():
        table.to_csv(tmp / f"{name}.csv", index=False)
    manifest = {
        ANALYSIS.marker: 1,
        "of": a.manifest.get("problem"),
        "design": a.manifest["chosen_design"],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (tmp / "report.html").write_text(html_report(a), encoding="utf-8")


def html_report(a: OptAnalysis) -> str:
    m = a.manifest
    n_f = len(a.futures)
    parts = [
        f"<h1>kosi-sim optimize: {html.escape(str(m.get('problem')))}</h1>",
        f"<p>{len(a.designs)} designs evaluated ({m.get('algorithm')}), each in the same {n_f} "
        f"futures; {len(a.pareto)} designs in the result. Objectives: "
        f"{html.escape(', '.join(m['objectives']))}. Gains are against the same future without "
        "the lab (same seed); regret is the gap to the best evaluated design in each future; "
        f"percentile is the {m.get('percentile'):g}th (the bad tail).</p>",
    ]
    for name, title in (
        ("pareto_projections.png", "Pareto front: 2-D projections"),
        ("parallel_coordinates.png", "Pareto set: parallel coordinates"),
        ("cost_vs_equity.png", "Cost and equity"),
        ("composition.png", "Which instruments robust designs use"),
        ("convergence.png", "Convergence"),
    ):
        if name in a.figures:
            data = base64.b64encode(a.figures[name]).decode()
            parts.append(f"<h2>{title}</h2><img src='data:image/png;base64,{data}'>")
    for name, table in a.tables.items():
        parts.append(
            f"<h2>{html.escape(name.replace('_', ' '))}</h2>"
            + table.head(200).to_html(index=False, float_format=lambda v: f"{v:,.4g}")
        )
    parts.append(
        "<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in a.notes) + "</ul>"
    )
    parts.append("<h2>Problem file</h2><pre>" + html.escape(m.get("problem_text", "")) + "</pre>")
    css = (
        "<style>body{font-family:sans-serif;max-width:1300px;margin:auto}table{border-collapse:"
        "collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}"
        "img{max-width:100%}</style>"
    )
    head = f"<!doctype html><html><head><meta charset='utf-8'>{css}</head>"
    return f"{head}<body>{''.join(parts)}</body></html>"
