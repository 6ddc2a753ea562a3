"""Who can volunteer: the one rule that recruiting, brokerage and grants share.

A citizen could take on a voluntary task if she is alive, of engagement age, in no
initiative, not a free rider (M2) and willing (willingness at least ``willing_cutoff``,
ODD 7.4), and has at least :data:`MIN_VOLUNTEER_HOURS` a week.  The callers differ in
whom they ask, and say so through the keywords:

* a leader recruiting among her contacts (ODD 7.8 rule 3) asks the engaged as well as the
  willing, and counts spare time (time budget less the hours already given);
* brokerage (``matching``, ODD 11.2) and a funded initiative (``small_grants``, 11.4) ask
  the inactive, by their time budget; paid incentives also draw in free riders (M4), and
  the grants count willingness with the grant exposure.

The engagement rules apply the same thresholds when citizens join on their own
(:mod:`kosi_sim.engagement`).
"""

from __future__ import annotations

import numpy as np

from .engagement.rules import ENGAGEMENT_AGE_MONTHS, MIN_BUDGET_TO_JOIN
from .population import COOP_FREE_RIDER

__all__ = ["ENGAGEMENT_AGE_MONTHS", "MIN_VOLUNTEER_HOURS", "can_volunteer"]

# ENGAGEMENT_AGE_MONTHS: the age from which citizens engage (months): the
# Freiwilligensurvey counts people aged 14 and over, and so does the model (ODD 2.1)
#: the least time a citizen needs to take on a voluntary task (h/week; assumption: half
#: an hour a week, the smallest commitment the Freiwilligensurvey reports): the time
#: budget with which a citizen joins on her own (ODD 7.4), one threshold for both
MIN_VOLUNTEER_HOURS = MIN_BUDGET_TO_JOIN


def can_volunteer(
    pop,
    rows: np.ndarray | slice,
    willing_cutoff: float,
    *,
    engaged_too: bool = False,
    spare_time: bool = False,
    paid: bool = False,
    willingness: np.ndarray | None = None,
) -> np.ndarray:
    """Whether each citizen of ``rows`` could volunteer (the rule in the module docstring).

    ``engaged_too``: the engaged count whatever their willingness (else only the inactive
    are asked); ``spare_time``: the hours count that are not yet given (else the time
    budget); ``paid``: free riders are drawn in too; ``willingness``: the citizens'
    willingness to use (default ``pop.willingness``)."""
    w = pop.willingness[rows] if willingness is None else willingness
    engaged = pop.engaged[rows]
    asked = (engaged | (w >= willing_cutoff)) if engaged_too else (~engaged & (w >= willing_cutoff))
    free_rider = pop.coop[rows] == COOP_FREE_RIDER
    asked = (asked | free_rider) if paid else (asked & ~free_rider)
    hours = pop.time_budget[rows] - pop.hours[rows] if spare_time else pop.time_budget[rows]
    return (
        asked
        & pop.alive[rows]
        & (pop.age_m[rows] >= ENGAGEMENT_AGE_MONTHS)
        & (pop.initiative[rows] < 0)
        & (hours >= MIN_VOLUNTEER_HOURS)
    )
