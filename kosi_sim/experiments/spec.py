"""Experiment files: a base scenario, factors, a design, replications, a root seed, outputs.

::

    name = "pressure_x_engagement"
    scenario = "../scenarios/baseline_wuppertal_lab.toml"  # path (relative to this file) or
    replications = 5                                        # built-in name
    seed = 2024
    years = 20            # optional, overrides the scenario
    scale = 0.2           # optional
    executor = "processes"

    [design]
    kind = "full_factorial"   # full_factorial, latin_hypercube, sobol, morris, explicit
    points = 5                # values per range in a full factorial
    samples = 64              # latin_hypercube: points; sobol: N; morris: trajectories

    [[factors]]
    name = "demographic_pressure"        # any declared parameter (name or section.name)
    low = 0.0
    high = 1.0

    [[factors]]
    name = "lab"                         # all interventions on or off
    levels = [true, false]

    [output]
    metrics = ["engaged_share", "coverage_mean"]
    every_months = 12                    # keep every 12th month (and the last)
    districts = false                    # city only

With an ``[uncertainty]`` table (source, draws) every design point is averaged over
parameter draws: see :mod:`kosi_sim.experiments.uncertainty`.

Factor names: a parameter; ``lab`` (all interventions on/off); ``intervention.<label>``
(one intervention on/off, by label or type); ``intervention.<label>.<key>`` (its budget,
staff or own parameter).  Each name is read once into a typed target
(:func:`kosi_sim.vocabulary.target`) by :mod:`.factors`, which also applies a design
point.  Instead of ``[[factors]]``, a ``[priors]`` table makes the factors the priors of
parameters and the response the lab's paired effect (:mod:`.priors`).
Every run of replicate ``r`` gets the same seed, derived from the root seed with
``numpy.random.SeedSequence``, whatever the design point: design points are compared on
common random numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import CATALOG
from ..inputs import read_toml, short
from ..metrics import INDEX as METRIC_INDEX
from ..outdir import name_problem
from ..scenario import Scenario, ScenarioError, conflict, from_dict, resolve
from ..vocabulary import ParameterSetting
from . import designs, uncertainty
from .designs import Factor
from .errors import ExperimentError, fail, whole
from .factors import apply_point
from .factors import parse as factor_table
from .priors import Priors, PriorsError, prior_study
from .uncertainty import Uncertainty

DESIGNS = ("full_factorial", "latin_hypercube", "sobol", "morris", "explicit")
EXECUTORS = ("serial", "processes", "dask")
TOP = (
    "name",
    "description",
    "scenario",
    "replications",
    "seed",
    "years",
    "scale",
    "executor",
    "batch_size",
    "design",
    "factors",
    "priors",
    "output",
    "uncertainty",
)
DEFAULT_METRICS = (
    "population",
    "share_65plus",
    "engaged_share",
    "engaged_citizens",
    "willing_inactive_share",
    "trust_share",
    "associations",
    "initiatives_active",
    "coverage_mean",
    "coverage_care",
    "coverage_mobility",
    "coverage_social",
    "coverage_space",
    "housing_vacancy",
    "premises_vacancy",
    "budget_balance",
    "lab_spending",
)


@dataclass(frozen=True)
class Output:
    metrics: tuple[str, ...] = DEFAULT_METRICS
    every_months: int = 12
    districts: bool = False


@dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    scenario: Scenario
    factors: tuple[Factor, ...]
    design_kind: str
    design_options: dict[str, Any]
    replications: int
    seed: int
    months: int
    executor: str
    batch_size: int | None
    output: Output
    text: str = ""
    path: str = ""
    points: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    #: parameter draws every design point is averaged over ([uncertainty]), or None
    uncertainty: Uncertainty | None = field(default=None, compare=False)
    #: factors drawn from the parameters' priors (a ``[priors]`` table), else None
    priors: Priors | None = None

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def runs_per_point(self) -> int:
        """Replicates per design point, times the parameter draws with [uncertainty]."""
        return self.replications * (self.uncertainty.k if self.uncertainty else 1)

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.runs_per_point

    def replicate_seeds(self) -> list[int]:
        children = np.random.SeedSequence(self.seed).spawn(self.runs_per_point)
        return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]

    def base_for(self, unit: int) -> Scenario:
        """The base scenario of run unit ``unit`` (under its draw with [uncertainty])."""
        if self.uncertainty is None:
            return self.scenario
        return self.uncertainty.scenarios[unit // self.replications]

    def scenario_for(self, point: dict[str, Any], unit: int = 0) -> dict[str, Any]:
        """The scenario document of one design point (for run unit ``unit``)."""
        if self.priors is None:
            return apply_point(self.base_for(unit), point)
        own = {k: v for k, v in point.items() if k not in self.priors.groups}
        return self.priors.apply(apply_point(self.scenario, own), point)


def load(path: str | Path) -> Experiment:
    path = Path(path)
    doc, text = read_toml(path, "experiment file", ExperimentError)
    return from_document(doc, text, path)


def from_document(doc: dict[str, Any], text: str, path: Path) -> Experiment:
    where = str(path)
    unknown = sorted(set(doc) - set(TOP))
    if unknown:
        raise fail(where, f"unknown key {unknown[0]!r}; valid keys: {', '.join(TOP)}")
    for key in ("name", "scenario"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise fail(where, f"missing required key {key!r} (a text)")
    if problem := name_problem(doc["name"]):  # the name becomes the sweep folder's name
        raise fail(where, problem)
    scen = doc["scenario"]
    overrides = {k: doc[k] for k in ("years", "scale") if k in doc}
    try:
        candidate = path.parent / scen
        base = resolve(str(candidate) if candidate.exists() else scen, overrides)
    except ScenarioError as e:
        raise fail(where, f"scenario: {e}") from None
    replications = whole(doc, "replications", 1, 1, 100_000, where)
    seed = whole(doc, "seed", 0, 0, 2**63 - 1, where)
    executor = doc.get("executor", "processes")
    if executor not in EXECUTORS:
        raise fail(
            where, f"executor = {short(executor)} is not allowed; allowed: " + ", ".join(EXECUTORS)
        )
    batch = doc.get("batch_size", "auto")
    if batch != "auto":
        batch = whole(doc, "batch_size", 1, 1, 10_000, where)
    if "priors" in doc:
        if "uncertainty" in doc:
            raise fail(
                where,
                "a [priors] study already draws the parameters; give either [priors] or "
                "[uncertainty], not both",
            )
        try:
            factors, kind, options, points, prior = prior_study(
                doc, base, lambda raw, fs: _design(raw, fs, seed, where)
            )
        except PriorsError as e:
            raise fail(where, str(e)) from None
    else:
        prior = None
        raw_factors = doc.get("factors", [])
        if not isinstance(raw_factors, list) or not raw_factors:
            raise fail(where, "needs at least one [[factors]] table (or a [priors] table)")
        factors = tuple(factor_table(f, i, base) for i, f in enumerate(raw_factors))
        names = [f.name for f in factors]
        if len(set(names)) != len(names):
            raise fail(where, "a factor is listed twice")
        kind, options, points = _design(doc.get("design", {}), factors, seed, where)
    try:
        unc = uncertainty.parse(doc.get("uncertainty"), base, factors, seed, path)
    except ValueError as e:
        raise fail(where, str(e)) from None
    output = _output(doc.get("output", {}), where)
    exp = Experiment(
        name=doc["name"],
        description=str(doc.get("description", "")),
        scenario=base,
        factors=factors,
        design_kind=kind,
        design_options=options,
        replications=replications,
        seed=seed,
        months=base.years * 12,
        executor=executor,
        batch_size=None if batch == "auto" else batch,
        output=output,
        text=text,
        path=str(path),
        points=points,
        uncertainty=unc,
        priors=prior,
    )
    _check_points(exp, where)
    return exp


def _check_points(exp: Experiment, where: str) -> None:
    """Every design point must give a valid scenario (a clear error now, not mid-sweep).

    The factors' values were checked one by one; so the first point is validated as a whole
    scenario and every point only against what can fail in combination, the checks of
    parameters together (:func:`kosi_sim.scenario.conflict`), which is fast for large
    designs."""
    rows = exp.points.to_dict("records")
    try:
        from_dict(exp.scenario_for(rows[0]), "design point 0")
    except ScenarioError as e:
        raise fail(where, str(e)) from None
    drawn = exp.priors.core_values(exp.points) if exp.priors else [{}] * len(rows)
    params = {
        f.name: CATALOG.resolve(f.name).name
        for f in exp.factors
        if isinstance(f.target, ParameterSetting)
        and not (exp.priors and f.name in exp.priors.groups)
    }
    draws = exp.uncertainty.scenarios if exp.uncertainty else (exp.scenario,)
    for k, scn in enumerate(draws):
        base = scn.params.as_dict()
        for i, row in enumerate(rows):
            own = {name: row[factor] for factor, name in params.items()}
            clash = conflict({**base, **drawn[i], **own})
            if clash is not None:
                under = f" under parameter draw {k}" if exp.uncertainty else ""
                raise fail(where, f"design point {i}{under}: [{clash[0]}] {clash[1]}")


def _design(raw: Any, factors: tuple[Factor, ...], seed: int, where: str):
    if not isinstance(raw, dict):
        raise fail(where, "[design] must be a table")
    kind = raw.get("kind", "full_factorial")
    if kind not in DESIGNS:
        raise fail(
            where, f"design.kind = {short(kind)} is not allowed; allowed: " + ", ".join(DESIGNS)
        )
    allowed = {"kind", "points", "samples", "levels", "second_order"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise fail(
            where, f"unknown key 'design.{unknown[0]}'; valid keys: " + ", ".join(sorted(allowed))
        )
    fl = list(factors)
    if kind == "explicit":
        return kind, {}, _explicit(raw, fl, where)
    options = _design_options(raw, kind, where)
    n = designs.size(kind, fl, options)
    if n > designs.MAX_POINTS:
        lower = "design.points" if kind == "full_factorial" else "design.samples"
        raise fail(
            where,
            f"the {kind} design has {n:,} points; allowed: at most {designs.MAX_POINTS:,} "
            f"(lower {lower} or use fewer factors)",
        )
    try:
        if kind == "full_factorial":
            points = designs.full_factorial(fl, options["points"])
        elif kind == "latin_hypercube":
            points = designs.latin_hypercube(fl, options["samples"], seed)
        elif kind == "sobol":
            points = designs.sobol(fl, options["samples"], seed, options["second_order"])
        else:
            points = designs.morris(fl, options["samples"], seed, options["levels"])
    except ValueError as e:
        raise fail(where, str(e)) from None
    return kind, options, points.reset_index(drop=True)


def _design_options(raw: dict, kind: str, where: str) -> dict[str, Any]:
    """The checked options of a sampling or factorial design."""
    if kind == "full_factorial":
        return {"points": whole(raw, "points", 5, 2, 1000, where)}
    if kind == "latin_hypercube":
        return {"samples": whole(raw, "samples", 20, 1, 1_000_000, where)}
    if kind == "sobol":
        samples = whole(raw, "samples", 64, 2, 1_000_000, where)
        if samples & (samples - 1):
            raise fail(
                where,
                f"design.samples = {samples}: Sobol sampling needs a power of 2 (e.g. 32, 64, 128)",
            )
        return {"samples": samples, "second_order": bool(raw.get("second_order", False))}
    return {
        "samples": whole(raw, "samples", 10, 2, 100_000, where),
        "levels": whole(raw, "levels", 4, 2, 100, where),
    }


def _explicit(raw: dict, factors: list[Factor], where: str) -> pd.DataFrame:
    pts = raw.get("points")
    if not isinstance(pts, list) or not pts or not all(isinstance(p, dict) for p in pts):
        raise fail(where, "an explicit design needs [[design.points]] tables")
    if len(pts) > designs.MAX_POINTS:
        raise fail(
            where,
            f"the explicit design has {len(pts):,} points; allowed: at most {designs.MAX_POINTS:,}",
        )
    names = [f.name for f in factors]
    for i, p in enumerate(pts):
        if set(p) != set(names):
            raise fail(
                where, f"design.points[{i}] must set exactly the factors: " + ", ".join(names)
            )
    return designs.explicit(factors, pts)


def _output(raw: Any, where: str) -> Output:
    if not isinstance(raw, dict):
        raise fail(where, "[output] must be a table")
    unknown = sorted(set(raw) - {"metrics", "every_months", "districts"})
    if unknown:
        raise fail(
            where,
            f"unknown key 'output.{unknown[0]}'; valid keys: metrics, every_months, districts",
        )
    metrics = raw.get("metrics", list(DEFAULT_METRICS))
    if not isinstance(metrics, list) or not metrics:
        raise fail(where, "output.metrics must be a non-empty list of metric names")
    bad = [m for m in metrics if m not in METRIC_INDEX]
    if bad:
        raise fail(
            where,
            f"output.metrics: unknown metric {bad[0]!r}; see metric_units.csv "
            "of any run or 'kosi_sim.metrics.METRICS'",
        )
    every = whole(raw, "every_months", 12, 1, 1200, where)
    districts = raw.get("districts", False)
    if not isinstance(districts, bool):
        raise fail(where, "output.districts must be true or false")
    return Output(tuple(metrics), every, districts)
