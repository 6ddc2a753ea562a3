"""kosi-sim benchmark suite in three parts.

1. Dortmund at full scale (about 610,000 citizens), 240 months: build, run and wall time,
   time per step phase, peak memory; median of 3 runs.
2. The same city at 200,000 and 60,000 citizens (the cost ratio 600k / 60k).
3. A sweep of 40 classroom runs on 1 and 2 workers (serial, process pool, Dask).

    .venv/bin/python -m benchmarks.bench             # everything (several minutes)
    .venv/bin/python -m benchmarks.bench --parts 1   # only the full-scale city
    .venv/bin/python -m benchmarks.bench --quick     # one repetition, shorter runs
    .venv/bin/python -m benchmarks.bench --parts 1 --threads 1   # as one sweep worker runs

Each city case runs in a fresh process (so its peak memory is its own).  Prints a table and
writes a JSON file with the machine it ran on: benchmarks/results/latest.json after a full
run (kept in the repository), results/bench_partial.json otherwise.
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
RESULTS = ROOT / "benchmarks" / "results"
PARTIAL = "bench_partial.json"  # in the untracked results/ folder

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


def city(scale: float, months: int, reps: int, threads: int | None = None) -> dict:
    """Median build, run and wall time, per-phase time and peak memory of ``reps`` runs
    (numba's parallel loops on ``threads`` threads; default: one per core)."""
    env = dict(os.environ)
    if threads:
        env["NUMBA_NUM_THREADS"] = str(threads)
    runs = []
    for _ in range(reps):
        out = subprocess.run(
            [sys.executable, "-c", CITY_CASE, str(scale), str(months)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env=env,
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
        "threads": threads or os.cpu_count(),
        "citizens": runs[0]["citizens"],
        "months": months,
        "reps": reps,
        **med,
        "phase_ms_per_month": {p: v / months * 1000 for p, v in phases.items()},
        "phase_share": {p: v / total for p, v in phases.items()},
        "all_wall_s": [r["wall_s"] for r in runs],
        "all_run_s": [r["run_s"] for r in runs],
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


FULL_SCALE = 1.0
SCALING = (200_000 / 612_065, 60_000 / 612_065)  # Dortmund had 612,065 inhabitants


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="1 repetition, 24 months, 5-year sweep")
    ap.add_argument(
        "--parts",
        default="1,2,3",
        help="which parts to run, comma-separated: 1 full scale, 2 at 200k and 60k, 3 sweep",
    )
    ap.add_argument("--reps", type=int, help="repetitions per city case (default 3)")
    ap.add_argument("--months", type=int, help="months per city run (default 240)")
    ap.add_argument("--out", help="JSON file (default: see above)")
    ap.add_argument(
        "--threads",
        type=int,
        help="numba threads in the city cases (default: one per core; sweep workers use 1)",
    )
    args = ap.parse_args()
    parts = {int(x) for x in args.parts.split(",") if x.strip()}
    if not parts <= {1, 2, 3}:
        ap.error(f"--parts: choose from 1, 2, 3, not {args.parts!r}")
    reps, months = (1, 24) if args.quick else (3, 240)
    reps, months = args.reps or reps, args.months or months
    if args.threads is not None and args.threads < 1:
        ap.error(f"--threads: at least 1, not {args.threads}")
    complete = (
        parts == {1, 2, 3} and not args.quick and (reps, months) == (3, 240) and not args.threads
    )
    out = args.out or str(RESULTS / "latest.json" if complete else ROOT / "results" / PARTIAL)
    scales = ([FULL_SCALE] if 1 in parts else []) + (list(SCALING) if 2 in parts else [])
    result = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d"),
        "quick": args.quick,
        "parts": sorted(parts),
        "cities": [city(s, months, reps, args.threads) for s in scales],
    }
    if {1, 2} <= parts:
        full, small = result["cities"][0], result["cities"][-1]
        result["cost_ratio_600k_to_60k"] = full["run_s"] / small["run_s"]
    if 3 in parts:
        result["sweep"] = sweeps(years=5 if args.quick else 10)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(result, indent=2) + "\n")
    report(result)
    print(f"written to {out}")


def machine() -> dict:
    """What the figures were measured on."""
    info = {"platform": platform.platform(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["python"] = platform.python_version()
    import numpy

    info["numpy"] = numpy.__version__
    import numba

    info["numba"] = numba.__version__
    info["numba_threads"] = numba.config.NUMBA_NUM_THREADS  # default of the city cases
    try:
        load = os.getloadavg()
        info["load_average_at_start"] = [round(x, 2) for x in load]
    except OSError:
        pass
    return info


def report(result: dict) -> None:
    """The terminal table."""
    print(f"machine: {result['machine']}")
    if result["cities"]:
        print(
            f"{'citizens':>10} {'months':>6} {'build s':>8} {'run s':>8} {'wall s':>8} "
            f"{'ms/month':>9} {'peak MB':>8} {'threads':>7}  largest phase"
        )
    for c in result["cities"]:
        top = max(c["phase_share"], key=c["phase_share"].get)
        print(
            f"{c['citizens']:>10,} {c['months']:>6} {c['build_s']:>8.2f} {c['run_s']:>8.2f} "
            f"{c['wall_s']:>8.2f} {c['run_s'] / c['months'] * 1000:>9.1f} "
            f"{c['peak_rss_mb']:>8.0f} {c.get('threads', 0):>7}  {top} {c['phase_share'][top]:.0%}"
        )
    if result["cities"]:
        c = result["cities"][0]
        print(
            f"phases at {c['citizens']:,} citizens (ms/month, share of the step): "
            + ", ".join(
                f"{k} {c['phase_ms_per_month'][k]:.1f} ({v:.0%})"
                for k, v in sorted(c["phase_share"].items(), key=lambda kv: -kv[1])
            )
        )
    if "cost_ratio_600k_to_60k" in result:
        print(f"cost ratio 600k/60k: {result['cost_ratio_600k_to_60k']:.1f}")
    if "sweep" in result:
        s = result["sweep"]
        print(
            f"sweep of {s['runs']} classroom runs: direct {s['direct_serial_s']:.1f} s, serial "
            f"runner {s['serial_1w_s']:.1f} s (overhead {s['runner_overhead_per_run_ms']:.0f} "
            f"ms/run), processes 1 worker {s['processes_1w_s']:.1f} s, 2 workers "
            f"{s['processes_2w_s']:.1f} s (speed-up {s['speedup_2_workers']:.2f}x), dask 2 "
            f"workers {s['dask_2w_s']:.1f} s ({s['dask_vs_processes_2w']:.2f}x the pool)"
        )


if __name__ == "__main__":
    main()
