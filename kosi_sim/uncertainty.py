"""Effects of the lab with their full uncertainty: parameter draws x replicates, paired.

``kosi-sim compare --uncertainty prior|posterior`` answers "what does the lab change, given
what we do not know about the parameters *and* given chance?".

Design.  K parameter draws theta_1..theta_K come from the priors of the evidence register
(:func:`kosi_sim.draws.sample_prior` over :func:`kosi_sim.draws.uncertain_keys`) or from
a posterior file (:meth:`kosi_sim.posterior.Posterior.draw`; the keys it does not hold from
their priors), on the draws' own random
stream seeded from the scenario's seed.  Each draw runs R replicates; pair (k, r) runs the
scenario with theta_k twice, with and without the lab, on the seed
``replicate_seeds(seed, K*R)[k*R + r]``, so that the two runs of a pair share every random
draw the lab does not touch (common random numbers), exactly as in plain ``compare``.  With
every parameter of every draw at the scenario's own values, the K*R pairs are therefore
the pairs of plain ``compare`` with K*R replicates, bit for bit.

The effect of pair (k, r) on an indicator, y_kr, is the mean paired difference over the
last ``window`` months (as in plain ``compare``).  Per indicator we report

- the median of the K*R effects and their 90% interval (5% and 95% quantiles): the spread
  over parameters and chance together;
- the two-level variance split (one-way random-effects ANOVA, method of moments): with
  y_kr = mu + a_k + e_kr, Var(a) = sigma2_par (parameters) and Var(e) = sigma2_chance
  (replicate noise within a draw),

      sigma2_chance = mean over k of the within-draw variance s2_k (ddof 1)
      sigma2_par    = max(0, S2_between - sigma2_chance / R),

  where S2_between is the variance (ddof 1) of the K draw means.  The draw means carry
  sigma2_par plus the replicate noise of their own mean, sigma2_chance / R, which is
  subtracted (clipped at zero).  The share due to parameters is
  sigma2_par / (sigma2_par + sigma2_chance).  Both are estimates from K and R runs; with
  few draws the split is rough;
- the probability that the effect is positive: the share of the K*R pairs with a positive
  effect, and for reference the share of draws whose mean effect is positive;
- a verdict from the 90% interval: a clear increase (decrease) when it lies above (below)
  zero, otherwise the sign is uncertain, said in plain words.

Cost-effectiveness: see :mod:`kosi_sim.uncertainty_ce`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .compare import (
    CLEAR_DECREASE,
    CLEAR_INCREASE,
    INDICATORS,
    pair_arrays,
    replicate_seeds,
    run_pairs,
)
from .draws import apply, sample_prior, uncertain_keys
from .scenario import Scenario

#: where parameter draws come from; "none" is plain ``compare``
SOURCES = ("none", "prior", "posterior")
#: the interval reported over parameters and chance
LEVEL = 0.90
#: the parameter draws' own random stream (beside the scenario's seed)
DRAW_STREAM = 0xD7A3
SIGN_UNCERTAIN = "sign uncertain"


class UncertaintyError(ValueError):
    """A source of parameter draws cannot be used; the message is one line."""


@dataclass
class UncertainComparison:
    source: str
    draws: pd.DataFrame  # draw x parameter key: the values of each draw
    replications: int  # R, per draw
    pair_effects: np.ndarray  # (K, R, indicators): each pair's effect
    pair_costs: np.ndarray  # (K, R): each pair's lab cost per year
    effects: pd.DataFrame  # one row per indicator: the summary
    seed: int


def posterior_of(scn: Scenario) -> str | None:
    """The posterior file a scenario names (``posterior = "..."``, relative to the scenario
    file), or None.  Hook: until scenario files carry the key, this is None and
    ``--posterior FILE`` names the file."""
    name = getattr(scn, "posterior", None)
    if not name:
        return None
    source = Path(str(getattr(scn, "source", "") or ""))
    return str(source.parent / name) if source.suffix == ".toml" else str(name)


def parameter_draws(
    scn: Scenario,
    source: str,
    k: int,
    posterior: str | Path | None = None,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """``k`` parameter draws (one row each, one column per key) for ``scn``.

    ``prior``: every uncertain key of the scenario (its instruments' own included) from
    the evidence register's priors; ``posterior``: the keys of the posterior file
    ``posterior`` (or the one the scenario names) from its samples, drawn in proportion to
    their weights, and every other uncertain key from its prior (the calibration did not
    inform it, so its posterior is its prior: fixing it would understate the uncertainty).
    Keys in ``exclude`` (parameters the caller fixes on purpose, e.g. by ``--set`` or as a
    design factor) keep the scenario's value.  Raises UncertaintyError, DrawError or
    PosteriorError with one line."""
    from .posterior import read

    rng = np.random.default_rng([scn.seed, DRAW_STREAM])
    exclude = set(exclude)
    if source == "prior":
        keys = [key for key in uncertain_keys(scn) if key not in exclude]
        return sample_prior(keys, rng, k)
    if source == "posterior":
        path = posterior or posterior_of(scn)
        if path is None:
            raise UncertaintyError(
                f"{scn.name}: --uncertainty posterior needs a posterior file: give "
                "--posterior FILE (a .parquet file from calibrate --posterior)"
            )
        post = read(path)
        drawn = post.draw(rng, k).drop(columns=[c for c in post.keys if c in exclude])
        rest = [key for key in uncertain_keys(scn) if key not in exclude and key not in post.keys]
        return pd.concat([drawn, sample_prior(rest, rng, k)], axis=1) if rest else drawn
    raise UncertaintyError(
        f"uncertainty source {source!r} is not allowed; allowed: {', '.join(SOURCES)}"
    )


def draw_documents(scn: Scenario, draws: pd.DataFrame) -> list[dict]:
    """The scenario document of each draw (validated like a scenario file)."""
    from .scenario import from_dict

    docs = []
    for row in draws.to_dict("records"):
        doc = apply(scn.to_dict(), row)
        docs.append(from_dict(doc, f"{scn.source} with a parameter draw").to_dict())
    return docs


def variance_split(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parameter variance, chance variance) of effects ``y`` shaped (K draws, R replicates,
    ...), by the method of moments of the module docstring.  Needs K >= 2 and R >= 2."""
    y = np.asarray(y, dtype=float)
    k, r = y.shape[:2]
    if k < 2 or r < 2:
        raise ValueError(f"the variance split needs at least 2 draws and 2 replicates, got {k}x{r}")
    chance = y.var(axis=1, ddof=1).mean(axis=0)
    between = y.mean(axis=1).var(axis=0, ddof=1)
    return np.maximum(between - chance / r, 0.0), chance


def share_of_parameters(par: np.ndarray, chance: np.ndarray) -> np.ndarray:
    """sigma2_par / (sigma2_par + sigma2_chance); NaN where both are zero (no spread)."""
    total = par + chance
    return np.divide(par, total, out=np.full_like(total, np.nan), where=total > 0)


def uncertain_verdict(low: float, high: float) -> str:
    """A verdict from the 90% interval over parameters and chance."""
    if low > 0:
        return CLEAR_INCREASE
    if high < 0:
        return CLEAR_DECREASE
    return SIGN_UNCERTAIN


def summarise(y: np.ndarray) -> pd.DataFrame:
    """Per indicator, from the pair effects ``y`` (K, R, indicators): median, 90% interval,
    mean, the variance split, the probability of a positive effect and the verdict."""
    k, r, _ = y.shape
    flat = y.reshape(k * r, -1)
    tail = (1 - LEVEL) / 2
    low, median, high = np.quantile(flat, [tail, 0.5, 1 - tail], axis=0)
    par, chance = variance_split(y)
    return pd.DataFrame(
        {
            "indicator": [o.name for o in INDICATORS],
            "label": [o.doc for o in INDICATORS],
            "median": median,
            "low90": low,
            "high90": high,
            "mean": flat.mean(axis=0),
            "var_parameters": par,
            "var_chance": chance,
            "share_parameters": share_of_parameters(par, chance),
            "p_positive": (flat > 0).mean(axis=0),
            "draws_positive": (y.mean(axis=1) > 0).mean(axis=0),
            "verdict": [uncertain_verdict(a, b) for a, b in zip(low, high, strict=True)],
        }
    )


def compare_uncertain(
    scenario: Scenario,
    draws: pd.DataFrame,
    replications: int,
    source: str,
    without: list[str] | None = None,
    months: int | None = None,
    window: int = 12,
    executor: Executor | None = None,
    progress: Callable[[], None] | None = None,
) -> UncertainComparison:
    """K = len(draws) draws x ``replications`` pairs with and without the lab (or without
    the named interventions), summarised per indicator."""
    k, r = len(draws), replications
    months = months or scenario.years * 12
    window = max(1, min(window, months))
    docs = draw_documents(scenario, draws)
    seeds = replicate_seeds(scenario.seed, k * r)
    tasks = [(docs[i // r], seed) for i, seed in enumerate(seeds)]
    results = run_pairs(tasks, without, months, executor, progress)
    _, _, _, final, costs = pair_arrays(results, window, scenario, without, months)
    y = final.reshape(k, r, -1)
    return UncertainComparison(
        source, draws, r, y, costs.reshape(k, r), summarise(y), scenario.seed
    )


def sign_sentences(u: UncertainComparison) -> list[str]:
    """Plain words for every indicator whose sign is uncertain."""
    k, r = u.pair_effects.shape[:2]
    out = []
    for row in u.effects.itertuples():
        if row.verdict != SIGN_UNCERTAIN:
            continue
        if row.low90 == 0 and row.high90 == 0:
            out.append(f"no effect on {row.label} in 90% of the {k * r} paired runs")
            continue
        out.append(
            f"the sign of the effect on {row.label} is uncertain: positive in "
            f"{row.p_positive:.0%} of the {k * r} paired runs ({k} draws x {r} replicates), "
            f"the mean over replicates positive in {round(row.draws_positive * k)} of "
            f"{k} draws"
        )
    return out
