"""Housing (ODD 7.2): the numba fast path of :func:`kosi_sim.housing.rules.take_in_order`,
called exactly as the rule by keyword (:func:`kosi_sim.ruleset.fast_path_of`); tested bit
for bit against it in ``tests/test_housing.py``."""

from __future__ import annotations

import numpy as np

from ..jit import kernel, pairwise_sum
from ..ruleset import fast_path_of
from . import rules


@fast_path_of(rules.take_in_order)
def take_in_order(a) -> None:
    _take_in_order(a.choice, a.need, a.looking, a.left, a.dest, a.taken)


@kernel
def _take_in_order(choice, need, looking, left, dest, taken):
    """Each district takes those of ``looking`` who chose it (``choice``), in their order,
    while the running sum of their need fits its ``left`` free dwellings (1e-9 of slack);
    the first who does not fit closes its door.  Marks ``taken``, writes ``dest`` and
    lowers ``left`` by the need taken (summed in numpy's order, as
    ``need[taken_rows].sum()``: the same bits as the numpy formulation in the tests)."""
    n_d = len(left)
    running = np.zeros(n_d)
    closed = np.zeros(n_d, dtype=np.bool_)
    for i in range(len(looking)):
        d = choice[i]
        if d < 0 or closed[d]:
            continue
        running[d] += need[looking[i]]
        if running[d] <= left[d] + 1e-9:
            dest[looking[i]] = d
            taken[i] = True
        else:
            closed[d] = True
    buffer = np.empty(len(looking))
    for d in range(n_d):
        k = 0
        for i in range(len(looking)):
            if taken[i] and choice[i] == d:
                buffer[k] = need[looking[i]]
                k += 1
        if k:
            left[d] -= pairwise_sum(buffer, 0, k)
