"""ABC-SMC with pyabc: priors from the evidence register, a distance in tolerance units and a
pyabc sampler that runs its simulations on kosi-sim's executors.

The pieces here know nothing about the city model: a *model* is any picklable callable
from a parameter dict to a dict of summary statistics, so that the known-answer test runs a
stand-in model through exactly the plumbing ``calibrate --posterior`` uses.

* :func:`prior` maps each key's :class:`~kosi_sim.evidence.Prior` to a pyabc ``RV``
  (uniform, triangular as ``scipy.stats.triang``, loguniform, whole numbers as ``randint``)
  and refuses a prior that reaches outside the parameter's declared range.
* :class:`ToleranceDistance`: the root mean square of the misses, each in units of its
  target's tolerance (1 = every target on average at the edge of its tolerance).
* :class:`ExecutorSampler`: pyabc's ``ConcurrentFutureSampler`` on a
  :class:`~kosi_sim.experiments.executors.Pool`; each job seeds ``random`` and
  ``numpy.random`` from (seed, generation, job id), and pyabc keeps the accepted particles
  in job order, so a run is reproducible with every executor and any number of workers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .draws import DrawError, param_of, prior_of
from .evidence import Family, Prior


class AbcError(ValueError):
    """The ABC set-up or its history cannot be used; the message is one line."""


# --- priors -------------------------------------------------------------------------------


def rv_of(key: str, p: Prior):
    """The pyabc random variable of prior ``p`` of ``key``; AbcError if it has no spread or
    reaches outside the declared range."""
    import pyabc

    if p.family is Family.FIXED:
        raise AbcError(f"{key} has the fixed prior {p}; allowed: a parameter with spread")
    lo, hi = param_of(key).bounds or (None, None)
    if lo is None or p.low < lo or p.high > hi:
        raise AbcError(
            f"prior {p} of {key} lies outside its declared range {lo} to {hi}; "
            "allowed: a prior inside the range"
        )
    match p.family:
        case Family.UNIFORM:
            return pyabc.RV("uniform", p.low, p.high - p.low)
        case Family.TRIANGULAR:
            c = (p.mode - p.low) / (p.high - p.low)
            return pyabc.RV("triang", c, loc=p.low, scale=p.high - p.low)
        case Family.LOGUNIFORM:
            return pyabc.RV("loguniform", p.low, p.high)
        case _:  # discrete uniform: every whole number from low to high
            return pyabc.RV("randint", int(p.low), int(p.high) + 1)


def prior(keys: Sequence[str], priors: Mapping[str, Prior] | None = None):
    """A pyabc ``Distribution`` over ``keys`` (their register priors unless ``priors`` gives
    them); AbcError naming an unknown key or a prior that cannot be used."""
    import pyabc

    rvs = {}
    for key in keys:
        try:
            p = (priors or {}).get(key) or prior_of(key)
        except DrawError as e:
            raise AbcError(str(e)) from None
        rvs[key] = rv_of(key, p)
    return pyabc.Distribution(**rvs)


def transition(keys: Sequence[str], priors: Mapping[str, Prior] | None = None):
    """pyabc's default Gaussian kernel for continuous keys; whole-number keys jump between
    their values (a Gaussian step would never land on one)."""
    import pyabc

    whole = {
        k: (priors or {}).get(k) or prior_of(k)
        for k in keys
        if ((priors or {}).get(k) or prior_of(k)).family is Family.DISCRETE_UNIFORM
    }
    if not whole:
        return pyabc.MultivariateNormalTransition()
    parts = {
        k: pyabc.DiscreteJumpTransition(domain=np.arange(int(p.low), int(p.high) + 1))
        for k, p in whole.items()
    }
    rest = tuple(k for k in keys if k not in whole)
    if rest:
        parts[rest] = pyabc.MultivariateNormalTransition()
    return pyabc.AggregatedTransition(mapping=parts)


# --- distance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaled:
    """How one summary statistic turns into a miss in tolerance units."""

    name: str
    miss: Callable[[float], float]


def _distance_base():
    import pyabc

    return pyabc.Distance


class ToleranceDistance(_distance_base()):  # type: ignore[misc]
    """Root mean square of the misses of ``stats`` in tolerance units; a missing or
    non-finite statistic makes the distance infinite (the particle is rejected)."""

    def __init__(self, stats: Sequence[Scaled]) -> None:
        super().__init__()
        self.stats = tuple(stats)

    def misses(self, x: Mapping[str, float]) -> np.ndarray:
        out = []
        for s in self.stats:
            v = x.get(s.name, np.nan)
            out.append(s.miss(float(v)) if np.isfinite(v) else np.inf)
        return np.asarray(out, dtype=float)

    def __call__(self, x, x_0=None, t=None, par=None) -> float:
        m = self.misses(x)
        return float(np.sqrt(np.mean(m**2))) if np.all(np.isfinite(m)) else np.inf


# --- sampler ------------------------------------------------------------------------------


def _seeded_batch(seed: int, t: int, simulate_one_pickle: bytes, batch_size: int, job_ids):
    """pyabc's job (simulate ``batch_size`` particles), with the random state set from
    (seed, generation, first job id) instead of the operating system's entropy."""
    import cloudpickle

    simulate_one = cloudpickle.loads(simulate_one_pickle)
    state = int(np.random.SeedSequence([seed, t + 1, job_ids[0]]).generate_state(1)[0])
    random.seed(state)
    np.random.seed(state)  # noqa: NPY002 - pyabc and its scipy RVs draw from the global state
    out = []
    for j in range(batch_size):
        result = simulate_one()
        out.append((result, result.accepted, job_ids[j]))
    return out


