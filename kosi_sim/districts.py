"""Districts (Stadtbezirke): housing stock, business premises and their vacancy.

Households are counted from the population with headship weights
(adults 18-64: ``1 / household_size_adults``; 65+: ``1 / household_size_65plus``), so the
number of households can rise while the population falls as the city ages (M14).
Dwellings start at ``households / (1 - housing_vacancy)``; each year the stock closes a share
``housing_adjustment_rate`` of its distance to a normal vacancy band of 2-8% (new building
when the market is tight, Stadtumbau demolition when vacancy is high; assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .census import ADULTS_18_64, AGE_65PLUS

#: the name of the whole city in the results tables (next to the districts' names)
CITY = "city"


@dataclass(frozen=True)
class DistrictSpec:
    """One district as given in a scenario file."""

    name: str
    population: int
    share_under18: float = 0.169  # Destatis 2023, Germany (derived)
    share_65plus: float = 0.223  # Destatis 2023, Germany
    housing_vacancy: float = 0.033  # Zensus 2022, NRW
    remoteness: float = 0.0  # 0 = urban core, 1 = remote village (assumption scale)


class Housing:
    """Dwellings per district and the households living in them."""

    def __init__(self, p, specs: list[DistrictSpec]) -> None:
        self.p = p
        self.n = len(specs)
        self.vacancy0 = np.array([s.housing_vacancy for s in specs])
        self.dwellings = np.zeros(self.n)
        self.households = np.zeros(self.n)

    def count_households(self, census) -> np.ndarray:
        c = census.count
        return (
            c(band=ADULTS_18_64) / self.p.household_size_adults
            + c(band=AGE_65PLUS) / self.p.household_size_65plus
        )

    def init(self, census) -> None:
        self.households = self.count_households(census)
        self.dwellings = self.households / (1.0 - self.vacancy0)

    def update_households(self, census) -> None:
        self.households = self.count_households(census)

    def vacant_dwellings(self) -> np.ndarray:
        return self.dwellings - self.households

    def vacancy(self) -> np.ndarray:
        return np.where(self.dwellings > 0, 1.0 - self.households / self.dwellings, 0.0)

    def adjust_stock(self) -> None:
        """Yearly building and demolition towards a 2-8% vacancy band."""
        v = self.vacancy()
        target = np.clip(v, 0.02, 0.08)
        wanted = self.households / (1.0 - target)
        self.dwellings += self.p.housing_adjustment_rate * (wanted - self.dwellings)


class Premises:
    """Business premises per district, used by businesses or lent to initiatives."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.stock = np.zeros(n)
        self.by_businesses = np.zeros(n)
        self.by_initiatives = np.zeros(n)

    def init(self, businesses_per_district: np.ndarray, vacancy: float) -> None:
        self.stock = np.ceil(businesses_per_district / (1.0 - vacancy))
        self.by_businesses = businesses_per_district.astype(float)

    def vacant(self) -> np.ndarray:
        return np.maximum(0.0, self.stock - self.by_businesses - self.by_initiatives)

    def vacancy(self) -> np.ndarray:
        return np.where(self.stock > 0, self.vacant() / self.stock, 0.0)
