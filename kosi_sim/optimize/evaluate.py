"""One lab design in one future: the scenario it makes, its run, and its outcomes.

A *design* is what the search varies: total budget and staff, a share of both per
instrument (any subset of the candidate instruments), the target districts of each and the
start year.  A *future* is a scenario document with the drivers and the parameter draw of
one point of the futures' design, and a seed.

Each future is run once without the lab (its *twin*); each design in it runs with the lab
on the same seed, so the two share every random draw the lab does not touch.  The twin
does not depend on the design, so it runs once per future, not once per design (the
scenario's own interventions, if it has any, stay in both).  Outcomes are the lab run's
gain over the twin in the mean over the last :data:`WINDOW` months, and its cost.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..vocabulary import OUTCOME, Outcome

#: months averaged at the end of a run (as ``compare``'s default window)
WINDOW = 12
#: an instrument is used when its weight exceeds this (so the search can switch it off);
#: assumption: half the weight range, so a random design uses half the candidates
ACTIVE_CUTOFF = 0.5
#: shares below this are dropped (a 1% slice of a lab is no instrument of its own)
MIN_SHARE = 0.01

#: outcome -> (its declaration in the vocabulary, default epsilon for epsilon-dominance;
#: assumptions: a tenth of a percentage point of a share, a thousandth of coverage, EUR 5,000
#: a year, EUR 100).  Each is the lab run's gain over its twin in the outcome (the costs:
#: the lab's own), so better is the outcome's direction.
OUTCOMES: dict[str, tuple[Outcome, float]] = {
    name: (OUTCOME[name], eps)
    for name, eps in (
        ("engaged_share", 0.001),
        ("coverage_mean", 0.001),
        ("coverage_worst", 0.001),
        ("trust_share", 0.001),
        ("cost_eur_per_year", 5000.0),
        ("cost_per_engaged", 100.0),
    )
}
LEVELS = ("engaged_share", "engaged_citizens", "coverage_mean", "trust_share")


@dataclass(frozen=True)
class Design:
    """A decoded lab design; ``shares`` and ``targets`` per used instrument."""

    budget: float
    staff: float
    start_year: int
    shares: dict[str, float]
    targets: dict[str, Any]  # "all", "most_deprived:K" or a tuple of district names

    def interventions(self, districts: dict[str, float]) -> list[dict[str, Any]]:
        """``[[interventions]]`` entries; ``districts`` maps names to the deprivation
        indicator (higher = more deprived)."""
        out = []
        for kind, share in self.shares.items():
            entry = {
                "type": kind,
                "label": f"opt_{kind}",
                "start": {"year": self.start_year, "month": 1},
                "budget_eur_per_year": self.budget * share,
                "staff_fte": self.staff * share,
            }
            target = self.targets[kind]
            if target != "all":
                entry["districts"] = list(target_districts(target, districts))
            out.append(entry)
        return out


def design_row(spec: str) -> tuple[Design, str]:
    """The design ``FOLDER:ID`` of an optimisation folder and the folder's deprivation
    indicator; ResultsError with one line if the folder or the id is not there."""
    from pathlib import Path

    import pandas as pd

    from ..outdir import OPTIMIZATION, ResultsError, read_manifest

    folder, _, ident = spec.rpartition(":")
    if not folder or not ident.isdigit():
        raise ResultsError(
            f"--design {spec}: expected FOLDER:ID (an optimisation folder and a design id)"
        )
    doc = read_manifest(Path(folder))
    if (
        not doc
        or OPTIMIZATION.marker not in doc
        or not (Path(folder) / "designs.parquet").is_file()
    ):
        raise ResultsError(
            f"--design {spec}: {folder} is not a folder of kosi-sim optimize with designs"
        )
    designs = pd.read_parquet(Path(folder) / "designs.parquet").set_index("design")
    if int(ident) not in designs.index:
        raise ResultsError(
            f"--design {spec}: no design {ident}; allowed: ids from 0 to {len(designs) - 1}"
        )
    row = designs.loc[int(ident)]
    kinds = [k for k in doc["instruments"] if row[f"share_{k}"] > 0]
    targets = {}
    for k in kinds:
        t = str(row[f"target_{k}"])
        targets[k] = t if t == "all" or t.startswith("most_deprived:") else tuple(t.split("+"))
    design = Design(
        float(row["budget_eur_per_year"]),
        float(row["staff_fte"]),
        int(row["start_year"]),
        {k: float(row[f"share_{k}"]) for k in kinds},
        targets,
    )
    return design, doc.get("deprivation_indicator", "share_65plus")


def target_districts(target: Any, districts: dict[str, float]) -> tuple[str, ...]:
    """The districts named by a targeting option; ties broken by the file's order."""
    if isinstance(target, tuple):
        return target
    k = int(str(target).partition(":")[2])
    names = list(districts)
    order = sorted(range(len(names)), key=lambda i: (-districts[names[i]], i))
    return tuple(names[i] for i in order[:k])