class _SeededClient:
    """Hands pyabc's jobs to the pool, with the seeded job function in place of pyabc's."""

    def __init__(self, pool, seed: int, t: int) -> None:
        self.pool, self.seed, self.t = pool, seed, t

    def submit(self, _fn, simulate_one_pickle, batch_size, job_ids):
        return self.pool.submit(
            _seeded_batch, self.seed, self.t, simulate_one_pickle, batch_size, job_ids
        )


def _sampler_base():
    from pyabc.sampler import ConcurrentFutureSampler

    return ConcurrentFutureSampler


class ExecutorSampler(_sampler_base()):  # type: ignore[misc]
    """pyabc's dynamic scheduling on a kosi-sim executor pool (serial, processes, dask):
    at most ``pool.workers`` jobs at a time of ``batch_size`` simulations each, seeded per
    job.  Each job unpickles pyabc's sampling closure (some ms), so a fast model wants
    batches; a slow one (the city, about a second per run) runs one per job."""

    def __init__(self, pool, seed: int, batch_size: int = 1) -> None:
        super().__init__(cfuture_executor=pool, client_max_jobs=pool.workers, batch_size=batch_size)
        self.pool, self.seed = pool, seed
        self.show_progress = False
        self.seconds = 0.0  # wall time spent sampling (simulations and waiting for them)

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        self.client = _SeededClient(self.pool, self.seed, t)
        start = time.perf_counter()
        try:
            return super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start

    def __getstate__(self):
        d = super().__getstate__()
        d.pop("pool", None)
        return d


# --- running and reading ------------------------------------------------------------------


def db_url(path) -> str:
    return f"sqlite:///{path}"


def make_abc(
    model,
    keys,
    stats,
    pool,
    seed: int,
    population: int,
    priors=None,
    batch_size: int = 1,
    resume: bool = False,
):
    """An ``ABCSMC`` over ``keys`` for ``model`` with the tolerance distance.  A new run's
    first generation accepts every prior draw (epsilon infinite; no extra calibration
    sample), later generations take the median distance of the one before; a resumed run
    starts from the median of the history's last generation."""
    import pyabc

    eps = pyabc.MedianEpsilon() if resume else pyabc.MedianEpsilon(initial_epsilon=np.inf)

    return pyabc.ABCSMC(
        model,
        prior(keys, priors),
        ToleranceDistance(stats),
        population_size=population,
        sampler=ExecutorSampler(pool, seed, batch_size),
        transitions=transition(keys, priors),
        eps=eps,
    )


def run(
    abc,
    db,
    observed: Mapping[str, float],
    resume: bool,
    budget: int,
    generations: int,
    min_epsilon: float,
):
    """Start (or with ``resume`` continue) the history in the SQLite file ``db`` and run
    until ``budget`` simulations in all (earlier ones counted), ``generations`` more
    generations or epsilon at ``min_epsilon``; the History."""
    if resume:
        history = abc.load(db_url(db), 1)
        if history.max_t < 0:
            raise AbcError(f"{db}: the history holds no finished generation to resume from")
    else:
        abc.new(db_url(db), dict(observed))
    return abc.run(
        minimum_epsilon=min_epsilon,
        max_nr_populations=generations,
        max_total_nr_simulations=budget,
    )


def open_history(db):
    """The History of an earlier run in ``db``; AbcError if there is none to resume."""
    import sqlalchemy
    from pyabc import History

    if not db.is_file():
        raise AbcError(f"--resume: {db} does not exist; there is no history to resume")
    try:
        history = History(db_url(db), _id=1)
        t = history.max_t
    except (sqlalchemy.exc.SQLAlchemyError, ValueError, TypeError) as e:
        first = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
        raise AbcError(f"--resume: {db} is not a readable pyabc history ({first})") from None
    if t is None or t < 0:
        raise AbcError(f"--resume: {db} holds no finished generation to resume from")
    return history


def convergence(history) -> pd.DataFrame:
    """One row per generation: epsilon, accepted particles, simulations, acceptance rate
    and Kish's effective sample size of the weights."""
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    rows = []
    for r in pops.itertuples():
        _, w = history.get_distribution(m=0, t=int(r.t))
        rows.append(
            {
                "generation": int(r.t),
                "epsilon": float(r.epsilon),
                "particles": int(r.particles),
                "simulations": int(r.samples),
                "acceptance_rate": float(r.particles / r.samples) if r.samples else np.nan,
                "effective_sample_size": float(effective_sample_size(w)),
            }
        )
    return pd.DataFrame(rows)


def final_sample(history, keys: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The last generation's particles (one column per key, in ``keys`` order) and weights."""
    df, w = history.get_distribution(m=0, t=history.max_t)
    out = df[list(keys)].reset_index(drop=True)
    out.columns.name = None  # pyabc names the column axis 'name'
    return out, np.asarray(w, dtype=float)
