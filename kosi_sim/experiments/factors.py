"""The factors of an experiment file: each ``[[factors]]`` table becomes a typed
:class:`~kosi_sim.experiments.designs.Factor` whose target (:func:`kosi_sim.vocabulary.target`:
the lab, one intervention, one of its settings, or a parameter) is checked against the base
scenario; a design point is applied to a scenario through the targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..catalog import CATALOG
from ..inputs import short
from ..interventions.registry import REGISTRY
from ..parameters import finite_number
from ..scenario import Scenario
from ..vocabulary import (
    INSTRUMENT_COMMON,
    InstrumentSetting,
    InstrumentSwitch,
    LabSwitch,
    target,
)
from .designs import Factor
from .errors import fail


def apply_point(base: Scenario, point: dict[str, Any]) -> dict[str, Any]:
    """The scenario document of ``base`` with the values of one design point set (an
    intervention switched off by one factor ignores the others that set it)."""
    doc = base.to_dict()
    for name, value in point.items():
        if isinstance(value, np.generic):
            value = value.item()
        target(name).apply(doc, value)
    return doc


def parse(raw: Any, i: int, base: Scenario) -> Factor:
    """The factor of the table ``factors[i]``, checked against ``base``."""
    where = f"factors[{i}]"
    if not isinstance(raw, dict) or "name" not in raw:
        raise fail(where, "expected a table with 'name' and 'levels' or 'low' and 'high'")
    unknown = sorted(set(raw) - {"name", "levels", "low", "high"})
    if unknown:
        raise fail(where, f"unknown key {unknown[0]!r}; valid keys: name, levels, low, high")
    name = raw["name"]
    if not isinstance(name, str) or not name:
        raise fail(
            where,
            f"name = {short(name)} is not allowed; allowed: a parameter's name, 'lab' or "
            "'intervention.<label>[.<key>]'",
        )
    has_levels = "levels" in raw
    has_range = "low" in raw or "high" in raw
    if has_levels == has_range:
        raise fail(where, f"{name}: give either levels = [...] or low and high")
    check, integer = _checker(name, base, where)
    if has_levels:
        levels = raw["levels"]
        if not isinstance(levels, list) or not levels:
            raise fail(where, f"{name}: levels must be a non-empty list")
        try:
            return Factor(name, levels=tuple(check(v) for v in levels))
        except ValueError as e:
            raise fail(where, f"{name}: {e}") from None
    if "low" not in raw or "high" not in raw:
        raise fail(where, f"{name}: a range needs both low and high")
    try:
        low, high = check(raw["low"]), check(raw["high"])
    except ValueError as e:
        raise fail(where, f"{name}: {e}") from None
    if isinstance(low, bool | str) or not low < high:
        raise fail(where, f"{name}: a range needs numbers with low < high")
    return Factor(name, low=float(low), high=float(high), integer=integer)


def _checker(name: str, base: Scenario, where: str):
    """A value checker for a factor name, and whether its values are whole numbers."""
    t = target(name)
    if isinstance(t, LabSwitch):
        if not base.interventions:
            raise fail(where, "factor 'lab' needs a base scenario with [[interventions]]")
        return _bool, False
    if isinstance(t, InstrumentSwitch | InstrumentSetting):
        doc = base.to_dict()
        entry = t.entry(doc)
        if entry is None:
            labels = [e.get("label", e.get("type")) for e in doc["interventions"]]
            raise fail(
                where,
                f"{name}: no intervention {t.label!r} in the base scenario; "
                f"its interventions: {', '.join(labels) or 'none'}",
            )
        if isinstance(t, InstrumentSwitch):
            return _bool, False
        if t.key in INSTRUMENT_COMMON:
            return _number(0.0, 1e9), False
        cls = REGISTRY.get(entry["type"])
        params = {p.name: p for p in (cls.params if cls else ())}
        if t.key not in params:
            valid = [*INSTRUMENT_COMMON, *params]
            raise fail(where, f"{name}: unknown key {t.key!r}; valid: {', '.join(valid)}")
        return params[t.key].check, params[t.key].kind is int
    try:
        p = CATALOG.resolve(name)
    except KeyError as e:
        raise fail(where, e.args[0]) from None
    return p.check, p.kind is int


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"levels must be true or false, got {short(v)}")
    return v


def _number(lo: float, hi: float):
    def check(v: Any) -> float:
        allowed = f"allowed: a number from {lo:g} to {hi:g}"
        try:
            finite_number(v)
        except ValueError as e:
            raise ValueError(f"{e}; {allowed}") from None
        if not lo <= v <= hi:
            raise ValueError(f"{short(v)} is not allowed; {allowed}")
        return float(v)

    return check
