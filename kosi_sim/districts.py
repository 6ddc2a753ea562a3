"""Districts (Stadtbezirke) as a scenario declares them, and business premises and their
vacancy.  Dwellings and households are in :mod:`kosi_sim.housing`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
