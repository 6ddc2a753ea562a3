"""Parameter declarations: every model parameter is declared exactly once.

A :class:`Param` carries its type, default, unit, bounds, source and a one-line meaning.
Each submodel module declares its own parameters as a :class:`Section`; the catalogue in
:mod:`kosi_sim.catalog` collects them.  Scenario files, ``--set`` overrides, the app's
sliders and sweep ranges are all generated from these declarations, so there is no second
list of defaults anywhere.

``source`` is the note written with the declaration: a citation, ``"derived: ..."`` for
numbers computed from cited ones, or ``"assumption: ..."`` for judgement calls that a user
should feel free to change.  The evidence register (:mod:`kosi_sim.evidence`) gives every
parameter its grade, prior and the source that is shown; where a declaration's note and the
register differ, the register counts.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .inputs import short

if TYPE_CHECKING:
    from .evidence import Evidence

Value = float | int | bool | str

#: what a message says about NaN and infinity, wherever a number is expected
NOT_FINITE = "is not a finite number"


def finite_number(value: Any) -> int | float:
    """``value`` if it is an int or a finite float; ``ValueError`` saying what is wrong
    otherwise (true/false and text are no numbers; NaN and infinity are not finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{short(value)} is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} {NOT_FINITE}")
    return value


@dataclass(frozen=True)
class Param:
    """One declared parameter."""

    name: str
    default: Value
    unit: str
    doc: str
    source: str
    bounds: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    sweepable: bool = True
    #: grade, source and prior from the evidence register (kosi_sim/data/evidence.csv),
    #: set by :func:`kosi_sim.evidence.attach` when the catalogue is built
    evidence: Evidence | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.default, bool):
            return
        if self.choices is not None:
            if self.default not in self.choices:
                raise ValueError(f"{self.name}: default {self.default!r} not in {self.choices}")
            return
        if self.bounds is None:
            raise ValueError(f"{self.name}: numeric parameters need bounds")
        lo, hi = self.bounds
        if not lo <= self.default <= hi:
            raise ValueError(f"{self.name}: default {self.default} outside {self.bounds}")

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        """Human description of the allowed values, for error messages."""
        if self.kind is bool:
            return "true or false"
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        lo, hi = self.bounds  # type: ignore[misc]
        what = "a whole number" if self.kind is int else "a number"
        return f"{what} from {_fmt(lo)} to {_fmt(hi)}" + (f" ({self.unit})" if self.unit else "")

    def check(self, value: Any) -> Value:
        """Return ``value`` converted to this parameter's type or raise ``ValueError``."""
        kind = self.kind
        if kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError(f"must be {self.allowed()}, got {short(value)}")
        if kind is str:
            if isinstance(value, str) and (self.choices is None or value in self.choices):
                return value
            raise ValueError(f"must be {self.allowed()}, got {short(value)}")
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ValueError(f"must be {self.allowed()}, got {short(value)}") from None
        try:
            value = finite_number(value)
        except ValueError as e:
            raise ValueError(f"{e}; allowed: {self.allowed()}") from None
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(f"must be {self.allowed()}, got {short(value)}")
        lo, hi = self.bounds  # type: ignore[misc]
        if not lo <= value <= hi:  # before converting: a huge int has no float
            raise ValueError(f"{_fmt(value)} is out of range; allowed {self.allowed()}")
        return int(value) if kind is int else float(value)


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e300 else short(x)  # an int beyond floats has no :g


@dataclass(frozen=True)
class Section:
    """The parameters of one submodel, under one heading of the scenario file."""

    name: str
    doc: str
    params: tuple[Param, ...]

    def __init__(self, name: str, doc: str, params: Iterable[Param]) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "doc", doc)
        object.__setattr__(self, "params", tuple(params))


