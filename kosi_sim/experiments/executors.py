"""Executors behind the ``concurrent.futures.Executor`` interface.

* ``serial``: runs each task in the calling process when it is submitted;
* ``processes``: a process pool (spawned workers, no fork of a running model), renewed
  when a worker's death breaks it;
* ``dask``: Dask distributed - an existing cluster (``scheduler="tcp://host:port"``) or a
  local cluster started for the sweep; ``pure=False`` so identical calls are not merged.

Nothing is set up at import time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from contextlib import contextmanager

from ..results import ResultsError


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


def _worker_init(parent: int) -> None:
    """Set up a pool worker: numba's parallel loops on one thread (one worker per core),
    and exit as soon as the sweep's process is gone (after a SIGKILL of the sweep the
    worker would otherwise finish its task, and the resource tracker would wait for it)."""
    import threading

    from ..jit import single_thread

    single_thread()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="kosi-sim-parent-watch", daemon=True).start()


def process_pool(workers: int) -> Executor:
    """A pool of ``workers`` spawned processes (no fork of a running model), each running
    numba's parallel loops on one thread (one worker per core) and ending with its parent."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def worker_died(error: BaseException) -> bool:
    """Whether a task failed because the process running it died (a crash, the kernel's
    out-of-memory killer, a signal), not because the task raised: a process pool is then
    broken; Dask reports a task whose workers kept dying as ``KilledWorker``."""
    from concurrent.futures import BrokenExecutor

    if isinstance(error, BrokenExecutor):
        return True
    return type(error).__name__ == "KilledWorker"


class Pool:
    """An executor that can be replaced by a fresh one of the same kind when a worker's
    death broke it (a process pool stops taking tasks then; other kinds carry on)."""

    def __init__(self, make: Callable[[], Executor], workers: int, renewable: bool) -> None:
        self._make = make
        self.workers = workers
        self.renewable = renewable
        self.executor = make()

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        return self.executor.submit(fn, *args, **kwargs)

    def renew(self) -> None:
        """Replace a broken process pool (its remaining tasks are lost; the caller
        resubmits them); nothing to do for the other kinds."""
        if not self.renewable:
            return
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._make()

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


#: how long to wait for a Dask scheduler's answer, in seconds
SCHEDULER_TIMEOUT = 20.0


class SchedulerError(ResultsError):
    """No Dask scheduler answers at the given address (a one-line error)."""


def _connect(client_cls, address: str):
    """A Dask client of the scheduler at ``address``.  Dask's own timeout does not cover a
    peer that accepts the connection but never answers (it waits forever), so the client
    is made on a daemon thread and given up after SCHEDULER_TIMEOUT."""
    import queue
    import threading

    answer: queue.Queue = queue.Queue()

    def connect() -> None:
        try:
            answer.put(client_cls(address, timeout=f"{SCHEDULER_TIMEOUT}s"))
        except Exception as e:  # refused, unreachable, not Dask's protocol
            answer.put(e)

    threading.Thread(target=connect, name="kosi-sim-dask-connect", daemon=True).start()
    try:
        got = answer.get(timeout=SCHEDULER_TIMEOUT + 5.0)
    except queue.Empty:
        got = TimeoutError("no answer")
    if isinstance(got, Exception):
        raise SchedulerError(
            f"--scheduler {address}: no Dask scheduler answered within {SCHEDULER_TIMEOUT:g} s "
            f"({type(got).__name__}); give the address of a running one, e.g. tcp://host:8786"
        )
    return got


@contextmanager
def open_executor(kind: str, workers: int | None = None, scheduler: str | None = None):
    """Yield a :class:`Pool`; closes everything on exit."""
    if scheduler and kind != "dask":
        kind = "dask"
    if kind == "serial":
        yield Pool(SerialExecutor, 1, renewable=False)
        return
    n = workers or os.cpu_count() or 1
    if kind == "processes":
        pool = Pool(lambda: process_pool(n), n, renewable=True)
        try:
            yield pool
        finally:
            pool.shutdown()
        return
    if kind == "dask":
        from distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            client = _connect(Client, scheduler)
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
            yield Pool(lambda: client.get_executor(pure=False), n, renewable=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    raise ValueError(f"unknown executor {kind!r}; allowed: serial, processes, dask")
