"""The posteriors that ship with Dortmund and Wuppertal: named by their scenarios, inside
their priors, made by ABC-SMC from enough simulations, and passing every predictive check;
shipping refuses a posterior that fails its check."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kosi_sim.calibration import FREE
from kosi_sim.draws import canonical, prior_of
from kosi_sim.posterior import PosteriorError, make, read, write
from kosi_sim.posterior_ship import PREDICTIVE_COLUMNS, markdown, parameter_rows, ship
from kosi_sim.scenario import resolve

CITIES = ("dortmund", "wuppertal")
#: the lab scenarios borrow the posterior of the city whose lab they model
BORROWED = {"baseline_dortmund_lab": "dortmund", "baseline_wuppertal_lab": "wuppertal"}


@pytest.mark.parametrize("city", CITIES)
def test_each_city_ships_a_posterior_that_passes_its_checks(city):
    scn = resolve(city)
    assert scn.posterior is not None, f"{city}.toml names no posterior"
    post = read(scn.posterior)
    m = post.meta
    assert m["scenario"] == city and m["sampler"] == "pyabc ABC-SMC"
    assert len(post) >= 200 and m["simulations"] >= 2000
    assert m["long_run_months"] == scn.years * 12  # every simulation covered the whole run
    assert m["predictive"] and all(r["passed"] for r in m["predictive"])
    assert {r["target"] for r in m["predictive"]} >= {"engaged_share", "long_run.vacancy_in_range"}
    assert {canonical(k) for k in FREE} <= set(post.keys)
    for key in post.keys:  # every particle inside its prior's support
        prior = prior_of(key)
        assert all(prior.contains(v) for v in post.samples[key].tolist()), key
    # the targets inform some fitted parameters: at least two narrowed to under half their
    # prior's 90% interval (Dortmund: the willingness cutoff and the time budget's scale);
    # others stay as uncertain as their prior, which docs/odd.md shows
    rows = parameter_rows(post, scn).set_index("parameter")
    fitted = rows.loc[[canonical(k) for k in FREE], "width_share"]
    assert (fitted < 0.5).sum() >= 2, fitted


@pytest.mark.parametrize("scenario, city", sorted(BORROWED.items()))
def test_the_lab_scenarios_borrow_their_citys_posterior(scenario, city):
    assert read(resolve(scenario).posterior).meta["scenario"] == city


def test_naming_a_posterior_does_not_change_a_run():
    """The posterior is read by --uncertainty and experiment files only: a run of the city
    equals a run of the same scenario without the posterior line."""
    from kosi_sim.model import CityModel
    from kosi_sim.scenario import from_dict

    named = resolve(CITIES[-1]).with_params({"scale": 0.02})
    assert named.posterior is not None
    doc = named.to_dict()
    doc.pop("posterior")
    plain = from_dict(doc, source="the city without its posterior")
    a, b = CityModel(named), CityModel(plain)
    a.run(12)
    b.run(12)
    pd.testing.assert_frame_equal(a.metrics_frame(), b.metrics_frame())


def test_weighted_quantiles_known_answer():
    post = make(pd.DataFrame({"engagement.peer_weight": [0.3, 0.1, 0.2]}), [0.1, 0.2, 0.7])
    q = post.quantiles("engagement.peer_weight", [0.1, 0.2, 0.5, 0.9, 0.95, 1.0])
    assert q.tolist() == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]


def _folder(tmp_path, passed: list[bool]):
    """A finished calibrate --posterior folder in miniature, its checks as given."""
    tmp_path.mkdir(exist_ok=True)
    rng = np.random.default_rng(1)
    samples = pd.DataFrame({"engagement.peer_weight": rng.uniform(0.1, 0.3, 50)})
    meta = {"scenario": "wuppertal", "scale": 0.1}
    write(make(samples, np.ones(50), meta), tmp_path / "posterior.parquet")
    rows = [
        {c: 0.0 for c in PREDICTIVE_COLUMNS} | {"target": f"t{i}", "label": f"t{i}", "passed": p}
        for i, p in enumerate(passed)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "predictive.csv", index=False)
    pd.DataFrame({"generation": [0], "epsilon": [0.5]}).to_csv(
        tmp_path / "convergence.csv", index=False
    )
    doc = {"status": "done", "command": "kosi-sim calibrate ... --posterior", "wall_time_s": 60}
    (tmp_path / "manifest.json").write_text(json.dumps(doc))
    return tmp_path


def test_shipping_refuses_a_failed_check_and_round_trips_a_passed_one(tmp_path):
    bad = _folder(tmp_path / "bad", [True, False])
    with pytest.raises(PosteriorError, match="failed for t1"):
        ship(bad, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()
    good = _folder(tmp_path / "good", [True, True])
    post = ship(good, tmp_path / "out.parquet")
    back = read(tmp_path / "out.parquet")
    assert back.samples.equals(post.samples) and np.allclose(back.weights, post.weights)
    assert [r["target"] for r in back.meta["predictive"]] == ["t0", "t1"]
    assert back.meta["timing"] == {"wall_time_s": 60}
    text = markdown(back, resolve("wuppertal"))
    assert "`engagement.peer_weight`" in text and "2 of 2 predictive checks pass" in text


def test_shipping_an_unfinished_folder_is_refused(tmp_path):
    folder = _folder(tmp_path, [True])
    doc = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(doc | {"status": "running"}))
    with pytest.raises(PosteriorError, match="did not finish"):
        ship(folder, tmp_path / "out.parquet")
    (folder / "predictive.csv").unlink()
    with pytest.raises(PosteriorError, match=r"no predictive\.csv"):
        ship(folder, tmp_path / "out.parquet")


@pytest.mark.parametrize(
    "timing, words",
    [
        (
            {"wall_time_s": 600, "simulations_this_call": 1500, "simulations_run_by_sampler": 1500}
            | {"abc_wall_time_s": 500, "stopped_early": 900},
            ["The run took 10 min", "3.00 simulations a second", "60% of them stopped early"],
        ),
        (  # resumed: only the last call is timed; a file made before the yearly stops
            {"wall_time_s": 600, "simulations_this_call": None, "simulations_run_by_sampler": 1500}
            | {"abc_wall_time_s": 500, "stopped_after_window": 300},
            [
                "resumed after an interruption; its last call took 10 min for 1,500",
                "20% of them stopped after the window",
            ],
        ),
    ],
)
def test_the_docs_say_how_long_a_posterior_took_and_what_was_timed(tmp_path, timing, words):
    post = ship(_folder(tmp_path, [True]), tmp_path / "out.parquet")
    post.meta["timing"] = timing
    text = markdown(post, resolve("wuppertal"))
    for w in words:
        assert w in text
