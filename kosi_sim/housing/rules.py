"""Housing (ODD 7.2): how a district takes the arrivals who chose it, in plain numpy.

The rest of the housing market (households, the draw of districts, the stock) is in
:mod:`.component`.  The compiled fast path of :func:`take_in_order` is in :mod:`.kernels`,
called exactly as this rule (``kosi_sim.ruleset.fast_path_of``) and tested equal to it
(``tests/test_housing.py``).
"""

from __future__ import annotations

import numpy as np

#: the slack (dwellings) by which a district's arrivals may exceed its free dwellings, so
#: that float rounding of the summed headship never turns away one who fits exactly
FIT_SLACK = 1e-9


def take_in_order(*, choice, need, looking, left, dest, taken) -> None:
    """Each district takes those of ``looking`` who chose it (``choice``, -1: none), in
    their order, while the running sum of their ``need`` fits its ``left`` free dwellings;
    the first who does not fit closes its door.  Marks ``taken``, writes ``dest`` and
    lowers ``left`` by the need taken (summed as ``np.sum``), all in place."""
    for d in range(len(left)):
        at = np.flatnonzero(choice == d)
        if len(at) == 0:
            continue
        fits = np.cumsum(need[looking[at]]) <= left[d] + FIT_SLACK
        fits &= np.cumsum(~fits) == 0  # the first who does not fit closes the door
        dest[looking[at[fits]]] = d
        left[d] -= need[looking[at[fits]]].sum()
        taken[at[fits]] = True
