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

import hashlib
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


#: the Gaussian kernel's covariance as a multiple of Silverman's rule of thumb (pyabc's
#: ``scaling``, default 1; 2 widens each step by a factor of 1.4).  A choice against weight
#: degeneracy: with a dozen parameters and 200 particles, Dortmund's calibration with the
#: default kernel ended with an effective sample size of 1 of 200 (one particle proposed far
#: out in the kernel's tail took 96% of the weight); a wider kernel proposes more evenly at
#: the price of a lower acceptance rate.
KERNEL_SCALING = 2.0


def _prior(key: str, priors: Mapping[str, Prior] | None) -> Prior:
    """The prior of ``key``: the one given, else the register's."""
    return (priors or {}).get(key) or prior_of(key)


def continuous_keys(keys: Sequence[str], priors: Mapping[str, Prior] | None = None) -> list[str]:
    """The keys the Gaussian kernel proposes (all but the whole-number ones)."""
    return [k for k in keys if _prior(k, priors).family is not Family.DISCRETE_UNIFORM]


def transition(keys: Sequence[str], priors: Mapping[str, Prior] | None = None):
    """pyabc's Gaussian kernel (:data:`KERNEL_SCALING` times Silverman's covariance) for
    continuous keys; whole-number keys jump between their values (a Gaussian step would
    never land on one)."""
    import pyabc

    rest = tuple(continuous_keys(keys, priors))
    if len(rest) == len(keys):
        return _checked_normal()(scaling=KERNEL_SCALING)
    parts = {
        k: pyabc.DiscreteJumpTransition(
            domain=np.arange(int(_prior(k, priors).low), int(_prior(k, priors).high) + 1)
        )
        for k in keys
        if k not in rest
    }
    if rest:
        parts[rest] = _checked_normal()(scaling=KERNEL_SCALING)
    return pyabc.AggregatedTransition(mapping=parts)


#: a generation needs at least this many particles per continuous parameter: the kernel's
#: covariance is estimated from them, and from fewer than one more than the parameters it is
#: singular (the kernel's density is then zero where it proposes, and the weights undefined)
PARTICLES_PER_PARAMETER = 2

#: the kernel's covariance counts as singular when its smallest eigenvalue is below this
#: share of its largest (double precision resolves about 1e-16)
SINGULAR_BELOW = 1e-12


def _checked_normal():
    from pyabc import MultivariateNormalTransition

    class CheckedNormalTransition(MultivariateNormalTransition):
        """pyabc's Gaussian kernel that refuses a singular covariance with a one-line
        :class:`AbcError` (pyabc would go on and fail later on undefined weights)."""

        def fit(self, X, w) -> None:
            super().fit(X, w)
            cov = np.atleast_2d(self.cov)
            eig = np.linalg.eigvalsh(cov)
            if not (np.isfinite(eig).all() and eig.min() > SINGULAR_BELOW * max(eig.max(), 0)):
                raise AbcError(
                    f"the {len(X)} accepted particles vary in fewer than the {len(cov)} "
                    "directions of the parameters, so the kernel cannot propose new ones; "
                    "allowed: a larger --population"
                )

    return CheckedNormalTransition


# --- distance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaled:
    """How one summary statistic turns into a miss in tolerance units.  A ``band`` is a
    plausibility band (a long-run check): its miss is 0 inside and the distance outside in
    units of the band's width."""

    name: str
    miss: Callable[[float], float]
    band: bool = False


#: how much a band's miss weighs against the root mean square: the distance is at least
#: this times the largest band miss, so that at epsilon 0.5 a run may leave a band by at
#: most 5% of its width.  A choice: in the root mean square alone, one band missed by
#: 0.7 of its width among 18 statistics hardly counted, and Dortmund's first posterior
#: kept its initiatives in their band in too few runs (its predictive check failed).
BAND_WEIGHT = 10.0


def _distance_base():
    import pyabc

    return pyabc.Distance


