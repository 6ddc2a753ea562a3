"""Associations (Vereine): members, leaders, volunteer capacity, funds, founding, dissolution.

Membership lives on the citizens (``pop.association``), so members age, move and die with
the population.  Each month, as whole-array operations over all associations:

* counts: members, members under 30, volunteer hours (``np.bincount`` over citizens);
* leadership (M10): a leader who died or quit is replaced, with probability
  ``succession_rate`` a month, by a member with spare time;
* funds: dues per member in, fixed costs out, never below zero; what exceeds
  ``reserve_months`` of the Verein's dues is spent on its own activities (not modelled
  further), so its funds, and the fifth it gives an initiative partner, have a steady state
  instead of growing for ever;
* dissolution (M13): hazard ``base + small * [members < min_members] + leaderless *
  [leaderless >= 12 months]``, requested now and applied in the structural phase;
* founding (M13): per district ``Poisson(rate * young engaged / 1000 / 12)``; the founder
  is an engaged 18-35 year old with spare time who brings up to ``min_members - 1``
  engaged contacts without a Verein.

The rules live in one module each, named after the ODD's submodels: :mod:`.membership`
(counts, joining), :mod:`.leadership` (M10), :mod:`.funds`, :mod:`.dissolution` and
:mod:`.founding` (M13); :mod:`.vereine` holds the table and the monthly step that runs them
in order, :mod:`.params` the declared parameters.  The parts of these rules that work on the
citizens' arrays are plain numpy in :mod:`.rules`, with their compiled fast path in
:mod:`.kernels` (chosen by the model's ``rules``, :mod:`kosi_sim.ruleset`).
"""

from .params import DOMAINS, SECTION, SHARED
from .vereine import Association, Associations

__all__ = [
    "DOMAINS",
    "SECTION",
    "SHARED",
    "Association",
    "Associations",
]
