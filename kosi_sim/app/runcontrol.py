"""Reset, Play/Pause and Step for the app's :class:`~kosi_sim.app.twin.CityPair`.

Mesa's ``ModelController`` does the same with English labels fixed in its code; this one
takes its labels from :mod:`kosi_sim.app.i18n` and otherwise works as Mesa's: Reset builds
a new pair from the controls, Play steps on a worker thread every ``interval_ms`` until
Pause or the run's end, and every step tells the panels to redraw (Mesa's
``force_update``, which the panels follow through ``update_counter``).
"""

from __future__ import annotations

import time

import solara
from mesa.visualization.utils import force_update

from . import i18n
from .twin import CityPair


@solara.component
def RunController(
    model: solara.Reactive[CityPair],
    params: solara.Reactive[dict],
    lang: str,
    interval_ms: int = 150,
):
    playing = solara.use_reactive(False)
    running = solara.use_reactive(model.value.running)
    error = solara.use_reactive("")

    def step() -> None:
        try:
            model.value.step()
        except Exception as e:  # shown in the page; the run stops
            error.set(i18n.t("step_error", lang).format(error=e))
            playing.set(False)
            return
        running.set(model.value.running)
        force_update()

    def play() -> None:
        while playing.value and running.value and not error.value:
            time.sleep(interval_ms / 1000)
            step()
        if not running.value:
            playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, running.value], prefer_threaded=True)

    def reset() -> None:
        playing.set(False)
        try:
            pair = CityPair(**params.value)
        except ValueError as e:
            error.set(i18n.t("reset_error", lang).format(error=e))
            return
        error.set("")
        model.set(pair)
        running.set(pair.running)

    look = {"color": "primary", "small": True, "style": {"text-transform": "none"}}
    with solara.Row(justify="space-between", style={"flex-wrap": "wrap"}):
        solara.Button(label=i18n.t("reset", lang), on_click=reset, **look)
        solara.Button(
            label=i18n.t("pause" if playing.value else "play", lang),
            on_click=lambda: playing.set(not playing.value),
            disabled=not running.value,
            **look,
        )
        solara.Button(
            label=i18n.t("step", lang),
            on_click=step,
            disabled=playing.value or not running.value,
            **look,
        )
    if error.value:
        solara.Error(error.value)
