"""Small helpers shared by instruments."""

from __future__ import annotations

import numpy as np


def target_citizens(model, in_target: np.ndarray) -> np.ndarray:
    """Boolean mask over citizens living in the intervention's target districts."""
    return np.append(in_target, False)[model.pop.district]


def rows_in(table, rows: np.ndarray, in_target: np.ndarray) -> np.ndarray:
    """The subset of ``rows`` of an organisation table located in target districts."""
    return rows[in_target[table.district[rows]]]


def gap_domains(model, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A service domain for each district entry, drawn in proportion to 0.25 + unmet need."""
    gap = model.services.gap()
    weights = 0.25 + gap[:, district]
    cdf = np.cumsum(weights, axis=0) / weights.sum(axis=0)
    return (rng.random(len(district))[None, :] > cdf).sum(axis=0).astype(np.int8)
