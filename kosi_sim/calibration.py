"""Calibration: how well a scenario reproduces public statistics, and fitting it to them.

Each target is measured on the first ``window`` simulated months (default 24: the
calibration describes today's city) of ``replications`` runs with seeds derived from the
scenario's seed.  A target passes when the mean over replicates is within the tolerance.
The same runs then go on over the scenario's whole period for the long-run pattern checks
of :mod:`kosi_sim.long_run` (vacancy, deficit, initiatives, district age differences),
which every replicate must pass.

``fit`` tunes the free behavioural parameters (:data:`FREE`) by minimising the sum of
squared, tolerance-scaled misses with SciPy's bounded Nelder-Mead on common random numbers
(the same seeds in every evaluation, so the objective is deterministic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compare import replicate_seeds
from .scenario import Scenario


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    value: float
    tolerance: float  # absolute, in the target's unit; relative if ``relative``
    source: str
    relative: bool = False
    shape: bool = False  # pass/fail by a shape rule, value is only shown

    def passes(self, sim: float) -> bool:
        if self.shape:
            return bool(sim >= 0.0)
        miss = abs(sim - self.value)
        return miss <= (self.tolerance * abs(self.value) if self.relative else self.tolerance)

    def miss(self, sim: float) -> float:
        """Miss in units of the tolerance (0 = on target, 1 = at the edge)."""
        if self.shape:
            return max(0.0, -sim) / 0.02
        tol = self.tolerance * abs(self.value) if self.relative else self.tolerance
        return (sim - self.value) / tol


def _load_targets() -> tuple[Target, ...]:
    """The targets and their sources, from the packaged table."""
    from importlib import resources

    with (
        resources.files("kosi_sim.data")
        .joinpath("calibration_targets.csv")
        .open(encoding="utf-8") as f
    ):
        table = pd.read_csv(f)
    return tuple(
        Target(
            r.name,
            r.label,
            float(r.value),
            float(r.tolerance),
            r.source,
            relative=bool(r.relative),
            shape=bool(r.shape),
        )
        for r in table.itertuples()
    )


TARGETS: tuple[Target, ...] = _load_targets()

#: behavioural parameters the fit may change, with the bounds it searches in
FREE: dict[str, tuple[float, float]] = {
    "willing_cutoff": (0.2, 0.5),
    "review_rate": (0.03, 0.4),
    "quit_rate": (0.001, 0.03),
    "time_budget_scale": (0.7, 2.5),
    "time_budget_sd": (0.6, 1.5),
    "initial_trust_share": (0.3, 0.6),
    "peer_weight": (0.1, 0.7),
}


def targets_for(scn: Scenario) -> tuple[Target, ...]:
    """The targets, with the scenario's own values where it states them."""
    own = dict(scn.calibration)
    out = []
    for t in TARGETS:
        if t.name in own:
            t = Target(
                t.name,
                t.label,
                own[t.name],
                t.tolerance,
                f"scenario {scn.name}",
                t.relative,
                t.shape,
            )
        out.append(t)
    return tuple(out)


def measure(model, window: int) -> dict[str, float]:
    """Target quantities from a model that has run ``window`` months with a life table."""
    rec = model.recorder

    def mean(name: str) -> float:
        return float(np.nanmean(rec.series(name)[1 : window + 1]))

    pop = rec.series("population")[1 : window + 1]
    years = window / 12
    groups = [mean(f"engaged_share_{g}") for g in ("14_29", "30_49", "50_64", "65plus")]
    shape = min(
        groups[1] - max(groups[0], groups[2], groups[3]),
        min(groups[0], groups[1], groups[2]) - groups[3],
    )
    assoc = rec.series("associations")[1 : window + 1]
    return {
        "engaged_share": mean("engaged_share"),
        "age_profile": shape,
        "hours_upto2": mean("hours_share_upto2"),
        "hours_3to5": mean("hours_share_3to5"),
        "hours_6plus": mean("hours_share_6plus"),
        "willing_share": mean("willing_share"),
        "trust_share": mean("trust_share"),
        "housing_vacancy": mean("housing_vacancy"),
        "births_per_1000": rec.series("births")[1 : window + 1].sum() / pop.mean() / years * 1e3,
        "deaths_per_1000": rec.series("deaths")[1 : window + 1].sum() / pop.mean() / years * 1e3,
        "life_expectancy_male": model.life_table.life_expectancy(0),
        "life_expectancy_female": model.life_table.life_expectancy(1),
        "associations_per_1000": float((assoc / pop).mean() * 1e3),
    }


