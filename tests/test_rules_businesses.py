"""Businesses (ODD 7.6): the compiled partner draw and CSR sums give the same bits as the
plain numpy rules (kosi_sim/agents/businesses/rules.py), and the rules give known answers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kosi_sim.agents.businesses import kernels, rules
from tests.rules_util import assert_same


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60), st.integers(1, 5))
def test_partners_and_csr_sums_equal_the_rules(seed, n, n_groups):
    """Random districts and CSR propensities (some zero, district 0 without any): the
    kernels give the rules' bits; the sums are ``np.bincount`` with weights and districts
    without CSR get no partner."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, n_groups, n).astype(np.int16)
    weight = np.where(rng.random(n) < 0.3, 0.0, rng.random(n)).astype(np.float32)
    weight[group == 0] = 0.0
    rows = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[rows], np.arange(n_groups + 1))
    sums, _ = assert_same(
        rules.group_sums, kernels.group_sums, values=weight, rows=rows, bounds=bounds
    )
    np.testing.assert_array_equal(sums, np.bincount(group, weights=weight, minlength=n_groups))
    asked = rng.integers(0, n_groups, 25).astype(np.int16)
    got, _ = assert_same(
        rules.pick_by_weight,
        kernels.pick_by_weight,
        rows=rows,
        bounds=bounds,
        weight=weight,
        group=asked,
        u=rng.random(25),
    )
    assert (got[asked == 0] == -1).all()
    assert (group[got[got >= 0]] == asked[got >= 0]).all() and (weight[got[got >= 0]] > 0).all()


@pytest.mark.parametrize("module", [rules, kernels])
def test_a_partner_is_drawn_in_proportion_to_csr(module):
    """District 0: businesses 0, 1, 2 with CSR 1, 0, 3; district 1: business 3 without
    CSR.  A draw up to 1/4 picks business 0, above it business 2, never 1; district 1
    gets none."""
    got = module.pick_by_weight(
        rows=np.array([0, 1, 2, 3]),
        bounds=np.array([0, 3, 4]),
        weight=np.float32([1.0, 0.0, 3.0, 0.0]),
        group=np.int16([0, 0, 0, 0, 1]),
        u=np.array([0.0, 0.25, 0.26, 0.999, 0.5]),
    )
    assert got.tolist() == [0, 0, 2, 2, -1]
