"""The scenario file's schema: pydantic models generated from the parameter declarations,
and the one-line explanation of the first thing that fails validation (the key path, the bad
value and what is allowed).  :mod:`kosi_sim.scenario` validates with them."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from .agents.places import DEFAULT_PLACE, PLACES
from .catalog import CATALOG
from .inputs import listing, short
from .parameters import NOT_FINITE, Param


class ScenarioError(ValueError):
    """A scenario (file, override or value) is not valid; the message is one line."""


#: a handful: with fewer simulated citizens a district's shares and rates mean nothing, and
#: as the model keeps at least one citizen per district, a tiny scale inflates the city
MIN_CITIZENS_PER_DISTRICT = 5
MAX_YEARS = 100
MAX_DISTRICTS = 200

# NaN and infinity are refused in every float field (TOML can write them: nan, inf)
_STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


def _integral(value: Any) -> Any:
    """An integral float (2500.0, as spreadsheets write it) as an int; anything else is left
    to the strict int check."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, BeforeValidator(_integral)]


class DistrictModel(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1)
    population: WholeNumber = Field(ge=MIN_CITIZENS_PER_DISTRICT, le=5_000_000)
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
    kind = WholeNumber if p.kind is int else p.kind
    return (kind, Field(p.default, ge=lo, le=hi, description=p.doc))


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
    place=(Literal[PLACES], DEFAULT_PLACE),  # type: ignore[valid-type]
    seed=(WholeNumber, Field(42, ge=0, le=2**63 - 1)),
    years=(WholeNumber, Field(20, ge=1, le=MAX_YEARS)),
    scale=(float, Field(1.0, gt=0.0, le=1.0)),
    districts=(list[DistrictModel], Field(min_length=1, max_length=MAX_DISTRICTS)),
    interventions=(list[dict[str, Any]], Field(default_factory=list)),
    calibration=(dict[str, float], Field(default_factory=dict)),
    posterior=(str | None, None),
    **{name: (model | None, None) for name, model in SECTION_MODELS.items()},
)
TOP_KEYS = (
    "name",
    "description",
    "place",
    "seed",
    "years",
    "scale",
    "districts",
    "districts_file",
    "interventions",
    "calibration",
    "posterior",
)
#: city-specific calibration targets a scenario may state under [calibration]
CITY_TARGETS = {
    "births_per_1000": "births per 1,000 inhabitants and year",
    "deaths_per_1000": "deaths per 1,000 inhabitants and year",
}


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _field_allowed(field: FieldInfo) -> str | None:
    """What a numeric field allows, from its declared bounds (e.g. a number from 0 to 0.6)."""
    if field.annotation not in (int, float):
        return None
    lo = hi = ""
    for m in field.metadata:
        if getattr(m, "ge", None) is not None:
            lo = f" from {_bound(m.ge)}"
        elif getattr(m, "gt", None) is not None:
            lo = f" above {_bound(m.gt)}"
        elif getattr(m, "le", None) is not None:
            hi = f" up to {_bound(m.le)}" if lo.startswith(" above") else f" to {_bound(m.le)}"
    what = "a whole number" if field.annotation is int else "a number"
    return what + lo + hi


def _bound(x: int | float) -> str:
    """A declared bound as written: whole numbers in full (the seed's 2**63 - 1 is not
    9.22337e+18), others shortest."""
    return str(x) if isinstance(x, int) else f"{x:g}"


def _allowed(loc: tuple) -> str | None:
    """What the value at ``loc`` may be, where a range or choice is declared."""
    if len(loc) == 2 and loc[0] in SECTION_MODELS:
        p = CATALOG.by_name.get(str(loc[1]))
        return p.allowed() if p is not None else None
    if loc == ("place",):
        return "one of " + ", ".join(PLACES)
    if len(loc) == 1 and loc[0] in ScenarioModel.model_fields:
        return _field_allowed(ScenarioModel.model_fields[loc[0]])
    if len(loc) == 3 and loc[0] == "districts" and loc[2] in DistrictModel.model_fields:
        return _field_allowed(DistrictModel.model_fields[loc[2]])
    return None


def _explain(err: dict[str, Any]) -> str:
    """One line for pydantic's first error: the key path, the value and what is allowed."""
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
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key {short(path)}; {hint}valid keys here: {listing(valid)}"
    if kind == "missing":
        return f"missing required key {path!r}"
    if kind in ("too_long", "too_short") and isinstance(value, list):
        bound = "at most" if kind == "too_long" else "at least"
        limit = err["ctx"]["max_length" if kind == "too_long" else "min_length"]
        return f"{path} has {len(value)} entries; allowed: {bound} {limit}"
    allowed = _allowed(loc)
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path} = {value} {NOT_FINITE}" + (f"; allowed: {allowed}" if allowed else "")
    if allowed is not None:
        return f"{path} = {short(value)} is not allowed; allowed: {allowed}"
    msg = err["msg"][0].lower() + err["msg"][1:]
    return f"{path} = {short(value)}: {msg}"


def _blamed(loc: tuple, source: str, blame: Mapping[tuple, str] | None) -> str:
    """Who gave the value at ``loc``: an override's label (e.g. ``--set years=0``) if one set
    it or a key below or above it, else ``source``."""
    if not loc:
        return source
    for key, label in (blame or {}).items():
        n = min(len(key), len(loc))
        if key[:n] == tuple(loc[:n]):
            return label
    return source
