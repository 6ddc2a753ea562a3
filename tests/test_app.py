"""The teaching app without a browser: controls, the paired cities, map, figures, components."""

from __future__ import annotations

import io
import json
import os
import socket

import ipyvuetify as v
import ipywidgets as w
import numpy as np
import pytest
import solara
from mesa.visualization.solara_viz import ModelController
from PIL import Image

from kosi_sim.app import controls, figures, geometry, i18n, server
from kosi_sim.app.labels_instruments import INSTRUMENTS, PARAMS
from kosi_sim.app.page import CityControls, InitiativesPanel, Page, StepInfo, initial_parameters
from kosi_sim.app.twin import APP_MAX_CITIZENS, CityPair
from kosi_sim.cli import main
from kosi_sim.interventions.registry import REGISTRY
from kosi_sim.scenario import builtin_names, resolve

# -- controls from the declarations ---------------------------------------------------------


def test_every_declared_instrument_parameter_has_a_control():
    keys = {c.key for c in controls.all_controls()}
    for kind, cls in REGISTRY.items():
        assert {f"lab.{kind}", f"budget.{kind}", f"staff.{kind}"} <= keys
        for p in cls.params:
            assert f"{kind}.{p.name}" in keys
    assert {"demographic_pressure", "civic_engagement"} <= keys


def test_controls_take_their_ranges_from_the_declarations():
    from kosi_sim.catalog import CATALOG

    (dp,) = [c for c in controls.driver_controls() if c.key == "demographic_pressure"]
    assert dp.param is CATALOG.by_name["demographic_pressure"]
    assert dp.widget == "slider"
    rt = {c.key: c for c in controls.instrument_controls("round_tables")}
    assert rt["round_tables.facilitated"].widget == "checkbox"
    assert rt["round_tables.theme"].widget == "select"
    assert rt["budget.round_tables"].widget == "number"
    assert rt["budget.round_tables"].param.default == REGISTRY["round_tables"].typical[0]


def test_defaults_follow_the_scenarios_own_lab():
    toolbox = resolve("classroom_toolbox")
    values = controls.defaults(toolbox)
    assert all(values[f"lab.{kind}"] for kind in REGISTRY)
    assert values["budget.participatory_budget"] == 30000
    assert values["round_tables.tables_per_year"] == 1
    plain = controls.defaults(resolve("classroom"))
    assert not any(plain[f"lab.{kind}"] for kind in REGISTRY)
    # a preset's parts are summed per instrument
    wup = controls.defaults(resolve("baseline_wuppertal_lab"))
    assert wup["lab.round_tables"] and wup["round_tables.mandate"] is True


def test_with_lab_has_exactly_the_switched_instruments():
    base = resolve("classroom_toolbox")
    values = {f"lab.{k}": False for k in REGISTRY} | {
        "lab.round_tables": True,
        "round_tables.facilitated": False,
        "budget.round_tables": 1234.0,
        "civic_engagement": 0.5,
    }
    scn = controls.with_lab(base, values)
    (spec,) = scn.intervention_specs
    assert spec.type == "round_tables" and spec.budget_eur_per_year == 1234.0
    assert spec.params["facilitated"] is False
    assert scn.params["civic_engagement"] == 0.5


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"lab.teleporter": True}, "unknown control 'lab.teleporter'"),
        (
            {"demographic_pressure": 3.0},
            "demographic_pressure: 3 is out of range; allowed a number from 0 to 1",
        ),
        ({"round_tables.theme": "football"}, "round_tables.theme: must be one of auto"),
    ],
)
def test_bad_control_values_are_named(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        controls.check(values)


# -- labels ---------------------------------------------------------------------------------


def test_every_label_exists_in_both_languages():
    for table in i18n.TABLES:
        for key, pair in table.items():
            assert len(pair) == 2 and all(pair), key
    assert set(INSTRUMENTS) == set(REGISTRY)
    declared = {f"{k}.{p.name}" for k, cls in REGISTRY.items() for p in cls.params}
    assert set(PARAMS) == declared
    for labels in PARAMS.values():
        assert labels["en"] and labels["de"]
    assert set(i18n.STAGES) >= {"idea", "proposal", "gate", "active", "sustained"}


# -- the paired cities ----------------------------------------------------------------------


def test_without_instruments_both_cities_are_identical():
    pair = CityPair("classroom")
    for _ in range(4):
        pair.step()
    a = np.stack(pair.with_lab.recorder.history)
    b = np.stack(pair.without_lab.recorder.history)
    np.testing.assert_array_equal(a, b)


def test_lab_only_changes_the_city_with_lab():
    pair = CityPair("classroom", **{"lab.contact_point": True, "lab.matching": True})
    first = [m.recorder.history[0] for m in (pair.with_lab, pair.without_lab)]
    np.testing.assert_array_equal(*first)  # same city at month 0: common random numbers
    for _ in range(6):
        pair.step()
    assert pair.month == 6
    assert pair.with_lab.recorder.series("lab_spending").sum() > 0
    assert pair.without_lab.recorder.series("lab_spending").sum() == 0
    assert pair.without_lab.interventions == []


def test_pair_stops_at_the_scenarios_end():
    pair = CityPair("classroom")
    pair.months = 2
    pair.step()
    assert pair.running
    pair.step()
    assert not pair.running
    pair.step()
    assert pair.month == 2


def test_big_cities_are_scaled_down_for_the_app():
    pair = CityPair("dortmund")
    assert pair.with_lab.pop.n_alive <= APP_MAX_CITIZENS * 1.01
    assert pair.lab_scenario.scale < 0.2


@pytest.mark.parametrize("seed", ["abc", "-3"])
def test_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="allowed: a whole number >= 0"):
        CityPair("classroom", seed=seed)


