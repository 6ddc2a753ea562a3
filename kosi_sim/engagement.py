"""Citizens' engagement: time budgets, willingness, threshold joining, effort, burnout, quitting.

All rules are whole-array operations over the population (no loop over citizens).

* Time budget (M5, Freiwilligensurvey): hours per week a citizen could volunteer, by life
  stage, reduced by employment, times a personal factor (log-normal).
* Willingness: ``w = clip(E * m * L(age) * (1 + a_T (T - 0.5)) + G - a_B B, 0, 1)`` with civic
  engagement ``E``, intrinsic motivation ``m``, life-stage factor ``L``, trust ``T``,
  burnout ``B`` and the grant term ``G = g (c_in (1 - m) - c_out m)`` (M4 crowding in and
  out, ``g`` = exposure to paid incentives).  Willing means ``w >= willing_cutoff``.
* Joining (M1, Granovetter): each month a share ``review_rate`` of citizens reconsider.
  A willing, inactive reviewer with time joins when the engaged among her living contacts
  reach her threshold: ``engaged_contacts >= threshold * living_contacts``.  Altruists have
  threshold 0 (M10); free riders never join on their own (M2).
* Effort (M2, imperfect conditional cooperation): conditional cooperators give
  ``(1 - w_p) h_own + w_p * d * h_peers`` where ``h_peers`` is the mean effort of their engaged
  contacts and ``d < 1`` (they give a bit less than others); inside an association peer
  norms act as sanctions and ``d = 1``.  Altruists give their whole budget; free riders
  (when brought in) give half their own level.
* Burnout (M6): ``B += load * max(0, hours/budget - 0.75) + strain * leads - voice * say
  - recovery * B``.
* Quitting (M5, M6): monthly hazard ``q0 + q_B B^2``, higher at 80+.
"""

from __future__ import annotations

import numpy as np

from .parameters import Param, Params, Section
from .population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER, Population

