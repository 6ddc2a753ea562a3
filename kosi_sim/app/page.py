"""The browser app: a Solara page around a :class:`CityPair`.

Layout: the sidebar holds the run controller (Reset, Play/Pause, Step; :mod:`.runcontrol`),
the city and driver controls and the lab instruments, all generated from the parameter
declarations (:mod:`kosi_sim.app.controls`).  The main area has four tabs: the district map
of both cities side by side, the charts over time (with lab solid, without dashed), the
live list of initiatives and a short explanation.

The page is composed from Solara components rather than SolaraViz's draggable grid, whose
main panel rendered empty in a real browser here (see ``docs/teaching/README.md``).  Every
word and number follows the chosen language (:mod:`.i18n`, :mod:`.numbers`).  Run it with
``kosi-sim app``; the scenario and language it starts with come from ``KOSI_APP_SCENARIO``
and ``KOSI_APP_LANG`` set by that command.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
import solara
from mesa.visualization.utils import update_counter

from ..interventions.registry import REGISTRY
from ..scenario import builtin_names, resolve
from . import controls, figures, geometry, i18n, numbers
from .runcontrol import RunController
from .twin import CityPair
from .widgets import Chart, Prose, VuetifyLanguage

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
def NumberInput(label: str, value: float, on_value, lang: str):
    """A number field that shows and reads numbers in ``lang``'s way ("24.000,5")."""
    error = solara.use_reactive("")

    def read(text: str) -> None:
        try:
            number = numbers.parse(text, lang)
        except ValueError:
            error.set(i18n.t("number_error", lang).format(text=text))
            return
        error.set("")
        on_value(number)

    solara.InputText(
        label,
        value=numbers.short(value, lang),
        on_value=read,
        error=error.value or False,
        continuous_update=False,
    )


@solara.component
def ParamInput(control: controls.Control, value: Any, on_value, label: str, lang: str = "en"):
    """One input generated from a parameter declaration."""
    p = control.param
    widget = control.widget
    if widget == "checkbox":
        solara.Checkbox(label=label, value=bool(value), on_value=on_value)
    elif widget == "select":  # choices that are service domains shown in the language
        shown = {i18n.domain(c, lang) if c in i18n.DOMAINS else c: c for c in p.choices or ()}
        current = next(k for k, c in shown.items() if c == value)
        solara.Select(
            label=label,
            value=current,
            values=list(shown),
            on_value=lambda k: on_value(shown[k]),
        )
    elif widget == "number":
        lo, hi = p.bounds or (0.0, float("inf"))

        def clip(v, lo=lo, hi=hi):
            if v is not None:
                on_value(float(min(max(v, lo), hi)))

        NumberInput(label, float(value), clip, lang)
    else:  # sliders: the label on its own line, so long labels leave the slider its width
        lo, hi = p.bounds
        with solara.Column(gap="0px", style={"margin-top": "6px"}):
            solara.Text(label, style={"font-size": "0.85em", "color": "#444"})
            # no thumb label: it would show the raw value; the label shows it in the language
            if isinstance(p.default, int):
                solara.SliderInt(
                    "",
                    value=int(value),
                    min=int(lo),
                    max=int(hi),
                    on_value=on_value,
                    thumb_label=False,
                )
            else:
                solara.SliderFloat(
                    "",
                    value=float(value),
                    min=lo,
                    max=hi,
                    step=control.step(),
                    on_value=on_value,
                    thumb_label=False,
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
            seed_error.set(i18n.t("seed_error", lang).format(text=text))
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
            f"{i18n.driver(c.key, lang)}: {numbers.number(values[c.key], lang, 2)}",
            lang,
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
        ParamInput(switch, values[switch.key], lambda v: set_key(switch.key, v), name, lang)
        if values[switch.key]:
            solara.Text(doc, style={"font-size": "0.8em", "color": "#555"})
            with solara.Row():
                ParamInput(
                    budget,
                    values[budget.key],
                    lambda v: set_key(budget.key, v),
                    i18n.t("budget", lang),
                    lang,
                )
                ParamInput(
                    staff,
                    values[staff.key],
                    lambda v: set_key(staff.key, v),
                    i18n.t("staff", lang),
                    lang,
                )
            with solara.Details(summary=i18n.t("more", lang)):
                for c in own:
                    label = i18n.instrument_param(kind, c.param.name, lang)
                    value = values[c.key]
                    shown = (
                        f"{label}: {numbers.short(value, lang)}"
                        if isinstance(value, int | float) and not isinstance(value, bool)
                        else label
                    )
                    ParamInput(c, value, lambda v, k=c.key: set_key(k, v), shown, lang)


# -- main panels ----------------------------------------------------------------------------
def step_info(month: int, months: int, lang: str) -> str:
    """Where the run is, e.g. "Month 3 of 120 (Year 1)"; month 0 is named as in the
    summary of ``kosi-sim run``."""
    total = numbers.count(months, lang)
    if month == 0:
        return i18n.t("month_of", lang).format(month=i18n.t("month_start", lang), months=total)
    year = month // 12 + 1 if month < months else month // 12
    now = i18n.t("month_of", lang).format(
        month=f"{i18n.t('month', lang)} {numbers.count(month, lang)}", months=total
    )
    return f"{now} ({i18n.t('year', lang)} {year})"


@solara.component
def StepInfo(pair: CityPair, lang: str):
    update_counter.get()
    solara.Text(step_info(pair.month, pair.months, lang))


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
                Chart(option)


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
        solara.DataFrame(table, items_per_page=20)  # one of the sizes its footer offers
    else:
        solara.Text(i18n.t("no_initiatives", lang))


@solara.component
def LabPanel(pair: CityPair, lang: str):
    update_counter.get()
    table = figures.lab_table(pair.with_lab, lang)
    if len(table):
        solara.DataFrame(table, items_per_page=50)
        Prose(figures.lab_certainty(pair.with_lab, lang))
    else:
        solara.Text(i18n.t("no_lab", lang))


@solara.component
def AboutPanel(lang: str):
    Prose(i18n.t("about", lang))


# -- the page -------------------------------------------------------------------------------
@solara.component
def Page():
    city0, lang0 = start_settings()
    lang = solara.use_reactive(lang0)
    params = solara.use_reactive(solara.use_memo(lambda: initial_parameters(city0), []))
    first = solara.use_memo(lambda: CityPair(**initial_parameters(city0)), [])
    model = solara.use_reactive(first)
    choices = solara.use_memo(lambda: scenario_choices(city0), [])
    indicator = solara.use_reactive("engaged_share")
    side = solara.use_reactive("with_lab")
    lg = lang.value

    solara.Title(i18n.t("page_title", lg))
    VuetifyLanguage(lg)
    with solara.AppBar():
        solara.AppBarTitle(f"{i18n.t('title', lg)}: {model.value.lab_scenario.name}")
        solara.Button(
            i18n.t("language", lg),
            text=True,
            on_click=lambda: lang.set("de" if lg == "en" else "en"),
        )

    with solara.Sidebar():
        with solara.Card(i18n.t("controls", lg)):
            RunController(model, params, lg)
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
