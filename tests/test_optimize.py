"""Robust lab design (issue 22): robustness measures, the search loop, resume, problem files."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kosi_sim.cli import main
from kosi_sim.optimize import robustness, search
from kosi_sim.optimize.archive import EpsilonArchive
from kosi_sim.optimize.evaluate import decode, target_districts
from kosi_sim.optimize.problem import ProblemError, load
from kosi_sim.vocabulary import CategoricalLever, Direction, IntegerLever, RealLever

MAX, MIN = Direction.MAXIMIZE, Direction.MINIMIZE

# --- robustness: known answers on a hand-built table ------------------------------------

#: three designs in two futures; a: engaged share gain (more is better), c: cost (less)
TABLE = pd.DataFrame(
    {
        "design": [0, 0, 1, 1, 2, 2],
        "future": [0, 1, 0, 1, 0, 1],
        "a": [0.02, 0.00, 0.01, 0.03, 0.00, np.nan],
        "c": [100.0, 100.0, 50.0, 80.0, 0.0, 0.0],
    }
)


def test_regret_known_answer():
    r = robustness.regret(TABLE, "a", MAX)
    # future 0: best 0.02 (design 0); future 1: best 0.03 (design 1); NaN: infinite regret
    assert r["best"].tolist() == pytest.approx([0.02, 0.03, 0.02, 0.03, 0.02, 0.03])
    assert r["regret"].tolist()[:5] == pytest.approx([0.0, 0.03, 0.01, 0.0, 0.02])
    assert math.isinf(r["regret"].iloc[5])
    assert r["relative_regret"].tolist()[:5] == pytest.approx([0.0, 1.0, 0.5, 0.0, 1.0])
    c = robustness.regret(TABLE, "c", MIN)  # best cost is 0 in both futures
    assert c["regret"].tolist() == pytest.approx([100, 100, 50, 80, 0, 0])
    assert c["relative_regret"].tolist()[:4] == [math.inf] * 4  # best is 0: infinitely worse
    assert c["relative_regret"].tolist()[4:] == [0.0, 0.0]


def test_summary_and_satisficing_known_answer():
    dirs = {"a": MAX, "c": MIN}
    s = robustness.summary(TABLE, dirs, {"a": 0.01, "c": 90.0}, q=0).set_index("design")
    assert s.loc[0, "mean_a"] == pytest.approx(0.01)
    assert s.loc[1, "percentile_a"] == pytest.approx(0.01)  # the worst future (q = 0)
    assert s.loc[1, "percentile_c"] == pytest.approx(80.0)  # less is better: the highest
    assert s.loc[0, "max_regret_a"] == pytest.approx(0.03)
    assert s.loc[1, "max_regret_a"] == pytest.approx(0.01)
    assert s.loc[1, "mean_regret_c"] == pytest.approx(65.0)
    # a >= 0.01: design 0 in future 0, design 1 in both; c <= 90: designs 1 and 2
    assert s["satisficing_a"].tolist() == [0.5, 1.0, 0.0]
    assert s["satisficing_c"].tolist() == [0.0, 1.0, 1.0]
    assert s["satisficing"].tolist() == [0.0, 1.0, 0.0]
    f = robustness.objective(TABLE, "a", "mean", MAX, {}, dirs, 10)
    assert f.tolist()[:2] == pytest.approx([-0.01, -0.02])
    assert f.iloc[2] == robustness.WORST  # a failed run: the worst value, not NaN


def test_epsilon_archive():
    a = EpsilonArchive(np.array([0.1, 0.1]))
    assert a.add(0, np.array([0.55, 0.55]))
    assert not a.add(1, np.array([0.56, 0.56]))  # same box, dominated
    assert not a.add(2, np.array([0.51, 0.56]))  # same box, nearer the corner: replaces
    assert a.members == [2]
    assert a.add(3, np.array([0.15, 0.95]))  # a new box, not dominated
    assert a.add(4, np.array([0.05, 0.05]))  # dominates both boxes
    assert a.members == [4] and a.progress == 3


# --- the search loop on a known problem -------------------------------------------------


def zdt1(X, first, generation):
    f1 = X[:, 0]
    g = 1 + 9 * X[:, 1:].mean(axis=1)
    return np.c_[f1, g * (1 - np.sqrt(f1 / g))], {
        "rows": pd.DataFrame({"id": first + np.arange(len(X))})
    }


@pytest.mark.parametrize("algorithm", ["nsga2", "nsga3", "eps-nsga2"])
def test_search_finds_the_zdt1_front(algorithm):
    s = search.start(algorithm, 4, 2, 40, 7, np.array([0.01, 0.01]))
    search.run(s, zdt1, 40 * 60)
    front = s.F[s.pareto()]
    # the known Pareto front of ZDT1: f2 = 1 - sqrt(f1), f1 from 0 to 1
    assert np.abs(front[:, 1] - (1 - np.sqrt(front[:, 0]))).max() < 0.05
    assert front[:, 0].min() < 0.05 and front[:, 0].max() > 0.9
    conv = s.convergence_table()
    assert len(conv) == 60 and conv["hypervolume"].is_monotonic_increasing
    assert conv["epsilon_progress"].is_monotonic_increasing


class Crash(Exception):
    pass


@pytest.mark.parametrize("algorithm", ["nsga2", "eps-nsga2"])
def test_resume_equals_uninterrupted(tmp_path, algorithm):
    eps = np.array([0.05, 0.05])
    whole = search.run(search.start(algorithm, 4, 2, 12, 3, eps), zdt1, 12 * 8)
    path = tmp_path / "checkpoint.pkl"

    def crashing(X, first, generation):
        if generation == 5:
            raise Crash  # the process dies in the middle of generation 5
        return zdt1(X, first, generation)

    with pytest.raises(Crash):
        search.run(
            search.start(algorithm, 4, 2, 12, 3, eps),
            crashing,
            12 * 8,
            lambda s: search.save(s, path),
        )
    resumed = search.load(path)
    assert resumed.generations == 5  # generations 0-4 kept: at most one generation lost
    search.run(resumed, zdt1, 12 * 8)
    assert np.array_equal(whole.X, resumed.X) and np.array_equal(whole.F, resumed.F)
    assert whole.convergence == resumed.convergence
    rows = [pd.concat(s.tables["rows"]) for s in (whole, resumed)]
    pd.testing.assert_frame_equal(rows[0], rows[1])


def test_damaged_checkpoint_is_a_one_line_error(tmp_path):
    path = tmp_path / "checkpoint.pkl"
    path.write_bytes(b"not a pickle")
    with pytest.raises(search.SearchError, match="damaged checkpoint"):
        search.load(path)


# --- levers and designs -----------------------------------------------------------------


def test_levers_and_uncertainties_decode_the_unit_interval():
    from kosi_sim.draws import prior_of
    from kosi_sim.vocabulary import PriorUncertainty, RealUncertainty

    assert RealLever("b", 10.0, 20.0).decode(0.5) == 15.0
    assert RealUncertainty("d", 0.0, 2.0).decode(0.25) == 0.5
    key = "engagement.threshold_mean"
    assert PriorUncertainty(key).decode(0.3) == pytest.approx(float(prior_of(key).ppf([0.3])[0]))
    assert Direction.MAXIMIZE.sign == 1.0 and Direction.MINIMIZE.sign == -1.0
    assert [IntegerLever("y", 1, 3).decode(u) for u in (0.0, 0.34, 0.99, 1.0)] == [1, 2, 3, 3]
    assert CategoricalLever("t", ("all", "x")).decode(0.7) == "x"


def test_targeting_picks_the_most_deprived():
    old = {"A": 0.2, "B": 0.3, "C": 0.3, "D": 0.1}
    assert target_districts("most_deprived:2", old) == ("B", "C")
    assert target_districts(("D",), old) == ("D",)


PROBLEM = """
name = "tiny"
scenario = "classroom"
scale = 0.1
years = 1
seed = 5
[lab]
budget_eur_per_year = [20000, 100000]
staff_fte = 1.0
instruments = ["contact_point", "matching", "small_grants"]
targeting = ["all", "most_deprived:1"]
[futures]
samples = 1
keys = ["engagement.threshold_mean"]
[[objectives]]
outcome = "engaged_share"
[[objectives]]
outcome = "cost_eur_per_year"
[[objectives]]
statistic = "satisficing"
[thresholds]
coverage_worst = 0.0
[search]
population = 4
evaluations = 8
executor = "serial"
"""


def test_decode_shares_and_switches(tmp_path):
    (tmp_path / "p.toml").write_text(PROBLEM)
    p = load(tmp_path / "p.toml")
    # budget, then (weight, target) per instrument; weights below 0.5 switch it off
    d = decode(np.array([0.5, 0.75, 0.0, 1.0, 0.9, 0.2, 0.0]), p)
    assert d.budget == pytest.approx(60000.0) and d.staff == 1.0
    assert d.shares == pytest.approx({"contact_point": 1 / 3, "matching": 2 / 3})
    assert d.targets == {"contact_point": "all", "matching": "most_deprived:1"}
    assert decode(np.zeros(7), p).shares == {}  # no instrument: no lab


# --- problem files: one-line errors, exit 2 ---------------------------------------------


@pytest.mark.parametrize(
    "change, message",
    [
        (("[search]", "[search]\nbogus = 1"), "unknown key 'bogus'"),
        (('"matching",', '"matchmaking",'), "lab.instruments = 'matchmaking' is not allowed"),
        (('"most_deprived:1"', '"most_deprived:9"'), "most_deprived:9"),
        (('"most_deprived:1"', '["Nowhere"]'), "unknown district 'Nowhere'"),
        (("[20000, 100000]", "[100000, 20000]"), "low must be below high"),
        (
            ('outcome = "cost_eur_per_year"', 'outcome = "profit"'),
            "outcome = 'profit' is not allowed",
        ),
        (('keys = ["engagement.threshold_mean"]', 'keys = ["engagement.nope"]'), "futures.keys"),
        (("samples = 1", "samples = 0"), "futures.samples = 0 is not allowed"),
        (("[thresholds]\ncoverage_worst = 0.0", ""), "needs a [thresholds] table"),
        (('name = "tiny"', 'name = "../x"'), "cannot name an output folder"),
        (("[lab]", "[lab\n"), "not valid TOML"),
    ],
)
def test_bad_problem_files(tmp_path, capsys, change, message):
    (tmp_path / "p.toml").write_text(PROBLEM.replace(*change))
    with pytest.raises(ProblemError, match=None):
        load(tmp_path / "p.toml")
    assert main(["optimize", str(tmp_path / "p.toml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_missing_problem_file_and_bad_options(tmp_path, capsys):
    assert main(["optimize", str(tmp_path / "none.toml")]) == 2
    assert "no such problem file" in capsys.readouterr().err
    (tmp_path / "p.toml").write_text(PROBLEM)
    assert main(["optimize", str(tmp_path / "p.toml"), "--evaluations", "0"]) == 2
    assert "--evaluations 0 is not allowed" in capsys.readouterr().err
    out = tmp_path / "o"
    assert main(["optimize", str(tmp_path / "p.toml"), "--out", str(out), "--resume"]) == 2
    assert "holds no optimisation to resume" in capsys.readouterr().err


# --- the command end to end: a tiny problem, resumed after an interruption ---------------


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in ("designs", "outcomes", "pareto")}


def test_optimize_command_resumes_as_uninterrupted(tmp_path):
    (tmp_path / "p.toml").write_text(PROBLEM)
    p = str(tmp_path / "p.toml")
    whole, part = tmp_path / "whole", tmp_path / "part"
    assert main(["optimize", p, "--out", str(whole), "--quiet"]) == 0
    assert main(["optimize", p, "--out", str(part), "--evaluations", "4", "--quiet"]) == 0
    assert len(pd.read_parquet(part / "designs.parquet")) == 4
    assert main(["optimize", p, "--out", str(part), "--resume", "--quiet"]) == 0
    a, b = _tables(whole), _tables(part)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    designs, outcomes = a["designs"], a["outcomes"]
    assert len(designs) == 8 and len(outcomes) == 8  # one future
    # a design without instruments is the no-lab twin itself: no gain, no cost
    none = designs.loc[designs["instruments"] == "", "design"]
    assert (
        (outcomes[outcomes["design"].isin(none)][["engaged_share", "cost_eur_per_year"]] == 0)
        .all()
        .all()
    )
    conv = pd.read_parquet(whole / "convergence.parquet")
    assert conv["generation"].tolist() == [0, 1] and conv["evaluations"].tolist() == [4, 8]
    # a second run into the folder is refused without --force
    assert main(["optimize", p, "--out", str(whole), "--quiet"]) == 2
    # analyze dispatches on the folder's kind: the report of an optimisation
    assert main(["analyze", str(whole), "--out", str(tmp_path / "an"), "--quiet"]) == 0
    report = (tmp_path / "an" / "report.html").read_text()
    assert "Pareto front" in report and "instruments in result" in report
    assert main(["analyze", str(whole), "--design", "99", "--quiet"]) == 2
    # compare runs a design of the folder by its id
    used = int(designs.loc[designs["instruments"] != "", "design"].iloc[0])
    argv = ["compare", "classroom", "--set", "scale=0.1", "--years", "1", "--replications", "2"]
    assert (
        main([*argv, "--design", f"{whole}:{used}", "--out", str(tmp_path / "c"), "--quiet"]) == 0
    )
    assert main([*argv, "--design", f"{whole}:99", "--out", str(tmp_path / "c2")]) == 2


# --- futures: fixed before the search, from priors or a posterior ------------------------


def test_futures_from_priors_and_from_a_posterior(tmp_path):
    from kosi_sim import posterior
    from kosi_sim.optimize import futures

    (tmp_path / "p.toml").write_text(PROBLEM.replace("samples = 1", "samples = 4\nreplicates = 2"))
    p = load(tmp_path / "p.toml")
    f = futures.build(p)
    assert len(f) == 8 and f["future"].tolist() == list(range(8))
    assert f.groupby("point")["seed"].apply(list).map(tuple).nunique() == 1  # same seeds per point
    assert f["drivers.civic_engagement"].between(0.8, 1.2).all()
    assert f["engagement.threshold_mean"].nunique() == 4
    pd.testing.assert_frame_equal(f, futures.build(p))  # the same futures every time
    assert set(futures.draw_of(f.iloc[0].to_dict())) == {
        "drivers.demographic_pressure",
        "drivers.civic_engagement",
        "engagement.threshold_mean",
    }
    post = posterior.make(pd.DataFrame({"engagement.threshold_mean": [0.11, 0.33]}), [0.0, 1.0])
    posterior.write(post, tmp_path / "post.parquet")
    text = PROBLEM.replace(
        'keys = ["engagement.threshold_mean"]',
        'parameters = "posterior"\nposterior = "post.parquet"',
    )
    (tmp_path / "q.toml").write_text(text.replace("samples = 1", "samples = 5"))
    g = futures.build(load(tmp_path / "q.toml"))
    assert (g["engagement.threshold_mean"] == 0.33).all()  # all weight on one sample
    (tmp_path / "q.toml").write_text(text.replace("post.parquet", "missing.parquet"))
    with pytest.raises(ProblemError, match="no such posterior file"):
        load(tmp_path / "q.toml")


def test_resume_refuses_a_changed_problem_file(tmp_path, capsys):
    from kosi_sim.optimize.study import write_manifest

    (tmp_path / "p.toml").write_text(PROBLEM)
    out = tmp_path / "o"
    out.mkdir()
    write_manifest(out, load(tmp_path / "p.toml"), "nsga2", status="running")
    (tmp_path / "p.toml").write_text(PROBLEM.replace("seed = 5", "seed = 6"))
    assert main(["optimize", str(tmp_path / "p.toml"), "--out", str(out), "--resume"]) == 2
    assert "the problem file changed" in capsys.readouterr().err
    (tmp_path / "p.toml").write_text(PROBLEM)
    argv = ["optimize", str(tmp_path / "p.toml"), "--out", str(out), "--resume"]
    assert main([*argv, "--algorithm", "nsga3"]) == 2
    assert "was searched with nsga2" in capsys.readouterr().err
