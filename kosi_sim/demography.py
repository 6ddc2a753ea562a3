"""Demography: ageing, mortality, fertility, migration and moves between districts.

During a step the demography only *requests* events (:meth:`Demography.request`); they
are applied together by :func:`kosi_sim.structural.apply_requests`, the model's single
structural-change phase, so no process ever sees a half-updated population.

Equations (per month):

* mortality: Gompertz-Makeham hazard ``mu(x) = A_s + B_s exp(c x)`` for ages x >= 1 and an
  infant hazard at age 0; ``B_s`` is solved so that the period life expectancy at birth
  equals the declared ``life_expectancy_<sex>``; monthly probability ``1 - exp(-mu/12)``;
* fertility: women 15-49 give birth with ``ASFR(a)/12``, ASFR a normal curve around
  ``mean_age_at_birth`` scaled to the total fertility rate ``TFR * (1 + p * pressure_fertility)``;
* out-migration: ``out_migration_rate * profile(a) / 12`` with a Rogers-Castro-like age
  profile; ages 18-34 are multiplied by ``1 + p * pressure_young_out_migration``;
* in-migration: Poisson with mean ``pop * (out_migration_rate + net_migration_rate) / 12``,
  ages drawn from the same profile, with the under-40 share reduced by
  ``p * pressure_in_migration``; an immigrant comes only if she finds a free dwelling
  (:mod:`kosi_sim.housing`);
* moves between districts: ``internal_move_rate * profile(a) / 12``; the mover moves only
  if she finds a free dwelling in another district (:mod:`kosi_sim.housing`).

One uniform draw per citizen and month decides death, emigration and moving, so the three
are mutually exclusive and the draw count does not depend on the state (common random
numbers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

from .housing import age_group, allocate, headship
from .jit import parallel_kernel, prange
from .parameters import Param, Params, Section
from .rng import uniform
from .select import nonzero

SECTION = Section(
    "demography",
    "Mortality, fertility, migration and moves",
    [
        Param(
            "life_expectancy_male",
            78.6,
            "years",
            "Period life expectancy at birth, men",
            "Destatis, life table 2021/23",
            (60.0, 95.0),
        ),
        Param(
            "life_expectancy_female",
            83.3,
            "years",
            "Period life expectancy at birth, women",
            "Destatis, life table 2021/23",
            (60.0, 95.0),
        ),
        Param(
            "gompertz_slope",
            0.115,
            "1/year",
            "Rate at which adult mortality rises with age",
            "calibrated: Dortmund's crude death rate (12.2 per 1,000) with German life "
            "expectancy; within the usual range of modern Gompertz slopes (0.09-0.12)",
            (0.05, 0.15),
        ),
        Param(
            "infant_mortality",
            0.003,
            "1/year",
            "Death rate in the first year of life",
            "assumption: order of German infant mortality (about 3 per 1,000 live births)",
            (0.0, 0.05),
        ),
        Param(
            "total_fertility_rate",
            1.39,
            "children/woman",
            "Total fertility rate",
            "IT.NRW 2023 (NRW 1.39; Germany 1.35, Destatis)",
            (0.5, 3.0),
        ),
        Param(
            "mean_age_at_birth",
            31.5,
            "years",
            "Mean age of mothers at birth",
            "assumption: close to the German mean age of mothers (about 31-32)",
            (22.0, 38.0),
        ),
        Param(
            "out_migration_rate",
            0.05,
            "1/year",
            "Gross out-migration across the city border",
            "Wuppertal migration 2023 (wuppertal-total.de) and City of Wuppertal "
            "press release 21.11.2011",
            (0.0, 0.3),
        ),
        Param(
            "net_migration_rate",
            0.003,
            "1/year",
            "Net migration across the city border at zero demographic pressure",
            "derived: NRW's net migration in years without a refugee peak, +59,575 "
            "(2017) and +45,864 (2021) on about 17.9 m inhabitants, +2.6 to +3.3 "
            "per 1,000 (IT.NRW); +6.8 in 2023 and +15.7 in 2022 with refugees from "
            "Ukraine; Wuppertal migration 2023 (wuppertal-total.de) and City of "
            "Wuppertal press release 21.11.2011",
            (-0.05, 0.05),
        ),
        Param(
            "internal_move_rate",
            0.04,
            "1/year",
            "Moves between Stadtbezirke",
            "Techem, Umzugsquote 2016 (tenant changes in 1.8 m flats)",
            (0.0, 0.3),
        ),
    ],
)

PRESSURE = Section(
    "drivers",
    "The two headline levers of a scenario and what demographic pressure does",
    [
        Param(
            "demographic_pressure",
            0.0,
            "index",
            "0 = today's rates; 1 = strong ageing, out-migration of the young, fiscal stress",
            "assumption: scenario lever",
            (0.0, 1.0),
        ),
        Param(
            "civic_engagement",
            1.0,
            "index",
            "Scales willingness and intrinsic motivation (1 = calibrated)",
            "assumption: scenario lever",
            (0.25, 2.0),
        ),
        Param(
            "pressure_young_out_migration",
            0.4,
            "multiplier",
            "Extra out-migration of 18-34 year olds at full pressure (0.4 = 1.4 times)",
            "assumption: at full pressure the baseline city loses about 30% of its population "
            "in 20 years, as the most shrinking German cities did (Haase et al. 2010)",
            (0.0, 5.0),
        ),
        Param(
            "pressure_in_migration",
            0.15,
            "share",
            "Fall in in-migration of under-40s at full pressure",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "pressure_fertility",
            -0.2,
            "share",
            "Change in the TFR at full pressure",
            "assumption",
            (-0.8, 0.5),
        ),
        Param(
            "pressure_revenue",
            -0.15,
            "share",
            "Change in revenue per inhabitant at full pressure (fiscal stress)",
            "assumption",
            (-0.8, 0.5),
        ),
    ],
)

MAX_AGE = 110
N_MONTHS = (MAX_AGE + 1) * 12  # ages in completed months covered by the rate tables


def _data(name: str) -> pd.DataFrame:
    with resources.files("kosi_sim.data").joinpath(name).open(encoding="utf-8") as f:
        return pd.read_csv(f)


def migration_profile() -> np.ndarray:
    """Relative migration intensity by single year of age (packaged table, interpolated)."""
    knots = _data("migration_profile.csv")
    return np.interp(np.arange(MAX_AGE + 1), knots["age"], knots["relative_intensity"])


def age_structure() -> np.ndarray:
    """Weights of single years of age 0..99 from the packaged age-structure table."""
    return _age_structure().copy()


@functools.cache
def _age_structure() -> np.ndarray:  # the table is read once per process
    table = _data("age_structure_de.csv")
    weights = np.zeros(100)
    for row in table.itertuples():
        width = row.age_to - row.age_from + 1
        weights[row.age_from : row.age_to + 1] = row.population_thousands / width
    return weights / weights.sum()


def reweighted_ages(share_under18: float, share_65plus: float) -> np.ndarray:
    """The age structure rescaled so that the under-18 and 65+ shares are as given."""
    w = age_structure()
    ages = np.arange(len(w))
    groups = [ages < 18, (ages >= 18) & (ages < 65), ages >= 65]
    target = [share_under18, 1.0 - share_under18 - share_65plus, share_65plus]
    for g, t in zip(groups, target, strict=True):
        w[g] *= t / w[g].sum()
    return w / w.sum()


def gompertz_hazard(ages: np.ndarray, makeham: float, b: float, c: float, infant: float):
    mu = makeham + b * np.exp(c * ages)
    return np.where(ages < 1, infant, mu)


def life_expectancy(hazard_by_year: np.ndarray) -> float:
    """Period life expectancy at birth from hazards by single year (constant within years)."""
    q = 1.0 - np.exp(-hazard_by_year)
    survivors = np.concatenate(([1.0], np.cumprod(1.0 - q)))
    # person-years lived in each year with constant hazard
    mu = np.maximum(hazard_by_year, 1e-12)
    lived = survivors[:-1] * (1.0 - np.exp(-mu)) / mu
    return float(lived.sum())


def solve_gompertz(target_e0: float, makeham: float, c: float, infant: float) -> np.ndarray:
    """Hazard by single year 0..MAX_AGE (last year open) with the given life expectancy."""
    ages = np.arange(MAX_AGE + 1) + 0.5
    lo, hi = -20.0, 0.0  # log10 of B
    for _ in range(80):
        mid = (lo + hi) / 2
        e0 = life_expectancy(gompertz_hazard(ages, makeham, 10**mid, c, infant))
        lo, hi = (mid, hi) if e0 > target_e0 else (lo, mid)
    haz = gompertz_hazard(ages, makeham, 10**lo, c, infant)
    haz[-1] = max(haz[-1], 1.0)
    return haz


# Makeham (age-independent) terms by sex: assumption, order of young-adult death rates
MAKEHAM = (0.0004, 0.0002)


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

    def __init__(self, p: Params) -> None:
        self.p = p
        pressure = p.demographic_pressure
        haz_m = solve_gompertz(
            p.life_expectancy_male, MAKEHAM[0], p.gompertz_slope, p.infant_mortality
        )
        haz_f = solve_gompertz(
            p.life_expectancy_female, MAKEHAM[1], p.gompertz_slope, p.infant_mortality
        )
        self.annual_hazard = np.stack([haz_m, haz_f])  # (sex, age year)
        self.p_death = (1.0 - np.exp(-self.annual_hazard / 12.0)).astype(np.float32)

        ages = np.arange(MAX_AGE + 1)
        tfr = p.total_fertility_rate * max(0.0, 1.0 + pressure * p.pressure_fertility)
        shape = np.exp(-0.5 * ((ages + 0.5 - p.mean_age_at_birth) / 5.5) ** 2)
        shape[(ages < 15) | (ages > 49)] = 0.0
        self.asfr = tfr * shape / shape.sum()  # births per woman and year, by age
        self.p_birth = (self.asfr / 12.0).astype(np.float32)

        profile = migration_profile()
        structure = np.concatenate((age_structure(), np.zeros(MAX_AGE + 1 - 100)))
        profile = profile / float(np.dot(profile, structure))  # population mean = 1
        young = (ages >= 18) & (ages <= 34)
        out = p.out_migration_rate * profile
        out[young] *= 1.0 + pressure * p.pressure_young_out_migration
        self.p_out = (out / 12.0).astype(np.float32)
        self.p_move = (p.internal_move_rate * profile / 12.0).astype(np.float32)
        inflow = profile * structure
        inflow[ages < 40] *= 1.0 - pressure * p.pressure_in_migration
        self.in_age_weights = inflow / inflow.sum()
        self.in_age_cdf = _cdf(self.in_age_weights)
        # the same rates by (sex, age in completed months), flattened, for the monthly draws
        by_month = np.arange(N_MONTHS) // 12
        self.m_death = self.p_death[:, by_month].reshape(-1)
        self.m_out = np.tile(self.p_out[by_month], 2)
        self.m_move = np.tile(self.p_move[by_month], 2)
        self.m_birth = np.concatenate((np.zeros(N_MONTHS, np.float32), self.p_birth[by_month]))
        # cumulative: death, then emigration, then a move (one uniform draw decides)
        self.m_leave = self.m_death + self.m_out
        self.m_event = self.m_leave + self.m_move
        # immigrants per resident and month: keep the declared gross and net rates at pressure 0
        # (the scenario refuses a net rate below minus the gross out-rate; never below zero)
        self.in_rate = max(
            0.0,
            (p.out_migration_rate + p.net_migration_rate)
            / 12.0
            * (inflow.sum() / (profile * structure).sum()),
        )

    # -- requests --------------------------------------------------------------------
    def request(self, model) -> Requests:
        pop = model.pop
        # one draw per citizen: death below p_die, emigration up to p_out, a move up to
        # p_move; only the few below their p_move are looked at further.  Births: a
        # second draw below the fertility rate.  Both in one pass.
        key = model.streams.key("demography.events")
        events, u_ev, mothers = _below_rates(
            key,
            model.streams.key("demography.births"),
            pop.uid,
            pop.alive,
            pop.sex,
            pop.age_m,
            self.m_event,
            self.m_birth,
        )
        key_ev = self.rate_key(pop, events)
        p_die = np.take(self.m_death, key_ev)
        p_out = np.take(self.m_leave, key_ev)
        deaths = events[u_ev < p_die]
        emigrants = events[(u_ev >= p_die) & (u_ev < p_out)]
        movers = events[u_ev >= p_out]

        # arrivals need free dwellings: those empty now, those left by this month's deaths
        # and emigrants, and those movers leave once they have found one (kosi_sim.housing)
        housing = model.housing
        rng = model.streams("demography.immigration")
        n_in = int(rng.poisson(self.in_rate * pop.n_alive))
        age_years = _choose(self.in_age_cdf, n_in, rng)
        age_m = (age_years * 12 + rng.integers(0, 12, n_in)).astype(np.int16)
        sex = (rng.random(n_in) < 0.5).astype(np.int8)
        leaving = np.concatenate((deaths, emigrants))
        departed = np.bincount(
            pop.district[leaving],
            weights=headship(pop.age_m[leaving], model.params),
            minlength=model.n_districts,
        )[: model.n_districts]
        free = np.maximum(housing.dwellings - housing.households + departed, 0.0)
        arrivals_age = np.concatenate((pop.age_m[movers], age_m))
        origin = np.concatenate((pop.district[movers], np.full(n_in, -1, np.int16)))
        dest = allocate(
            headship(arrivals_age, model.params),
            age_group(arrivals_age),
            origin.astype(np.int64),
            free,
            housing.affinity,
            model.streams("housing.allocation"),
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
        return np.take(self.m_leave, self.rate_key(pop, np.asarray(rows, dtype=np.int64)))

    @staticmethod
    def rate_key(pop, rows: np.ndarray) -> np.ndarray:
        """Rows ``rows``' entries in the (sex, age in completed months) rate tables."""
        return pop.sex[rows].astype(np.intp) * N_MONTHS + np.minimum(pop.age_m[rows], N_MONTHS - 1)


