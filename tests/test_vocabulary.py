"""The typed targets of experiments: one parser for factor names and draw keys, and each
target sets exactly its part of a scenario document."""

from __future__ import annotations

import pytest

from kosi_sim import draws
from kosi_sim.app import controls
from kosi_sim.experiments.factors import apply_point
from kosi_sim.scenario import resolve
from kosi_sim.vocabulary import (
    InstrumentParameter,
    InstrumentSetting,
    InstrumentSwitch,
    LabSwitch,
    ParameterSetting,
    parameter_key,
    target,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lab", LabSwitch()),
        ("intervention.grants", InstrumentSwitch("grants")),
        (
            "intervention.grants.budget_eur_per_year",
            InstrumentSetting("grants", "budget_eur_per_year"),
        ),
        ("civic_engagement", ParameterSetting("civic_engagement")),
        ("drivers.civic_engagement", ParameterSetting("drivers.civic_engagement")),
    ],
)
def test_a_factor_name_is_read_into_its_target_and_written_back(name, expected):
    assert target(name) == expected
    assert target(name).name == name


def test_a_draw_key_is_read_into_its_target():
    t = parameter_key("instrument.matching.match_success")
    assert t == InstrumentParameter("matching", "match_success")
    assert t.name == "instrument.matching.match_success"
    assert t.section == "instrument.matching"
    assert parameter_key("engagement.quit_rate") == ParameterSetting("engagement.quit_rate")
    assert draws.param_of(t.name).name == "match_success"
    for key in draws.uncertain_keys():  # the section a study groups a key under
        assert draws.section_of(key) == key.rsplit(".", 1)[0]


def test_a_design_point_sets_only_its_targets():
    base = resolve("classroom_toolbox")
    doc = base.to_dict()
    first = doc["interventions"][0]
    label = first.get("label", first["type"])
    point = {
        f"intervention.{label}.budget_eur_per_year": 777.0,
        "civic_engagement": 1.3,
    }
    out = apply_point(base, point)
    (entry,) = [e for e in out["interventions"] if e.get("label", e["type"]) == label]
    assert entry["budget_eur_per_year"] == 777.0
    assert out["drivers"]["civic_engagement"] == 1.3
    # everything else as in the base
    assert len(out["interventions"]) == len(doc["interventions"])
    out["drivers"]["civic_engagement"] = doc["drivers"]["civic_engagement"]
    entry["budget_eur_per_year"] = first["budget_eur_per_year"]
    assert out == doc


def test_an_intervention_switched_off_ignores_its_settings_and_the_lab_switch_clears_all():
    base = resolve("classroom_toolbox")
    first = base.to_dict()["interventions"][0]
    label = first.get("label", first["type"])
    off = apply_point(
        base, {f"intervention.{label}": False, f"intervention.{label}.staff_fte": 1.0}
    )
    assert len(off["interventions"]) == len(base.interventions) - 1
    assert all(e.get("label", e["type"]) != label for e in off["interventions"])
    assert apply_point(base, {"lab": False})["interventions"] == []
    assert apply_point(base, {"lab": True})["interventions"] == base.to_dict()["interventions"]


def test_the_app_controls_name_their_targets():
    by_key = {c.key: c for c in controls.all_controls()}
    assert by_key["lab.matching"].target == InstrumentSwitch("matching")
    assert by_key["budget.matching"].target == InstrumentSetting("matching", "budget_eur_per_year")
    assert by_key["budget.matching"].widget == "number"
    assert by_key["civic_engagement"].target == ParameterSetting("civic_engagement")
    assert by_key["civic_engagement"].instrument is None
    assert by_key["staff.matching"].instrument == "matching"


# -- outcomes: one list that compare, its uncertainty report and optimize read -----------
def test_compare_and_optimize_read_the_one_list_of_outcomes():
    from kosi_sim import compare
    from kosi_sim.metrics import METRICS
    from kosi_sim.optimize.evaluate import OUTCOMES as OPTIMIZED
    from kosi_sim.vocabulary import COMPARED, OUTCOME, OUTCOMES

    assert len(OUTCOME) == len(OUTCOMES)  # names unique
    assert compare.INDICATORS is COMPARED
    assert all(OUTCOME[o.name] is o for o in COMPARED)
    assert all(OUTCOME[name] is o for name, (o, _) in OPTIMIZED.items())
    units = {m.name: m.unit for m in METRICS}
    assert all(o.unit == units[o.name] for o in COMPARED)  # compare's are city metrics


def test_compare_reports_its_outcomes_under_the_names_and_labels_it_always_had():
    """The effects tables' ``indicator`` and ``label`` columns (CSV, Parquet, text)."""
    from kosi_sim.compare import INDICATORS

    assert [(o.name, o.doc) for o in INDICATORS] == [
        ("engaged_share", "engaged share (14+)"),
        ("engaged_citizens", "engaged citizens"),
        ("willing_inactive_share", "willing but inactive (14+)"),
        ("initiatives_active", "initiatives producing"),
        ("coverage_mean", "service coverage (mean)"),
        ("coverage_care", "care coverage"),
        ("coverage_mobility", "mobility coverage"),
        ("coverage_social", "social coverage"),
        ("coverage_space", "space coverage"),
        ("trust_share", "trust in the administration"),
        ("burnout_mean", "burnout of the engaged"),
        ("associations", "Vereine"),
        ("premises_vacancy", "premises vacancy"),
        ("budget_balance", "budget balance (EUR/month)"),
    ]


def test_directions_say_what_is_better_for_the_city_and_neutral_ones_cannot_be_optimised():
    from kosi_sim.optimize.evaluate import OUTCOMES as OPTIMIZED
    from kosi_sim.vocabulary import OUTCOME, Direction

    better = {n: o.direction for n, o in OUTCOME.items()}
    assert better["engaged_share"] is better["coverage_mean"] is Direction.MAXIMIZE
    assert better["trust_share"] is better["budget_balance"] is Direction.MAXIMIZE
    assert better["burnout_mean"] is better["cost_eur_per_year"] is Direction.MINIMIZE
    assert better["willing_inactive_share"] is Direction.NEUTRAL
    with pytest.raises(ValueError, match="cannot be optimised"):
        Direction.NEUTRAL.sign  # noqa: B018
    assert all(o.direction is not Direction.NEUTRAL for o, _ in OPTIMIZED.values())
