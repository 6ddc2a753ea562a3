"""Scenario files: TOML, validated by pydantic models generated from the declarations.

A scenario file has top-level settings, a ``[[districts]]`` array and one optional table
per parameter section::

    name = "baseline"
    place = "town"
    seed = 42
    years = 20
    scale = 1.0

    [[districts]]
    name = "Nord"
    population = 14000

    [drivers]
    civic_engagement = 1.1

``place`` is the kind of place (``large_city``, ``town`` or ``rural``; default ``town``): it
sets the municipal revenue per inhabitant (:mod:`kosi_sim.agents.administration`).

Anything wrong (unknown keys, wrong types, values out of range, duplicate districts,
unreadable files) raises :class:`ScenarioError` whose message is one line naming the key
path, the bad value and what is allowed; an error in a ``--set`` override names the
override, not the file.  Values that are valid one by one but make no sense together are
refused as well (plausibility guards): a scale that leaves a district with fewer than a
handful of simulated citizens, an intervention that starts after the run ends, parameters
that contradict each other (:func:`conflict`).

The schema generated from the declarations and the one-line explanation of a validation
error live in :mod:`kosi_sim.scenario_schema`; the files a scenario names (a districts CSV,
a posterior) are read by :mod:`kosi_sim.scenario_files`.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .agents.associations import DOMAINS
from .agents.places import DEFAULT_PLACE
from .catalog import CATALOG
from .districts import CITY, DistrictSpec
from .inputs import listing, read_toml
from .interventions.base import InterventionSpec
from .interventions.spec import parse as parse_interventions
from .outdir import name_problem
from .parameters import Params
from .scenario_files import _posterior_file, read_districts
from .scenario_schema import (
    CITY_TARGETS,
    MAX_YEARS,
    MIN_CITIZENS_PER_DISTRICT,
    SECTION_MODELS,
    ScenarioError,
    ScenarioModel,
    _blamed,
    _explain,
)

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the city, its parameters and its settings."""

    name: str
    description: str
    seed: int
    years: int
    scale: float
    districts: tuple[DistrictSpec, ...]
    params: Params
    interventions: tuple[dict[str, Any], ...] = ()
    source: str | None = None
    intervention_specs: tuple[InterventionSpec, ...] = ()
    calibration: tuple[tuple[str, float], ...] = ()
    place: str = DEFAULT_PLACE  # kind of place: one of PLACES (the budget depends on it)
    #: the posterior file the scenario names (``posterior = "..."``, relative to the
    #: scenario file), as an absolute path, checked when the file is loaded; read it with
    #: :func:`kosi_sim.posterior.of_scenario`
    posterior: str | None = None

    def with_params(self, overrides: dict[str, Any]) -> Scenario:
        """A copy with parameters overridden by name; ScenarioError if invalid."""
        doc = self.to_dict()
        for key, value in overrides.items():
            _set_key(doc, key, value)
        return from_dict(doc, self.source or "<overrides>")

    def without_interventions(self, labels: list[str] | None = None) -> Scenario:
        """A copy without all interventions, or without those whose label or type is named."""
        if not labels:
            return replace(self, interventions=(), intervention_specs=())
        known = (
            {s.label for s in self.intervention_specs}
            | {s.type for s in self.intervention_specs}
            | {str(i.get("type")) for i in self.interventions}
            | {str(i.get("label")) for i in self.interventions if "label" in i}
        )
        unknown = [x for x in labels if x not in known]
        if unknown:
            raise ScenarioError(
                f"--without {unknown[0]!r}: no such intervention in "
                f"{self.name}; its interventions: {', '.join(sorted(known))}"
            )
        keep = tuple(
            s
            for s in self.intervention_specs
            if s.label not in labels
            and s.type not in labels
            and s.label.split(".")[0] not in labels
        )
        raw = tuple(
            i
            for i in self.interventions
            if i.get("type") not in labels and i.get("label") not in labels
        )
        return replace(self, interventions=raw, intervention_specs=keep)

    def to_dict(self) -> dict[str, Any]:
        """The complete scenario as plain data (every parameter, defaults included)."""
        doc: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "place": self.place,
            "seed": self.seed,
            "years": self.years,
            "scale": self.scale,
            "districts": [vars(d).copy() for d in self.districts],
            "interventions": [dict(i) for i in self.interventions],
            "calibration": dict(self.calibration),
        }
        if self.posterior is not None:
            doc["posterior"] = self.posterior
        for sec in CATALOG.sections:
            doc[sec.name] = {p.name: self.params[p.name] for p in sec.params}
        return doc


