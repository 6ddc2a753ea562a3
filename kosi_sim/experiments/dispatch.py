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
from concurrent.futures import FIRST_COMPLETED, Future, wait

from .executors import Pool, worker_died
from .runs import RunResult, RunSpec, run_batch

#: status of a run whose worker process died while running it alone
CRASHED = "crashed"

CRASH_MESSAGE = (
    "the worker process died while running this run alone (a crash in compiled code, "
    "the out-of-memory killer or a signal); 'kosi-sim sweep --resume' retries it"
)


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

    def fill() -> None:
        if suspects:
            if not pending:  # one suspect at a time: if the pool breaks, it was this run
                spec = suspects.popleft()
                fut = pool.submit(run_batch, [spec])
                pending[fut] = [spec]
                alone.add(fut)
            return
        for batch in batches:
            pending[pool.submit(run_batch, batch)] = batch
            if len(pending) >= limit:
                break

    fill()
    while pending:
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
            for spec, res in zip(batch, results, strict=True):
                record(spec, res)
        if broken and pool.renewable:
            # every task still pending on a broken process pool is lost with it
            for batch in pending.values():
                suspects.extend(batch)
            pending.clear()
            alone.clear()
            pool.renew()
        fill()


def _failed(spec: RunSpec, error: str, status: str = "failed") -> RunResult:
    return RunResult(spec.run_id, status, 0.0, error=error)
