"""Parameter draws: which parameters are uncertain, their priors, and a draw applied to a
scenario.

A *draw* maps parameter keys to values.  A key is either a core parameter as
``section.name`` (as ``kosi-sim params`` lists it and ``--set`` accepts it) or a lab
instrument's own parameter as ``instrument.<type>.<name>``; an instrument key applies to
every intervention of that type in the scenario (presets are expanded first), and to none if
the scenario has no such instrument.

Prior draws (``compare --uncertainty prior``), Sobol and Morris studies over the priors,
ABC-SMC (``calibrate --posterior``) and the futures of ``optimize`` all build on the three
functions here, so that a key means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .catalog import CATALOG, INSTRUMENT_PREFIX, INSTRUMENT_SECTIONS, evidence
from .evidence import Prior
from .parameters import Param
from .scenario import Scenario, _set_key
from .vocabulary import InstrumentParameter, ParameterSetting, parameter_key

#: top-level scenario settings are not parameters and have no prior
_SETTINGS = ("name", "description", "place", "seed", "years", "scale")
#: sections that describe the scenario, not knowledge about the world: the drivers
#: (demographic pressure, civic engagement) are what a scenario *is*, and the spin-up
#: length is a technical setting; neither is drawn as parameter uncertainty by default
NOT_KNOWLEDGE = ("drivers", "simulation")


class DrawError(ValueError):
    """A key or value of a draw is not valid; the message is one line."""


def param_of(key: str) -> Param:
    """The declared parameter behind ``key``; DrawError naming what is allowed."""
    if not isinstance(key, str) or not key:
        raise DrawError(
            f"parameter key {key!r} is not allowed; allowed: 'section.name' "
            "or 'instrument.<type>.<name>'"
        )
    target = parameter_key(key)
    if isinstance(target, InstrumentParameter):
        section = next((s for s in INSTRUMENT_SECTIONS if s.name == target.section), None)
        if section is None:
            kinds = ", ".join(s.name.removeprefix(INSTRUMENT_PREFIX) for s in INSTRUMENT_SECTIONS)
            raise DrawError(
                f"unknown instrument in {key!r}; instruments with own parameters: {kinds}"
            )
        for p in section.params:
            if p.name == target.param:
                return p
        valid = ", ".join(p.name for p in section.params)
        raise DrawError(f"unknown parameter {key!r}; valid for {target.kind}: {valid}")
    try:
        return CATALOG.resolve(key)
    except KeyError as e:
        raise DrawError(e.args[0]) from None


def canonical(key: str) -> str:
    """``key`` written as ``section.name`` (a bare core name gets its section)."""
    p = param_of(key)
    return key if isinstance(parameter_key(key), InstrumentParameter) else CATALOG.key(p.name)


def is_core(key: str) -> bool:
    """Whether ``key`` names a core parameter (not an instrument's own)."""
    return isinstance(parameter_key(key), ParameterSetting)


def section_of(key: str) -> str:
    """The name of the parameter section of a canonical ``key`` (``section`` of
    ``section.name``, ``instrument.<type>`` of an instrument's key)."""
    target = parameter_key(key)
    if isinstance(target, InstrumentParameter):
        return target.section
    return CATALOG.section_of[param_of(key).name]


def prior_of(key: str) -> Prior:
    """The prior of ``key`` from the evidence register."""
    return evidence(param_of(key)).prior


def uncertain_keys(scn: Scenario | None = None, drivers: bool = False) -> list[str]:
    """Every parameter whose prior has spread: the core ones, and the own parameters of
    each instrument the scenario runs (of every instrument if ``scn`` is None).  Sorted.
    The sections in :data:`NOT_KNOWLEDGE` only with ``drivers=True``."""
    keys = [
        CATALOG.key(p.name)
        for s in CATALOG.sections
        for p in s.params
        if evidence(p).prior.uncertain and (drivers or s.name not in NOT_KNOWLEDGE)
    ]
    kinds = None if scn is None else {s.type for s in scn.intervention_specs}
    for section in INSTRUMENT_SECTIONS:
        kind = section.name.removeprefix(INSTRUMENT_PREFIX)
        if kinds is not None and kind not in kinds:
            continue
        keys += [f"{section.name}.{p.name}" for p in section.params if evidence(p).prior.uncertain]
    return sorted(keys)


def check_value(key: str, value: Any) -> Any:
    """``value`` converted to ``key``'s type; DrawError if it is outside the declared range."""
    p = param_of(key)
    if isinstance(value, np.generic):
        value = value.item()
    try:
        return p.check(value)
    except ValueError as e:
        raise DrawError(f"{key} = {value!r}: {e}") from None


def sample_prior(keys: Iterable[str], rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` independent draws from the priors of ``keys``, one column per key."""
    keys = list(keys)
    cols = {}
    for key in keys:
        values = prior_of(key).sample(rng, n)
        cols[key] = [check_value(key, v) for v in values]
    return pd.DataFrame(cols, columns=keys)


def from_unit(keys: Iterable[str], unit: np.ndarray) -> pd.DataFrame:
    """A unit design (rows in [0, 1]^k, e.g. LHS or Sobol) mapped onto the priors of
    ``keys`` by their quantile functions."""
    keys = list(keys)
    unit = np.asarray(unit, dtype=float).reshape(-1, len(keys))
    cols = {
        key: [check_value(key, v) for v in prior_of(key).ppf(unit[:, j])]
        for j, key in enumerate(keys)
    }
    return pd.DataFrame(cols, columns=keys)


def apply(doc: dict[str, Any], draw: Mapping[str, Any]) -> dict[str, Any]:
    """Set every value of ``draw`` in a raw scenario document (as ``Scenario.to_dict``
    gives it), in place, and return it.  Instrument keys expand presets first and then set
    the value on each intervention of that type."""
    for key, value in draw.items():
        if key in _SETTINGS:
            raise DrawError(f"{key!r} is a scenario setting, not a parameter with a prior")
        value = check_value(key, value)
        target = parameter_key(key)
        if isinstance(target, InstrumentParameter):
            target.apply(doc, value)
        else:
            _set_key(doc, canonical(key), value, source="draw")
    return doc


def with_draw(scn: Scenario, draw: Mapping[str, Any]) -> Scenario:
    """``scn`` with ``draw`` applied (validated like a scenario file)."""
    from .scenario import from_dict

    return from_dict(apply(scn.to_dict(), draw), source=f"{scn.source} with a parameter draw")
