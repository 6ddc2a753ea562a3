"""The browser app: a Solara page around Mesa's model controller and a :class:`CityPair`.

Layout: the sidebar holds Mesa's ``ModelController`` (Reset, Play/Pause, Step), the city
and driver controls and the lab instruments, all generated from the parameter
declarations (:mod:`kosi_sim.app.controls`).  The main area has four tabs: the district map
of both cities side by side, the charts over time (with lab solid, without dashed), the
live list of initiatives and a short explanation.

The page is composed from Solara components rather than SolaraViz's draggable grid, whose
main panel rendered empty in a real browser here (see ``docs/teaching/README.md``); the
model controller is Mesa's own.  Run it with ``kosi-sim app``; the scenario and language
it starts with come from ``KOSI_APP_SCENARIO`` and ``KOSI_APP_LANG`` set by that command.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from ..interventions.registry import REGISTRY
from ..scenario import builtin_names, resolve
from . import controls, figures, geometry, i18n
from .twin import CityPair

INDICATORS = tuple(i18n.INDICATORS)


def start_settings() -> tuple[str, str]:
    """(scenario, language) the app opens with."""
    return (
        os.environ.get("KOSI_APP_SCENARIO", "classroom"),
        i18n.check_lang(os.environ.get("KOSI_APP_LANG", "en")),
    )


def initial_parameters(city: str) -> dict[str, Any]:
    """The keyword arguments of :class:`CityPair` for a freshly picked scenario."""
    return {"city": city, "seed": "", **controls.defaults(resolve(city))}


def scenario_choices(city: str) -> list[str]:
    names = builtin_names()
    return names if city in names else [city, *names]


# -- controls -------------------------------------------------------------------------------
@solara.component
def ParamInput(control: controls.Control, value: Any, on_value, label: str):
    """One input generated from a parameter declaration."""
    p = control.param
    widget = control.widget
    if widget == "checkbox":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    elif widget == "select":
        solara.Select(label=label, value=value, values=list(p.choices or ()), on_value=on_value)
    elif widget == "number":
        lo, hi = p.bounds or (0.0, float("inf"))

        def clip(v, lo=lo, hi=hi):
            if v is not None:
                on_value(float(min(max(v, lo), hi)))

        solara.InputFloat(label=label, value=float(value), on_value=clip, continuous_update=False)
    else:  # sliders: the label on its own line, so long labels leave the slider its width
        lo, hi = p.bounds
        with solara.Column(gap="0px", style={"margin-top": "6px"}):
            solara.Text(label, style={"font-size": "0.85em", "color": "#444"})
            if isinstance(p.default, int):
                solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), on_value=on_value)
            else:
                solara.SliderFloat(
                    "", value=float(value), min=lo, max=hi, step=control.step(), on_value=on_value
                )


@solara.component
def CityControls(params: solara.Reactive[dict], lang: str, choices: list[str]):
    values = params.value
    seed_error = solara.use_reactive("")

    def set_key(key, v):
        params.set({**params.value, key: v})

    def pick(city):
        params.set(initial_parameters(city))

    def set_seed(text):
        text = text.strip()
        if text and not (text.isdigit()):
            seed_error.set(f"{text!r}: 0, 1, 2, ...")
            return
        seed_error.set("")
        set_key("seed", text)

    solara.Select(
        label=i18n.t("scenario", lang), value=values["city"], values=choices, on_value=pick
    )
    solara.InputText(
        i18n.t("seed", lang),
        value=str(values["seed"]),
        on_value=set_seed,
        error=seed_error.value or False,
    )
    for c in controls.driver_controls():
        ParamInput(
            c,
            values[c.key],
            lambda v, k=c.key: set_key(k, v),
            f"{i18n.driver(c.key, lang)}: {values[c.key]:.2f}",
        )
    solara.Text(i18n.t("apply_hint", lang), style={"font-size": "0.8em", "color": "#666"})


@solara.component
def InstrumentControls(kind: str, params: solara.Reactive[dict], lang: str):
    values = params.value
    name, doc = i18n.instrument(kind, lang)

    def set_key(key, v):
        params.set({**params.value, key: v})

    switch, budget, staff, *own = controls.instrument_controls(kind)
    with solara.Column(gap="0px"):
        ParamInput(switch, values[switch.key], lambda v: set_key(switch.key, v), name)
        if values[switch.key]:
            solara.Text(doc, style={"font-size": "0.8em", "color": "#555"})
            with solara.Row():
                ParamInput(
                    budget,
                    values[budget.key],
                    lambda v: set_key(budget.key, v),
                    i18n.t("budget", lang),
                )
                ParamInput(
                    staff, values[staff.key], lambda v: set_key(staff.key, v), i18n.t("staff", lang)
                )
            with solara.Details(summary=i18n.t("more", lang)):
                for c in own:
                    label = i18n.instrument_param(kind, c.param.name, lang)
                    value = values[c.key]
                    shown = (
                        f"{label}: {value:g}"
                        if isinstance(value, int | float) and not isinstance(value, bool)
                        else label
                    )
                    ParamInput(c, value, lambda v, k=c.key: set_key(k, v), shown)


# -- main panels ----------------------------------------------------------------------------
@solara.component
def StepInfo(pair: CityPair, lang: str):
    update_counter.get()
    m = pair.month
    solara.Text(
        f"{i18n.t('month', lang)} {m} / {pair.months} "
        f"({i18n.t('year', lang)} {m // 12 + 1 if m < pair.months else m // 12})"
    )


@solara.component
def MapPanel(pair: CityPair, lang: str, indicator: solara.Reactive[str]):
    update_counter.get()
    spec = pair.lab_scenario
    dmap = solara.use_memo(
        lambda: geometry.build(
            np.array([d.population for d in spec.districts]),
            np.array([d.remoteness for d in spec.districts]),
        ),
        [tuple((d.name, d.population, d.remoteness) for d in spec.districts)],
    )
    labels = {i18n.indicator(name, lang): name for name in INDICATORS}
    solara.Select(
        label=i18n.t("indicator", lang),
        value=i18n.indicator(indicator.value, lang),
        values=list(labels),
        on_value=lambda label: indicator.set(labels[label]),
    )
    both = [figures.district_values(m, indicator.value) for m in (pair.with_lab, pair.without_lab)]
    vmax = None
    if not indicator.value.startswith("coverage"):
        vmax = figures.value_range(indicator.value, np.concatenate(both))[1]
    with solara.Columns([1, 1]):
        for side, model in pair.sides.items():
            solara.Image(
                figures.city_map(model, dmap, indicator.value, lang, i18n.t(side, lang), vmax),
                width="100%",
            )
    solara.Text(i18n.t("map_note", lang), style={"font-size": "0.8em", "color": "#666"})
    if spec.scale < 1.0:
        solara.Text(
            i18n.t("scaled_note", lang).format(n=round(1 / spec.scale)),
            style={"font-size": "0.8em", "color": "#666"},
        )


@solara.component
def ChartsPanel(pair: CityPair, lang: str):
    update_counter.get()
    options = figures.chart_options(pair, lang)
    solara.Text(
        f"—— {i18n.t('with_lab', lang)}    - - - {i18n.t('without_lab', lang)}",
        style={"font-size": "0.85em"},
    )
    for row in range(0, len(options), 3):
        with solara.Columns([1, 1, 1]):
            for option in options[row : row + 3]:
                solara.FigureEcharts(
                    option=option, attributes={"style": "height: 290px"}, responsive=True
                )


@solara.component
def InitiativesPanel(pair: CityPair, lang: str, side: solara.Reactive[str] | None = None):
    update_counter.get()
    side = solara.use_reactive(side if side is not None else "with_lab")
    labels = {i18n.t(key, lang): key for key in pair.sides}
    solara.ToggleButtonsSingle(
        value=i18n.t(side.value, lang),
        values=list(labels),
        on_value=lambda label: side.set(labels[label]),
    )
    model = pair.sides[side.value]
    rows = figures.initiative_rows(model, lang)
    solara.Text(f"{len(model.initiatives.open_rows())} {i18n.t('initiatives_total', lang)}")
    if rows:
        table = pd.DataFrame(rows).set_index(i18n.t("col_id", lang))
        solara.DataFrame(table, items_per_page=25)
    else:
        solara.Text(i18n.t("no_initiatives", lang))


@solara.component
def LabPanel(pair: CityPair, lang: str):
    update_counter.get()
    rows = figures.lab_report(pair.with_lab, lang)
    if rows:
        solara.DataFrame(pd.DataFrame(rows), items_per_page=40)
    else:
        solara.Text(i18n.t("no_lab", lang))


@solara.component
def AboutPanel(lang: str):
    solara.Markdown(i18n.t("about", lang))


# -- the page -------------------------------------------------------------------------------
@solara.component
def Page():
    city0, lang0 = start_settings()
    lang = solara.use_reactive(lang0)
    params = solara.use_reactive(solara.use_memo(lambda: initial_parameters(city0), []))
    first = solara.use_memo(lambda: CityPair(**initial_parameters(city0)), [])
    model = solara.use_reactive(first)
    play_interval = solara.use_reactive(150)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    choices = solara.use_memo(lambda: scenario_choices(city0), [])
    indicator = solara.use_reactive("engaged_share")
    side = solara.use_reactive("with_lab")
    lg = lang.value

    with solara.AppBar():
        solara.AppBarTitle(f"{i18n.t('title', lg)}: {model.value.lab_scenario.name}")
        solara.Button(
            i18n.t("language", lg),
            text=True,
            on_click=lambda: lang.set("de" if lg == "en" else "en"),
        )

    with solara.Sidebar():
        with solara.Card(i18n.t("controls", lg)):
            ModelController(
                model,
                model_parameters=params,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            StepInfo(model.value, lg)
        with solara.Card(i18n.t("city", lg)):
            CityControls(params, lg, choices)
        with solara.Card(i18n.t("lab", lg)):
            for kind in REGISTRY:
                InstrumentControls(kind, params, lg)

    # lazy: only the visible tab is drawn after each step
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab(i18n.t("tab_map", lg)):
            MapPanel(model.value, lg, indicator)
        with solara.lab.Tab(i18n.t("tab_charts", lg)):
            ChartsPanel(model.value, lg)
        with solara.lab.Tab(i18n.t("tab_initiatives", lg)):
            InitiativesPanel(model.value, lg, side)
        with solara.lab.Tab(i18n.t("tab_lab", lg)):
            LabPanel(model.value, lg)
        with solara.lab.Tab(i18n.t("tab_about", lg)):
            AboutPanel(lg)
