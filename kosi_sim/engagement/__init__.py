"""Citizens' engagement (ODD 7.4): time budgets, willingness, threshold joining, effort,
burnout, quitting and trust.

* :mod:`.params`: the parameters, declared once;
* :mod:`.rules`: the rules in plain numpy, as the ODD states them, with named constants;
* :mod:`.kernels`: the same rules as compiled numba kernels (the fast path, the default);
* :mod:`.component`: :class:`Engagement`, which applies the chosen implementation to the
  model's population each month.
"""

from .component import Engagement, disengage, meets_threshold
from .params import SECTION, SHARED
from .rules import (
    AGE_EDGES,
    BASE_BUDGET,
    EMPLOYMENT,
    GROUP_OF_MONTH,
    WEEKS_PER_MONTH,
    draw_traits,
    life_stage_factors,
)

__all__ = [
    "AGE_EDGES",
    "BASE_BUDGET",
    "EMPLOYMENT",
    "GROUP_OF_MONTH",
    "SECTION",
    "SHARED",
    "WEEKS_PER_MONTH",
    "Engagement",
    "disengage",
    "draw_traits",
    "life_stage_factors",
    "meets_threshold",
]
