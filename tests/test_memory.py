"""The allocator setting of :mod:`kosi_sim.memory`: large temporaries reuse the heap."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from kosi_sim import memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# page faults of 10 allocations of a 48 MB array that is filled and freed (larger than
# the 32 MB up to which glibc's own adaptive threshold would keep it)
FAULTS = """
import resource, sys
import numpy as np
from kosi_sim import memory
if sys.argv[1] == "1":
    assert memory.keep_freed_memory()
np.ones(6 << 20).sum()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    np.ones(6 << 20).sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(keep: bool) -> int:
    out = subprocess.run(
        [sys.executable, "-c", FAULTS, "1" if keep else "0"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="the setting applies to glibc's allocator only")
def test_freed_arrays_are_reused_without_page_faults():
    # by default glibc returns the block to the system and faults it in again (about
    # 500 faults each time, of huge pages where the system has them); kept, the same
    # memory is reused
    assert memory.keep_freed_memory() is True
    default, kept = _faults(False), _faults(True)
    assert default >= 10 * 20  # at least 20 faults per 48 MB, even of 2 MB pages
    assert kept < default / 10
