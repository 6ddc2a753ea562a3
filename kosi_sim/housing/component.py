"""Housing (ODD 7.2, housing): dwellings per district, the households living in them, and
who can move in.

Rules, per district ``d``:

* **Households.** Each resident is a share of a household by age (headship): 0 under 18,
  ``1 / household_size_adults`` at 18-64, ``1 / household_size_65plus`` at 65+.  The
  households that want a dwelling are ``H_d``, the sum over the residents, so households
  can rise while the population falls (M14).
* **Occupancy.** ``O_d = min(H_d, D_d)`` dwellings are occupied; vacancy ``1 - O_d / D_d``
  lies in [0, 1] by construction.  Households beyond the stock (``H_d - O_d``, young adults
  who cannot leave home, people sharing) are the housing shortage.
* **Arrivals need a free dwelling.** Immigrants and movers between districts look for a
  district in proportion to its free dwellings times their age group's affinity to it
  (:func:`allocate`); a district takes arrivals only while its free dwellings (those empty
  at the start of the month plus those left by this month's deaths, emigrants and movers)
  cover their headship.  Who finds nothing tries other districts; an immigrant who finds
  no dwelling anywhere does not come, a mover stays.  Tight districts so push movers
  elsewhere and a full city limits in-migration.
* **Affinity.** A district's housing (family houses, small flats in the centre, ...) keeps
  attracting the age groups that live there: the affinity of age group ``b`` to district
  ``d`` is ``(s_bd / s_b) ** residential_sorting``, the district's share of the group at
  the start over the city's.  0 switches sorting off.
* **Stock.** Once a year the stock moves towards the normal vacancy band
  ``[vacancy_band_low, vacancy_band_high]``: with ``v = 1 - H / D`` (negative in a
  shortage), ``v* = clip(v, low, high)`` and ``g = [v < low] max(0, H - H_last_year)``,
  ``D += housing_adjustment_rate * (H / (1 - v*) - D) + g / (1 - v*)``:
  builders close part of the gap and, in a tight market, follow last year's growth of
  households (without that term a steadily growing city would lag behind by its growth
  over the adjustment rate for ever); shrinking demand is met by demolition only through
  the gap, since dwellings are demolished reluctantly.  At most ``max_construction_rate * D`` is
  built and ``max_demolition_rate * D`` demolished a year.
"""

from __future__ import annotations

import numpy as np

from .. import ruleset
from ..census import ADULTS_18_64, AGE_65PLUS
from ..parameters import OwnSection, Param, Section
from . import kernels
from . import rules as numpy_rules

SECTION = Section(
    "housing",
    "Households, dwellings and who can move in",
    [
        Param(
            "household_size_adults",
            1.75,
            "adults/household",
            "Adults 18-64 per household (children live with them)",
            "assumption: gives about 2 persons per household; NRW has 1.9 persons per "
            "dwelling (IT.NRW, housing stock 2024)",
            (1.0, 4.0),
        ),
        Param(
            "household_size_65plus",
            1.45,
            "persons/household",
            "Persons 65+ per household (older people more often live alone)",
            ("IT.NRW, Mikrozensus 2020: people 65+ living alone (via Volksstimme 09/2021)"),
            (1.0, 3.0),
        ),
        Param(
            "housing_adjustment_rate",
            0.1,
            "1/year",
            "Share of the gap to the normal vacancy band closed by building or demolition",
            "assumption: planning and building take years (a lag of about ten years); "
            "unsure by a factor of 2",
            (0.0, 1.0),
        ),
        Param(
            "vacancy_band_low",
            0.02,
            "share",
            "Vacancy below which the city builds (the fluctuation reserve a market needs)",
            "assumption: a fluctuation reserve of 2-3% is the usual planning figure",
            (0.0, 0.2),
        ),
        Param(
            "vacancy_band_high",
            0.08,
            "share",
            "Vacancy above which dwellings are demolished (Stadtumbau)",
            "assumption: vacancy of 8-10% counts as structural; unsure by about 0.03",
            (0.0, 0.5),
        ),
        Param(
            "max_construction_rate",
            0.011,
            "1/year",
            "Most dwellings built in a year, as a share of the stock",
            "derived: the highest NRW completion rate 2023, Münster's 54 per 10,000 "
            "inhabitants at about 1.9 persons per dwelling (IT.NRW); NRW on average "
            "48,148 on 9.3 m dwellings, about 0.5%",
            (0.0, 0.1),
        ),
        Param(
            "max_demolition_rate",
            0.01,
            "1/year",
            "Most dwellings demolished in a year, as a share of the stock",
            "derived: Stadtumbau Ost demolished 337,785 dwellings in 2002-2014 (Süddeutsche "
            "Zeitung 2016), about 0.3% a year of an East German stock of which 1.3 m, one "
            "sixth, stood empty (Bauwelt); the most shrinking towns demolished several times "
            "the average: 1% assumed as the limit, unsure by a factor of 2",
            (0.0, 0.1),
        ),
        Param(
            "residential_sorting",
            1.0,
            "exponent",
            "How strongly arrivals prefer districts where their age group lives (0 = not)",
            "assumption: keeps young centres young and suburbs older, as in German cities; "
            "unsure between 0.5 and 2",
            (0.0, 4.0),
        ),
    ],
)

