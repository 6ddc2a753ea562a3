"""Engagement (ODD 7.4): the compiled fast path of :mod:`kosi_sim.engagement.rules`.

The public functions here are called exactly as the rules of the same name (keyword-only,
with the rules' signatures: :func:`kosi_sim.ruleset.fast_path_of`) and give the same
results (``tests/test_rules_engagement.py`` checks them bit for bit).  Each calls one numba
kernel (:mod:`kosi_sim.jit`) that repeats its rule's float32 arithmetic in the same order,
with the speed tricks kept here: loops over citizens on all cores, branch-free marks,
unrolled sums, prefetch hints.  Parameters arrive as float32 (numpy casts a Python float
to an array's float32 the same way) and the named constants are the rules' own.
"""

from __future__ import annotations

import numpy as np

from ..jit import AHEAD, as_bytes, helper, kernel, parallel_kernel, prange, prefetch
from ..population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER
from ..rng import uniform
from ..ruleset import fast_path_of
from ..select import nonzero
from . import rules
from .rules import (
    EMPLOYMENT,
    ENGAGEMENT_AGE_MONTHS,
    FREE_RIDER_EFFORT,
    GROUP_OF_MONTH,
    MIN_BUDGET_TO_JOIN,
    MIN_HOURS,
    OLD_AGE_M,
    OLD_AGE_QUIT_FACTOR,
    OVERLOAD_FROM,
    THRESHOLD_TOLERANCE,
    TRUST_NEUTRAL,
    _f32,
)


# -- the rules, on the kernels (each called as its rule; ``a`` holds the arguments) --------
@fast_path_of(rules.life_stage)
def life_stage(a) -> None:
    _life_stage(
        np.asarray(a.rows, dtype=np.int64), a.age_m, a.employment_u, a.time_factor,
        GROUP_OF_MONTH, EMPLOYMENT, a.budget_by_group, np.float32(a.employment_time_factor),
        a.employed, a.time_budget,
    )  # fmt: skip


@fast_path_of(rules.willingness)
def willingness(a) -> np.ndarray:
    out = np.empty(len(a.age_m), dtype=np.float32) if a.out is None else a.out
    _willingness(
        a.age_m, a.motivation, a.trust, a.burnout, a.grant_exposure, a.alive,
        a.stage_factor_by_month,
        *_f32(a.civic_engagement, a.trust_weight, a.crowding_in, a.crowding_out),
        np.float32(a.burnout_weight), out,
    )  # fmt: skip
    return out


@fast_path_of(rules.meets_threshold)
def meets_threshold(a) -> np.ndarray:
    return _meets_threshold(
        np.asarray(a.rows, dtype=np.int64), as_bytes(a.engaged), as_bytes(a.alive), a.coop,
        a.threshold, a.contacts,
    )  # fmt: skip


@fast_path_of(rules.joiners)
def joiners(a) -> np.ndarray:
    return _joiners(
        a.review_key, a.uid, a.engaged, a.alive, a.willingness, a.coop, a.time_budget,
        a.threshold, a.contacts, *_f32(a.review_rate, a.willing_cutoff),
    )  # fmt: skip


@fast_path_of(rules.effort)
def effort(a) -> np.ndarray:
    return _effort(
        a.rows, a.time_budget, a.motivation, a.coop, a.association, a.hours, a.contacts,
        *_f32(a.civic_engagement, a.peer_discount, 1 - a.peer_weight, a.peer_weight),
    )  # fmt: skip


@fast_path_of(rules.burnout)
def burnout(a) -> None:
    _burnout(
        a.grant_exposure, np.float32(1.0 - a.grant_exposure_decay), a.burnout, a.engaged,
        a.leads, a.initiative, a.hours, a.time_budget, a.has_say,
        np.float32(a.burnout_recovery), np.float32(a.burnout_load), float(a.burnout_strain),
        float(a.burnout_voice),
    )  # fmt: skip


