"""``kosi-sim optimize``: a problem, its futures, the search, and the folder it writes.

::

    OUT/manifest.json         problem text and hash, algorithm, status, versions, times
    OUT/futures.parquet       one row per future: ids, seed, drivers and parameter draw, and
                              the levels of its no-lab twin (twin_*)
    OUT/designs.parquet       every evaluated design: id, generation, unit vector (x_*),
                              budget, staff, start year, share_* and target_* per instrument,
                              objectives (objective_*, minimised), status
    OUT/outcomes.parquet      every design in every future: the outcomes, status
    OUT/robustness.parquet    per design: mean, percentile, regret, satisficing (over all
                              evaluated designs)
    OUT/pareto.parquet        the designs of the result, with their robustness
    OUT/convergence.parquet   per generation: evaluations, hypervolume, epsilon progress
    OUT/checkpoint.pkl        the search's state after the last complete generation

The Parquet files and the checkpoint are rewritten (atomically) after every generation, so a
killed search loses at most the generation it was running; ``--resume`` continues from the
checkpoint (refusing a changed problem file).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import draws
from ..experiments.executors import open_executor
from ..experiments.store import _now, _plain, atomic_write_bytes, atomic_write_parquet
from ..outdir import (
    OPTIMIZATION,
    ResultsError,
    check_replaceable,
    make_parents,
    read_manifest,
    remove_empty,
    target_path,
    write_errors,
    writer_lock,
)
from ..results import git_commit, package_versions
from . import futures as futures_mod
from . import robustness, search
from .evaluate import LEVELS, OUTCOMES, Task, decode, outcomes, run_task, variables
from .problem import Problem

CHECKPOINT = "checkpoint.pkl"


@dataclass
class Summary:
    evaluations: int
    generations: int
    pareto: int
    runs: int
    resumed_from: int


def scenario_doc(problem: Problem, future: dict[str, Any], design=None) -> dict[str, Any]:
    """The scenario document of a future, with the lab of ``design`` (None: the twin)."""
    doc = problem.scenario.to_dict()
    if design is not None:
        indicator = {d.name: getattr(d, problem.indicator) for d in problem.scenario.districts}
        doc["interventions"] = [*doc.get("interventions", []), *design.interventions(indicator)]
    return draws.apply(doc, futures_mod.draw_of(future))


def _gather(pool, tasks: list[Task], on_run: Callable[[], None] | None) -> list[dict]:
    futures = [pool.submit(run_task, t) for t in tasks]
    out = []
    for f in futures:  # in task order: results do not depend on completion order
        out.append(f.result())
        if on_run:
            on_run()
    return out


def twins(problem: Problem, table: pd.DataFrame, pool, on_run=None) -> pd.DataFrame:
    """``table`` with the levels of each future's no-lab run (``twin_*`` columns)."""
    rows = table.to_dict("records")
    tasks = [
        Task((-1, r["future"]), scenario_doc(problem, r), r["seed"], problem.months) for r in rows
    ]
    res = _gather(pool, tasks, on_run)
    failed = [r for r in res if r["status"] != "ok"]
    if failed:
        raise ResultsError(
            f"a run without the lab failed ({failed[0]['error']}); no design can be compared"
        )
    out = table.copy()
    for name in [*LEVELS, "cost_eur_per_year"]:
        out[f"twin_{name}"] = [r[name] for r in res]
    for d in res[0]["districts"]:
        out[f"twin_coverage@{d}"] = [r["districts"][d] for r in res]
    return out


def _twin(row: dict) -> dict:
    twin = {name: row[f"twin_{name}"] for name in [*LEVELS, "cost_eur_per_year"]}
    twin["districts"] = {
        k.partition("@")[2]: v for k, v in row.items() if k.startswith("twin_coverage@")
    }
    twin["status"] = "ok"
    return twin