class ToleranceDistance(_distance_base()):  # type: ignore[misc]
    """The root mean square of the misses of ``stats`` in tolerance units, or
    :data:`BAND_WEIGHT` times the largest band miss if that is larger; a missing or
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

    def _combine(self, m: np.ndarray, bands: np.ndarray) -> float:
        if not np.all(np.isfinite(m)):
            return np.inf
        rms = float(np.sqrt(np.sum(m**2) / len(self.stats)))
        return max(rms, BAND_WEIGHT * float(m[bands].max())) if bands.any() else rms

    def __call__(self, x, x_0=None, t=None, par=None) -> float:
        return self._combine(self.misses(x), np.array([s.band for s in self.stats], dtype=bool))

    def lower_bound(self, partial: Mapping[str, float]) -> float:
        """The least distance any completion of ``partial`` (some of the statistics) can
        have: the missing ones count as hits (a miss is never negative)."""
        known = [s for s in self.stats if s.name in partial]
        m = np.asarray([s.miss(float(partial[s.name])) for s in known], dtype=float)
        return self._combine(m, np.array([s.band for s in known], dtype=bool))


# --- early rejection ----------------------------------------------------------------------


#: the statistic an early-rejected particle carries (pyabc keeps no rejected statistics;
#: the sampler counts them for the benchmark)
STOPPED = "stopped_early"


def _integrated_base():
    from pyabc import IntegratedModel

    return IntegratedModel


class EarlyRejection(_integrated_base()):  # type: ignore[misc]
    """pyabc's integrated model: a staged model (``model.staged(par, go_on)``, which asks
    ``go_on`` with the statistics it knows so far, as often as it likes, and returns None
    if told to stop) is stopped as soon as the distance's lower bound of those statistics
    exceeds the generation's epsilon.  Exact: a stopped particle would have been rejected
    after the whole run, and every other one is simulated, measured and accepted
    (``d <= eps``, pyabc's uniform acceptor) as without early rejection, so the history is
    the same."""

    def __init__(self, model, distance: ToleranceDistance) -> None:
        super().__init__(name="model")
        self.model, self.distance = model, distance

    def integrated_simulate(self, pars, eps: float):
        from pyabc.model import ModelResult

        stats = self.model.staged(pars, lambda partial: self.distance.lower_bound(partial) <= eps)
        if stats is None:
            return ModelResult(accepted=False, distance=np.inf, sum_stat={STOPPED: 1.0})
        d = self.distance(stats)
        return ModelResult(accepted=bool(d <= eps), distance=d, sum_stat=stats)


# --- sampler ------------------------------------------------------------------------------


#: the last sampling closure a process unpickled, by the digest of its pickle: one
#: generation sends the same closure with every job, and unpickling it (the model, the
#: kernel, the distance) takes some milliseconds a job
_LAST_CLOSURE: dict[bytes, Any] = {}


def _closure(simulate_one_pickle: bytes):
    """pyabc's sampling closure from its pickle, unpickled once per process and pickle
    (it keeps no state between particles: each draws from the random state its job set)."""
    import cloudpickle

    digest = hashlib.blake2b(simulate_one_pickle, digest_size=16).digest()
    closure = _LAST_CLOSURE.get(digest)
    if closure is None:
        closure = cloudpickle.loads(simulate_one_pickle)
        _LAST_CLOSURE.clear()
        _LAST_CLOSURE[digest] = closure
    return closure


def _seeded_batch(seed: int, t: int, simulate_one_pickle: bytes, batch_size: int, job_ids):
    """pyabc's job (simulate ``batch_size`` particles), with the random state set from
    (seed, generation, first job id) instead of the operating system's entropy."""
    simulate_one = _closure(simulate_one_pickle)
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

    def __init__(self, pool, seed: int, t: int, counts: dict[str, int], lock) -> None:
        self.pool, self.seed, self.t = pool, seed, t
        self.counts, self.lock = counts, lock
        self.futures: list = []  # every job handed to the pool

    def submit(self, _fn, simulate_one_pickle, batch_size, job_ids):
        future = self.pool.submit(
            _seeded_batch, self.seed, self.t, simulate_one_pickle, batch_size, job_ids
        )
        future.add_done_callback(self.tally)
        self.futures.append(future)
        return future

    def needed(self, n: int) -> int | None:
        """How many simulations, in job order, it took to accept ``n`` particles (the
        count a sampler running one job at a time would report); None if fewer were
        accepted."""
        accepted = sorted(
            job_id
            for f in self.futures
            if f.done() and not f.cancelled() and f.exception() is None
            for _, ok, job_id in f.result()
            if ok
        )
        return accepted[n - 1] + 1 if len(accepted) >= n else None

    def tally(self, future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self.lock:
            for particle, _, _ in future.result():
                self.counts["simulations"] += 1
                self.counts[STOPPED] += STOPPED in (particle.sum_stat or {})


def _sampler_base():
    from pyabc.sampler import ConcurrentFutureSampler

    return ConcurrentFutureSampler


#: jobs handed to the pool per worker: one running and one waiting, so that a worker that
#: finishes starts its next job at once instead of when pyabc's loop next looks (it looks
#: every 10 ms).  The particles do not depend on it: pyabc keeps the accepted ones in job
#: order and waits for every job before the last one it keeps (the sampler reports the
#: simulations needed up to that one, not the jobs handed out).
JOBS_PER_WORKER = 2


class ExecutorSampler(_sampler_base()):  # type: ignore[misc]
    """pyabc's dynamic scheduling on a kosi-sim executor pool (serial, processes, dask):
    at most :data:`JOBS_PER_WORKER` jobs per worker at a time (one on a serial pool), of
    ``batch_size`` simulations each, seeded per job.  Each process unpickles pyabc's
    sampling closure once per generation (:func:`_closure`)."""

    def __init__(self, pool, seed: int, batch_size: int = 1) -> None:
        from .experiments.executors import SerialExecutor

        # a serial pool runs each job when it is handed over: nothing to queue
        ahead = 1 if isinstance(pool.executor, SerialExecutor) else JOBS_PER_WORKER
        super().__init__(
            cfuture_executor=pool, client_max_jobs=ahead * pool.workers, batch_size=batch_size
        )
        self.pool, self.seed = pool, seed
        self.show_progress = False
        self.seconds = 0.0  # wall time spent sampling (simulations and waiting for them)
        #: simulations finished by this sampler and how many of them were stopped early
        self.counts = {"simulations": 0, STOPPED: 0}
        self._lock = threading.Lock()

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        self.client = _SeededClient(self.pool, self.seed, t, self.counts, self._lock)
        start = time.perf_counter()
        try:
            sample = super().sample_until_n_accepted(n, simulate_one, t, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
        # pyabc counts the jobs it handed out, including those queued ahead that were
        # cancelled or ran past the last particle kept; count those needed instead, the
        # same for any number of workers
        needed = self.client.needed(n)
        if needed is not None:
            self.nr_evaluations_ = needed
        return sample

    def __getstate__(self):
        d = super().__getstate__()
        d.pop("pool", None)
        d.pop("_lock", None)
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
    starts from the median of the history's last generation.  A model with a ``staged``
    method is rejected early (:class:`EarlyRejection`)."""
    import pyabc

    eps = pyabc.MedianEpsilon() if resume else pyabc.MedianEpsilon(initial_epsilon=np.inf)
    distance = ToleranceDistance(stats)
    if hasattr(model, "staged"):
        model = EarlyRejection(model, distance)

    return pyabc.ABCSMC(
        model,
        prior(keys, priors),
        distance,
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
