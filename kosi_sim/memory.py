"""How this process's C allocator treats the large temporary arrays of a month.

A month of a full city allocates and frees a few hundred arrays of several megabytes
(selections, gathered values, kernel outputs).  By default glibc serves each from fresh
pages of the operating system and hands them back when freed, so the next month faults
them in again, hundreds of page faults a month in a full city.  :func:`keep_freed_memory`
tells the allocator to serve large arrays from its heap and keep freed memory for reuse: a
handful of faults a month, at the price of a somewhat higher peak memory, since freed memory
is no longer returned to the system (figures in docs/performance.md).

It changes no result, only where memory comes from, and is a no-op where the C library is
not glibc.  It acts on the whole process (like numba's thread count), once.
"""

from __future__ import annotations

import ctypes
import functools

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


__all__ = ["keep_freed_memory"]
