"""The evidence register: a prior, an evidence grade and a source for every parameter.

The register is a table reviewed like code, ``kosi_sim/data/evidence.csv``, one row per
declared parameter keyed by section and name (``instrument.<type>`` for a lab instrument's
own parameters).  :func:`attach` reads it once when the catalogue is built, checks every
row against its :class:`~kosi_sim.parameters.Param` and sets ``Param.evidence``.  A
parameter without a row, a row without a parameter, a prior outside the parameter's range
or a default outside the prior's support is an error naming the row.

The register is the one place for the source of a parameter: ``kosi-sim params`` and the
ODD tables show its ``source``, ``url`` and ``note``.

Columns: ``section, parameter, grade, prior_family, prior_low, prior_high, prior_mode,
source, url, note``.  Grades:

- ``measured``: a statistic for this place and time (Dortmund, Wuppertal, NRW, 2015-2024);
- ``literature``: a published estimate from elsewhere, or a national figure;
- ``assumption``: a reasoned guess; the reasoning is in ``note`` (or ``source``).

Priors (``low``, ``high`` and ``mode`` as in the columns):

- ``uniform(low, high)``;
- ``triangular(low, high; mode)``, written ``tri(low, mode, high)``;
- ``loguniform(low, high)``: the logarithm is uniform, ``0 < low``;
- ``discrete_uniform(low, high)``: every whole number from low to high equally likely,
  for whole-number parameters;
- ``fixed(mode)``: not uncertain (a legal constant, a switch, a choice): for true/false
  and text parameters this is the only family, with ``mode`` the value.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .parameters import Param, Section

REGISTER = "evidence.csv"
COLUMNS = (
    "section",
    "parameter",
    "grade",
    "prior_family",
    "prior_low",
    "prior_high",
    "prior_mode",
    "source",
    "url",
    "note",
)


class Grade(StrEnum):
    """How good the evidence for a parameter's value is."""

    MEASURED = "measured"
    LITERATURE = "literature"
    ASSUMPTION = "assumption"


class Family(StrEnum):
    """The shape of a prior."""

    UNIFORM = "uniform"
    TRIANGULAR = "triangular"
    LOGUNIFORM = "loguniform"
    DISCRETE_UNIFORM = "discrete_uniform"
    FIXED = "fixed"


_SHORT = {
    Family.UNIFORM: "uniform",
    Family.TRIANGULAR: "tri",
    Family.LOGUNIFORM: "loguniform",
    Family.DISCRETE_UNIFORM: "integers",
}


