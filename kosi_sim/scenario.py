"""Scenario files: TOML, validated by pydantic models generated from the declarations.

A scenario file has top-level settings, a ``[[districts]]`` array and one optional table
per parameter section::

    name = "baseline"
    seed = 42
    years = 20
    scale = 1.0

    [[districts]]
    name = "Nord"
    population = 14000

    [drivers]
    civic_engagement = 1.1

Anything wrong (unknown keys, wrong types, values out of range, duplicate districts,
unreadable files) raises :class:`ScenarioError` whose message is one line naming the key
path, the bad value and what is allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from .catalog import CATALOG
from .districts import DistrictSpec
from .interventions.base import InterventionSpec
from .interventions.spec import parse as parse_interventions
from .outdir import name_problem
from .parameters import Param, Params

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"


class ScenarioError(ValueError):
    """A scenario (file, override or value) is not valid; the message is one line."""


_STRICT = ConfigDict(extra="forbid", strict=True)


class DistrictModel(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1)
    population: int = Field(ge=1, le=5_000_000)
    share_under18: float = Field(0.169, ge=0.0, le=0.6)
    share_65plus: float = Field(0.223, ge=0.0, le=0.7)
    housing_vacancy: float = Field(0.033, ge=0.0, le=0.5)
    remoteness: float = Field(0.0, ge=0.0, le=1.0)


def _field(p: Param) -> tuple[Any, Any]:
    if p.kind is bool:
        return (bool, Field(p.default, description=p.doc))
    if p.choices is not None:
        return (Literal[p.choices], Field(p.default, description=p.doc))  # type: ignore[valid-type]
    lo, hi = p.bounds  # type: ignore[misc]
    return (p.kind, Field(p.default, ge=lo, le=hi, description=p.doc))


SECTION_MODELS: dict[str, type[BaseModel]] = {
    sec.name: create_model(
        f"Section_{sec.name}", __config__=_STRICT, **{p.name: _field(p) for p in sec.params}
    )
    for sec in CATALOG.sections
}

ScenarioModel = create_model(
    "ScenarioModel",
    __config__=_STRICT,
    name=(str, Field(min_length=1)),
    description=(str, ""),
    seed=(int, Field(42, ge=0, le=2**63 - 1)),
    years=(int, Field(20, ge=1, le=100)),
    scale=(float, Field(1.0, gt=0.0, le=1.0)),
    districts=(list[DistrictModel], Field(min_length=1, max_length=200)),
    interventions=(list[dict[str, Any]], Field(default_factory=list)),
    calibration=(dict[str, float], Field(default_factory=dict)),
    **{name: (model | None, None) for name, model in SECTION_MODELS.items()},
)
TOP_KEYS = (
    "name",
    "description",
    "seed",
    "years",
    "scale",
    "districts",
    "districts_file",
    "interventions",
    "calibration",
)
#: city-specific calibration targets a scenario may state under [calibration]
CITY_TARGETS = {
    "births_per_1000": "births per 1,000 inhabitants and year",
    "deaths_per_1000": "deaths per 1,000 inhabitants and year",
}


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
            "seed": self.seed,
            "years": self.years,
            "scale": self.scale,
            "districts": [vars(d).copy() for d in self.districts],
            "interventions": [dict(i) for i in self.interventions],
            "calibration": dict(self.calibration),
        }
        for sec in CATALOG.sections:
            doc[sec.name] = {p.name: self.params[p.name] for p in sec.params}
        return doc


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _explain(err: dict[str, Any], doc: dict[str, Any]) -> str:
    loc = tuple(err["loc"])
    path = _loc(loc)
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        if len(parent) == 0:
            valid = [*TOP_KEYS, *SECTION_MODELS]
        elif len(parent) == 1 and parent[0] in SECTION_MODELS:
            valid = list(SECTION_MODELS[parent[0]].model_fields)
        elif parent and parent[0] == "districts":
            valid = list(DistrictModel.model_fields)
        else:
            valid = []
        return f"unknown key {path!r}; valid keys here: {', '.join(valid)}"
    if kind == "missing":
        return f"missing required key {path!r}"
    if len(loc) == 2 and loc[0] in SECTION_MODELS:
        p = CATALOG.by_name.get(str(loc[1]))
        if p is not None:
            return f"{path} = {value!r} is not allowed; allowed: {p.allowed()}"
    msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{path} = {value!r}: {msg}"


def from_dict(doc: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate plain data (as read from TOML) into a :class:`Scenario`."""
    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: a scenario must be a table of keys")
    try:
        m = ScenarioModel.model_validate(doc)
    except ValidationError as e:
        raise ScenarioError(f"{source}: {_explain(e.errors()[0], doc)}") from None
    if problem := name_problem(m.name):  # the name becomes the results folder's name
        raise ScenarioError(f"{source}: {problem}")
    names = [d.name for d in m.districts]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(
            f"{source}: districts: duplicate district name(s) {dupes}; "
            "each district needs a unique name"
        )
    for i, d in enumerate(m.districts):
        if d.share_under18 + d.share_65plus >= 0.95:
            raise ScenarioError(
                f"{source}: districts[{i}] ({d.name}): share_under18 + share_65plus = "
                f"{d.share_under18 + d.share_65plus:g}; allowed: below 0.95"
            )
    bad = sorted(set(m.calibration) - set(CITY_TARGETS))
    if bad:
        raise ScenarioError(
            f"{source}: unknown key 'calibration.{bad[0]}'; valid keys here: "
            + ", ".join(CITY_TARGETS)
        )
    try:
        specs = parse_interventions(list(m.interventions), names)
    except ValueError as e:
        raise ScenarioError(f"{source}: {e}") from None
    values: dict[str, Any] = {}
    for sec in SECTION_MODELS:
        part = getattr(m, sec)
        if part is not None:
            values.update(part.model_dump(exclude_unset=True))
    try:
        params = Params(CATALOG, values)
    except (KeyError, ValueError) as e:
        raise ScenarioError(f"{source}: {e}") from None
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
    )


