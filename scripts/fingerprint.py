"""Hashes of six reference runs, to show that a refactoring keeps the results bit for bit.

Runs Dortmund and Wuppertal (at 5% scale, 60 months) without and with their labs and the
classroom town without and with its toolbox lab (full scale, 60 months), and prints per run
one hash of the monthly metric table (exact float bits) and one of the final state: every
citizen column and the contact table of the living, and every organisation table's columns.
Usage: ``python scripts/fingerprint.py [--out FILE]``; compare two outputs with ``diff``.
"""

from __future__ import annotations

import argparse
import hashlib
import json

import numpy as np

from kosi_sim.model import CityModel
from kosi_sim.population import COLUMNS
from kosi_sim.scenario import resolve

RUNS = [
    ("dortmund", 0.05),
    ("baseline_dortmund_lab", 0.05),
    ("wuppertal", 0.05),
    ("baseline_wuppertal_lab", 0.05),
    ("classroom", None),
    ("classroom_toolbox", None),
]
MONTHS = 60


def _update(h, array) -> None:
    a = np.ascontiguousarray(array)
    h.update(str(a.dtype).encode() + str(a.shape).encode())
    h.update(a.tobytes())


def state_hash(m: CityModel) -> str:
    h = hashlib.sha256()
    pop = m.pop
    for c in sorted(COLUMNS):
        _update(h, getattr(pop, c))
    _update(h, pop.contacts)
    for name in ("associations", "businesses", "initiatives"):
        table = getattr(m, name)
        for c in sorted(getattr(table, "columns", {})):
            _update(h, getattr(table, c))
    return h.hexdigest()[:16]


def metric_hash(m: CityModel) -> str:
    df = m.metrics_frame()
    h = hashlib.sha256()
    h.update(",".join(map(str, df.columns)).encode())
    for c in df.columns:
        col = df[c].to_numpy()
        _update(h, col if col.dtype != object else col.astype(str))
    # the instruments' monthly reports, exact
    h.update(repr(m.intervention_log).encode())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="also write the hashes to this JSON file")
    args = ap.parse_args()
    out = {}
    for name, scale in RUNS:
        scn = resolve(name, {"scale": scale} if scale else None)
        m = CityModel(scn)
        m.run(MONTHS)
        out[name] = {"metrics": metric_hash(m), "state": state_hash(m)}
        print(f"{name:24s} metrics {out[name]['metrics']}  state {out[name]['state']}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
