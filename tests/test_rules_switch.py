"""The switch between the compiled kernels and the plain numpy rules (kosi_sim.ruleset):
both run the whole model to the same results."""

import subprocess
import sys

import numpy as np
import pytest

from kosi_sim import ruleset
from kosi_sim.model import CityModel


def _pair(name: str, months: int = 24) -> dict:
    """The built-in scenario ``name`` (full scale) run ``months`` months on either
    implementation of the rules."""
    runs = {}
    for rules in ruleset.CHOICES:
        model = CityModel(name, rules=rules)
        model.run(months)
        runs[rules] = model
    return runs


#: the citizens' arrays the rules write, compared between the two paths
STATE = (
    "engaged", "hours", "burnout", "trust", "willingness", "time_budget", "uid", "age_m",
    "district", "contacts", "association", "initiative", "leads",
)  # fmt: skip


@pytest.fixture(scope="module")
def classroom_pair():
    """The classroom town (full scale), 24 months, on either implementation."""
    return _pair("classroom")


def test_numpy_rules_and_kernels_give_identical_results_on_the_classroom_town(classroom_pair):
    """Identical, not merely close: every rule repeats its kernel's float arithmetic in the
    same order (the peers' mean hours summed in double precision, where float32 sums of a
    few hours are exact in any order), so no tolerance is needed."""
    fast, plain = classroom_pair["kernels"], classroom_pair["numpy"]
    assert fast.rules == "kernels" and plain.rules == "numpy"
    a, b = fast.metrics_frame(), plain.metrics_frame()
    assert len(a) > 0 and a.equals(b)
    for name in STATE:
        np.testing.assert_array_equal(getattr(plain.pop, name), getattr(fast.pop, name), name)
    assert fast.pop.engaged.any() and (fast.pop.burnout > 0).any()


def test_both_paths_give_identical_results_with_every_instrument():
    """The classroom town with all ten instruments (classroom_toolbox), 24 months: the same
    metrics, instrument reports, citizens and Vereine, initiatives and businesses."""
    runs = _pair("classroom_toolbox")
    fast, plain = runs["kernels"], runs["numpy"]
    assert fast.metrics_frame().equals(plain.metrics_frame())
    assert fast.interventions_frame().equals(plain.interventions_frame())
    for name in STATE:
        np.testing.assert_array_equal(getattr(plain.pop, name), getattr(fast.pop, name), name)
    for table in ("associations", "initiatives", "businesses"):
        a, b = getattr(fast, table), getattr(plain, table)
        assert a.n == b.n > 0, table
        for column in a.columns:
            np.testing.assert_array_equal(getattr(b, column), getattr(a, column), column)
    assert (fast.initiatives.volunteers > 0).any() and (fast.associations.members > 0).any()


def test_the_environment_variable_is_read_when_a_model_is_built(monkeypatch):
    monkeypatch.setenv(ruleset.ENV, "numpy")
    model = CityModel("classroom", scale=0.05)
    monkeypatch.setenv(ruleset.ENV, "kernels")  # later changes do not reach a built model
    assert model.rules == "numpy"
    for impl in (
        model.engagement.impl,
        model.demography.impl,
        model.network.impl,
        model.associations.impl,
        model.initiatives.impl,
        model.businesses.impl,
    ):
        assert impl.__name__.endswith(".rules"), impl.__name__
    assert CityModel("classroom", scale=0.05, rules="kernels").rules == "kernels"
    monkeypatch.delenv(ruleset.ENV)
    assert ruleset.choose() == "kernels"


@pytest.mark.parametrize("value", ["numba", "NUMPY", "kernels "])
def test_an_unknown_choice_is_refused_with_the_allowed_ones(monkeypatch, value):
    with pytest.raises(ruleset.RulesError, match="kernels, numpy"):
        CityModel("classroom", scale=0.05, rules=value)
    monkeypatch.setenv(ruleset.ENV, value.strip() + "x")
    with pytest.raises(ruleset.RulesError, match=r"KOSI_RULES=.*use one of kernels, numpy"):
        ruleset.choose()


def test_the_command_line_refuses_a_bad_environment_value(tmp_path):
    env = {"KOSI_RULES": "fast", "PATH": "/usr/bin:/bin"}
    out = tmp_path / "r"
    done = subprocess.run(
        [sys.executable, "-m", "kosi_sim.cli", "run", "classroom", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": ":".join(sys.path)},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "kosi-sim: error: KOSI_RULES='fast' is not allowed: use one of kernels, numpy"
    ]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_both_paths_agree_over_parameter_draws_from_the_priors():
    """Five parameter vectors drawn from the priors of every uncertain parameter of the
    classroom town with all ten instruments: the plain rules and the kernels give the same
    metrics over 14 months (a new year and the yearly tie renewal included) at 10% scale."""
    from kosi_sim import draws
    from kosi_sim.scenario import load_builtin

    scn = load_builtin("classroom_toolbox").with_params({"scale": 0.1})
    keys = draws.uncertain_keys(scn, drivers=True)
    assert len(keys) > 100
    table = draws.sample_prior(keys, np.random.default_rng(11), 5)
    for _, row in table.iterrows():
        scenario = draws.with_draw(scn, row.to_dict())
        runs = [CityModel(scenario, rules=rules) for rules in ruleset.CHOICES]
        for model in runs:
            model.run(14)
        assert runs[0].metrics_frame().equals(runs[1].metrics_frame())
        assert runs[0].interventions_frame().equals(runs[1].interventions_frame())
