"""Demography (ODD 7.2): ageing, mortality, fertility, migration and moves between
districts.

* :mod:`.params`: the parameters of demography and of the drivers (ODD 7.1);
* :mod:`.rates`: the rates derived once from the parameters and the packaged data
  (Gompertz-Makeham mortality, fertility curve, migration age profile);
* :mod:`.rules`: the monthly draws in plain numpy; :mod:`.kernels`: their fast path;
* :mod:`.component`: :class:`Demography`, which requests the month's structural changes;
* :mod:`.life_table`: the mortality observed in a run.
"""

from .component import Demography, Requests
from .life_table import LifeTableTracker
from .params import PRESSURE, SECTION, SHARED
from .rates import (
    MAKEHAM,
    MAX_AGE,
    N_MONTHS,
    Rates,
    age_structure,
    gompertz_hazard,
    life_expectancy,
    migration_profile,
    reweighted_ages,
    solve_gompertz,
)

__all__ = [
    "MAKEHAM",
    "MAX_AGE",
    "N_MONTHS",
    "PRESSURE",
    "SECTION",
    "SHARED",
    "Demography",
    "LifeTableTracker",
    "Rates",
    "Requests",
    "age_structure",
    "gompertz_hazard",
    "life_expectancy",
    "migration_profile",
    "reweighted_ages",
    "solve_gompertz",
]
