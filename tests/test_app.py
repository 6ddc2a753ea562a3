"""The teaching app without a browser: controls, the paired cities, map, figures, components."""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import socket
from pathlib import Path

import ipyvuetify as v
import ipywidgets as w
import numpy as np
import pytest
import solara
from PIL import Image
from solara.components.title import TitleWidget

from kosi_sim.app import controls, figures, geometry, i18n, mapimage, numbers, server
from kosi_sim.app.labels_instruments import INSTRUMENTS, PARAMS
from kosi_sim.app.page import (
    AboutPanel,
    ChartsPanel,
    CityControls,
    InitiativesPanel,
    InstrumentControls,
    LabPanel,
    MapPanel,
    Page,
    StepInfo,
    initial_parameters,
    step_info,
)
from kosi_sim.app.runcontrol import RunController
from kosi_sim.app.twin import APP_MAX_CITIZENS, CityPair
from kosi_sim.app.widgets import LocaleEchartsWidget, VuetifyLanguageWidget
from kosi_sim.cli import common, main
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


def test_every_interface_key_the_app_uses_is_declared():
    used = set()
    for path in Path(figures.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"\bi18n\.t\(\s*\"(\w+)\"", path.read_text()))
        used |= set(
            re.findall(r"\bi18n\.t\(\s*(?:\"\w+\" if .*? else )?\"(\w+)\"", path.read_text())
        )
    assert {"reset", "play", "pause", "step", "page_title", "month_start"} <= used
    assert used <= set(i18n.UI), sorted(used - set(i18n.UI))


# -- numbers in the app's language -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            ["1,234", "-1,234.5", "12.3%", "EUR\u00a024,120", "24,120", "0.05", "1,500", "0"],
        ),
        (
            "de",
            [
                "1.234",
                "-1.234,5",
                "12,3\u00a0%",
                "24.120\u00a0EUR",
                "24.120",
                "0,05",
                "1.500",
                "0",
            ],
        ),
    ],
)
def test_numbers_are_written_the_languages_way(lang, expected):
    got = [
        numbers.number(1234, lang),
        numbers.number(-1234.5, lang, 1),
        numbers.percent(0.1234, lang),
        numbers.eur(24120.0, lang),
        numbers.count(24120.0, lang),
        numbers.short(0.05, lang),
        numbers.short(1500.0, lang),
        numbers.number(-0.2, lang),  # never "-0"
    ]
    assert got == expected


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("24.000,5", "de", 24000.5), ("2,5", "de", 2.5), ("24,000.5", "en", 24000.5), ("7", "en", 7)],
)
def test_typed_numbers_are_read_the_languages_way(text, lang, value):
    assert numbers.parse(text, lang) == value


@pytest.mark.parametrize(("text", "lang"), [("2.5", "de"), ("12,34", "en"), ("abc", "en")])
def test_ambiguous_typed_numbers_are_refused(text, lang):
    with pytest.raises(ValueError, match="not a number"):
        numbers.parse(text, lang)


def test_month_0_is_named_as_in_the_cli_summary():
    cli_label = "month 0 (after spin-up)"
    assert cli_label in inspect.getsource(common._summary_table)
    assert i18n.t("month_start", "en").lower() == cli_label
    assert step_info(0, 120, "en") == "Month 0 (after spin-up) of 120"
    assert step_info(0, 120, "de") == "Monat 0 (nach der Einschwingphase) von 120"
    assert step_info(13, 1200, "de") == "Monat 13 von 1.200 (Jahr 2)"


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


