"""Compiled loops (numba) for the few rules that visit many citizens with many arrays.

Most rules are whole-array numpy operations.  A handful are faster as one compiled loop:
those that gather every citizen's contacts (random memory access, where numpy builds large
temporaries and a branch on the gathered value stalls the processor) and those that read a
dozen arrays for every citizen.  Each kernel sits next to the rule it computes and repeats
that rule's arithmetic in the same precision and order, so the compiled and the plain numpy
formulation give the same bits.  The network, engagement and demography ship their plain
numpy rules (``rules.py`` beside ``kernels.py``; ``tests/test_rules_*.py`` check each kernel
against its rule, :mod:`kosi_sim.ruleset` switches a model to the rules);
``tests/test_kernels.py`` checks the other kernels against plain numpy references.

Kernels are compiled on first use and cached on disk (``cache=True``); the set-up compiles
them all once (``python -m kosi_sim.precompile``).  ``NUMBA_DISABLE_JIT=1`` runs them as
plain Python (slow, for debugging).

Threads: the few kernels whose rows are independent (each row's result depends on that row
and on state nobody writes during the loop) run their rows on all cores (``parallel_kernel``
with ``prange``); the results do not depend on the number of threads.  Worker processes of a
sweep run one thread each (:func:`single_thread`), so that two workers on two cores do not
compete for them.
"""

from __future__ import annotations

import functools
import threading

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

#: compile options of every kernel: cached on disk, no Python objects, GIL released
#: (threads of a Dask worker can run kernels side by side); no fast-math, so the float
#: arithmetic is exactly IEEE and matches numpy's.
kernel = numba.njit(cache=True, nogil=True, boundscheck=False)

#: a helper that kernels call once per citizen, inlined into its callers at numba's level.
#: Helpers combine booleans with ``&`` and ``|``: a Python ``and``/``or`` that yields a value
#: (``return a and b``) compiles into branchy code that numba cannot vectorise.
helper = numba.njit(cache=True, nogil=True, boundscheck=False, inline="always")

prange = numba.prange

#: how many rows ahead a loop that gathers contacts' values prefetches them: far enough that
#: the contacts' rows arrive before they are read, near enough that they are still cached
#: (the distances tried are in docs/performance.md)
AHEAD = 8


@intrinsic
def prefetch(typingctx, array, index):
    """``prefetch(array, i)``: ask the processor to start loading ``array[i]`` into its
    caches (LLVM's prefetch hint: read, keep in all levels).  It changes no value; a loop
    that reads contacts' values at random rows prefetches those of a row a few iterations
    ahead, so that the loads overlap instead of waiting one after another for memory."""
    sig = types.void(array, index)

    def codegen(context, builder, signature, args):
        arr_type = signature.args[0]
        arr = context.make_array(arr_type)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, arr_type, arr, [args[1]])
        byte_ptr = ir.IntType(8).as_pointer()
        name = "llvm.prefetch.p0" if str(byte_ptr) == "ptr" else "llvm.prefetch.p0i8"
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_ptr, i32, i32, i32]), name
        )
        # read (0), temporal locality 3 (keep in all cache levels), data cache (1)
        builder.call(fn, [builder.bitcast(ptr, byte_ptr), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


# numba's only threading layer that is always there ("workqueue") must not be entered by two
# threads at once (a Solara server with several sessions, threads of a Dask worker); the
# OpenMP layer may; one lock per process serialises the parallel loops in either case.
_PARALLEL = threading.Lock()


def parallel_kernel(fn):
    """A kernel whose ``prange`` loop runs on all cores.  Only for loops whose rows are
    independent (no sums across rows, no shared counters), so every thread count gives the
    same bits.  Called from Python only (not from other kernels).  One ``prange`` loop that
    reads an array and a second one that writes it must not share a kernel: numba may fuse
    them into one loop (seen with the effort rule's new hours)."""
    compiled = numba.njit(cache=True, nogil=True, boundscheck=False, parallel=True)(fn)

    @functools.wraps(fn)
    def call(*args):
        args = tuple(as_bytes(a) for a in args)
        with _PARALLEL:
            return compiled(*args)

    return call


def as_bytes(array):
    """A bool array as a view of its bytes (uint8 0/1), anything else as it is.

    numba loads a bool array's elements as one-bit values, which keeps loops that read
    them from compiling to vector instructions; as bytes they do.  Kernels treat a byte as
    a truth value (``if x``, ``not x``, ``x & y``, ``x * w``); none uses ``~`` on one.
    Parallel kernels get their bool arguments this way; serial kernels are given
    ``as_bytes(...)`` at the call."""
    if isinstance(array, np.ndarray) and array.dtype == np.bool_:
        return array.view(np.uint8)
    return array


def threads() -> int:
    """How many threads this process's parallel kernels run on."""
    return numba.get_num_threads()


def single_thread() -> None:
    """Run this process's parallel kernels on one thread (sweep workers: one per core)."""
    numba.set_num_threads(1)


__all__ = [
    "AHEAD",
    "as_bytes",
    "helper",
    "kernel",
    "parallel_kernel",
    "prange",
    "prefetch",
    "single_thread",
    "threads",
]
