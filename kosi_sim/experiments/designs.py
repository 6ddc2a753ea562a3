"""Experimental designs: pure functions from factors (and a seed) to a table of points.

Every design returns a DataFrame with one row per design point and one column per factor.
Sampling designs use SALib (Latin hypercube, Sobol/Saltelli, Morris) with an explicit seed,
so the same experiment file always gives the same points.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..vocabulary import Target, target

#: the most points a design may have: each is at least one model run of seconds or more, and
#: the table of points and the records of the runs are held in memory
MAX_POINTS = 100_000


@dataclass(frozen=True)
class Factor:
    """A swept quantity: a parameter, an intervention switch or an intervention parameter.

    ``levels`` for discrete factors (any values); ``low``/``high`` for continuous ranges.
    """

    name: str
    levels: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def continuous(self) -> bool:
        return self.levels is None

    @property
    def target(self) -> Target:
        """What the factor sets in a scenario (:func:`kosi_sim.vocabulary.target`)."""
        return target(self.name)


def size(kind: str, factors: list[Factor], options: dict[str, Any]) -> int:
    """How many points the design ``kind`` gives, computed without building them (a design
    too large to build is refused by its size)."""
    ranges = sum(f.continuous for f in factors)
    levels = math.prod(len(f.levels) for f in factors if not f.continuous)
    if kind == "full_factorial":
        return options["points"] ** ranges * levels
    if kind == "latin_hypercube":
        return (options["samples"] if ranges else 1) * levels
    if kind == "sobol":
        return options["samples"] * (2 * ranges + 2 if options["second_order"] else ranges + 2)
    if kind == "morris":
        return options["samples"] * (ranges + 1)
    raise ValueError(f"no size formula for design {kind!r}")


def problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem dict of the continuous factors."""
    cont = [f for f in factors if f.continuous]
    return {
        "num_vars": len(cont),
        "names": [f.name for f in cont],
        "bounds": [[f.low, f.high] for f in cont],
    }


def _grid_values(f: Factor, points: int) -> list[Any]:
    if f.levels is not None:
        return list(f.levels)
    values = np.linspace(f.low, f.high, points)
    return [round(v) for v in values] if f.integer else [float(v) for v in values]


def full_factorial(factors: list[Factor], points: int = 5) -> pd.DataFrame:
    """Every combination of levels (ranges get ``points`` evenly spaced values)."""
    grids = [_grid_values(f, points) for f in factors]
    rows = list(itertools.product(*grids))
    return pd.DataFrame(rows, columns=[f.name for f in factors])


def _with_discrete(cont: pd.DataFrame, factors: list[Factor]) -> pd.DataFrame:
    """Cross a sample of the continuous factors with every level of the discrete ones."""
    discrete = [f for f in factors if not f.continuous]
    for f in [f for f in factors if f.continuous and f.integer]:
        cont[f.name] = cont[f.name].round().astype(int)
    if not discrete:
        return cont[[f.name for f in factors]]
    levels = pd.DataFrame(
        list(itertools.product(*[f.levels for f in discrete])), columns=[f.name for f in discrete]
    )
    out = cont.merge(levels, how="cross")
    return out[[f.name for f in factors]]


def latin_hypercube(factors: list[Factor], samples: int, seed: int) -> pd.DataFrame:
    from SALib.sample import latin

    prob = problem(factors)
    if prob["num_vars"] == 0:
        return full_factorial(factors)
    x = latin.sample(prob, samples, seed=seed)
    return _with_discrete(pd.DataFrame(x, columns=prob["names"]), factors)


def sobol(
    factors: list[Factor], samples: int, seed: int, second_order: bool = False
) -> pd.DataFrame:
    """Saltelli's extension of the Sobol sequence: N * (D + 2) points (N * (2D + 2) with
    second-order indices); ``samples`` (N) should be a power of 2."""
    from SALib.sample import sobol as sobol_sample

    prob = problem(factors)
    _only_continuous(factors, "sobol")
    x = sobol_sample.sample(prob, samples, calc_second_order=second_order, seed=seed)
    return pd.DataFrame(x, columns=prob["names"])


def morris(factors: list[Factor], trajectories: int, seed: int, levels: int = 4) -> pd.DataFrame:
    """Morris elementary effects: ``trajectories`` * (D + 1) points."""
    from SALib.sample import morris as morris_sample

    prob = problem(factors)
    _only_continuous(factors, "morris")
    x = morris_sample.sample(prob, trajectories, num_levels=levels, seed=seed)
    return pd.DataFrame(x, columns=prob["names"])


def explicit(factors: list[Factor], points: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(points, columns=[f.name for f in factors])


def _only_continuous(factors: list[Factor], design: str) -> None:
    discrete = [f.name for f in factors if not f.continuous]
    if discrete:
        raise ValueError(
            f"design {design!r} needs ranges (low, high) for every factor; "
            f"{discrete[0]!r} has levels"
        )


def sobol_sequence(factors: list[Factor], samples: int, seed: int) -> pd.DataFrame:
    """``samples`` points of a scrambled Sobol sequence over the ranges (a space-filling set
    of points, e.g. futures; not Saltelli's matrices for indices, see :func:`sobol`)."""
    from scipy.stats import qmc

    _only_continuous(factors, "sobol sequence")
    unit = qmc.Sobol(d=len(factors), scramble=True, seed=seed).random(samples)
    lo = np.array([f.low for f in factors], dtype=float)
    hi = np.array([f.high for f in factors], dtype=float)
    return pd.DataFrame(lo + unit * (hi - lo), columns=[f.name for f in factors])
