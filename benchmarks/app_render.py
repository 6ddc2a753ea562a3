"""How long one app step takes on the classroom scenario: model step plus every picture.

Run with ``.venv/bin/python -m benchmarks.app_render``.  Reports the median over 24 steps of
the paired model step (both cities) and of drawing and PNG-encoding what the app shows
(two maps, the chart data, the initiative list, the lab report).  The browser adds the
transfer of the map PNGs and the drawing of the charts (ECharts) on top.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from kosi_sim.app import figures, geometry
from kosi_sim.app.twin import CityPair


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="classroom_toolbox")
    ap.add_argument("--steps", type=int, default=24)
    args = ap.parse_args()
    pair = CityPair(args.scenario)
    spec = pair.lab_scenario
    dmap = geometry.build(
        np.array([d.population for d in spec.districts]),
        np.array([d.remoteness for d in spec.districts]),
    )
    step_s, map_s, chart_s, table_s = [], [], [], []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        pair.step()
        t1 = time.perf_counter()
        for model in (pair.with_lab, pair.without_lab):
            figures.city_map(model, dmap, "engaged_share", "en")  # PNG bytes
        t2 = time.perf_counter()
        json.dumps(figures.chart_options(pair, "en"))
        t3 = time.perf_counter()
        figures.initiative_rows(pair.with_lab, "en")
        figures.lab_report(pair.with_lab, "en")
        t4 = time.perf_counter()
        step_s.append(t1 - t0)
        map_s.append(t2 - t1)
        chart_s.append(t3 - t2)
        table_s.append(t4 - t3)
    med = {
        k: statistics.median(v) * 1000
        for k, v in {
            "model step (both cities)": step_s,
            "two maps": map_s,
            "chart data (9 panels)": chart_s,
            "tables": table_s,
        }.items()
    }
    print(f"{args.scenario}, median over {args.steps} steps (ms):")
    for k, v in med.items():
        print(f"  {k:28s} {v:7.1f}")
    step = med["model step (both cities)"]
    print(f"  {'what the map tab shows':28s} {step + med['two maps'] + med['tables']:7.1f}")
    print(f"  {'what the charts tab shows':28s} {step + med['chart data (9 panels)']:7.1f}")


if __name__ == "__main__":
    main()
