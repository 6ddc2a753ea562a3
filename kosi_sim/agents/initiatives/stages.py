"""The stages of an initiative's life cycle (ODD 2.6 and 7.8), as codes in ``stage``.

Open stages come first and in the order an initiative passes them, so ``stage <=
SUSTAINED`` is "still open"; the terminal stages follow.
"""

from __future__ import annotations

import numpy as np

IDEA, PROPOSAL, GATE, ACTIVE, SUSTAINED, FAILED, REJECTED, DROPPED, ENDED = range(9)
STAGES = (
    "idea",
    "proposal",
    "gate",
    "active",
    "sustained",
    "failed",
    "rejected",
    "dropped",
    "ended",
)
OPEN_STAGES = (IDEA, PROPOSAL, GATE, ACTIVE, SUSTAINED)
#: the stages in which an initiative produces services (ODD 7.9)
PRODUCING = (ACTIVE, SUSTAINED)
#: the stages in which an initiative has a leader and a team
LED = (PROPOSAL, GATE, ACTIVE, SUSTAINED)


def in_stages(stage: np.ndarray, stages: tuple[int, ...]) -> np.ndarray:
    """Whether each entry of ``stage`` is one of ``stages`` (as ``np.isin``, which sorts
    and is much slower on the table of all initiatives)."""
    out = stage == stages[0]
    for s in stages[1:]:
        out |= stage == s
    return out


def is_open(stage: np.ndarray) -> np.ndarray:
    """Whether each entry of ``stage`` is an open stage (idea to sustained)."""
    return stage <= SUSTAINED
