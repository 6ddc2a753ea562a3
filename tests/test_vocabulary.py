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
