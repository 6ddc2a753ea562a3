"""What each page is shown: plain JSON built from the store (not from the live models,
except the map), so polling browsers never wait for a turn being computed."""

from __future__ import annotations

import json
import time
from typing import Any

import pandas as pd

from ..app import i18n
from . import debrief, roles, words
from .game import CITY, FLOWS, INDICATORS, Row
from .rooms import Rooms

MAP_METRICS = ("coverage_mean", "engaged_share", "trust_share", "share_65plus")
#: what each role sees of last year beside the city's main indicators
WATCH: dict[str, tuple[str, ...]] = {
    "administration": (
        "deficit_per_inhabitant",
        "service_budget",
        "initiatives_started",
        "trust_share",
    ),
    "lab": ("lab_spending", "initiatives_started", "initiatives_failed", "engaged_share"),
    "vereine": ("associations", "associations_founded", "associations_dissolved", "engaged_share"),
    "businesses": ("initiatives_active", "initiatives_started", "coverage_mean"),
    "citizens": ("initiatives_started", "coverage_mean", "trust_share"),
}


def _values(rows: list[Row], turn: int, side: str, district: str = CITY) -> dict[str, float]:
    return {
        r.metric: r.value
        for r in rows
        if r.turn == turn and r.side == side and r.district == district
    }


def _year(rows: list[Row], turn: int, lang: str) -> str:
    if turn == 0:
        return words.year_text({}, 0.0, 0, lang)
    now, before = _values(rows, turn, "played"), _values(rows, turn - 1, "played")
    return words.year_text(now, before.get("trust_share", float("nan")), turn, lang)


def _remaining(room: dict[str, Any]) -> float | None:
    return None if room["deadline"] is None else max(0.0, room["deadline"] - time.time())


def controls(name: str, rooms: Rooms, room: dict[str, Any], lang: str) -> dict[str, Any]:
    """A role's controls with their limits and defaults, for its page."""
    scn = rooms.scenario_of(room)
    r = roles.role(name)
    out: dict[str, Any] = {
        "params": [
            {
                "name": p.name,
                "label": p.label_en if lang == "en" else p.label_de,
                "lo": p.limits(scn)[0],
                "hi": p.limits(scn)[1],
                "default": float(scn.params[p.name]),
            }
            for p in r.params
        ],
        "districts": [d.name for d in scn.districts],
    }
    if r.money == "lab":
        money, staff = roles.lab_envelope(scn)
        out["lab"] = {
            "budget": money,
            "staff": staff,
            "instruments": [
                {"type": t, "name": i18n.instrument(t, lang)[0], "doc": i18n.instrument(t, lang)[1]}
                for t in roles.INSTRUMENTS
            ],
        }
    if r.money == "citizens":
        out["citizens"] = {
            "project_lo": roles.PROJECT_LIMITS[0],
            "project_hi": roles.PROJECT_LIMITS[1],
        }
    return out


def role_state(rooms: Rooms, player: dict[str, Any], lang: str) -> dict[str, Any]:
    code, name = player["code"], player["role"]
    room = rooms.room(code)
    scn = rooms.scenario_of(room)
    pending = rooms.store.pending(code)
    log = rooms.log(code)
    current = (
        (pending.get(name) or {}).get("decision")
        or (log[-1].get(name) if log else None)
        or roles.defaults(name, scn)
    )
    rows = rooms.rows(code)
    turn = room["turn"]
    last = []
    if turn > 0:
        p, t = _values(rows, turn, "played"), _values(rows, turn, "twin")
        last = [
            {"metric": m, "label": words.indicator(m, lang), "played": p.get(m), "twin": t.get(m)}
            for m in WATCH[name]
        ]
    r = roles.role(name)
    return {
        "code": code,
        "name": player["name"],
        "role": name,
        "title": words.role(name, lang),
        "task": r.task_en if lang == "en" else r.task_de,
        "turn": turn,
        "years": room["years"],
        "status": room["status"],
        "locked": name in room["locked"],
        "submitted": name in pending,
        "remaining": _remaining(room),
        "controls": controls(name, rooms, room, lang),
        "decision": current,
        "last_year": last,
        "year_text": _year(rows, turn, lang),
    }


