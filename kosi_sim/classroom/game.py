"""One room's shared city and its twin, played one year a turn.

The played city and the twin are built from one scenario and one seed, so every random
stream draws the same numbers in both (common random numbers, :mod:`kosi_sim.rng`).  Each
turn the played city takes the roles' decisions and the twin the scenario's values
(:func:`kosi_sim.classroom.roles.defaults`); both then run twelve months.  Decisions act
only through public model methods: parameters through :meth:`CityModel.set_params`, the
lab's and the councils' money through :meth:`CityModel.add_intervention` (one instrument
per type and year, labelled ``y<turn>.<type>``, so the same decision in both cities draws
the same numbers and an all-default turn leaves the two cities identical).

Assumption: an instrument's own state (its round tables, its open call) starts afresh each
year, as if the lab re-commissioned it; its money is the year's budget.

The game is deterministic given the scenario, the seed and the decision log, so a room is
rebuilt after a server restart by replaying its log (:meth:`Game.replay`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..interventions.base import InterventionSpec
from ..metrics import INDEX, SCALED
from ..model import CityModel
from ..scenario import Scenario
from . import roles

#: indicators kept each turn, per district and for the city (real-city units)
INDICATORS: tuple[str, ...] = (
    "population",
    "engaged_share",
    "trust_share",
    "coverage_mean",
    "initiatives_active",
    "associations",
    "share_65plus",
    "deficit_per_inhabitant",
)
#: monthly flows summed over the year (city only): what happened this year
FLOWS: tuple[str, ...] = (
    "initiatives_started",
    "initiatives_failed",
    "associations_founded",
    "associations_dissolved",
    "budget_balance",
    "service_budget",
    "lab_spending",
)
CITY = "city"
SIDES = ("played", "twin")


@dataclass(frozen=True)
class Row:
    """One stored number: turn, side (played or twin), district (or city), metric, value."""

    turn: int
    side: str
    district: str
    metric: str
    value: float


def base_scenario(scn: Scenario) -> Scenario:
    """The room's city: the scenario without its own instruments (the lab role, or its
    defaults, puts them back year by year)."""
    return scn.without_interventions()


class Game:
    """The played city and its twin for one room."""

    def __init__(self, scn: Scenario, seed: int, active_roles: Iterable[str]) -> None:
        self.scenario = scn
        self.seed = int(seed)
        self.roles = tuple(r for r in (x.name for x in roles.ROLES) if r in set(active_roles))
        base = base_scenario(scn)
        self.played = CityModel(base, rng=self.seed)
        self.twin = CityModel(base, rng=self.seed)
        self.turn = 0
        self.rows: list[Row] = self._snapshot()

    # -- one turn ---------------------------------------------------------------------
    def play_year(self, decisions: Mapping[str, Mapping[str, Any]]) -> list[Row]:
        """Run one year: the played city with ``decisions`` (role -> checked decision;
        missing roles keep the defaults), the twin with the defaults.  Returns the rows
        of the new turn."""
        self.turn += 1
        for side, model in (("played", self.played), ("twin", self.twin)):
            for name in self.roles:
                d = roles.defaults(name, self.scenario)
                if side == "played" and name in decisions:
                    d = dict(decisions[name])
                _apply(model, name, d, self.turn)
        for _ in range(12):
            self.played.step()
            self.twin.step()
        rows = self._snapshot()
        self.rows += rows
        return rows

    def replay(self, log: Iterable[Mapping[str, Mapping[str, Any]]]) -> None:
        """Play the turns of a stored log (each: role -> decision) in order."""
        for decisions in log:
            self.play_year(decisions)

    # -- what is kept -------------------------------------------------------------------
    def _snapshot(self) -> list[Row]:
        out: list[Row] = []
        for side, model in (("played", self.played), ("twin", self.twin)):
            hist = model.recorder.history
            names = [*model.district_names, CITY]
            for m in INDICATORS:
                f = 1.0 / model.scale if m in SCALED else 1.0
                for k, d in enumerate(names):
                    v = float(hist[-1][INDEX[m], k]) * f
                    if np.isfinite(v):
                        out.append(Row(self.turn, side, d, m, v))
            year = hist[-12:] if self.turn > 0 else []
            for m in FLOWS:
                f = 1.0 / model.scale if m in SCALED else 1.0
                v = float(np.nansum([h[INDEX[m], -1] for h in year])) * f
                out.append(Row(self.turn, side, CITY, m, v))
        return out

    def value(self, side: str, metric: str, turn: int | None = None, district: str = CITY) -> float:
        t = self.turn if turn is None else turn
        for r in self.rows:
            if (r.turn, r.side, r.metric, r.district) == (t, side, metric, district):
                return r.value
        return float("nan")


def _apply(model: CityModel, name: str, decision: Mapping[str, Any], turn: int) -> None:
    r = roles.role(name)
    params = {p.name: decision[p.name] for p in r.params if p.name in decision}
    if params and any(model.params[k] != v for k, v in params.items()):
        model.set_params(params)
    start, end = model.month + 1, model.month + 12
    if r.money == "lab":
        for t, d in decision["lab"].items():
            if d["budget"] > 0 or d["staff"] > 0:
                model.add_intervention(
                    _spec(t, turn, start, end, d["budget"], d["staff"], d["districts"])
                )
    elif r.money == "citizens":
        c = decision["citizens"]
        budget, staff = roles.CITIZENS_MONEY
        model.add_intervention(
            _spec(
                roles.CITIZENS_BUDGET,
                turn,
                start,
                end,
                budget,
                staff,
                c["districts"],
                {"project_eur": c["project_eur"]},
                prefix="council",
            )
        )


def _spec(
    kind: str,
    turn: int,
    start: int,
    end: int,
    budget: float,
    staff: float,
    districts: list[str],
    params: Mapping[str, Any] | None = None,
    prefix: str = "lab",
) -> InterventionSpec:
    return InterventionSpec(
        type=kind,
        label=f"{prefix}.y{turn}.{kind}",
        start=start,
        end=end,
        budget_eur_per_year=float(budget),
        staff_fte=float(staff),
        districts=tuple(districts),
        params=dict(params or {}),
    )
