"""A worker process that dies in a sweep loses nothing: the run that killed it is recorded
as crashed (and only that run), the pool is renewed, the other runs complete, and a resume
retries the crashed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pandas as pd
import psutil
import pytest

from kosi_sim.experiments import dispatch as dispatch_module
from kosi_sim.experiments.dispatch import CRASHED, PoolFailure, dispatch
from kosi_sim.experiments.executors import open_executor
from kosi_sim.experiments.runs import RunResult, RunSpec, run_batch
from kosi_sim.experiments.spec import load
from kosi_sim.experiments.sweep import run_sweep

from .test_experiments import EXP, _metrics

KILLER = 5  # the run whose process dies


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def fake_batch(specs: list[RunSpec]) -> list[RunResult]:
    """Stands in for run_batch in pool workers: run KILLER kills its process."""
    out = []
    for s in specs:
        if s.run_id == KILLER:
            _kill_self()
        out.append(RunResult(s.run_id, "ok", 0.0))
    return out


def killing_batch(specs: list[RunSpec]) -> list[RunResult]:
    """The real run_batch, except that run KILLER kills its process."""
    if any(s.run_id == KILLER for s in specs):
        _kill_self()
    return run_batch(specs)


def _spec(i: int) -> RunSpec:
    return RunSpec(i, i, 0, i, {}, 1, (), 1, False)


def test_only_the_run_that_kills_its_worker_is_blamed(monkeypatch):
    monkeypatch.setattr(dispatch_module, "run_batch", fake_batch)
    got: dict[int, str] = {}
    batches = iter([[_spec(i) for i in range(k, k + 3)] for k in range(0, 12, 3)])
    with open_executor("processes", workers=2) as pool:
        dispatch(pool, batches, lambda spec, res: got.__setitem__(spec.run_id, res.status))
    assert sorted(got) == list(range(12))  # every run recorded once
    assert got.pop(KILLER) == CRASHED
    assert set(got.values()) == {"ok"}


def test_a_crashed_run_is_recorded_and_resume_completes_it(tmp_path, monkeypatch):
    path = tmp_path / "tiny.toml"
    path.write_text(EXP.replace('executor = "serial"', 'executor = "processes"'))
    exp = load(path)
    out = tmp_path / "sweep"
    monkeypatch.setattr(dispatch_module, "run_batch", killing_batch)
    first = run_sweep(exp, out, workers=2)
    assert first.ok == exp.n_runs - 1 and first.failed == 1
    runs = pd.read_parquet(out / "runs.parquet").set_index("run_id")
    assert runs.loc[KILLER, "status"] == CRASHED
    assert "died" in runs.loc[KILLER, "error"]
    assert (runs.drop(index=KILLER)["status"] == "ok").all()

    monkeypatch.setattr(dispatch_module, "run_batch", run_batch)
    again = run_sweep(exp, out, workers=2, resume=True)
    assert (again.done_before, again.ok, again.failed) == (exp.n_runs - 1, 1, 0)
    runs = pd.read_parquet(out / "runs.parquet")
    assert (runs["status"] == "ok").all() and len(runs) == exp.n_runs

    whole = tmp_path / "whole"
    run_sweep(exp, whole, executor="serial")
    pd.testing.assert_frame_equal(_metrics(out), _metrics(whole))


class _DeadPool:
    """A pool whose workers die before they take any task."""

    workers, renewable, renewed = 2, True, 0

    def submit(self, fn, /, *args):
        from concurrent.futures import BrokenExecutor

        raise BrokenExecutor("a worker died at start")

    def renew(self):
        self.renewed += 1


def test_a_pool_that_never_runs_anything_is_a_clear_error():
    pool = _DeadPool()
    with pytest.raises(PoolFailure, match="die before running anything"):
        dispatch(pool, iter([[_spec(0)], [_spec(1)]]), lambda spec, res: None)
    assert pool.renewed == 3


@pytest.mark.parametrize("kind", ["serial", "processes"])
def test_pools_report_their_workers(kind):
    with open_executor(kind, workers=2) as pool:
        assert pool.workers == (1 if kind == "serial" else 2)
        assert pool.submit(sum, [1, 2]).result() == 3


def test_pool_workers_end_with_a_killed_sweep(tmp_path):
    """After a SIGKILL of the sweep, its pool workers and multiprocessing's resource
    tracker exit on their own (they used to finish their tasks and linger)."""
    path = tmp_path / "long.toml"
    path.write_text(
        EXP.replace('executor = "serial"', 'executor = "processes"').replace(
            "replications = 2", "replications = 40"
        )
    )
    sweep = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kosi_sim.cli",
            "sweep",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "2",
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        parent = psutil.Process(sweep.pid)
        workers: list[psutil.Process] = []
        for _ in range(600):  # until both workers run (a bound against a hang, not a timing)
            workers = [c for c in parent.children(recursive=True) if _is_worker(c)]
            if len(workers) >= 2:
                break
            psutil.wait_procs([parent], timeout=0.2)
        assert len(workers) >= 2, "the sweep never started its workers"
        children = parent.children(recursive=True)
    finally:
        sweep.kill()
        sweep.wait()
    _, alive = psutil.wait_procs(children, timeout=60)
    assert alive == [], [" ".join(p.cmdline()) for p in alive]


def _is_worker(proc: psutil.Process) -> bool:
    try:
        return "multiprocessing.spawn" in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def test_a_scheduler_address_that_is_not_dask_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    """Something listens at the address but never speaks Dask's protocol."""
    import socket

    from kosi_sim.cli import main
    from kosi_sim.experiments import executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT", 1.0)
    path = tmp_path / "e.toml"
    path.write_text(EXP)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        code = main(["sweep", str(path), "--out", str(tmp_path / "s"), "--scheduler", address])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert "no Dask scheduler answered" in err[0]
    assert not (tmp_path / "s").exists()