def test_map_writes_values_in_the_language(played, monkeypatch):
    seen = {}

    def fake_render(*args):
        seen["fmt"] = args[-1]
        return b""

    monkeypatch.setattr(mapimage, "render", fake_render)
    spec = played.lab_scenario
    dmap = geometry.build(
        np.array([d.population for d in spec.districts]),
        np.array([d.remoteness for d in spec.districts]),
    )
    figures.city_map(played.with_lab, dmap, "engaged_share", "de")
    assert seen["fmt"](0.1234) == "12,3\u00a0%"
    figures.city_map(played.with_lab, dmap, "coverage_mean", "de")
    assert seen["fmt"](0.75) == "0,75"
    figures.city_map(played.with_lab, dmap, "engaged_share", "en")
    assert seen["fmt"](0.1234) == "12.3%"


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


def test_charts_write_numbers_in_the_language_and_keep_the_sign(played):
    options = dict(
        zip((name for name, _ in figures.CHARTS), figures.chart_options(played, "de"), strict=True)
    )
    budget = options["budget"]
    assert budget["grid"]["containLabel"]  # long negative ticks are not cut off
    y = budget["kosi_format"]["y"]
    assert (y["decimal"], y["group"], y["suffix"], y["percent"]) == (",", ".", "\u00a0EUR", False)
    assert budget["kosi_format"]["month_start"] == i18n.t("month_start", "de")
    assert options["engagement"]["kosi_format"]["y"]["percent"]
    assert options["engagement"]["kosi_format"]["y"]["percent_sign"] == "\u00a0%"
    assert options["initiatives"]["yAxis"]["minInterval"] == 1
    en = figures.chart_options(played, "en")[4]["kosi_format"]["y"]
    assert (en["decimal"], en["group"], en["prefix"]) == (".", ",", "EUR\u00a0")
    # the budget balance is a signed series: the chart gets its negative values as they are
    values = figures.series_values(played.with_lab, "budget_balance")
    np.testing.assert_allclose([v for _, v in budget["series"][0]["data"]], values, atol=1e-5)
    assert (values < 0).any()


def test_lab_report_figures_are_formatted_and_numbered_from_1(played):
    for lang, amount in (
        ("de", r"\d{1,3}(\.\d{3})*\u00a0EUR"),
        ("en", r"EUR\u00a0\d{1,3}(,\d{3})*"),
    ):
        table = figures.lab_table(played.with_lab, lang)
        assert list(table.index) == list(range(1, len(table) + 1))
        what, total = table.columns[1], table.columns[2]
        money = table[table[what].str.contains("EUR")][total]
        assert len(money) and money.str.fullmatch(amount).all(), money.tolist()
        counts = table[~table[what].str.contains("EUR")][total]
        group = "." if lang == "de" else ","
        assert counts.str.fullmatch(rf"\d{{1,3}}(\{group}\d{{3}})*").all(), counts.tolist()
    # the figure is the sum of what the instrument reported
    label, kind = played.with_lab.intervention_log[0][1:3]
    spent = sum(
        c.get("money_eur", 0.0) for _, lab, _, c in played.with_lab.intervention_log if lab == label
    )
    table = figures.lab_table(played.with_lab, "de")
    name = i18n.instrument(kind, "de")[0]
    row = table[
        table["Instrument"].str.startswith(name)
        & (table["Was"] == i18n.lab_metric("money_eur", "de"))
    ]
    assert row["Bisher"].tolist() == [numbers.eur(spent, "de")]


def test_lab_report_marks_the_illustrative_instruments(played):
    """Instruments without published evidence carry the mark, the others do not."""
    from kosi_sim.catalog import illustrative

    table = figures.lab_table(played.with_lab, "de")
    mark = i18n.t("illustrative_mark", "de")
    kinds = {kind for _, _, kind, _ in played.with_lab.intervention_log}
    assert any(illustrative(k) for k in kinds) and not all(illustrative(k) for k in kinds)
    for kind in kinds:
        rows = table[table["Instrument"].str.startswith(i18n.instrument(kind, "de")[0])]
        assert len(rows) and rows["Instrument"].str.endswith(mark).all() == illustrative(kind)


