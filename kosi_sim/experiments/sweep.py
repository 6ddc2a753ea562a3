"""Running a sweep: specs from the experiment, batches to an executor, results to the store.

Memory stays bounded: at most a few batches per worker are in flight, and every finished
run goes to disk at once.  Ctrl-C (or a killed process) loses no finished run; ``resume``
runs only what has no record yet, or whose worker died running it (and refuses a
changed experiment file).  A worker that dies loses nothing either (:mod:`.dispatch`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .dispatch import CRASHED, dispatch
from .executors import open_executor
from .runs import RunResult, RunSpec
from .spec import Experiment
from .store import Store, _now


@dataclass
class SweepSummary:
    total: int
    done_before: int
    ok: int
    failed: int
    interrupted: bool


def specs(exp: Experiment) -> Iterator[RunSpec]:
    """Run specs in run-id order, generated lazily (a huge design never sits in memory)."""
    seeds = exp.replicate_seeds()
    for p, point in enumerate(exp.points.to_dict("records")):
        doc = exp.scenario_for(point)
        for r in range(exp.replications):
            yield RunSpec(
                run_id=p * exp.replications + r,
                point=p,
                replicate=r,
                seed=seeds[r],
                scenario=doc,
                months=exp.months,
                metrics=exp.output.metrics,
                every_months=exp.output.every_months,
                districts=exp.output.districts,
            )


def finished_runs(store: Store) -> set[int]:
    """Runs that need not run again: every run with a record, except those whose worker
    process died (``crashed``: retried by a resume)."""
    return {run for run, status in store.done().items() if status != CRASHED}


def auto_batch(exp: Experiment, todo: int, workers: int) -> int:
    """Batch short runs so that a task takes roughly a couple of seconds."""
    if exp.batch_size:
        return exp.batch_size
    citizens = sum(d.population for d in exp.scenario.districts) * exp.scenario.scale
    cost = citizens * exp.months  # about 1e6 citizen-months per second on one core
    per_task = max(1, int(2e6 // max(cost, 1)))
    fair = max(1, math.ceil(todo / (4 * workers)))  # keep every worker busy
    return max(1, min(per_task, fair, 64))


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def run_sweep(
    exp: Experiment,
    out: Path,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    on_result: Callable[[str], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
) -> SweepSummary:
    store = Store(out)
    kind = "dask" if scheduler else (executor or exp.executor)
    if resume and (Path(out) / "manifest.json").exists():
        store.open_resume(exp)
    else:
        store.create(exp, kind, force=force)
    done = finished_runs(store)
    todo = (s for s in specs(exp) if s.run_id not in done)
    n_todo = exp.n_runs - len(done)
    factor_names = [f.name for f in exp.factors]
    points = exp.points.to_dict("records")
    if on_start:
        on_start(exp.n_runs, len(done))
    ok = failed = 0
    interrupted = False
    store.write_manifest(exp, kind, status="running", resumed=_now() if resume else None)

    def record(spec: RunSpec, res: RunResult) -> None:
        nonlocal ok, failed
        store.write(spec, res, {k: points[spec.point][k] for k in factor_names})
        ok += res.status == "ok"
        failed += res.status != "ok"
        if on_result:
            on_result(res.status)

    try:
        with open_executor(kind, workers, scheduler) as pool:
            dispatch(pool, _chunks(todo, auto_batch(exp, n_todo, pool.workers)), record)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        store.consolidate()
        status = (
            "interrupted"
            if interrupted
            else ("complete" if len(finished_runs(store)) == exp.n_runs else "incomplete")
        )
        store.write_manifest(exp, kind, status=status, ended=_now())
    return SweepSummary(exp.n_runs, len(done), ok, failed, interrupted)
