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


# models built one after another in a fresh process, each dropped when the next is built;
# a fake clock (half a second passes at each look) makes each collection take 0.5 s and the
# models 100 s apart (every build collects), then 10 s apart (a collection waits 25 s);
# prints the objects frozen and the models alive after each build
MODELS = """
import gc
from kosi_sim import memory
from kosi_sim.model import CityModel
now = [0.0]
def clock():
    now[0] += 0.5
    return now[0]
real = memory.free_finished_models
memory.free_finished_models = lambda: real(clock)
alive = []
model = None
for seed, gap in enumerate([100.0] * 4 + [10.0] * 8):
    now[0] += gap
    model = CityModel("classroom", rng=seed)
    alive.append(sum(isinstance(o, CityModel) for o in gc.get_objects()))
print(gc.get_freeze_count(), *alive)
"""


def test_finished_models_are_freed_before_the_next_is_built():
    """A model's parts refer to each other, so only the cyclic collector frees it.  Each
    build collects (the objects alive at the process's first build frozen out of its
    passes), so at most the model still referenced and the new one are alive; unless the
    last collection took more than 2% of the time since, when finished models wait."""
    out = subprocess.run(
        [sys.executable, "-c", MODELS], capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, *alive = map(int, out)
    assert frozen > 10_000  # the imported libraries' objects
    assert alive[:4] == [1, 2, 2, 2]  # 100 s apart: every build collects
    # 10 s apart: a 0.5 s collection is repeated only after 25 s, at every third build
    assert alive[4:] == [3, 4, 2, 3, 4, 2, 3, 4]
