"""The citizens' contact network: a fixed number of contacts per citizen, mostly local.

Each citizen observes ``k`` contacts (a directed tie: whom I see engaging).  A contact is
drawn from the own district with probability ``contact_locality`` (else from the whole
city); local contacts are drawn near the citizen's own age rank within the district
(``contact_age_homophily`` is the spread of that draw as a share of the district), which
gives the network age homophily without any per-citizen loop.

Ties to citizens who died or left are redrawn at the yearly network update, together with
a share ``contact_turnover`` of all ties (people make new acquaintances, movers settle in).
"""

from __future__ import annotations

import numpy as np

from .jit import parallel_kernel, prange
from .parameters import Param, Section

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
    """Alive rows grouped by district and sorted by age within each district."""

    def __init__(self, district: np.ndarray, age: np.ndarray, alive: np.ndarray, n_d: int):
        rows = np.flatnonzero(alive)
        d = district[rows]
        sorted_rows = rows[_district_age_order(d, age[rows])]
        counts = np.bincount(d, minlength=n_d)[:n_d]
        self.size = counts
        self.start = np.concatenate(([0], np.cumsum(counts)[:-1]))
        self.rank = np.full(len(district), -1, dtype=np.int64)
        # the sorted rows come district by district: the rank is the place in the block
        self.rank[sorted_rows] = np.arange(len(rows)) - np.repeat(self.start, counts)
        self.sorted_rows = sorted_rows.astype(np.int32)


def _district_age_order(district: np.ndarray, age: np.ndarray) -> np.ndarray:
    """The stable order by district, then age (as ``np.lexsort((age, district))``).

    One stable sort of a combined key; when the key fits in 16 bits numpy sorts it with a
    radix sort, about twice as fast as the lexsort.
    """
    span = int(age.max(initial=0)) + 1
    key = district.astype(np.int64) * span + age
    if int(key.max(initial=0)) < 2**16:
        key = key.astype(np.uint16)
    return np.argsort(key, kind="stable")


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
    uniform = rng.random((n, slots))  # the rank for citizens not in the index (just arrived)
    anywhere = rng.random((n, slots))  # a contact anywhere in the city
    local = rng.random((n, slots))  # local (below ``locality``) or anywhere
    _place_contacts(
        rows, district, index.size, index.start, index.rank, index.sorted_rows,
        offset, uniform, anywhere, local, homophily, locality, out,
    )  # fmt: skip
    return out


@parallel_kernel
def _place_contacts(
    rows, district, size, start, rank, sorted_rows, offset, uniform, anywhere, local,
    homophily, locality, out,
):  # fmt: skip
    """The contacts of ``rows`` from the draws: a local contact has an age rank drawn around
    one's own (never oneself; uniform in the district for the unranked), else anyone."""
    total = len(sorted_rows)
    for i in prange(len(rows)):
        r = rows[i]
        d = district[r]
        n_d = size[d]
        spread = max(1.0, homophily * n_d)
        for j in range(out.shape[1]):
            if rank[r] >= 0:
                k = np.int64(np.rint(offset[i, j] * spread))
                if k == 0:
                    k = 1
                k = (k + rank[r]) % max(n_d, 1)
            else:
                k = np.int64(uniform[i, j] * n_d)
            k = min(k + start[d], total - 1)
            if local[i, j] < locality and n_d > 1:
                out[i, j] = sorted_rows[k]
            else:
                out[i, j] = sorted_rows[np.int64(anywhere[i, j] * total)]


def update_contacts(
    contacts: np.ndarray,
    alive: np.ndarray,
    district: np.ndarray,
    age: np.ndarray,
    n_districts: int,
    turnover: float,
    locality: float,
    homophily: float,
    rng: np.random.Generator,
) -> int:
    """Redraw ties to the dead (or -1) and a share ``turnover`` of all ties, in place.

    Returns the number of ties redrawn.
    """
    n = len(alive)
    if n == 0:
        return 0
    bad = np.zeros(contacts.shape, dtype=bool)
    if turnover > 0:  # a binomial number of ties at random places (not one draw per tie)
        k = rng.binomial(bad.size, turnover)
        bad.reshape(-1)[rng.integers(0, bad.size, k)] = True
    _mark_dead_ties(contacts, alive, bad)
    flat = np.flatnonzero(bad)
    rows = flat // contacts.shape[1]
    slots = flat - rows * contacts.shape[1]
    if len(rows) == 0:
        return 0
    index = DistrictIndex(district, age, alive, n_districts)
    new = draw_contacts(rows, 1, district, index, locality, homophily, rng)[:, 0]
    contacts[rows, slots] = new
    return len(rows)


@parallel_kernel
def _mark_dead_ties(contacts, alive, bad):
    """Mark the ties of the living to the dead (or to -1); the dead's own ties are left."""
    for r in prange(contacts.shape[0]):
        if not alive[r]:
            for j in range(contacts.shape[1]):
                bad[r, j] = False
        else:
            for j in range(contacts.shape[1]):
                c = contacts[r, j]
                if c < 0 or not alive[c]:
                    bad[r, j] = True