def conflict(params: Mapping[str, Any]) -> tuple[str, str] | None:
    """Parameters that are valid one by one but not together: (section, one-line message),
    or None.  The one place for such checks: scenarios and sweep design points use it."""
    shares = [f"share_{d}" for d in DOMAINS]
    if not any(params[s] for s in shares):
        return (
            "associations",
            f"{', '.join(shares)} are all 0; at least one must be above 0 "
            "(they are the mix of the Vereine's domains)",
        )
    net, out = params["net_migration_rate"], params["out_migration_rate"]
    if out + net < 0:
        return (
            "demography",
            f"net_migration_rate = {net:g} is below minus out_migration_rate ({out:g}): "
            "in-migration would be negative; allowed: a net rate of at least "
            f"{-out:g} with this out-migration rate",
        )
    return None


def _round_up(x: float, digits: int = 2) -> float:
    """``x`` rounded up to ``digits`` significant digits (a minimum that is then enough)."""
    step = 10.0 ** (math.floor(math.log10(x)) - digits + 1)
    return math.ceil(x / step) * step


def _scale_too_small(m: Any) -> str | None:
    """The plausibility guard on the scale: every district keeps a handful of citizens."""
    smallest = min(m.districts, key=lambda d: d.population)
    if smallest.population * m.scale >= MIN_CITIZENS_PER_DISTRICT:
        return None
    lowest = _round_up(MIN_CITIZENS_PER_DISTRICT / smallest.population)
    return (
        f"scale = {m.scale:g} leaves district {smallest.name!r} ({smallest.population:,} "
        f"inhabitants) with {smallest.population * m.scale:.2g} simulated citizens; at least "
        f"{MIN_CITIZENS_PER_DISTRICT} per district are needed; allowed: a scale from "
        f"{lowest:g} to 1"
    )


def _starts_after_end(specs: tuple[InterventionSpec, ...], years: int) -> str | None:
    """The plausibility guard on interventions: each starts within the run."""
    end = years * 12
    late = [s for s in specs if s.start > end]
    if not late:
        return None
    s = late[0]
    return (
        f"intervention {s.label!r} starts in month {s.start} (year {(s.start - 1) // 12 + 1}), "
        f"after the run ends with month {end} (years = {years}); allowed: a start up to month "
        f"{end}, or a run of at least {math.ceil(s.start / 12)} years"
    )


