"""The demography component (ODD 7.2): each month it *requests* deaths, emigration,
births, immigration and moves; they are applied together by
:func:`kosi_sim.structural.apply_requests`, the model's single structural-change phase, so
no process ever sees a half-updated population.

The rates are derived once from the parameters (:mod:`.rates`); the monthly draws are the
rules of :mod:`.rules` (plain numpy) or their fast path :mod:`.kernels`; arrivals need a
free dwelling (:mod:`kosi_sim.housing`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import ruleset
from ..housing import age_group, allocate
from ..parameters import OwnSection, Params
from . import kernels
from . import rules as numpy_rules
from .params import SECTION, SHARED
from .rates import FEMALE_SHARE, Rates, draw_from_cdf
from .rules import rate_key, split_events


@dataclass
class Requests:
    """Structural changes requested during a step and applied in one phase."""

    deaths: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    emigrants: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    movers: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    move_to: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    mothers: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    mothers_district: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    immigrant_district: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    immigrant_age_m: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    immigrant_sex: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))


class Demography:
    """Rates derived once from the parameters, and the request/apply pair of the step."""

    #: the parameters it reads: its own section and the declared shared ones
    p = OwnSection(SECTION, SHARED)

    def __init__(self, p: Params, rules: str = ruleset.KERNELS) -> None:
        self.p = p
        self.impl = ruleset.pick(rules, numpy_rules, kernels)
        self.rates = Rates(self.p)

    @property
    def pressure(self) -> float:
        """The demographic pressure the city is under (drivers, ODD 7.1; 0 = today's rates)."""
        return self.p.demographic_pressure

    # -- requests --------------------------------------------------------------------
    def request(self, model) -> Requests:
        pop = model.pop
        # one draw per citizen decides death, emigration or a move; a second, births
        # (rules.events); only the few with an event are looked at further
        rates = self.rates
        events, u_event, mothers = self.impl.events(
            events_key=model.streams.key("demography.events"),
            births_key=model.streams.key("demography.births"),
            uid=pop.uid,
            alive=pop.alive,
            sex=pop.sex,
            age_m=pop.age_m,
            event_rate=rates.m_event,
            birth_rate=rates.m_birth,
        )
        key = rate_key(pop.sex[events], pop.age_m[events])
        deaths, emigrants, movers = split_events(
            events, u_event, rates.m_death[key], rates.m_leave[key]
        )

        # arrivals need free dwellings: those empty now, those left by this month's deaths
        # and emigrants, and those movers leave once they have found one (kosi_sim.housing)
        housing = model.housing
        rng = model.streams("demography.immigration")
        n_in = int(rng.poisson(rates.in_rate * pop.n_alive))
        age_years = draw_from_cdf(rates.in_age_cdf, n_in, rng)
        age_m = (age_years * 12 + rng.integers(0, 12, n_in)).astype(np.int16)
        sex = (rng.random(n_in) < FEMALE_SHARE).astype(np.int8)  # 1: a woman
        leaving = np.concatenate((deaths, emigrants))
        departed = np.bincount(
            pop.district[leaving],
            weights=housing.headship(pop.age_m[leaving]),
            minlength=model.n_districts,
        )[: model.n_districts]
        free = np.maximum(housing.dwellings - housing.households + departed, 0.0)
        arrivals_age = np.concatenate((pop.age_m[movers], age_m))
        origin = np.concatenate((pop.district[movers], np.full(n_in, -1, np.int16)))
        dest = allocate(
            housing.headship(arrivals_age),
            age_group(arrivals_age),
            origin.astype(np.int64),
            free,
            housing.affinity,
            model.streams("housing.allocation"),
            rules=model.rules,
        )
        found = dest >= 0
        n_mov = len(movers)
        movers, move_to = movers[found[:n_mov]], dest[:n_mov][found[:n_mov]].astype(np.int16)
        coming = found[n_mov:]
        district = dest[n_mov:][coming].astype(np.int16)
        age_m, sex = age_m[coming], sex[coming]
        return Requests(
            deaths,
            emigrants,
            movers,
            move_to,
            mothers,
            pop.district[mothers].copy(),
            district,
            age_m,
            sex,
        )

    def leave_probability(self, pop, rows: np.ndarray) -> np.ndarray:
        """The probability that each citizen of ``rows`` dies or leaves the city this month
        (the rates :meth:`request` draws from, at her sex and age)."""
        rows = np.asarray(rows, dtype=np.int64)
        return np.take(self.rates.m_leave, rate_key(pop.sex[rows], pop.age_m[rows]))
