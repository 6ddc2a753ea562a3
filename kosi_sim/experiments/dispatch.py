"""Batches of runs to a pool of workers, surviving the death of a worker process.

A run that raises is returned as a failed :class:`RunResult` by :func:`run_one`.  A run
that kills the process running it (a crash in compiled code, the out-of-memory killer, a
signal) cannot report anything: a process pool then breaks and every task in flight on it
is lost, and Dask gives up on a task whose workers kept dying.  When that happens:

1. the runs of every lost task become *suspects* and the pool is renewed;
2. suspects run again one at a time, each alone in the pool, so that a run that kills its
   worker again is known for certain;
3. such a run is recorded with status ``crashed`` (and retried by ``sweep --resume``);
   the other suspects are recorded with their own results, and the sweep goes on.

No run is lost and no innocent run is blamed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait

from ..results import ResultsError
from .executors import Pool, worker_died
from .runs import RunResult, RunSpec, run_batch

#: status of a run whose worker process died while running it alone
CRASHED = "crashed"

CRASH_MESSAGE = (
    "the worker process died while running this run alone (a crash in compiled code, "
    "the out-of-memory killer or a signal); 'kosi-sim sweep --resume' retries it"
)


class PoolFailure(ResultsError):
    """The pool's workers die before running anything, again and again (a one-line
    error of the command line, like every other reason a sweep cannot produce results)."""


#: renewals of a pool in a row without a single task coming back
MAX_BARREN_RENEWALS = 3


def dispatch(
    pool: Pool,
    batches: Iterator[list[RunSpec]],
    record: Callable[[RunSpec, RunResult], None],
) -> None:
    """Run every batch on ``pool`` and ``record`` each run's result as it arrives; at most
    two tasks per worker are in flight, so memory stays bounded."""
    pending: dict[Future, list[RunSpec]] = {}
    alone: set[Future] = set()  # tasks of one suspect run
    suspects: deque[RunSpec] = deque()
    limit = 2 * pool.workers
    barren = 0  # renewals since a task last came back

    def submit(batch: list[RunSpec], by_itself: bool) -> bool:
        try:
            fut = pool.submit(run_batch, batch)
        except BrokenExecutor:  # a worker died since the last look
            suspects.extend(batch)
            return False
        pending[fut] = batch
        if by_itself:
            alone.add(fut)
        return True

    def fill() -> bool:
        """Submit what may run now; False if the pool turned out to be broken."""
        if suspects:
            # one suspect at a time: if the pool breaks, it was this run
            return bool(pending) or submit([suspects.popleft()], by_itself=True)
        for batch in batches:
            if not submit(batch, by_itself=False):
                return False
            if len(pending) >= limit:
                break
        return True

    def renew() -> None:
        nonlocal barren
        barren += 1
        if barren > MAX_BARREN_RENEWALS:
            raise PoolFailure(
                "the sweep's worker processes die before running anything (renewed "
                f"{MAX_BARREN_RENEWALS} times); try --executor serial to see the error"
            )
        # every task still pending on a broken process pool is lost with it
        for batch in pending.values():
            suspects.extend(batch)
        pending.clear()
        alone.clear()
        pool.renew()

    while True:
        if not fill():
            renew()
            continue
        if not pending:
            return
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        broken = False
        for fut in finished:
            batch = pending.pop(fut)
            try:
                results = fut.result()
            except Exception as e:
                if not worker_died(e):  # the task itself failed (e.g. it could not be sent)
                    results = [_failed(s, f"{type(e).__name__}: {e}") for s in batch]
                elif fut in alone:
                    results = [_failed(batch[0], CRASH_MESSAGE, CRASHED)]
                    broken = True
                else:
                    suspects.extend(batch)
                    broken = True
                    continue
            finally:
                alone.discard(fut)
            barren = 0
            for spec, res in zip(batch, results, strict=True):
                record(spec, res)
        if broken and pool.renewable:
            renew()


def _failed(spec: RunSpec, error: str, status: str = "failed") -> RunResult:
    return RunResult(spec.run_id, status, 0.0, error=error)
