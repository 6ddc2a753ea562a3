"""Validation of ``[[interventions]]`` entries into :class:`InterventionSpec` objects."""

from __future__ import annotations

from typing import Any

from ..inputs import listing, short
from ..parameters import finite_number
from .base import BUDGET, STAFF, InterventionSpec
from .presets import PRESETS, expand
from .registry import REGISTRY

COMMON = ("type", "label", "start", "end", "budget_eur_per_year", "staff_fte", "districts")


def _month(value: Any, where: str) -> int:
    """A month index from an int (1 = first month) or a table {year = Y, month = M}."""
    if isinstance(value, bool):
        raise ValueError(
            f"{where} = {short(value)}: expected a month number >= 1 or {{year = Y, month = M}}"
        )
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"{where} = {value}: months count from 1 (the first month)")
        return value
    if isinstance(value, dict):
        extra = set(value) - {"year", "month"}
        year, month = value.get("year"), value.get("month", 1)
        if (
            extra
            or not isinstance(year, int)
            or not isinstance(month, int)
            or isinstance(year, bool)
            or year < 1
            or not 1 <= month <= 12
        ):
            raise ValueError(
                f"{where} = {short(value)}: expected {{year = Y, month = M}} with "
                "Y >= 1 and M from 1 to 12"
            )
        return (year - 1) * 12 + month
    raise ValueError(
        f"{where} = {short(value)}: expected a month number >= 1 or {{year = Y, month = M}}"
    )


def _number(entry: dict, key: str, where: str, hi: float) -> float:
    if key not in entry:
        raise ValueError(f"{where}: missing required key {key!r}")
    v = entry[key]
    allowed = f"allowed: a number from 0 to {hi:g}"
    try:
        finite_number(v)
    except ValueError as e:
        raise ValueError(f"{where}.{key} = {e}; {allowed}") from None
    if not 0 <= v <= hi:
        raise ValueError(f"{where}.{key} = {short(v)} is not allowed; {allowed}")
    return float(v)


def parse(entries: list[Any], district_names: list[str]) -> tuple[InterventionSpec, ...]:
    """Validate raw entries (presets expanded); ValueError with a one-line message."""
    specs: list[InterventionSpec] = []
    labels: set[str] = set()
    valid_types = sorted([*REGISTRY, *PRESETS])
    for i, raw in enumerate(entries):
        where = f"interventions[{i}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected a table with at least 'type'")
        kind = raw.get("type")
        if not isinstance(kind, str) or (kind not in REGISTRY and kind not in PRESETS):
            raise ValueError(
                f"{where}.type = {short(kind)} is not allowed; allowed: " + ", ".join(valid_types)
            )
        if kind in PRESETS:
            unknown = sorted(set(raw) - set(COMMON))
            if unknown:
                raise ValueError(
                    f"{where}: unknown key {unknown[0]!r} for preset {kind}; "
                    f"valid keys: {', '.join(COMMON)}"
                )
        _number(raw, BUDGET.name, where, BUDGET.bounds[1])
        _number(raw, STAFF.name, where, STAFF.bounds[1])
        for part in expand(raw):
            specs.append(_one(part, where, district_names, labels))
    return tuple(specs)


def _one(entry: dict, where: str, names: list[str], labels: set[str]) -> InterventionSpec:
    cls = REGISTRY[entry["type"]]
    own = {p.name: p for p in cls.params}
    unknown = sorted(set(entry) - set(COMMON) - set(own))
    if unknown:
        raise ValueError(
            f"{where}: unknown key {unknown[0]!r} for {cls.type}; valid keys: "
            + ", ".join([*COMMON, *own])
        )
    start = _month(entry.get("start", 1), f"{where}.start")
    end = None if entry.get("end") is None else _month(entry["end"], f"{where}.end")
    if end is not None and end < start:
        raise ValueError(f"{where}: end (month {end}) is before start (month {start})")
    districts = entry.get("districts")
    if districts is not None:
        if (
            not isinstance(districts, list)
            or not districts
            or not all(isinstance(d, str) for d in districts)
        ):
            raise ValueError(
                f"{where}.districts = {short(districts)}: expected a non-empty list of "
                "district names"
            )
        bad = [d for d in districts if d not in names]
        if bad:
            raise ValueError(
                f"{where}.districts: unknown district {short(bad[0])}; districts of "
                f"this scenario: {listing(names)}"
            )
        if len(set(districts)) != len(districts):
            raise ValueError(f"{where}.districts: a district is listed twice")
        districts = tuple(districts)
    params = {}
    for key, p in own.items():
        if key in entry:
            try:
                params[key] = p.check(entry[key])
            except ValueError as e:
                raise ValueError(f"{where}.{key} = {short(entry[key])}: {e}") from None
    label = entry.get("label", cls.type)
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}.label = {short(label)}: expected a non-empty text")
    base, k = label, 2
    while label in labels:
        label, k = f"{base}#{k}", k + 1
    labels.add(label)
    return InterventionSpec(
        type=cls.type,
        label=label,
        start=start,
        end=end,
        budget_eur_per_year=float(entry["budget_eur_per_year"]),
        staff_fte=float(entry["staff_fte"]),
        districts=districts,
        params=params,
    )
