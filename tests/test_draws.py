"""Parameter draws and posterior files (kosi_sim/draws.py, kosi_sim/posterior.py)."""

import numpy as np
import pandas as pd
import pytest

from kosi_sim import draws
from kosi_sim import posterior as post
from kosi_sim.scenario import load_builtin


def test_prior_draws_stay_inside_declared_bounds():
    keys = draws.uncertain_keys(drivers=True)
    df = draws.sample_prior(keys, np.random.default_rng(3), 200)
    unit = draws.from_unit(keys, np.random.default_rng(4).random((200, len(keys))))
    for key in keys:
        lo, hi = draws.param_of(key).bounds
        for frame in (df, unit):
            values = frame[key].to_numpy(dtype=float)
            assert values.min() >= lo and values.max() <= hi, key


@pytest.mark.parametrize(
    "key", ["administration.admin_hour_cost", "instrument.round_tables.tables_per_year"]
)
def test_quantile_function_inverts_the_prior(key):
    prior = draws.prior_of(key)
    u = np.linspace(0.0, 1.0, 11)
    q = prior.ppf(u)
    assert q[0] == pytest.approx(prior.low) and q[-1] == pytest.approx(prior.high)
    assert np.all(np.diff(q.astype(float)) >= 0)
    # the median of many draws matches the quantile at 0.5
    sample = prior.sample(np.random.default_rng(0), 20000).astype(float)
    assert np.median(sample) == pytest.approx(
        float(prior.ppf(np.array([0.5]))[0]), rel=0.05, abs=0.6
    )


def test_triangular_quantiles_match_numpy():
    from kosi_sim.evidence import Family, Prior

    prior = Prior(Family.TRIANGULAR, 1.0, 5.0, 2.0)
    sample = prior.sample(np.random.default_rng(1), 50000)
    for u in (0.1, 0.25, 0.5, 0.9):
        assert float(prior.ppf(np.array([u]))[0]) == pytest.approx(np.quantile(sample, u), abs=0.05)


def test_instrument_key_applies_to_every_intervention_of_its_type_inside_presets():
    scn = load_builtin("baseline_wuppertal_lab")
    changed = draws.with_draw(
        scn, {"instrument.matching.match_success": 0.25, "administration.admin_hour_cost": 40.0}
    )
    matching = [s for s in changed.intervention_specs if s.type == "matching"]
    assert matching and all(s.params["match_success"] == 0.25 for s in matching)
    assert changed.params["admin_hour_cost"] == 40.0
    # a key for an instrument the scenario does not run changes nothing
    same = draws.with_draw(
        scn,
        {"instrument.transfer.adoption_chance": 0.1}
        if "instrument.transfer.adoption_chance" in draws.uncertain_keys()
        else {},
    )
    assert [s.params for s in same.intervention_specs] == [
        s.params for s in draws.with_draw(scn, {}).intervention_specs
    ]


@pytest.mark.parametrize(
    "draw, words",
    [
        ({"engagement.no_such": 1.0}, "unknown parameter"),
        ({"instrument.nothing.x": 1.0}, "unknown instrument"),
        ({"instrument.matching.match_success": 7.0}, "out of range"),
        ({"scale": 0.5}, "scenario setting"),
    ],
)
def test_bad_draws_get_one_line_errors(draw, words):
    with pytest.raises(draws.DrawError, match=words) as e:
        draws.with_draw(load_builtin("baseline_wuppertal_lab"), draw)
    assert "\n" not in str(e.value)


def test_posterior_round_trips(tmp_path):
    keys = ["administration.admin_hour_cost", "instrument.matching.match_success"]
    df = draws.sample_prior(keys, np.random.default_rng(2), 30)
    w = np.random.default_rng(5).random(30)
    written = post.make(df, w, {"scenario": "dortmund", "generations": 3})
    back = post.read(post.write(written, tmp_path / "p.parquet"))
    pd.testing.assert_frame_equal(back.samples, written.samples)
    np.testing.assert_allclose(back.weights, w / w.sum())
    assert back.meta == {"scenario": "dortmund", "generations": 3}
    assert 1.0 <= back.effective_sample_size() <= 30.0


def test_posterior_draw_follows_weights():
    df = pd.DataFrame({"administration.admin_hour_cost": [30.0, 60.0]})
    p = post.make(df, [0.0, 1.0])
    assert set(p.draw(np.random.default_rng(0), 50)["administration.admin_hour_cost"]) == {60.0}


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "no such posterior file"),
        (b"not parquet", "not a readable Parquet"),
    ],
)
def test_broken_posterior_files_get_one_line_errors(tmp_path, content, words):
    path = tmp_path / "p.parquet"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(post.PosteriorError, match=words) as e:
        post.read(path)
    assert "\n" not in str(e.value)


def test_posterior_with_unknown_parameter_or_value_out_of_range_is_refused(tmp_path):
    for frame, words in (
        (pd.DataFrame({"engagement.no_such": [1.0], "weight": [1.0]}), "unknown parameter"),
        (
            pd.DataFrame({"instrument.matching.match_success": [3.0], "weight": [1.0]}),
            "out of range",
        ),
        (pd.DataFrame({"administration.admin_hour_cost": [30.0]}), "no 'weight' column"),
        (
            pd.DataFrame({"administration.admin_hour_cost": [30.0], "weight": [-1.0]}),
            "non-negative",
        ),
    ):
        path = tmp_path / "p.parquet"
        frame.to_parquet(path)
        with pytest.raises(post.PosteriorError, match=words):
            post.read(path)
