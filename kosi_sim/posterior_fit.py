"""Bayesian calibration of a scenario against its targets (``calibrate --posterior``).

What is estimated: the behavioural parameters that ``calibrate --fit`` tunes
(:data:`kosi_sim.calibration.FREE`) plus the parameters that matter most for the targets
and the lab's effect.  The latter are read from ``kosi_sim/data/influential.csv`` (the
ranking of the sensitivity study, column ``key`` or ``parameter``, most influential first)
when the file exists; until then :data:`DEFAULT_INFLUENTIAL` stands in for it.

One simulation is one run of the whole period with a seed of its own (the ABC posterior
integrates over chance as well): the calibration targets are measured over the first
``window`` months as :func:`kosi_sim.calibration.measure` does, the long-run checks of
:mod:`kosi_sim.long_run` over the whole run.  A target's miss is in units of its tolerance
(:meth:`~kosi_sim.calibration.Target.miss`); a long-run check's miss is 0 inside its band
and the distance outside it in units of the band (:func:`band_miss`).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .abc_smc import AbcError, Scaled
from .calibration import FREE, simulate, targets_for
from .draws import DrawError, apply, canonical, prior_of
from .evidence import Family
from .scenario import Scenario, ScenarioError, from_dict

#: assumption, until the sensitivity study's ranking (influential.csv) exists: the
#: parameters behind the targets the fitted ones do not move - the willingness threshold
#: and motivation (engaged share), fertility (births), the slope of mortality with age
#: (deaths, life expectancy) and the founding density of Vereine (Verein density)
DEFAULT_INFLUENTIAL = (
    "engagement.threshold_mean",
    "engagement.motivation_mean",
    "demography.total_fertility_rate",
    "demography.gompertz_slope",
    "associations.associations_per_1000",
)
INFLUENTIAL_FILE = "influential.csv"
#: how many of the ranked influential parameters are estimated (assumption: with a budget
#: of a few thousand runs, ABC-SMC handles about a dozen parameters in all)
N_INFLUENTIAL = 6
LONG_RUN = "long_run."
SERIES = "series."
SECONDS = "seconds"


def influential(scn: Scenario | None = None) -> tuple[list[str], str]:
    """The influential keys and where they come from (the file, else the default list).
    With ``scn``, an instrument's parameters only if the scenario runs that instrument: the
    city's targets cannot inform the rest (estimating them would only add dimensions to
    the sampler and leave their prior as it was)."""
    path = resources.files("kosi_sim.data").joinpath(INFLUENTIAL_FILE)
    if not path.is_file():
        return list(DEFAULT_INFLUENTIAL), "default list (kosi_sim.posterior_fit)"
    with path.open(encoding="utf-8") as f:
        table = pd.read_csv(f)
    col = next((c for c in ("key", "parameter") if c in table.columns), None)
    if col is None:
        raise AbcError(f"{INFLUENTIAL_FILE}: no 'key' or 'parameter' column")
    keys = [k for k in table[col].astype(str) if _estimable(k) and _informed(k, scn)]
    return keys[:N_INFLUENTIAL], f"kosi_sim/data/{INFLUENTIAL_FILE}"


def _informed(key: str, scn: Scenario | None) -> bool:
    if scn is None or not key.startswith("instrument."):
        return True
    return key.split(".")[1] in {s.type for s in scn.intervention_specs}


def _estimable(key: str) -> bool:
    try:
        return prior_of(key).family is not Family.FIXED and not key.startswith("drivers.")
    except DrawError:
        return False


def default_keys(scn: Scenario | None = None) -> tuple[list[str], str]:
    """Today's fitted parameters and the influential ones (those ``scn`` can inform),
    without repeats."""
    extra, origin = influential(scn)
    keys = [canonical(k) for k in FREE] + [canonical(k) for k in extra]
    return list(dict.fromkeys(keys)), f"calibration.FREE and the {origin}"


def check_keys(keys: list[str]) -> list[str]:
    """The keys written canonically; AbcError for an unknown one or one without spread."""
    out = []
    for key in keys:
        try:
            name = canonical(key)
            p = prior_of(name)
        except DrawError as e:
            raise AbcError(f"--param {key}: {e}") from None
        if p.family is Family.FIXED:
            raise AbcError(
                f"--param {key}: its prior is {p} (no spread); allowed: a parameter with spread"
            )
        out.append(name)
    return list(dict.fromkeys(out))


def band_miss(value: float, low: float, high: float, applies: bool) -> float:
    """0 inside [low, high] (or when the check does not apply), else the distance outside in
    units of the band's width (of ``low`` for an open band; 1 for a point)."""
    if not applies or not np.isfinite(value):
        return 0.0 if not applies else np.inf
    width = (high - low) if np.isfinite(high) else abs(low)
    width = width if width > 0 else 1.0
    return float(max(low - value, value - high, 0.0) / width)