@fast_path_of(rules.trust_drift)
def trust_drift(a) -> None:
    _trust_drift(
        a.trust, a.trust_anchor, a.district, a.shift_by_district, np.float32(a.trust_reversion)
    )


@fast_path_of(rules.quitters)
def quitters(a) -> np.ndarray:
    return _quitters(
        a.rows, a.quit_key, a.uid, a.burnout, a.age_m, *_f32(a.quit_rate, a.quit_burnout)
    )


# -- compiled kernels (see kosi_sim/jit.py) ---------------------------------------------
@parallel_kernel
def _life_stage(rows, age_m, employment_u, time_factor, group, rate, budget, factor, employed, out):
    """Employment and time budget of ``rows`` (float32, in the order budget x factor x
    personal factor)."""
    last = len(group) - 1
    for i in prange(len(rows)):
        r = rows[i]
        g = group[min(max(age_m[r], 0), last)]
        e = employment_u[r] < rate[g]
        employed[r] = e
        f = factor if e else np.float32(1)
        out[r] = budget[g] * f * time_factor[r]


@parallel_kernel
def _willingness(age_m, m, trust, burnout, exposure, alive, stage, e, tw, c_in, c_out, bw, out):
    last = len(stage) - 1
    for i in prange(len(out)):
        a = age_m[i]
        w = m[i] * e
        w *= stage[min(max(a, 0), last)]
        w *= (trust[i] - TRUST_NEUTRAL) * tw + np.float32(1)
        g = exposure[i]
        if g != 0:
            mi = m[i]
            w += g * (c_in * (np.float32(1) - mi) - c_out * mi)
        w -= burnout[i] * bw
        w = min(max(w, np.float32(0)), np.float32(1))
        out[i] = w if alive[i] and a >= ENGAGEMENT_AGE_MONTHS else np.float32(0)


@helper
def _contact_state(engaged, alive, contacts, r):
    """Engaged and living contacts of row ``r`` (branch-free)."""
    n_eng = 0
    n_alive = 0
    for j in range(contacts.shape[1]):
        c = contacts[r, j]
        n_eng += engaged[c]
        n_alive += alive[c]
    return n_eng, n_alive


@helper
def _meets(r, engaged, alive, coop, threshold, contacts):
    n_eng, n_alive = _contact_state(engaged, alive, contacts, r)
    thr = np.float32(0) if coop[r] == COOP_ALTRUIST else threshold[r]
    return n_eng >= thr * np.float32(n_alive) - THRESHOLD_TOLERANCE


@kernel
def _meets_threshold(rows, engaged, alive, coop, threshold, contacts):
    out = np.empty(len(rows), dtype=np.bool_)
    for i in range(len(rows)):
        out[i] = _meets(rows[i], engaged, alive, coop, threshold, contacts)
    return out


@parallel_kernel
def _joiners(
    key, uid, engaged, alive, willingness, coop, budget, threshold, contacts, rate, cutoff
):
    """Rows of those who review (a draw below ``rate``; drawn only for the eligible: alive,
    not engaged, willing, no free rider, with time) and whose threshold is met.

    Two passes: the eligible (a few percent of the citizens) are marked without branches,
    then only they draw and look at their contacts; ``engaged`` comes as uint8."""
    eligible = np.empty(len(uid), dtype=np.uint8)
    for r in prange(len(uid)):
        eligible[r] = (
            alive[r]
            & (np.uint8(1) - engaged[r])
            & np.uint8(willingness[r] >= cutoff)
            & np.uint8(coop[r] != COOP_FREE_RIDER)
            & np.uint8(budget[r] >= MIN_BUDGET_TO_JOIN)
        )
    cand = nonzero(eligible)
    join = np.zeros(len(cand), dtype=np.uint8)
    for i in prange(len(cand)):  # reads the state before anyone joins
        r = cand[i]
        if uniform(key, uid[r]) < rate:
            join[i] = _meets(r, engaged, alive, coop, threshold, contacts)
    return cand[nonzero(join)]


