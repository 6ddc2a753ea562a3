"""Every declared value runs cleanly: each parameter at both ends of its range, and random
parameter vectors drawn across all ranges, keep every invariant of the state over a short
run of a tiny town (:mod:`kosi_sim.invariants`).

These are the model cases that also run with numba's bounds checking switched on
(``test_memory_safety.py``), so that a value that makes a kernel index past an array fails
here instead of corrupting memory.
"""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kosi_sim.catalog import CATALOG
from kosi_sim.interventions.base import BUDGET, STAFF
from kosi_sim.interventions.registry import REGISTRY
from kosi_sim.invariants import violations
from kosi_sim.model import CityModel
from kosi_sim.scenario import ScenarioError, from_dict

pytestmark = [pytest.mark.boundscheck, pytest.mark.usefixtures("one_thread")]

TINY = {
    "name": "tiny",
    "description": "two small districts for parameter extremes",
    "seed": 5,
    "years": 1,
    "scale": 1.0,
    "districts": [
        {"name": "A", "population": 700, "share_65plus": 0.3},
        {"name": "B", "population": 500, "share_under18": 0.2, "remoteness": 0.6},
    ],
    "simulation": {"spinup_months": 3},
}
MONTHS = 14  # crosses a new year (yearly updates) and a compaction


def _ends(p) -> list:
    """The values at the ends of a parameter's range (both values of a switch, every
    choice of a text)."""
    if p.kind is bool:
        return [False, True]
    if p.choices is not None:
        return list(p.choices)
    return list(p.bounds)


def _run(doc: dict) -> list[str]:
    """Run ``doc`` for MONTHS months; every invariant broken in any month."""
    model = CityModel(from_dict(doc, "extremes"))
    broken: set[str] = set()
    for _ in range(MONTHS):
        model.step()
        broken.update(violations(model))
    return sorted(broken)


def _toolbox(**instrument_changes) -> dict:
    """TINY with all ten instruments at their defaults and a modest budget each."""
    doc = copy.deepcopy(TINY)
    doc["interventions"] = [
        {"type": kind, "budget_eur_per_year": 5000, "staff_fte": 0.2}
        | instrument_changes.get(kind, {})
        for kind in REGISTRY
    ]
    return doc


CORE_CASES = [
    (sec.name, p.name, v) for sec in CATALOG.sections for p in sec.params for v in _ends(p)
]
INSTRUMENT_CASES = [
    (kind, p.name, v) for kind, cls in REGISTRY.items() for p in cls.params for v in _ends(p)
] + [
    (kind, key, v)
    for kind in REGISTRY
    for key, decl in ((BUDGET.name, BUDGET), (STAFF.name, STAFF))
    for v in decl.bounds
]


@pytest.mark.parametrize(("section", "name", "value"), CORE_CASES)
def test_every_parameter_at_both_ends_keeps_the_invariants(section, name, value):
    doc = copy.deepcopy(TINY)
    doc.setdefault(section, {})[name] = value
    try:
        broken = _run(doc)
    except ScenarioError as e:  # a value refused together with the others: a clean error
        assert "\n" not in str(e)
        return
    assert broken == []


@pytest.mark.parametrize(("kind", "name", "value"), INSTRUMENT_CASES)
def test_every_instrument_parameter_at_both_ends_keeps_the_invariants(kind, name, value):
    assert _run(_toolbox(**{kind: {name: value}})) == []


def _vector(draw_fraction: list[float]) -> dict:
    """A scenario whose every core parameter sits at the given fractions of its range
    (fractions 0 and 1 are the ends; texts and switches pick by the fraction)."""
    doc = copy.deepcopy(TINY)
    params = [(sec.name, p) for sec in CATALOG.sections for p in sec.params]
    for (section, p), f in zip(params, draw_fraction, strict=True):
        if p.name == "spinup_months":
            continue  # a technical setting; its ends are covered above
        if p.kind is bool or p.choices is not None:
            options = _ends(p)
            value = options[min(int(f * len(options)), len(options) - 1)]
        else:
            lo, hi = p.bounds
            value = lo + f * (hi - lo)
            value = min(max(math.floor(value) if p.kind is int else value, lo), hi)
        doc.setdefault(section, {})[p.name] = value
    return doc


N_CORE = sum(len(sec.params) for sec in CATALOG.sections)
FRACTION = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRACTION, min_size=N_CORE, max_size=N_CORE))
def test_random_parameter_vectors_keep_the_invariants(fractions):
    """All core parameters drawn at once across their ranges (ends included)."""
    doc = _vector(fractions)
    try:
        broken = _run(doc)
    except ScenarioError as e:
        assert "\n" not in str(e)
        return
    assert broken == []
