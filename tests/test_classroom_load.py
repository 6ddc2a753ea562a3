"""40 simulated students play two years of one room on localhost (bounded in time).
Asserts correctness under load, not speed (the benchmark reports speed)."""

from __future__ import annotations

import json

from kosi_sim.classroom import loadgen, roles
from kosi_sim.classroom.server import create_app
from kosi_sim.scenario import resolve
from tests.classroom_util import Served, call

KEY = {"X-Facilitator-Key": "k"}
STUDENTS = 40
TURNS = 2


def test_forty_students_play_two_years(tmp_path):
    scn = resolve("classroom").with_params({"scale": 0.15})
    s = Served(create_app(scn, tmp_path, "en", key="k"))
    try:
        code = call(s.url + "/api/fac/rooms", {"years": TURNS}, KEY)[1]["code"]
        stats = loadgen.play(s.url, code, STUDENTS, TURNS, timeout=400)
        assert stats.errors == []
        # every student saw the last year (a fast turn may pass between two polls)
        assert len(stats.seen[TURNS]) == STUDENTS
        rooms = s.app.state.classroom.rooms
        room = rooms.room(code)
        assert room["turn"] == TURNS and room["status"] == "finished"
        players = rooms.store.players(code)
        assert len(players) == STUDENTS
        per_role = {r: sum(p["role"] == r for p in players) for r in room["roles"]}
        assert set(per_role.values()) == {STUDENTS // 4}  # teams of ten, assigned evenly
        log = rooms.store.log_rows(code)
        assert len(log) == TURNS * len(room["roles"])
        assert {r["source"] for r in log} == {"player"}
        for r in log:  # every stored decision is within its role's limits
            d = json.loads(r["decision"])
            assert roles.validate(r["role"], d, scn) == d
        # the live game equals a replay of the stored log
        assert rooms.game(code).rows == rooms.rows(code)
        assert [t for c, t, *_ in rooms.turn_times if c == code] == list(range(1, TURNS + 1))
    finally:
        s.stop()
