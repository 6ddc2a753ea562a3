"""The ensemble of futures every design meets: drivers x parameter draws x replicates.

The drivers (demographic pressure, civic engagement) span the ranges of the problem file;
the uncertain parameters come from their priors (through their quantile functions, so an
LHS or Sobol design in the unit cube becomes a design over the priors) or from a posterior
file (weighted resampling).  Each point is crossed with ``replicates`` seeds derived from
the problem's seed.  The table is fixed before the search starts, so every design is
evaluated in the same futures on the same seeds (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import draws, posterior
from ..catalog import INSTRUMENT_PREFIX
from ..compare import replicate_seeds
from ..experiments import designs
from ..experiments.designs import Factor
from .problem import Problem, ProblemError

#: columns of the futures table besides the draw's keys
ID_COLUMNS = ("future", "point", "replicate", "seed")
#: prefix of the columns holding the levels of the no-lab twin
TWIN = "twin_"


def parameter_keys(problem: Problem) -> list[str]:
    """The uncertain parameters: the file's keys, else every core parameter with a prior
    that has spread and the own parameters of the candidate instruments."""
    if problem.futures.keys is not None:
        return list(problem.futures.keys)
    kinds = {f"{INSTRUMENT_PREFIX}{k}." for k in problem.instruments}
    return [
        k
        for k in draws.uncertain_keys(None)
        if not k.startswith(INSTRUMENT_PREFIX) or any(k.startswith(p) for p in kinds)
    ]


def build(problem: Problem) -> pd.DataFrame:
    """One row per future: its ids, seed and the values to apply (draws keys)."""
    f = problem.futures
    keys = parameter_keys(problem) if f.parameters == "prior" else []
    ranged = [d for d in f.drivers if d.high > d.low]
    factors = [Factor(d.name, low=d.low, high=d.high) for d in ranged]
    factors += [Factor(k, low=0.0, high=1.0) for k in keys]
    seed = int(np.random.SeedSequence(problem.seed).generate_state(1)[0])
    if not factors:
        pass
    elif f.design == "sobol":
        unit = designs.sobol_sequence(factors, f.samples, seed)
    else:
        unit = designs.latin_hypercube(factors, f.samples, seed)
    if not factors:  # nothing uncertain but the seeds
        unit = pd.DataFrame(index=range(f.samples))
    points = pd.DataFrame({d.name: unit[d.name] if d.high > d.low else d.low for d in f.drivers})
    points = points.reset_index(drop=True)
    if keys:
        values = draws.from_unit(keys, unit[keys].to_numpy())
        points = pd.concat([points, values], axis=1)
    if f.parameters == "posterior":
        points = pd.concat([points, _posterior_draws(problem, len(points), seed)], axis=1)
    seeds = replicate_seeds(problem.seed, f.replicates)
    rows = []
    for p, point in enumerate(points.to_dict("records")):
        for r, s in enumerate(seeds):
            rows.append(
                {"future": p * f.replicates + r, "point": p, "replicate": r, "seed": s, **point}
            )
    return pd.DataFrame(rows)


def _posterior_draws(problem: Problem, n: int, seed: int) -> pd.DataFrame:
    try:
        post = posterior.read(problem.futures.posterior)
    except posterior.PosteriorError as e:
        raise ProblemError(f"futures.posterior: {e}") from None
    sample = post.draw(np.random.default_rng([seed, 0x9057]), n)
    if problem.futures.keys is not None:
        missing = [k for k in problem.futures.keys if k not in sample.columns]
        if missing:
            raise ProblemError(f"futures.keys: {missing[0]!r} is not in the posterior file")
        sample = sample[list(problem.futures.keys)]
    return sample.reset_index(drop=True)


def draw_of(row: dict) -> dict:
    """The values of one future (its row without the id columns) to apply to a scenario."""
    return {k: v for k, v in row.items() if k not in ID_COLUMNS and not k.startswith(TWIN)}
