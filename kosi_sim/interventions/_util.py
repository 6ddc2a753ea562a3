"""Small helpers shared by instruments."""

from __future__ import annotations

import numpy as np

from ..agents.initiatives.ideas import draw_domains


def target_citizens(model, in_target: np.ndarray) -> np.ndarray:
    """Boolean mask over citizens living in the intervention's target districts."""
    return np.append(in_target, False)[model.pop.district]


def rows_in(table, rows: np.ndarray, in_target: np.ndarray) -> np.ndarray:
    """The subset of ``rows`` of an organisation table located in target districts."""
    return rows[in_target[table.district[rows]]]


def gap_domains(model, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A service domain for each district entry, drawn as new ideas draw theirs
    (:func:`kosi_sim.agents.initiatives.ideas.draw_domains`)."""
    return draw_domains(model.services.gap(), district, rng)
