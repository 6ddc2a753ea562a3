"""The search loop: pymoo's ask-and-tell, one generation at a time, checkpointed.

Algorithms (pymoo 0.6):

* ``nsga2``: NSGA-II (Deb et al. 2002);
* ``nsga3``: NSGA-III (Deb and Jain 2014) with Das-Dennis reference directions, as many as
  fit in the population;
* ``eps-nsga2``: pymoo has no epsilon-NSGA-II, so it is built here from pymoo's NSGA-II and
  the epsilon-dominance archive of :mod:`.archive` (Kollat and Reed 2006): the archive is
  the result, and after a generation without epsilon progress the next generation's
  offspring are replaced by archive members (a quarter) and uniformly random designs (the
  rest), a randomised restart in the spirit of epsilon-NSGA-II's time continuation; the
  population size stays fixed (no adaptive population sizing).

Every algorithm keeps the epsilon archive, so epsilon progress is recorded for all three.

The search works on the unit cube; the caller's ``evaluate(X, first_id, generation)``
returns the objectives (minimised) of each row of ``X`` and any tables to keep.  After each
generation the whole :class:`State` (the algorithm with its random generator, every
evaluation, the archive) goes to ``checkpoint``; resuming from it continues exactly as the
uninterrupted search would.  The search stops after the generation in which the number of
evaluations reaches the budget.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .archive import EpsilonArchive, hypervolumes, nondominated

ALGORITHMS = ("nsga2", "nsga3", "eps-nsga2")
#: share of a restarted generation taken from the archive (Kollat and Reed 2006: 25%)
RESTART_ARCHIVE_SHARE = 0.25

Evaluate = Callable[[np.ndarray, int, int], tuple[np.ndarray, dict[str, pd.DataFrame]]]


class SearchError(ValueError):
    """A search cannot start or continue (a one-line message)."""


def _unit_problem(n_var: int, n_obj: int):
    from pymoo.core.problem import Problem

    return Problem(n_var=n_var, n_obj=n_obj, xl=0.0, xu=1.0)


def das_dennis_partitions(n_obj: int, pop_size: int) -> int:
    """The most partitions whose Das-Dennis directions (C(p + m - 1, m - 1)) fit in the
    population (at least 1)."""
    p = 1
    while math.comb(p + 1 + n_obj - 1, n_obj - 1) <= pop_size:
        p += 1
    return p


def make_algorithm(name: str, n_obj: int, pop_size: int, seed: int):
    if name in ("nsga2", "eps-nsga2"):
        from pymoo.algorithms.moo.nsga2 import NSGA2

        return NSGA2(pop_size=pop_size, seed=seed)
    if name == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        dirs = get_reference_directions(
            "das-dennis", n_obj, n_partitions=das_dennis_partitions(n_obj, pop_size)
        )
        return NSGA3(ref_dirs=dirs, pop_size=max(pop_size, len(dirs)), seed=seed)
    raise SearchError(f"--algorithm {name!r} is not allowed; allowed: {', '.join(ALGORITHMS)}")


@dataclass
class State:
    """Everything a search needs to continue (pickled at each checkpoint)."""

    name: str
    algorithm: Any
    rng: np.random.Generator
    archive: EpsilonArchive
    X: np.ndarray
    F: np.ndarray
    generation_of: np.ndarray
    generations: int = 0
    restart_next: bool = False
    convergence: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[pd.DataFrame]] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        return len(self.X)

    def pareto(self) -> np.ndarray:
        """Indices of the result: the epsilon archive (eps-nsga2) or the non-dominated
        evaluations."""
        if self.name == "eps-nsga2":
            return np.array(sorted(self.archive.members), dtype=int)
        return np.sort(nondominated(self.F))

    def convergence_table(self) -> pd.DataFrame:
        df = pd.DataFrame(self.convergence)
        if len(df):
            df["hypervolume"] = hypervolumes(self.F, self.generation_of)
        return df


def start(
    name: str, n_var: int, n_obj: int, pop_size: int, seed: int, epsilons: np.ndarray
) -> State:
    algorithm = make_algorithm(name, n_obj, pop_size, seed)
    algorithm.setup(_unit_problem(n_var, n_obj), termination=("n_gen", 10**9))
    return State(
        name,
        algorithm,
        np.random.default_rng([seed, 0xE95]),
        EpsilonArchive(epsilons),
        np.empty((0, n_var)),
        np.empty((0, n_obj)),
        np.empty(0, dtype=int),
    )


def _restart(state: State, n: int, n_var: int) -> np.ndarray:
    members = state.X[sorted(state.archive.members)]
    k = min(len(members), max(1, round(RESTART_ARCHIVE_SHARE * n)))
    picked = members[state.rng.choice(len(members), size=k, replace=False)]
    return np.vstack([picked, state.rng.random((n - k, n_var))])


def step(state: State, evaluate: Evaluate) -> None:
    """One generation: ask, evaluate, tell, update the archive and the records."""
    from pymoo.core.population import Population

    pop = state.algorithm.ask()
    X = pop.get("X")
    restarted = state.name == "eps-nsga2" and state.restart_next
    if restarted:
        X = _restart(state, len(X), X.shape[1])
        pop = Population.new("X", X)
    F, tables = evaluate(X, state.evaluations, state.generations)
    F = np.asarray(F, dtype=float).reshape(len(X), -1)
    pop.set("F", F)
    state.algorithm.tell(infills=pop)
    before = state.archive.progress
    for i, f in enumerate(F):
        state.archive.add(state.evaluations + i, f)
    state.X = np.vstack([state.X, X])
    state.F = np.vstack([state.F, F])
    state.generation_of = np.concatenate([state.generation_of, np.full(len(X), state.generations)])
    for key, df in tables.items():
        state.tables.setdefault(key, []).append(df)
    state.restart_next = state.archive.progress == before
    state.convergence.append(
        {
            "generation": state.generations,
            "evaluations": state.evaluations,
            "epsilon_progress": state.archive.progress,
            "archive_size": len(state.archive.members),
            "restarted": restarted,
        }
    )
    state.generations += 1


def run(
    state: State,
    evaluate: Evaluate,
    evaluations: int,
    checkpoint: Callable[[State], None] | None = None,
) -> State:
    """Generations until ``evaluations`` are reached, each followed by ``checkpoint``."""
    while state.evaluations < evaluations:
        step(state, evaluate)
        if checkpoint:
            checkpoint(state)
    return state


def save(state: State, path: Path) -> None:
    """Write the state atomically (a killed write leaves the previous checkpoint)."""
    from ..experiments.store import atomic_write_bytes

    atomic_write_bytes(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: Path) -> State:
    """A checkpoint written by :func:`save` (only ever read from the folder this tool wrote)."""
    try:
        state = pickle.loads(Path(path).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as e:
        raise SearchError(
            f"{path}: damaged checkpoint ({type(e).__name__}); start again with --force"
        ) from None
    if not isinstance(state, State):
        raise SearchError(f"{path}: not a checkpoint of kosi-sim optimize")
    return state
