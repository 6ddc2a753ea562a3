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
    district: np.ndarray,
    index: DistrictIndex,
    locality: float,
    homophily: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw ``slots`` contacts for each of ``rows``; returns an int32 array (len(rows), slots)."""
    n = len(rows)
    out = np.empty((n, slots), dtype=np.int32)
    if n == 0:
        return out
    # four draws per tie, always in this order (common random numbers)
    offset = rng.normal(0.0, 1.0, (n, slots))  # a local contact's age rank around one's own
    u_rank = rng.random((n, slots))  # the rank for citizens not in the index (just arrived)
    anywhere = rng.random((n, slots))  # a contact anywhere in the city
    local = rng.random((n, slots))  # local (below ``locality``) or anywhere
    _place_contacts(
        rows, district, index.size, index.start, index.rank, index.sorted_rows,
        offset, u_rank, anywhere, local, homophily, locality, out,
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


@parallel_kernel
def _place_contacts(
    rows, district, size, start, rank, sorted_rows, offset, u_rank, anywhere, local,
    homophily, locality, out,
):  # fmt: skip
    """The contacts of ``rows`` from the draws: a local contact has an age rank drawn around
    one's own (uniform in the district for the unranked), else anyone."""
    total = len(sorted_rows)
    for i in prange(len(rows)):
        r = rows[i]
        d = district[r]
        n_d = size[d]
        spread = max(1.0, homophily * n_d)
        for j in range(out.shape[1]):
            k = _local_place(rank[r], n_d, offset[i, j], u_rank[i, j], spread)
            k = min(k + start[d], total - 1)
            if local[i, j] < locality and n_d > 1:
                out[i, j] = sorted_rows[k]
            else:
                out[i, j] = sorted_rows[np.int64(anywhere[i, j] * total)]


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


@helper
def _normal(u1, u2):
    """A standard normal number from two uniforms on [0, 1) (Box-Muller)."""
    return np.sqrt(-2.0 * np.log(1.0 - np.float64(u1))) * np.cos(2.0 * np.pi * np.float64(u2))


@parallel_kernel
def _renew_ties(
    key, uid, contacts, alive, district, size, start, rank, sorted_rows, turnover, homophily,
    locality, check_alive,
):  # fmt: skip
    """The yearly tie update of every living citizen (rows independent: a row's new ties
    depend on her own ties, who is alive and the index, which nobody writes here).

    A citizen's draws: ``j`` whether tie ``j`` turns over; ``k + 4 j + 0..3`` where its new
    contact comes from: local or anywhere, the age-rank offset (two uniforms for a normal
    number), the place in the city (or in the district for the unranked), as in
    :func:`_place_contacts`."""
    total = len(sorted_rows)
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
            b = base + k + 4 * j
            if (uniform(key, b) < locality) & (n_d > 1):
                # the normal number (a logarithm and a cosine) only where it is used
                z = _normal(uniform(key, b + 1), uniform(key, b + 2)) if rank[r] >= 0 else 0.0
                pos = _local_place(rank[r], n_d, z, uniform(key, b + 3), spread)
                contacts[r, j] = sorted_rows[min(pos + start[d], total - 1)]
            else:
                contacts[r, j] = sorted_rows[min(np.int64(uniform(key, b + 3) * total), total - 1)]
            renewed[r] += 1
    return renewed.sum()
