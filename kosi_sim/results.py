"""Results of a run: tidy tables, a JSON manifest, written atomically to a folder.

A results folder holds

* ``metrics.parquet``: the long table (month, year, district, metric, value) with every
  metric of :mod:`kosi_sim.metrics` for each district and the city (``district == "city"``);
* ``initiatives.parquet``: every initiative ever started (stage, domain, district, partners);
* ``associations.parquet``: every Verein at the end of the run;
* ``interventions.parquet``: what each lab instrument did each month (money, staff hours,
  citizens reached, ideas, proposals, approvals, rejections, initiatives launched, and its
  own metrics), long format: month, intervention, type, metric, value;
* ``metric_units.csv``: name, unit and meaning of every metric;
* ``manifest.json``: scenario, all parameter values, seed, versions, git commit, timings;
* ``plots/``: PNG figures.

The folder is built under a temporary name next to the target and renamed into place only
when complete, so an interrupted or failed run never leaves a half-written folder
(:mod:`kosi_sim.outdir`: names, ``--force``, the writer's lock, write errors).
"""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from .agents.associations import DOMAINS
from .agents.initiatives import STAGES
from .metrics import METRICS
from .outdir import RESULT, write_folder
from .outdir import ResultsError as ResultsError  # where the commands have always found it
from .services import SERVICE_DOMAINS

PACKAGES = ("kosi-sim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx", "matplotlib")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The commit of the source tree kosi-sim runs from, if it is a git checkout."""
    root = Path(__file__).resolve().parents[1]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def initiatives_table(model) -> pd.DataFrame:
    t = model.initiatives
    n = t.n
    return pd.DataFrame(
        {
            "initiative": range(n),
            "domain": pd.Categorical(
                [SERVICE_DOMAINS[d] for d in t.domain], categories=SERVICE_DOMAINS
            ),
            "district": pd.Categorical(
                [model.district_names[d] for d in t.district], categories=model.district_names
            ),
            "stage": pd.Categorical([STAGES[s] for s in t.stage], categories=STAGES),
            "created_month": t.created.astype("int32"),
            "months_in_stage": t.months_in_stage.astype("int32"),
            "leader_uid": t.leader,
            "volunteers": t.volunteers.astype("int32"),
            "money_need_eur": t.money_need.astype("float64"),
            "money_eur": t.money.astype("float64"),
            "association_partner": t.assoc_partner.astype("int32"),
            "business_partner": t.business_partner.astype("int32"),
            "administration_partner": t.admin_partner.astype(bool),
            "on_premises": t.on_premises.astype(bool),
            "origin": t.origin.astype("int8"),
        }
    )


def associations_table(model) -> pd.DataFrame:
    a = model.associations
    live = a.live
    return pd.DataFrame(
        {
            "association": live,
            "domain": pd.Categorical([DOMAINS[d] for d in a.domain[live]], categories=DOMAINS),
            "district": pd.Categorical(
                [model.district_names[d] for d in a.district[live]], categories=model.district_names
            ),
            "members": a.members[live].astype("int32"),
            "young_members": a.young_members[live].astype("int32"),
            "volunteer_hours_per_week": a.hours[live].astype("float64"),
            "funds_eur": a.funds[live],
            "founded_month": a.founded[live].astype("int32"),
            "has_leader": a.leader[live] >= 0,
        }
    )


def metric_units() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"metric": m.name, "unit": m.unit, "meaning": m.doc, "city_only": m.city_only}
            for m in METRICS
        ]
    )


def manifest_base(scn, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Provenance shared by every kind of result: scenario, parameters, versions, commit."""
    return {
        "kosi_sim_result": 1,
        "scenario": scn.name,
        "scenario_file": scn.source,
        "scale": scn.scale,
        "parameters": dict(scn.params.items()),
        "interventions": [vars(s) | {"params": dict(s.params)} for s in scn.intervention_specs],
        "scenario_document": scn.to_dict(),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "platform": platform.platform(),
        **(extra or {}),
    }


def manifest(model, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return manifest_base(model.spec, {"seed": model.seed, "months": model.month, **(extra or {})})


def run_filler(
    model,
    extra: dict[str, Any] | None = None,
    plots: Callable[[pd.DataFrame, Path], None] | None = None,
) -> Callable[[Path], None]:
    """What fills a run's results folder (the tables are taken from the model now)."""
    tables = {
        "metrics": model.metrics_frame(),
        "initiatives": initiatives_table(model),
        "associations": associations_table(model),
        "interventions": model.interventions_frame(),
    }

    def fill(tmp: Path) -> None:
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        metric_units().to_csv(tmp / "metric_units.csv", index=False)
        if plots is not None:
            (tmp / "plots").mkdir()
            plots(tables["metrics"], tmp / "plots")
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(model, extra), indent=2, default=str) + "\n"
        )

    return fill


def write_run(
    out: Path,
    model,
    force: bool = False,
    extra: dict[str, Any] | None = None,
    plots: Callable[[pd.DataFrame, Path], None] | None = None,
) -> Path:
    """Write a run's results folder atomically; ResultsError if ``out`` exists (no force) or
    is not a results folder of kosi-sim."""
    return write_folder(out, RESULT, run_filler(model, extra, plots), force)
