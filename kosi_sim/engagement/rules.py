"""Engagement (ODD 7.4): the rules of citizens' engagement, in plain numpy.

Each function states one rule of ODD section 7.4 over arrays of citizens, in the words and
symbols of the ODD; parameters are passed by their declared names
(:mod:`kosi_sim.engagement.params`), every other number is a named constant below.  The
compiled kernels in :mod:`kosi_sim.engagement.kernels` are the fast path of the same rules,
with the same keyword-only signatures; ``tests/test_rules_engagement.py`` checks each
kernel against its rule here, bit for bit.  A model built with ``rules="numpy"`` (or the
environment variable ``KOSI_RULES=numpy``, :mod:`kosi_sim.ruleset`) runs on these.

Arithmetic is float32, in the order of the formula, as in the kernels: float parameters
are rounded to float32 once (as numpy does when a Python float meets a float32 array).
The exceptions are stated where they occur (the peers' mean hours and the burnout change
are summed in double precision).

Symbols (ODD 7.4): ``E`` civic engagement, ``m`` motivation, ``L`` life-stage factor,
``T`` trust, ``B`` burnout, ``x`` grant exposure, ``theta`` joining threshold, ``b`` time
budget, ``h`` weekly hours.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from ..population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER
from ..rng import uniforms

# -- named constants ---------------------------------------------------------------------
#: age group edges (years) of the life-stage factor and the time budget: groups under 14,
#: 14-29, 30-49, 50-64, 65-74, 75+
AGE_EDGES = np.array([14, 30, 50, 65, 75])
#: base time budget in hours per week by age group (assumption shaped on the FWS 2019
#: hours distribution; scaled by ``time_budget_scale``)
BASE_BUDGET = np.array([0.0, 4.5, 4.0, 4.5, 6.0, 3.5], dtype=np.float32)
#: employment rates by age group (assumption, order of German employment rates)
EMPLOYMENT = np.array([0.0, 0.45, 0.8, 0.65, 0.05, 0.0], dtype=np.float32)
WEEKS_PER_MONTH = 52.0 / 12.0
#: ages in completed months covered by the age tables (older ages read the last entry)
MAX_MONTHS = 112 * 12
#: age group by age in completed months (0: under 14, ..., 5: 75+)
GROUP_OF_MONTH = np.searchsorted(AGE_EDGES, np.arange(MAX_MONTHS) // 12, side="right").astype(
    np.int8
)
#: age (months) from which citizens can be willing: the life-stage factor is 0 below
ENGAGEMENT_AGE_MONTHS = 14 * 12
#: trust at which trust neither raises nor lowers willingness
TRUST_NEUTRAL = np.float32(0.5)
#: smallest time budget (hours/week) with which a reviewer can join
MIN_BUDGET_TO_JOIN = np.float32(0.5)
#: tolerance of the threshold comparison (thresholds are float32)
THRESHOLD_TOLERANCE = np.float32(1e-4)
#: hours a new joiner gives at first, at most her budget
FIRST_HOURS = 1.0
#: least weekly hours of the engaged (or their whole budget if smaller)
MIN_HOURS = np.float32(0.25)
#: free riders, when brought in, give this share of their own level
FREE_RIDER_EFFORT = np.float32(0.5)
#: load (hours over budget) above which burnout grows
OVERLOAD_FROM = np.float32(0.75)
#: age (months) from which the quitting hazard is doubled
OLD_AGE_M = 80 * 12
OLD_AGE_QUIT_FACTOR = np.float32(2)
#: an experience's change of motivation (good: +, bad: - trust_loss_ratio times) and a bad
#: experience's added burnout, per unit of strength (assumptions, ODD 7.4 Trust)
MOTIVATION_STEP = 0.02
BAD_EXPERIENCE_BURNOUT = 0.05


def _f32(*values: float) -> tuple[np.float32, ...]:
    return tuple(np.float32(v) for v in values)


# -- traits and life stage ---------------------------------------------------------------
def life_stage_factors(p) -> np.ndarray:
    """``L(g)`` by age group: 0 under 14, then the ``life_stage_*`` parameters."""
    return np.array(
        [
            0.0,
            p.life_stage_14_29,
            p.life_stage_30_49,
            p.life_stage_50_64,
            p.life_stage_65_74,
            p.life_stage_75plus,
        ],
        dtype=np.float32,
    )


def draw_traits(n: int, p, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Personal traits of new citizens (initial population, births, immigrants): motivation
    ``Beta(mu k, (1 - mu) k)``; threshold ``N(threshold_mean, threshold_sd)`` clipped to
    [0, 1]; cooperation type; trust disposition ``N(mu_T, trust_sd)`` clipped, with ``mu_T``
    such that a share ``initial_trust_share`` lies above 0.5; time factor
    ``exp(N(0, sd) - sd^2 / 2)``; an employment draw ``U(0, 1)``."""
    m, k = p.motivation_mean, p.motivation_concentration
    motivation = rng.beta(m * k, (1 - m) * k, n)
    threshold = np.clip(rng.normal(p.threshold_mean, p.threshold_sd, n), 0.0, 1.0)
    u = rng.random(n)
    coop = np.full(n, COOP_CONDITIONAL, dtype=np.int8)
    coop[u < p.share_free_riders] = COOP_FREE_RIDER
    coop[(u >= p.share_free_riders) & (u < p.share_free_riders + p.share_altruists)] = COOP_ALTRUIST
    share = min(max(p.initial_trust_share, 1e-6), 1 - 1e-6)
    mu = 0.5 + p.trust_sd * NormalDist().inv_cdf(share)
    anchor = np.clip(rng.normal(mu, p.trust_sd, n), 0.0, 1.0)
    time_factor = np.exp(rng.normal(0.0, p.time_budget_sd, n) - p.time_budget_sd**2 / 2)
    return {
        "motivation": motivation.astype(np.float32),
        "threshold": threshold.astype(np.float32),
        "coop": coop,
        "trust": anchor.astype(np.float32),
        "trust_anchor": anchor.astype(np.float32),
        "time_factor": time_factor.astype(np.float32),
        "employment_u": rng.random(n).astype(np.float32),
    }


