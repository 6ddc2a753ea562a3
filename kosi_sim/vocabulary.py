"""The typed vocabulary of experiments: levers (decisions), uncertainties and outcomes, and
the targets they set in a scenario.

EMA-style declarations that an experiment module converts its file into at the boundary,
instead of parsing string prefixes in several places.  ``kosi-sim optimize`` declares its
levers, futures and objectives with them (:mod:`kosi_sim.optimize`); :data:`OUTCOMES` is
the one list of outcomes that ``kosi-sim compare``, its uncertainty report and ``kosi-sim
optimize`` report (each a selection of it, :data:`COMPARED`); sweeps
(:mod:`kosi_sim.experiments`), ``compare``, the parameter draws (:mod:`kosi_sim.draws`) and
the app's controls (:mod:`kosi_sim.app.controls`) name what they set as a :data:`Target`:

* :class:`LabSwitch`: all the scenario's interventions on or off (sweep factor ``lab``);
* :class:`InstrumentSwitch`: one intervention on or off, by label or type
  (``intervention.<label>``; an app switch; ``compare --without``);
* :class:`InstrumentSetting`: its budget, staff or own parameter
  (``intervention.<label>.<key>``; an app control);
* :class:`ParameterSetting`: a core parameter (``name`` or ``section.name``);
* :class:`InstrumentParameter`: an own parameter of every instrument of a type, as the
  parameter draws name it (``instrument.<type>.<name>``).

:func:`target` and :func:`parameter_key` are the only parsers of those names, and each
target writes its value into a scenario document with ``apply``.

Every lever and uncertainty maps a unit value ``u`` in [0, 1] (a coordinate of a search
vector or of an LHS/Sobol design) onto its own value with :meth:`decode`, so that a
search algorithm or a design works on the unit cube and the declaration says what a
coordinate means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

#: a sweep factor on one intervention: ``intervention.<label>[.<key>]``
INTERVENTION_PREFIX = "intervention."
#: a parameter draw's key of an instrument's own parameter: ``instrument.<type>.<name>``
#: (the name of the instrument's parameter section, :data:`kosi_sim.catalog.INSTRUMENT_PREFIX`)
INSTRUMENT_PREFIX = "instrument."
#: the settings every intervention has besides its own parameters (the others of
#: :data:`kosi_sim.interventions.spec.COMMON` are not swept)
INSTRUMENT_COMMON = ("budget_eur_per_year", "staff_fte")


class Direction(Enum):
    """Whether more of an outcome is better for the city (``max``), less (``min``), or
    neither in itself (``none``: e.g. the willing but inactive, a potential that shrinks
    both when they engage and when they lose their willingness)."""

    MAXIMIZE = "max"
    MINIMIZE = "min"
    NEUTRAL = "none"

    @property
    def sign(self) -> float:
        """+1 for ``max``, -1 for ``min``: ``sign * value`` is larger when better.  A
        neutral outcome has none (a ``ValueError``): it cannot be an objective."""
        if self is Direction.NEUTRAL:
            raise ValueError("an outcome without a better direction cannot be optimised")
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
    """A quantity an experiment reports, with its unit, which way is better for the city
    and what it is (``doc``, as the reports label it)."""

    name: str
    unit: str
    direction: Direction
    doc: str


def _metric(name: str, direction: Direction, doc: str) -> Outcome:
    """An outcome that is a city metric of the model: its unit is the metric registry's
    (:data:`kosi_sim.metrics.METRICS`)."""
    from .metrics import METRICS

    unit = next(m.unit for m in METRICS if m.name == name)
    return Outcome(name, unit, direction, doc)


_MAX, _MIN, _NEUTRAL = Direction.MAXIMIZE, Direction.MINIMIZE, Direction.NEUTRAL
# The directions are judgements about what is better for the city (assumptions where not
# obvious: more Vereine and producing initiatives are better, as more co-production; fewer
# vacant premises, as fewer empty shops; a higher budget balance, as a lower municipal cost;
# the willing but inactive are neutral, see Direction).
#: what ``kosi-sim compare`` and its uncertainty report measure, in their order: city
#: metrics of the model
COMPARED: tuple[Outcome, ...] = (
    _metric("engaged_share", _MAX, "engaged share (14+)"),
    _metric("engaged_citizens", _MAX, "engaged citizens"),
    _metric("willing_inactive_share", _NEUTRAL, "willing but inactive (14+)"),
    _metric("initiatives_active", _MAX, "initiatives producing"),
    _metric("coverage_mean", _MAX, "service coverage (mean)"),
    _metric("coverage_care", _MAX, "care coverage"),
    _metric("coverage_mobility", _MAX, "mobility coverage"),
    _metric("coverage_social", _MAX, "social coverage"),
    _metric("coverage_space", _MAX, "space coverage"),
    _metric("trust_share", _MAX, "trust in the administration"),
    _metric("burnout_mean", _MIN, "burnout of the engaged"),
    _metric("associations", _MAX, "Vereine"),
    _metric("premises_vacancy", _MIN, "premises vacancy"),
    _metric("budget_balance", _MAX, "budget balance (EUR/month)"),
)
#: every outcome an experiment reports, declared once: :data:`COMPARED`, and what
#: ``kosi-sim optimize`` measures besides (:mod:`kosi_sim.optimize.evaluate`)
OUTCOMES: tuple[Outcome, ...] = (
    *COMPARED,
    Outcome(
        "coverage_worst",
        "supply/demand",
        _MAX,
        "coverage of the district worst served without the lab (equity)",
    ),
    Outcome("cost_eur_per_year", "EUR/year", _MIN, "lab cost while it runs"),
    Outcome(
        "cost_per_engaged",
        "EUR/year per person",
        _MIN,
        "lab cost per additional engaged citizen (infinite without a gain)",
    ),
)
#: the outcomes by name
OUTCOME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}


# -- targets: what a factor, a control or a draw sets in a scenario ------------------------
def _entry(doc: dict[str, Any], label: str) -> dict | None:
    """The intervention entry of ``doc`` labelled ``label``, or of type ``label`` without a
    label of its own; None if there is none."""
    for entry in doc.get("interventions", []):
        if entry.get("label") == label or (entry.get("type") == label and "label" not in entry):
            return entry
    return None


@dataclass(frozen=True)
class LabSwitch:
    """All the scenario's interventions on or off."""

    name: ClassVar[str] = "lab"

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        if not value:
            doc["interventions"] = []


