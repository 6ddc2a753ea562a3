"""Ship the posterior of a finished ``kosi-sim calibrate SCENARIO --posterior`` folder with
its scenario: ``scenarios/posteriors/<scenario>.parquet`` (see kosi_sim/posterior_ship.py).
Refuses a posterior whose posterior-predictive check failed.

    .venv/bin/python scripts/ship_posterior.py results/dortmund-posterior
"""

import sys
from pathlib import Path

from kosi_sim.posterior import PosteriorError, read
from kosi_sim.posterior_ship import ship

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ship_posterior.py FOLDER (a finished calibrate --posterior folder)")
    folder = Path(sys.argv[1])
    try:
        name = read(folder / "posterior.parquet").meta["scenario"]
        dest = ROOT / "scenarios" / "posteriors" / f"{name}.parquet"
        post = ship(folder, dest)
    except (PosteriorError, KeyError) as e:
        print(f"ship_posterior: {e}", file=sys.stderr)
        sys.exit(2)
    print(f"wrote {dest} ({len(post)} samples, {dest.stat().st_size // 1024} kB)")