def test_lab_report_says_how_certain_the_effect_is(played):
    """The note under the lab report: one run without an interval, and for each instrument
    switched on how many of its own parameters rest on published evidence (register)."""
    from kosi_sim.catalog import evidenced_share, illustrative

    kinds = {spec.type for spec in played.with_lab.spec.intervention_specs}
    for lang in ("en", "de"):
        note = figures.lab_certainty(played.with_lab, lang)
        assert "--uncertainty prior" in note
        for kind in kinds:
            n, m = evidenced_share(kind)
            said = f"{i18n.instrument(kind, lang)[0]} {i18n.t('evidenced_of', lang)}"
            assert said.format(n=n, m=m) in note
            assert (n == 0) == illustrative(kind)
    assert "no interval" in figures.lab_certainty(played.with_lab, "en")


def test_initiative_list_names_leader_partners_and_stage(played):
    rows = figures.initiative_rows(played.with_lab, "de")
    assert rows
    stages = {i18n.stage(s, "de") for s in ("idea", "proposal", "gate", "active", "sustained")}
    assert all(r["Phase"] in stages for r in rows)
    assert all("Engagierte" in r["Partner"] for r in rows)
    assert any(r["Geleitet von"].startswith("Bürger:in") for r in rows)


@pytest.mark.parametrize(
    ("lang", "labels", "month2", "month0"),
    [
        ("en", ("Reset", "▶ Play", "❚❚ Pause", "Step"), "Month 2 of 120 (Year 1)", "Month 0"),
        (
            "de",
            ("Zurücksetzen", "▶ Abspielen", "❚❚ Anhalten", "Schritt"),
            "Monat 2 von 120 (Jahr 1)",
            "Monat 0",
        ),
    ],
)
def test_controller_steps_and_resets_with_the_controls(lang, labels, month2, month0):
    reset, play, pause, step = labels
    model = solara.reactive(CityPair("classroom"))
    params = solara.reactive(initial_parameters("classroom"))

    @solara.component
    def Harness():
        RunController(model, params, lang)
        StepInfo(model.value, lang)
        CityControls(params, lang, ["classroom", "classroom_toolbox"])

    _, rc = solara.render(Harness(), handle_error=False)
    rc.find(v.Html, children=[step_info(0, 120, lang)]).assert_single()
    assert step_info(0, 120, lang).startswith(month0)
    rc.find(v.Btn, children=[step]).widget.click()
    rc.find(v.Btn, children=[step]).widget.click()
    assert model.value.month == 2
    rc.find(v.Html, children=[month2]).assert_single()
    params.set({**params.value, "lab.round_tables": True, "demographic_pressure": 0.5})
    rc.find(v.Btn, children=[reset]).widget.click()
    assert model.value.month == 0
    assert [s.type for s in model.value.lab_scenario.intervention_specs] == ["round_tables"]
    assert model.value.lab_scenario.params["demographic_pressure"] == 0.5
    # the driver label shows its value in the language
    shown = numbers.number(0.5, lang, 2)
    rc.find(
        v.Html, children=[f"{i18n.driver('demographic_pressure', lang)}: {shown}"]
    ).assert_single()
    # Play turns into Pause and back (the label only; the steps it runs are not timed here)
    rc.find(v.Btn, children=[play]).widget.click()
    rc.find(v.Btn, children=[pause]).widget.click()
    rc.find(v.Btn, children=[play]).assert_single()


def test_budget_field_reads_and_shows_german_numbers():
    params = solara.reactive(initial_parameters("classroom") | {"lab.small_grants": True})
    _, rc = solara.render(InstrumentControls("small_grants", params, "de"), handle_error=False)

    def field():
        return rc.find(v.TextField, label="Budget (EUR pro Jahr)").widget

    def type_in(text):  # as a user does: type, then leave the field
        field().v_model = text
        field().fire_event("focusout", None)

    assert field().v_model == numbers.short(params.value["budget.small_grants"], "de")
    type_in("24.000,5")
    assert params.value["budget.small_grants"] == 24000.5
    assert field().v_model == "24.000,5"
    type_in("2.5")  # English decimal point in German: refused, and said so
    assert params.value["budget.small_grants"] == 24000.5
    assert field().error and "keine Zahl" in str(field().messages)


