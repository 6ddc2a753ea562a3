"""Paired evaluation: effects with intervals that narrow with more replications."""

import numpy as np
import pandas as pd
import pytest

from kosi_sim.compare import (
    CLEAR_DECREASE,
    CLEAR_INCREASE,
    UNCLEAR,
    Comparison,
    compare,
    cost_effectiveness,
    replicate_seeds,
    verdict,
)
from kosi_sim.scenario import from_dict, resolve


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
    ce = cost_effectiveness(c).set_index("measure")
    assert ce.at["lab_cost_eur_per_year", "value"] > 0
    assert set(c.over_time["indicator"]) == set(e.index)
    assert set(e["verdict"]) <= {CLEAR_INCREASE, CLEAR_DECREASE, UNCLEAR}


def test_verdicts_from_the_interval():
    assert verdict(0.1, 0.3) == CLEAR_INCREASE
    assert verdict(-0.3, -0.1) == CLEAR_DECREASE
    assert verdict(-0.1, 0.3) == UNCLEAR
    assert verdict(0.0, 0.3) == UNCLEAR  # touching zero is not clear
    assert verdict(float("nan"), float("nan")) == UNCLEAR


def _comparison(engaged: list[float], costs: list[float]) -> Comparison:
    """A hand-built comparison: per-replicate effects on engaged citizens (coverage no
    effect at all) and per-replicate lab costs."""
    from kosi_sim.compare import mean_ci95

    per = pd.DataFrame({"engaged_citizens": engaged, "coverage_mean": [0.0] * len(engaged)})
    mean, lo, hi = mean_ci95(per.to_numpy())
    effects = pd.DataFrame(
        {
            "indicator": per.columns,
            "effect": mean,
            "ci95_low": lo,
            "ci95_high": hi,
            "verdict": [verdict(a, b) for a, b in zip(lo, hi, strict=True)],
        }
    )
    return Comparison(effects, None, float(np.mean(costs)), len(costs), per, np.array(costs), 1)


def test_no_ratio_for_an_effect_that_cannot_be_told_from_zero():
    ce = cost_effectiveness(_comparison([50.0, -40.0, 30.0, -20.0], [1e5] * 4))
    ce = ce.set_index("measure")
    row = ce.loc["eur_per_additional_engaged_citizen_per_year"]
    assert np.isnan(row["value"]) and row["note"] == "n/a: effect not distinguishable from zero"
    assert np.isnan(ce.at["eur_per_coverage_point_per_year", "value"])
    assert ce.at["lab_cost_eur_per_year", "value"] == 1e5


def test_a_clear_gain_gets_its_ratio_and_a_bootstrap_interval():
    ce = cost_effectiveness(
        _comparison([100.0, 110.0, 90.0, 105.0, 95.0], [1e5, 1.1e5, 0.9e5, 1e5, 1e5])
    ).set_index("measure")
    row = ce.loc["eur_per_additional_engaged_citizen_per_year"]
    assert row["value"] == pytest.approx(1e5 / 100.0)  # mean cost / mean effect
    assert row["ci95_low"] < row["value"] < row["ci95_high"]
    assert 800 < row["ci95_low"] and row["ci95_high"] < 1250
    lower = cost_effectiveness(_comparison([-100.0, -110.0, -90.0], [1e5] * 3))
    assert (
        lower.set_index("measure").at["eur_per_additional_engaged_citizen_per_year", "note"]
        == "n/a: the lab lowers it"
    )


def test_lab_cost_counts_only_the_months_the_lab_runs(small_doc):
    """A lab of staff only (0.5 FTE, no money) that starts in the second year costs exactly
    its staff a year, not two thirds of it averaged over a three-year run."""
    small_doc["interventions"] = [
        {"type": "matching", "budget_eur_per_year": 0, "staff_fte": 0.5, "start": 13}
    ]
    c = compare(from_dict(small_doc, "small"), 2, months=36)
    assert c.cost_per_year == pytest.approx(0.5 * 75000.0)
