"""The results store of a sweep: a folder that pandas, pyarrow and DuckDB read as a dataset.

::

    OUT/manifest.json            experiment text and hash, versions, commit, executor, times
    OUT/design.parquet           the design points
    OUT/runs/run-000042.json     one record per finished run (the source of truth)
    OUT/metrics/run-000042.parquet   that run's metrics (long: run_id, month, year,
                                     district, metric, value)
    OUT/runs.parquet             all run records as a table (rebuilt from runs/)

A run counts as done once its record exists; the record is written after its metrics file,
and both are written to a temporary name and renamed, so a killed sweep never leaves a
half-written file that counts. A write that fails (disk full, read-only) raises a one-line
WriteError and leaves no temporary file and no metrics file without its record.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalog import illustrative_in
from ..outdir import RESULT, SWEEP, ResultsError, check_replaceable, write_errors
from ..results import git_commit, package_versions
from .runs import RunResult, RunSpec

_TEMPORARY = re.compile(r"\..+\.tmp-\d+")  # what atomic_write names its temporary files


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` by ``write``-ing a temporary sibling and renaming it; on failure the
    temporary file is removed and a one-line WriteError raised."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with write_errors(path):
            write(tmp)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.metrics_dir = self.root / "metrics"
        self.created = False  # whether create() made the folder

    # -- life cycle --------------------------------------------------------------------
    def create(self, exp, executor: str, force: bool = False) -> None:
        """Start a new sweep folder; with force replace an existing one, if it is a sweep's.
        The caller holds the folder's lock (:func:`kosi_sim.outdir.writer_lock`)."""
        check_replaceable(self.root, SWEEP, force, str(self.root))
        with write_errors(self.root):
            if self.root.is_dir():
                shutil.rmtree(self.root)
            self.runs_dir.mkdir(parents=True)
            self.metrics_dir.mkdir()
        self.created = True
        design = exp.points.copy()
        design.insert(0, "point", range(len(design)))
        atomic_write_parquet(self.root / "design.parquet", _plain(design))
        self.write_manifest(exp, executor, status="running", started=_now())

    def clean_temporary(self) -> None:
        """Remove half-written files left by a killed or interrupted sweep (never counted)."""
        for folder in (self.root, self.runs_dir, self.metrics_dir):
            if folder.is_dir():
                for p in folder.glob(".*.tmp-*"):
                    if _TEMPORARY.fullmatch(p.name) and p.is_file():
                        with write_errors(folder):
                            p.unlink(missing_ok=True)

    def open_resume(self, exp) -> None:
        manifest = self.manifest()
        if manifest.get("experiment_sha256") != exp.hash:
            raise ResultsError(
                f"{self.root}: the experiment file changed since this sweep started (its "
                "hash differs); resume only with the unchanged file, or start a new --out"
            )
        with write_errors(self.root):
            self.runs_dir.mkdir(exist_ok=True)
            self.metrics_dir.mkdir(exist_ok=True)
        self.clean_temporary()

    def manifest(self) -> dict[str, Any]:
        path = self.root / "manifest.json"
        if not self.root.is_dir():
            raise ResultsError(f"{self.root}: no such results folder")
        if not path.is_file():
            raise ResultsError(f"{self.root}: not a kosi-sim sweep folder (no manifest.json)")
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            raise ResultsError(f"{path}: damaged (not valid JSON)") from None
        if isinstance(doc, dict) and SWEEP.marker in doc:
            return doc
        if isinstance(doc, dict) and RESULT.marker in doc:
            raise ResultsError(
                f"{self.root} is a results folder of {RESULT.writer}, not a sweep folder; "
                "give the folder of kosi-sim sweep"
            )
        raise ResultsError(
            f"{self.root}: not a kosi-sim sweep folder (its manifest.json has no {SWEEP.marker})"
        )

    def write_manifest(self, exp, executor: str, status: str, **times: Any) -> None:
        old = {}
        if (self.root / "manifest.json").exists():
            old = json.loads((self.root / "manifest.json").read_text())
        doc = {
            "kosi_sim_sweep": 1,
            "experiment": exp.name,
            "experiment_file": exp.path,
            "experiment_sha256": exp.hash,
            "experiment_text": exp.text,
            "base_scenario": exp.scenario.name,
            "illustrative_instruments": illustrative_in(
                spec.type for spec in exp.scenario.intervention_specs
            ),
            "design": exp.design_kind,
            "design_options": exp.design_options,
            "factors": [f.name for f in exp.factors],
            "priors": exp.priors.manifest() if exp.priors else None,
            "points": len(exp.points),
            "replications": exp.replications,
            "uncertainty": exp.uncertainty.summary(exp.replications) if exp.uncertainty else None,
            "runs": exp.n_runs,
            "root_seed": exp.seed,
            "executor": executor,
            "versions": package_versions(),
            "git_commit": git_commit(),
            "status": status,
            "started": old.get("started"),
            "ended": old.get("ended"),
        }
        doc.update(times)
        atomic_write_bytes(
            self.root / "manifest.json", (json.dumps(doc, indent=2, default=str) + "\n").encode()
        )

    # -- runs ---------------------------------------------------------------------------
    def done(self) -> dict[int, str]:
        """run_id -> status of every run with a record."""
        out = {}
        for p in self.runs_dir.glob("run-*.json"):
            try:
                rec = json.loads(p.read_text())
                out[int(rec["run_id"])] = rec["status"]
            except (OSError, ValueError, KeyError):
                continue  # a damaged record counts as not done: the run is redone
        return out

    def write(self, spec: RunSpec, result: RunResult, factor_values: dict[str, Any]) -> None:
        name = f"run-{spec.run_id:06d}"
        metrics = self.metrics_dir / f"{name}.parquet"
        if result.metrics is not None:
            atomic_write_parquet(metrics, result.metrics)
        record = {
            "run_id": spec.run_id,
            "point": spec.point,
            "replicate": spec.replicate,
            "seed": str(spec.seed),
            "status": result.status,
            "error": result.error,
            "traceback": result.traceback,
            "duration_s": round(result.duration_s, 4),
            "factors": factor_values,
            "parameters": result.parameters or {},
        }
        try:
            atomic_write_bytes(
                self.runs_dir / f"{name}.json", json.dumps(record, default=_json_default).encode()
            )
        except BaseException:
            metrics.unlink(missing_ok=True)  # no metrics without their record: the run is redone
            raise

    def consolidate(self) -> pd.DataFrame:
        """Rebuild runs.parquet from the run records (and drop half-written files)."""
        self.clean_temporary()
        df = self.records()
        atomic_write_parquet(self.root / "runs.parquet", _plain(df))
        return df

    def records(self) -> pd.DataFrame:
        """All run records as a table, read from runs/ (nothing is written)."""
        rows = []
        for p in sorted(self.runs_dir.glob("run-*.json")):
            try:
                rec = json.loads(p.read_text())
            except (OSError, ValueError):
                continue
            row = {
                k: rec[k]
                for k in (
                    "run_id",
                    "point",
                    "replicate",
                    "seed",
                    "status",
                    "error",
                    "traceback",
                    "duration_s",
                )
            }
            row.update(rec.get("parameters", {}))
            row.update(rec.get("factors", {}))
            rows.append(row)
        df = pd.DataFrame(rows)
        if not df.empty:
            df = df.sort_values("run_id").reset_index(drop=True)
        return df


