"""The contact network (ODD 7.3): how ties are drawn and renewed, in plain numpy.

Each of a citizen's ``k`` contact slots is local with probability ``contact_locality`` (if
the district has more than one living citizen), else a uniformly drawn living citizen
anywhere in the city.  A local contact is drawn near the citizen's own age rank among the
district's living citizens sorted by age: rank offset ``round(z x max(1,
contact_age_homophily x district size))``, ``z ~ N(0, 1)``, 0 replaced by 1, wrapping
around.  Once a year the living's ties to the dead or departed (or empty, -1), and each
other tie with probability ``contact_turnover``, are redrawn by the same rule.

Draws come from a keyed stream by the citizen's uid (:func:`kosi_sim.rng.uniforms`): a
citizen's counters start at ``uid x DRAWS``; a new tie for slot ``j`` uses the four
counters ``b .. b + 3`` (:func:`new_contacts`), ``b = 4 j`` for the initial ties and
``b = k + 4 j`` at the yearly renewal, whose counter ``j`` decides whether tie ``j`` turns
over.  ``z`` is the normal quantile of one uniform draw (Acklam's 2003 rational
approximation, relative error below 1.2e-9).

The compiled fast path, with the same keyword-only signatures, is
:mod:`kosi_sim.network.kernels` (tested equal, ``tests/test_rules_network.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..rng import DRAWS, uniforms

#: counters per new tie: whether local, the normal number, (unused), where
DRAWS_PER_TIE = 4
#: half a grid step of the float32 uniforms (2**-24): the normal quantile is taken at the
#: midpoint of the uniform's grid cell, never at 0 or 1
HALF_STEP = 2.0**-25

# Acklam's (2003) rational approximation of the standard normal quantile function: the
# central part (below P_LOW from either end: the tails, which need a logarithm)
ACKLAM_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
            -30.66479806614716, 2.506628277459239)  # fmt: skip
ACKLAM_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
            -13.28068155288572)  # fmt: skip
ACKLAM_C = (-7.784894002430293e-03, -0.3223964580411365, -2.400758277161838,
            -2.549732539343734, 4.374664141464968, 2.938163982698783)  # fmt: skip
ACKLAM_D = (7.784695709041462e-03, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
ACKLAM_P_LOW = 0.02425


@dataclass(frozen=True)
class DistrictIndex:
    """The living grouped by district and sorted by age within each district (stable: in
    row order among equal ages): ``sorted_rows``, per district ``size`` and ``start`` (its
    first place in ``sorted_rows``), and each row's ``rank`` in its district (-1: dead)."""

    sorted_rows: np.ndarray
    size: np.ndarray
    start: np.ndarray
    rank: np.ndarray


def district_index(*, district, age_m, alive, n_districts) -> DistrictIndex:
    """The :class:`DistrictIndex` of the living."""
    alive = alive.view(bool)
    living = np.flatnonzero(alive)
    d = district[living]
    sorted_rows = living[np.lexsort((age_m[living], d))].astype(np.int32)
    size = np.bincount(d, minlength=n_districts)[:n_districts].astype(np.int64)
    start = np.cumsum(size) - size
    rank = np.full(len(alive), -1, dtype=np.int64)
    rank[sorted_rows] = np.arange(len(sorted_rows)) - np.repeat(start, size)
    return DistrictIndex(sorted_rows, size, start, rank)


def _polynomial(coefficients, x):
    """``((c0 x + c1) x + c2) x + ...`` (Horner, in this order)."""
    out = coefficients[0] * x
    for c in coefficients[1:-1]:
        out = (out + c) * x
    return out + coefficients[-1]


def _tail(q):
    """Acklam's tail formula for ``q = sqrt(-2 log p)``."""
    num = _polynomial(ACKLAM_C, q)
    return num / ((((ACKLAM_D[0] * q + ACKLAM_D[1]) * q + ACKLAM_D[2]) * q + ACKLAM_D[3]) * q + 1.0)


def normal(u: np.ndarray) -> np.ndarray:
    """Standard normal numbers from uniforms ``u`` on [0, 1) (float32, on a grid of 2**-24):
    the normal quantile of each grid cell's midpoint."""
    p = u.astype(np.float64) + HALF_STEP
    low, high = p < ACKLAM_P_LOW, p > 1.0 - ACKLAM_P_LOW
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = _tail(np.sqrt(-2.0 * np.log(p)))
        upper = -_tail(np.sqrt(-2.0 * np.log(1.0 - p)))
    q = p - 0.5
    r = q * q
    num = _polynomial(ACKLAM_A, r) * q
    den = ((((ACKLAM_B[0] * r + ACKLAM_B[1]) * r + ACKLAM_B[2]) * r + ACKLAM_B[3]) * r
           + ACKLAM_B[4]) * r + 1.0  # fmt: skip
    return np.where(low, lower, np.where(high, upper, num / den))


def local_place(own_rank, n_d, z, u, spread) -> np.ndarray:
    """A local contact's place among the district's ``n_d`` citizens sorted by age: one's own
    rank plus ``round(z x spread)`` (never 0: not oneself), wrapping around; ``u x n_d`` for
    the unranked (own rank -1: not in the index)."""
    step = np.rint(z * spread).astype(np.int64)
    step[step == 0] = 1
    ranked = (step + own_rank) % np.maximum(n_d, 1)
    unranked = (u.astype(np.float64) * n_d).astype(np.int64)
    return np.where(own_rank >= 0, ranked, unranked)


