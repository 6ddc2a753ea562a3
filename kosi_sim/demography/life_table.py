"""Observed mortality of a run (ODD 7.2, checked in calibration): deaths and person-years
by sex and single year of age, and the period life expectancy they give."""

from __future__ import annotations

import numpy as np

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