def evaluator(problem: Problem, table: pd.DataFrame, pool, on_run=None) -> search.Evaluate:
    """The search's evaluate: each design in every future, outcomes, objectives."""
    rows = table.to_dict("records")
    names = variables(problem)
    directions = {n: o.direction for n, (o, _) in OUTCOMES.items()}

    def evaluate(X: np.ndarray, first: int, generation: int):
        designs = [decode(x, problem) for x in X]
        tasks = [
            Task((first + i, r["future"]), scenario_doc(problem, r, d), r["seed"], problem.months)
            for i, d in enumerate(designs)
            if d.shares
            for r in rows
        ]
        results = iter(_gather(pool, tasks, on_run))
        records = []
        for i, d in enumerate(designs):
            for r in rows:
                twin = _twin(r)
                lab = next(results) if d.shares else twin | {"cost_eur_per_year": 0.0}
                rec = {"design": first + i, "future": r["future"], **outcomes(lab, twin)}
                rec["status"] = lab["status"]
                rec["error"] = lab.get("error", "")
                records.append(rec)
        out = pd.DataFrame(records)
        F = np.column_stack(
            [
                robustness.objective(
                    out,
                    o.outcome.name,
                    o.statistic,
                    o.outcome.direction,
                    problem.thresholds,
                    directions,
                    problem.percentile,
                ).to_numpy()
                for o in problem.objectives
            ]
        )
        rows_d = []
        for i, (x, d) in enumerate(zip(X, designs, strict=True)):
            row = {"design": first + i, "generation": generation}
            row.update({f"x_{n}": float(v) for n, v in zip(names, x, strict=True)})
            row.update(budget_eur_per_year=d.budget, staff_fte=d.staff, start_year=d.start_year)
            row["instruments"] = " ".join(sorted(d.shares))
            for kind in problem.instruments:
                row[f"share_{kind}"] = d.shares.get(kind, 0.0)
                target = d.targets.get(kind, "")
                row[f"target_{kind}"] = "+".join(target) if isinstance(target, tuple) else target
            row.update(
                {f"objective_{o.label}": float(F[i, j]) for j, o in enumerate(problem.objectives)}
            )
            failed = out[(out["design"] == first + i) & (out["status"] != "ok")]
            row["status"] = "failed" if len(failed) else "ok"
            rows_d.append(row)
        return F, {"designs": pd.DataFrame(rows_d), "outcomes": out}

    return evaluate


def robustness_table(problem: Problem, out: pd.DataFrame) -> pd.DataFrame:
    directions = {n: o.direction for n, (o, _) in OUTCOMES.items()}
    return robustness.summary(out, directions, problem.thresholds, problem.percentile)


def write_tables(problem: Problem, root: Path, state: search.State) -> None:
    designs = pd.concat(state.tables["designs"], ignore_index=True)
    outs = pd.concat(state.tables["outcomes"], ignore_index=True)
    rob = robustness_table(problem, outs)
    pareto = designs.iloc[state.pareto()].merge(rob, on="design", how="left")
    atomic_write_parquet(root / "designs.parquet", _plain(designs))
    atomic_write_parquet(root / "outcomes.parquet", outs)
    atomic_write_parquet(root / "robustness.parquet", rob)
    atomic_write_parquet(root / "pareto.parquet", _plain(pareto))
    atomic_write_parquet(root / "convergence.parquet", state.convergence_table())


def write_manifest(root: Path, problem: Problem, algorithm: str, **fields: Any) -> None:
    doc = read_manifest(root) or {}
    doc.update(
        {
            OPTIMIZATION.marker: 1,
            "problem": problem.name,
            "problem_sha256": problem.hash,
            "problem_text": problem.text,
            "algorithm": algorithm,
            "objectives": [o.label for o in problem.objectives],
            "thresholds": problem.thresholds,
            "percentile": problem.percentile,
            "instruments": list(problem.instruments),
            "deprivation_indicator": problem.indicator,
            "versions": package_versions(),
            "commit": git_commit(),
            **fields,
        }
    )
    atomic_write_bytes(root / "manifest.json", json.dumps(doc, indent=2, default=str).encode())


