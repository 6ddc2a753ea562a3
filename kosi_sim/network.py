"""The citizens' contact network: a fixed number of contacts per citizen, mostly local.

Each citizen observes ``k`` contacts (a directed tie: whom I see engaging).  A contact is
drawn from the own district with probability ``contact_locality`` (else from the whole
city); local contacts are drawn near the citizen's own age rank within the district
(``contact_age_homophily`` is the spread of that draw as a share of the district), which
gives the network age homophily without any per-citizen loop.

Ties to citizens who died or left are redrawn at the yearly network update, together with
each other tie with probability ``contact_turnover`` (people make new acquaintances, movers
settle in).
"""

from __future__ import annotations

import numpy as np

from .jit import as_bytes, helper, kernel, parallel_kernel, prange
from .parameters import Param, Section
from .rng import DRAWS, uniform

SECTION = Section(
    "network",
    "Contact network of citizens",
    [
        Param(
            "contacts_per_citizen",
            8,
            "contacts",
            "Contacts each citizen observes when deciding to engage",
            "assumption: order of magnitude of close weak-tie networks in ABMs of "
            "collective action (Macy 1991; Kitts 2006)",
            (2, 30),
            sweepable=False,
        ),
        Param(
            "contact_locality",
            0.8,
            "share",
            "Share of contacts drawn from the own Stadtbezirk",
            "assumption: neighbourhood-centred everyday networks",
            (0.0, 1.0),
        ),
        Param(
            "contact_age_homophily",
            0.15,
            "share of district",
            "Spread of a local contact's age rank around one's own (smaller = more homophily)",
            "assumption",
            (0.01, 1.0),
        ),
        Param(
            "contact_turnover",
            0.1,
            "1/year",
            "Share of ties redrawn each year",
            "assumption",
            (0.0, 1.0),
        ),
    ],
)


class DistrictIndex:
    """Alive rows grouped by district and sorted by age within each district (stable: in
    row order among equal ages): ``sorted_rows``, per district ``size`` and ``start`` (its
    first place in ``sorted_rows``), and each row's ``rank`` in its district (-1: dead)."""

    def __init__(self, district: np.ndarray, age: np.ndarray, alive: np.ndarray, n_d: int):
        span = int(age.max(initial=0)) + 1
        self.sorted_rows, self.size, self.start, self.rank = _district_age_index(
            district, age, as_bytes(alive), n_d, span
        )


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


def draw_contacts(
    rows: np.ndarray,
    slots: int,
    uid: np.ndarray,
    district: np.ndarray,
    index: DistrictIndex,
    locality: float,
    homophily: float,
    key: np.uint64,
) -> np.ndarray:
    """Draw ``slots`` contacts for each of ``rows``; returns an int32 array (len(rows),
    slots).  Draws from the keyed stream ``key`` by the citizen's uid (tie ``j``: draws
    ``4 j + 0..3``, see :func:`_new_contact`), on all cores: a full city needs about 21
    million draws, too many for one numpy generator on one core."""
    out = np.empty((len(rows), slots), dtype=np.int32)
    if len(rows):
        _place_contacts(
            key, uid, rows, district, index.size, index.start, index.rank, index.sorted_rows,
            homophily, np.float32(locality), out,
        )  # fmt: skip
    return out


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


# Acklam's (2003) rational approximation of the standard normal quantile function
# (relative error below 1.15e-9): the central 95% without any logarithm
_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
      -30.66479806614716, 2.506628277459239)  # fmt: skip
_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
      -13.28068155288572)  # fmt: skip
_C = (-7.784894002430293e-03, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
      4.374664141464968, 2.938163982698783)  # fmt: skip
_D = (7.784695709041462e-03, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
_P_LOW = 0.02425


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
    p = np.float64(u) + 2.0**-25
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


def update_contacts(
    contacts: np.ndarray,
    uid: np.ndarray,
    alive: np.ndarray,
    district: np.ndarray,
    age: np.ndarray,
    n_districts: int,
    turnover: float,
    locality: float,
    homophily: float,
    key: np.uint64,
    ties_to_living: bool = False,
) -> int:
    """Redraw, in place, the living's ties to the dead (or -1) and each other tie with
    probability ``turnover``, drawing from the keyed stream ``key`` by the citizen's uid
    (one compiled pass on all cores).  Returns the number of ties redrawn.

    ``ties_to_living``: every tie other than -1 is known to point to a living citizen (as
    right after a compaction), so only the -1 ties need looking at: the same ties are
    redrawn, without reading whether each contact is alive."""
    if len(alive) == 0:
        return 0
    index = DistrictIndex(district, age, alive, n_districts)
    return _renew_ties(
        key, uid, contacts, alive, district, index.size, index.start, index.rank,
        index.sorted_rows, np.float32(turnover), homophily, np.float32(locality),
        not ties_to_living,
    )  # fmt: skip


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