def read_runs(root: Path) -> pd.DataFrame:
    """The run records of a sweep: runs.parquet of a complete sweep, else the records in
    runs/ (a running or stopped sweep's runs.parquet may be missing or behind)."""
    path = Path(root) / "runs.parquet"
    store = Store(root)
    if store.manifest().get("status") != "complete" or not path.exists():
        return _plain(store.records())
    try:
        return pd.read_parquet(path)
    except Exception as e:
        raise ResultsError(
            f"{path}: cannot be read ({type(e).__name__}); rebuild it with kosi-sim sweep --resume"
        ) from None


def read_metrics(root: Path, columns: list[str] | None = None) -> pd.DataFrame:
    folder = Path(root) / "metrics"
    files = sorted(folder.glob("run-*.parquet"))
    if not files:
        raise ResultsError(f"{root}: no finished runs with metrics")
    try:
        return pd.concat([pd.read_parquet(f, columns=columns) for f in files], ignore_index=True)
    except Exception as e:
        raise ResultsError(
            f"{folder}: a metrics file cannot be read ({type(e).__name__}); "
            "delete it and run kosi-sim sweep --resume"
        ) from None


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Mixed-type object columns (e.g. factor levels) as text, so Parquet can store them."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            kinds = {type(v) for v in out[c].dropna()}
            if len(kinds) > 1:
                out[c] = out[c].astype(str)
    return out


def _json_default(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
