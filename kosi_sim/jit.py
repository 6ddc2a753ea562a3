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
        # as_bytes inlined: a small city calls parallel kernels a few dozen times a month
        args = [
            a.view(np.uint8) if isinstance(a, np.ndarray) and a.dtype.kind == "b" else a
            for a in args
        ]
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


#: numpy sums blocks of up to this many values with eight running sums, longer arrays by
#: halves (its ``PW_BLOCKSIZE``)
_PAIRWISE_BLOCK = 128


@kernel
def _block_sum(values, start, n):
    """numpy's sum of at most ``_PAIRWISE_BLOCK`` contiguous values: plain below 8 values,
    else eight running sums added as a tree, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(start, start + n):
            res += values[i]
        return res
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = start + 8
    end = start + n - n % 8
    while i < end:
        r0 += values[i]
        r1 += values[i + 1]
        r2 += values[i + 2]
        r3 += values[i + 3]
        r4 += values[i + 4]
        r5 += values[i + 5]
        r6 += values[i + 6]
        r7 += values[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + n:
        res += values[i]
        i += 1
    return res


@kernel
def pairwise_sum(values, start, n):
    """``values[start:start + n].sum()`` in numpy's order for a contiguous float64 array
    (pairwise summation: blocks of :data:`_PAIRWISE_BLOCK`, longer ranges split into halves
    whose first has a multiple of 8 values), so that a kernel that replaces
    ``array.sum()`` gives the same bits.  The halving is walked with an explicit stack
    (numba cannot cache a recursive kernel)."""
    if n <= _PAIRWISE_BLOCK:
        return _block_sum(values, start, n)
    starts = np.empty(64, dtype=np.int64)  # a range of 2**63 values splits 57 times at most
    sizes = np.empty(64, dtype=np.int64)
    left_done = np.zeros(64, dtype=np.bool_)
    left_sum = np.empty(64)
    top = 0
    starts[0], sizes[0] = start, n
    while True:
        if sizes[top] > _PAIRWISE_BLOCK:  # descend into the first half
            half = sizes[top] // 2
            half -= half % 8
            top += 1
            starts[top], sizes[top], left_done[top] = starts[top - 1], half, False
            continue
        value = _block_sum(values, starts[top], sizes[top])
        while True:  # hand the value up until a parent still needs its second half
            top -= 1
            if top < 0:
                return value
            if left_done[top]:
                value = left_sum[top] + value
                continue
            half = sizes[top] // 2
            half -= half % 8
            left_sum[top], left_done[top] = value, True
            top += 1
            starts[top], sizes[top], left_done[top] = (
                starts[top - 1] + half,
                sizes[top - 1] - half,
                False,
            )
            break


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
    "pairwise_sum",
    "parallel_kernel",
    "prange",
    "prefetch",
    "single_thread",
    "threads",
]
