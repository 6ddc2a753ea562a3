"""A settled start (issue 18, part 4): at pressure 0 without a lab the main indicators stay
in the band of :mod:`kosi_sim.settled` over 20 years (mean of a few seeds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kosi_sim.model import CityModel
from kosi_sim.scenario import load_builtin
from kosi_sim.settled import SETTLED_BANDS, indicators, outside_band, settled_drift

SEEDS = (1, 2, 3)
#: the producing stock of a town of 50,000 is a few dozen initiatives, filled from about
#: 37 proposals a spin-up year: one run's start is 30% off the mean of many (sd, 12
#: seeds), so its band is judged on the mean of twelve runs
MANY_SEEDS = tuple(range(1, 13))
MONTHS = 240


def _runs(name: str, seeds: tuple[int, ...] = SEEDS, **params) -> pd.DataFrame:
    scenario = (
        load_builtin(name)
        .without_interventions()
        .with_params({"demographic_pressure": 0.0, **params})
    )
    frames = []
    for seed in seeds:
        model = CityModel(scenario, rng=seed)
        model.run(MONTHS)
        frames.append(model.metrics_frame().assign(run=seed))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module", params=["baseline", "classroom", "rural_region"])
def drift(request, one_thread):
    return request.param, settled_drift(_runs(request.param))


def test_engagement_and_vereine_stay_in_band(drift):
    name, d = drift
    assert outside_band(d, ["engaged_share", "associations_per_1000"]) == {}, name


def test_producing_initiatives_stay_in_band_without_the_need_driver(one_thread):
    """The producing stock starts where its flows hold it (ODD 3.3) and no stock behind it
    grows for ever (Verein funds stop at their reserve, 7.5).  What moves it is the need
    driver: as the city ages its care gap grows and ideas follow the gap (``need_weight``),
    so with the driver on the baseline's approvals rise by a fifth from year 6 and the stock
    with them (up to +20%, mean of 12 seeds); with ideas that ignore the gap it stays in its
    band (as trust and coverage without the fiscal driver)."""
    d = settled_drift(_runs("baseline", MANY_SEEDS, need_weight=0.0))
    assert outside_band(d, ["initiatives_producing_per_100k"]) == {}


def test_producing_initiatives_of_small_towns(drift, request):
    name, d = drift
    if name == "baseline":
        pytest.skip("judged on twelve runs without the need driver (above)")
    request.applymarker(
        pytest.mark.xfail(
            strict=True,
            reason="small numbers, not a drift that can be told apart: the classroom town "
            "approves about one initiative a year and starts with 4.8 producing ones (mean "
            "of 30 seeds, sd 5.0, 0 to 21); rural_region starts with about 12 (one run's start "
            "is 40% off the mean of 12 seeds, sd), and even the mean of 12 runs moves between "
            "-16% and +24% of its start; a +-15% band cannot be checked on three runs",
        )
    )
    assert outside_band(d, ["initiatives_producing_per_100k"]) == {}, name


def test_trust_and_coverage_stay_in_band_without_the_fiscal_driver(one_thread):
    """Trust follows coverage, and coverage falls with the service budget of a shrinking
    city whose costs are sticky; with costs that shrink with the population the rest (the
    older population's care need) keeps both in their band."""
    d = settled_drift(_runs("baseline", fixed_cost_share=0.0))
    assert outside_band(d, ["trust_share", "coverage_mean"]) == {}


# -- the band arithmetic on a hand-built table ---------------------------------------------
def _table(values: dict[str, np.ndarray], runs: int = 1) -> pd.DataFrame:
    months = len(next(iter(values.values())))
    rows = [
        (run, m, "city", metric, series[m])
        for run in range(runs)
        for metric, series in values.items()
        for m in range(months)
    ]
    return pd.DataFrame(rows, columns=["run", "month", "district", "metric", "value"])


def _flat(months: int = 25) -> dict[str, np.ndarray]:
    one = np.ones(months)
    return {
        "engaged_share": 0.36 * one,
        "initiatives_active": 10.0 * one,
        "associations": 70.0 * one,
        "population": 10_000.0 * one,
        "trust_share": 0.45 * one,
        "coverage_mean": 1.0 * one,
    }


def test_indicators_are_per_inhabitant():
    ind = indicators(_table(_flat()))
    assert ind["initiatives_producing_per_100k"].iloc[0] == pytest.approx(100.0)
    assert ind["associations_per_1000"].iloc[0] == pytest.approx(7.0)


def test_a_flat_run_is_settled_and_a_doubling_stock_is_not():
    values = _flat()
    assert outside_band(settled_drift(_table(values, runs=2))) == {}
    values["initiatives_active"] = np.linspace(10.0, 20.0, 25)
    out = outside_band(settled_drift(_table(values)))
    assert set(out) == {"initiatives_producing_per_100k"}
    assert out["initiatives_producing_per_100k"] > SETTLED_BANDS["initiatives_producing_per_100k"]


def test_drift_is_by_year_from_month_0():
    values = _flat()
    values["population"] = np.r_[10_000.0, np.full(12, 10_000.0), np.full(12, 8_000.0)]
    d = settled_drift(_table(values))
    assert list(d.index) == [0, 1]
    assert d.loc[0, "associations_per_1000"] == pytest.approx(0.0)
    assert d.loc[1, "associations_per_1000"] == pytest.approx(0.25)


# -- Verein funds have a steady state --------------------------------------------------------
def test_verein_funds_stop_at_their_reserve(one_thread):
    """A Verein keeps at most ``reserve_months`` of its dues (the rest is spent on its own
    activities), so its funds and its gifts to initiative partners cannot grow for ever;
    with no reserve it keeps nothing."""
    scenario = load_builtin("classroom").without_interventions()
    for reserve in (0.0, 3.0):
        model = CityModel(scenario.with_params({"reserve_months": reserve}), rng=1)
        a, p = model.associations, model.params
        for _ in range(12):
            a.step(model)  # members are counted first, then the funds move
            live = a.live
            cap = reserve * p.dues_per_member * a.members[live]
            assert np.all(a.funds[live] <= cap + 1e-9)
        capped = np.isclose(a.funds[live], cap) & (cap > 0)
        assert reserve == 0.0 or capped.any()  # a Verein with dues above its costs reaches it