def _by_age(table: np.ndarray, age_m: np.ndarray) -> np.ndarray:
    """``table`` (by age in completed months) at ``age_m``; older ages read the last entry."""
    return table[np.clip(age_m, 0, len(table) - 1)]


def life_stage(
    *,
    rows,
    age_m,
    employment_u,
    time_factor,
    budget_by_group,
    employment_time_factor,
    employed,
    time_budget,
) -> None:
    """Employment and time budget of ``rows`` (M5), written to ``employed`` and
    ``time_budget``: employed if the employment draw is below the age group's rate;
    ``b = budget_by_group(g) x (employment_time_factor if employed else 1) x time factor``,
    ``budget_by_group = time_budget_scale x BASE_BUDGET``."""
    g = _by_age(GROUP_OF_MONTH, age_m[rows])
    is_employed = employment_u[rows] < EMPLOYMENT[g]
    factor = np.where(is_employed, np.float32(employment_time_factor), np.float32(1))
    employed[rows] = is_employed
    time_budget[rows] = budget_by_group[g] * factor * time_factor[rows]


# -- the month ---------------------------------------------------------------------------
def willingness(
    *,
    age_m,
    motivation,
    trust,
    burnout,
    grant_exposure,
    alive,
    stage_factor_by_month,
    civic_engagement,
    trust_weight,
    crowding_in,
    crowding_out,
    burnout_weight,
    out=None,
) -> np.ndarray:
    """Willingness ``w = clip(E m L (1 + trust_weight (T - 0.5)) + G - burnout_weight B, 0, 1)``
    with the grant term ``G = x (crowding_in (1 - m) - crowding_out m)`` (M4); 0 for the
    dead and the under-14s.  Written to ``out`` if given."""
    e, tw, c_in, c_out, bw = _f32(
        civic_engagement, trust_weight, crowding_in, crowding_out, burnout_weight
    )
    m = motivation
    life_stage_factor = _by_age(stage_factor_by_month, age_m)
    w = m * e * life_stage_factor * ((trust - TRUST_NEUTRAL) * tw + np.float32(1))
    w += grant_exposure * (c_in * (np.float32(1) - m) - c_out * m)
    w -= burnout * bw
    w = np.clip(w, np.float32(0), np.float32(1))
    w = np.where(alive & (age_m >= ENGAGEMENT_AGE_MONTHS), w, np.float32(0))
    if out is None:
        return w
    out[...] = w
    return out


