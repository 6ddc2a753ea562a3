"""The engagement component: applies the rules of ODD 7.4 to the model's population.

The rules themselves are in :mod:`kosi_sim.engagement.rules` (plain numpy) and, as the
fast path, :mod:`kosi_sim.engagement.kernels`; this class reads the population and the
parameters, calls the chosen implementation by keyword and writes the results back.
"""

from __future__ import annotations

import numpy as np

from .. import ruleset
from ..jit import as_bytes
from ..parameters import OwnSection, Params
from ..population import COOP_FREE_RIDER, Population, scatter
from ..select import nonzero
from . import kernels
from . import rules as numpy_rules
from .params import SECTION, SHARED
from .rules import (
    BAD_EXPERIENCE_BURNOUT,
    BASE_BUDGET,
    FIRST_HOURS,
    GROUP_OF_MONTH,
    MOTIVATION_STEP,
    draw_traits,
    life_stage_factors,
)


class Engagement:
    """The monthly engagement rules over the whole population.

    Args:
        p: the parameters (a complete set; the rules see their section and
            :data:`~kosi_sim.engagement.params.SHARED`).
        rules: ``"kernels"`` (default) or ``"numpy"``: which implementation of the rules
            runs (:mod:`kosi_sim.ruleset`).
    """

    #: the parameters it reads: its own section and the declared shared ones
    p = OwnSection(SECTION, SHARED)

    def __init__(self, p: Params, rules: str = ruleset.KERNELS) -> None:
        self.p = p
        self.impl = ruleset.pick(rules, numpy_rules, kernels)
        self.stage_factor = life_stage_factors(self.p)
        self.stage_by_month = self.stage_factor[GROUP_OF_MONTH]  # the factor by age in months
        self.budget = BASE_BUDGET * np.float32(self.p.time_budget_scale)

    @property
    def willing_cutoff(self) -> float:
        """The willingness from which a citizen counts as willing (ODD 7.4): the threshold
        that joining, the census and everyone who asks for volunteers apply."""
        return self.p.willing_cutoff

    def draw_traits(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """The personal traits of ``n`` new citizens (:func:`rules.draw_traits`)."""
        return draw_traits(n, self.p, rng)

    # -- slow-changing state ---------------------------------------------------------
    def update_life_stage(self, pop: Population, rows: np.ndarray | None = None) -> None:
        """Employment and time budget from age (:func:`rules.life_stage`) for ``rows``
        (default every living citizen; run yearly and for newcomers).  The dead keep the
        zero budget they were given on leaving."""
        if rows is None:
            rows = nonzero(as_bytes(pop.alive))
        self.impl.life_stage(
            rows=np.asarray(rows, dtype=np.int64),
            age_m=pop.age_m,
            employment_u=pop.employment_u,
            time_factor=pop.time_factor,
            budget_by_group=self.budget,
            employment_time_factor=self.p.employment_time_factor,
            employed=pop.employed,
            time_budget=pop.time_budget,
        )

    def willingness(
        self,
        pop: Population,
        rows: np.ndarray | slice = slice(None),
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """Willingness of ``rows`` (default everyone, :func:`rules.willingness`); written
        to ``out`` if given (it may be ``pop.willingness`` itself: each row reads only its
        own inputs)."""
        p = self.p
        return self.impl.willingness(
            age_m=pop.age_m[rows],
            motivation=pop.motivation[rows],
            trust=pop.trust[rows],
            burnout=pop.burnout[rows],
            grant_exposure=pop.grant_exposure[rows],
            alive=pop.alive[rows],
            stage_factor_by_month=self.stage_by_month,
            civic_engagement=p.civic_engagement,
            trust_weight=p.trust_weight,
            crowding_in=p.crowding_in,
            crowding_out=p.crowding_out,
            burnout_weight=p.burnout_weight,
            out=out,
        )

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
        """This month's joiners (:func:`rules.joiners`, M1) are enlisted; returns their
        rows."""
        p, pop = self.p, model.pop
        joiners = self.impl.joiners(
            review_key=model.streams.key("engagement.review"),
            uid=pop.uid,
            engaged=pop.engaged,
            alive=pop.alive,
            willingness=pop.willingness,
            coop=pop.coop,
            time_budget=pop.time_budget,
            threshold=pop.threshold,
            contacts=pop.contacts,
            review_rate=p.review_rate,
            willing_cutoff=p.willing_cutoff,
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
        self.enlist_informal(pop, rows)
        share = self.p.association_join_share if to_association is None else to_association
        to_assoc = rows[rng.random(len(rows)) < share]
        model.associations.admit(model, to_assoc, rng)

    def enlist_informal(self, pop: Population, rows: np.ndarray) -> None:
        """Make ``rows`` engaged outside any Verein (recruited by an initiative); they give
        ``min(b, 1)`` hours at first."""
        pop.engaged[rows] = True
        pop.hours[rows] = np.minimum(pop.time_budget[rows], FIRST_HOURS)

    def effort(self, model, eng: np.ndarray | None = None) -> None:
        """Weekly hours of the engaged (rows ``eng``, default all engaged;
        :func:`rules.effort`, M2).  Everyone's peers are read before anyone's new hours
        are written."""
        p, pop = self.p, model.pop
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        if len(eng) == 0:
            return
        new_hours = self.impl.effort(
            rows=eng,
            time_budget=pop.time_budget,
            motivation=pop.motivation,
            coop=pop.coop,
            association=pop.association,
            hours=pop.hours,
            contacts=pop.contacts,
            civic_engagement=p.civic_engagement,
            peer_discount=p.peer_discount,
            peer_weight=p.peer_weight,
        )
        scatter(pop.hours, eng, new_hours)  # a second pass: nobody reads hours meanwhile

    def burnout(self, model) -> None:
        """Burnout and the fading of grant exposure (:func:`rules.burnout`, M6)."""
        p, pop = self.p, model.pop
        self.impl.burnout(
            burnout=pop.burnout,
            grant_exposure=pop.grant_exposure,
            engaged=pop.engaged,
            leads=pop.leads,
            initiative=pop.initiative,
            hours=pop.hours,
            time_budget=pop.time_budget,
            has_say=model.initiatives.members_have_say(),
            grant_exposure_decay=p.grant_exposure_decay,
            burnout_recovery=p.burnout_recovery,
            burnout_load=p.burnout_load,
            burnout_strain=p.burnout_strain,
            burnout_voice=p.burnout_voice,
        )

    def quit(self, model, eng: np.ndarray | None = None) -> np.ndarray:
        """Quitting among the engaged (rows ``eng``, default all engaged;
        :func:`rules.quitters`)."""
        p, pop = self.p, model.pop
        key = model.streams.key("engagement.quit")
        if eng is None:
            eng = np.flatnonzero(pop.engaged)
        quitters = self.impl.quitters(
            rows=eng,
            quit_key=key,
            uid=pop.uid,
            burnout=pop.burnout,
            age_m=pop.age_m,
            quit_rate=p.quit_rate,
            quit_burnout=p.quit_burnout,
        )
        disengage(pop, quitters)
        return quitters

    def quit_probability(self, pop: Population, rows: np.ndarray) -> np.ndarray:
        """The probability that each engaged citizen of ``rows`` quits this month
        (:func:`rules.quit_probability`, the hazard :meth:`quit` draws against)."""
        return numpy_rules.quit_probability(
            rows=rows,
            burnout=pop.burnout,
            age_m=pop.age_m,
            quit_rate=self.p.quit_rate,
            quit_burnout=self.p.quit_burnout,
        )

    # -- feedback from initiatives (M7, M6) -------------------------------------------
    def experience(self, pop: Population, rows: np.ndarray, good: bool, strength=1.0) -> None:
        """A success (good) or a failure/rejection experienced by ``rows``; asymmetric."""
        p = self.p
        if len(rows) == 0:
            return
        sign = 1.0 if good else -p.trust_loss_ratio
        pop.trust[rows] = np.clip(pop.trust[rows] + p.trust_gain * strength * sign, 0.0, 1.0)
        mdelta = MOTIVATION_STEP * strength * sign
        pop.motivation[rows] = np.clip(pop.motivation[rows] + mdelta, 0.0, 1.0)
        if not good:
            bdelta = BAD_EXPERIENCE_BURNOUT * strength
            pop.burnout[rows] = np.clip(pop.burnout[rows] + bdelta, 0.0, 1.0)

    def trust_drift(self, pop: Population, coverage_change_by_district: np.ndarray) -> None:
        """Trust reverts to the personal disposition, shifted by service coverage changes
        (:func:`rules.trust_drift`, M7)."""
        p = self.p
        shift = np.append(coverage_change_by_district, 0.0).astype(np.float32)
        shift *= np.float32(p.trust_coverage_weight)  # per district, then looked up
        self.impl.trust_drift(
            trust=pop.trust,
            trust_anchor=pop.trust_anchor,
            district=pop.district,
            shift_by_district=shift,
            trust_reversion=p.trust_reversion,
        )


def meets_threshold(pop: Population, rows: np.ndarray, rules: str = ruleset.KERNELS) -> np.ndarray:
    """Threshold rule (M1, :func:`rules.meets_threshold`) for ``rows``.

    Altruists need nobody (threshold 0).  With thresholds i/99 on a complete graph of 100
    people this reproduces Granovetter's (1978) cascade.
    """
    return ruleset.pick(rules, numpy_rules, kernels).meets_threshold(
        rows=rows,
        engaged=pop.engaged,
        alive=pop.alive,
        coop=pop.coop,
        threshold=pop.threshold,
        contacts=pop.contacts,
    )


def disengage(pop: Population, rows: np.ndarray) -> None:
    """``rows`` stop being engaged: no hours, no Verein, no initiative, no leading role."""
    pop.engaged[rows] = False
    pop.hours[rows] = 0.0
    pop.association[rows] = -1
    pop.initiative[rows] = -1
    pop.leads[rows] = False
