"""The typed vocabulary of experiments: levers (decisions), uncertainties and outcomes.

EMA-style declarations that an experiment module converts its file into at the boundary,
instead of parsing string prefixes in several places.  ``kosi-sim optimize`` uses them
(:mod:`kosi_sim.optimize`); sweeps, ``compare`` and the app can take them up later.

Every lever and uncertainty maps a unit value ``u`` in [0, 1] (a coordinate of a search
vector or of an LHS/Sobol design) onto its own value with :meth:`decode`, so that a
search algorithm or a design works on the unit cube and the declaration says what a
coordinate means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Direction(Enum):
    """Whether more of an outcome is better (``max``) or less (``min``)."""

    MAXIMIZE = "max"
    MINIMIZE = "min"

    @property
    def sign(self) -> float:
        """+1 for ``max``, -1 for ``min``: ``sign * value`` is larger when better."""
        return 1.0 if self is Direction.MAXIMIZE else -1.0


def _unit(u: float) -> float:
    return min(1.0, max(0.0, float(u)))


@dataclass(frozen=True)
class RealLever:
    """A decision on a continuous range."""

    name: str
    low: float
    high: float
    unit: str = ""

    def decode(self, u: float) -> float:
        return self.low + _unit(u) * (self.high - self.low)


@dataclass(frozen=True)
class IntegerLever:
    """A decision among the whole numbers ``low`` to ``high`` (equal shares of [0, 1])."""

    name: str
    low: int
    high: int
    unit: str = ""

    def decode(self, u: float) -> int:
        n = self.high - self.low + 1
        return self.low + min(n - 1, math.floor(_unit(u) * n))


@dataclass(frozen=True)
class CategoricalLever:
    """A decision among named options (equal shares of [0, 1])."""

    name: str
    categories: tuple[Any, ...]

    def decode(self, u: float) -> Any:
        n = len(self.categories)
        return self.categories[min(n - 1, math.floor(_unit(u) * n))]


Lever = RealLever | IntegerLever | CategoricalLever


@dataclass(frozen=True)
class RealUncertainty:
    """An uncertain quantity with a plain range (e.g. a scenario driver): uniform on it."""

    name: str
    low: float
    high: float

    def decode(self, u: float) -> float:
        return self.low + _unit(u) * (self.high - self.low)


@dataclass(frozen=True)
class PriorUncertainty:
    """An uncertain model parameter (a key of :mod:`kosi_sim.draws`) drawn from its prior
    in the evidence register (by its quantile function)."""

    name: str

    def decode(self, u: float) -> Any:
        from .draws import from_unit

        return from_unit([self.name], [[u]])[self.name].iloc[0]


Uncertainty = RealUncertainty | PriorUncertainty


@dataclass(frozen=True)
class Outcome:
    """A quantity an experiment reports, with its unit and which way is better."""

    name: str
    unit: str
    direction: Direction
    doc: str
