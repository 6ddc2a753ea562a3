"""Initiatives (ODD 7.8): the compiled fast path of :mod:`kosi_sim.agents.initiatives.rules`.

Each public function is called exactly as the rule of the same name (keyword-only, with
the rule's signature: :func:`kosi_sim.ruleset.fast_path_of`) and gives the same results
(``tests/test_rules_initiatives.py`` checks them bit for bit); each calls one numba kernel
(:mod:`kosi_sim.jit`) below.
"""

from __future__ import annotations

import numpy as np

from ...jit import as_bytes, helper, kernel, parallel_kernel, prange
from ...population import COOP_ALTRUIST, COOP_FREE_RIDER
from ...ruleset import fast_path_of
from ...volunteering import ENGAGEMENT_AGE_MONTHS, MIN_VOLUNTEER_HOURS
from . import rules


@fast_path_of(rules.free_engaged)
def free_engaged(a) -> np.ndarray:
    return _free_engaged(a.engaged, a.leads, a.initiative)


@fast_path_of(rules.members_per_initiative)
def members_per_initiative(a) -> np.ndarray:
    return _members_per_initiative(a.rows, a.initiative, a.n)


@fast_path_of(rules.pick_leaders)
def pick_leaders(a) -> np.ndarray:
    return _pick_leaders(a.holders, a.can_lead, a.coop, a.contacts)


@fast_path_of(rules.first_leaders)
def first_leaders(a) -> np.ndarray:
    return _first_leaders(
        np.asarray(a.holders, dtype=np.int64), as_bytes(a.can_lead), a.coop, a.contacts
    )


@fast_path_of(rules.able_contacts)
def able_contacts(a) -> np.ndarray:
    return _able_contacts(np.asarray(a.leaders, dtype=np.int64), as_bytes(a.could), a.contacts)


@fast_path_of(rules.can_lead)
def can_lead(a) -> np.ndarray:
    everyone = a.rows is None
    rows = np.empty(0, np.int64) if everyone else np.asarray(a.rows, dtype=np.int64)
    out = np.empty(len(a.alive) if everyone else len(rows), dtype=np.uint8)
    _can_lead(
        everyone, rows, as_bytes(a.alive), as_bytes(a.leads), a.initiative, a.coop,
        a.time_budget, a.hours, a.age_m, as_bytes(a.trained), a.district, a.leader_spare,
        float(a.spare_hours), out,
    )  # fmt: skip
    return out.view(np.bool_)


@fast_path_of(rules.recruits)
def recruits(a) -> tuple[np.ndarray, np.ndarray]:
    return _recruits(
        a.contacts,
        np.asarray(a.need, dtype=np.int64),
        a.draws,
        float(a.rate),
        # numpy compares a float32 array with a Python float in float32
        np.float32(a.willing_cutoff),
        a.willingness,
        as_bytes(a.engaged),
        a.coop,
        a.time_budget,
        a.hours,
        as_bytes(a.alive),
        a.age_m,
        a.initiative,
    )


@fast_path_of(rules.burnout_per_initiative)
def burnout_per_initiative(a) -> np.ndarray:
    return _burnout_per_initiative(a.rows, a.initiative, a.burnout, a.n)


@fast_path_of(rules.members_of)
def members_of(a) -> np.ndarray:
    return _members_of(a.rows, a.initiative, a.mark)


# -- the kernels --------------------------------------------------------------------------
@helper
def _leader_ok(r, alive, leads, initiative, coop, budget, hours, age_m, trained, district, lever,
               spare_hours):  # fmt: skip
    """The rule for row ``r``: the need in double precision (the trained's factor exact),
    the spare time in single precision compared in double (as numpy compares a float32
    with a float64 array)."""
    factor = 1.0 - (1.0 - rules.TRAINED_SPARE_FACTOR) * trained[r]
    need = spare_hours * lever[min(district[r], len(lever) - 1)] * factor
    return (
        (alive[r] != 0)
        & (leads[r] == 0)
        & (initiative[r] < 0)
        & (coop[r] != COOP_FREE_RIDER)
        & (np.float64(budget[r] - hours[r]) >= need)
        & (age_m[r] >= rules.LEADER_AGE_MONTHS)
    )


@kernel
def _can_lead(
    everyone, rows, alive, leads, initiative, coop, budget, hours, age_m, trained, district,
    lever, spare_hours, out,
):  # fmt: skip
    if everyone:  # two loops: one without the indirection
        for r in range(len(out)):
            out[r] = _leader_ok(
                r, alive, leads, initiative, coop, budget, hours, age_m, trained, district,
                lever, spare_hours,
            )  # fmt: skip
    else:
        for i in range(len(out)):
            out[i] = _leader_ok(
                rows[i], alive, leads, initiative, coop, budget, hours, age_m, trained,
                district, lever, spare_hours,
            )  # fmt: skip


