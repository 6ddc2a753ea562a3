"""The app's controls, generated from the parameter declarations, and the scenarios they make.

Nothing here repeats a default or a range: the headline drivers come from the catalogue
(:data:`kosi_sim.catalog.CATALOG`), each lab instrument's budget, staff and own parameters
from its class in :data:`kosi_sim.interventions.registry.REGISTRY`.  The values a control
starts from are those of the chosen scenario, which itself starts from the declarations.

Control keys (also the keyword arguments of :class:`kosi_sim.app.twin.CityPair`):

* ``demographic_pressure``, ``civic_engagement``: the two headline drivers;
* ``lab.<type>``: instrument switched on (bool);
* ``budget.<type>``, ``staff.<type>``: its money per year and staff posts;
* ``<type>.<param>``: one of its own parameters.

Switching instruments in the app replaces the scenario's own lab: the "with lab" city gets
exactly the instruments switched on, the "without lab" city none.  An instrument that the
scenario already has starts switched on with the scenario's budget and staff (summed over
its entries, e.g. the parts of a ``wuppertal_lab`` preset) and its parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..catalog import CATALOG
from ..interventions.registry import REGISTRY
from ..parameters import Param
from ..scenario import Scenario, from_dict
from ..vocabulary import (
    INSTRUMENT_COMMON,
    InstrumentSetting,
    InstrumentSwitch,
    ParameterSetting,
    Target,
)

DRIVERS = ("demographic_pressure", "civic_engagement")


@dataclass(frozen=True)
class Control:
    """One input of the app: its key, its declaration and what it sets in a scenario (a
    typed target of :mod:`kosi_sim.vocabulary`, shared with sweeps and ``compare``)."""

    key: str
    param: Param
    target: Target

    @property
    def instrument(self) -> str | None:
        """The instrument (type) the control belongs to; None for a driver."""
        t = self.target
        return t.label if isinstance(t, InstrumentSwitch | InstrumentSetting) else None

    @property
    def widget(self) -> str:
        """slider | number | checkbox | select, from the declared type."""
        p = self.param
        if isinstance(p.default, bool):
            return "checkbox"
        if p.choices is not None:
            return "select"
        if isinstance(self.target, InstrumentSetting) and self.target.key in INSTRUMENT_COMMON:
            return "number"
        return "slider"

    def step(self) -> float:
        lo, hi = self.param.bounds or (0.0, 1.0)
        if isinstance(self.param.default, int):
            return 1
        return _nice_step((hi - lo) / 100)


def _nice_step(x: float) -> float:
    """The 1, 2 or 5 times a power of ten nearest below ``x``."""
    if x <= 0:
        return 0.01
    e = math.floor(math.log10(x))
    m = x / 10**e
    return (5 if m >= 5 else 2 if m >= 2 else 1) * 10**e


def _switch(kind: str) -> Param:
    return Param(f"lab.{kind}", False, "", f"{kind} switched on", "app switch")


def driver_controls() -> list[Control]:
    return [Control(name, CATALOG.by_name[name], ParameterSetting(name)) for name in DRIVERS]


def instrument_controls(kind: str) -> list[Control]:
    """Switch, budget, staff and own parameters of one instrument (by type: the app's
    lab has one intervention of each type switched on, unlabelled)."""
    cls = REGISTRY[kind]
    budget, staff = INSTRUMENT_COMMON
    return [
        Control(f"lab.{kind}", _switch(kind), InstrumentSwitch(kind)),
        Control(f"budget.{kind}", cls.typical_budget(), InstrumentSetting(kind, budget)),
        Control(f"staff.{kind}", cls.typical_staff(), InstrumentSetting(kind, staff)),
        *(Control(f"{kind}.{p.name}", p, InstrumentSetting(kind, p.name)) for p in cls.params),
    ]


def all_controls() -> list[Control]:
    out = driver_controls()
    for kind in REGISTRY:
        out += instrument_controls(kind)
    return out


def defaults(scenario: Scenario) -> dict[str, Any]:
    """The value of every control for ``scenario`` (its drivers, its lab)."""
    values: dict[str, Any] = {name: scenario.params[name] for name in DRIVERS}
    for kind, cls in REGISTRY.items():
        specs = [s for s in scenario.intervention_specs if s.type == kind]
        values[f"lab.{kind}"] = bool(specs)
        if specs:
            values[f"budget.{kind}"] = sum(s.budget_eur_per_year for s in specs)
            values[f"staff.{kind}"] = sum(s.staff_fte for s in specs)
        else:
            values[f"budget.{kind}"] = cls.typical_budget().default
            values[f"staff.{kind}"] = cls.typical_staff().default
        own = dict(specs[0].params) if specs else {}
        for p in cls.params:
            values[f"{kind}.{p.name}"] = own.get(p.name, p.default)
    return values


def check(values: dict[str, Any]) -> dict[str, Any]:
    """Values converted to their declared types; ValueError naming the key otherwise."""
    known = {c.key: c for c in all_controls()}
    out = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"unknown control {key!r}; controls: {', '.join(sorted(known))}")
        try:
            out[key] = known[key].param.check(value)
        except ValueError as e:
            raise ValueError(f"{key}: {e}") from None
    return out


def with_lab(base: Scenario, values: dict[str, Any]) -> Scenario:
    """``base`` with the drivers and exactly the instruments switched on in ``values``:
    one entry per instrument switched on, then every control's target set."""
    values = {**defaults(base), **check(values)}
    doc = base.to_dict()
    every = all_controls()
    doc["interventions"] = [
        {"type": c.target.label}
        for c in every
        if isinstance(c.target, InstrumentSwitch) and values[c.key]
    ]
    for c in every:
        value = values[c.key]
        if isinstance(c.target, InstrumentSetting) and c.target.key in INSTRUMENT_COMMON:
            value = float(value)
        if not isinstance(c.target, InstrumentSwitch):
            c.target.apply(doc, value)
    return from_dict(doc, base.source or "<app>")
