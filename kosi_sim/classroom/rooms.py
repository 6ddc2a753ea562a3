"""Rooms: who plays which role, pending decisions, turns; independent of HTTP.

A room's live :class:`Game` is kept in memory and rebuilt from the stored log when it is
first needed after a restart.  One lock per room orders its turns; every refusal is a
:class:`RoomError` with one line naming the problem.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..scenario import Scenario, from_dict
from . import roles
from .game import Game, Row
from .store import Store

#: room codes: 8 characters from 31 letters and digits without look-alikes (0/O, 1/I/L),
#: 31^8 ~ 8.5e11 codes; join attempts are rate-limited by the server
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_NAME = 40
MAX_YEARS = 30
MAX_TIMER_S = 3600
T = TypeVar("T")


class RoomError(ValueError):
    """A request the room refuses (one line: what is wrong and what is allowed)."""


class StaleTurn(RoomError):
    """A decision made on a year's page after that year was played (the server answers
    409: the student looks at the new results and decides again)."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Rooms:
    """All rooms of one server: their store and their live games."""

    def __init__(self, store: Store, scenario: Scenario) -> None:
        self.store = store
        self.scenario = scenario
        self._games: dict[str, Game] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        #: joins count the players per role and add one; two at once would see the same
        #: counts and fill one team twice (not the room lock: a turn may hold that for seconds)
        self._joining = threading.Lock()
        self._scenarios: dict[str, Scenario] = {}
        self._cache: dict[tuple[str, str], tuple[int, Any]] = {}
        #: (room, turn, start (Unix time), seconds) of every turn played by this server
        self.turn_times: list[tuple[str, int, float, float]] = []

    # -- rooms ---------------------------------------------------------------------------
    def create(
        self,
        lab: bool = True,
        citizens: bool = False,
        years: int | None = None,
        pick: bool = False,
        seed: int | None = None,
    ) -> str:
        years = self.scenario.years if years is None else years
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
            raise RoomError(
                f"years {years!r} is not allowed; allowed: a whole number from 1 to {MAX_YEARS}"
            )
        seed = self.scenario.seed if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise RoomError(f"seed {seed!r} is not allowed; allowed: a whole number >= 0")
        active = [
            r.name
            for r in roles.ROLES
            if (r.name != "lab" or lab) and (r.name != "citizens" or citizens)
        ]
        code = new_code()
        while self.store.room(code) is not None:
            code = new_code()
        self.store.create_room(code, self.scenario.to_dict(), seed, active, years, pick)
        game = Game(self.scenario, seed, active)
        self.store.add_metrics(code, game.rows)
        self._games[code] = game
        return code

    def room(self, code: Any) -> dict[str, Any]:
        r = self.store.room(code) if isinstance(code, str) else None
        if r is None:
            raise RoomError("no room with this code; check the code the facilitator gave")
        return r

    def scenario_of(self, room: dict[str, Any]) -> Scenario:
        """The room's scenario (validated once, then kept)."""
        scn = self._scenarios.get(room["code"])
        if scn is None:
            scn = from_dict(room["scenario"], source=f"room {room['code']}")
            self._scenarios[room["code"]] = scn
        return scn

    def lock(self, code: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(code, threading.Lock())

    def game(self, code: str) -> Game:
        """The room's live game, rebuilt by replaying its log after a restart."""
        with self.lock(code):
            return self._game_locked(code)

    def read_game(self, code: str, read: Callable[[Game], T]) -> T:
        """``read(game)`` while no turn of the room runs (for the map of the live city)."""
        with self.lock(code):
            return read(self._game_locked(code))

    def _game_locked(self, code: str) -> Game:
        g = self._games.get(code)
        if g is None:
            room = self.room(code)
            g = Game(self.scenario_of(room), room["seed"], room["roles"])
            g.replay(self.store.log(code))
            self._games[code] = g
        return g

    # -- players -------------------------------------------------------------------------
    def join(self, code: Any, name: Any, role: Any = None) -> tuple[str, str]:
        room = self.room(code)
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
            raise RoomError(f"a display name of 1 to {MAX_NAME} characters is needed")
        if room["status"] == "finished":
            raise RoomError("this room's game is finished")
        open_roles = [r for r in room["roles"] if r not in room["locked"]]
        if not open_roles:
            raise RoomError("every role of this room is locked")
        if room["pick"] and role not in (None, "") and role not in open_roles:
            raise RoomError(f"role {role!r} is not open; open roles: {', '.join(open_roles)}")
        with self._joining:
            if room["pick"] and role not in (None, ""):
                chosen = role
            else:  # assigned: the open role with the fewest players, in the table's order
                counts = {r: 0 for r in open_roles}
                for p in self.store.players(code):
                    if p["role"] in counts:
                        counts[p["role"]] += 1
                chosen = min(open_roles, key=lambda r: counts[r])
            token = secrets.token_urlsafe(24)
            self.store.add_player(token, code, name.strip(), chosen)
        return token, chosen

    def player(self, token: Any) -> dict[str, Any]:
        p = self.store.player(token) if isinstance(token, str) and token else None
        if p is None:
            raise RoomError("unknown player token; join the room again with its code")
        return p

    # -- decisions -----------------------------------------------------------------------
    def decide(self, token: Any, values: Any, role: Any = None, turn: Any = None) -> dict[str, Any]:
        """Check and keep a player's decision for the coming year; the role is the token's
        (a request naming another role is refused).  ``turn`` is the number of years played
        on the page the student decided on (browsers send it): a decision made before a
        teammate's or the timer's turn was played is refused, not silently moved on to the
        next year."""
        p = self.player(token)
        if role not in (None, "", p["role"]):
            raise RoomError(f"your token plays {p['role']}, not {role}; nothing changed")
        room = self.room(p["code"])
        if turn is not None and (
            isinstance(turn, bool) or not isinstance(turn, int) or not 0 <= turn <= room["years"]
        ):
            raise RoomError(f"turn {turn!r} is not allowed; allowed: 0 to {room['years']}")
        if turn is not None and turn != room["turn"]:
            raise StaleTurn(
                f"year {turn + 1} was played while you decided; your decision was not kept:"
                " look at the new results and decide again"
                if room["status"] != "finished"
                else f"year {turn + 1} was played while you decided and the game is finished;"
                " your decision was not kept"
            )
        if room["status"] == "finished":
            raise RoomError("the game is finished; nothing changed")
        if p["role"] in room["locked"]:
            raise RoomError(f"the facilitator locked the {p['role']} role; nothing changed")
        try:
            checked = roles.validate(p["role"], values, self.scenario_of(room))
        except roles.DecisionError as e:
            raise RoomError(f"{e}; nothing changed") from None
        self.store.set_pending(p["code"], p["role"], checked, p["name"])
        return checked  # the server then calls maybe_advance after answering

    def due_roles(self, room: dict[str, Any]) -> list[str]:
        """Roles whose decision is awaited: every role not locked and not played by the
        scenario's defaults.  A role nobody has joined yet is awaited too, so the first team
        to submit cannot play the year while classmates are still joining; the facilitator
        plays a missing role with the defaults, advances by hand, or sets a timer."""
        return [r for r in room["roles"] if r not in room["locked"] and r not in room["defaults"]]

    def maybe_advance(self, code: str) -> bool:
        """Advance when every due role submitted, or when the turn's timer ran out."""
        room = self.room(code)
        if room["status"] != "open":
            return False
        due = self.due_roles(room)
        pending = self.store.pending(code)
        timed_out = room["deadline"] is not None and time.time() >= room["deadline"]
        if (due and all(r in pending for r in due)) or timed_out:
            return self.advance(code, expected_turn=room["turn"], wait=False)
        return False

    def advance(self, code: str, expected_turn: int | None = None, wait: bool = True) -> bool:
        """Play one year with the pending decisions (last year's or the defaults for the
        rest).  Returns False if another request already played this turn, the game is
        over, or (``wait=False``) a turn of this room is being computed right now."""
        lock = self.lock(code)
        if not lock.acquire(blocking=wait):
            return False
        try:
            return self._advance_locked(code, expected_turn)
        finally:
            lock.release()

    def _advance_locked(self, code: str, expected_turn: int | None) -> bool:
        room = self.room(code)
        if room["status"] != "open" or (
            expected_turn is not None and room["turn"] != expected_turn
        ):
            return False
        game = self._game_locked(code)
        pending = self.store.pending(code)
        scn = self.scenario_of(room)
        previous = self.store.log(code)[-1:] or [{}]
        log: dict[str, tuple[dict, str]] = {}
        for r in room["roles"]:
            if r in room["defaults"]:
                log[r] = (roles.defaults(r, scn), "default")
            elif r in pending:
                log[r] = (pending[r]["decision"], "player")
            elif r in previous[0]:  # no new decision: last year's stands
                log[r] = (previous[0][r], "kept")
            else:
                log[r] = (roles.defaults(r, scn), "default")
        start, clock = time.time(), time.perf_counter()
        rows = game.play_year({r: d for r, (d, _) in log.items()})
        status = "finished" if game.turn >= room["years"] else "open"
        used = {r: p["at"] for r, p in pending.items()}
        self.store.finish_turn(code, game.turn, log, rows, status, used)
        self.turn_times.append((code, game.turn, start, time.perf_counter() - clock))
        if status == "open" and room["timer"]:
            self.store.update_room(code, deadline=time.time() + room["timer"])
        return True

    # -- the facilitator's settings ------------------------------------------------------
    def set_locked(self, code: str, role: Any, locked: bool) -> None:
        """Lock a role (its players cannot decide) or unlock it."""
        self._toggle(code, role, "locked", locked)

    def set_defaults(self, code: str, role: Any, on: bool) -> None:
        """Play a role with the scenario's defaults (a missing role), or stop doing so."""
        self._toggle(code, role, "defaults", on)

    def _toggle(self, code: str, role: Any, field: str, on: bool) -> None:
        room = self.room(code)
        if role not in room["roles"]:
            raise RoomError(f"role {role!r} is not in this room; roles: {', '.join(room['roles'])}")
        s = set(room[field]) | {role} if on else set(room[field]) - {role}
        self.store.update_room(code, **{field: sorted(s)})

    def set_timer(self, code: str, seconds: Any) -> None:
        self.room(code)
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int)
            or not 0 <= seconds <= MAX_TIMER_S
        ):
            raise RoomError(
                f"timer {seconds!r} is not allowed; allowed: 0 (none) to {MAX_TIMER_S} seconds"
            )
        self.store.update_room(
            code, timer=seconds, deadline=time.time() + seconds if seconds else None
        )

    def rows(self, code: str) -> list[Row]:
        """Every stored metric row of the room (read once per turn: pages poll often)."""
        return self._per_turn(code, "rows", self.store.metrics)

    def log(self, code: str) -> list[dict[str, Any]]:
        """The room's decision log (read once per turn)."""
        return self._per_turn(code, "log", self.store.log)

    def _per_turn(self, code: str, what: str, read) -> Any:
        # rows and log change only when a turn is stored, together with the room's turn
        turn = self.room(code)["turn"]
        hit = self._cache.get((code, what))
        if hit is None or hit[0] != turn:
            hit = (turn, read(code))
            self._cache[(code, what)] = hit
        return hit[1]
