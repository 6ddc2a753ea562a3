"""The classroom server over real HTTP on localhost: join, decide, advance, refusals,
a restart on the same SQLite file, the debrief and the export."""

from __future__ import annotations

import json

import pytest

from kosi_sim.classroom.server import JOIN_FAILS, create_app
from kosi_sim.scenario import resolve
from tests.classroom_util import Served, call, wait_for

KEY = {"X-Facilitator-Key": "secret-for-tests"}


@pytest.fixture(scope="module")
def scn():
    return resolve("classroom").with_params({"scale": 0.15})


def test_a_room_from_join_to_export_survives_a_restart(tmp_path, scn):
    s = Served(create_app(scn, tmp_path, "en", key=KEY["X-Facilitator-Key"]))
    try:
        assert call(s.url + "/api/fac/rooms", {"years": 3})[0] == 403
        assert call(s.url + "/api/fac/rooms", {"years": 3}, {"X-Facilitator-Key": "x"})[0] == 403
        status, doc = call(s.url + "/api/fac/rooms", {"years": 3, "lab": True}, KEY)
        assert status == 200
        code = doc["code"]
        assert len(code) >= 6
        assert call(s.url + "/api/fac/rooms", {"years": 99}, KEY)[0] == 400
        tokens = {}
        for name in ("Ada", "Ben", "Cem", "Dora"):
            status, doc = call(s.url + "/api/join", {"code": code, "name": name})
            assert status == 200, doc
            tokens[doc["role"]] = doc["token"]
        assert set(tokens) == {"administration", "lab", "vereine", "businesses"}
        me = call(s.url + "/api/me", headers={"X-Token": tokens["lab"]})[1]
        assert me["role"] == "lab" and me["turn"] == 0 and me["controls"]["lab"]["budget"] > 0
        admin = {"X-Token": tokens["administration"]}
        # refusals: one line, nothing changed
        for body, words in [
            ({"decision": {"openness": 0.9}, "role": "lab"}, "your token plays administration"),
            ({"decision": {"csr_mean": 0.3}}, "not a decision of the administration role"),
            ({"decision": {"openness": 7}}, "out of range"),
        ]:
            status, doc = call(s.url + "/api/decide", body, admin)
            assert status == 400 and words in doc["error"] and "\n" not in doc["error"]
        assert call(s.url + "/api/decide", raw=b"{not json", headers=admin)[0] == 400
        assert call(s.url + "/api/decide", {"decision": {}}, {"X-Token": "forged"})[0] == 400
        assert call(s.url + f"/api/fac/room/{code}", headers=KEY)[1]["submitted"] == []
        # every role decides: the year is played
        decisions = {
            "administration": {"openness": 0.9, "risk_aversion": 0.1},
            "lab": {"lab": {"ideas_call": {"budget": 0, "staff": 0}}},
            "vereine": {"succession_rate": 0.5},
            "businesses": {"csr_mean": 0.3},
        }
        for role, d in decisions.items():
            status, doc = call(s.url + "/api/decide", {"decision": d}, {"X-Token": tokens[role]})
            assert status == 200, doc
        pub = wait_for(lambda: (p := call(s.url + f"/api/public/{code}")[1])["turn"] == 1 and p)
        assert pub["year_text"].startswith("Year 1:")
        assert {r["role"] for r in pub["roles"] if "openness=0.9" in r["last"]} == {
            "administration"
        }
        status, png = call(s.url + f"/api/map/{code}.png?metric=trust_share")
        assert status == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
        assert call(s.url + f"/api/map/{code}.png?metric=nonsense")[0] == 400
        assert call(s.url + "/api/public/NOSUCHROOM")[0] == 404
        rows_before = s.app.state.classroom.rooms.rows(code)
    finally:
        s.stop()

    # a restart: a new app on the same SQLite file; the students' tokens still work
    s = Served(create_app(scn, tmp_path, "en", key=KEY["X-Facilitator-Key"]))
    try:
        me = call(s.url + "/api/me", headers={"X-Token": tokens["vereine"]})[1]
        assert me["role"] == "vereine" and me["turn"] == 1
        assert me["decision"]["succession_rate"] == 0.5  # last year's decision is shown
        rooms = s.app.state.classroom.rooms
        assert rooms.game(code).rows == rows_before  # rebuilt by replaying the log
        assert call(s.url + f"/api/fac/room/{code}/timer", {"seconds": -1}, KEY)[0] == 400
        assert call(s.url + f"/api/fac/room/{code}/lock", {"role": "mayor"}, KEY)[0] == 400
        assert call(s.url + f"/api/fac/room/{code}/lock", {"role": "lab"}, KEY)[0] == 200
        status, doc = call(s.url + "/api/decide", {"decision": {}}, {"X-Token": tokens["lab"]})
        assert status == 400 and "locked" in doc["error"]
        assert call(s.url + f"/api/fac/room/{code}/advance", {}, KEY)[1] == {"advanced": True}
        # a decision made on year 2's page after the facilitator played it is refused, not
        # moved on to year 3 (409: the page says to look at the results and decide again)
        vereine = {"X-Token": tokens["vereine"]}
        status, doc = call(s.url + "/api/decide", {"decision": {}, "turn": 1}, vereine)
        assert status == 409 and "decide again" in doc["error"] and "\n" not in doc["error"]
        assert call(s.url + f"/api/fac/room/{code}", headers=KEY)[1]["submitted"] == []
        for bad in ("2", 2.0, True, -1, 99):
            status, doc = call(s.url + "/api/decide", {"decision": {}, "turn": bad}, vereine)
            assert status == 400 and "turn" in doc["error"], (bad, doc)
        log = rooms.store.log_rows(code)
        sources = {(r["turn"], r["role"]): r["source"] for r in log}
        assert sources[(1, "vereine")] == "player" and sources[(2, "vereine")] == "kept"
        assert (
            json.loads(
                next(r["decision"] for r in log if r["turn"] == 2 and r["role"] == "vereine")
            )["succession_rate"]
            == 0.5
        )
        status, doc = call(s.url + f"/api/fac/room/{code}/replicates", {"replicates": 1}, KEY)
        assert status == 200
        deb = wait_for(
            lambda: (
                (d := call(s.url + f"/api/fac/room/{code}/debrief", headers=KEY)[1])[
                    "replicate_pairs"
                ]
                == 1
                and d
            )
        )
        assert any("[" in e and "2 pairs" in e for e in deb["effects"]), deb["effects"]
        assert deb["moments"] and len(deb["decisions"]) == 8
        status, doc = call(s.url + f"/api/fac/room/{code}/export", {}, KEY)
        assert status == 200, doc
        folder = tmp_path / "exports" / f"{code}-year2"
        for f in (
            "decisions.csv",
            "metrics.parquet",
            "metrics.csv",
            "effects.csv",
            "replicates.parquet",
            "debrief.html",
            "manifest.json",
            "figures/coverage_mean.png",
        ):
            assert (folder / f).is_file(), f
        html = call(s.url + f"/api/fac/room/{code}/debrief.html", headers=KEY)[1]
        assert b"<table" in html and code.encode() in html
        # the timer: when it runs out, the year is played without anyone deciding
        assert call(s.url + f"/api/fac/room/{code}/timer", {"seconds": 1}, KEY)[0] == 200
        done = wait_for(lambda: (p := call(s.url + f"/api/public/{code}")[1])["turn"] == 3 and p)
        assert done["status"] == "finished"
        status, doc = call(s.url + "/api/decide", {"decision": {}}, admin)
        assert status == 400 and "finished" in doc["error"]
        # a room where students pick their role (without a lab)
        other = call(s.url + "/api/fac/rooms", {"years": 1, "lab": False, "pick": True}, KEY)[1]
        status, doc = call(s.url + "/api/join", {"code": other["code"], "name": "E", "role": "lab"})
        assert status == 400 and "not open" in doc["error"]
        status, doc = call(
            s.url + "/api/join", {"code": other["code"], "name": "E", "role": "businesses"}
        )
        assert status == 200 and doc["role"] == "businesses"
    finally:
        s.stop()


def test_wrong_room_codes_are_rate_limited(tmp_path, scn):
    s = Served(create_app(scn, tmp_path, "de", key="k"))
    try:
        for _ in range(JOIN_FAILS):
            assert call(s.url + "/api/join", {"code": "WRONG123", "name": "x"})[0] == 404
        status, doc = call(s.url + "/api/join", {"code": "WRONG123", "name": "x"})
        assert status == 429 and "wait a minute" in doc["error"]
        assert call(s.url + "/")[0] == 200 and call(s.url + "/static/classroom.js")[0] == 200
        assert call(s.url + "/static/../server.py")[0] == 404
    finally:
        s.stop()
