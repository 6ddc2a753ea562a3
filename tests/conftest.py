"""Shared fixtures: a small town that builds and runs in well under a second."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from kosi_sim.model import CityModel
from kosi_sim.scenario import from_dict

SMALL = {
    "name": "small",
    "description": "test town",
    "seed": 3,
    "years": 3,
    "scale": 1.0,
    "districts": [
        {"name": "A", "population": 1500, "share_65plus": 0.25},
        {"name": "B", "population": 1200, "share_under18": 0.2, "share_65plus": 0.15},
        {"name": "C", "population": 800, "remoteness": 0.7},
    ],
    "simulation": {"spinup_months": 6},
}


def pytest_addoption(parser):
    parser.addoption(
        "--update-baselines",
        action="store_true",
        help="rewrite the exact regression baselines in tests/baselines/ from this code",
    )


@pytest.fixture
def small_doc():
    return copy.deepcopy(SMALL)


@pytest.fixture
def small_scenario(small_doc):
    return from_dict(small_doc, "small")


@pytest.fixture(scope="session")
def small_run():
    """One small model run for 36 months, shared by read-only tests."""
    model = CityModel(from_dict(copy.deepcopy(SMALL), "small"))
    model.run(36)
    return model


@pytest.fixture(scope="module")
def busy_city():
    """A small town after two years, with burnout, grant exposure, leaders and zero time
    budgets spread at random so that every branch of the engagement rules is taken (for
    comparing kernels with their rules; tests must not change it)."""
    model = CityModel(from_dict(copy.deepcopy(SMALL), "small"))
    model.run(24)
    pop, rng = model.pop, np.random.default_rng(7)
    pop.burnout[:] = rng.random(pop.n, dtype=np.float32) ** 2
    pop.grant_exposure[:] = np.where(rng.random(pop.n) < 0.3, rng.random(pop.n), 0)
    pop.leads[rng.random(pop.n) < 0.02] = True
    pop.time_budget[rng.random(pop.n) < 0.02] = 0.0
    return model


@pytest.fixture(scope="module")
def one_thread():
    """Run this module's kernels on one thread: small towns run faster so (two threads
    wait on each other more than they gain), and the results do not depend on it."""
    import numba

    from kosi_sim.jit import single_thread, threads

    before = threads()
    single_thread()
    yield
    numba.set_num_threads(before)