def decode(x: np.ndarray, problem) -> Design:
    """The design of the unit vector ``x`` (its layout: :func:`variables`)."""
    x = np.asarray(x, dtype=float)
    i = 0
    values = {}
    for key in ("budget", "staff", "start_year"):
        lever = getattr(problem, key)
        if hasattr(lever, "decode"):
            values[key] = lever.decode(x[i])
            i += 1
        else:
            values[key] = lever
    weights, targets = {}, {}
    many = len(problem.targeting.categories) > 1
    for kind in problem.instruments:
        weights[kind] = max(0.0, (x[i] - ACTIVE_CUTOFF) / (1.0 - ACTIVE_CUTOFF))
        targets[kind] = (
            problem.targeting.decode(x[i + 1]) if many else problem.targeting.categories[0]
        )
        i += 2 if many else 1
    total = sum(weights.values())
    shares = {k: w / total for k, w in weights.items() if total > 0 and w / total >= MIN_SHARE}
    norm = sum(shares.values())
    shares = {k: s / norm for k, s in shares.items()}
    return Design(
        float(values["budget"]),
        float(values["staff"]),
        int(values["start_year"]),
        shares,
        {k: targets[k] for k in shares},
    )


def variables(problem) -> list[str]:
    """Names of the coordinates of a search vector, in order."""
    names = [k for k in ("budget", "staff", "start_year") if hasattr(getattr(problem, k), "decode")]
    for kind in problem.instruments:
        names.append(f"weight_{kind}")
        if len(problem.targeting.categories) > 1:
            names.append(f"target_{kind}")
    return names


@dataclass(frozen=True)
class Task:
    """A run to make: the scenario document (lab or twin), its seed and its months."""

    key: tuple[int, int]  # (design id, future id); design id -1 is the twin
    doc: dict[str, Any]
    seed: int
    months: int


def run_task(task: Task) -> dict[str, Any]:
    """Run one scenario and return its end levels and lab cost; never raises."""
    from ..compare import lab_cost_per_month
    from ..model import CityModel
    from ..scenario import from_dict

    t0 = time.perf_counter()
    try:
        scn = from_dict(task.doc, f"design {task.key[0]} in future {task.key[1]}")
        model = CityModel(scn, rng=task.seed)
        model.run(task.months)
        df = model.metrics_frame()
        last = df[df["month"] > task.months - WINDOW]
        city = last[last["district"] == "city"].groupby("metric", observed=True)["value"].mean()
        cov = last[(last["metric"] == "coverage_mean") & (last["district"] != "city")]
        by_district = cov.groupby("district", observed=True)["value"].mean()
        lab = [s for s in scn.intervention_specs if s.label.startswith("opt_")]
        running = sum(any(s.running(m) for s in lab) for m in range(1, task.months + 1))
        spent = lab_cost_per_month(model, [s.label for s in lab])[1:].sum()
        out = {name: float(city[name]) for name in LEVELS}
        out.update(
            status="ok",
            seconds=time.perf_counter() - t0,
            districts={str(k): float(v) for k, v in by_district.items()},
            cost_eur_per_year=float(spent / running * 12.0) if running else 0.0,
        )
        return out
    except Exception as e:  # a failed run is data: its design is marked failed
        return {
            "status": "failed",
            "seconds": time.perf_counter() - t0,
            "error": f"{type(e).__name__}: {e}",
            "traceback": traceback.format_exc(),
        }


def outcomes(lab: dict[str, Any], twin: dict[str, Any]) -> dict[str, float]:
    """The outcomes of a lab run against its twin (see :data:`OUTCOMES`).  The worst
    district is the one with the lowest coverage in the twin."""
    if lab.get("status") != "ok" or twin.get("status") != "ok":
        return {name: math.nan for name in OUTCOMES}
    worst = min(twin["districts"], key=lambda d: twin["districts"][d])
    gain = lab["engaged_citizens"] - twin["engaged_citizens"]
    cost = lab["cost_eur_per_year"]
    return {
        "engaged_share": lab["engaged_share"] - twin["engaged_share"],
        "coverage_mean": lab["coverage_mean"] - twin["coverage_mean"],
        "coverage_worst": lab["districts"][worst] - twin["districts"][worst],
        "trust_share": lab["trust_share"] - twin["trust_share"],
        "cost_eur_per_year": cost,
        "cost_per_engaged": cost / gain if gain > 0 else math.inf,
    }
