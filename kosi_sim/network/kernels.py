"""The contact network (ODD 7.3): the compiled fast path of :mod:`kosi_sim.network.rules`,
called exactly as the rules of the same name (:func:`kosi_sim.ruleset.fast_path_of`) and
tested equal to them (``tests/test_rules_network.py``).

The initial ties of a full city need about 21 million draws, too many for one numpy
generator on one core: the kernels draw them from the keyed stream on all cores, each
citizen's row independent of the others.
"""

from __future__ import annotations

import numpy as np

from ..jit import as_bytes, helper, kernel, parallel_kernel, prange
from ..rng import DRAWS, uniform
from ..ruleset import fast_path_of
from . import rules
from .rules import ACKLAM_A as _A
from .rules import ACKLAM_B as _B
from .rules import ACKLAM_C as _C
from .rules import ACKLAM_D as _D
from .rules import ACKLAM_P_LOW as _P_LOW
from .rules import HALF_STEP, DistrictIndex


@fast_path_of(rules.district_index)
def district_index(a) -> DistrictIndex:
    span = int(a.age_m.max(initial=0)) + 1
    return DistrictIndex(
        *_district_age_index(a.district, a.age_m, as_bytes(a.alive), a.n_districts, span)
    )


@fast_path_of(rules.place_contacts)
def place_contacts(a) -> np.ndarray:
    out = np.empty((len(a.rows), a.slots), dtype=np.int32)
    if len(a.rows):
        i = a.index
        _place_contacts(
            a.key, a.uid, a.rows, a.district, i.size, i.start, i.rank, i.sorted_rows,
            a.homophily, np.float32(a.locality), out,
        )  # fmt: skip
    return out


@fast_path_of(rules.renew_ties)
def renew_ties(a) -> int:
    i = a.index
    return int(
        _renew_ties(
            a.key, a.uid, a.contacts, a.alive, a.district, i.size, i.start, i.rank,
            i.sorted_rows, np.float32(a.turnover), a.homophily, np.float32(a.locality),
            a.check_alive,
        )
    )  # fmt: skip


@fast_path_of(rules.newcomer_contacts)
def newcomer_contacts(a) -> None:
    _first_local(a.key, a.uid, a.rows, a.district, a.alive, a.tries, a.out)


@kernel
def _district_age_index(district, age, alive, n_d, span):
    """A counting sort of the living by the key district x age (``span`` ages)."""
    n = len(alive)
    first = np.zeros(n_d * span + 1, dtype=np.int64)
    for r in range(n):
        if alive[r]:
            first[district[r] * span + age[r] + 1] += 1
    for k in range(n_d * span):
        first[k + 1] += first[k]
    size = np.zeros(n_d, dtype=np.int64)
    start = np.zeros(n_d, dtype=np.int64)
    for d in range(n_d):
        start[d] = first[d * span]
        size[d] = first[(d + 1) * span] - start[d]
    sorted_rows = np.empty(first[-1], dtype=np.int32)
    rank = np.full(n, -1, dtype=np.int64)
    for r in range(n):
        if alive[r]:
            d = district[r]
            k = d * span + age[r]
            sorted_rows[first[k]] = r
            rank[r] = first[k] - start[d]
            first[k] += 1
    return sorted_rows, size, start, rank


@helper
def _local_place(own_rank, n_d, z, u, spread):
    """A local contact's place among the district's ``n_d`` citizens sorted by age: one's own
    rank plus ``round(z * spread)`` (never 0: not oneself), wrapping around; ``u * n_d`` for
    the unranked (own rank -1: not in the index)."""
    if own_rank >= 0:
        step = np.int64(np.rint(z * spread))
        if step == 0:
            step = 1
        return (step + own_rank) % max(n_d, 1)
    return np.int64(u * n_d)


@helper
def _tail(q):
    """Acklam's tail formula for ``q = sqrt(-2 log p)``."""
    num = ((((_C[0] * q + _C[1]) * q + _C[2]) * q + _C[3]) * q + _C[4]) * q + _C[5]
    return num / ((((_D[0] * q + _D[1]) * q + _D[2]) * q + _D[3]) * q + 1.0)


