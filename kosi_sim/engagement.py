"""Citizens' engagement: time budgets, willingness, threshold joining, effort, burnout, quitting.

All rules act on the whole population at once: whole-array numpy operations, and compiled
loops (``kosi_sim/jit.py``) for the rules that read every citizen's contacts or a dozen arrays
per citizen.

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

from .jit import AHEAD, as_bytes, helper, kernel, parallel_kernel, prange, prefetch
from .parameters import Param, Params, Section
from .population import COOP_ALTRUIST, COOP_CONDITIONAL, COOP_FREE_RIDER, Population, scatter
from .rng import uniform
from .select import nonzero

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
            "BMFSFJ release on FWS 2019 (18.3.2021) as reported by Nürnberger Blatt",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_30_49",
            1.1,
            "factor",
            "Willingness factor, ages 30-49 (M5)",
            "BMFSFJ release on FWS 2019 (18.3.2021) as reported by Nürnberger Blatt",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_50_64",
            1.0,
            "factor",
            "Willingness factor, ages 50-64 (M5)",
            "BMFSFJ release on FWS 2019 (18.3.2021) as reported by Nürnberger Blatt",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_65_74",
            0.9,
            "factor",
            "Willingness factor, ages 65-74 (M5)",
            "BMFSFJ release on FWS 2019 (18.3.2021) as reported by Nürnberger Blatt",
            (0.0, 2.0),
        ),
        Param(
            "life_stage_75plus",
            0.6,
            "factor",
            "Willingness factor, ages 75+ (M5)",
            ("DZA 2023, volunteering in the second Covid-19 wave (Springer, 978-3-658-40487-1_11)"),
            (0.0, 2.0),
        ),
        Param(
            "initial_engaged_given_willing",
            0.7,
            "share",
            "Share of willing (non-free-rider) citizens engaged at the start",
            "calibrated: 36.3% engaged in NRW cities (IT.NRW evaluation of FWS "
            "2019); Simonson et al. 2021, Freiwilliges Engagement in Deutschland. "
            "Zentrale Ergebnisse des Fünften Deutschen Freiwilligensurveys (FWS "
            "2019), BMFSFJ/DZA",
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
            "calibrated: kosi-sim calibrate dortmund --fit, scale 0.1 (targets: "
            "calibration.py); forsa institution ranking 2022/23 (kommunal.de; StGB "
            "NRW-Mitteilung 88/2023) and Jan 2018 (habbel.de)",
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
#: life stage by age in completed months: 0: under 14; 1: 14-29; 2: 30-49; 3: 50-64;
#: 4: 65-74; 5: 75+ (the oldest ages share the last entry)
_GROUP_OF_MONTH = np.searchsorted(AGE_EDGES, np.arange(_MAX_MONTHS) // 12, side="right").astype(
    np.int8
)


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
    def update_life_stage(self, pop: Population, rows: np.ndarray | None = None) -> None:
        """Employment and time budget from age, for ``rows`` (default every living citizen;
        run yearly and for newcomers): employed if the persistent draw is below the age
        group's employment rate; budget = base budget x employment factor x personal factor.
        The dead keep the zero budget they were given on leaving."""
        if rows is None:
            rows = nonzero(as_bytes(pop.alive))
        _life_stage(
            np.asarray(rows, dtype=np.int64),
            pop.age_m,
            pop.employment_u,
            pop.time_factor,
            _GROUP_OF_MONTH,
            EMPLOYMENT,
            self.budget,
            np.float32(self.p.employment_time_factor),
            pop.employed,
            pop.time_budget,
        )

    def willingness(
        self,
        pop: Population,
        rows: np.ndarray | slice = slice(None),
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Willingness of ``rows`` (default everyone), see the module docstring; written
        to ``out`` if given (it may be ``pop.willingness`` itself: each row reads only its
        own inputs).

        Float32 throughout, in the order of the formula (one compiled pass, ``_willingness``).
        """
        p = self.p
        if out is None:
            out = np.empty(len(pop.age_m[rows]), dtype=np.float32)
        _willingness(
            pop.age_m[rows],
            pop.motivation[rows],
            pop.trust[rows],
            pop.burnout[rows],
            pop.grant_exposure[rows],
            pop.alive[rows],
            self.stage_by_month,
            *_f32(p.civic_engagement, p.trust_weight, p.crowding_in, p.crowding_out),
            np.float32(p.burnout_weight),
            out,
        )
        return out

    def initial_engagement(self, model, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Engagement of citizens entering the engagement age or the city.

        Used for the initial population, immigrants and teenagers turning 14: a share
        ``initial_engaged_given_willing`` of the willing (free riders excepted) is engaged,
        about half of them in a Verein; they bring their engagement with them (assumption).
        """
        pop = model.pop
        pop.willingness[rows] = self.willingness(pop, rows)
        willing = (pop.willingness[rows] >= self.p.willing_cutoff) & (
            pop.coop[rows] != COOP_FREE_RIDER
        )
        u = rng.random(len(rows))
        self.enlist(model, rows[willing & (u < self.p.initial_engaged_given_willing)], rng)

    def step(self, model) -> dict[str, int]:
        """One month: willingness, joining, effort, burnout (and fading grant exposure) and
        quitting.  Returns counts."""
        pop = model.pop
        self.willingness(pop, out=pop.willingness)  # everyone's, written in place
        joined = self.join(model)
        eng = nonzero(pop.engaged)  # the engaged after joining, until some quit
        self.effort(model, eng)
        self.burnout(model)
        quit_ = self.quit(model, eng)
        return {"joined": len(joined), "quit": len(quit_)}

    def join(self, model) -> np.ndarray:
        """Reviewers who are willing, inactive, not free riders and have time join when
        their threshold is met (M1); returns the joiners' rows."""
        p, pop = self.p, model.pop
        joiners = _joiners(
            model.streams.key("engagement.review"),
            pop.uid,
            pop.engaged,
            pop.alive,
            pop.willingness,
            pop.coop,
            pop.time_budget,
            pop.threshold,
            pop.contacts,
            *_f32(p.review_rate, p.willing_cutoff),
        )
        if len(joiners):
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
        """Weekly hours of the engaged (rows ``eng``, default all engaged), see M2.

        Everyone's peers are read before anyone's new hours are written."""
        p, pop = self.p, model.pop
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        if len(eng) == 0:
            return
        new_hours = _effort(
            eng,
            pop.time_budget,
            pop.motivation,
            pop.coop,
            pop.association,
            pop.hours,
            pop.contacts,
            *_f32(p.civic_engagement, p.peer_discount, 1 - p.peer_weight, p.peer_weight),
        )
        scatter(pop.hours, eng, new_hours)  # a second pass: nobody reads hours meanwhile

    def burnout(self, model) -> None:
        """Burnout (M6).  Everyone recovers; load, strain and voice only touch the engaged,
        leaders and initiative members (for everyone else those terms are zero).

        The month's other slow decay, the fading of grant exposure, is done in the same
        pass over the citizens (nothing else reads or writes it in between)."""
        p, pop = self.p, model.pop
        _burnout(
            pop.grant_exposure,
            np.float32(1.0 - p.grant_exposure_decay),
            pop.burnout,
            pop.engaged,
            pop.leads,
            pop.initiative,
            pop.hours,
            pop.time_budget,
            model.initiatives.members_have_say(),
            np.float32(p.burnout_recovery),
            np.float32(p.burnout_load),
            float(p.burnout_strain),
            float(p.burnout_voice),
        )

    def quit(self, model, eng: np.ndarray | None = None) -> np.ndarray:
        """Quitting among the engaged (rows ``eng``, default all engaged)."""
        p, pop = self.p, model.pop
        key = model.streams.key("engagement.quit")
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        quitters = _quitters(
            eng, key, pop.uid, pop.burnout, pop.age_m, *_f32(p.quit_rate, p.quit_burnout)
        )
        disengage(pop, quitters)
        return quitters

    def quit_probability(self, pop: Population, rows: np.ndarray) -> np.ndarray:
        """The probability that each engaged citizen of ``rows`` quits this month (the
        hazard :meth:`quit` draws against: ``quit_rate + quit_burnout * burnout**2``,
        doubled from age 80)."""
        p = self.p
        rate, per_burnout = _f32(p.quit_rate, p.quit_burnout)
        b = pop.burnout[rows]
        hazard = rate + per_burnout * (b * b)
        return np.where(pop.age_m[rows] >= 80 * 12, hazard * np.float32(2), hazard)

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
        _trust_drift(
            pop.trust, pop.trust_anchor, pop.district, shift, np.float32(p.trust_reversion)
        )


def meets_threshold(pop: Population, rows: np.ndarray) -> np.ndarray:
    """Threshold rule (M1): engaged contacts reach the personal share of living contacts.

    Altruists need nobody (threshold 0).  With thresholds i/99 on a complete graph of 100
    people this reproduces Granovetter's (1978) cascade.
    """
    rows = np.asarray(rows, dtype=np.int64)
    return _meets_threshold(
        rows, as_bytes(pop.engaged), as_bytes(pop.alive), pop.coop, pop.threshold, pop.contacts
    )


def disengage(pop: Population, rows: np.ndarray) -> None:
    pop.engaged[rows] = False
    pop.hours[rows] = 0.0
    pop.association[rows] = -1
    pop.initiative[rows] = -1
    pop.leads[rows] = False


# -- compiled kernels (see kosi_sim/jit.py) ---------------------------------------------
# Each repeats the numpy formulation's float32 arithmetic in the same order: parameters
# arrive as float32 (numpy casts a Python float to the array's float32 the same way).


def _f32(*values: float) -> tuple[np.float32, ...]:
    return tuple(np.float32(v) for v in values)


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
        w *= (trust[i] - np.float32(0.5)) * tw + np.float32(1)
        g = exposure[i]
        if g != 0:
            mi = m[i]
            w += g * (c_in * (np.float32(1) - mi) - c_out * mi)
        w -= burnout[i] * bw
        w = min(max(w, np.float32(0)), np.float32(1))
        out[i] = w if alive[i] and a >= 14 * 12 else np.float32(0)


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
    return n_eng >= thr * np.float32(n_alive) - np.float32(1e-4)  # float32 thresholds


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
            & np.uint8(budget[r] >= np.float32(0.5))
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
            h = np.float32(0.5) * own
        out[i] = min(max(h, min(np.float32(0.25), b)), b)
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
        overload = max(np.float32(0), load - np.float32(0.75))
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
        if age_m[r] >= 80 * 12:
            hazard *= np.float32(2)
        leave[i] = uniform(key, uid[r]) < hazard
    return eng[nonzero(leave)]