@dataclass(frozen=True)
class Catalog:
    """All sections; parameter names are unique across sections."""

    sections: tuple[Section, ...]
    by_name: dict[str, Param] = field(init=False)
    section_of: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Param] = {}
        section_of: dict[str, str] = {}
        for sec in self.sections:
            for p in sec.params:
                if p.name in by_name:
                    raise ValueError(f"parameter {p.name} declared twice")
                by_name[p.name] = p
                section_of[p.name] = sec.name
        object.__setattr__(self, "by_name", by_name)
        object.__setattr__(self, "section_of", section_of)

    def section(self, name: str) -> Section:
        for sec in self.sections:
            if sec.name == name:
                return sec
        raise KeyError(name)

    def resolve(self, key: str) -> Param:
        """Find a parameter by ``name`` or ``section.name``; raise KeyError with a message."""
        name = key
        if "." in key:
            sec, name = key.split(".", 1)
            if sec not in {s.name for s in self.sections}:
                raise KeyError(
                    f"unknown section {sec!r}; valid sections: "
                    + ", ".join(s.name for s in self.sections)
                )
            if name not in self.by_name or self.section_of[name] != sec:
                valid = ", ".join(p.name for p in self.section(sec).params)
                raise KeyError(f"unknown parameter {key!r}; valid in [{sec}]: {valid}")
        if name not in self.by_name:
            close = difflib.get_close_matches(name, self.by_name, n=3)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            raise KeyError(
                f"unknown parameter {key!r}; {hint}'kosi-sim params' lists the "
                f"{len(self.by_name)} valid names"
            )
        return self.by_name[name]

    def defaults(self) -> dict[str, Value]:
        return {n: p.default for n, p in self.by_name.items()}

    def key(self, name: str) -> str:
        return f"{self.section_of[name]}.{name}"


class Params(Mapping[str, Value]):
    """A complete, checked, immutable set of parameter values with attribute access."""

    __slots__ = ("_values",)

    def __init__(self, catalog: Catalog, values: Mapping[str, Any] | None = None) -> None:
        merged = catalog.defaults()
        for key, value in (values or {}).items():
            p = catalog.resolve(key)
            merged[p.name] = p.check(value)
        object.__setattr__(self, "_values", merged)

    def __getattr__(self, name: str) -> Value:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params are immutable; use replace()")

    def __getitem__(self, key: str) -> Value:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def replace(self, catalog: Catalog, **changes: Any) -> Params:
        return Params(catalog, {**self._values, **changes})

    def as_dict(self) -> dict[str, Value]:
        return dict(self._values)


class SectionView:
    """What one component may read of a complete :class:`Params`: its own section's
    parameters and the shared ones it declares (each with the reason, next to the
    declaration).  Reading any other parameter is an ``AttributeError`` that says so."""

    __slots__ = ("_names", "_owner", "_params", "_values")

    def __init__(self, params: Mapping[str, Any], section: Section, shared: Iterable[str]) -> None:
        if isinstance(params, SectionView):
            params = params.params
        names = frozenset(p.name for p in section.params) | set(shared)
        object.__setattr__(self, "_params", params)
        object.__setattr__(self, "_owner", section.name)
        object.__setattr__(self, "_names", names)
        # the values it shows, read once (Params never change; rules read some every month);
        # a name the set lacks is looked up at each read, and fails there, as before
        values = {name: getattr(params, name) for name in names if hasattr(params, name)}
        object.__setattr__(self, "_values", values)

    @property
    def params(self) -> Mapping[str, Any]:
        """The complete parameter set this view shows a part of."""
        return self._params

    def __getattr__(self, name: str) -> Value:
        try:
            return self._values[name]
        except KeyError:
            pass
        if name in self._names:
            return getattr(self._params, name)
        raise AttributeError(
            f"the {self._owner} read only their section [{self._owner}] and the parameters "
            f"they declare as shared; {name!r} is neither"
        )

    def __getitem__(self, name: str) -> Value:
        return self.__getattr__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("parameter views are read-only; hand the component new Params")


class OwnSection:
    """Descriptor for a component's ``p``: whatever complete :class:`Params` is assigned
    (at construction or by ``CityModel.install_params``), the component sees only
    ``section`` and the ``shared`` parameter names (a :class:`SectionView`)."""

    def __init__(self, section: Section, shared: Iterable[str] = ()) -> None:
        self.section = section
        self.shared = tuple(shared)

    def __set_name__(self, owner: type, name: str) -> None:
        self.attr = f"_{name}_view"

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return getattr(obj, self.attr)

    def __set__(self, obj: Any, params: Mapping[str, Any]) -> None:
        setattr(obj, self.attr, SectionView(params, self.section, self.shared))