def optimize(
    problem: Problem,
    out: Path,
    algorithm: str | None = None,
    evaluations: int | None = None,
    executor: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    on_run: Callable[[], None] | None = None,
    on_generation: Callable[[search.State], None] | None = None,
) -> Summary:
    """Run (or continue) the search of ``problem`` into the folder ``out``, holding its lock.
    A fresh search that fails before its futures are saved leaves no folder behind."""
    algorithm = algorithm or problem.algorithm
    evaluations = evaluations or problem.evaluations
    kind = "dask" if scheduler else (executor or problem.executor)
    path = target_path(out)
    created = make_parents(path.parent)
    root = Path(out)
    try:
        with writer_lock(path, str(out)):
            state = _open(problem, root, algorithm, resume, force)
            try:
                return _search(
                    problem,
                    root,
                    state,
                    algorithm,
                    evaluations,
                    kind,
                    workers,
                    scheduler,
                    on_run,
                    on_generation,
                )
            except Exception:
                if not resume and not (root / "futures.parquet").exists():
                    shutil.rmtree(root, ignore_errors=True)
                raise
    finally:
        remove_empty(created)


def _search(
    problem, root, state, algorithm, evaluations, kind, workers, scheduler, on_run, on_generation
) -> Summary:
    write_manifest(
        root,
        problem,
        algorithm,
        status="running",
        executor=kind,
        evaluations_requested=evaluations,
    )
    before = state.evaluations if state else 0
    runs = []

    def counted():
        runs.append(1)
        if on_run:
            on_run()

    def checkpoint(s: search.State) -> None:
        write_tables(problem, root, s)
        search.save(s, root / CHECKPOINT)
        if on_generation:
            on_generation(s)

    with open_executor(kind, workers, scheduler) as pool:
        table = _futures(problem, root, pool, counted)
        if state is None:
            eps = np.array([o.epsilon for o in problem.objectives])
            n_var = len(variables(problem))
            state = search.start(algorithm, n_var, len(eps), problem.population, problem.seed, eps)
        search.run(state, evaluator(problem, table, pool, counted), evaluations, checkpoint)
    write_manifest(root, problem, algorithm, status="complete", ended=_now())
    return Summary(state.evaluations, state.generations, len(state.pareto()), len(runs), before)


def _open(problem: Problem, root: Path, algorithm: str, resume: bool, force: bool):
    """The state to continue from (None: a fresh search in a new or emptied folder)."""
    if resume:
        doc = read_manifest(root)
        if not doc or OPTIMIZATION.marker not in doc:
            raise ResultsError(
                f"--resume: {root} holds no optimisation to resume (no manifest.json)"
            )
        if doc.get("problem_sha256") != problem.hash:
            raise ResultsError(
                f"{root}: the problem file changed since this search started (its hash differs); "
                "resume only with the unchanged file, or start a new --out"
            )
        if doc.get("algorithm") != algorithm:
            raise ResultsError(
                f"--resume: {root} was searched with {doc.get('algorithm')}, not {algorithm}"
            )
        return search.load(root / CHECKPOINT) if (root / CHECKPOINT).is_file() else None
    check_replaceable(root, OPTIMIZATION, force, str(root))
    with write_errors(root):
        if root.is_dir():
            shutil.rmtree(root)
        root.mkdir()
    write_manifest(root, problem, algorithm, status="running", started=_now())
    return None


def _futures(problem: Problem, root: Path, pool, on_run) -> pd.DataFrame:
    """The futures with their twins: read back when a resumed search has them, else run."""
    path = root / "futures.parquet"
    if path.is_file():
        return pd.read_parquet(path)
    table = twins(problem, futures_mod.build(problem), pool, on_run)
    atomic_write_parquet(path, _plain(table))
    return table