@helper
def _normal(u):
    """A standard normal number from one uniform ``u`` on [0, 1) (float32, on a grid of
    2**-24): the normal quantile of the grid cell's midpoint (never 0 or 1), by Acklam's
    approximation; only the outer 5% need a logarithm (Box-Muller's logarithm and cosine
    for every draw took half of the yearly tie update)."""
    p = np.float64(u) + HALF_STEP
    if p < _P_LOW:
        return _tail(np.sqrt(-2.0 * np.log(p)))
    if p > 1.0 - _P_LOW:
        return -_tail(np.sqrt(-2.0 * np.log(1.0 - p)))
    q = p - 0.5
    r = q * q
    num = (((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]) * q
    return num / (((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1.0)


@helper
def _new_contact(key, b, own_rank, n_d, start_d, spread, sorted_rows, locality):
    """A new contact from the four draws ``b .. b + 3``: local (``b`` below ``locality``,
    if the district has anyone else) with an age rank drawn around one's own (``b + 1``, a
    normal number; uniform in the district (``b + 3``) for the unranked), else anyone in
    the city (``b + 3``).  ``b + 2`` is not used."""
    total = len(sorted_rows)
    if (uniform(key, b) < locality) & (n_d > 1):
        # the normal number only where it is used
        z = _normal(uniform(key, b + 1)) if own_rank >= 0 else 0.0
        pos = _local_place(own_rank, n_d, z, uniform(key, b + 3), spread)
        return sorted_rows[min(pos + start_d, total - 1)]
    return sorted_rows[min(np.int64(uniform(key, b + 3) * total), total - 1)]


@parallel_kernel
def _place_contacts(
    key, uid, rows, district, size, start, rank, sorted_rows, homophily, locality, out
):  # fmt: skip
    """The contacts of ``rows`` (each independent of the others)."""
    for i in prange(len(rows)):
        r = rows[i]
        d = district[r]
        spread = max(1.0, homophily * size[d])
        base = uid[r] * DRAWS
        for j in range(out.shape[1]):
            out[i, j] = _new_contact(
                key, base + 4 * j, rank[r], size[d], start[d], spread, sorted_rows, locality
            )


@parallel_kernel
def _renew_ties(
    key, uid, contacts, alive, district, size, start, rank, sorted_rows, turnover, homophily,
    locality, check_alive,
):  # fmt: skip
    """The yearly tie update of every living citizen (rows independent: a row's new ties
    depend on her own ties, who is alive and the index, which nobody writes here).

    A citizen's draws: ``j`` whether tie ``j`` turns over; ``k + 4 j + 0..3`` where its new
    contact comes from (:func:`_new_contact`)."""
    k = contacts.shape[1]
    renewed = np.zeros(contacts.shape[0], dtype=np.int64)
    for r in prange(contacts.shape[0]):
        if not alive[r]:
            continue  # the dead's own ties are left as they are
        base = uid[r] * DRAWS
        d = district[r]
        n_d = size[d]
        spread = max(1.0, homophily * n_d)
        for j in range(k):
            c = contacts[r, j]
            redraw = c < 0
            if not redraw and check_alive:
                redraw = not alive[c]
            if not redraw and turnover > 0:
                redraw = uniform(key, base + j) < turnover
            if not redraw:
                continue
            contacts[r, j] = _new_contact(
                key, base + k + 4 * j, rank[r], n_d, start[d], spread, sorted_rows, locality
            )
            renewed[r] += 1
    return renewed.sum()


@parallel_kernel
def _first_local(key, uid, rows, district, alive, tries, out):
    """Row ``i`` of ``out``: the first ``k`` of ``tries`` random rows in the district of
    ``rows[i]``; the remaining slots a random living row (rejection sampling)."""
    n, k = len(district), out.shape[1]
    for i in prange(len(rows)):  # newcomers independent: each writes her own row
        own = district[rows[i]]
        base = uid[rows[i]] * DRAWS
        got = 0
        for j in range(tries):
            c = min(np.int64(uniform(key, base + j) * n), n - 1)
            if district[c] == own:
                out[i, got] = c
                got += 1
                if got == k:
                    break
        j = tries
        while got < k:
            c = min(np.int64(uniform(key, base + j) * n), n - 1)
            j += 1
            if alive[c] | (j >= DRAWS):  # DRAWS: a bound that no city with living people meets
                out[i, got] = c
                got += 1