#: age groups for residential choice: children (with their families), young adults,
#: adults, older people
CHILDREN, YOUNG_ADULTS, ADULTS, OLDER = 0, 1, 2, 3
N_GROUPS = 4
_GROUP_START_YEARS = (18, 35, 65)


def age_group(age_m: np.ndarray) -> np.ndarray:
    """0 under 18, 1 at 18-34, 2 at 35-64, 3 at 65+ (from the age in months)."""
    group = np.zeros(len(age_m), dtype=np.int8)
    for start in _GROUP_START_YEARS:
        group += age_m >= start * 12
    return group


def headship(age_m: np.ndarray, p) -> np.ndarray:
    """Each person's share of a household: 0 under 18, ``1 / household_size_adults`` at
    18-64, ``1 / household_size_65plus`` at 65+."""
    adult, older = 1.0 / p.household_size_adults, 1.0 / p.household_size_65plus
    return np.array([0.0, adult, adult, older])[age_group(age_m)]


def affinity(pop, n_districts: int, sorting: float) -> np.ndarray:
    """``affinity[group, district]``: the district's share of the age group over the
    city's, to the power ``sorting``.  Young adults' affinity is the inverse of older
    people's: districts with few older residents are those of small rented flats and high
    turnover that newcomers and students move to (an assumption: district files declare
    only the shares under 18 and 65+)."""
    counts = np.zeros((N_GROUPS, n_districts))
    living = pop.alive
    np.add.at(counts, (age_group(pop.age_m[living]), pop.district[living]), 1.0)
    district_share = counts / np.maximum(counts.sum(axis=0, keepdims=True), 1.0)
    city_share = counts.sum(axis=1, keepdims=True) / max(counts.sum(), 1.0)
    ratio = np.where(city_share > 0, district_share / np.maximum(city_share, 1e-12), 1.0)
    older = ratio[OLDER]
    ratio[YOUNG_ADULTS] = np.where(older > 0, 1.0 / np.maximum(older, 1e-12), 1.0)
    return np.clip(ratio, 0.0, 1e6) ** sorting


