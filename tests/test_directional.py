"""Directional effects in a small town, on common random numbers (same seeds)."""

import numpy as np
import pytest

from kosi_sim.model import CityModel

SEEDS = (1, 2)
MONTHS = 60


def _runs(**params):
    out = []
    for seed in SEEDS:
        m = CityModel("classroom", rng=seed, **params)
        m.run(MONTHS)
        out.append(m)
    return out


@pytest.fixture(scope="module")
def pressure_pair():
    return _runs(demographic_pressure=0.0), _runs(demographic_pressure=1.0)


@pytest.fixture(scope="module")
def engagement_pair():
    return _runs(civic_engagement=0.7), _runs(civic_engagement=1.5)


def _latest(models, name):
    return np.mean([m.recorder.latest(name) for m in models])


def test_pressure_makes_the_town_older_and_smaller(pressure_pair):
    low, high = pressure_pair
    assert _latest(high, "share_65plus") > _latest(low, "share_65plus")
    assert _latest(high, "population") < _latest(low, "population")


def test_pressure_means_fewer_engaged_citizens(pressure_pair):
    low, high = pressure_pair
    assert np.mean([m.pop.engaged.sum() for m in high]) < np.mean(
        [m.pop.engaged.sum() for m in low]
    )


def test_pressure_strains_the_budget_and_services(pressure_pair):
    low, high = pressure_pair
    assert _latest(high, "fiscal_stress") > _latest(low, "fiscal_stress")
    assert _latest(high, "coverage_mean") < _latest(low, "coverage_mean")


def test_civic_engagement_means_more_initiatives_and_coverage(engagement_pair):
    low, high = engagement_pair
    started = lambda ms: sum(m.recorder.series("initiatives_started").sum() for m in ms)  # noqa: E731
    assert started(high) > started(low)
    assert _latest(high, "engaged_share") > _latest(low, "engaged_share")

    def coverage(ms):
        return np.mean([m.recorder.series("coverage_mean")[-12:].mean() for m in ms])

    assert coverage(high) > coverage(low)