# -- the schematic map ----------------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names())
def test_map_areas_follow_population(name):
    scn = resolve(name)
    pop = np.array([d.population for d in scn.districts], dtype=float)
    rem = np.array([d.remoteness for d in scn.districts])
    dmap = geometry.build(pop, rem, size=120)
    target = pop * (1 + rem) / (pop * (1 + rem)).sum()
    assert np.max(np.abs(dmap.area_shares() - target)) < 0.02
    # a marker lands inside its own district, at the same place every time
    d = np.arange(len(pop))
    xy = dmap.points(d, d * 7 + 1)
    assert (dmap.labels[xy[:, 1].astype(int), xy[:, 0].astype(int)] == d).all()
    np.testing.assert_array_equal(xy, dmap.points(d, d * 7 + 1))


# -- figures and components -----------------------------------------------------------------


@pytest.fixture(scope="module")
def played():
    pair = CityPair("classroom_toolbox")
    for _ in range(12):
        pair.step()
    return pair


def test_map_renders_every_indicator(played):
    spec = played.lab_scenario
    dmap = geometry.build(
        np.array([d.population for d in spec.districts]),
        np.array([d.remoteness for d in spec.districts]),
    )
    for metric in i18n.INDICATORS:
        png = figures.city_map(played.with_lab, dmap, metric, "de", "mit Labor")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size[0] > dmap.size
    assert len(played.with_lab.initiatives.open_rows()) > 0


def test_charts_show_both_cities(played):
    options = figures.chart_options(played, "en")
    assert len(options) == len(figures.CHARTS)
    first = options[0]["series"]
    assert [s["lineStyle"]["type"] for s in first] == ["solid", "dashed"]
    np.testing.assert_allclose(
        [y for _, y in first[0]["data"]],
        played.with_lab.recorder.series("engaged_share"),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        [y for _, y in first[1]["data"]],
        played.without_lab.recorder.series("engaged_share"),
        atol=1e-6,
    )
    json.dumps(options)  # plain data for the browser


def test_initiative_list_names_leader_partners_and_stage(played):
    rows = figures.initiative_rows(played.with_lab, "de")
    assert rows
    stages = {i18n.stage(s, "de") for s in ("idea", "proposal", "gate", "active", "sustained")}
    assert all(r["Phase"] in stages for r in rows)
    assert all("Engagierte" in r["Partner"] for r in rows)
    assert any(r["Geleitet von"].startswith("Bürger:in") for r in rows)


def test_controller_steps_and_resets_with_the_controls():
    model = solara.reactive(CityPair("classroom"))
    params = solara.reactive(initial_parameters("classroom"))

    @solara.component
    def Harness():
        ModelController(
            model,
            model_parameters=params,
            play_interval=solara.reactive(10),
            render_interval=solara.reactive(1),
            use_threads=solara.reactive(False),
        )
        StepInfo(model.value, "en")
        CityControls(params, "en", ["classroom", "classroom_toolbox"])

    _, rc = solara.render(Harness(), handle_error=False)
    rc.find(v.Btn, children=["Step"]).widget.click()
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert model.value.month == 2
    rc.find(v.Html, children=["Month 2 / 120 (Year 1)"]).assert_single()
    params.set({**params.value, "lab.round_tables": True, "demographic_pressure": 0.5})
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert model.value.month == 0
    assert [s.type for s in model.value.lab_scenario.intervention_specs] == ["round_tables"]
    assert model.value.lab_scenario.params["demographic_pressure"] == 0.5


def test_page_renders_both_maps_and_the_tabs():
    _, rc = solara.render(Page(), handle_error=False)
    assert len(rc.find(v.Tab).widgets) == 5
    assert len(rc.find(w.Image).widgets) >= 2


def test_initiatives_panel_switches_city(played):
    _, rc = solara.render(InitiativesPanel(played, "en"), handle_error=False)
    n_with = len(played.with_lab.initiatives.open_rows())
    rc.find(v.Html, children=[f"{n_with} open initiatives"]).assert_single()
    rc.find(v.BtnToggle).widget.v_model = 1  # "without lab"
    n = len(played.without_lab.initiatives.open_rows())
    rc.find(v.Html, children=[f"{n} open initiatives"]).assert_single()


# -- starting the app -----------------------------------------------------------------------


def test_offline_assets_are_installed():
    assert server.missing_assets() == []


def test_app_command_refuses_bad_input(capsys, tmp_path, monkeypatch):
    assert main(["app", "nosuchtown"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown scenario 'nosuchtown'" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
        assert f"port {port} on 127.0.0.1 is in use" in capsys.readouterr().err
    monkeypatch.setattr(server, "asset_dir", lambda: tmp_path)
    assert main(["app"]) == 2
    assert "offline assets are missing" in capsys.readouterr().err


def test_app_command_line_is_local_and_offline():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd, env = server.prepare("classroom", "de", "127.0.0.1", port)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert "--production" in cmd
    assert "--no-check-version" in cmd  # no "New version of Solara available" notice
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["KOSI_APP_LANG"] == "de"
    assert server.QUIET_WARNINGS in env["PYTHONWARNINGS"].split(",")


def test_app_environment_is_the_servers_only(monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "default::DeprecationWarning")
    env = server.environment("classroom", "en")
    assert env["PYTHONWARNINGS"] == f"default::DeprecationWarning,{server.QUIET_WARNINGS}"
    assert os.environ["PYTHONWARNINGS"] == "default::DeprecationWarning"