def test_page_renders_both_maps_and_the_tabs():
    _, rc = solara.render(Page(), handle_error=False)
    assert len(rc.find(v.Tab).widgets) == 5
    assert len(rc.find(w.Image).widgets) >= 2
    # the browser tab's title, and Vuetify's own texts, in the page's language
    assert rc.find(TitleWidget).widget.title == "kosi-sim – co-producing a city"
    assert rc.find(VuetifyLanguageWidget).widget.lang == "en"


def _walk(widget):
    yield widget
    for name in ("children", "v_slots"):
        for child in getattr(widget, name, None) or ():
            if isinstance(child, dict):  # a slot
                child = child.get("children")
            for c in child if isinstance(child, list | tuple) else [child]:
                if isinstance(c, w.Widget):
                    yield from _walk(c)


def _visible_texts(root) -> set[str]:
    """The words a user sees in a rendered tree: texts, labels, titles, table headers."""
    out: set[str] = set()
    for widget in _walk(root):
        names = (
            "children",
            "label",
            "title",
            "hint",
            "placeholder",
            "messages",
            "items",
            "v_model",
        )
        for name in names:
            value = getattr(widget, name, None)
            values = value if isinstance(value, list | tuple) else [value]
            out |= {x.strip() for x in values if isinstance(x, str) and x.strip()}
        if isinstance(widget, LocaleEchartsWidget):
            option = widget.option
            out.add(option["title"]["text"])
            out |= set(option.get("legend", {}).get("data", []))
        headers = getattr(widget, "headers", None)
        if isinstance(headers, list):
            out |= {h["text"] for h in headers}
    return out


def test_no_english_word_in_the_german_page(played, monkeypatch):
    """Every visible text of the German page is German: none of it is an English label of
    ours (unless it is the same word in German) or one of Mesa's or Solara's own."""
    english = {en for table in i18n.TABLES for en, de in table.values() if en != de}
    english |= {
        en
        for kind in INSTRUMENTS.values()
        for en, de in zip(*kind.values(), strict=True)
        if en != de
    }
    english |= {p["en"] for p in PARAMS.values() if p["en"] != p["de"]}
    english |= {"Reset", "Step", "▶", "❚❚", "Play", "Pause"}  # Mesa's controller
    monkeypatch.setenv("KOSI_APP_LANG", "de")
    monkeypatch.setenv("KOSI_APP_SCENARIO", "classroom_toolbox")
    seen = set()

    @solara.component
    def Served():  # as `solara run` shows it: the sidebar and app bar need the layout
        with solara.AppLayout():
            Page()

    for element in (
        Served(),
        ChartsPanel(played, "de"),
        InitiativesPanel(played, "de"),
        LabPanel(played, "de"),
        AboutPanel("de"),
        MapPanel(played, "de", solara.reactive("engaged_share")),
    ):
        box, _ = solara.render(element, handle_error=False)
        seen |= _visible_texts(box)
    assert i18n.t("reset", "de") in seen and i18n.t("tab_lab", "de") in seen
    assert "Monat 0 (nach der Einschwingphase) von 120" in seen
    assert {"Demografischer Druck: 0,00", numbers.short(3000.0, "de")} <= seen
    assert i18n.t("page_title", "de") == "kosi-sim – Stadt gemeinsam gestalten" in seen
    leaked = {text for text in seen if text in english or text.split(":")[0] in english}
    assert not leaked, sorted(leaked)
    # numbers in the German page are German: no "0.25" or "24000.0"
    decimal_points = {t for t in seen if re.search(r"\d\.\d{1,2}(?!\d)|\d\.0\b", t)}
    assert not decimal_points, sorted(decimal_points)


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
