"""Executors behind the ``concurrent.futures.Executor`` interface.

* ``serial``: runs each task in the calling process when it is submitted;
* ``processes``: a process pool (spawned workers, no fork of a running model);
* ``dask``: Dask distributed - an existing cluster (``scheduler="tcp://host:port"``) or a
  local cluster started for the sweep; ``pure=False`` so identical calls are not merged.

Nothing is set up at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import contextmanager


class SerialExecutor(Executor):
    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt):
                raise
            f.set_exception(e)
        return f


def process_pool(workers: int) -> Executor:
    """A pool of ``workers`` spawned processes (no fork of a running model), each running
    numba's parallel loops on one thread (one worker per core)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..jit import single_thread

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=single_thread,
    )


@contextmanager
def open_executor(kind: str, workers: int | None = None, scheduler: str | None = None):
    """Yield (executor, number of workers); closes everything on exit."""
    if scheduler and kind != "dask":
        kind = "dask"
    if kind == "serial":
        yield SerialExecutor(), 1
        return
    n = workers or os.cpu_count() or 1
    if kind == "processes":
        pool = process_pool(n)
        try:
            yield pool, n
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if kind == "dask":
        from distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            client = Client(scheduler, timeout="20s")
            n = sum(client.nthreads().values()) or 1
        else:
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,  # workers racing the closing scheduler log errors
                env={"NUMBA_NUM_THREADS": "1"},  # one worker per core, one thread each
            )
            client = Client(cluster)
        try:
            yield client.get_executor(pure=False), n
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    raise ValueError(f"unknown executor {kind!r}; allowed: serial, processes, dask")
