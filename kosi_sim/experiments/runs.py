"""One run of an experiment as a pure function of its spec."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class RunSpec:
    run_id: int
    point: int
    replicate: int
    seed: int
    scenario: dict[str, Any]  # the scenario document of the design point
    months: int
    metrics: tuple[str, ...]
    every_months: int
    districts: bool


@dataclass
class RunResult:
    run_id: int
    status: str  # "ok" or "failed"
    duration_s: float
    error: str = ""
    traceback: str = ""
    metrics: pd.DataFrame | None = None
    parameters: dict[str, Any] | None = None


def run_one(spec: RunSpec) -> RunResult:
    """Run one scenario; never raises: a failure is returned with its traceback."""
    from ..model import CityModel
    from ..scenario import from_dict

    t0 = time.perf_counter()
    try:
        scn = from_dict(spec.scenario, f"run {spec.run_id}")
        model = CityModel(scn, rng=spec.seed)
        model.run(spec.months)
        df = model.metrics_frame()
        keep = df["metric"].isin(spec.metrics)
        months = df["month"]
        keep &= (months % spec.every_months == 0) | (months == months.max())
        if not spec.districts:
            keep &= df["district"] == "city"
        out = df[keep].reset_index(drop=True)
        out["district"] = out["district"].astype(str)
        out["metric"] = out["metric"].astype(str)
        out.insert(0, "run_id", spec.run_id)
        out["run_id"] = out["run_id"].astype("int64")
        return RunResult(
            spec.run_id,
            "ok",
            time.perf_counter() - t0,
            metrics=out,
            parameters=dict(scn.params.items()),
        )
    except Exception as e:  # a failed run is data, not the end of the sweep
        return RunResult(
            spec.run_id,
            "failed",
            time.perf_counter() - t0,
            error=f"{type(e).__name__}: {e}",
            traceback=traceback.format_exc(),
        )


def run_batch(specs: list[RunSpec]) -> list[RunResult]:
    """Several short runs in one task (less scheduling overhead)."""
    return [run_one(s) for s in specs]
