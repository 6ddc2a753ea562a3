"""Shipping a posterior with a scenario: what ``calibrate --posterior`` wrote, checked and
made self-describing, and the table docs/odd.md shows for it.

A shipped posterior is the folder's ``posterior.parquet`` (the final generation's weighted
particles) with more in its metadata: the posterior-predictive check row by row, the
convergence of the last generation, the run's timing and the command that made it.  The
file alone then says how it was made and how well it fits, and the documentation is
generated from it (``<!-- posteriors -->`` block), never typed.

Only a posterior whose every predictive check passed is shipped (:func:`ship` refuses
otherwise), so a scenario never names a posterior that misses its own targets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .draws import is_core, param_of, prior_of
from .posterior import Posterior, PosteriorError, make, read, write

#: the columns of predictive.csv a shipped posterior keeps in its metadata
PREDICTIVE_COLUMNS = (
    "target",
    "label",
    "value",
    "tolerance",
    "predictive_mean",
    "predictive_q05",
    "predictive_q95",
    "share_within",
    "passed",
    "shape_rule",
)
#: the manifest's timing entries a shipped posterior keeps (the benchmark of the run)
TIMING = (
    "wall_time_s",
    "abc_wall_time_s",
    "abc_sampling_s",
    "abc_sampler_overhead_s",
    "simulations_this_call",
    "simulations_run_by_sampler",
    "stopped_early",
    "stopped_after_window",  # files made before runs were also stopped after later years
    "mean_simulation_s",
    "predictive_runs",
    "predictive_wall_time_s",
)
#: the central interval the docs show for the prior and the posterior
INTERVAL = (0.05, 0.95)


def ship(folder: str | Path, dest: str | Path) -> Posterior:
    """The posterior of a finished ``calibrate --posterior`` folder, with its predictive
    check, convergence and timing in the metadata, written to ``dest``.  PosteriorError
    (one line) if the folder is incomplete or a predictive check failed."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    for name in ("posterior.parquet", "predictive.csv", "convergence.csv", "manifest.json"):
        if not (folder / name).is_file():
            raise PosteriorError(
                f"{folder}: no {name}; ship the folder of a finished calibrate --posterior"
            )
    post = read(folder / "posterior.parquet")
    table = pd.read_csv(folder / "predictive.csv")
    conv = pd.read_csv(folder / "convergence.csv")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("status") != "done":
        raise PosteriorError(f"{folder}: the calibration did not finish")
    failed = table.loc[~table["passed"].astype(bool), "target"].tolist()
    if failed:
        raise PosteriorError(
            f"{folder}: the posterior-predictive check failed for {', '.join(failed)}; "
            "only a posterior that passes every check is shipped"
        )
    predictive = table[list(PREDICTIVE_COLUMNS)].to_dict("records")
    meta = {
        **post.meta,
        "scenario_file": Path(str(post.meta.get("scenario_file", ""))).name,
        "command": manifest.get("command", ""),
        "window_months": manifest.get("window_months"),
        "long_run_months": manifest.get("long_run_months"),
        "parameters_from": manifest.get("parameters_from"),
        "git_commit": manifest.get("git_commit"),
        "executor": manifest.get("executor"),
        "timing": {k: manifest.get(k) for k in TIMING if k in manifest},
        "convergence": conv.to_dict("records"),
        "predictive": [{k: _plain(v) for k, v in row.items()} for row in predictive],
    }
    shipped = make(post.samples, post.weights, meta)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    write(shipped, dest)
    return shipped


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _num(x: float) -> str:
    return f"{x:.3g}"


def _took(timing: dict[str, Any]) -> str:
    """How long the run took; for a run resumed from its history, only the last call is
    timed (``simulations_this_call`` is None), and the sentence says so."""
    minutes = f"{float(timing.get('wall_time_s', float('nan'))) / 60:.0f} min"
    if timing.get("simulations_this_call") is None and timing.get("simulations_run_by_sampler"):
        return (
            f"It was resumed after an interruption; its last call took {minutes} for "
            f"{timing['simulations_run_by_sampler']:,} of the simulations"
        )
    return f"The run took {minutes}"