def _cdf(p: np.ndarray) -> np.ndarray:
    """The cumulative distribution numpy's ``Generator.choice`` draws from, for ``p``."""
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return cdf


def _choose(cdf: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``rng.choice(len(cdf), n, p=p)`` for ``cdf = _cdf(p)``: numpy's own
    algorithm (the same numbers from the same stream), without checking ``p`` each time."""
    return cdf.searchsorted(rng.random(n), side="right")


@parallel_kernel
def _below_rates(key_a, key_b, uid, alive, sex, age_m, table_a, table_b):
    """Rows of the living whose draw of keyed stream ``key_a`` is below their (sex, age
    in months) rate in ``table_a``, with those draws, and the rows whose draw of
    ``key_b`` is below their rate in ``table_b``.

    Branch-free, with uint8 marks: everyone draws, the dead's marks are masked out."""
    below_a = np.empty(len(uid), dtype=np.uint8)
    below_b = np.empty(len(uid), dtype=np.uint8)
    for r in prange(len(uid)):
        k = sex[r] * N_MONTHS + min(age_m[r], N_MONTHS - 1)
        living = np.uint8(alive[r])
        below_a[r] = living & np.uint8(uniform(key_a, uid[r]) < table_a[k])
        below_b[r] = living & np.uint8(uniform(key_b, uid[r]) < table_b[k])
    rows_a = nonzero(below_a)
    u_a = np.empty(len(rows_a), dtype=np.float32)
    for i in range(len(rows_a)):  # the few below: their draws again, for what happens
        u_a[i] = uniform(key_a, uid[rows_a[i]])
    return rows_a, u_a, nonzero(below_b)


class LifeTableTracker:
    """Deaths and person-years by sex and single year of age, observed in a run.

    The period life expectancy computed from these occurrence/exposure rates checks that the
    *simulated* mortality (not just the input table) reproduces the target.
    """

    def __init__(self) -> None:
        self.deaths = np.zeros((2, MAX_AGE + 1))
        self.exposure = np.zeros((2, MAX_AGE + 1))

    def record(self, pop, deaths: np.ndarray) -> None:
        key = pop.sex.astype(np.int64) * (MAX_AGE + 1) + np.minimum(pop.age_m // 12, MAX_AGE)
        size = 2 * (MAX_AGE + 1)
        self.exposure += (np.bincount(key[pop.alive], minlength=size) / 12.0).reshape(2, -1)
        self.deaths += np.bincount(key[deaths], minlength=size).reshape(2, -1)

    def life_expectancy(self, sex: int) -> float:
        d, e = self.deaths[sex], self.exposure[sex]
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = np.where(e > 0, d / e, np.nan)
        # ages never observed (the very old in a small run): carry the last observed rate on
        last = 0.0
        for a in range(MAX_AGE + 1):
            if np.isnan(rate[a]):
                rate[a] = max(last, 1.0) if a > 90 else last
            last = rate[a]
        return life_expectancy(rate)
