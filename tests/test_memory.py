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
# prints how many are alive after each build and how many objects the first build froze
MODELS = """
import gc, sys
from kosi_sim.model import CityModel
alive = []
model = None
for seed in range(5):
    model = CityModel("classroom", rng=seed)
    model.run(2)
    alive.append(sum(isinstance(o, CityModel) for o in gc.get_objects()))
print(gc.get_freeze_count(), *alive)
"""


def test_finished_models_are_freed_before_the_next_is_built():
    """A model's parts refer to each other, so only the cyclic collector frees it; each
    build collects, so at most the model still referenced and the new one are alive (not
    dozens, as when Python's own rare full collections decided), and the objects alive
    at the process's first build were frozen out of the collector's passes."""
    out = subprocess.run(
        [sys.executable, "-c", MODELS], capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, *alive = map(int, out)
    assert frozen > 10_000  # the imported libraries' objects
    assert alive[0] == 1 and max(alive) <= 2
