"""Paired evaluation of a lab: every replicate with and without it, on common random numbers.

Replicate ``r`` gets the seed ``SeedSequence(scenario seed).spawn(R)[r]``; its "with" and
"without" runs use that same seed, so they share every random draw that the lab does not
touch (demography, traits, engagement decisions) and differ only through the lab.  The
effect of the lab on an indicator is the mean over replicates of the paired difference of
the indicator's mean over the last ``window`` months, with a t-based 95% confidence
interval and a plain verdict: a clear increase or decrease when the interval excludes zero,
otherwise "not distinguishable from zero".

Cost-effectiveness uses the lab's total cost (activity money and staff) per year, counted
over the months in which the lab runs (not averaged with the months before it starts).  A
ratio such as EUR per additional engaged citizen is given only for an effect that is a clear
increase, with its own 95% interval from the paired bootstrap over replicates (each resample
keeps a replicate's cost and effect together); otherwise it is "n/a" with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .scenario import Scenario, from_dict
from .vocabulary import COMPARED, Outcome

#: what the comparison measures, in its order: the typed outcomes of the vocabulary, each
#: reported under its ``doc`` as the label
INDICATORS: tuple[Outcome, ...] = COMPARED


def replicate_seeds(root: int, replications: int) -> list[int]:
    """Independent seeds for replicates, derived from one root seed."""
    children = np.random.SeedSequence(root).spawn(replications)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def run_pair(doc: dict[str, Any], without: list[str] | None, seed: int, months: int):
    """One replicate: (city series with, city series without, lab cost per month)."""
    from .model import CityModel

    scn = from_dict(doc, doc.get("name", "scenario"))
    out = []
    for s in (scn, scn.without_interventions(without)):
        model = CityModel(s, rng=seed)
        model.run(months)
        df = model.metrics_frame()
        city = df[df["district"] == "city"].pivot_table(
            index="month", columns="metric", values="value", observed=True
        )
        out.append(city[[o.name for o in INDICATORS]])
        if s is scn:
            cost = lab_cost_per_month(model, None, city.index)
    return out[0], out[1], cost


def lab_cost_per_month(model, labels: list[str] | None = None, months=None) -> np.ndarray:
    """What the interventions (those of ``labels``, else all) spent each month, money and
    staff, in EUR; one value per recorded month (``months``, default all recorded)."""
    log = model.interventions_frame()
    cost = log[log["metric"].isin(["money_eur", "staff_cost_eur"])]
    if labels is not None:
        cost = cost[cost["intervention"].isin(labels)]
    index = model.recorder.months if months is None else months
    return cost.groupby("month")["value"].sum().reindex(index, fill_value=0.0).to_numpy()


#: verdicts on an effect, from its 95% interval
CLEAR_INCREASE = "clear increase"
CLEAR_DECREASE = "clear decrease"
UNCLEAR = "not distinguishable from zero"


def verdict(low: float, high: float) -> str:
    """A plain verdict on an effect with the 95% interval [low, high]."""
    if low > 0:
        return CLEAR_INCREASE
    if high < 0:
        return CLEAR_DECREASE
    return UNCLEAR


def indicator_formats(indicator: str) -> tuple[Callable[[float], str], Callable[[float], str]]:
    """How to write an indicator's level and its change (``kosi-sim compare``, the teaching
    material): shares in percent (changes in percentage points), coverage and burnout as a
    ratio, counts whole with thousands separators (changes to one decimal)."""
    if indicator.endswith("_share") or indicator.endswith("_vacancy"):
        return (lambda v: f"{v:.1%}"), (lambda v: f"{v * 100:+.2f} pp")
    if indicator.startswith("coverage") or indicator == "burnout_mean":
        return (lambda v: f"{v:.3f}"), (lambda v: f"{v:+.3f}")
    if indicator == "budget_balance":
        return (lambda v: f"EUR {v:,.0f}"), (lambda v: f"{v:+,.0f}")
    return (lambda v: f"{v:,.0f}"), (lambda v: f"{v:+,.1f}")


def effect_text(indicator: str, effect: float, low: float, high: float) -> str:
    """An effect with its 95% interval as ``kosi-sim compare`` prints it: ``+6.4 [-6.8, +19.6]``."""
    change = indicator_formats(indicator)[1]
    return f"{change(effect)} [{change(low)}, {change(high)}]"


@dataclass
class Comparison:
    effects: pd.DataFrame  # one row per indicator
    over_time: pd.DataFrame  # month, indicator, mean, lo, hi
    cost_per_year: float  # mean over replicates, over the months the lab runs
    replications: int
    replicate_effects: pd.DataFrame  # replicate x indicator: each pair's effect
    replicate_costs: np.ndarray  # each replicate's lab cost per year
    seed: int  # of the bootstrap (the scenario's)


def mean_ci95(diffs: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean along ``axis`` and its t-based 95% interval (NaN with one value)."""
    n = diffs.shape[axis]
    mean = diffs.mean(axis=axis)
    if n < 2:
        return mean, np.full_like(mean, np.nan), np.full_like(mean, np.nan)
    sem = diffs.std(axis=axis, ddof=1) / np.sqrt(n)
    half = stats.t.ppf(0.975, n - 1) * sem
    return mean, mean - half, mean + half


