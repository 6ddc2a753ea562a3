"""The census: the metrics' batched counts are the one-at-a-time counts."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.census import Census, cell_masks
from kosi_sim.metrics import COUNTS, INDEX, compute
from kosi_sim.model import CityModel


@pytest.fixture
def small_model(small_scenario):
    return CityModel(small_scenario)


def test_batched_counts_equal_single_counts(small_model):
    small_model.run(4)
    cen = small_model.census
    batched = cen.counts_of(cell_masks(tuple(COUNTS.values())))
    for j, selection in enumerate(COUNTS.values()):
        single = cen.count(**selection)
        assert np.array_equal(batched[:, j], single.astype(float)), selection


def test_census_counts_the_living_by_district(small_model):
    small_model.run(2)
    pop = small_model.pop
    cen = Census(pop, small_model.params.willing_cutoff)
    assert np.array_equal(cen.count(), pop.per_district())
    adults = pop.alive & (pop.age_m >= 18 * 12) & (pop.age_m < 65 * 12)
    expected = np.bincount(pop.district[adults], minlength=small_model.n_districts)
    assert np.array_equal(cen.count(band=[2, 3, 4]), expected)


def test_metric_ratios_are_district_ratios_and_city_ratio_of_sums(small_model):
    small_model.run(3)
    out = compute(small_model)
    pop = small_model.pop
    n14 = np.bincount(pop.district[pop.alive & (pop.age_m >= 14 * 12)], minlength=3)[:3]
    eng = np.bincount(pop.district[pop.alive & pop.engaged & (pop.age_m >= 14 * 12)], minlength=3)
    row = out[INDEX["engaged_share"]]
    assert np.array_equal(row[:-1], eng[:3] / n14)
    assert row[-1] == eng[:3].sum() / n14.sum()
    assert np.array_equal(out[INDEX["population"]], [*pop.per_district(), pop.n_alive])


def test_unknown_census_axis_is_refused():
    with pytest.raises(KeyError, match="allowed"):
        cell_masks(({"age": 3},))


def test_count_takes_lists_tuples_ints_and_arrays_alike(small_model):
    cen = small_model.census
    expected = cen.count(band=[5, 6], eng=[1, 2, 3])
    assert np.array_equal(cen.count(band=(5, 6), eng=(1, 2, 3)), expected)
    assert np.array_equal(cen.count(band=np.array([5, 6]), eng=slice(1, None)), expected)
    assert np.array_equal(cen.count(band=(5, 6), eng=(1, 2, 3)), expected)  # cached
    assert np.array_equal(cen.count(band=6) + cen.count(band=5), cen.count(band=(5, 6)))
