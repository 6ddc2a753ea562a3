"""How this process's C allocator treats the large temporary arrays of a month, and how
Python's garbage collector treats the models a process leaves behind.

A month of a full city allocates and frees a few hundred arrays of several megabytes
(selections, gathered values, kernel outputs).  By default glibc serves each from fresh
pages of the operating system and hands them back when freed, so the next month faults
them in again, hundreds of page faults a month in a full city.  :func:`keep_freed_memory`
tells the allocator to serve large arrays from its heap and keep freed memory for reuse: a
handful of faults a month, at the price of a somewhat higher peak memory, since freed memory
is no longer returned to the system (figures in docs/performance.md).

It changes no result, only where memory comes from, and is a no-op where the C library is
not glibc.  It acts on the whole process (like numba's thread count), once.

A finished model is freed only by Python's cyclic garbage collector (its parts refer to each
other), and only by a full collection once it has lived long enough to reach the oldest
generation.  A process that has imported numba, pandas, SciPy and pyabc holds about 370,000
objects the collector tracks, and a full collection visits them all (about 200 ms, more than
half of a short ABC run at 10% scale), so Python runs one rarely: a worker running thousands
of models paid that pass every few runs or, once its models made few Python objects, kept
dozens of finished models in memory (8 MB each at 10% scale; 840 MB a worker was seen).
:func:`free_finished_models`, called before every model is made, moves the objects alive at the
process's first model (the libraries', the caller's state) out of the collector's passes
(``gc.freeze``, once) and runs a full collection, which then visits only what was made since
(about 10 ms at 10% scale, mostly what numba loads with the first model's kernels): the
models the process has finished with are freed before a new one takes memory.  In a process
with many objects of its own (a test run, a server) a collection takes longer; it is then
repeated only after enough time that collections stay below :data:`MAX_SHARE` of the time.  Frozen
objects are never collected, so objects alive at the first build that later become cyclic
garbage stay in memory (in a server: some of the session that built the first model).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import time

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc's <malloc.h>

#: allocations up to this size come from the heap instead of fresh mapped pages
MMAP_THRESHOLD = 1 << 30
#: free memory at the heap's top kept for reuse up to this size
TRIM_THRESHOLD = 1 << 30
#: extra room the heap takes when it grows (address space; pages count once touched)
TOP_PAD = 256 << 20


@functools.cache
def keep_freed_memory() -> bool:
    """Serve large arrays from the heap and keep freed memory for reuse (glibc only).
    Returns whether the allocator took the settings; runs once per process."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
        return False
    ok = True
    for option, value in (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        (_M_TRIM_THRESHOLD, TRIM_THRESHOLD),
        (_M_TOP_PAD, TOP_PAD),
    ):
        ok &= bool(mallopt(ctypes.c_int(option), ctypes.c_int(value)))
    return ok


#: at most this share of a process's time goes to these collections: one that took long
#: (a process with many objects of its own, such as a test run) is not repeated before
#: that much time has passed (the finished models wait a little longer)
MAX_SHARE = 0.02


class _Collector:
    """When this process last collected and how long it took (the collector is per
    process)."""

    def __init__(self) -> None:
        self.started = False
        self.last_end = 0.0
        self.last_cost = 0.0


_COLLECTOR = _Collector()


def free_finished_models(clock=time.perf_counter) -> bool:
    """Free the models this process has finished with, before a new one is made (module
    docstring): the first time, freeze the objects alive then out of the collector's
    passes; then a full collection of what was made since, unless the last one took more
    than :data:`MAX_SHARE` of the time since it ended (by ``clock``, seconds).  Returns
    whether it collected."""
    c = _COLLECTOR
    if not c.started:
        gc.freeze()  # the objects alive at the process's first model
        c.started = True
    start = clock()
    if c.last_cost > 0.0 and start - c.last_end < c.last_cost / MAX_SHARE:
        return False
    gc.collect()
    c.last_end = clock()
    c.last_cost = max(c.last_end - start, 0.0)
    return True


__all__ = ["free_finished_models", "keep_freed_memory"]
