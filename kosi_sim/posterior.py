"""Posterior files: weighted parameter samples from a Bayesian calibration.

A posterior is one Parquet file.  Its columns are parameter keys as :mod:`kosi_sim.draws`
defines them (``section.name`` or ``instrument.<type>.<name>``), one row per sample, plus a
``weight`` column (non-negative, at least one positive; normalised on reading).  The
file's schema metadata under ``kosi_sim`` holds JSON describing where it came from
(scenario, sampler, generations, epsilon, date).  Parameters not in the file keep the
scenario's values.

``calibrate --posterior`` writes these files, ``compare --uncertainty posterior`` and
experiment files read them, and a scenario file may name one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .draws import DrawError, canonical, check_value

WEIGHT = "weight"
META_KEY = b"kosi_sim"


class PosteriorError(ValueError):
    """A posterior file is missing, broken or names a parameter or value not allowed."""


@dataclass(frozen=True)
class Posterior:
    """Weighted samples: ``samples`` has one column per key, ``weights`` sums to 1."""

    samples: pd.DataFrame
    weights: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return list(self.samples.columns)

    def __len__(self) -> int:
        return len(self.samples)

    def draw(self, rng: np.random.Generator, k: int) -> pd.DataFrame:
        """``k`` samples drawn with replacement in proportion to their weights."""
        idx = rng.choice(len(self.samples), size=k, replace=True, p=self.weights)
        return self.samples.iloc[idx].reset_index(drop=True)

    def mean(self) -> dict[str, float]:
        """The weighted mean of each numeric parameter."""
        return {
            k: float(np.average(self.samples[k].astype(float), weights=self.weights))
            for k in self.keys
        }

    def quantiles(self, key: str, qs: Any) -> np.ndarray:
        """Weighted quantiles of one parameter (the inverse of its weighted empirical
        distribution function: the smallest sample whose cumulative weight reaches q)."""
        v = self.samples[key].to_numpy(dtype=float)
        order = np.argsort(v, kind="stable")
        cum = np.cumsum(self.weights[order])
        idx = np.searchsorted(cum, np.asarray(qs, dtype=float) * cum[-1], side="left")
        return v[order][np.minimum(idx, len(v) - 1)]

    def effective_sample_size(self) -> float:
        """Kish's effective sample size, 1 / sum(w^2)."""
        return float(1.0 / np.sum(self.weights**2))


def make(samples: pd.DataFrame, weights: Any, meta: dict[str, Any] | None = None) -> Posterior:
    """A checked :class:`Posterior`: known keys, values in range, usable weights."""
    if len(samples) == 0:
        raise PosteriorError("a posterior needs at least one sample")
    cols = {}
    for key in samples.columns:
        try:
            name = canonical(str(key))
            cols[name] = [check_value(name, v) for v in samples[key].tolist()]
        except DrawError as e:
            raise PosteriorError(str(e)) from None
    w = np.asarray(weights, dtype=float).reshape(-1)
    if w.shape[0] != len(samples):
        raise PosteriorError(f"{w.shape[0]} weights for {len(samples)} samples")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise PosteriorError("weights must be finite, non-negative and not all zero")
    return Posterior(pd.DataFrame(cols), w / w.sum(), dict(meta or {}))


def write(post: Posterior, path: str | Path) -> Path:
    """Write ``post`` to ``path`` (Parquet with the weights and the metadata)."""
    path = Path(path)
    table = pa.Table.from_pandas(
        post.samples.assign(**{WEIGHT: post.weights}), preserve_index=False
    )
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(post.meta, sort_keys=True, default=str).encode()
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


def read(path: str | Path) -> Posterior:
    """Read and check a posterior file; PosteriorError with one line naming the problem."""
    path = Path(path)
    if not path.is_file():
        raise PosteriorError(f"{path}: no such posterior file (expected a .parquet file)")
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise PosteriorError(f"{path}: not a readable Parquet posterior file: {first}") from None
    df = table.to_pandas()
    if WEIGHT not in df.columns:
        raise PosteriorError(
            f"{path}: no {WEIGHT!r} column; a posterior file has one column "
            "per parameter and a 'weight' column"
        )
    raw = (table.schema.metadata or {}).get(META_KEY, b"{}")
    try:
        meta = json.loads(raw)
    except ValueError:
        raise PosteriorError(f"{path}: its kosi_sim metadata is not valid JSON") from None
    try:
        return make(df.drop(columns=[WEIGHT]), df[WEIGHT].to_numpy(), meta)
    except PosteriorError as e:
        raise PosteriorError(f"{path}: {e}") from None


def of_scenario(scn) -> Posterior | None:
    """The posterior a scenario file names (``posterior = "..."``), or None if it names
    none; PosteriorError if the file changed into something unusable since loading."""
    return None if scn.posterior is None else read(scn.posterior)