SECTION = Section(
    "engagement",
    "Civic engagement of citizens",
    [
        Param(
            "motivation_mean",
            0.5,
            "0..1",
            "Mean intrinsic motivation (Beta distributed)",
            "assumption",
            (0.05, 0.95),
        ),
        Param(
            "motivation_concentration",
            4.0,
            "",
            "Concentration of the motivation Beta",
            "assumption",
            (0.5, 50.0),
        ),
        Param(
            "threshold_mean",
            0.2,
            "share of contacts",
            "Mean joining threshold (M1)",
            "assumption after Granovetter 1978",
            (0.0, 1.0),
        ),
        Param(
            "threshold_sd",
            0.12,
            "share of contacts",
            "Spread of joining thresholds",
            "assumption",
            (0.0, 0.5),
        ),
        Param(
            "share_free_riders",
            0.30,
            "share",
            "Free riders among citizens (M2)",
            "Fischbacher, Gächter & Fehr 2001 (about 30%)",
            (0.0, 0.9),
        ),
        Param(
            "share_altruists",
            0.06,
            "share",
            "Unconditional contributors (M2, M10)",
            "assumption: the residual of the types in Fischbacher, Gächter & Fehr 2001",
            (0.0, 0.5),
        ),
        Param(
            "willing_cutoff",
            0.389,
            "0..1",
            "Willingness at which a citizen counts as willing",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 1.0),
        ),
        Param(
            "trust_weight", 0.6, "", "Effect of trust on willingness (M7)", "assumption", (0.0, 3.0)
        ),
        Param(
            "burnout_weight",
            0.6,
            "",
            "Effect of burnout on willingness (M6)",
            "assumption",
            (0.0, 3.0),
        ),
        Param(
            "life_stage_14_29",
            1.0,
            "factor",
            "Willingness factor, ages 14-29 (M5)",
            "assumption shaped on FWS 2014 age profile",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_30_49",
            1.1,
            "factor",
            "Willingness factor, ages 30-49 (M5)",
            "assumption shaped on FWS 2019 (30-49 highest, 44.7%)",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_50_64",
            1.0,
            "factor",
            "Willingness factor, ages 50-64 (M5)",
            "assumption shaped on FWS 2014 age profile",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_65_74",
            0.9,
            "factor",
            "Willingness factor, ages 65-74 (M5)",
            "assumption shaped on FWS 2014 age profile",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_75plus",
            0.6,
            "factor",
            "Willingness factor, ages 75+ (M5)",
            "assumption shaped on FWS 2014 (75+: 26.1% vs 41.5% at 65-74)",
            (0.0, 2.0),
        ),
        Param(
            "initial_engaged_given_willing",
            0.7,
            "share",
            "Share of willing (non-free-rider) citizens engaged at the start",
            "calibrated: 36.3% engaged in NRW cities (IT.NRW evaluation of FWS 2019)",
            (0.0, 1.0),
        ),
        Param(
            "review_rate",
            0.265,
            "1/month",
            "Share of citizens reconsidering engagement",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 1.0),
        ),
        Param(
            "quit_rate",
            0.0041,
            "1/month",
            "Base hazard of ending one's engagement",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 0.2),
        ),
        Param(
            "quit_burnout",
            0.15,
            "1/month",
            "Extra quitting hazard at full burnout (M6)",
            "assumption after Allen & Mueller 2013",
            (0.0, 1.0),
        ),
        Param(
            "time_budget_scale",
            1.485,
            "factor",
            "Scales everyone's time budget",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.1, 5.0),
        ),
        Param(
            "time_budget_sd",
            1.224,
            "log units",
            "Personal spread of the time budget",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 2.0),
        ),
        Param(
            "employment_time_factor",
            0.7,
            "factor",
            "Time budget of the employed vs others",
            "assumption: time and job pressure drive exit (FWS)",
            (0.1, 1.0),
        ),
        Param(
            "peer_weight",
            0.14,
            "share",
            "Weight of peers' effort for conditional cooperators",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 1.0),
        ),
        Param(
            "peer_discount",
            0.9,
            "factor",
            "Conditional cooperators give this share of peers'",
            "Fischbacher & Gächter 2010 (contributions slightly below beliefs)",
            (0.0, 1.0),
        ),
        Param(
            "burnout_load",
            0.08,
            "1/month",
            "Burnout growth per unit of overload (M6)",
            "assumption after Allen & Mueller 2013",
            (0.0, 1.0),
        ),
        Param(
            "burnout_strain",
            0.02,
            "1/month",
            "Burnout growth from leading (role strain)",
            "assumption",
            (0.0, 0.5),
        ),
        Param(
            "burnout_voice",
            0.02,
            "1/month",
            "Burnout relief from having a say (M6)",
            "assumption after Allen & Mueller 2013",
            (0.0, 0.5),
        ),
        Param(
            "burnout_recovery",
            0.05,
            "1/month",
            "Share of burnout that fades each month",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "crowding_in",
            0.3,
            "",
            "Willingness gain of low-motivation citizens from grants",
            "assumption after Frey & Jegen 2001; Fiorillo 2009",
            (0.0, 2.0),
        ),
        Param(
            "crowding_out",
            0.15,
            "",
            "Willingness loss of motivated citizens from grants felt as control",
            "assumption after Frey & Jegen 2001; Kitts 2006",
            (0.0, 2.0),
        ),
        Param(
            "grant_exposure_decay",
            0.1,
            "1/month",
            "Monthly fading of grant exposure",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "initial_trust_share",
            0.452,
            "share",
            "Share trusting the city administration",
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: calibration.py)",
            (0.0, 1.0),
        ),
        Param("trust_sd", 0.18, "0..1", "Spread of trust dispositions", "assumption", (0.01, 0.5)),
        Param(
            "trust_gain",
            0.04,
            "0..1",
            "Trust gained from a good experience (M7)",
            "assumption",
            (0.0, 0.5),
        ),
        Param(
            "trust_loss_ratio",
            2.5,
            "factor",
            "Bad experiences weigh this much more (M7)",
            "assumption after Slovic 1993 (asymmetry principle)",
            (1.0, 10.0),
        ),
        Param(
            "trust_reversion",
            0.02,
            "1/month",
            "Pull of trust back to one's disposition",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "trust_coverage_weight",
            0.3,
            "",
            "Shift of trust per unit change of service coverage since the start",
            "assumption",
            (0.0, 2.0),
        ),
        Param(
            "association_join_share",
            0.5,
            "share",
            "Joiners who join a Verein (vs informal)",
            "assumption: about half of engagement happens in Vereine (FWS)",
            (0.0, 1.0),
        ),
    ],
)

