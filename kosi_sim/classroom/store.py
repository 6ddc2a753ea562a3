"""Room state in SQLite (the standard library's ``sqlite3``; one file, no server).

What is stored is what a room needs to be rebuilt after a restart: the scenario (as plain
data), the seed, the active roles, the players and their tokens, the decision log of every
turn played, pending decisions of the current turn, and every turn's metrics (so the
debrief and the public view do not need the live models, and a replay can be checked
against them).  The live models are kept in memory by the server and rebuilt from the
log (:meth:`Game.replay`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .game import Row

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY, scenario TEXT NOT NULL, seed INTEGER NOT NULL,
    roles TEXT NOT NULL, years INTEGER NOT NULL, pick INTEGER NOT NULL,
    turn INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'open',
    timer INTEGER NOT NULL DEFAULT 0, deadline REAL, locked TEXT NOT NULL DEFAULT '[]',
    defaults TEXT NOT NULL DEFAULT '[]', created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS players (
    token TEXT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
    joined REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    code TEXT NOT NULL, role TEXT NOT NULL, decision TEXT NOT NULL, player TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (code, role));
CREATE TABLE IF NOT EXISTS decisions (
    code TEXT NOT NULL, turn INTEGER NOT NULL, role TEXT NOT NULL, decision TEXT NOT NULL,
    source TEXT NOT NULL, PRIMARY KEY (code, turn, role));
CREATE TABLE IF NOT EXISTS metrics (
    code TEXT NOT NULL, turn INTEGER NOT NULL, side TEXT NOT NULL, district TEXT NOT NULL,
    metric TEXT NOT NULL, value REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_code ON metrics (code, turn);
CREATE TABLE IF NOT EXISTS extras (
    code TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (code, key));
"""


INSERT_METRIC = (
    "INSERT INTO metrics (code, turn, side, district, metric, value) VALUES (?, ?, ?, ?, ?, ?)"
)


class StoreError(ValueError):
    """The rooms' file cannot be used (one line: which file and why)."""


