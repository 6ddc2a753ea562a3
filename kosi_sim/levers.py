"""Levers: the few quantities through which interventions change the model's rules.

The model resets the levers to "no change" at the start of every month; each running
intervention then moves the levers of its target districts.  Rules read the levers, never
the interventions, so instruments are plug-ins and the model does not know them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Levers:
    n_districts: int
    #: factor on the monthly chance that an idea becomes a proposal (contact point)
    idea_conversion: np.ndarray = field(init=False)
    #: factor on the spare time a citizen needs to lead (co-workers, facilitation)
    leader_spare: np.ndarray = field(init=False)
    #: extra monthly chance that a proposal needing space gets vacant premises
    premises_open: np.ndarray = field(init=False)
    #: factor on approval lead times at the administrative gate (fast track)
    lead_time: np.ndarray = field(init=False)
    #: factor on the chance of a rejection out of risk aversion (fast track)
    rejection: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        n = self.n_districts
        self.idea_conversion = np.ones(n)
        self.leader_spare = np.ones(n)
        self.premises_open = np.zeros(n)
        self.lead_time = np.ones(n)
        self.rejection = np.ones(n)