# age group edges (years) for the life-stage factor and the time budget
AGE_EDGES = np.array([14, 30, 50, 65, 75])
# base time budget in hours per week by life stage: <14, 14-29, 30-49, 50-64, 65-74, 75+
# (assumption shaped on the FWS 2019 hours distribution; scaled by time_budget_scale)
BASE_BUDGET = np.array([0.0, 4.5, 4.0, 4.5, 6.0, 3.5], dtype=np.float32)
# employment rates by the same groups (assumption, order of German employment rates)
EMPLOYMENT = np.array([0.0, 0.45, 0.8, 0.65, 0.05, 0.0], dtype=np.float32)
WEEKS_PER_MONTH = 52.0 / 12.0


_MAX_MONTHS = 112 * 12
_GROUP_OF_MONTH = np.searchsorted(AGE_EDGES, np.arange(_MAX_MONTHS) // 12, side="right").astype(
    np.int8
)


def age_group(age_m: np.ndarray) -> np.ndarray:
    """0: under 14; 1: 14-29; 2: 30-49; 3: 50-64; 4: 65-74; 5: 75+ (a lookup by month)."""
    return by_age_month(_GROUP_OF_MONTH, age_m)


def by_age_month(table: np.ndarray, age_m: np.ndarray) -> np.ndarray:
    """``table[age_m]`` for a table by age in months (the oldest ages share the last entry).

    ``np.take`` with the small integer ages is several times faster than fancy indexing,
    which first converts the index array to 64-bit integers.
    """
    return np.take(table, age_m, mode="clip")


def life_stage_factors(p: Params) -> np.ndarray:
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


