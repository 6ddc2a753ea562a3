"""The same city twice, with and without its lab, on common random numbers.

:class:`CityPair` is the Mesa model the app drives: the app's run controller
(:mod:`kosi_sim.app.runcontrol`), or Mesa's ``ModelController``, steps and resets it like
any model.  Both cities are built from one seed, so every random stream
(demography, engagement, organisations) draws the same numbers in both; the lab's
instruments draw only from their own streams.  Differences between the two cities are
therefore the lab's effect, not chance.
"""

from __future__ import annotations

from typing import Any

import mesa

from ..model import CityModel
from ..scenario import Scenario, resolve
from . import controls

#: the app simulates at most this many citizens per city and scales larger cities down
APP_MAX_CITIZENS = 60_000


def app_scale(scenario: Scenario) -> float:
    """The scenario's scale, lowered so that the app stays responsive for big cities."""
    people = sum(d.population for d in scenario.districts) * scenario.scale
    if people <= APP_MAX_CITIZENS:
        return scenario.scale
    return scenario.scale * APP_MAX_CITIZENS / people


class CityPair(mesa.Model):
    """A city with its lab (``with_lab``) and the same city without (``without_lab``).

    Keyword arguments: ``city`` (a built-in scenario name or a scenario file), ``seed``
    (empty = the scenario's own) and any control of :mod:`kosi_sim.app.controls`.
    """

    def __init__(self, city: str = "classroom", seed: int | str | None = None, **values: Any):
        values.pop("scenario", None)  # Mesa's ModelController passes its own Scenario object
        base = resolve(city)
        scale = app_scale(base)
        if scale != base.scale:
            base = base.with_params({"scale": scale})
        seed = base.seed if seed in (None, "") else _seed(seed)
        super().__init__(rng=seed)
        self.city = city
        self.seed = seed
        self.lab_scenario = controls.with_lab(base, values)
        self.with_lab = CityModel(self.lab_scenario, rng=seed)
        self.without_lab = CityModel(self.lab_scenario.without_interventions(), rng=seed)
        self.months = self.lab_scenario.years * 12
        self.running = self.months > 0

    @property
    def month(self) -> int:
        return self.with_lab.month

    @property
    def sides(self) -> dict[str, CityModel]:
        return {"with_lab": self.with_lab, "without_lab": self.without_lab}

    def step(self) -> None:
        """One month in both cities."""
        if self.month >= self.months:
            self.running = False
            return
        self.with_lab.step()
        self.without_lab.step()
        self.running = self.month < self.months


def _seed(value: int | str) -> int:
    """A seed from the app's text field: a whole number >= 0."""
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise ValueError(f"seed {value!r} is not allowed; allowed: a whole number >= 0") from None
    if seed < 0:
        raise ValueError(f"seed {value!r} is not allowed; allowed: a whole number >= 0")
    return seed