def compare(
    scenario: Scenario,
    replications: int,
    without: list[str] | None = None,
    months: int | None = None,
    window: int = 12,
    executor: Executor | None = None,
    progress: Callable[[], None] | None = None,
) -> Comparison:
    months = months or scenario.years * 12
    window = max(1, min(window, months))
    doc = scenario.to_dict()
    seeds = replicate_seeds(scenario.seed, replications)
    results = run_pairs([(doc, seed) for seed in seeds], without, months, executor, progress)
    with_, without_, diff, final, costs = pair_arrays(results, window, scenario, without, months)
    mean, lo, hi = mean_ci95(final)
    base = without_[:, -window:, :].mean(axis=(0, 1))
    lab = with_[:, -window:, :].mean(axis=(0, 1))
    names = [o.name for o in INDICATORS]
    effects = pd.DataFrame(
        {
            "indicator": names,
            "label": [o.doc for o in INDICATORS],
            "without_lab": base,
            "with_lab": lab,
            "effect": mean,
            "ci95_low": lo,
            "ci95_high": hi,
            "verdict": [verdict(a, b) for a, b in zip(lo, hi, strict=True)],
        }
    )
    m, l_, h_ = mean_ci95(diff)
    months_index = results[0][0].index.to_numpy()
    over_time = pd.DataFrame(
        {
            "month": np.repeat(months_index, len(names)).astype("int32"),
            "indicator": np.tile(names, len(months_index)),
            "effect": m.reshape(-1),
            "ci95_low": l_.reshape(-1),
            "ci95_high": h_.reshape(-1),
        }
    )
    return Comparison(
        effects,
        over_time,
        float(costs.mean()),
        replications,
        pd.DataFrame(final, columns=names),
        costs,
        scenario.seed,
    )


def run_pairs(
    tasks: list[tuple[dict[str, Any], int]],
    without: list[str] | None,
    months: int,
    executor: Executor | None = None,
    progress: Callable[[], None] | None = None,
) -> list[tuple[pd.DataFrame, pd.DataFrame, np.ndarray]]:
    """:func:`run_pair` for each (scenario document, seed), serially or on ``executor``;
    the results in the order of ``tasks`` whatever the order of completion."""
    if executor is None:
        results = []
        for doc, seed in tasks:
            results.append(run_pair(doc, without, seed, months))
            if progress:
                progress()
        return results
    futures = [executor.submit(run_pair, doc, without, seed, months) for doc, seed in tasks]
    results = []
    for f in futures:
        results.append(f.result())
        if progress:
            progress()
    return results


def pair_arrays(
    results: list, window: int, scenario: Scenario, without: list[str] | None, months: int
) -> tuple[np.ndarray, ...]:
    """From pairs' results: the series with and without the lab and their difference
    (pair x month x indicator), each pair's effect (mean difference over the last
    ``window`` months; pair x indicator) and each pair's lab cost per year (over the months
    the lab runs in ``scenario``)."""
    with_ = np.stack([r[0].to_numpy() for r in results])  # (n, months+1, indicators)
    without_ = np.stack([r[1].to_numpy() for r in results])
    cost = np.stack([r[2] for r in results])
    diff = with_ - without_
    final = diff[:, -window:, :].mean(axis=1)
    running = _running_months(scenario, without, months)
    costs = cost[:, 1:].sum(axis=1) / max(running, 1) * 12.0
    return with_, without_, diff, final, costs


def _running_months(scenario: Scenario, without: list[str] | None, months: int) -> int:
    """How many of the months 1..months at least one evaluated intervention runs."""
    kept = scenario.without_interventions(without).intervention_specs
    labels = {s.label for s in kept}
    lab = [s for s in scenario.intervention_specs if s.label not in labels]
    return sum(any(s.running(m) for s in lab) for m in range(1, months + 1))


#: the ratios of cost-effectiveness: (name, indicator, units of the indicator per unit)
RATIOS = (
    ("eur_per_additional_engaged_citizen_per_year", "engaged_citizens", 1.0),
    ("eur_per_coverage_point_per_year", "coverage_mean", 100.0),  # a point = 0.01
)
BOOTSTRAP = 4000


def cost_effectiveness(c: Comparison) -> pd.DataFrame:
    """The lab's cost per year and what one unit of gain costs, one row per measure:
    ``value``, its 95% interval and a ``note``.  A ratio is given only where the effect is
    a clear increase; its interval comes from the paired bootstrap over replicates."""
    rows = [
        {
            "measure": "lab_cost_eur_per_year",
            "value": c.cost_per_year,
            "ci95_low": np.nan,
            "ci95_high": np.nan,
            "note": "over the months the lab runs",
        }
    ]
    effects = c.effects.set_index("indicator")
    rng = np.random.default_rng([c.seed, 0xB007])
    picks = rng.integers(0, c.replications, size=(BOOTSTRAP, c.replications))
    for name, indicator, per in RATIOS:
        call = effects.at[indicator, "verdict"]
        row = {"measure": name, "value": np.nan, "ci95_low": np.nan, "ci95_high": np.nan}
        if call != CLEAR_INCREASE:
            row["note"] = (
                "n/a: effect not distinguishable from zero"
                if call == UNCLEAR
                else "n/a: the lab lowers it"
            )
        else:
            gain = c.replicate_effects[indicator].to_numpy() * per
            row["value"] = c.cost_per_year / (effects.at[indicator, "effect"] * per)
            cost_b = c.replicate_costs[picks].mean(axis=1)
            gain_b = gain[picks].mean(axis=1)
            ratio_b = np.where(gain_b > 0, cost_b / np.where(gain_b > 0, gain_b, 1.0), np.inf)
            row["ci95_low"], row["ci95_high"] = np.percentile(ratio_b, [2.5, 97.5])
            row["note"] = f"95% interval from {BOOTSTRAP:,} paired bootstrap resamples"
        rows.append(row)
    return pd.DataFrame(rows)


def make_executor(workers: int) -> Executor | None:
    if workers <= 1:
        return None
    from .experiments.executors import process_pool

    return process_pool(workers)
