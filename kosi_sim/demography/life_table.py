"""Observed mortality of a run (ODD 7.2, checked in calibration): deaths and person-years
by sex and single year of age, and the period life expectancy they give."""

from __future__ import annotations

import numpy as np

from ..jit import as_bytes, kernel
from .rates import MAX_AGE, life_expectancy


class LifeTableTracker:
    """Deaths and person-years by sex and single year of age, observed in a run.

    The period life expectancy computed from these occurrence/exposure rates checks that the
    *simulated* mortality (not just the input table) reproduces the target.
    """

    def __init__(self) -> None:
        self.deaths = np.zeros((2, MAX_AGE + 1))
        self.exposure = np.zeros((2, MAX_AGE + 1))

    def record(self, pop, deaths: np.ndarray) -> None:
        """Add a month: a twelfth of a person-year for everyone alive, and ``deaths`` (rows
        of the living who die this month) by sex and completed years of age."""
        alive, died = _counts(pop.sex, pop.age_m, as_bytes(pop.alive), deaths, MAX_AGE)
        self.exposure += alive / 12.0
        self.deaths += died

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


#: independent tallies, so that a row's count does not wait for the previous row's (mostly
#: the same cell)
_LANES = 4  # a power of two


@kernel
def _counts(sex, age_m, alive, deaths, max_age):
    """The living and the ``deaths`` rows counted by (sex, completed years of age, the
    oldest ``max_age`` and over together); whole numbers, so the same as numpy's bincounts.
    The living are counted by month of age without a branch (the dead add 0), then the
    months are added up into years."""
    months = max_age * 12 + 1  # the last month stands for max_age years and over
    by_month = np.zeros((_LANES, 2, months), dtype=np.int64)
    for r in range(len(sex)):
        by_month[r & (_LANES - 1), sex[r], min(age_m[r], months - 1)] += alive[r]
    alive_n = np.zeros((2, max_age + 1), dtype=np.int64)
    for lane in range(_LANES):
        for s in range(2):
            for m in range(months):
                alive_n[s, m // 12] += by_month[lane, s, m]
    died_n = np.zeros((2, max_age + 1), dtype=np.int64)
    for r in deaths:
        died_n[sex[r], min(age_m[r] // 12, max_age)] += 1
    return alive_n, died_n
