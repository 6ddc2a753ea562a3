"""Benchmark of ``kosi-sim classroom`` (reported, not asserted): one room of 40 simulated
students, and four rooms of 10 at once, on this machine.

The server runs as its own process (``kosi-sim classroom``, as in a seminar); the students
are threads of this process (kosi_sim.classroom.loadgen) that poll every second as the
browser pages do.  Printed per setting:

* turn: seconds the server took for one year of the played city and its twin (12 months
  each), from the facilitator's state;
* all browsers updated: seconds from the end of the year until the last student's page
  had the new state (the polling delay);
* p50 and p95 of the page interactions (state, decide, join).

Usage: python scripts/bench_classroom.py [SCENARIO] [--turns N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import threading
import time

from kosi_sim.classroom import loadgen
from tests.classroom_util import call, start_server


def serve(scenario: str, data: str) -> tuple[subprocess.Popen, str, dict]:
    proc, url, key = start_server(scenario, data)
    return proc, url, {"X-Facilitator-Key": key}


def report(label: str, url: str, key: dict, codes: list[str], stats: list[loadgen.Stats]) -> None:
    turns, updated = [], []
    for code, st in zip(codes, stats, strict=True):
        fac = call(f"{url}/api/fac/room/{code}", headers=key)[1]
        for t, start, seconds in fac["turn_seconds"]:
            turns.append(seconds)
            if st.seen.get(t):
                updated.append(max(st.seen[t]) - (start + seconds))
    lat = {}
    for st in stats:
        for k, v in st.latency.items():
            lat.setdefault(k, []).extend(v)
    errors = [e for st in stats for e in st.errors]
    print(f"## {label}")
    print(
        f"turn (12 months of the pair): n={len(turns)} mean {sum(turns) / len(turns):.2f} s, "
        f"max {max(turns):.2f} s"
    )
    if updated:
        print(f"all browsers updated after the turn: max {max(updated):.2f} s")
    for k, v in sorted(lat.items()):
        xs = sorted(v)
        print(
            f"{k}: n={len(xs)} p50 {xs[len(xs) // 2] * 1000:.0f} ms, "
            f"p95 {loadgen.p95(xs) * 1000:.0f} ms"
        )
    print(f"errors: {len(errors)}")
    for e in errors[:5]:
        print(f"  {e}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="classroom")
    ap.add_argument("--turns", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as data:
        proc, url, key = serve(args.scenario, data)
        try:
            t0 = time.perf_counter()
            code = call(f"{url}/api/fac/rooms", {"years": args.turns}, key)[1]["code"]
            print(f"open a room (build city and twin): {time.perf_counter() - t0:.1f} s")
            st = loadgen.play(url, code, 40, args.turns, timeout=900)
            report("1 room, 40 students", url, key, [code], [st])

            codes = [
                call(f"{url}/api/fac/rooms", {"years": args.turns}, key)[1]["code"]
                for _ in range(4)
            ]
            stats: list[loadgen.Stats] = [loadgen.Stats() for _ in codes]

            def room(k: int) -> None:
                stats[k] = loadgen.play(url, codes[k], 10, args.turns, timeout=900)

            threads = [threading.Thread(target=room, args=(k,)) for k in range(4)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            report("4 rooms of 10 students at once", url, key, codes, stats)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
