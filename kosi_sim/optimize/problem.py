"""Problem files of ``kosi-sim optimize``: TOML parsed into typed declarations.

::

    name = "robust_lab"
    scenario = "baseline"          # built-in name or path (relative to this file)
    scale = 0.1                    # optional overrides of the scenario
    years = 8
    seed = 2026                    # root seed of the futures and of the search

    [lab]                          # the decision space (levers)
    budget_eur_per_year = [50000, 300000]   # a [low, high] range is a decision,
    staff_fte = [0.5, 3.0]                  # a number is fixed
    start_year = [1, 3]                     # whole years
    instruments = ["contact_point", "matching"]   # candidates (default: all ten)
    targeting = ["all", "most_deprived:1", ["Altstadt", "Bergdorf"]]
    deprivation_indicator = "share_65plus"

    [futures]
    design = "latin_hypercube"     # or "sobol" (a scrambled Sobol sequence)
    samples = 8
    replicates = 1
    parameters = "prior"           # "prior", "none" or "posterior"
    posterior = "post.parquet"     # with parameters = "posterior"
    keys = ["engagement.threshold_mean"]   # optional: only these parameters are uncertain
    demographic_pressure = [0.0, 1.0]
    civic_engagement = [0.8, 1.2]

    [[objectives]]
    outcome = "engaged_share"      # see kosi_sim.optimize.evaluate.OUTCOMES
    statistic = "mean"             # mean or percentile (the bad tail)
    epsilon = 0.001                # optional; resolution for epsilon-dominance

    [[objectives]]
    statistic = "satisficing"      # the share of futures meeting every threshold

    [thresholds]                   # satisficing: what counts as good enough
    engaged_share = 0.002

    [search]
    algorithm = "nsga2"            # nsga2, nsga3, eps-nsga2
    evaluations = 200              # designs evaluated in all
    population = 20
    executor = "processes"
    percentile = 10                # the low tail used by statistic = "percentile"

Every error is a one-line :class:`ProblemError` naming the key, the value and what is
allowed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..inputs import listing, read_toml, short
from ..interventions.registry import REGISTRY
from ..outdir import name_problem
from ..scenario import Scenario, ScenarioError, resolve
from ..vocabulary import CategoricalLever, IntegerLever, Outcome, RealLever, RealUncertainty
from .evaluate import OUTCOMES

ALGORITHMS = ("nsga2", "nsga3", "eps-nsga2")
EXECUTORS = ("serial", "processes", "dask")
STATISTICS = ("mean", "percentile", "satisficing")
FUTURE_DESIGNS = ("latin_hypercube", "sobol")
PARAMETERS = ("prior", "none", "posterior")
#: deprivation indicators known before a run, from the scenario's district table; a higher
#: value is read as more deprived (assumption: older, emptier, more remote districts need
#: co-production most)
INDICATORS = ("share_65plus", "housing_vacancy", "remoteness")
SATISFICING_EPSILON = 0.05
TOP = ("name", "description", "scenario", "scale", "years", "seed")
TOP += ("lab", "futures", "objectives", "thresholds", "search")
LAB = ("budget_eur_per_year", "staff_fte", "start_year", "instruments", "targeting")
LAB += ("deprivation_indicator",)
FUTURES = ("design", "samples", "replicates", "parameters", "posterior", "keys")
FUTURES += ("demographic_pressure", "civic_engagement")
SEARCH = ("algorithm", "evaluations", "population", "executor", "percentile")


class ProblemError(ValueError):
    """A problem file is not valid; the message is one line."""


@dataclass(frozen=True)
class Objective:
    outcome: Outcome
    statistic: str
    epsilon: float

    @property
    def label(self) -> str:
        """``mean_<outcome>``, ``percentile_<outcome>`` or ``satisficing`` (all thresholds)."""
        if self.statistic == "satisficing":
            return "satisficing"
        return f"{self.statistic}_{self.outcome.name}"


@dataclass(frozen=True)
class Futures:
    design: str
    samples: int
    replicates: int
    parameters: str
    posterior: Path | None
    keys: tuple[str, ...] | None
    drivers: tuple[RealUncertainty, ...]


@dataclass(frozen=True)
class Problem:
    name: str
    description: str
    scenario: Scenario
    seed: int
    budget: RealLever | float
    staff: RealLever | float
    start_year: IntegerLever | int
    instruments: tuple[str, ...]
    targeting: CategoricalLever
    indicator: str
    futures: Futures
    objectives: tuple[Objective, ...]
    thresholds: dict[str, float]
    algorithm: str
    evaluations: int
    population: int
    executor: str
    percentile: float
    text: str = ""

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def months(self) -> int:
        return self.scenario.years * 12


def load(path: str | Path) -> Problem:
    path = Path(path)
    doc, text = read_toml(path, "problem file", ProblemError)
    try:
        return from_document(doc, text, path)
    except ProblemError as e:
        raise ProblemError(f"{path}: {e}") from None


def _table(doc: dict, key: str, allowed: tuple[str, ...]) -> dict:
    raw = doc.get(key, {})
    if not isinstance(raw, dict):
        raise ProblemError(f"[{key}] must be a table")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ProblemError(f"[{key}]: unknown key {unknown[0]!r}; valid keys: {', '.join(allowed)}")
    return raw


def _number(v: Any, where: str, lo: float, hi: float, whole: bool = False) -> Any:
    kind = "a whole number" if whole else "a number"
    ok = isinstance(v, int) if whole else isinstance(v, int | float)
    if isinstance(v, bool) or not ok or not lo <= v <= hi or v != v:
        raise ProblemError(
            f"{where} = {short(v)} is not allowed; allowed: {kind} from {lo:g} to {hi:g}"
        )
    return v


def _range_or_fixed(raw: dict, key: str, default: Any, lo: float, hi: float, whole=False):
    """A [low, high] pair (a decision) or a number (fixed)."""
    v = raw.get(key, default)
    where = f"lab.{key}"
    if isinstance(v, list):
        if len(v) != 2:
            raise ProblemError(f"{where} = {short(v)}: expected a number or [low, high]")
        a = _number(v[0], where, lo, hi, whole)
        b = _number(v[1], where, lo, hi, whole)
        if a >= b:
            raise ProblemError(f"{where} = {short(v)}: low must be below high")
        return (IntegerLever if whole else RealLever)(key, a, b)
    return _number(v, where, lo, hi, whole)


def _targeting(raw: dict, scn: Scenario) -> CategoricalLever:
    names = [d.name for d in scn.districts]
    options = raw.get("targeting", ["all"])
    if not isinstance(options, list) or not options:
        raise ProblemError("lab.targeting must be a non-empty list of options")
    allowed = "'all', 'most_deprived:K' (K from 1 to the districts) or a list of district names"
    out: list[Any] = []
    for opt in options:
        if opt == "all":
            out.append("all")
        elif isinstance(opt, str) and opt.startswith("most_deprived:"):
            k = opt.partition(":")[2]
            if not k.isdigit() or not 1 <= int(k) <= len(names):
                raise ProblemError(
                    f"lab.targeting: {short(opt)} is not allowed; allowed: {allowed}"
                )
            out.append(f"most_deprived:{int(k)}")
        elif isinstance(opt, list) and opt and all(isinstance(d, str) for d in opt):
            bad = [d for d in opt if d not in names]
            if bad:
                raise ProblemError(
                    f"lab.targeting: unknown district {short(bad[0])}; districts: {listing(names)}"
                )
            out.append(tuple(dict.fromkeys(opt)))
        else:
            raise ProblemError(f"lab.targeting: {short(opt)} is not allowed; allowed: {allowed}")
    return CategoricalLever("targeting", tuple(dict.fromkeys(out)))


def _choice(v: Any, where: str, allowed: tuple[str, ...]) -> str:
    if v not in allowed:
        raise ProblemError(f"{where} = {short(v)} is not allowed; allowed: {', '.join(allowed)}")
    return v


def _futures(raw: dict, base: Path) -> Futures:
    from ..catalog import CATALOG
    from ..draws import DrawError, canonical

    drivers = []
    # default ranges (assumption): today's rates to strong pressure; engagement +-20%
    for key, default in (("demographic_pressure", [0.0, 1.0]), ("civic_engagement", [0.8, 1.2])):
        v = raw.get(key, default)
        plo, phi = CATALOG.resolve(key).bounds
        if not isinstance(v, list):
            v = [_number(v, f"futures.{key}", plo, phi)] * 2  # a number: fixed in every future
        if len(v) != 2:
            raise ProblemError(f"futures.{key} = {short(v)}: expected a number or [low, high]")
        a = _number(v[0], f"futures.{key}", plo, phi)
        b = _number(v[1], f"futures.{key}", plo, phi)
        if a > b:
            raise ProblemError(f"futures.{key} = {short(v)}: low must not be above high")
        drivers.append(RealUncertainty(f"drivers.{key}", float(a), float(b)))
    parameters = _choice(raw.get("parameters", "prior"), "futures.parameters", PARAMETERS)
    posterior = None
    if parameters == "posterior":
        if not isinstance(raw.get("posterior"), str):
            raise ProblemError("futures.parameters = 'posterior' needs futures.posterior (a file)")
        posterior = base / raw["posterior"]
        from ..posterior import PosteriorError, read

        try:
            read(posterior)  # checked now, so that a bad file stops the command before any run
        except PosteriorError as e:
            raise ProblemError(f"futures.posterior: {e}") from None
    keys = raw.get("keys")
    if keys is not None:
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise ProblemError("futures.keys must be a non-empty list of parameter keys")
        try:
            keys = tuple(canonical(k) for k in keys)
        except DrawError as e:
            raise ProblemError(f"futures.keys: {e}") from None
    return Futures(
        design=_choice(raw.get("design", "latin_hypercube"), "futures.design", FUTURE_DESIGNS),
        samples=_number(raw.get("samples", 8), "futures.samples", 1, 4096, whole=True),
        replicates=_number(raw.get("replicates", 1), "futures.replicates", 1, 100, whole=True),
        parameters=parameters,
        posterior=posterior,
        keys=keys,
        drivers=tuple(drivers),
    )


def _objectives(raw: Any) -> tuple[Objective, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProblemError("needs at least one [[objectives]] table")
    out = []
    for i, o in enumerate(raw):
        where = f"objectives[{i}]"
        if not isinstance(o, dict):
            raise ProblemError(f"{where} must be a table with 'outcome'")
        unknown = sorted(set(o) - {"outcome", "statistic", "epsilon"})
        if unknown:
            raise ProblemError(
                f"{where}: unknown key {unknown[0]!r}; valid: outcome, statistic, epsilon"
            )
        stat = _choice(o.get("statistic", "mean"), f"{where}.statistic", STATISTICS)
        # satisficing counts the futures meeting every threshold; its outcome is optional
        default = "engaged_share" if stat == "satisficing" else None
        name = _choice(o.get("outcome", default), f"{where}.outcome", tuple(OUTCOMES))
        # satisficing is a share of futures: a resolution of 5% of them (assumption)
        default_eps = SATISFICING_EPSILON if stat == "satisficing" else OUTCOMES[name][1]
        eps = _number(o.get("epsilon", default_eps), f"{where}.epsilon", 1e-12, 1e12)
        out.append(Objective(OUTCOMES[name][0], stat, float(eps)))
    labels = [o.label for o in out]
    if len(set(labels)) != len(labels):
        raise ProblemError("an objective (outcome and statistic) is listed twice")
    return tuple(out)


def from_document(doc: dict[str, Any], text: str, path: Path) -> Problem:
    unknown = sorted(set(doc) - set(TOP))
    if unknown:
        raise ProblemError(f"unknown key {unknown[0]!r}; valid keys: {', '.join(TOP)}")
    for key in ("name", "scenario"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise ProblemError(f"missing required key {key!r} (a text)")
    if problem := name_problem(doc["name"]):
        raise ProblemError(problem)
    overrides = {k: doc[k] for k in ("years", "scale") if k in doc}
    try:
        candidate = path.parent / doc["scenario"]
        scn = resolve(str(candidate) if candidate.exists() else doc["scenario"], overrides)
    except ScenarioError as e:
        raise ProblemError(f"scenario: {e}") from None
    lab = _table(doc, "lab", LAB)
    instruments = lab.get("instruments", list(REGISTRY))
    if not isinstance(instruments, list) or not instruments:
        raise ProblemError("lab.instruments must be a non-empty list of instrument types")
    for t in instruments:
        _choice(t, "lab.instruments", tuple(REGISTRY))
    if len(set(instruments)) != len(instruments):
        raise ProblemError("lab.instruments: an instrument is listed twice")
    thresholds = doc.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise ProblemError("[thresholds] must be a table of outcome = value")
    for k, v in thresholds.items():
        _choice(k, "thresholds", tuple(OUTCOMES))
        _number(v, f"thresholds.{k}", -1e12, 1e12)
    objectives = _objectives(doc.get("objectives"))
    if any(o.statistic == "satisficing" for o in objectives) and not thresholds:
        raise ProblemError("statistic = 'satisficing' needs a [thresholds] table")
    search = _table(doc, "search", SEARCH)
    return Problem(
        name=doc["name"],
        description=str(doc.get("description", "")),
        scenario=scn,
        seed=_number(doc.get("seed", 0), "seed", 0, 2**63 - 1, whole=True),
        budget=_range_or_fixed(lab, "budget_eur_per_year", 120_000.0, 0.0, 1e8),
        staff=_range_or_fixed(lab, "staff_fte", 2.0, 0.0, 200.0),
        start_year=_range_or_fixed(lab, "start_year", 1, 1, scn.years, whole=True),
        instruments=tuple(instruments),
        targeting=_targeting(lab, scn),
        indicator=_choice(
            lab.get("deprivation_indicator", "share_65plus"),
            "lab.deprivation_indicator",
            INDICATORS,
        ),
        futures=_futures(_table(doc, "futures", FUTURES), path.parent),
        objectives=objectives,
        thresholds={k: float(v) for k, v in thresholds.items()},
        algorithm=_choice(search.get("algorithm", "nsga2"), "search.algorithm", ALGORITHMS),
        evaluations=_number(search.get("evaluations", 100), "search.evaluations", 1, 10**6, True),
        population=_number(search.get("population", 20), "search.population", 2, 10_000, True),
        executor=_choice(search.get("executor", "processes"), "search.executor", EXECUTORS),
        percentile=float(_number(search.get("percentile", 10), "search.percentile", 0, 50)),
        text=text,
    )