@dataclass(frozen=True)
class _OneIntervention:
    """Something about one intervention, named by its label (or its type, if it has no
    label of its own)."""

    label: str

    def entry(self, doc: dict[str, Any]) -> dict | None:
        """Its entry in the scenario document ``doc``; None if there is none."""
        return _entry(doc, self.label)


@dataclass(frozen=True)
class InstrumentSwitch(_OneIntervention):
    """One intervention on or off."""

    @property
    def name(self) -> str:
        return f"{INTERVENTION_PREFIX}{self.label}"

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        """Switched off: the entry is removed (an entry already gone stays gone)."""
        entry = self.entry(doc)
        if entry is not None and not value:
            doc["interventions"] = [e for e in doc["interventions"] if e is not entry]


@dataclass(frozen=True)
class InstrumentSetting(_OneIntervention):
    """A setting of one intervention: its budget, staff or one of its own parameters."""

    key: str

    @property
    def name(self) -> str:
        return f"{INTERVENTION_PREFIX}{self.label}.{self.key}"

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        """Set on the intervention's entry; nothing if it is switched off (gone)."""
        entry = self.entry(doc)
        if entry is not None:
            entry[self.key] = value


@dataclass(frozen=True)
class ParameterSetting:
    """A core parameter or a top-level setting, as ``name`` or ``section.name``."""

    key: str

    @property
    def name(self) -> str:
        return self.key

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        from .scenario import _set_key

        _set_key(doc, self.key, value)


@dataclass(frozen=True)
class InstrumentParameter:
    """An own parameter of every instrument of one type (presets expanded first): a key of
    the parameter draws."""

    kind: str
    param: str

    @property
    def name(self) -> str:
        return f"{INSTRUMENT_PREFIX}{self.kind}.{self.param}"

    @property
    def section(self) -> str:
        """The name of the instrument's parameter section (``instrument.<type>``)."""
        return f"{INSTRUMENT_PREFIX}{self.kind}"

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        from .interventions.presets import expand

        entries = [part for e in doc.get("interventions", []) for part in expand(e)]
        for entry in entries:
            if entry.get("type") == self.kind:
                entry[self.param] = value
        doc["interventions"] = entries


Target = LabSwitch | InstrumentSwitch | InstrumentSetting | ParameterSetting | InstrumentParameter


def target(name: str) -> LabSwitch | InstrumentSwitch | InstrumentSetting | ParameterSetting:
    """The target a sweep factor's name means: ``lab``, ``intervention.<label>``,
    ``intervention.<label>.<key>`` or a parameter (checked later, against a scenario)."""
    if name == LabSwitch.name:
        return LabSwitch()
    if name.startswith(INTERVENTION_PREFIX):
        label, _, key = name.removeprefix(INTERVENTION_PREFIX).partition(".")
        return InstrumentSetting(label, key) if key else InstrumentSwitch(label)
    return ParameterSetting(name)


def parameter_key(key: str) -> ParameterSetting | InstrumentParameter:
    """The target a parameter draw's key means: ``instrument.<type>.<name>`` or a core
    parameter (``section.name`` or ``name``)."""
    if key.startswith(INSTRUMENT_PREFIX):
        kind, _, name = key.removeprefix(INSTRUMENT_PREFIX).partition(".")
        return InstrumentParameter(kind, name)
    return ParameterSetting(key)