def public_state(rooms: Rooms, code: str, lang: str) -> dict[str, Any]:
    room = rooms.room(code)
    rows = rooms.rows(code)
    turn = room["turn"]
    p, t = _values(rows, turn, "played"), _values(rows, turn, "twin")
    indicators = [
        {"metric": m, "label": words.indicator(m, lang), "played": p.get(m), "twin": t.get(m)}
        for m in (*INDICATORS, *FLOWS)
        if m in p
    ]
    log = rooms.log(code)
    last = log[-1] if log else {}
    pending = rooms.store.pending(code)
    return {
        "code": code,
        "turn": turn,
        "years": room["years"],
        "status": room["status"],
        "remaining": _remaining(room),
        "year_text": _year(rows, turn, lang),
        "indicators": indicators,
        "roles": [
            {
                "role": r,
                "title": words.role(r, lang),
                "submitted": r in pending,
                "last": words.decision_summary(r, last[r]) if r in last else "",
            }
            for r in room["roles"]
        ],
        "map_metrics": [{"metric": m, "label": words.indicator(m, lang)} for m in MAP_METRICS],
    }


def facilitator_state(rooms: Rooms, code: str) -> dict[str, Any]:
    room = rooms.room(code)
    pending = rooms.store.pending(code)
    return {
        "code": code,
        "turn": room["turn"],
        "years": room["years"],
        "status": room["status"],
        "roles": room["roles"],
        "locked": room["locked"],
        "defaults": room["defaults"],
        "timer": room["timer"],
        "remaining": _remaining(room),
        "pick": room["pick"],
        "players": rooms.store.players(code),
        "submitted": sorted(pending),
        "due": rooms.due_roles(room),
        # how long this server took for each year it played (start as Unix time, seconds)
        "turn_seconds": [[t, start, s] for c, t, start, s in rooms.turn_times if c == code],
    }


# -- the debrief -----------------------------------------------------------------------
def stored_replicates(rooms: Rooms, code: str) -> pd.DataFrame | None:
    doc = rooms.store.extra(code, "replicates")
    if not doc or doc["turn"] != rooms.room(code)["turn"]:
        return None  # computed for an earlier turn: run again
    return pd.DataFrame(doc["rows"], columns=["replicate", "turn", "metric", "difference"])


def run_replicates(rooms: Rooms, code: str, n: int) -> None:
    """Run ``n`` more pairs replaying the room's log and keep their differences."""
    room = rooms.room(code)
    log = rooms.log(code)
    reps = debrief.replicate_differences(
        rooms.scenario_of(room), room["seed"], room["roles"], log, n
    )
    rooms.store.put_extra(code, "replicates", {"turn": len(log), "rows": reps.values.tolist()})


def debrief_state(rooms: Rooms, code: str, lang: str) -> dict[str, Any]:
    rows = rooms.rows(code)
    reps = stored_replicates(rooms, code)
    eff = debrief.effects(rows, reps, lang)
    diffs = debrief.differences(rows)
    return {
        "effects": [debrief.effect_line(r, lang) for r in eff.to_dict("records")],
        "moments": debrief.moments(rows, lang),
        "decisions": [
            {
                "turn": r["turn"],
                "role": words.role(r["role"], lang),
                "source": r["source"],
                "summary": words.decision_summary(r["role"], json.loads(r["decision"])),
            }
            for r in rooms.store.log_rows(code)
        ],
        "by_year": diffs[diffs["metric"].isin(debrief.EFFECTS)].to_dict("records"),
        "labels": {m: words.indicator(m, lang) for m in debrief.EFFECTS},
        "replicate_pairs": 0 if reps is None else int(reps["replicate"].nunique()),
    }


def debrief_html(rooms: Rooms, code: str, lang: str) -> str:
    room = rooms.room(code)
    rows = rooms.rows(code)
    reps = stored_replicates(rooms, code)
    eff = debrief.effects(rows, reps, lang)
    return debrief.page(
        room, rows, rooms.store.log_rows(code), eff, debrief.moments(rows, lang), lang, images=[]
    )