class Store:
    """One SQLite file; every call is one transaction (thread-safe by a lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except sqlite3.Error as e:
            raise StoreError(
                f"{self.path} cannot be used as the classroom's rooms file ({e}); "
                "choose another --data"
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _tx(self, statements: list[tuple[str, Iterable[Any]]]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for sql, args in statements:
                    self._db.execute(sql, tuple(args))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # -- rooms ---------------------------------------------------------------------------
    def create_room(
        self, code: str, scenario: dict, seed: int, roles: list[str], years: int, pick: bool
    ) -> None:
        self._run(
            "INSERT INTO rooms (code, scenario, seed, roles, years, pick, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code, json.dumps(scenario), seed, json.dumps(roles), years, int(pick), time.time()),
        )

    def room(self, code: str) -> dict[str, Any] | None:
        rows = self._run("SELECT * FROM rooms WHERE code = ?", (code,))
        if not rows:
            return None
        r = dict(rows[0])
        for k in ("scenario", "roles", "locked", "defaults"):
            r[k] = json.loads(r[k])
        r["pick"] = bool(r["pick"])
        return r

    def room_codes(self) -> list[str]:
        return [r["code"] for r in self._run("SELECT code FROM rooms ORDER BY created")]

    def update_room(self, code: str, **fields: Any) -> None:
        cols = {k: json.dumps(v) if k in ("locked", "defaults") else v for k, v in fields.items()}
        sets = ", ".join(f"{k} = ?" for k in cols)
        self._run(f"UPDATE rooms SET {sets} WHERE code = ?", (*cols.values(), code))

    # -- players -------------------------------------------------------------------------
    def add_player(self, token: str, code: str, name: str, role: str) -> None:
        self._run(
            "INSERT INTO players (token, code, name, role, joined) VALUES (?, ?, ?, ?, ?)",
            (token, code, name, role, time.time()),
        )

    def player(self, token: str) -> dict[str, Any] | None:
        rows = self._run("SELECT * FROM players WHERE token = ?", (token,))
        return dict(rows[0]) if rows else None

    def players(self, code: str) -> list[dict[str, Any]]:
        rows = self._run(
            "SELECT name, role, joined FROM players WHERE code = ? ORDER BY joined", (code,)
        )
        return [dict(r) for r in rows]

    # -- decisions -----------------------------------------------------------------------
    def set_pending(self, code: str, role: str, decision: dict, player: str) -> None:
        self._run(
            "INSERT OR REPLACE INTO pending (code, role, decision, player, at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code, role, json.dumps(decision), player, time.time()),
        )

    def pending(self, code: str) -> dict[str, dict[str, Any]]:
        rows = self._run("SELECT role, decision, player, at FROM pending WHERE code = ?", (code,))
        return {
            r["role"]: {"decision": json.loads(r["decision"]), "player": r["player"], "at": r["at"]}
            for r in rows
        }

    def finish_turn(
        self,
        code: str,
        turn: int,
        log: dict[str, tuple[dict, str]],
        rows: list[Row],
        status: str,
        used: dict[str, float],
    ) -> None:
        """Store a played turn at once: its decisions, its metrics, the room's new turn.
        ``used`` (role -> time) names the pending decisions the turn took; one submitted
        while the year was computed stays pending for the next year."""
        st: list[tuple[str, Iterable[Any]]] = [
            (
                "INSERT INTO decisions (code, turn, role, decision, source) VALUES (?, ?, ?, ?, ?)",
                (code, turn, role, json.dumps(d), source),
            )
            for role, (d, source) in log.items()
        ]
        st += [
            (
                INSERT_METRIC,
                (code, r.turn, r.side, r.district, r.metric, r.value),
            )
            for r in rows
        ]
        st += [
            ("DELETE FROM pending WHERE code = ? AND role = ? AND at = ?", (code, role, at))
            for role, at in used.items()
        ]
        st.append(
            (
                "UPDATE rooms SET turn = ?, status = ?, deadline = NULL WHERE code = ?",
                (turn, status, code),
            )
        )
        self._tx(st)

    def add_metrics(self, code: str, rows: list[Row]) -> None:
        self._tx(
            [
                (
                    INSERT_METRIC,
                    (code, r.turn, r.side, r.district, r.metric, r.value),
                )
                for r in rows
            ]
        )

    def log(self, code: str) -> list[dict[str, dict[str, Any]]]:
        """The decisions of every played turn, in order: [{role: decision}, ...]."""
        rows = self._run(
            "SELECT turn, role, decision FROM decisions WHERE code = ? ORDER BY turn, role", (code,)
        )
        turns: dict[int, dict[str, Any]] = {}
        for r in rows:
            turns.setdefault(r["turn"], {})[r["role"]] = json.loads(r["decision"])
        return [turns[t] for t in sorted(turns)]

    def log_rows(self, code: str) -> list[dict[str, Any]]:
        rows = self._run(
            "SELECT turn, role, decision, source FROM decisions WHERE code = ? ORDER BY turn, role",
            (code,),
        )
        return [dict(r) for r in rows]

    def metrics(self, code: str) -> list[Row]:
        rows = self._run(
            "SELECT turn, side, district, metric, value FROM metrics WHERE code = ? ORDER BY rowid",
            (code,),
        )
        return [Row(r["turn"], r["side"], r["district"], r["metric"], r["value"]) for r in rows]

    # -- extras (the debrief's replicates) ----------------------------------------------
    def put_extra(self, code: str, key: str, value: Any) -> None:
        self._run(
            "INSERT OR REPLACE INTO extras (code, key, value) VALUES (?, ?, ?)",
            (code, key, json.dumps(value)),
        )

    def extra(self, code: str, key: str) -> Any:
        rows = self._run("SELECT value FROM extras WHERE code = ? AND key = ?", (code, key))
        return json.loads(rows[0]["value"]) if rows else None
