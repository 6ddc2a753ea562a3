"""Factors drawn from the priors of the evidence register, and the paired lab effect as the
response of a study.

An experiment file may replace its ``[[factors]]`` by a ``[priors]`` table::

    [priors]
    keys = "uncertain"        # every uncertain parameter of the scenario, or a list of keys
    group_by = "parameter"    # one factor per parameter, or "section": one per section
    response = "lab_effect"   # the paired lab effect; "outcome" for the outcomes themselves

Each factor is a number ``u`` in [0, 1]; a design point's ``u`` is mapped onto a parameter's
prior by its quantile function (:func:`kosi_sim.draws.from_unit`), so a Morris or Sobol design
in unit space covers every prior whatever its family.  A grouped factor moves all parameters
of its section together, each to the same quantile of its own prior (Morris's groups).  Keys
are those of :mod:`kosi_sim.draws` (``section.name``, ``instrument.<type>.<name>``); a key of an
instrument the scenario does not run is allowed and changes nothing.

With ``response = "lab_effect"`` every unit point is run twice, with and without the lab
(the ``lab`` factor), on the same seed: design point ``2i`` is unit point ``i`` with the lab,
point ``2i + 1`` the same without it, so the pair gives the paired effect of
:mod:`.prior_sensitivity`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import draws
from ..catalog import CATALOG
from ..inputs import short
from ..scenario import Scenario
from .designs import Factor

#: the prefix of a prior factor's name (``prior.engagement.quit_rate``, ``prior.engagement``)
PREFIX = "prior."
ALL = "uncertain"
GROUPINGS = ("parameter", "section")
RESPONSES = ("lab_effect", "outcome")
#: the designs that sample the unit cube (a full factorial of many priors is too large)
DESIGNS = ("morris", "sobol", "latin_hypercube")
KEYS = ("keys", "group_by", "response")
LAB = Factor("lab", levels=(True, False))


class PriorsError(ValueError):
    """The ``[priors]`` table is not valid; the message is one line."""


@dataclass(frozen=True)
class Priors:
    """Which factors move which parameter keys, and what the response is."""

    groups: dict[str, tuple[str, ...]]  # factor name -> the parameter keys it moves
    group_by: str
    response: str

    @property
    def keys(self) -> list[str]:
        return [k for members in self.groups.values() for k in members]

    def factors(self) -> tuple[Factor, ...]:
        """The unit-range factors of the design (without the lab)."""
        return tuple(Factor(name, low=0.0, high=1.0) for name in self.groups)

    def unit_frame(self, points: pd.DataFrame) -> pd.DataFrame:
        """Each key's unit value at each point (a group's value for each of its members)."""
        cols = {k: points[name].to_numpy(float) for name, ks in self.groups.items() for k in ks}
        return pd.DataFrame(cols, index=points.index)

    def draw(self, point: dict[str, Any]) -> dict[str, Any]:
        """The parameter values of one design point."""
        unit = self.unit_frame(pd.DataFrame([{n: point[n] for n in self.groups}]))
        return draws.from_unit(self.keys, unit.to_numpy()).iloc[0].to_dict()

    def core_values(self, points: pd.DataFrame) -> list[dict[str, Any]]:
        """Per point, the drawn core parameters by their plain name (for the checks of
        parameters together, :func:`kosi_sim.scenario.conflict`)."""
        core = [k for k in self.keys if draws.is_core(k)]
        if not core:
            return [{} for _ in range(len(points))]
        values = draws.from_unit(core, self.unit_frame(points)[core].to_numpy())
        values.columns = [CATALOG.resolve(k).name for k in core]
        return values.to_dict("records")

    def apply(self, doc: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        """Set the parameter values of ``point``'s prior factors in the scenario document."""
        return draws.apply(doc, self.draw(point))

    def manifest(self) -> dict[str, Any]:
        return {
            "group_by": self.group_by,
            "response": self.response,
            "groups": {name: list(ks) for name, ks in self.groups.items()},
        }


def parse(raw: Any, base: Scenario) -> Priors:
    """The checked ``[priors]`` table; PriorsError naming the problem and what is allowed."""
    if not isinstance(raw, dict):
        raise PriorsError("[priors] must be a table")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise PriorsError(f"unknown key 'priors.{unknown[0]}'; valid keys: " + ", ".join(KEYS))
    group_by = _choice(raw, "group_by", GROUPINGS)
    response = _choice(raw, "response", RESPONSES)
    keys = raw.get("keys", ALL)
    if keys == ALL:
        keys = draws.uncertain_keys(base)
    elif isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys):
        keys = [_checked(k) for k in keys]
        if len(set(keys)) != len(keys):
            raise PriorsError("priors.keys: a parameter is listed twice")
    else:
        raise PriorsError(
            f"priors.keys = {short(keys)} is not allowed; allowed: {ALL!r} or a non-empty "
            "list of keys ('section.name' or 'instrument.<type>.<name>')"
        )
    if response == "lab_effect" and not base.interventions:
        raise PriorsError("priors.response = 'lab_effect' needs a base scenario with a lab")
    if group_by == "parameter":
        groups = {PREFIX + k: (k,) for k in keys}
    else:
        groups: dict[str, tuple[str, ...]] = {}
        for k in keys:
            name = PREFIX + draws.section_of(k)
            groups[name] = (*groups.get(name, ()), k)
    return Priors(groups, group_by, response)


def _choice(raw: dict, key: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(key, allowed[0])
    if value not in allowed:
        raise PriorsError(
            f"priors.{key} = {short(value)} is not allowed; allowed: " + ", ".join(allowed)
        )
    return value


def _checked(key: str) -> str:
    """``key`` in canonical form, if it names a parameter whose prior has spread."""
    try:
        canonical = draws.canonical(key)
        prior = draws.prior_of(canonical)
    except draws.DrawError as e:
        raise PriorsError(f"priors.keys: {e}") from None
    if not prior.uncertain:
        raise PriorsError(
            f"priors.keys: {key!r} has a fixed prior ({prior}), nothing to vary; allowed: "
            "parameters with an uncertain prior (kosi-sim params lists them)"
        )
    return canonical


def with_lab(points: pd.DataFrame) -> pd.DataFrame:
    """Each unit point twice, with the lab (row ``2i``) and without it (row ``2i + 1``)."""
    twice = points.loc[points.index.repeat(2)].reset_index(drop=True)
    twice["lab"] = np.tile([True, False], len(points))
    return twice


def prior_study(doc: dict[str, Any], base: Scenario, design: Callable):
    """Factors, design kind, options, points and priors of an experiment document with a
    ``[priors]`` table: ``design(raw, factors)`` (the experiment file's sampling design)
    over the unit factors, each point twice, with and without the lab, when the response is
    the lab's paired effect."""
    if "factors" in doc:
        raise PriorsError("give either [[factors]] or [priors], not both")
    prior = parse(doc["priors"], base)
    raw = doc.get("design", {})
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in DESIGNS:
        raise PriorsError(
            f"design.kind = {short(kind)} is not allowed with [priors]; allowed: "
            + ", ".join(DESIGNS)
        )
    factors = prior.factors()
    kind, options, points = design(raw, factors)
    if prior.response == "lab_effect":
        factors, points = (*factors, LAB), with_lab(points)
    return factors, kind, options, points, prior
