"""Outputs: one registry of metrics, computed per district and for the city every month.

Each metric has a name, a unit and a meaning; :func:`compute` returns all of them as an
array of shape (metrics, districts + 1), the last column being the whole city.  Shares are
computed from per-district numerators and denominators, so the city value is the true
city-wide share, not a mean of district shares.  Metrics that only exist for the city
(the budget, the spread across districts) are NaN for districts and left out of the tidy
table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .agents.initiatives import GATE, PRODUCING, in_stages
from .census import (
    ADULTS_18_64,
    AGE_14PLUS,
    AGE_65PLUS,
    AGE_80PLUS,
    CHILDREN,
    ENGAGED,
    cell_masks,
)
from .districts import CITY
from .services import SERVICE_DOMAINS


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    doc: str
    city_only: bool = False


_M = Metric
METRICS: tuple[Metric, ...] = (
    _M("population", "persons", "Inhabitants (for the real city: simulated / scale)"),
    _M("share_0_17", "share", "Share aged 0-17"),
    _M("share_18_64", "share", "Share aged 18-64"),
    _M("share_65plus", "share", "Share aged 65+"),
    _M("share_80plus", "share", "Share aged 80+"),
    _M("births", "persons/month", "Births this month"),
    _M("deaths", "persons/month", "Deaths this month"),
    _M("in_migration", "persons/month", "Arrivals from outside the city"),
    _M("out_migration", "persons/month", "Departures to outside the city"),
    _M("moves_in", "persons/month", "Arrivals from other districts"),
    _M("moves_out", "persons/month", "Departures to other districts"),
    _M("engaged_share", "share of 14+", "Engaged (volunteering) share of people aged 14+"),
    _M("engaged_citizens", "persons", "Engaged citizens (all ages)"),
    _M("engaged_share_14_29", "share", "Engaged share, ages 14-29"),
    _M("engaged_share_30_49", "share", "Engaged share, ages 30-49"),
    _M("engaged_share_50_64", "share", "Engaged share, ages 50-64"),
    _M("engaged_share_65plus", "share", "Engaged share, ages 65+"),
    _M("hours_mean", "h/week per engaged", "Mean volunteer hours per week among the engaged"),
    _M("hours_share_upto2", "share of engaged", "Engaged giving up to 2 h a week"),
    _M("hours_share_3to5", "share of engaged", "Engaged giving 3-5 h a week"),
    _M("hours_share_6plus", "share of engaged", "Engaged giving 6 h or more a week"),
    _M("volunteer_hours", "h/week", "Total volunteer hours per week"),
    _M("willing_share", "share of 14+", "Willing to engage, the engaged included"),
    _M("willing_inactive_share", "share of 14+", "Willing but not engaged"),
    _M("burnout_mean", "0..1", "Mean burnout among the engaged"),
    _M("trust_share", "share of 14+", "Trusting the city administration (trust >= 0.5)"),
    _M("associations", "count", "Vereine"),
    _M("association_members", "persons", "Members of Vereine"),
    _M("associations_founded", "count/month", "Vereine founded this month", True),
    _M("associations_dissolved", "count/month", "Vereine dissolved this month", True),
    _M("businesses", "count", "Business establishments"),
    _M("initiatives_active", "count", "Initiatives producing services (active or sustained)"),
    *(
        _M(f"initiatives_active_{d}", "count", f"Producing initiatives in {d}")
        for d in SERVICE_DOMAINS
    ),
    _M("initiatives_in_pipeline", "count", "Ideas, proposals and initiatives at the gate"),
    _M("initiatives_started", "count/month", "Initiatives approved and started", True),
    _M("initiatives_sustained", "count/month", "Initiatives reaching the sustained stage", True),
    _M("initiatives_failed", "count/month", "Active initiatives that failed", True),
    _M("ideas", "count/month", "New public-interest ideas", True),
    _M("proposals", "count/month", "Ideas taken up as proposals", True),
    _M("approved", "count/month", "Proposals approved at the gate", True),
    _M("rejected", "count/month", "Proposals rejected at the gate", True),
    _M("gate_lead_time", "months", "Mean waiting time of proposals decided this month", True),
    *(
        _M(
            f"coverage_{d}",
            "supply/demand",
            f"Service coverage in {d} (supply / need; 1 = needs met)",
        )
        for d in SERVICE_DOMAINS
    ),
    _M("coverage_mean", "supply/demand", "Demand-weighted coverage over the four domains"),
    _M(
        "coverage_spread", "supply/demand", "Std. deviation of mean coverage across districts", True
    ),
    _M("housing_vacancy", "share", "Vacant dwellings"),
    _M("housing_shortage", "share", "Households without a dwelling of their own"),
    _M("dwellings", "count", "Dwellings"),
    _M("households", "count", "Households wanting a dwelling"),
    _M("premises_vacancy", "share", "Vacant business premises"),
    _M("budget_revenue", "EUR/month", "Municipal revenue", True),
    _M("budget_balance", "EUR/month", "Municipal budget balance (negative = deficit)", True),
    _M(
        "deficit_per_inhabitant",
        "EUR/inhabitant/year",
        "Municipal deficit per inhabitant at this month's rate (negative = surplus)",
        True,
    ),
    _M("service_budget", "EUR/month", "Budget for the co-produced services", True),
    _M("fiscal_stress", "0..1", "Cut of the service budget due to deficits", True),
    _M("lab_spending", "EUR/month", "Spending of all lab instruments (money and staff)", True),
)
CITY_METRICS = METRICS
INDEX = {m.name: i for i, m in enumerate(METRICS)}
#: units of totals over the simulated citizens (persons, organisations, initiatives, euros,
#: hours): a model at ``scale`` s simulates s of the city, so these are reported for the real
#: city divided by s
COUNT_UNITS = frozenset({"persons", "persons/month", "count", "count/month", "EUR/month", "h/week"})
#: units of shares, means, ratios and indices: the same for the sample and the city
INTENSIVE_UNITS = frozenset(
    {
        "share",
        "share of 14+",
        "share of engaged",
        "h/week per engaged",
        "0..1",
        "supply/demand",
        "months",
        "EUR/inhabitant/year",
    }
)
#: metrics reported for the real city (/ scale): every metric whose unit is a count
SCALED = frozenset(m.name for m in METRICS if m.unit in COUNT_UNITS)


#: the census selections the metrics read (keywords of ``Census.count``), counted for
#: all of them in one product each month (:meth:`Census.counts_of`)
COUNTS: dict[str, dict] = {
    "population": {},
    "0_17": {"band": CHILDREN},
    "18_64": {"band": ADULTS_18_64},
    "65plus": {"band": AGE_65PLUS},
    "80plus": {"band": AGE_80PLUS},
    "14plus": {"band": AGE_14PLUS},
    "engaged_14plus": {"band": AGE_14PLUS, "eng": ENGAGED},
    "14_29": {"band": [1, 2]},
    "engaged_14_29": {"band": [1, 2], "eng": ENGAGED},
    "30_49": {"band": [3]},
    "engaged_30_49": {"band": [3], "eng": ENGAGED},
    "50_64": {"band": [4]},
    "engaged_50_64": {"band": [4], "eng": ENGAGED},
    "engaged_65plus": {"band": AGE_65PLUS, "eng": ENGAGED},
    "engaged": {"eng": ENGAGED},
    "upto2": {"eng": 1},
    "3to5": {"eng": 2},
    "6plus": {"eng": 3},
    "willing_14plus": {"band": AGE_14PLUS, "willing": 1},
    "unwilling_engaged_14plus": {"band": AGE_14PLUS, "willing": 0, "eng": ENGAGED},
    "willing_inactive_14plus": {"band": AGE_14PLUS, "willing": 1, "eng": 0},
    "trusting_14plus": {"band": AGE_14PLUS, "trusting": 1},
    "members": {"member": 1},
}
_COUNT_MASKS = cell_masks(tuple(COUNTS.values()))


def _totals(nums: list) -> np.ndarray:
    """One row per metric: the district values ``nums[i]`` and, last, their sum for the
    city (each row summed as on its own)."""
    num = np.array(nums, dtype=float)
    out = np.empty((len(num), num.shape[1] + 1))
    out[:, :-1] = num
    out[:, -1] = num.sum(axis=1)
    return out


def _ratios(nums: list, dens: list) -> np.ndarray:
    """One row per metric: the district ratios ``nums[i] / dens[i]`` and, last, the city's
    ratio of sums (NaN where a denominator is not positive)."""
    num = np.array(nums, dtype=float)
    den = np.array(dens, dtype=float)
    out = np.full((len(num), num.shape[1] + 1), np.nan)
    np.divide(num, den, out=out[:, :-1], where=den > 0)
    total = den.sum(axis=1)
    np.divide(num.sum(axis=1), total, out=out[:, -1], where=total > 0)
    return out


def compute(model) -> np.ndarray:
    """All metrics for the districts and the city, from the month's census and tables.

    The metrics are gathered as totals (district values and their city sum), ratios
    (district ratios and the city's ratio of sums) and city-only values, and each kind is
    written for all its metrics at once."""
    n = model.n_districts
    cen = model.census
    count = dict(zip(COUNTS, cen.counts_of(_COUNT_MASKS).T, strict=True))
    totals: dict[str, np.ndarray] = {}
    ratios: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    city: dict[str, float] = {}

    population = count["population"]
    totals["population"] = population
    for name in ("0_17", "18_64", "65plus", "80plus"):
        ratios[f"share_{name}"] = (count[name], population)
    totals.update(model.flows)
    n14 = count["14plus"]
    ratios["engaged_share"] = (count["engaged_14plus"], n14)
    for group in ("14_29", "30_49", "50_64", "65plus"):
        ratios[f"engaged_share_{group}"] = (count[f"engaged_{group}"], count[group])
    n_eng = count["engaged"]
    totals["engaged_citizens"] = n_eng
    ratios["hours_mean"] = (cen.hours, n_eng)
    for band in ("upto2", "3to5", "6plus"):
        ratios[f"hours_share_{band}"] = (count[band], n_eng)
    totals["volunteer_hours"] = cen.hours
    willing = count["willing_14plus"] + count["unwilling_engaged_14plus"]
    ratios["willing_share"] = (willing, n14)
    ratios["willing_inactive_share"] = (count["willing_inactive_14plus"], n14)
    ratios["burnout_mean"] = (cen.burnout_engaged, n_eng)
    ratios["trust_share"] = (count["trusting_14plus"], n14)

    a = model.associations
    totals["associations"] = np.bincount(a.district[a.live], minlength=n)[:n]
    totals["association_members"] = count["members"]
    city["associations_founded"] = a.founded_this_step
    city["associations_dissolved"] = a.dissolved_this_step
    totals["businesses"] = model.businesses.per_district()

    ini = model.initiatives
    prod = in_stages(ini.stage, PRODUCING)
    totals["initiatives_active"] = np.bincount(ini.district[prod], minlength=n)[:n]
    for k, d in enumerate(SERVICE_DOMAINS):
        sel = prod & (ini.domain == k)
        totals[f"initiatives_active_{d}"] = np.bincount(ini.district[sel], minlength=n)[:n]
    pipe = ini.stage <= GATE  # idea, proposal or at the gate
    totals["initiatives_in_pipeline"] = np.bincount(ini.district[pipe], minlength=n)[:n]
    ev = ini.events
    for name, key in (
        ("initiatives_started", "started"),
        ("initiatives_sustained", "sustained"),
        ("initiatives_failed", "failed"),
        ("ideas", "ideas"),
        ("proposals", "proposals"),
        ("approved", "approved"),
        ("rejected", "rejected"),
    ):
        city[name] = ev[key]
    city["gate_lead_time"] = np.mean(ini.lead_times) if ini.lead_times else np.nan

    s = model.services
    supply = s.coverage * s.demand
    for k, d in enumerate(SERVICE_DOMAINS):
        ratios[f"coverage_{d}"] = (supply[k], s.demand[k])
    ratios["coverage_mean"] = (supply.sum(0), s.demand.sum(0))
    city["coverage_spread"] = float(np.std(s.mean_coverage()))
    h = model.housing
    ratios["housing_vacancy"] = (h.vacant_dwellings(), h.dwellings)
    ratios["housing_shortage"] = (h.shortage(), h.households)
    totals["dwellings"] = h.dwellings
    totals["households"] = h.households
    pr = model.premises
    ratios["premises_vacancy"] = (pr.vacant(), pr.stock)
    adm = model.administration
    city["budget_revenue"] = adm.revenue
    city["budget_balance"] = adm.balance
    city["deficit_per_inhabitant"] = adm.deficit_per_inhabitant
    city["service_budget"] = adm.service_budget
    city["fiscal_stress"] = adm.stress
    city["lab_spending"] = adm.lab_spending

    out = np.full((len(METRICS), n + 1), np.nan)
    out[[INDEX[name] for name in totals]] = _totals(list(totals.values()))
    out[[INDEX[name] for name in ratios]] = _ratios(
        [num for num, _ in ratios.values()], [den for _, den in ratios.values()]
    )
    out[[INDEX[name] for name in city], -1] = list(city.values())
    return out


class MetricRecorder:
    """Keeps every month's metrics in memory (small: metrics x districts x months)."""

    def __init__(self, model) -> None:
        self.history: list[np.ndarray] = []
        self.months: list[int] = []

    def record(self, model) -> None:
        self.history.append(compute(model))
        self.months.append(model.month)

    def latest(self, name: str) -> float:
        value = self.history[-1][INDEX[name], -1]
        return float(value)

    def series(self, name: str, district: int | None = None) -> np.ndarray:
        col = -1 if district is None else district
        return np.array([h[INDEX[name], col] for h in self.history])

    def frame(self, model) -> pd.DataFrame:
        """Tidy long table: month, year, district, metric, value (real-city units)."""
        data = np.stack(self.history)  # (months, metrics, districts + 1)
        factor = np.array([1.0 / model.scale if m.name in SCALED else 1.0 for m in METRICS])
        data = data * factor[None, :, None]
        n_m, n_met, n_col = data.shape
        districts = [*model.district_names, CITY]
        df = pd.DataFrame(
            {
                "month": np.repeat(np.array(self.months, dtype=np.int32), n_met * n_col),
                "district": pd.Categorical(np.tile(districts, n_m * n_met), categories=districts),
                "metric": pd.Categorical(
                    np.tile(np.repeat([m.name for m in METRICS], n_col), n_m),
                    categories=[m.name for m in METRICS],
                ),
                "value": data.reshape(-1),
            }
        )
        df = df[df["value"].notna()].reset_index(drop=True)
        df.insert(1, "year", (df["month"] // 12).astype(np.int32))
        return df
