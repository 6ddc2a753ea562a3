"""``[uncertainty]`` in experiment files: every design point averaged over the same
parameter draws, on the same seeds; the draws are the independent units of the analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kosi_sim.experiments import effects
from kosi_sim.experiments.spec import ExperimentError, load
from kosi_sim.experiments.sweep import specs
from kosi_sim.scenario import from_dict

from .test_experiments import EXP
from .test_input_errors import CLASSROOM

#: the classroom town with one instrument from the first month (a one-year sweep)
CLASSROOM_MATCHING = (
    CLASSROOM
    + '\n[[interventions]]\ntype = "matching"\nbudget_eur_per_year = 0\nstaff_fte = 0.5\n'
    + "start = {year = 1, month = 1}\n"
)
UNCERTAIN = EXP + '[uncertainty]\nsource = "prior"\ndraws = 3\n'


def _load(tmp_path, text: str):
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return load(path)


def test_every_point_runs_the_same_draws_on_the_same_seeds(tmp_path):
    exp = _load(tmp_path, UNCERTAIN)
    plain = _load(tmp_path, EXP)
    k, r, points = 3, exp.replications, len(exp.points)
    assert exp.n_runs == points * k * r == 3 * plain.n_runs
    runs = list(specs(exp))
    assert [s.run_id for s in runs] == list(range(exp.n_runs))
    assert exp.replicate_seeds()[:r] == plain.replicate_seeds()  # the same first seeds
    by_point = {}
    for s in runs:
        by_point.setdefault(s.point, []).append(s)
    drawn = [key for key in exp.uncertainty.draws.columns if not key.startswith("instrument.")]
    for p, group in by_point.items():
        assert [s.seed for s in group] == exp.replicate_seeds()  # common random numbers
        for s in group:
            scn = from_dict(s.scenario, "run")
            draw = exp.uncertainty.draws.iloc[s.replicate // r]
            for key in drawn[:20]:
                assert scn.params[key.split(".")[1]] == pytest.approx(draw[key])
            # the factor keeps the design's value: it is not drawn
            assert scn.params["civic_engagement"] == exp.points.iloc[p]["civic_engagement"]
    assert "drivers.civic_engagement" not in exp.uncertainty.draws.columns
    # the draws differ from one another
    assert exp.uncertainty.draws.iloc[0].ne(exp.uncertainty.draws.iloc[1]).any()


@pytest.mark.parametrize(
    "table, fragment",
    [
        ('source = "guess"\ndraws = 3', "source = 'guess' is not allowed"),
        ('source = "prior"\ndraws = 0', "draws = 0 is not allowed"),
        ('source = "prior"\ndraws = 2\nwhat = 1', "unknown key 'what'"),
        ('source = "posterior"\ndraws = 2', "needs a posterior file"),
        ('source = "posterior"\nposterior = "none.parquet"', "no such posterior file"),
        ('source = "prior"\nposterior = "p.parquet"', "only with source = 'posterior'"),
    ],
)
def test_bad_uncertainty_tables_are_one_line_errors(tmp_path, table, fragment):
    with pytest.raises(ExperimentError) as e:
        _load(tmp_path, EXP + "[uncertainty]\n" + table + "\n")
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_the_draws_are_the_independent_units():
    """Two draws of two replicates each: the study's interval is over the 2 draw means,
    not over 4 replicates as if they were independent."""
    rows = []
    for rep, effect in enumerate([1.0, 3.0, 5.0, 7.0]):
        for lab in (True, False):
            rows.append({"replicate": rep, "unit": rep // 2, "lab": lab, "x": effect * lab, "f": 0})
    outcomes = pd.DataFrame(rows)
    study = effects.study_effects(outcomes, ["f", "lab"], ["x"]).iloc[0]
    assert study["replicates"] == 2 and study["effect"] == pytest.approx(4.0)
    from kosi_sim.compare import mean_ci95

    _, lo, hi = mean_ci95(np.array([[2.0], [6.0]]))
    assert study["effect_ci95_low"] == pytest.approx(lo[0])
    cells = effects.cell_effects(effects.paired(outcomes, "x", ["f", "lab"]), ["f"])
    assert cells.iloc[0]["ci95_high"] == pytest.approx(hi[0])


def test_sweep_and_analysis_over_draws(tmp_path):
    """A small sweep over 2 prior draws x 1 replicate runs, and its analysis takes the
    draws as the units and says so in the report's summary."""
    from kosi_sim.experiments import analysis, report
    from kosi_sim.experiments.sweep import run_sweep

    text = UNCERTAIN.replace("replications = 2", "replications = 1")
    text = text.replace("draws = 3", "draws = 2").replace("years = 3", "years = 1")
    text = text.replace('scenario = "classroom_toolbox"', 'scenario = "town.toml"')
    text = text.replace(
        'name = "civic_engagement"\nlow = 0.8\nhigh = 1.2',
        'name = "civic_engagement"\nlevels = [1.0]',
    )
    path = tmp_path / "exp.toml"
    path.write_text(text)
    (tmp_path / "town.toml").write_text(CLASSROOM_MATCHING)
    exp = load(path)
    assert exp.n_runs == 2 * 2  # lab on/off x 2 draws
    out = tmp_path / "sweep"
    assert run_sweep(exp, out, executor="serial").ok == 4
    a = analysis.load(out)
    effects.add_tables(a, ["engaged_share"])
    study = a.tables["lab_effect_study"]
    assert (study["replicates"] == 2).all()  # the two draws
    text = " ".join(report.summary(a))
    assert "x 2 prior parameter draws" in text and "the draws are the independent units" in text