class Simulator:
    """One ABC simulation of a scenario at a parameter draw: the target quantities and the
    long-run misses.  Picklable (the scenario travels as its document)."""

    def __init__(self, scn: Scenario, keys: list[str], window: int, long_run: bool) -> None:
        self.doc = scn.to_dict()
        self.source = scn.source or scn.name
        self.keys = list(keys)
        self.window = window
        self.months = scn.years * 12 if long_run else None
        self.whole = {k for k in keys if prior_of(k).family is Family.DISCRETE_UNIFORM}

    def scenario(self, draw: dict[str, Any]) -> Scenario:
        values = {k: (int(np.rint(v)) if k in self.whole else float(v)) for k, v in draw.items()}
        return from_dict(apply(copy.deepcopy(self.doc), values), f"{self.source} (ABC draw)")

    def run_one(
        self,
        draw: dict[str, Any],
        seed: int,
        go_on: Callable[[dict], bool] | None = None,
        series: bool = False,
    ) -> dict[str, Any] | None:
        """The statistics of one run; None if ``go_on`` stopped it.  ``go_on`` is asked
        with the window's target statistics, then yearly with those and the long-run misses
        known so far (:func:`_partial`).  With ``series``, also the monthly series of the
        long-run checks judged on the runs' mean (``SERIES + name``; see
        :func:`predictive_table`)."""
        start = time.perf_counter()
        scn = self.scenario(draw)
        names = [t.name for t in targets_for(scn)]
        ask = None if go_on is None else (lambda row, so_far: go_on(_partial(names, row, so_far)))
        sims = simulate(scn, [seed], self.window, months=self.months, go_on=ask)
        if sims.attrs["stopped"]:
            return None
        stats = {t.name: float(sims[t.name].iloc[0]) for t in targets_for(scn)}
        stats.update(sims.attrs["pooled"])
        table = sims.attrs["long_run"]
        if table is not None:
            for r in table.itertuples():
                stats[LONG_RUN + r.check] = band_miss(r.simulated_mean, r.low, r.high, r.applies)
        if series and sims.attrs["long_run_runs"]:
            run = sims.attrs["long_run_runs"][0]
            for c in pooled_checks():
                stats[SERIES + c.name] = run[c.name].series if run[c.name].applies else None
        stats[SECONDS] = time.perf_counter() - start  # not a target: for the benchmark
        return stats

    def __call__(self, par) -> dict[str, float]:
        """pyabc's model: seeds from numpy's global state, which the sampler seeds per job."""
        return self.staged(par, None) or {}

    def staged(self, par, go_on: Callable[[dict], bool] | None) -> dict[str, float] | None:
        """As a call, but asks ``go_on`` after the window and yearly after it
        (:class:`~.abc_smc.EarlyRejection`); None if it stopped the run."""
        seed = int(np.random.randint(0, 2**62))  # noqa: NPY002 - seeded per job
        try:
            return self.run_one({k: par[k] for k in self.keys}, seed, go_on)
        except ScenarioError:  # a combination the scenario rules forbid (e.g. a band's ends
            return {}  # crossed): no statistics, an infinite distance, the draw is rejected


def _partial(names: list[str], row: dict[str, float], so_far: dict) -> dict[str, float]:
    """What ``go_on`` is asked with: the window's target statistics, and the misses of the
    long-run checks measured so far (lower bounds: :func:`kosi_sim.long_run.measure_so_far`)."""
    out = {k: float(row[k]) for k in names}
    for name, o in so_far.items():
        out[LONG_RUN + name] = band_miss(o.value, o.low, o.high, o.applies)
    return out


def per_run_checks():
    """The long-run checks one run can be judged by (in the ABC distance)."""
    from .long_run import CHECKS

    return [c for c in CHECKS if c.pool is None]


def pooled_checks():
    """The long-run checks judged on the mean series of many runs (the initiatives' settled
    start: one run at 10% scale starts up to a third off its later level by chance alone, so
    a single run's miss says nothing about the parameters).  Not in the ABC distance; the
    posterior-predictive check judges them on the mean of its runs."""
    from .long_run import CHECKS

    return [c for c in CHECKS if c.pool is not None]