def draw_traits(n: int, p: Params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Personal traits of new citizens (initial population, births, immigrants)."""
    m, k = p.motivation_mean, p.motivation_concentration
    motivation = rng.beta(m * k, (1 - m) * k, n)
    threshold = np.clip(rng.normal(p.threshold_mean, p.threshold_sd, n), 0.0, 1.0)
    u = rng.random(n)
    coop = np.full(n, COOP_CONDITIONAL, dtype=np.int8)
    coop[u < p.share_free_riders] = COOP_FREE_RIDER
    coop[(u >= p.share_free_riders) & (u < p.share_free_riders + p.share_altruists)] = COOP_ALTRUIST
    # trust disposition: normal with the mean that gives the declared trusting share
    from statistics import NormalDist

    mu = 0.5 + p.trust_sd * NormalDist().inv_cdf(min(max(p.initial_trust_share, 1e-6), 1 - 1e-6))
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


class Engagement:
    """The monthly engagement rules over the whole population."""

    def __init__(self, p: Params) -> None:
        self.p = p
        self.stage_factor = life_stage_factors(p)
        self.stage_by_month = self.stage_factor[_GROUP_OF_MONTH]  # the factor by age in months
        self.budget = BASE_BUDGET * np.float32(p.time_budget_scale)

    # -- slow-changing state ---------------------------------------------------------
    def update_life_stage(self, pop: Population, rows: np.ndarray | slice = slice(None)) -> None:
        """Employment and time budget from age (run yearly and for newcomers)."""
        g = age_group(pop.age_m[rows])
        employed = pop.employment_u[rows] < EMPLOYMENT[g]
        pop.employed[rows] = employed
        factor = np.where(employed, np.float32(self.p.employment_time_factor), np.float32(1))
        pop.time_budget[rows] = self.budget[g] * factor * pop.time_factor[rows]

    def willingness(self, pop: Population, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Willingness of ``rows`` (default everyone), see the module docstring.

        Float32 throughout, computed in place in the order of the formula; the grant term
        only where someone is exposed (elsewhere it adds zero).
        """
        p = self.p
        age = pop.age_m[rows]
        m = pop.motivation[rows]
        w = m * np.float32(p.civic_engagement)
        w *= by_age_month(self.stage_by_month, age)
        t = pop.trust[rows] - np.float32(0.5)
        t *= np.float32(p.trust_weight)
        t += np.float32(1)
        w *= t
        exposure = pop.grant_exposure[rows]
        exposed = np.flatnonzero(exposure)
        if len(exposed):
            me = m[exposed]
            grant = p.crowding_in * (1 - me) - p.crowding_out * me
            w[exposed] += exposure[exposed] * grant
        np.multiply(pop.burnout[rows], np.float32(p.burnout_weight), out=t)
        w -= t
        np.clip(w, 0.0, 1.0, out=w)
        w *= pop.alive[rows] & (age >= 14 * 12)  # the dead and children: 0
        return w

    def initial_engagement(self, model, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Engagement of citizens entering the engagement age or the city.

        Used for the initial population, immigrants and teenagers turning 14: a share
        ``initial_engaged_given_willing`` of the willing (free riders excepted) is engaged,
        about half of them in a Verein; they bring their engagement with them (assumption).
        """
        pop = model.pop
        pop.willingness[rows] = self.willingness(pop, rows)
        willing = (pop.willingness[rows] >= self.p.willing_cutoff) & (pop.coop[rows] != 1)
        u = rng.random(len(rows))
        self.enlist(model, rows[willing & (u < self.p.initial_engaged_given_willing)], rng)

    def step(self, model) -> dict[str, int]:
        """One month: willingness, joining, effort, burnout and quitting.  Returns counts."""
        p, pop = self.p, model.pop
        pop.willingness[:] = self.willingness(pop)
        joined = self.join(model)
        eng = np.flatnonzero(pop.engaged)  # the engaged after joining, until some quit
        self.effort(model, eng)
        self.burnout(model, eng)
        quit_ = self.quit(model, eng)
        pop.grant_exposure *= np.float32(1.0 - p.grant_exposure_decay)
        return {"joined": len(joined), "quit": len(quit_)}

    def join(self, model) -> np.ndarray:
        p, pop = self.p, model.pop
        u = model.streams("engagement.review").random(pop.n, dtype=np.float32)
        cand = np.flatnonzero(
            (u < p.review_rate)
            & ~pop.engaged
            & (pop.willingness >= p.willing_cutoff)
            & (pop.coop != COOP_FREE_RIDER)
            & (pop.time_budget >= 0.5)
        )
        if len(cand) == 0:
            return cand
        joiners = cand[meets_threshold(pop, cand)]
        self.enlist(model, joiners, model.streams("engagement.assoc_choice"))
        return joiners

    def enlist(
        self, model, rows: np.ndarray, rng: np.random.Generator, to_association: float | None = None
    ) -> None:
        """Make ``rows`` engaged; a share (default ``association_join_share``) joins a
        Verein of their district."""
        pop = model.pop
        pop.engaged[rows] = True
        pop.hours[rows] = np.minimum(pop.time_budget[rows], 1.0)
        share = self.p.association_join_share if to_association is None else to_association
        to_assoc = rows[rng.random(len(rows)) < share]
        model.associations.admit(model, to_assoc, rng)

    def enlist_informal(self, pop: Population, rows: np.ndarray) -> None:
        """Make ``rows`` engaged outside any Verein (recruited by an initiative)."""
        pop.engaged[rows] = True
        pop.hours[rows] = np.minimum(pop.time_budget[rows], 1.0)

    def effort(self, model, eng: np.ndarray | None = None) -> None:
        """Weekly hours of the engaged (rows ``eng``, default all engaged), see M2."""
        p, pop = self.p, model.pop
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        if len(eng) == 0:
            return
        budget = pop.time_budget[eng]
        own = budget * np.minimum(1.0, p.civic_engagement * pop.motivation[eng])
        coop = pop.coop[eng]
        h = np.where(coop == COOP_ALTRUIST, budget, 0.5 * own)  # altruists; free riders
        cc = np.flatnonzero(coop == COOP_CONDITIONAL)  # only they look at their peers
        rows = eng[cc]
        peers = peer_mean_hours(pop, rows, fallback=own[cc])
        discount = np.where(pop.association[rows] >= 0, np.float32(1.0), p.peer_discount)
        h[cc] = (1 - p.peer_weight) * own[cc] + p.peer_weight * discount * peers
        pop.hours[eng] = np.clip(h, np.minimum(0.25, budget), budget, out=h)

    def burnout(self, model, eng: np.ndarray | None = None) -> None:
        """Burnout (M6).  Everyone recovers; load, strain and voice only touch the engaged
        (rows ``eng``, default all engaged), leaders and initiative members (for everyone
        else those terms are zero)."""
        p, pop = self.p, model.pop
        b = pop.burnout
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        others = np.flatnonzero((pop.leads | (pop.initiative >= 0)) & ~pop.engaged)
        rows = np.union1d(eng, others) if len(others) else eng
        b_rows = b[rows]
        b -= np.float32(p.burnout_recovery) * b
        budget = pop.time_budget[rows]
        with np.errstate(divide="ignore", invalid="ignore"):
            load = np.where(budget > 0, pop.hours[rows] / budget, 0.0)
        overload = np.maximum(0.0, load - 0.75)
        say = model.initiatives.has_say(pop, rows)
        b_rows += (
            p.burnout_load * overload
            + p.burnout_strain * pop.leads[rows]
            - p.burnout_voice * say
            - p.burnout_recovery * b_rows
        ).astype(np.float32)
        np.clip(b_rows, 0.0, 1.0, out=b_rows)
        b[rows] = b_rows

    def quit(self, model, eng: np.ndarray | None = None) -> np.ndarray:
        """Quitting among the engaged (rows ``eng``, default all engaged)."""
        p, pop = self.p, model.pop
        u = model.streams("engagement.quit").random(pop.n, dtype=np.float32)
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        hazard = p.quit_rate + p.quit_burnout * pop.burnout[eng] ** 2
        hazard[pop.age_m[eng] >= 80 * 12] *= np.float32(2.0)
        quitters = eng[u[eng] < hazard]
        disengage(pop, quitters)
        return quitters

    # -- feedback from initiatives (M7, M6) -------------------------------------------
    def experience(self, pop: Population, rows: np.ndarray, good: bool, strength=1.0) -> None:
        """A success (good) or a failure/rejection experienced by ``rows``; asymmetric."""
        p = self.p
        if len(rows) == 0:
            return
        delta = p.trust_gain * strength * (1.0 if good else -p.trust_loss_ratio)
        pop.trust[rows] = np.clip(pop.trust[rows] + delta, 0.0, 1.0)
        mdelta = 0.02 * strength * (1.0 if good else -p.trust_loss_ratio)
        pop.motivation[rows] = np.clip(pop.motivation[rows] + mdelta, 0.0, 1.0)
        if not good:
            pop.burnout[rows] = np.clip(pop.burnout[rows] + 0.05 * strength, 0.0, 1.0)

    def trust_drift(self, pop: Population, coverage_change_by_district: np.ndarray) -> None:
        """Trust reverts to the personal disposition, shifted by service coverage changes."""
        p = self.p
        shift = np.append(coverage_change_by_district, 0.0).astype(np.float32)
        shift *= np.float32(p.trust_coverage_weight)  # per district, then looked up
        step = np.take(shift, pop.district)
        step += pop.trust_anchor  # the target
        step -= pop.trust
        step *= np.float32(p.trust_reversion)
        pop.trust += step
        np.clip(pop.trust, 0.0, 1.0, out=pop.trust)


def meets_threshold(pop: Population, rows: np.ndarray) -> np.ndarray:
    """Threshold rule (M1): engaged contacts reach the personal share of living contacts.

    Altruists need nobody (threshold 0).  With thresholds i/99 on a complete graph of 100
    people this reproduces Granovetter's (1978) cascade.
    """
    engaged_c, alive_c = contact_counts(pop, rows)
    thr = np.where(pop.coop[rows] == COOP_ALTRUIST, 0.0, pop.threshold[rows])
    return engaged_c >= thr * alive_c - 1e-4  # float32 thresholds: tolerate rounding


def disengage(pop: Population, rows: np.ndarray) -> None:
    pop.engaged[rows] = False
    pop.hours[rows] = 0.0
    pop.association[rows] = -1
    pop.initiative[rows] = -1
    pop.leads[rows] = False


def contact_counts(pop: Population, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Engaged and living contacts of ``rows`` (one gather of the packed state)."""
    packed = (pop.engaged.view(np.int8) + 2 * pop.alive.view(np.int8)).astype(np.int8)
    v = np.take(packed, np.take(pop.contacts, rows, axis=0))
    return np.einsum("ij->i", v & 1), np.einsum("ij->i", v >> 1)  # small exact counts


def peer_mean_hours(pop: Population, rows: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Mean weekly hours of the engaged among the contacts of ``rows`` (``fallback`` where
    none is engaged); only the engaged have hours.

    ``np.take`` gathers the contacts and their hours several times faster than fancy
    indexing with the 32-bit contact rows.  The row sums are taken in double precision,
    where the sum of a few float32 hours is exact (independent of the order of additions),
    then rounded to float32 once; ``einsum`` sums rows without BLAS threads.
    """
    h = np.take(pop.hours, np.take(pop.contacts, rows, axis=0))
    n = np.einsum("ij->i", (h > 0).view(np.uint8))  # engaged contacts
    s = np.einsum("ij->i", h, dtype=np.float64).astype(np.float32)
    return np.where(n > 0, s / np.maximum(n, 1), fallback)