def simulate(
    scn: Scenario,
    seeds: list[int],
    window: int,
    progress: Callable[[], None] | None = None,
    months: int | None = None,
    go_on: Callable[[dict[str, float], dict], bool] | None = None,
) -> pd.DataFrame:
    """One row of target measurements per replicate (over the first ``window`` months).
    With ``months`` longer than the window, each run goes on to ``months`` and the
    long-run checks of :mod:`kosi_sim.long_run` are measured over the whole run
    (``attrs["long_run"]``).  ``go_on(row, so_far)``, when given, is asked with a run's
    window measurements (``so_far`` empty), and then every :data:`ASK_EVERY` months of the
    long run with the checks whose miss can only grow, measured so far
    (:func:`kosi_sim.long_run.measure_so_far`): a run it stops does not go on (ABC's early
    rejection; ``attrs["stopped"]`` counts them)."""
    from . import long_run
    from .demography import LifeTableTracker
    from .model import CityModel

    rows, long_runs, stopped = [], [], 0
    pooled = LifeTableTracker()
    for seed in seeds:
        model = CityModel(scn, rng=seed)
        model.life_table = LifeTableTracker()
        model.run(window)
        rows.append(measure(model, window))
        pooled.deaths += model.life_table.deaths
        pooled.exposure += model.life_table.exposure
        if go_on is not None and not go_on(rows[-1], {}):
            stopped += 1
        elif months is not None and months > window:
            model.life_table = None
            if _run_on(model, months - window, go_on, rows[-1]):
                long_runs.append(long_run.measure(model))
            else:
                stopped += 1
        if progress:
            progress()
        del model  # finished: the next build may free it (kosi_sim.memory)
    out = pd.DataFrame(rows)
    # life expectancy from deaths and exposures pooled over replicates (less noisy than the
    # mean of per-replicate estimates)
    out.attrs["pooled"] = {
        "life_expectancy_male": pooled.life_expectancy(0),
        "life_expectancy_female": pooled.life_expectancy(1),
    }
    out.attrs["long_run"] = long_run.summarise(long_runs) if long_runs else None
    out.attrs["stopped"] = stopped
    out.attrs["long_run_runs"] = long_runs  # each run's outcomes (with series)
    return out


#: how often (in months) a long run asks ``go_on`` whether to go on: yearly, so a run that
#: leaves a band is stopped within a year of it (a question costs about a millisecond)
ASK_EVERY = 12


def _run_on(model, months: int, go_on, row: dict[str, float]) -> bool:
    """Run ``months`` more months; with ``go_on``, in steps of :data:`ASK_EVERY` months,
    asking after each step but the last.  False if it said stop."""
    from . import long_run

    if go_on is None:
        model.run(months)
        return True
    while months > ASK_EVERY:
        model.run(ASK_EVERY)
        months -= ASK_EVERY
        if not go_on(row, long_run.measure_so_far(model)):
            return False
    model.run(months)
    return True


def evaluate(
    scn: Scenario,
    replications: int = 3,
    window: int = 24,
    progress: Callable[[], None] | None = None,
    months: int | None = None,
) -> pd.DataFrame:
    """Target, simulated mean and spread, tolerance and pass/fail, one row per target;
    with ``months`` (the whole run), the long-run checks in ``attrs["long_run"]``."""
    sims = simulate(scn, replicate_seeds(scn.seed, replications), window, progress, months)
    rows = []
    for t in targets_for(scn):
        values = sims[t.name]
        m = float(sims.attrs["pooled"].get(t.name, values.mean()))
        rows.append(
            {
                "target": t.name,
                "label": t.label,
                "value": t.value,
                "tolerance": t.tolerance * (abs(t.value) if t.relative else 1.0),
                "simulated_mean": m,
                "simulated_sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
                "simulated_min": float(values.min()),
                "simulated_max": float(values.max()),
                "passed": t.passes(m),
                "shape_rule": t.shape,
                "source": t.source,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["long_run"] = sims.attrs["long_run"]
    return table


def loss(table: pd.DataFrame, scn: Scenario) -> float:
    targets = {t.name: t for t in targets_for(scn)}
    return float(sum(targets[r.target].miss(r.simulated_mean) ** 2 for r in table.itertuples()))


def fit(
    scn: Scenario,
    replications: int = 2,
    window: int = 24,
    max_evaluations: int = 60,
    report: Callable[[int, float, dict[str, float]], None] | None = None,
) -> tuple[dict[str, float], float, list[dict[str, float]]]:
    """Tune :data:`FREE` to the targets; returns (best values, best loss, history)."""
    from scipy.optimize import minimize

    names = list(FREE)
    lo = np.array([FREE[n][0] for n in names])
    hi = np.array([FREE[n][1] for n in names])
    start = np.array([scn.params[n] for n in names], dtype=float)
    start = np.clip(start, lo, hi)
    seeds = replicate_seeds(scn.seed, replications)
    history: list[dict[str, float]] = []

    def objective(x: np.ndarray) -> float:
        values = {n: float(v) for n, v in zip(names, np.clip(x, lo, hi), strict=True)}
        trial = scn.with_params(values)
        sims = simulate(trial, seeds, window)
        table = pd.DataFrame(
            [
                {"target": t.name, "simulated_mean": float(sims[t.name].mean())}
                for t in targets_for(trial)
            ]
        )
        value = loss(table, trial)
        history.append({**values, "loss": value})
        if report:
            report(len(history), value, values)
        return value

    minimize(
        objective,
        start,
        method="Nelder-Mead",
        bounds=list(zip(lo, hi, strict=True)),
        options={
            "maxfev": max_evaluations,
            "xatol": 1e-3,
            "fatol": 1e-3,
            "initial_simplex": _simplex(start, lo, hi),
        },
    )
    best = min(history, key=lambda h: h["loss"])
    return {n: round(best[n], 4) for n in names}, best["loss"], history


def _simplex(x0: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A starting simplex with steps of 10% of each parameter's range."""
    pts = [x0]
    for i in range(len(x0)):
        x = x0.copy()
        step = 0.1 * (hi[i] - lo[i])
        x[i] = x[i] + step if x[i] + step <= hi[i] else x[i] - step
        pts.append(x)
    return np.array(pts)
