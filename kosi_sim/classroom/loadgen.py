"""Simulated students for load tests and the benchmark: threads that join a room, poll
their role's state as a browser does, and submit a random valid decision each year.

Only for a server on this machine (the address must be 127.0.0.1 or localhost).
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

#: a browser's polling interval (the pages poll as often; see static/classroom.js)
POLL_S = 1.0


@dataclass
class Stats:
    """Latencies of page interactions (seconds, by kind), when each student saw each new
    turn (Unix time, to compare with the server's record), every error seen, and the
    decisions refused because a teammate's submission played the year meanwhile (409: the
    page tells the student to decide again; not an error)."""

    latency: dict[str, list[float]] = field(default_factory=dict)
    seen: dict[int, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    late: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)

    def saw(self, turn: int) -> None:
        with self.lock:
            self.seen.setdefault(turn, []).append(time.time())

    def too_late(self) -> None:
        with self.lock:
            self.late += 1

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def request(url: str, body: Any = None, headers: dict | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def random_decision(state: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A valid decision for the role whose state is given: parameters drawn inside their
    limits; the lab keeps its split and moves one instrument to fewer districts."""
    c = state["controls"]
    d: dict[str, Any] = {p["name"]: rng.uniform(p["lo"], p["hi"]) for p in c["params"]}
    if "lab" in c:
        lab = state["decision"]["lab"]
        t = rng.choice(sorted(lab))
        d["lab"] = {t: {"districts": [rng.choice(c["districts"])]}}
    if "citizens" in c:
        d["citizens"] = {"districts": [rng.choice(c["districts"])]}
    return d


def student(url: str, code: str, k: int, turns: int, stats: Stats, deadline: float) -> None:
    rng = random.Random(k)
    t0 = time.monotonic()
    status, doc = request(url + "/api/join", {"code": code, "name": f"student {k}"})
    stats.add("join", time.monotonic() - t0)
    if status != 200:
        stats.error(f"join {status}: {doc}")
        return
    head = {"X-Token": doc["token"]}
    decided = -1
    last_turn = 0
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        status, s = request(url + "/api/me", headers=head)
        stats.add("state", time.monotonic() - t0)
        if status != 200:
            stats.error(f"state {status}: {s}")
            return
        if s["turn"] > last_turn:
            last_turn = s["turn"]
            stats.saw(last_turn)
        if s["status"] == "finished" or s["turn"] >= turns:
            return
        if decided < s["turn"]:
            t0 = time.monotonic()
            body = {"decision": random_decision(s, rng), "turn": s["turn"]}
            status, r = request(url + "/api/decide", body, head)
            stats.add("decide", time.monotonic() - t0)
            if status == 409:
                stats.too_late()
            elif status != 200:
                stats.error(f"decide {status}: {r}")
            decided = s["turn"]
        time.sleep(POLL_S * (0.5 + rng.random()))  # browsers are not in step
    stats.error(f"student {k} ran out of time at turn {last_turn}")


def play(url: str, code: str, students: int, turns: int, timeout: float) -> Stats:
    """``students`` threads play ``turns`` years of room ``code``; returns their stats."""
    if urlparse(url).hostname not in ("127.0.0.1", "localhost"):
        raise ValueError(f"{url}: simulated students only for a server on this machine")
    stats = Stats()
    deadline = time.monotonic() + timeout
    threads = [
        threading.Thread(target=student, args=(url, code, k, turns, stats, deadline), daemon=True)
        for k in range(students)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
    return stats


def p95(values: list[float]) -> float:
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(0.95 * len(xs)))] if xs else float("nan")