def new_contacts(key, counter, own_rank, n_d, start_d, spread, sorted_rows, locality):
    """New contacts from the four draws ``counter .. counter + 3`` each (arrays of one
    entry per new tie): local (draw 0 below ``locality``, if the district has anyone else)
    at an age rank around one's own (draw 1, a normal number; uniform in the district by
    draw 3 for the unranked), else anyone in the city (draw 3)."""
    total = len(sorted_rows)
    u_where = uniforms(key, counter + 3)
    local = (uniforms(key, counter) < np.float32(locality)) & (n_d > 1)
    z = np.where(own_rank >= 0, normal(uniforms(key, counter + 1)), 0.0)
    place = local_place(own_rank, n_d, z, u_where, spread)
    local_row = np.minimum(place + start_d, total - 1)
    anywhere = np.minimum((u_where.astype(np.float64) * total).astype(np.int64), total - 1)
    return sorted_rows[np.where(local, local_row, anywhere)]


def _spread(index: DistrictIndex, d, homophily) -> np.ndarray:
    """The spread of local contacts' rank offsets: ``max(1, homophily x district size)``."""
    return np.maximum(1.0, homophily * index.size[d])


def place_contacts(*, key, rows, slots, uid, district, index, locality, homophily) -> np.ndarray:
    """``slots`` new contacts for each of ``rows`` (int32, one row per citizen): tie ``j``
    from the counters ``uid x DRAWS + 4 j + 0..3``."""
    if len(rows) == 0:
        return np.empty((0, slots), dtype=np.int32)
    rows = np.asarray(rows)
    d = district[rows][:, None]
    base = uid[rows].astype(np.int64)[:, None] * DRAWS
    counter = base + DRAWS_PER_TIE * np.arange(slots)[None, :]
    shape = counter.shape
    new = new_contacts(
        key,
        counter.ravel(),
        np.broadcast_to(index.rank[rows][:, None], shape).ravel(),
        np.broadcast_to(index.size[d], shape).ravel(),
        np.broadcast_to(index.start[d], shape).ravel(),
        np.broadcast_to(_spread(index, d, homophily), shape).ravel(),
        index.sorted_rows,
        locality,
    )
    return new.reshape(shape).astype(np.int32)


def renew_ties(
    *, key, contacts, uid, alive, district, index, turnover, locality, homophily, check_alive
) -> int:
    """The yearly renewal of the living's ties, in place: a tie is redrawn if it is empty
    (-1), if it points to the dead (``check_alive``; without it every other tie is known to
    point to the living), or with probability ``turnover`` (counter ``j``); its new contact
    from the counters ``k + 4 j + 0..3``.  The dead's own ties are left.  Returns how many
    ties were redrawn."""
    alive = alive.view(bool)
    k = contacts.shape[1]
    living = np.flatnonzero(alive)
    ties = contacts[living]
    base = uid[living].astype(np.int64)[:, None] * DRAWS
    redraw = ties < 0
    if check_alive:
        redraw |= ~alive[np.maximum(ties, 0)]
    if turnover > 0:
        turns = uniforms(key, base + np.arange(k)[None, :]) < np.float32(turnover)
        redraw |= turns
    r, j = np.nonzero(redraw)
    d = district[living[r]]
    ties[r, j] = new_contacts(
        key,
        base[r, 0] + k + DRAWS_PER_TIE * j,
        index.rank[living[r]],
        index.size[d],
        index.start[d],
        _spread(index, d, homophily),
        index.sorted_rows,
        locality,
    )
    contacts[living] = ties
    return len(r)


#: random rows a newcomer tries per contact to find one in her own district before a
#: slot takes a living citizen anywhere (rejection sampling; assumption)
LOCAL_TRIES_PER_CONTACT = 16


def newcomer_contacts(*, key, uid, rows, district, alive, tries, out) -> None:
    """Contacts of newcomers (immigrants): row ``i`` of ``out`` (``k`` slots) gets the
    first ``k`` of ``tries`` random rows that live in the district of ``rows[i]`` (the
    dead are parked outside every district); the remaining slots each the next random row
    of a living citizen anywhere (any row once the counters reach ``DRAWS``).  Random row
    ``j`` of a newcomer is ``min(floor(u n), n - 1)`` for draw ``u`` of the keyed stream
    ``key`` at counter ``uid x DRAWS + j``."""
    n, k = len(district), out.shape[1]
    living = alive.astype(bool)

    def random_rows(r, start, stop):
        u = uniforms(key, np.int64(uid[r]) * DRAWS + np.arange(start, stop))
        return np.minimum((u.astype(np.float64) * n).astype(np.int64), n - 1)

    for i, r in enumerate(rows):
        c = random_rows(r, 0, tries)
        local = c[district[c] == district[r]][:k]
        out[i, : len(local)] = local
        got, j = len(local), tries
        while got < k:  # a batch of draws at a time, accepted in order
            c = random_rows(r, j, j + 4 * k)
            ok = living[c] | (np.arange(j + 1, j + 4 * k + 1) >= DRAWS)
            take = c[ok][: k - got]
            out[i, got : got + len(take)] = take
            got, j = got + len(take), j + 4 * k