@dataclass(frozen=True)
class Prior:
    """A prior distribution over one parameter's value.

    ``low`` and ``high`` bound the support (``None`` for ``fixed``); ``mode`` is the
    triangular's peak or the fixed value (``None`` otherwise).
    """

    family: Family
    low: float | None = None
    high: float | None = None
    mode: float | bool | str | None = None

    def __post_init__(self) -> None:
        fam = self.family
        if fam is Family.FIXED:
            if self.mode is None:
                raise ValueError("a fixed prior needs its value as mode")
            return
        if self.low is None or self.high is None:
            raise ValueError(f"a {fam} prior needs low and high")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"a {fam} prior needs finite low < high, got {self.low}, {self.high}")
        if fam is Family.TRIANGULAR:
            if not isinstance(self.mode, int | float) or not self.low <= self.mode <= self.high:
                raise ValueError(f"triangular mode {self.mode} outside {self.low} to {self.high}")
        elif self.mode is not None:
            raise ValueError(f"a {fam} prior has no mode")
        if fam is Family.LOGUNIFORM and self.low <= 0:
            raise ValueError(f"a loguniform prior needs low > 0, got {self.low}")
        if fam is Family.DISCRETE_UNIFORM and not (
            float(self.low).is_integer() and float(self.high).is_integer()
        ):
            raise ValueError(f"discrete_uniform bounds must be whole, got {self.low}, {self.high}")

    def __str__(self) -> str:
        if self.family is Family.FIXED:
            return f"fixed({_num(self.mode)})"
        if self.family is Family.TRIANGULAR:
            return f"tri({_num(self.low)}, {_num(self.mode)}, {_num(self.high)})"
        return f"{_SHORT[self.family]}({_num(self.low)}, {_num(self.high)})"

    def contains(self, value: float | bool | str) -> bool:
        """Whether ``value`` lies in the support (for ``fixed``: equals the value)."""
        if self.family is Family.FIXED:
            return value == self.mode and type(value) is type(self.mode)
        if isinstance(value, bool | str):
            return False
        if self.family is Family.DISCRETE_UNIFORM and not float(value).is_integer():
            return False
        return self.low <= value <= self.high  # type: ignore[operator]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws."""
        lo, hi = self.low, self.high
        match self.family:
            case Family.UNIFORM:
                return rng.uniform(lo, hi, n)
            case Family.TRIANGULAR:
                return rng.triangular(lo, self.mode, hi, n)
            case Family.LOGUNIFORM:
                return np.exp(rng.uniform(math.log(lo), math.log(hi), n))
            case Family.DISCRETE_UNIFORM:
                return rng.integers(int(lo), int(hi), n, endpoint=True)
            case _:
                return np.full(n, self.mode)


    def ppf(self, u: np.ndarray) -> np.ndarray:
        """The quantiles at ``u`` in [0, 1]: maps a unit design (LHS, Sobol) onto the prior."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        lo, hi = self.low, self.high
        match self.family:
            case Family.UNIFORM:
                return lo + u * (hi - lo)
            case Family.TRIANGULAR:
                c = (self.mode - lo) / (hi - lo)
                left = lo + np.sqrt(u * (hi - lo) * (self.mode - lo))
                right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - self.mode))
                return np.where(u < c, left, right)
            case Family.LOGUNIFORM:
                return np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
            case Family.DISCRETE_UNIFORM:
                n = int(hi) - int(lo) + 1
                return np.minimum(int(lo) + np.floor(u * n), int(hi)).astype(np.int64)
            case _:
                return np.full(u.shape, self.mode, dtype=object)

    @property
    def uncertain(self) -> bool:
        """Whether the prior has any spread (``fixed`` has none)."""
        return self.family is not Family.FIXED


def _num(x) -> str:
    """A number as short as it reads back exactly (``2``, not ``2.0``); anything else as text."""
    if isinstance(x, bool) or not isinstance(x, float | int):
        return str(x)
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


@dataclass(frozen=True)
class Evidence:
    """A parameter's register row: grade, source (``url`` optional), reasoning and prior."""

    grade: Grade
    source: str
    prior: Prior
    url: str = ""
    note: str = ""

    def row(self, section: str, parameter: str) -> dict[str, str]:
        """This evidence as a register row (the CSV columns, all text)."""
        p = self.prior

        def cell(x) -> str:
            return "" if x is None else _num(x)

        return {
            "section": section,
            "parameter": parameter,
            "grade": str(self.grade),
            "prior_family": str(p.family),
            "prior_low": cell(p.low),
            "prior_high": cell(p.high),
            "prior_mode": cell(p.mode),
            "source": self.source,
            "url": self.url,
            "note": self.note,
        }