def load(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario file; ScenarioError with one line if bad."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder, expected a scenario .toml file")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not a text file (expected UTF-8 TOML)") from None
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ScenarioError(f"{path}: cannot be read: {e.strerror}") from None
    if isinstance(doc, dict) and "districts_file" in doc:
        if "districts" in doc:
            raise ScenarioError(f"{path}: give either [[districts]] or districts_file, not both")
        doc["districts"] = read_districts(path.parent, doc.pop("districts_file"), str(path))
    for key, value in (overrides or {}).items():
        _set_key(doc, key, value, source=str(path))
    return from_dict(doc, str(path))


def read_districts(base: Path, name: Any, source: str) -> list[dict[str, Any]]:
    """Districts from a CSV file (columns as in [[districts]], plus an optional source)."""
    import csv

    if not isinstance(name, str):
        raise ScenarioError(f"{source}: districts_file = {name!r}: expected a file name")
    path = base / name
    try:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise ScenarioError(f"{source}: districts_file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ScenarioError(f"{source}: districts_file {path} cannot be read: {e}") from None
    allowed = set(DistrictModel.model_fields)
    out = []
    for i, row in enumerate(rows, start=2):
        unknown = sorted(set(row) - allowed - {"source"})
        if unknown:
            raise ScenarioError(
                f"{path}: unknown column {unknown[0]!r}; valid columns: "
                + ", ".join([*allowed, "source"])
            )
        entry: dict[str, Any] = {}
        for key, text in row.items():
            if key == "source" or text is None or text == "":
                continue
            if key == "name":
                entry[key] = text
                continue
            try:
                entry[key] = int(text) if key == "population" else float(text)
            except ValueError:
                raise ScenarioError(f"{path}: line {i}, {key} = {text!r} is not a number") from None
        out.append(entry)
    return out


def builtin_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load_builtin(name: str) -> Scenario:
    path = SCENARIO_DIR / f"{name}.toml"
    if not path.exists():
        raise ScenarioError(
            f"unknown scenario {name!r}; built-in scenarios: {', '.join(builtin_names())}"
        )
    return load(path)


def resolve(name_or_path: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """A built-in scenario by name, or a scenario file by path."""
    if name_or_path in builtin_names() and not Path(name_or_path).exists():
        return load(SCENARIO_DIR / f"{name_or_path}.toml", overrides)
    path = Path(name_or_path)
    if not path.exists() and path.suffix != ".toml" and len(path.parts) == 1:
        raise ScenarioError(
            f"unknown scenario {name_or_path!r}; built-in scenarios: "
            f"{', '.join(builtin_names())}; or give the path of a .toml file"
        )
    return load(name_or_path, overrides)


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


def _set_key(doc: dict[str, Any], key: str, value: Any, source: str = "--set") -> None:
    """Set ``key`` (a top-level setting, ``name`` or ``section.name``) in a raw document."""
    if key in ("name", "description", "seed", "years", "scale"):
        doc[key] = value
        return
    try:
        p = CATALOG.resolve(key)
    except KeyError as e:
        raise ScenarioError(f"{source}: {e.args[0]}") from None
    section = CATALOG.section_of[p.name]
    doc.setdefault(section, {})
    if not isinstance(doc[section], dict):
        raise ScenarioError(f"{source}: [{section}] must be a table")
    doc[section][p.name] = value


def describe_overrides(scn: Scenario) -> dict[str, Any]:
    """Parameters that differ from their declared defaults."""
    return {CATALOG.key(k): v for k, v in scn.params.items() if v != CATALOG.by_name[k].default}


__all__ = ["Scenario", "ScenarioError", "from_dict", "load", "load_builtin", "replace", "resolve"]