@helper
def _peer_mean(hours, contacts, r, fallback):
    """Mean hours of the engaged contacts of row ``r``.  Summed in double precision, where
    the sum of a few float32 hours is exact in any order, then rounded once; so four
    running sums (contacts ``j``, ``j + 4``, ...) give the same bits as one and do not
    wait for each other."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    n = 0
    k = contacts.shape[1]
    j = 0
    while j + 4 <= k:
        h0 = hours[contacts[r, j]]
        h1 = hours[contacts[r, j + 1]]
        h2 = hours[contacts[r, j + 2]]
        h3 = hours[contacts[r, j + 3]]
        s0 += np.float64(h0)
        s1 += np.float64(h1)
        s2 += np.float64(h2)
        s3 += np.float64(h3)
        n += (h0 > 0) + (h1 > 0) + (h2 > 0) + (h3 > 0)  # branch-free: a random third
        j += 4
    while j < k:
        h = hours[contacts[r, j]]
        s0 += np.float64(h)
        n += h > 0
        j += 1
    s = (s0 + s1) + (s2 + s3)
    return np.float32(s) / np.float32(n) if n > 0 else fallback


@parallel_kernel
def _effort(eng, budget, motivation, coop, association, hours, contacts, e, disc, w_own, w_peer):
    out = np.empty(len(eng), dtype=np.float32)
    last = len(eng) - 1
    for i in prange(len(eng)):  # reads the old hours, writes ``out``
        ahead = eng[min(i + AHEAD, last)]  # prefetch that row's contacts' hours
        for j in range(contacts.shape[1]):
            prefetch(hours, contacts[ahead, j])
        r = eng[i]
        b = budget[r]
        own = b * min(np.float32(1), e * motivation[r])
        if coop[r] == COOP_ALTRUIST:
            h = b
        elif coop[r] == COOP_CONDITIONAL:
            peers = _peer_mean(hours, contacts, r, own)
            d = np.float32(1) if association[r] >= 0 else disc
            h = w_own * own + w_peer * d * peers
        else:  # free riders
            h = FREE_RIDER_EFFORT * own
        out[i] = min(max(h, min(MIN_HOURS, b)), b)
    return out


@parallel_kernel
def _burnout(
    exposure, keep, b, engaged, leads, initiative, hours, budget, has_say, rec, load_w, strain,
    voice,
):  # fmt: skip
    """Everyone's new burnout, both rules computed for every row and one kept (no branch
    on who is active: that branch, on a random third of the rows, would be mostly
    mispredicted, and without it the loop compiles to vector instructions)."""
    for r in prange(len(b)):
        exposure[r] *= keep  # grant exposure fades (float32, as the numpy ``*=``)
        old = b[r]
        bud = budget[r]
        ini = initiative[r]
        lead = leads[r]
        load = hours[r] / bud if bud > 0 else np.float32(0)
        overload = max(np.float32(0), load - OVERLOAD_FROM)
        say = lead | has_say[ini]  # -1 (none) reads the last entry
        change = np.float64(load_w * overload) + strain * lead - voice * say - np.float64(rec * old)
        new = min(max(old + np.float32(change), np.float32(0)), np.float32(1))
        active = engaged[r] | lead | (ini >= 0)  # the engaged, leaders, initiative members
        b[r] = new if active else old - rec * old


@parallel_kernel
def _trust_drift(trust, anchor, district, shift, reversion):
    for r in prange(len(trust)):
        t = trust[r]
        t += (shift[district[r]] + anchor[r] - t) * reversion  # towards the shifted anchor
        trust[r] = min(max(t, np.float32(0)), np.float32(1))


@parallel_kernel
def _quitters(eng, key, uid, burnout, age_m, rate, per_burnout):
    leave = np.zeros(len(eng), dtype=np.bool_)
    for i in prange(len(eng)):
        r = eng[i]
        bb = burnout[r]
        hazard = rate + per_burnout * (bb * bb)
        if age_m[r] >= OLD_AGE_M:
            hazard *= OLD_AGE_QUIT_FACTOR
        leave[i] = uniform(key, uid[r]) < hazard
    return eng[nonzero(leave)]