def allocate(
    need: np.ndarray,
    group: np.ndarray,
    origin: np.ndarray,
    free: np.ndarray,
    affinity: np.ndarray,
    rng: np.random.Generator,
    rounds: int = 4,
    rules: str = ruleset.KERNELS,
) -> np.ndarray:
    """Destination districts of arrivals, within the free dwellings; -1 for those who find
    none.

    ``need``: each arrival's headship (dwellings needed); ``group``: her age group;
    ``origin``: her district (-1 for immigrants), never her destination; ``free``: free
    dwellings per district; ``affinity[group, district]``.  In each round everyone still
    looking draws a district in proportion to its remaining free dwellings times her
    affinity; districts take those who drew them in order (arrivals come in random order)
    while their need fits.  Those turned away draw again among the rest; the dwellings of
    movers who found one are free from the next round on.  ``rules``: the plain rule of
    taking arrivals in order (:func:`.rules.take_in_order`) or its fast path
    (:mod:`kosi_sim.ruleset`).
    """
    impl = ruleset.pick(rules, numpy_rules, kernels)
    need = np.asarray(need, dtype=np.float64)  # the kernel sums in double precision
    n, n_d = len(need), len(free)
    dest = np.full(n, -1, dtype=np.int64)
    left = np.maximum(free, 0.0).astype(float)
    looking = rng.permutation(n)
    for _ in range(rounds):
        if len(looking) == 0:
            break
        w = left[None, :] * affinity[group[looking]]
        movers = origin[looking] >= 0
        w[np.flatnonzero(movers), origin[looking][movers]] = 0.0
        cum = np.cumsum(w, axis=1)
        total = cum[:, -1]
        u = rng.random(len(looking)) * total
        choice = np.minimum(np.count_nonzero(cum <= u[:, None], axis=1), n_d - 1)
        choice[total <= 0.0] = -1
        taken = np.zeros(len(looking), dtype=bool)
        impl.take_in_order(
            choice=choice, need=need, looking=looking, left=left, dest=dest, taken=taken
        )
        # movers who found a dwelling leave theirs free for the next round
        gone = looking[taken & movers]
        np.add.at(left, origin[gone], need[gone])
        looking = looking[~taken]
    return dest


class Housing:
    """Dwellings per district and the households wanting them (simulated units)."""

    #: the parameters it reads: its own section only
    p = OwnSection(SECTION)

    def __init__(self, p, specs) -> None:
        self.p = p
        self.n = len(specs)
        self.vacancy0 = np.array([s.housing_vacancy for s in specs])
        self.dwellings = np.zeros(self.n)
        self.households = np.zeros(self.n)  # households wanting a dwelling (demand)
        self.households_last_year = np.zeros(self.n)
        self.affinity = np.ones((N_GROUPS, self.n))

    def headship(self, age_m: np.ndarray) -> np.ndarray:
        """Each person's share of a household at her age (:func:`headship`)."""
        return headship(age_m, self.p)

    def count_households(self, census) -> np.ndarray:
        """Households per district from the census (the shares of :func:`headship`)."""
        p = self.p
        return (
            census.count(band=ADULTS_18_64) / p.household_size_adults
            + census.count(band=AGE_65PLUS) / p.household_size_65plus
        )

    def init(self, census, pop) -> None:
        """The stock at the declared vacancy, and each age group's affinity to each
        district from the initial population."""
        self.households = self.count_households(census)
        self.dwellings = self.households / (1.0 - self.vacancy0)
        self.households_last_year = self.households.copy()
        self.affinity = affinity(pop, self.n, self.p.residential_sorting)

    def update_households(self, census) -> None:
        self.households = self.count_households(census)

    def occupied(self) -> np.ndarray:
        return np.minimum(self.households, self.dwellings)

    def vacant_dwellings(self) -> np.ndarray:
        """Free dwellings (never negative)."""
        return self.dwellings - self.occupied()

    def shortage(self) -> np.ndarray:
        """Households without a dwelling of their own (never negative)."""
        return self.households - self.occupied()

    def vacancy(self) -> np.ndarray:
        out = np.zeros(self.n)
        np.divide(self.vacant_dwellings(), self.dwellings, out=out, where=self.dwellings > 0)
        return out

    def adjust_stock(self) -> None:
        """Yearly building and demolition towards the normal vacancy band, within the
        largest yearly rates."""
        p = self.p
        v = np.zeros(self.n)
        np.divide(self.dwellings - self.households, self.dwellings, out=v, where=self.dwellings > 0)
        low, high = p.vacancy_band_low, max(p.vacancy_band_low, p.vacancy_band_high)
        target = 1.0 - np.clip(v, low, high)
        growth = np.maximum(self.households - self.households_last_year, 0.0) * (v < low)
        change = p.housing_adjustment_rate * (self.households / target - self.dwellings)
        change += growth / target
        change = np.clip(
            change,
            -p.max_demolition_rate * self.dwellings,
            p.max_construction_rate * self.dwellings,
        )
        self.dwellings = np.maximum(self.dwellings + change, 0.0)
        self.households_last_year = self.households.copy()
