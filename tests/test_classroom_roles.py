"""The classroom's roles, their validation, and the game's turns and replay."""

from __future__ import annotations

import pytest

from kosi_sim.catalog import CATALOG
from kosi_sim.classroom import game, roles
from kosi_sim.model import CityModel
from kosi_sim.parameters import Params
from kosi_sim.scenario import resolve

ACTIVE = ["administration", "lab", "vereine", "businesses", "citizens"]


@pytest.fixture(scope="module")
def scn():
    return resolve("classroom").with_params({"scale": 0.15})


def test_every_param_decision_is_a_catalogue_parameter_inside_its_bounds(scn):
    for r in roles.ROLES:
        for p in r.params:
            lo, hi = p.limits(scn)
            cat = CATALOG.by_name[p.name]
            assert cat.bounds[0] <= lo <= scn.params[p.name] <= hi <= cat.bounds[1]


def test_defaults_validate_to_themselves(scn):
    for r in roles.ROLES:
        assert roles.validate(r.name, roles.defaults(r.name, scn), scn) == roles.defaults(
            r.name, scn
        )


@pytest.mark.parametrize(
    "role, values, words",
    [
        ("administration", {"openness": 1.5}, "openness: 1.5 is out of range"),
        ("administration", {"openness": "x"}, "not a number"),
        ("administration", {"openness": True}, "not a number"),
        ("administration", {"csr_mean": 0.2}, "not a decision of the administration role"),
        ("businesses", {"business_gift": float("nan")}, "out of range"),
        ("lab", {"lab": {"teleport": {"budget": 1}}}, "unknown instrument 'teleport'"),
        ("lab", {"lab": {"small_grants": {"budget": 10**7}}}, "out of range"),
        ("lab", {"lab": {"small_grants": {"districts": ["Mars"]}}}, "unknown district 'Mars'"),
        ("lab", {"lab": {"small_grants": {"districts": []}}}, "at least one district"),
        ("citizens", {"citizens": {"project_eur": 10}}, "citizens.project_eur"),
        ("nobody", {}, "unknown role 'nobody'"),
        ("vereine", [1, 2], "JSON object"),
    ],
)
def test_bad_decisions_are_refused_with_one_line(scn, role, values, words):
    with pytest.raises(roles.DecisionError) as e:
        roles.validate(role, values, scn)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_the_lab_cannot_split_more_than_it_has(scn):
    money, _ = roles.lab_envelope(scn)
    split = {t: {"budget": money / 2} for t in roles.INSTRUMENTS[:3]}
    with pytest.raises(roles.DecisionError, match="split, but the lab has"):
        roles.validate("lab", {"lab": split}, scn)
    d = roles.validate(
        "lab", {"lab": {t: {"budget": 0, "staff": 0} for t in roles.INSTRUMENTS}}, scn
    )
    assert sum(x["budget"] for x in d["lab"].values()) == 0


class _Recording(Params):
    """Params that note every parameter read (to prove a decision is read while running)."""

    __slots__ = ("seen",)

    def __init__(self, base: Params) -> None:
        super().__init__(CATALOG, base.as_dict())
        object.__setattr__(self, "seen", set())

    def __getattr__(self, name):
        value = super().__getattr__(name)
        self.seen.add(name)
        return value

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)


def test_every_param_decision_is_read_while_the_model_runs():
    """A decision between years acts only if the model reads it during the months; the
    parameters read once at the start (initial densities) would change nothing.  Some are
    read only when something happens (a decision at the gate, a business partner found),
    so the town with all ten instruments, where much happens, is used, with a gate of
    five times the staff and two-month lead times, so that the gate decides within the two
    years (at 15% scale the default gate makes about one decision in ten months)."""
    model = CityModel(
        resolve("classroom_toolbox").with_params(
            {"scale": 0.15, "gate_staff_per_100k": 30.0, "approval_lead_time": 2.0}
        )
    )
    rec = _Recording(model.params)
    model.install_params(rec)
    model.run(24)
    wanted = {p.name for r in roles.ROLES for p in r.params}
    assert wanted <= rec.seen, sorted(wanted - rec.seen)


def test_set_params_checks_and_changes_nothing_on_error(scn):
    model = CityModel(scn.without_interventions())
    before = model.params
    with pytest.raises(ValueError):
        model.set_params({"openness": 2.0})
    assert model.params is before and model.initiatives.p.params is before
    model.set_params({"openness": 0.9})
    assert model.administration.p.openness == 0.9
    assert model.initiatives.p.params is model.params


