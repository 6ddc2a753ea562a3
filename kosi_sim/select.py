"""Row selections for compiled rules, without branches on the selected values.

Selecting rows by a mask that is true for a random third of the citizens is, done with a
branch per row (``np.flatnonzero`` in numpy and numba alike), mostly mispredicted branches.
Writing every row's index and advancing the write position by the mask value does the same
without a branch.
"""

from __future__ import annotations

import sys

import numpy as np

from .jit import helper, kernel, parallel_kernel, prange

if sys.byteorder != "little":  # :func:`nonzero` reads a mask's bytes as 64-bit words
    raise ImportError("kosi_sim needs a little-endian machine (row selections read masks as words)")


@kernel
def nonzero(mask):
    """The indices where ``mask`` (bool or uint8, contiguous) is true, ascending (as
    ``np.flatnonzero``).

    The mask is read eight rows at a time as one 64-bit word (little-endian: row ``8 q + j``
    is byte ``j`` of word ``q``), skipping empty words, instead of loading one mask byte per
    written index."""
    n = len(mask)
    n8 = n // 8
    words = mask[: n8 * 8].view(np.uint64)
    out = np.empty(n, dtype=np.int64)
    k = 0
    for q in range(n8):
        x = words[q]
        if x == 0:
            continue
        base = q * 8
        for j in range(8):
            out[k] = base + j  # k <= index: a row not selected is overwritten by the next
            k += np.int64((x >> np.uint64(8 * j)) & np.uint64(1))
    for i in range(n8 * 8, n):
        out[k] = i
        k += np.int64(mask[i])
    return out[:k].copy()


#: grouped selections work through this many fixed blocks of rows, in parallel; the result
#: is the same for any number of threads (each block's rows go to fixed places)
_BLOCKS = 16


@helper
def _block_bounds(n, b):
    """Rows ``[lo, hi)`` of block ``b`` of ``n`` rows; blocks start at multiples of 8."""
    per = ((n + _BLOCKS - 1) // _BLOCKS + 7) // 8 * 8
    lo = min(n, b * per)
    return lo, min(n, lo + per)


@helper
def _count_runs(groups, counts):
    """Add to ``counts[g]`` how often each group ``g`` occurs in ``groups``; the current
    group's count stays in a register while the group does not change (rows come mostly
    grouped).  Returns how many codes were outside ``[0, len(counts))``: those are not
    counted (never written past the array; checked only where the group changes), and the
    caller raises after its parallel loop (a raise inside one would make it serial)."""
    cur = 0
    c = 0
    bad = 0
    for g in groups:
        if g != cur:
            counts[cur] += c
            c = 0
            if (g < 0) | (g >= len(counts)):
                bad += 1
                continue  # cur stays a valid group; the next code is compared with it
            cur = g
        c += 1
    counts[cur] += c
    return bad


@kernel
def _check_codes(bad):
    if bad.sum() > 0:
        raise IndexError(
            "a group code is outside [0, n_groups): the caller selected a row "
            "that belongs to no group (a dead citizen?)"
        )


@parallel_kernel
def count_grouped(mask, group, n_groups):
    """The number of rows where ``mask`` is true in each group (as
    ``np.bincount(group[mask], minlength=n_groups)``); ``group`` is read only where the
    mask is true and must be in ``[0, n_groups)`` there (IndexError otherwise)."""
    counts = np.zeros((_BLOCKS, n_groups), dtype=np.int64)
    bad = np.zeros(_BLOCKS, dtype=np.int64)
    for b in prange(_BLOCKS):
        lo, hi = _block_bounds(len(mask), b)
        bad[b] = _count_runs(group[lo + nonzero(mask[lo:hi])], counts[b])
    _check_codes(bad)
    return counts.sum(axis=0)


@parallel_kernel
def nonzero_grouped(mask, group, n_groups):
    """The indices where ``mask`` is true, grouped by ``group`` (ints in ``[0, n_groups)``
    where the mask is true; IndexError otherwise) and ascending within a group (a stable
    counting sort), and the number in each group.

    Two parallel passes over fixed blocks of rows: each block selects and counts its rows
    by group, then writes them to their places (group by group, blocks in order)."""
    n = len(mask)
    rows = np.empty(n, dtype=np.int64)  # block b's selected rows from its first row on
    g_of = np.empty(n, dtype=np.int32)
    found = np.zeros(_BLOCKS, dtype=np.int64)
    counts = np.zeros((_BLOCKS, n_groups), dtype=np.int64)
    bad = np.zeros(_BLOCKS, dtype=np.int64)
    for b in prange(_BLOCKS):
        lo, hi = _block_bounds(n, b)
        sel = nonzero(mask[lo:hi])
        k = len(sel)
        found[b] = k
        for i in range(k):
            rows[lo + i] = lo + sel[i]
            g_of[lo + i] = group[lo + sel[i]]
        bad[b] = _count_runs(g_of[lo : lo + k], counts[b])
    _check_codes(bad)
    start = np.empty((_BLOCKS, n_groups), dtype=np.int64)
    at = 0
    for g in range(n_groups):
        for b in range(_BLOCKS):
            start[b, g] = at
            at += counts[b, g]
    out = np.empty(at, dtype=np.int64)
    for b in prange(_BLOCKS):
        lo = _block_bounds(n, b)[0]
        pos = start[b]
        cur = 0
        p = pos[0]
        for i in range(lo, lo + found[b]):
            g = g_of[i]
            if g != cur:
                pos[cur] = p
                cur = g
                p = pos[g]
            out[p] = rows[i]
            p += 1
    return out, counts.sum(axis=0)
