"""The epsilon-dominance archive and the convergence measures of a search.

All objectives are minimised.  A point's *box* is ``floor(f / epsilon)`` per objective
(Laumanns et al. 2002, as in epsilon-NSGA-II, Kollat and Reed 2006, and Borg, Hadka and Reed
2013).  The archive keeps at most one point per box and only boxes that no other box
dominates; within a box the point nearer the box's corner wins.  *Epsilon progress* counts
the points that entered the archive in a box it did not hold before (a new box, or one that
dominates boxes it replaces); it stops growing when the search stops finding anything new
at the resolution the analyst chose.

Hypervolume (pymoo's indicator) is computed on the objectives normalised by the smallest
and largest values of every evaluation so far, with the reference point 1.1 in each
objective; since the normalisation follows the evaluations, the whole convergence table is
recomputed at each generation and its last row is the one to compare across generations.
"""

from __future__ import annotations

import numpy as np
from pymoo.util.nds.non_dominated_sorting import find_non_dominated


class EpsilonArchive:
    """Indices (into the caller's list of evaluations) of the epsilon-non-dominated points."""

    def __init__(self, epsilons: np.ndarray) -> None:
        self.eps = np.asarray(epsilons, dtype=float)
        self.members: list[int] = []
        self.boxes: list[np.ndarray] = []
        self.points: list[np.ndarray] = []
        self.progress = 0

    def add(self, index: int, f: np.ndarray) -> bool:
        """Offer a point; True if it entered the archive in a new box (epsilon progress)."""
        f = np.asarray(f, dtype=float)
        box = np.floor(f / self.eps)
        if any(_dominates(b, box) for b in self.boxes):
            return False
        for j, b in enumerate(self.boxes):
            if np.array_equal(b, box):  # one point per box: the dominating or nearer one
                old, corner = self.points[j], box * self.eps
                if _dominates(old, f) or (
                    not _dominates(f, old)
                    and np.linalg.norm(old - corner) <= np.linalg.norm(f - corner)
                ):
                    return False
                self.members[j], self.points[j] = index, f
                return False  # the same box: no progress
        keep = [j for j, b in enumerate(self.boxes) if not _dominates(box, b)]
        self.members = [self.members[j] for j in keep] + [index]
        self.boxes = [self.boxes[j] for j in keep] + [box]
        self.points = [self.points[j] for j in keep] + [f]
        self.progress += 1
        return True


def _dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a <= b) and np.any(a < b))


def nondominated(F: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows of ``F`` (all objectives minimised)."""
    if len(F) == 0:
        return np.array([], dtype=int)
    return np.asarray(find_non_dominated(np.asarray(F, dtype=float)), dtype=int)


def hypervolumes(F: np.ndarray, generation: np.ndarray) -> np.ndarray:
    """The hypervolume of the non-dominated evaluations up to each generation (0, 1, ...),
    normalised by the bounds of all of ``F`` (see the module's docstring)."""
    from pymoo.indicators.hv import HV

    F = np.asarray(F, dtype=float)
    lo, hi = F.min(axis=0), F.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    norm = (F - lo) / span
    indicator = HV(ref_point=np.full(F.shape[1], 1.1))
    out = []
    for g in range(int(generation.max()) + 1):
        sub = norm[generation <= g]
        out.append(float(indicator(sub[nondominated(sub)])))
    return np.array(out)