def _speed(timing: dict[str, Any]) -> str:
    """Runs per second of the sampling, the share stopped early, and pyabc's own share of
    the time (the benchmark of the run)."""
    sims = timing.get("simulations_run_by_sampler") or timing.get("simulations_this_call")
    wall = timing.get("abc_wall_time_s")
    if not sims or not wall:
        return "no timing recorded."
    if timing.get("stopped_early") is not None:
        stopped, when = timing["stopped_early"], "early (after the window or a later year)"
    else:
        stopped, when = timing.get("stopped_after_window") or 0, "after the window"
    overhead = float(timing.get("abc_sampler_overhead_s") or 0.0)
    return (
        f"{sims / wall:.2f} simulations a second, {stopped / sims:.0%} of them stopped "
        f"{when}; pyabc's own work {overhead / wall:.1%} of the time."
    )


def parameter_rows(post: Posterior, scn) -> pd.DataFrame:
    """Per parameter: the prior and its central 90%, the scenario's value, the posterior's
    median and central 90%, and the posterior interval's width as a share of the prior's."""
    rows = []
    for key in post.keys:
        prior = prior_of(key)
        p_lo, p_hi = prior.ppf(np.array(INTERVAL))
        lo, med, hi = post.quantiles(key, [INTERVAL[0], 0.5, INTERVAL[1]])
        name = param_of(key).name
        value = getattr(scn.params, name) if is_core(key) else param_of(key).default
        rows.append(
            {
                "parameter": key,
                "prior": str(prior),
                "prior_q05": float(p_lo),
                "prior_q95": float(p_hi),
                "scenario_value": value,
                "posterior_median": float(med),
                "posterior_q05": float(lo),
                "posterior_q95": float(hi),
                "width_share": float((hi - lo) / (p_hi - p_lo)) if p_hi > p_lo else 1.0,
            }
        )
    return pd.DataFrame(rows)


def markdown(post: Posterior, scn) -> str:
    """The docs' section for one shipped posterior: how it was made, its parameters against
    their priors, and its predictive check."""
    m = post.meta
    checks = m.get("predictive", [])
    passed = sum(bool(r["passed"]) for r in checks)
    timing = m.get("timing", {})
    lines = [
        f"**{m.get('scenario', scn.name)}** (`{m.get('scenario_file', '')}`, scale "
        f"{m.get('scale')}): {m.get('generations')} generations of ABC-SMC, "
        f"{m.get('simulations')} simulations of {(m.get('long_run_months') or 0) // 12} "
        f"years, final epsilon {_num(float(m.get('epsilon', float('nan'))))}, "
        f"{len(post)} particles (effective sample size {post.effective_sample_size():.0f}); "
        f"{passed} of {len(checks)} predictive checks pass. "
        f"{_took(timing)} ({m.get('date', '')}, executor {m.get('executor', '?')}): "
        f"{_speed(timing)}",
        "",
        "| parameter | prior | prior 90% | scenario value | posterior median | "
        "posterior 90% | width vs prior |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in parameter_rows(post, scn).to_dict("records"):
        lines.append(
            f"| `{r['parameter']}` | {r['prior']} | {_num(r['prior_q05'])} to "
            f"{_num(r['prior_q95'])} | {_num(float(r['scenario_value']))} | "
            f"{_num(r['posterior_median'])} | {_num(r['posterior_q05'])} to "
            f"{_num(r['posterior_q95'])} | {r['width_share']:.0%} |"
        )
    lines += [
        "",
        "| predictive check | target | tolerance | predictive mean | 90% of runs | "
        "runs within | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in checks:
        band = str(r["target"]).startswith("long_run.")
        shape = band or bool(r.get("shape_rule"))
        lines.append(
            f"| {r['label']} | {'in band' if band else 'shape' if shape else _num(r['value'])} | "
            f"{'' if shape else '±' + _num(r['tolerance'])} | {_num(r['predictive_mean'])} | "
            f"{_num(r['predictive_q05'])} to {_num(r['predictive_q95'])} | "
            f"{r['share_within']:.0%} | {'pass' if r['passed'] else 'FAIL'} |"
        )
    return "\n".join(lines)


def shipped() -> list[tuple[Any, Posterior]]:
    """Every built-in city scenario that names a posterior, with it (sorted by name)."""
    from .scenario import SCENARIO_DIR, resolve

    out = []
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        scn = resolve(path.stem)
        if scn.posterior is None:
            continue
        post = read(scn.posterior)
        if post.meta.get("scenario") == scn.name:  # the city's own, not one it borrows
            out.append((scn, post))
    return out


def markdown_all() -> str:
    parts = [markdown(post, scn) for scn, post in shipped()]
    return "\n\n".join(parts) if parts else "(no scenario ships a posterior yet)"