def meets_threshold(*, rows, engaged, alive, coop, threshold, contacts) -> np.ndarray:
    """Threshold rule (M1) for ``rows``: ``engaged contacts >= theta x living contacts``
    (less a tolerance of 1e-4); altruists have ``theta = 0`` (M10)."""
    ties = contacts[rows]
    n_engaged = engaged[ties].sum(axis=1)
    n_living = alive[ties].sum(axis=1)
    theta = np.where(coop[rows] == COOP_ALTRUIST, np.float32(0), threshold[rows])
    return n_engaged >= theta * n_living.astype(np.float32) - THRESHOLD_TOLERANCE


def joiners(
    *,
    review_key,
    uid,
    engaged,
    alive,
    willingness,
    coop,
    time_budget,
    threshold,
    contacts,
    review_rate,
    willing_cutoff,
) -> np.ndarray:
    """Rows of this month's joiners (M1): a reviewer (her draw of the keyed stream
    ``review_key`` below ``review_rate``) who is alive, not engaged, willing, not a free
    rider and has a budget of at least 0.5 h/week, and whose threshold is met.  The
    threshold is read on the state before anyone joins."""
    rate, cutoff = _f32(review_rate, willing_cutoff)
    engaged, alive = engaged.view(bool), alive.view(bool)
    can_join = (
        alive
        & ~engaged
        & (willingness >= cutoff)
        & (coop != COOP_FREE_RIDER)
        & (time_budget >= MIN_BUDGET_TO_JOIN)
    )
    cand = np.flatnonzero(can_join)
    reviewers = cand[uniforms(review_key, uid[cand]) < rate]
    met = meets_threshold(
        rows=reviewers,
        engaged=engaged,
        alive=alive,
        coop=coop,
        threshold=threshold,
        contacts=contacts,
    )
    return reviewers[met]


def peer_mean(hours, ties, fallback) -> np.ndarray:
    """Mean hours of the contacts ``ties`` (one row of contacts per citizen) who give any;
    ``fallback`` where none does.  Summed in double precision (exact for a few float32
    hours), rounded once to float32, then divided in float32."""
    peer_hours = hours[ties]
    n = (peer_hours > 0).sum(axis=1)
    total = peer_hours.astype(np.float64).sum(axis=1).astype(np.float32)
    mean = total / np.maximum(n, 1).astype(np.float32)
    return np.where(n > 0, mean, fallback)


def effort(
    *,
    rows,
    time_budget,
    motivation,
    coop,
    association,
    hours,
    contacts,
    civic_engagement,
    peer_discount,
    peer_weight,
) -> np.ndarray:
    """New weekly hours of the engaged ``rows`` (M2), read from everyone's old hours:
    ``h_own = b min(1, E m)``; conditional cooperators give
    ``(1 - peer_weight) h_own + peer_weight d h_peers`` with ``d = 1`` in a Verein and
    ``peer_discount`` outside; altruists give ``b``, free riders ``0.5 h_own``; clipped
    to ``[min(0.25, b), b]``."""
    e, disc, w_own, w_peer = _f32(civic_engagement, peer_discount, 1 - peer_weight, peer_weight)
    b = time_budget[rows]
    own = b * np.minimum(np.float32(1), e * motivation[rows])
    peers = peer_mean(hours, contacts[rows], own)
    d = np.where(association[rows] >= 0, np.float32(1), disc)
    conditional = w_own * own + w_peer * d * peers
    kind = coop[rows]
    h = np.where(
        kind == COOP_ALTRUIST,
        b,
        np.where(kind == COOP_CONDITIONAL, conditional, FREE_RIDER_EFFORT * own),
    )
    return np.clip(h, np.minimum(MIN_HOURS, b), b)


