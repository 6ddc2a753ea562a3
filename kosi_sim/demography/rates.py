"""Demography (ODD 7.2): the rates, derived once from the parameters and the packaged data.

* mortality: Gompertz-Makeham hazard ``mu_s(x) = A_s + B_s exp(c (x + 0.5))`` for ages
  ``x >= 1`` and ``infant_mortality`` at 0; ``B_s`` solved so that the period life
  expectancy at birth equals ``life_expectancy_<sex>``; monthly probability
  ``q = 1 - exp(-mu / 12)``;
* fertility: ``ASFR(a) = TFR' phi(a) / sum phi`` for women 15-49, ``phi`` a normal curve
  (sd 5.5 years) around ``mean_age_at_birth``, ``TFR' = TFR max(0, 1 + P pressure_fertility)``;
  monthly probability ``ASFR / 12``;
* migration: a Rogers-Castro-like age profile ``pi(a)`` (packaged table) normalised to mean
  1 over the German age structure; out-migration ``out_migration_rate pi(a) (1 + P
  pressure_young_out_migration [18 <= a <= 34]) / 12``, moves ``internal_move_rate pi(a) /
  12``; in-migration per resident ``(out_migration_rate + net_migration_rate) / 12``, ages
  drawn from ``pi(a) s(a) (1 - P pressure_in_migration [a < 40])``.
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np
import pandas as pd

MAX_AGE = 110
N_MONTHS = (MAX_AGE + 1) * 12  # ages in completed months covered by the rate tables
#: Makeham (age-independent) terms by sex: assumption, order of young-adult death rates
MAKEHAM = (0.0004, 0.0002)
#: the bisection interval of log10 B and its number of steps
LOG10_B_RANGE = (-20.0, 0.0)
BISECTION_STEPS = 80
#: fertile ages (years, inclusive) and the spread (years) of the fertility curve
FERTILE_AGES = (15, 49)
FERTILITY_SD = 5.5
#: ages (years, inclusive) of the young whose out-migration demographic pressure raises
YOUNG_OUT_MIGRATION_AGES = (18, 34)
#: immigrants younger than this (years) come less under demographic pressure
YOUNG_IN_MIGRATION_AGE = 40
#: share of girls among newborns and of women among immigrants (ODD 7.2: sex 50/50; an
#: assumption, close to the German sex ratio)
FEMALE_SHARE = 0.5


def _data(name: str) -> pd.DataFrame:
    with resources.files("kosi_sim.data").joinpath(name).open(encoding="utf-8") as f:
        return pd.read_csv(f)


def migration_profile() -> np.ndarray:
    """Relative migration intensity by single year of age (packaged table, interpolated)."""
    return _migration_profile().copy()


@functools.cache
def _migration_profile() -> np.ndarray:  # the table is read once per process
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
    lo, hi = LOG10_B_RANGE  # log10 of B
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        e0 = life_expectancy(gompertz_hazard(ages, makeham, 10**mid, c, infant))
        lo, hi = (mid, hi) if e0 > target_e0 else (lo, mid)
    haz = gompertz_hazard(ages, makeham, 10**lo, c, infant)
    haz[-1] = max(haz[-1], 1.0)
    return haz


class Rates:
    """The demography's rates for one parameter set: yearly tables by single year of age
    (``annual_hazard``, ``p_death``, ``asfr``, ``p_birth``, ``p_out``, ``p_move``), the
    immigrants' age distribution (``in_age_weights``, ``in_age_cdf``) and rate per resident
    (``in_rate``), and the monthly tables by (sex, age in completed months), flattened
    (``m_death``, ``m_out``, ``m_move``, ``m_birth``; cumulative ``m_leave`` = death +
    emigration and ``m_event`` = + a move, for the one uniform draw that decides)."""

    def __init__(self, p) -> None:
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
        shape = np.exp(-0.5 * ((ages + 0.5 - p.mean_age_at_birth) / FERTILITY_SD) ** 2)
        shape[(ages < FERTILE_AGES[0]) | (ages > FERTILE_AGES[1])] = 0.0
        self.asfr = tfr * shape / shape.sum()  # births per woman and year, by age
        self.p_birth = (self.asfr / 12.0).astype(np.float32)

        profile = migration_profile()
        structure = np.concatenate((age_structure(), np.zeros(MAX_AGE + 1 - 100)))
        profile = profile / float(np.dot(profile, structure))  # population mean = 1
        young = (ages >= YOUNG_OUT_MIGRATION_AGES[0]) & (ages <= YOUNG_OUT_MIGRATION_AGES[1])
        out = p.out_migration_rate * profile
        out[young] *= 1.0 + pressure * p.pressure_young_out_migration
        self.p_out = (out / 12.0).astype(np.float32)
        self.p_move = (p.internal_move_rate * profile / 12.0).astype(np.float32)
        inflow = profile * structure
        inflow[ages < YOUNG_IN_MIGRATION_AGE] *= 1.0 - pressure * p.pressure_in_migration
        self.in_age_weights = inflow / inflow.sum()
        self.in_age_cdf = cdf_of(self.in_age_weights)
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


def cdf_of(p: np.ndarray) -> np.ndarray:
    """The cumulative distribution numpy's ``Generator.choice`` draws from, for ``p``."""
    cdf = p.cumsum()
    cdf /= cdf[-1]
    return cdf


def draw_from_cdf(cdf: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``rng.choice(len(cdf), n, p=p)`` for ``cdf = cdf_of(p)``: numpy's own
    algorithm (the same numbers from the same stream), without checking ``p`` each time."""
    return cdf.searchsorted(rng.random(n), side="right")