def scaled_stats(scn: Scenario, long_run: bool) -> list[Scaled]:
    """Every target in tolerance units and, with ``long_run``, every long-run check that
    one run can be judged by."""
    stats = [Scaled(t.name, t.miss) for t in targets_for(scn)]
    if long_run:
        stats += [Scaled(LONG_RUN + c.name, float, band=True) for c in per_run_checks()]
    return stats


def observed(scn: Scenario, long_run: bool) -> dict[str, float]:
    """The observed statistics as pyabc stores them: the target values, 0 long-run misses."""
    out = {t.name: float(t.value) for t in targets_for(scn)}
    if long_run:
        out.update({LONG_RUN + c.name: 0.0 for c in per_run_checks()})
    return out


def predictive_table(scn: Scenario, sims: pd.DataFrame) -> pd.DataFrame:
    """The posterior-predictive check: per target its value and tolerance, the mean and 90%
    interval over the predictive runs, and whether it passes (the predictive mean within
    the tolerance, as plain ``calibrate`` judges the mean over replicates); per long-run
    check, the share of runs inside the band (passes when at least 90% are)."""
    rows = []
    for t in targets_for(scn):
        v = sims[t.name].to_numpy(dtype=float)
        m = float(np.nanmean(v))
        lo, hi = np.nanquantile(v, [0.05, 0.95])
        rows.append(
            {
                "target": t.name,
                "label": t.label,
                "value": t.value,
                "tolerance": t.tolerance * (abs(t.value) if t.relative else 1.0),
                "predictive_mean": m,
                "predictive_q05": float(lo),
                "predictive_q95": float(hi),
                "share_within": float(np.mean([t.passes(x) for x in v])),
                "passed": t.passes(m),
                "shape_rule": t.shape,
            }
        )
    pooled = {c.name: c for c in pooled_checks()}
    for name in [c for c in sims.columns if c.startswith(LONG_RUN)]:
        check = pooled.get(name.removeprefix(LONG_RUN))
        if check is not None:
            rows.append(_pooled_row(name, check, sims))
            continue
        v = sims[name].to_numpy(dtype=float)
        share = float(np.mean(v == 0.0))
        lo, hi = np.nanquantile(v, [0.05, 0.95])
        rows.append(
            {
                "target": name,
                "label": name.removeprefix(LONG_RUN) + " (miss outside its band)",
                "value": 0.0,
                "tolerance": 0.0,
                "predictive_mean": float(np.nanmean(v)),
                "predictive_q05": float(lo),
                "predictive_q95": float(hi),
                "share_within": share,
                "passed": share >= 0.9,
                "shape_rule": True,
            }
        )
    return pd.DataFrame(rows)


def _pooled_row(name: str, check, sims: pd.DataFrame) -> dict[str, Any]:
    """A check judged on the predictive runs' mean series: its value and verdict there,
    and how many single runs stayed in the band (shown, not judged)."""
    v = sims[name].to_numpy(dtype=float)
    col = SERIES + check.name
    series = [x for x in sims[col]] if col in sims.columns else []
    series = [np.asarray(x, dtype=float) for x in series if x is not None]
    if series:
        n = min(len(x) for x in series)
        out = check.pool(np.mean([x[:n] for x in series], axis=0))
        value, passed = float(out.value), out.passed
    else:  # the check applies to no run (e.g. under demographic pressure)
        value, passed = 0.0, True
    return {
        "target": name,
        "label": name.removeprefix(LONG_RUN) + " (miss of the runs' mean outside its band)",
        "value": 0.0,
        "tolerance": 0.0,
        "predictive_mean": band_miss(value, out.low, out.high, True) if series else 0.0,
        "predictive_q05": float(np.nanquantile(v, 0.05)),
        "predictive_q95": float(np.nanquantile(v, 0.95)),
        "share_within": float(np.mean(v == 0.0)),
        "passed": bool(passed),
        "shape_rule": True,
    }


def predictive_runs(
    simulator: Simulator, draws: pd.DataFrame, seeds: list[int], pool
) -> pd.DataFrame:
    """Run ``draws`` (one row per run) with ``seeds`` on ``pool``; one row of statistics each
    (with the series the pooled long-run checks are judged on)."""
    futures = [
        pool.submit(simulator.run_one, row, seed, None, True)
        for row, seed in zip(draws.to_dict("records"), seeds, strict=True)
    ]
    return pd.DataFrame([f.result() for f in futures])


def chart_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The predictive table in the columns :func:`kosi_sim.plots.calibration_chart` draws."""
    return table.rename(
        columns={
            "predictive_mean": "simulated_mean",
            "predictive_q05": "simulated_min",
            "predictive_q95": "simulated_max",
        }
    )
