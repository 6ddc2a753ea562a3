"""Housing (ODD 7.2): dwellings per district, the households living in them, and who can
move in.

:mod:`.component` holds the parameters, the :class:`Housing` state and the allocation of
arrivals (:func:`allocate`); :mod:`.rules` how a district takes the arrivals who chose it,
in plain numpy, with its compiled fast path in :mod:`.kernels` (chosen by the model's
``rules``, :mod:`kosi_sim.ruleset`).
"""

from .component import (
    N_GROUPS,
    SECTION,
    Housing,
    affinity,
    age_group,
    allocate,
    headship,
)

__all__ = ["N_GROUPS", "SECTION", "Housing", "affinity", "age_group", "allocate", "headship"]
