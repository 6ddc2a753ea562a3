"""Compile every numba kernel into the on-disk cache: ``python -m kosi_sim.precompile``.

The set-up (``scripts/dev.sh``) runs this once after installing, so that neither the first
model run nor the tests pay the compilation (most of a minute; see docs/performance.md).  It
runs a small town with a lab for 13 months (so the yearly rules run too), observing its life
table as a calibration does, and then compacts its population (which a run does when a tenth
of the rows are dead); the kernels see the same argument types as in any run, whatever the
city's size.
"""

from __future__ import annotations

import time


def precompile() -> float:
    """Build and run the small town; returns the seconds it took."""
    from .demography import LifeTableTracker
    from .model import CityModel
    from .scenario import resolve

    t0 = time.perf_counter()
    model = CityModel(resolve("baseline_wuppertal_lab", {"scale": 0.02}), rules="kernels")
    model.life_table = LifeTableTracker()
    model.run(13)
    model.pop.compact()
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"kosi-sim: numba kernels compiled and cached ({precompile():.1f} s)")
