"""Studies over the priors ([priors] in an experiment file) and the ranking of which
assumptions matter for the lab's paired effect."""

import numpy as np
import pandas as pd
import pytest

from kosi_sim import draws
from kosi_sim.cli import main
from kosi_sim.experiments.analysis import analyze
from kosi_sim.experiments.prior_sensitivity import (
    elementary_effects,
    influential_keys,
    influential_rows,
    ranks,
    responses,
)
from kosi_sim.experiments.spec import ExperimentError, load
from kosi_sim.experiments.sweep import run_sweep, specs

# the classroom town with one instrument from the first month, so that one year shows the
# lab's effect; scale 0.4 keeps the runs short
SCENARIO = """
name = "classroom_matching"
place = "rural"
years = 1
scale = 0.4
[[districts]]
name = "Zentrum"
population = 2500
[[districts]]
name = "Dorf"
population = 1300
remoteness = 0.8
[[interventions]]
type = "matching"
budget_eur_per_year = 2000
staff_fte = 0.5
start = {year = 1, month = 1}
"""

# participatory_budget is not in the scenario: its turnout cannot matter
KEYS = [
    "engagement.quit_rate",
    "instrument.matching.match_success",
    "instrument.participatory_budget.turnout",
]
EXP = f"""
name = "prior_study"
scenario = "scenario.toml"
replications = 1
seed = 5
executor = "serial"
[design]
kind = "morris"
samples = 3
levels = 4
[priors]
keys = {KEYS!r}
response = "lab_effect"
[output]
metrics = ["engaged_share", "coverage_mean", "trust_share", "engaged_citizens", "lab_spending"]
every_months = 3
""".replace("'", '"')


@pytest.fixture
def exp_file(tmp_path):
    (tmp_path / "scenario.toml").write_text(SCENARIO)
    path = tmp_path / "study.toml"
    path.write_text(EXP)
    return path


def test_prior_factors_are_quantiles_of_the_priors_in_pairs(exp_file):
    exp = load(exp_file)
    names = ["prior." + k for k in KEYS]
    assert [f.name for f in exp.factors] == [*names, "lab"]
    assert len(exp.points) == 3 * (3 + 1) * 2
    assert exp.points["lab"].tolist() == [True, False] * 12
    # each pair is one unit point, with and without the lab
    assert (
        exp.points.iloc[0::2][names]
        .reset_index(drop=True)
        .equals(exp.points.iloc[1::2][names].reset_index(drop=True))
    )
    runs = list(specs(exp))
    point = exp.points.iloc[0].to_dict()
    expected = draws.from_unit(KEYS, [[point[n] for n in names]]).iloc[0]
    doc = runs[0].scenario
    assert doc["engagement"]["quit_rate"] == pytest.approx(expected["engagement.quit_rate"])
    assert doc["interventions"][0]["match_success"] == pytest.approx(
        expected["instrument.matching.match_success"]
    )
    assert runs[1].scenario["interventions"] == []
    assert runs[1].scenario["engagement"] == doc["engagement"]


def test_grouped_factors_move_a_section_to_one_quantile(tmp_path):
    (tmp_path / "scenario.toml").write_text(SCENARIO)
    path = tmp_path / "g.toml"
    path.write_text(
        EXP.replace(
            'response = "lab_effect"', 'response = "outcome"\ngroup_by = "section"'
        ).replace('"instrument.participatory_budget.turnout"', '"engagement.review_rate"')
    )
    exp = load(path)
    assert exp.priors.groups == {
        "prior.engagement": ("engagement.quit_rate", "engagement.review_rate"),
        "prior.instrument.matching": ("instrument.matching.match_success",),
    }
    assert "lab" not in exp.points
    for point in exp.points.to_dict("records")[:4]:
        u = point["prior.engagement"]
        drawn = exp.priors.draw(point)
        for key in ("engagement.quit_rate", "engagement.review_rate"):
            assert drawn[key] == pytest.approx(draws.prior_of(key).ppf(np.array([u]))[0])


def test_study_runs_and_ranks_a_parameter_that_cannot_matter_last(exp_file, tmp_path):
    exp = load(exp_file)
    summary = run_sweep(exp, tmp_path / "out")
    assert summary.failed == 0 and summary.ok == exp.n_runs
    a = analyze(tmp_path / "out", tmp_path / "out" / "analysis", ema=False)
    table = a.tables["prior_ranking"]
    assert set(table["outcome"]) == {
        "effect_engaged_share",
        "effect_coverage_mean",
        "effect_trust_share",
        "engaged_per_eur100k",
    }
    dead = table[table["factor"] == "prior.instrument.participatory_budget.turnout"]
    # an instrument the scenario does not run: the runs are identical, its effects exactly 0
    assert (dead["mu_star"] == 0).all() and (dead["rank"] == 3).all()
    live = table[table["outcome"] == "effect_engaged_share"]
    assert (live[live["mu_star"] > 0]["rank"] < 3).all()
    assert live["mu_star"].max() > 0
    assert ((table["rank_low"] >= 1) & (table["rank_high"] <= 3)).all()
    assert (table["rank_low"] <= table["rank_high"]).all()
    for _, part in table.groupby("outcome"):
        assert part["rank"].is_monotonic_increasing  # the most influential first
    # SALib's mu* and ours agree (the ranking's intervals resample our elementary effects)
    names = ["prior." + k for k in KEYS]
    resp = responses(a)
    ee = elementary_effects(resp[names].to_numpy(), resp["effect_engaged_share"].to_numpy(), 3)
    mine = dict(zip(names, np.abs(ee).mean(axis=0), strict=True))
    for row in live.itertuples():
        assert row.mu_star == pytest.approx(mine[row.factor])
    assert a.tables["sensitivity"]["factor"].isin(names).all()
    assert (tmp_path / "out" / "analysis" / "prior_ranking.csv").exists()
    assert (tmp_path / "out" / "analysis" / "sensitivity.png").exists()


