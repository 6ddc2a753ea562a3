"""Running a sweep: specs from the experiment, batches to an executor, results to the store.

Memory stays bounded: at most a few batches per worker are in flight, and every finished
run goes to disk at once.  Ctrl-C (or a killed process) loses no finished run; ``resume``
runs only what has no record yet (and refuses a changed experiment file). The folder is
locked while the sweep writes it (a second writer is refused); a write that fails stops the
sweep with a one-line error and leaves it resumable.
"""

from __future__ import annotations

import itertools
import math
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..outdir import ResultsError, make_parents, remove_empty, target_path, writer_lock
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
    per = exp.runs_per_point  # replicates, times the draws with [uncertainty]
    for p, point in enumerate(exp.points.to_dict("records")):
        docs: dict[int, dict] = {}  # one document per draw (replicates share it)
        for r in range(per):
            draw = r // exp.replications
            if draw not in docs:
                docs[draw] = exp.scenario_for(point, r)
            yield RunSpec(
                run_id=p * per + r,
                point=p,
                replicate=r,
                seed=seeds[r],
                scenario=docs[draw],
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
    """Run the sweep into the folder ``out``, holding its lock; ResultsError with one line if
    the folder is another's, in use, or cannot be written (finished runs stay resumable)."""
    path = target_path(out)
    created = make_parents(path.parent)
    try:
        with writer_lock(path, str(out)):
            store = Store(Path(out))  # as the user wrote it, for the messages
            try:
                return _run_locked(
                    exp,
                    store,
                    resume and (Path(out) / "manifest.json").exists(),
                    executor,
                    workers,
                    scheduler,
                    force,
                    on_result,
                    on_start,
                )
            except BaseException:
                if store.created:
                    _remove_if_no_runs(store)
                raise
    finally:
        remove_empty(created)


def _remove_if_no_runs(store: Store) -> None:
    """Remove the sweep folder this call created if the sweep failed before any run was
    recorded: it holds only the design and the manifest, and would block the next attempt."""
    if not any(store.runs_dir.glob("run-*.json")):
        shutil.rmtree(store.root, ignore_errors=True)


def _run_locked(
    exp: Experiment,
    store: Store,
    resume: bool,
    executor: str | None,
    workers: int | None,
    scheduler: str | None,
    force: bool,
    on_result: Callable[[str], None] | None,
    on_start: Callable[[int, int], None] | None,
) -> SweepSummary:
    kind = "dask" if scheduler else (executor or exp.executor)
    if resume:
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
    except BaseException:
        _close(store, exp, kind, "incomplete", best_effort=True)
        raise
    status = (
        "interrupted"
        if interrupted
        else ("complete" if len(finished_runs(store)) == exp.n_runs else "incomplete")
    )
    _close(store, exp, kind, status)
    return SweepSummary(exp.n_runs, len(done), ok, failed, interrupted)


def _close(store: Store, exp: Experiment, kind: str, status: str, best_effort=False) -> None:
    """Rebuild runs.parquet and record the final status, each tried even if the other fails.
    After a failure (best_effort) a further write error is dropped, so that the first error is
    the one reported; resume depends on neither file."""
    errors: list[Exception] = []
    for step in (
        store.consolidate,
        lambda: store.write_manifest(exp, kind, status=status, ended=_now()),
    ):
        try:
            step()
        except (ResultsError, OSError) as e:
            errors.append(e)
    if errors and not best_effort:
        raise errors[0]