@kernel
def _recruits(
    contacts, need, draws, rate, cutoff, willingness, engaged, coop, budget, hours, alive,
    age_m, initiative,
):  # fmt: skip
    """The accepted contacts in row-major order, then the first acceptance of each
    citizen, by citizen (a stable sort of the few accepted)."""
    n, k = contacts.shape
    cit = np.empty(n * k, dtype=np.int64)
    who = np.empty(n * k, dtype=np.int64)
    m = 0
    for i in range(n):
        if need[i] <= 0:
            continue
        for j in range(k):
            c = contacts[i, j]
            if not draws[i, j] < rate:
                continue
            asked = engaged[c] | (willingness[c] >= cutoff)
            ok = (
                asked
                & (coop[c] != COOP_FREE_RIDER)
                & alive[c]
                & (age_m[c] >= ENGAGEMENT_AGE_MONTHS)
                & (initiative[c] < 0)
                & (budget[c] - hours[c] >= MIN_VOLUNTEER_HOURS)
            )
            if ok:
                cit[m] = c
                who[m] = i
                m += 1
    order = np.argsort(cit[:m], kind="mergesort")
    out_c = np.empty(m, dtype=np.int64)
    out_w = np.empty(m, dtype=np.int64)
    u = 0
    for t in range(m):
        c = cit[order[t]]
        if u == 0 or out_c[u - 1] != c:
            out_c[u] = c
            out_w[u] = who[order[t]]
            u += 1
    return out_c[:u], out_w[:u]


@kernel
def _members_per_initiative(rows, initiative, n):
    """Members of each of ``n`` initiatives among ``rows`` (initiative -1: none)."""
    out = np.zeros(n, dtype=np.int64)
    for r in rows:
        i = initiative[r]
        if i >= 0:
            out[i] += 1
    return out


@kernel
def _members_of(rows, initiative, mark):
    """The rows among ``rows`` (ascending) whose initiative is marked."""
    out = np.empty(len(rows), dtype=np.int64)
    k = 0
    for r in rows:
        i = initiative[r]
        if i >= 0 and mark[i]:
            out[k] = r
            k += 1
    return out[:k].copy()


@kernel
def _burnout_per_initiative(rows, initiative, burnout, n):
    """Summed burnout of each initiative's members among ``rows`` (double precision, row
    order)."""
    out = np.zeros(n)
    for r in rows:
        i = initiative[r]
        if i >= 0:
            out[i] += np.float64(burnout[r])
    return out


@parallel_kernel
def _free_engaged(engaged, leads, initiative):
    """Whether each citizen is engaged and neither leads nor belongs to an initiative
    (uint8 marks; ``engaged`` and ``leads`` come as uint8)."""
    free = np.empty(len(engaged), dtype=np.uint8)
    for r in prange(len(engaged)):
        free[r] = engaged[r] & (np.uint8(1) - leads[r]) & np.uint8(initiative[r] < 0)
    return free


@kernel
def _pick_leaders(holders, can_lead, coop, contacts):
    """The leader of each idea, in turn (-1: none): its holder (row, -1 if gone) if she
    can lead and is not taken yet, else the first altruist contact who can (M10)."""
    taken = np.zeros(len(can_lead), dtype=np.bool_)
    out = np.full(len(holders), -1, dtype=np.int64)
    for j in range(len(holders)):
        h = holders[j]
        if h < 0:
            continue
        leader = -1
        if can_lead[h] and not taken[h]:
            leader = h
        else:
            for c in contacts[h]:
                if can_lead[c] and not taken[c] and coop[c] == COOP_ALTRUIST:
                    leader = c
                    break
        if leader >= 0:
            taken[leader] = True
            out[j] = leader
    return out


@kernel
def _first_leaders(holders, can_lead, coop, contacts):
    """Each holder's leader on its own: herself if she can lead, else her first contact who
    can and is an altruist, else -1.  A row -1 (an empty contact slot) is read as the last
    row, as numpy reads it, and yields -1 if that row qualifies."""
    n = len(can_lead)
    out = np.empty(len(holders), dtype=np.int64)
    for i in range(len(holders)):
        h = holders[i]
        hr = h if h >= 0 else h + n
        if can_lead[hr]:
            out[i] = h
            continue
        out[i] = -1
        for j in range(contacts.shape[1]):
            c = contacts[hr, j]
            r = c if c >= 0 else c + n
            if can_lead[r] and coop[r] == COOP_ALTRUIST:
                out[i] = c
                break
    return out


@kernel
def _able_contacts(leaders, could, contacts):
    """For each leader (-1: row 0's contacts), her contacts other than herself who could
    volunteer (an empty slot, -1, read as the last row, as numpy reads it)."""
    n = len(could)
    out = np.zeros(len(leaders), dtype=np.int64)
    for i in range(len(leaders)):
        lead = leaders[i]
        h = lead if lead >= 0 else 0
        k = 0
        for j in range(contacts.shape[1]):
            c = contacts[h, j]
            r = c if c >= 0 else c + n
            k += (could[r] != 0) & (c != lead)
        out[i] = k
    return out
