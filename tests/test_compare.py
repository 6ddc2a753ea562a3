"""Paired evaluation: effects with intervals that narrow with more replications."""

import numpy as np

from kosi_sim.compare import compare, cost_effectiveness, replicate_seeds
from kosi_sim.scenario import resolve


def test_replicate_seeds_are_distinct_and_stable():
    a = replicate_seeds(7, 5)
    assert len(set(a)) == 5 and a == replicate_seeds(7, 5)
    assert replicate_seeds(7, 3) == a[:3]


def test_interval_narrows_as_replications_grow():
    """From 3 to 12 paired replications the 95% intervals narrow (the t quantile and
    1/sqrt(n) shrink them about fourfold); one indicator's three-replication spread can be
    small by chance, so the typical (median) indicator is checked."""
    scn = resolve("classroom_toolbox")
    widths = []
    for r in (3, 12):
        e = compare(scn, r, months=24).effects.set_index("indicator")
        widths.append(e["ci95_high"] - e["ci95_low"])
    ratio = (widths[1] / widths[0]).replace(np.inf, np.nan).dropna()
    assert len(ratio) >= 10
    assert ratio.median() < 0.7


def test_effects_table_and_costs():
    scn = resolve("classroom_toolbox")
    c = compare(scn, 3, months=24)
    e = c.effects.set_index("indicator")
    assert (e["ci95_low"] <= e["effect"]).all() and (e["effect"] <= e["ci95_high"]).all()
    assert np.isclose(e["with_lab"] - e["without_lab"], e["effect"]).all()
    ce = cost_effectiveness(c)
    assert ce["lab_cost_eur_per_year"] > 0
    assert set(c.over_time["indicator"]) == set(e.index)
