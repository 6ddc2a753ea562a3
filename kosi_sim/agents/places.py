"""Kinds of place (``large_city``, ``town``, ``rural``) and their municipal budget figures.

A scenario declares its ``place``; the revenue per inhabitant and the plausible deficit band
of each kind come from the packaged table ``data/municipal_budget.csv`` (every figure with
its source).  The administration (:mod:`kosi_sim.agents.administration`) books by them.
"""

from __future__ import annotations

import csv
from importlib import resources

#: the kinds of place a scenario can declare (scenario key ``place``)
PLACES = ("large_city", "town", "rural")
#: the kind of place of a scenario that does not declare one
DEFAULT_PLACE = "town"


def _load_table() -> dict[str, float]:
    """The packaged budget figures (key -> value); their sources are in the file."""
    with (
        resources.files("kosi_sim.data")
        .joinpath("municipal_budget.csv")
        .open(encoding="utf-8") as f
    ):
        return {row["key"]: float(row["value"]) for row in csv.DictReader(f)}


BUDGET_TABLE = _load_table()


def check_place(place: str) -> str:
    """``place`` if it is a declared kind of place; else a one-line error naming them."""
    if place not in PLACES:
        raise ValueError(f"place = {place!r} is not allowed; allowed: one of {', '.join(PLACES)}")
    return place


def revenue_per_inhabitant(place: str) -> float:
    """Municipal revenue per inhabitant and year (EUR) of a kind of place, today."""
    return BUDGET_TABLE[f"revenue.{check_place(place)}"]


def deficit_band(place: str) -> tuple[float, float]:
    """The plausible range ``(lo, hi)`` of the deficit per inhabitant and year (EUR; a
    surplus is negative) of a kind of place at today's rates: the NRW range of recent years
    as a share of revenue (``data/municipal_budget.csv``) times the place's revenue."""
    r = revenue_per_inhabitant(place)
    return BUDGET_TABLE["deficit_share.lo"] * r, BUDGET_TABLE["deficit_share.hi"] * r
