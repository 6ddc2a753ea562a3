"""kosi-sim benchmark suite: full-scale cities, scaling, and sweeps on 1 and 2 workers.

    .venv/bin/python -m benchmarks.bench            # everything, median of 3 (several minutes)
    .venv/bin/python -m benchmarks.bench --quick    # one repetition, shorter runs

Each city case runs in a fresh process (so its peak memory is its own).  Prints a table and
writes benchmarks/results/latest.json with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CITY_CASE = r"""
import json, resource, sys, time
from kosi_sim.model import CityModel
from kosi_sim.scenario import resolve
scale, months = float(sys.argv[1]), int(sys.argv[2])
t0 = time.perf_counter()
model = CityModel(resolve("dortmund", {"scale": scale}))
build = time.perf_counter() - t0
t1 = time.perf_counter()
model.run(months)
run = time.perf_counter() - t1
print(json.dumps({
    "citizens": int(model.pop.n_alive), "months": months, "build_s": build, "run_s": run,
    "wall_s": build + run, "phases_s": model.phase_seconds,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def city(scale: float, months: int, reps: int) -> dict:
    runs = []
    for _ in range(reps):
        out = subprocess.run(
            [sys.executable, "-c", CITY_CASE, str(scale), str(months)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in ("build_s", "run_s", "wall_s", "peak_rss_mb")
    }
    phases = {p: statistics.median(r["phases_s"][p] for r in runs) for p in runs[0]["phases_s"]}
    total = sum(phases.values())
    return {
        "scale": scale,
        "citizens": runs[0]["citizens"],
        "months": months,
        "reps": reps,
        **med,
        "phase_share": {p: v / total for p, v in phases.items()},
        "all_wall_s": [r["wall_s"] for r in runs],
    }


SWEEP = """
name = "bench"
scenario = "classroom"
replications = 10
seed = 5
years = {years}
executor = "serial"
[design]
kind = "full_factorial"
points = 2
[[factors]]
name = "civic_engagement"
low = 0.8
high = 1.2
[[factors]]
name = "demographic_pressure"
levels = [0.0, 1.0]
[output]
every_months = 12
"""


def sweeps(years: int) -> dict:
    from kosi_sim.experiments.runs import run_one
    from kosi_sim.experiments.spec import load
    from kosi_sim.experiments.sweep import run_sweep, specs

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(SWEEP.format(years=years))
        exp = load(path)
        t = time.perf_counter()
        for spec in specs(exp):
            run_one(spec)
        out["direct_serial_s"] = time.perf_counter() - t
        for kind, workers in (("serial", 1), ("processes", 1), ("processes", 2), ("dask", 2)):
            t = time.perf_counter()
            run_sweep(exp, Path(tmp) / f"{kind}{workers}", executor=kind, workers=workers)
            out[f"{kind}_{workers}w_s"] = time.perf_counter() - t
        out["runs"] = exp.n_runs
    out["runner_overhead_per_run_ms"] = (
        (out["serial_1w_s"] - out["direct_serial_s"]) / out["runs"] * 1000
    )
    out["speedup_2_workers"] = out["processes_1w_s"] / out["processes_2w_s"]
    out["dask_vs_processes_2w"] = out["dask_2w_s"] / out["processes_2w_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1 repetition, 24 months")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "latest.json"))
    args = ap.parse_args()
    reps, months = (1, 24) if args.quick else (3, 240)
    result = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "date": time.strftime("%Y-%m-%d"),
        "quick": args.quick,
        "cities": [city(s, months, reps) for s in (1.0, 200_000 / 612_065, 60_000 / 612_065)],
    }
    full, _, small = result["cities"]
    result["cost_ratio_600k_to_60k"] = full["run_s"] / small["run_s"]
    result["sweep"] = sweeps(years=5 if args.quick else 10)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"machine: {result['machine']}")
    print(
        f"{'citizens':>10} {'months':>6} {'build s':>8} {'run s':>8} {'wall s':>8} "
        f"{'peak MB':>8}  largest phase"
    )
    for c in result["cities"]:
        top = max(c["phase_share"], key=c["phase_share"].get)
        print(
            f"{c['citizens']:>10,} {c['months']:>6} {c['build_s']:>8.2f} {c['run_s']:>8.2f} "
            f"{c['wall_s']:>8.2f} {c['peak_rss_mb']:>8.0f}  {top} "
            f"{c['phase_share'][top]:.0%}"
        )
    print(f"cost ratio 600k/60k: {result['cost_ratio_600k_to_60k']:.1f}")
    print(
        "phase shares (600k): "
        + ", ".join(
            f"{k} {v:.0%}" for k, v in sorted(full["phase_share"].items(), key=lambda kv: -kv[1])
        )
    )
    s = result["sweep"]
    print(
        f"sweep of {s['runs']} classroom runs: direct {s['direct_serial_s']:.1f} s, serial "
        f"runner {s['serial_1w_s']:.1f} s (overhead {s['runner_overhead_per_run_ms']:.0f} "
        f"ms/run), processes 1 worker {s['processes_1w_s']:.1f} s, 2 workers "
        f"{s['processes_2w_s']:.1f} s (speed-up {s['speedup_2_workers']:.2f}x), dask 2 "
        f"workers {s['dask_2w_s']:.1f} s ({s['dask_vs_processes_2w']:.2f}x the pool)"
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