def test_elementary_effects_known_answer():
    # y = 3 x0 - 2 x1 + 0 x2: every elementary effect is the coefficient
    from kosi_sim.experiments import designs
    from kosi_sim.experiments.designs import Factor

    f = [Factor(n, low=0.0, high=1.0) for n in ("a", "b", "c")]
    x = designs.morris(f, 6, seed=2).to_numpy()
    y = 3 * x[:, 0] - 2 * x[:, 1]
    ee = elementary_effects(x, y, 3)
    assert ee.shape == (6, 3)
    np.testing.assert_allclose(ee, np.tile([3.0, -2.0, 0.0], (6, 1)), atol=1e-12)
    assert ranks(np.abs(ee).mean(axis=0)).tolist() == [1, 2, 3]
    assert ranks(np.array([0.5, 0.0, 0.0])).tolist() == [1, 3, 3]  # ties share the worst


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("engagement.quit_rate", "engagement.quitrate"), "unknown parameter"),
        (("engagement.quit_rate", "instrument.lottery.x"), "unknown instrument"),
        (('response = "lab_effect"', 'response = "effect"'), "allowed: lab_effect, outcome"),
        (('response = "lab_effect"', 'response = "lab_effect"\ngroup_by = "x"'), "parameter"),
        (('kind = "morris"', 'kind = "full_factorial"'), "allowed: morris, sobol"),
        (('response = "lab_effect"', 'response = "lab_effect"\nweights = 1'), "valid keys"),
        (("[design]", '[[factors]]\nname = "lab"\nlevels = [true, false]\n[design]'), "not both"),
    ],
)
def test_bad_priors_are_one_line_errors(exp_file, change, fragment):
    exp_file.write_text(EXP.replace(*change))
    with pytest.raises(ExperimentError) as e:
        load(exp_file)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_bad_key_through_the_cli_exits_2(exp_file, tmp_path, capsys):
    exp_file.write_text(EXP.replace("engagement.quit_rate", "engagement.nothing"))
    out = tmp_path / "never"
    assert main(["sweep", str(exp_file), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "engagement.nothing" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


def test_fixed_prior_and_lab_without_interventions_are_refused(exp_file, tmp_path):
    exp_file.write_text(EXP.replace("engagement.quit_rate", "associations.min_members"))
    with pytest.raises(ExperimentError, match="has a fixed prior"):
        load(exp_file)
    exp_file.write_text(EXP)
    (tmp_path / "scenario.toml").write_text(SCENARIO.split("[[interventions]]")[0])
    with pytest.raises(ExperimentError, match="needs a base scenario with a lab"):
        load(exp_file)


def test_influential_file_keeps_each_outcomes_top_parameters(tmp_path):
    ranking = pd.DataFrame(
        {
            "outcome": ["a", "a", "a", "b", "b", "b"],
            "rank": [1, 2, 3, 1, 2, 3],
            "rank_low": [1, 1, 2, 1, 1, 3],
            "rank_high": [2, 3, 3, 2, 2, 3],
            "factor": ["prior." + f for f in ("x.p", "x.q", "y.r", "y.r", "x.q", "z.s")],
            "mu_star": [0.5, 0.2, 0.0, 3.0, 1.0, 0.5],
            "mu_star_conf": [0.1] * 6,
            "trajectories": [4] * 6,
        }
    )
    rows = influential_rows(ranking, top=2)
    assert rows["key"].tolist() == ["x.p", "x.q", "y.r", "x.q"]  # mu* = 0 never listed
    path = tmp_path / "influential.csv"
    rows.to_csv(path, index=False)
    assert influential_keys(path, top=2) == ["y.r", "x.p", "x.q"]
    assert influential_keys(path, top=1) == ["y.r", "x.p"]


def test_ready_lab_effect_studies_are_valid():
    from pathlib import Path

    from kosi_sim.scenario import resolve

    root = Path(__file__).resolve().parents[1] / "experiments"
    full = load(root / "lab_effect_sensitivity.toml")
    keys = draws.uncertain_keys(resolve("baseline_wuppertal_lab"))
    assert full.priors.keys == keys and full.priors.response == "lab_effect"
    assert full.n_runs == 20 * (len(keys) + 1) * 2
    reduced = load(root / "lab_effect_sensitivity_all.toml")
    assert reduced.priors.keys == keys and reduced.months == 8 * 12
    sections = load(root / "lab_effect_sensitivity_sections.toml")
    assert sorted(sections.priors.keys) == keys and len(sections.priors.groups) < len(keys)
    stage2 = load(root / "lab_effect_sensitivity_stage2.toml")
    assert {k.split(".")[0] for k in stage2.priors.keys} == {
        "associations",
        "engagement",
        "demography",
    }
    assert set(stage2.priors.keys) <= set(keys)