@pytest.fixture(scope="module")
def played(scn):
    """Two years with decisions of every role (module-wide: the model runs are the cost)."""
    d1 = {
        "administration": roles.validate(
            "administration",
            {"openness": 1.0, "risk_aversion": 0.0, "gate_staff_per_100k": 30},
            scn,
        ),
        "lab": roles.validate(
            "lab",
            {
                "lab": {
                    "small_grants": {"districts": ["Dorf"]},
                    "ideas_call": {"budget": 0, "staff": 0},
                }
            },
            scn,
        ),
        "citizens": roles.validate("citizens", {"citizens": {"districts": ["Zentrum"]}}, scn),
    }
    d2 = {"businesses": roles.validate("businesses", {"csr_mean": 0.4, "business_gift": 5000}, scn)}
    g = game.Game(scn, 11, ACTIVE)
    g.play_year(d1)
    g.play_year(d2)
    return g, [d1, d2]


def test_all_default_turns_leave_the_city_and_its_twin_identical(scn):
    g = game.Game(scn, 3, ACTIVE)
    g.play_year({r: roles.defaults(r, scn) for r in ACTIVE})
    played = {(r.district, r.metric): r.value for r in g.rows if r.side == "played"}
    twin = {(r.district, r.metric): r.value for r in g.rows if r.side == "twin"}
    assert played == twin


def test_decisions_change_the_played_city_not_the_twin(played, scn):
    g, _ = played
    assert g.value("played", "initiatives_started", 1) != g.value("twin", "initiatives_started", 1)
    lab = [i for i in g.played.interventions if i.label.startswith("lab.y1.")]
    default = roles.defaults("lab", scn)["lab"]
    assert {i.type for i in lab} == {t for t, d in default.items() if d["budget"] or d["staff"]} - {
        "ideas_call"
    }
    grants = next(i for i in lab if i.type == "small_grants")
    assert grants.spec.budget_eur_per_year == default["small_grants"]["budget"]
    assert list(grants.districts) == [2]  # Dorf
    # year 2: businesses decided, the administration was absent from the turn: its defaults
    assert g.played.params.csr_mean == 0.4 and g.twin.params.csr_mean == scn.params.csr_mean
    assert g.played.params.openness == scn.params.openness


def test_replay_from_the_log_and_seed_gives_the_same_metrics(played, scn):
    g, log = played
    again = game.Game(scn, 11, ACTIVE)
    again.replay(log)
    assert again.rows == g.rows


def test_forty_students_joining_at_once_make_even_teams(tmp_path):
    """Joins that arrive together (one thread each, as the server's thread pool runs them)
    are assigned as if one after the other: four teams of ten, not one team filled twice."""
    import threading

    from kosi_sim.classroom.rooms import Rooms
    from kosi_sim.classroom.store import Store

    rooms = Rooms(Store(tmp_path / "c.sqlite"), resolve("classroom"))
    code = rooms.create()
    start = threading.Barrier(40)

    def join(i):
        start.wait()
        rooms.join(code, f"student {i}")

    threads = [threading.Thread(target=join, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    players = rooms.store.players(code)
    per_role = {r: sum(p["role"] == r for p in players) for r in rooms.room(code)["roles"]}
    assert len(players) == 40 and set(per_role.values()) == {40 // len(per_role)}


def test_the_first_team_cannot_play_the_year_while_classmates_are_still_joining(tmp_path):
    """A role nobody has joined yet is awaited: one team's decision does not play the year
    for the class.  Once the facilitator plays the missing roles with the defaults, it does."""
    from kosi_sim.classroom.rooms import Rooms
    from kosi_sim.classroom.store import Store

    rooms = Rooms(Store(tmp_path / "c.sqlite"), resolve("classroom").with_params({"scale": 0.15}))
    code = rooms.create(years=2)
    token, role = rooms.join(code, "first to arrive")
    rooms.decide(token, {})
    assert rooms.maybe_advance(code) is False and rooms.room(code)["turn"] == 0
    for other in rooms.room(code)["roles"]:
        if other != role:
            rooms.set_defaults(code, other, True)
    assert rooms.maybe_advance(code) is True and rooms.room(code)["turn"] == 1
    sources = {r["role"]: r["source"] for r in rooms.store.log_rows(code)}
    assert sources[role] == "player" and set(sources.values()) == {"player", "default"}