def burnout(
    *,
    burnout,
    grant_exposure,
    engaged,
    leads,
    initiative,
    hours,
    time_budget,
    has_say,
    grant_exposure_decay,
    burnout_recovery,
    burnout_load,
    burnout_strain,
    burnout_voice,
) -> None:
    """Burnout (M6), in place, for everyone:
    ``B += burnout_load max(0, h / b - 0.75) + burnout_strain [leads] - burnout_voice [say]
    - burnout_recovery B``, clipped to [0, 1], for the active (engaged, leaders, initiative
    members); the others only recover (``B -= burnout_recovery B``).  "Say": leading, or
    an initiative whose ``has_say`` entry is set (``has_say[-1]``, no initiative, is not).
    The change is summed in double precision and rounded once to float32.

    Grant exposure fades in the same rule: ``x *= 1 - grant_exposure_decay``."""
    grant_exposure *= np.float32(1.0 - grant_exposure_decay)
    rec, load_w = _f32(burnout_recovery, burnout_load)
    leads = leads.view(bool)
    old = burnout.copy()
    load = np.divide(hours, time_budget, out=np.zeros_like(hours), where=time_budget > 0)
    overload = np.maximum(np.float32(0), load - OVERLOAD_FROM)
    say = leads | has_say[initiative]
    change = (
        (load_w * overload).astype(np.float64)
        + float(burnout_strain) * leads
        - float(burnout_voice) * say
        - (rec * old).astype(np.float64)
    )
    new = np.clip(old + change.astype(np.float32), np.float32(0), np.float32(1))
    active = engaged.view(bool) | leads | (initiative >= 0)
    burnout[:] = np.where(active, new, old - rec * old)


def trust_drift(*, trust, trust_anchor, district, shift_by_district, trust_reversion) -> None:
    """Trust drifts towards the disposition shifted by the district's coverage change (M7),
    in place: ``T += trust_reversion (anchor + shift_d - T)``, clipped to [0, 1];
    ``shift_d = trust_coverage_weight (cov_d - cov0_d)`` (one entry per district and a last
    0 for the departed)."""
    rev = np.float32(trust_reversion)
    t = trust + (shift_by_district[district] + trust_anchor - trust) * rev
    trust[:] = np.clip(t, np.float32(0), np.float32(1))


def quit_probability(*, rows, burnout, age_m, quit_rate, quit_burnout) -> np.ndarray:
    """Monthly quitting probability of ``rows`` (M5, M6): ``quit_rate + quit_burnout B^2``,
    doubled from age 80."""
    rate, per_burnout = _f32(quit_rate, quit_burnout)
    b = burnout[rows]
    hazard = rate + per_burnout * (b * b)
    return np.where(age_m[rows] >= OLD_AGE_M, hazard * OLD_AGE_QUIT_FACTOR, hazard)


def quitters(*, rows, quit_key, uid, burnout, age_m, quit_rate, quit_burnout) -> np.ndarray:
    """Those of the engaged ``rows`` whose draw of the keyed stream ``quit_key`` is below
    their quitting probability."""
    hazard = quit_probability(
        rows=rows, burnout=burnout, age_m=age_m, quit_rate=quit_rate, quit_burnout=quit_burnout
    )
    return rows[uniforms(quit_key, uid[rows]) < hazard]
