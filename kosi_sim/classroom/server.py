"""The classroom server: a plain Starlette app, server-rendered pages and small vanilla JS.

Why not Solara like ``kosi-sim app``: Solara keeps a websocket and a widget tree per
browser, which for 40 students is 40 sessions of state on a 2-core machine; here each
browser polls a small JSON state every two seconds and the city exists once per room.

Who may do what:

* the facilitator console needs the secret printed at start (header ``X-Facilitator-Key``);
* a student's token (``secrets.token_urlsafe``, header ``X-Token``) acts only for its role;
* the public view and the room state need only the room code (what a projector shows);
* wrong room codes are rate-limited per client address (:data:`JOIN_FAILS` a minute).

Every refusal is JSON ``{"error": one line}`` with status 400 (bad input), 403 (not
allowed), 404 (no such room) or 429 (too many attempts); nothing is changed by a refusal.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..outdir import CLASSROOM, write_folder
from ..results import ResultsError
from ..scenario import Scenario
from . import debrief, pages, state
from .rooms import RoomError, Rooms, StaleTurn
from .store import Store

#: wrong room codes allowed per client address and minute before joins are refused
JOIN_FAILS = 10
STATIC = Path(__file__).parent / "static"
MAX_BODY = 64 * 1024
MAX_REPLICATES = 20


class Classroom:
    """The server's state: the store, the rooms and the facilitator's secret."""

    def __init__(self, scenario: Scenario, data: Path, lang: str, key: str | None = None) -> None:
        self.data = Path(data)
        self.lang = lang
        self.key = key or secrets.token_urlsafe(18)
        self.store = Store(self.data / "classroom.sqlite")
        self.rooms = Rooms(self.store, scenario)
        self._fails: dict[str, deque[float]] = {}
        self._fail_lock = threading.Lock()
        self.maps: dict[tuple, bytes] = {}
        self.busy: set[str] = set()  # rooms computing replicates

    def too_many_fails(self, who: str) -> bool:
        now = time.monotonic()
        with self._fail_lock:
            q = self._fails.setdefault(who, deque())
            while q and now - q[0] > 60:
                q.popleft()
            return len(q) >= JOIN_FAILS

    def failed(self, who: str) -> None:
        with self._fail_lock:
            self._fails.setdefault(who, deque()).append(time.monotonic())


def _error(msg: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": msg}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise RoomError(f"request too large; at most {MAX_BODY} bytes")
    import json

    try:
        doc = json.loads(raw or b"{}")
    except ValueError:
        raise RoomError("the request body is not JSON") from None
    if not isinstance(doc, dict):
        raise RoomError("the request body must be a JSON object")
    return doc


def create_app(
    scenario: Scenario, data: str | Path, lang: str = "en", key: str | None = None
) -> Starlette:
    """The Starlette app; ``data`` is the folder of the SQLite file and the exports."""
    c = Classroom(scenario, Path(data), lang, key)

    def guarded(fn: Callable) -> Callable:
        async def handler(request: Request):
            try:
                return await fn(request)
            except StaleTurn as e:
                return _error(str(e), 409)
            except RoomError as e:
                status = 404 if str(e).startswith("no room") else 400
                return _error(str(e), status)

        return handler

    def facilitator(fn: Callable) -> Callable:
        async def handler(request: Request):
            given = request.headers.get("x-facilitator-key", "")
            if not secrets.compare_digest(given.encode(), c.key.encode()):
                return _error(
                    "the facilitator key is missing or wrong (it was printed at start)", 403
                )
            return await fn(request)

        return guarded(handler)

    # -- pages ------------------------------------------------------------------------
    async def page(request: Request):
        kind = request.path_params.get("page", "join")
        code = request.path_params.get("code", "")
        if kind not in ("join", "play", "view"):
            return Response("not found", 404)
        return HTMLResponse(pages.page(kind, code, c.lang))

    async def static(request: Request):
        name = request.path_params["name"]
        files = {"classroom.js": "text/javascript", "classroom.css": "text/css"}
        if name not in files:
            return Response("not found", 404)
        return Response((STATIC / name).read_bytes(), media_type=files[name])

    # -- students ---------------------------------------------------------------------
    async def join(request: Request):
        who = request.client.host if request.client else "?"
        if c.too_many_fails(who):
            return _error("too many wrong room codes from this address; wait a minute", 429)
        body = await _body(request)
        try:
            token, role = await run_in_threadpool(
                c.rooms.join, body.get("code"), body.get("name"), body.get("role")
            )
        except RoomError as e:
            if str(e).startswith("no room"):
                c.failed(who)
                return _error(str(e), 404)
            raise
        return JSONResponse({"token": token, "role": role, "code": body["code"]})

    async def me(request: Request):
        p = c.rooms.player(request.headers.get("x-token"))
        doc = await run_in_threadpool(state.role_state, c.rooms, p, c.lang)
        return JSONResponse(doc, background=_advance_if_due(c, p["code"]))

    async def decide(request: Request):
        body = await _body(request)
        token = request.headers.get("x-token")
        checked = await run_in_threadpool(
            c.rooms.decide, token, body.get("decision"), body.get("role"), body.get("turn")
        )
        code = c.rooms.player(token)["code"]
        return JSONResponse(
            {"ok": True, "decision": checked},
            background=_advance_if_due(c, code),
        )

    # -- public -----------------------------------------------------------------------
    async def public(request: Request):
        code = request.path_params["code"]
        doc = await run_in_threadpool(state.public_state, c.rooms, code, c.lang)
        return JSONResponse(doc, background=_advance_if_due(c, code))

    async def map_png(request: Request):
        code = request.path_params["code"]
        room = c.rooms.room(code)
        metric = request.query_params.get("metric", "coverage_mean")
        if metric not in state.MAP_METRICS:
            raise RoomError(
                f"metric {metric!r} is not mapped; allowed: {', '.join(state.MAP_METRICS)}"
            )
        key = (code, room["turn"], metric, c.lang)
        if key not in c.maps:
            c.maps[key] = await run_in_threadpool(_map, c.rooms, code, metric, c.lang)
        return Response(c.maps[key], media_type="image/png", headers={"Cache-Control": "no-store"})

    # -- facilitator ------------------------------------------------------------------
    async def create(request: Request):
        b = await _body(request)
        code = await run_in_threadpool(
            c.rooms.create,
            bool(b.get("lab", True)),
            bool(b.get("citizens", False)),
            b.get("years"),
            bool(b.get("pick", False)),
            b.get("seed"),
        )
        return JSONResponse({"code": code})

    async def rooms_list(request: Request):
        return JSONResponse(
            {"rooms": [state.facilitator_state(c.rooms, k) for k in c.store.room_codes()]}
        )

    async def room_state(request: Request):
        code = request.path_params["code"]
        s = await run_in_threadpool(state.facilitator_state, c.rooms, code)
        s["replicates_running"] = code in c.busy
        return JSONResponse(s, background=_advance_if_due(c, code))

    async def control(request: Request):
        code = request.path_params["code"]
        b = await _body(request)
        action = request.path_params["action"]
        if action == "advance":
            c.rooms.room(code)
            done = await run_in_threadpool(c.rooms.advance, code)
            return JSONResponse({"advanced": done})
        if action == "lock":
            c.rooms.set_locked(code, b.get("role"), bool(b.get("locked", True)))
        elif action == "defaults":
            c.rooms.set_defaults(code, b.get("role"), bool(b.get("on", True)))
        elif action == "timer":
            c.rooms.set_timer(code, b.get("seconds"))
        else:
            raise RoomError(f"unknown action {action!r}; actions: advance, lock, defaults, timer")
        return JSONResponse({"ok": True})

    async def debrief_json(request: Request):
        code = request.path_params["code"]
        return JSONResponse(await run_in_threadpool(state.debrief_state, c.rooms, code, c.lang))

    async def replicates(request: Request):
        code = request.path_params["code"]
        c.rooms.room(code)
        n = (await _body(request)).get("replicates", 5)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_REPLICATES:
            raise RoomError(
                f"replicates {n!r} is not allowed; "
                f"allowed: a whole number from 1 to {MAX_REPLICATES}"
            )
        if code in c.busy:
            raise RoomError("replicates for this room are already running")
        c.busy.add(code)

        def work() -> None:
            try:
                state.run_replicates(c.rooms, code, n)
            finally:
                c.busy.discard(code)

        return JSONResponse({"started": n}, background=BackgroundTask(work))

    async def export(request: Request):
        code = request.path_params["code"]
        room = c.rooms.room(code)
        out = c.data / "exports" / f"{code}-year{room['turn']}"
        try:
            path = await run_in_threadpool(_export, c.rooms, room, out, c.lang)
        except ResultsError as e:
            raise RoomError(str(e)) from None
        return JSONResponse({"folder": str(path)})

    async def printable(request: Request):
        code = request.path_params["code"]
        html = await run_in_threadpool(state.debrief_html, c.rooms, code, c.lang)
        return HTMLResponse(html)

    g, f = guarded, facilitator

    async def page_kind(request: Request, kind: str):
        return HTMLResponse(pages.page(kind, "", c.lang))

    g, f = guarded, facilitator
    routes = [
        Route("/", g(page)),
        Route("/facilitator", g(lambda r: page_kind(r, "facilitator"))),
        Route("/static/{name:str}", static),
        Route("/api/join", g(join), methods=["POST"]),
        Route("/api/me", g(me)),
        Route("/api/decide", g(decide), methods=["POST"]),
        Route("/api/public/{code:str}", g(public)),
        Route("/api/map/{code:str}.png", g(map_png)),
        Route("/api/fac/rooms", f(create), methods=["POST"]),
        Route("/api/fac/rooms", f(rooms_list)),
        Route("/api/fac/room/{code:str}", f(room_state)),
        Route("/api/fac/room/{code:str}/debrief", f(debrief_json)),
        Route("/api/fac/room/{code:str}/debrief.html", f(printable)),
        Route("/api/fac/room/{code:str}/replicates", f(replicates), methods=["POST"]),
        Route("/api/fac/room/{code:str}/export", f(export), methods=["POST"]),
        Route("/api/fac/room/{code:str}/{action:str}", f(control), methods=["POST"]),
        Route("/{page:str}/{code:str}", g(page)),
    ]

    app = Starlette(routes=routes)
    app.state.classroom = c
    return app


def _advance_if_due(c: Classroom, code: str) -> BackgroundTask:
    """After answering: play the year if every due role has decided or the timer ran out
    (never waits for a turn already being computed, so polling stays quick)."""
    return BackgroundTask(c.rooms.maybe_advance, code)


@lru_cache(maxsize=8)
def _dmap(pops: tuple, remote: tuple):
    from ..app import geometry

    return geometry.build(np.array(pops, dtype=float), np.array(remote, dtype=float))


def _map(rooms: Rooms, code: str, metric: str, lang: str) -> bytes:
    from ..app import figures

    scn = rooms.scenario_of(rooms.room(code))
    dmap = _dmap(
        tuple(d.population for d in scn.districts), tuple(d.remoteness for d in scn.districts)
    )
    return rooms.read_game(code, lambda g: figures.city_map(g.played, dmap, metric, lang, title=""))


def _export(rooms: Rooms, room: dict[str, Any], out: Path, lang: str) -> Path:
    reps = state.stored_replicates(rooms, room["code"])
    rows = rooms.rows(room["code"])
    log_rows = rooms.store.log_rows(room["code"])
    return write_folder(
        out,
        CLASSROOM,
        lambda d: debrief.fill_export(d, room, rows, log_rows, reps, lang),
        force=True,
    )