def from_dict(
    doc: dict[str, Any], source: str = "<scenario>", blame: Mapping[tuple, str] | None = None
) -> Scenario:
    """Validate plain data (as read from TOML) into a :class:`Scenario`.

    ``blame`` maps key paths set by overrides to how the user gave them (``--set
    years=0``); an error at such a path names the override instead of ``source``."""

    def error(loc: tuple, msg: str) -> ScenarioError:
        return ScenarioError(f"{_blamed(loc, source, blame)}: {msg}")

    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: a scenario must be a table of keys")
    try:
        m = ScenarioModel.model_validate(doc)
    except ValidationError as e:
        err = e.errors()[0]
        raise error(tuple(err["loc"]), _explain(err)) from None
    if problem := name_problem(m.name):  # the name becomes the results folder's name
        raise error(("name",), problem)
    names = [d.name for d in m.districts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise error(
            ("districts",),
            f"districts: duplicate district name(s) {listing(map(repr, dupes))}; "
            "each district needs a unique name",
        )
    for i, d in enumerate(m.districts):
        if d.name == CITY:
            raise error(
                ("districts", i),
                f"districts[{i}].name = {CITY!r} is reserved for the whole city in the "
                "results; allowed: any other name",
            )
        if d.share_under18 + d.share_65plus >= 0.95:
            raise error(
                ("districts", i),
                f"districts[{i}] ({d.name}): share_under18 + share_65plus = "
                f"{d.share_under18 + d.share_65plus:g}; allowed: below 0.95",
            )
    bad = sorted(set(m.calibration) - set(CITY_TARGETS))
    if bad:
        raise error(
            ("calibration",),
            f"unknown key 'calibration.{bad[0]}'; valid keys here: " + ", ".join(CITY_TARGETS),
        )
    try:
        specs = parse_interventions(list(m.interventions), names)
    except ValueError as e:
        raise error(("interventions",), str(e)) from None
    values: dict[str, Any] = {}
    for sec in SECTION_MODELS:
        part = getattr(m, sec)
        if part is not None:
            values.update(part.model_dump(exclude_unset=True))
    try:
        params = Params(CATALOG, values)
    except (KeyError, ValueError) as e:
        raise error((), str(e)) from None
    clash = conflict(params)
    if clash is not None:
        raise error((clash[0],), f"[{clash[0]}] {clash[1]}")
    implausible = _scale_too_small(m)
    if implausible:
        raise error(("scale",), implausible)
    implausible = _starts_after_end(specs, m.years)
    if implausible:
        raise error(("years",), implausible)
    return Scenario(
        name=m.name,
        description=m.description,
        seed=m.seed,
        years=m.years,
        scale=m.scale,
        districts=tuple(DistrictSpec(**d.model_dump()) for d in m.districts),
        params=params,
        interventions=tuple(m.interventions),
        source=source,
        intervention_specs=specs,
        calibration=tuple(sorted(m.calibration.items())),
        place=m.place,
        posterior=m.posterior,
    )


def load(
    path: str | Path,
    overrides: dict[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Scenario:
    """Read, override and validate a scenario file; ScenarioError with one line if bad.

    ``labels`` says how the user gave each override (``--set years=0``, ``--years 0``), for
    messages; overrides without a label are blamed on the file."""
    path = Path(path)
    doc, _ = read_toml(path, "scenario file", ScenarioError)
    if "districts_file" in doc:
        if "districts" in doc:
            raise ScenarioError(f"{path}: give either [[districts]] or districts_file, not both")
        doc["districts"] = read_districts(path.parent, doc.pop("districts_file"), str(path))
    if "posterior" in doc:
        doc["posterior"] = _posterior_file(path.parent, doc["posterior"], str(path))
    blame = {}
    for key, value in (overrides or {}).items():
        label = (labels or {}).get(key)
        loc = _set_key(doc, key, value, source=label or str(path))
        if label:
            blame[loc] = label
    return from_dict(doc, str(path), blame)


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load_builtin(name: str) -> Scenario:
    path = SCENARIO_DIR / f"{name}.toml"
    if not path.exists():
        raise ScenarioError(
            f"unknown scenario {name!r}; built-in scenarios: {', '.join(builtin_names())}"
        )
    return load(path)


def resolve(
    name_or_path: str,
    overrides: dict[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Scenario:
    """A built-in scenario by name, or a scenario file by path (overrides as in
    :func:`load`)."""
    if name_or_path in builtin_names() and not Path(name_or_path).exists():
        return load(SCENARIO_DIR / f"{name_or_path}.toml", overrides, labels)
    path = Path(name_or_path)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        raise ScenarioError(
            f"unknown scenario {name_or_path!r}; built-in scenarios: "
            f"{', '.join(builtin_names())}; or give the path of a .toml file"
        )
    return load(name_or_path, overrides, labels)


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML syntax (numbers, true/false, "strings"), else a bare string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected key=value, e.g. civic_engagement=1.2")
    key, value = text.split("=", 1)
    return key.strip(), parse_value(value.strip())


def _set_key(doc: dict[str, Any], key: str, value: Any, source: str = "--set") -> tuple:
    """Set ``key`` (a top-level setting, ``name`` or ``section.name``) in a raw document;
    the key path it set."""
    if key in ("name", "description", "place", "seed", "years", "scale"):
        doc[key] = value
        return (key,)
    try:
        p = CATALOG.resolve(key)
    except KeyError as e:
        raise ScenarioError(f"{source}: {e.args[0]}") from None
    section = CATALOG.section_of[p.name]
    doc.setdefault(section, {})
    if not isinstance(doc[section], dict):
        raise ScenarioError(f"{source}: [{section}] must be a table")
    doc[section][p.name] = value
    return (section, p.name)


def describe_overrides(scn: Scenario) -> dict[str, Any]:
    """Parameters that differ from their declared defaults."""
    return {CATALOG.key(k): v for k, v in scn.params.items() if v != CATALOG.by_name[k].default}


__all__ = [
    "MAX_YEARS",
    "Scenario",
    "ScenarioError",
    "from_dict",
    "load",
    "load_builtin",
    "replace",
    "resolve",
]