def parse_row(row: Mapping[str, str], param: Param) -> Evidence:
    """One register row as :class:`Evidence`, checked against ``param``: ``ValueError``
    with a one-line message if the row is malformed or contradicts the declaration."""
    where = f"{REGISTER} row {row.get('section')}.{row.get('parameter')}"
    try:
        grade = Grade(row["grade"])
    except ValueError:
        raise ValueError(
            f"{where}: grade {row['grade']!r} is not one of {', '.join(Grade)}"
        ) from None
    try:
        family = Family(row["prior_family"])
    except ValueError:
        raise ValueError(
            f"{where}: prior family {row['prior_family']!r} is not one of {', '.join(Family)}"
        ) from None
    try:
        if family is Family.FIXED:
            if row["prior_low"].strip() or row["prior_high"].strip():
                raise ValueError("a fixed prior has no low and high, only its value as mode")
            mode = param.check(row["prior_mode"])
            prior = Prior(family, mode=mode)
        else:
            lo, hi = float(row["prior_low"]), float(row["prior_high"])
            mode = float(row["prior_mode"]) if row["prior_mode"].strip() else None
            prior = Prior(family, lo, hi, mode)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    if not row["source"].strip():
        raise ValueError(f"{where}: no source")
    if grade is Grade.ASSUMPTION and not (row["note"].strip() or row["source"].strip()):
        raise ValueError(f"{where}: an assumption needs its reasoning in note")
    _check_against(prior, param, where)
    return Evidence(grade, row["source"].strip(), prior, row["url"].strip(), row["note"].strip())


def _check_against(prior: Prior, param: Param, where: str) -> None:
    numeric = not isinstance(param.default, bool | str)
    if not numeric and prior.family is not Family.FIXED:
        raise ValueError(f"{where}: a {param.kind.__name__} parameter needs a fixed prior")
    if numeric and prior.family is not Family.FIXED:
        lo, hi = param.bounds  # type: ignore[misc]
        if not lo <= prior.low <= prior.high <= hi:  # type: ignore[operator]
            raise ValueError(
                f"{where}: prior {prior} reaches outside the valid range {lo:g} to {hi:g}"
            )
        if param.kind is int and prior.family is not Family.DISCRETE_UNIFORM:
            raise ValueError(f"{where}: a whole-number parameter needs discrete_uniform or fixed")
    if numeric and prior.family is Family.FIXED:
        param.check(prior.mode)
    if not prior.contains(param.default):
        raise ValueError(f"{where}: default {_num(param.default)} outside prior {prior}")


def read_register() -> list[dict[str, str]]:
    """The register's rows, as text."""
    text = resources.files("kosi_sim").joinpath("data", REGISTER).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    if rows and tuple(rows[0]) != COLUMNS:
        raise ValueError(f"{REGISTER}: columns must be {', '.join(COLUMNS)}")
    return rows


def attach(sections: Iterable[Section], rows: list[dict[str, str]] | None = None) -> None:
    """Set ``evidence`` on every parameter of ``sections`` from the register; every
    parameter needs exactly one row and every row a parameter."""
    rows = read_register() if rows is None else rows
    by_key: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        key = (row["section"], row["parameter"])
        if key in by_key:
            raise ValueError(f"{REGISTER}: {'.'.join(key)} has two rows")
        by_key[key] = row
    for sec in sections:
        for p in sec.params:
            row = by_key.pop((sec.name, p.name), None)
            if row is None:
                raise ValueError(f"{REGISTER}: no row for {sec.name}.{p.name}")
            # Param is frozen; the register is attached once, here, when the catalogue is built
            object.__setattr__(p, "evidence", parse_row(row, p))
    if by_key:
        raise ValueError(
            f"{REGISTER}: rows for no declared parameter: {', '.join('.'.join(k) for k in by_key)}"
        )


def counts(sections: Iterable[Section]) -> dict[Grade, int]:
    """How many parameters have each grade."""
    n = dict.fromkeys(Grade, 0)
    for sec in sections:
        for p in sec.params:
            n[p.evidence.grade] += 1
    return n


def counts_markdown(sections: Iterable[Section]) -> str:
    """The count per grade as one Markdown line (README.md)."""
    n = counts(sections)
    return (
        f"Of the {sum(n.values())} parameters, {n[Grade.MEASURED]} are `measured`, "
        f"{n[Grade.LITERATURE]} `literature` and {n[Grade.ASSUMPTION]} `assumption`."
    )
