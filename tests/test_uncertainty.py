"""Lab effects with parameter uncertainty (``compare --uncertainty``): the variance split on
cases with known components, zero-width priors giving plain ``compare`` back, ratios only
where the gain can be told from zero, and one-line errors for bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kosi_sim import draws as draws_mod
from kosi_sim import posterior
from kosi_sim.compare import INDICATORS, compare
from kosi_sim.evidence import Family, Prior
from kosi_sim.interventions.presets import expand
from kosi_sim.scenario import resolve
from kosi_sim.uncertainty import (
    SIGN_UNCERTAIN,
    UncertainComparison,
    compare_uncertain,
    parameter_draws,
    sign_sentences,
    summarise,
    variance_split,
)
from kosi_sim.uncertainty_ce import cost_effectiveness_uncertain

from .test_input_errors import one_line_error

N_IND = len(INDICATORS)


def test_variance_split_by_hand():
    """Draw 1: effects 1 and 3, draw 2: 5 and 7.  Within-draw variances 2 and 2, so chance
    = 2; draw means 2 and 6 have variance 8, of which chance / R = 1 is replicate noise:
    parameters = 7."""
    par, chance = variance_split(np.array([[1.0, 3.0], [5.0, 7.0]]))
    assert par == pytest.approx(7.0) and chance == pytest.approx(2.0)


def test_variance_split_recovers_known_components():
    """y = a_k + e_kr with Var(a) = 4 and Var(e) = 1 (and a second column with no parameter
    effect at all): the estimates come back within sampling error."""
    rng = np.random.default_rng(5)
    k, r = 2000, 4
    a = rng.normal(0, 2.0, size=(k, 1))
    y = np.stack([a + rng.normal(0, 1.0, size=(k, r)), rng.normal(0, 1.0, size=(k, r))], -1)
    par, chance = variance_split(y)
    assert par[0] == pytest.approx(4.0, rel=0.1) and chance[0] == pytest.approx(1.0, rel=0.05)
    assert par[1] < 0.05 and chance[1] == pytest.approx(1.0, rel=0.05)


def test_variance_split_clips_at_zero_and_needs_two_of_each():
    y = np.array([[0.0, 2.0], [1.0, 1.0]])  # draw means equal: all chance
    par, chance = variance_split(y)
    assert par == 0.0 and chance == pytest.approx(1.0)
    with pytest.raises(ValueError):
        variance_split(np.ones((1, 3)))


def test_summary_interval_share_and_sign():
    """Indicator 0 positive everywhere, indicator 1 positive in 3 of 4 runs."""
    y = np.zeros((2, 2, N_IND))
    y[:, :, 0] = [[1.0, 2.0], [3.0, 4.0]]
    y[:, :, 1] = [[1.0, -1.0], [2.0, 3.0]]
    s = summarise(y)
    assert s.at[0, "median"] == pytest.approx(2.5)
    assert s.at[0, "low90"] > 0 and s.at[0, "verdict"] == "clear increase"
    assert s.at[1, "p_positive"] == pytest.approx(0.75)
    assert s.at[1, "verdict"] == SIGN_UNCERTAIN
    assert np.isnan(s.at[2, "share_parameters"])  # no spread at all
    u = UncertainComparison("prior", pd.DataFrame(index=range(2)), 2, y, np.ones((2, 2)), s, 1)
    text = " ".join(sign_sentences(u))
    assert "positive in 75% of the 4 paired runs" in text
    assert INDICATORS[1].doc in text and INDICATORS[0].doc not in text


def _hand_built(gains: list[list[float]], costs: float = 1000.0) -> UncertainComparison:
    y = np.zeros((len(gains), len(gains[0]), N_IND))
    y[:, :, [o.name for o in INDICATORS].index("engaged_citizens")] = gains
    pair_costs = np.full(y.shape[:2], costs)
    return UncertainComparison("prior", pd.DataFrame(), y.shape[1], y, pair_costs, summarise(y), 1)


def test_ratio_only_over_draws_whose_gain_is_told_from_zero():
    """Draws 1 and 2 gain clearly (10 and 20 citizens, replicate noise +-1); draw 3 gains
    nothing distinguishable from zero: the ratio is over draws 1 and 2 only."""
    ce = cost_effectiveness_uncertain(_hand_built([[9, 11], [19, 21], [-1, 1]]))
    row = ce.set_index("measure").loc["eur_per_additional_engaged_citizen_per_year"]
    assert row["draws_clear"] == pytest.approx(2 / 3)
    assert row["low90"] >= 1000 / 20 - 1e-9 and row["high90"] <= 1000 / 10 + 1e-9
    assert "2 of 3 draws" in row["note"]


def test_no_ratio_when_no_draw_can_tell_the_gain_from_zero():
    ce = cost_effectiveness_uncertain(_hand_built([[5, -5], [-4, 6], [3, -2]]))
    row = ce.set_index("measure").loc["eur_per_additional_engaged_citizen_per_year"]
    assert np.isnan(row["value"]) and row["note"].startswith("n/a")
    cov = ce.set_index("measure").loc["eur_per_coverage_point_per_year"]
    assert np.isnan(cov["value"])  # no effect on coverage at all


def _scenario_value(scn, key: str):
    """``key``'s value in the scenario (an instrument's own: its first entry of the type)."""
    p = draws_mod.param_of(key)
    if not key.startswith("instrument."):
        return scn.params[p.name]
    kind = key.split(".")[1]
    entries = [e for raw in scn.interventions for e in expand(dict(raw)) if e["type"] == kind]
    return entries[0].get(p.name, p.default)


def test_zero_width_priors_give_plain_compare(monkeypatch):
    """Every prior fixed at the scenario's own value: 2 draws x 2 replicates are the 4
    pairs of plain compare, bit for bit (the variance split of so few identical draws is
    chance; its estimator is tested on known cases above)."""
    scn = resolve("classroom_toolbox", {"scale": 0.3, "spinup_months": 6})
    keys = draws_mod.uncertain_keys(scn)
    assert any(k.startswith("instrument.") for k in keys)
    fixed = {k: Prior(Family.FIXED, mode=_scenario_value(scn, k)) for k in keys}
    monkeypatch.setattr(draws_mod, "prior_of", lambda key: fixed[key])
    draws = parameter_draws(scn, "prior", 2)
    assert list(draws.columns) == keys
    u = compare_uncertain(scn, draws, 2, "prior", months=12)
    plain = compare(scn, 4, months=12)
    assert np.array_equal(u.pair_effects.reshape(4, -1), plain.replicate_effects.to_numpy())
    assert np.array_equal(u.pair_costs.reshape(-1), plain.replicate_costs)
    assert np.allclose(u.effects["mean"], plain.effects["effect"])


def test_prior_draws_are_reproducible_and_in_range():
    scn = resolve("baseline_wuppertal_lab")
    a = parameter_draws(scn, "prior", 3)
    assert a.equals(parameter_draws(scn, "prior", 3))
    for key in a.columns:
        lo, hi = draws_mod.param_of(key).bounds or (-np.inf, np.inf)
        assert ((a[key] >= lo) & (a[key] <= hi)).all(), key
    fixed = parameter_draws(scn, "prior", 3, exclude={"engagement.threshold_mean"})
    assert "engagement.threshold_mean" in a.columns
    assert "engagement.threshold_mean" not in fixed.columns


def test_posterior_draws_come_from_the_file(tmp_path):
    post = posterior.make(
        pd.DataFrame({"engagement.threshold_mean": [0.1, 0.3]}), [0.0, 1.0], {"test": True}
    )
    path = posterior.write(post, tmp_path / "p.parquet")
    d = parameter_draws(resolve("classroom"), "posterior", 5, path)
    assert list(d["engagement.threshold_mean"]) == [0.3] * 5  # weight 0 is never drawn


@pytest.mark.parametrize(
    "args, says",
    [
        (["--uncertainty", "maybe"], "invalid choice: 'maybe'"),
        (["--uncertainty", "prior", "--draws", "0"], "--draws 0 is not allowed"),
        (["--uncertainty", "prior", "--draws", "1"], "--draws 1 is not allowed"),
        (["--draws", "4"], "--draws needs --uncertainty"),
        (["--uncertainty", "posterior"], "needs a posterior file"),
        (["--uncertainty", "posterior", "--posterior", "MISSING"], "no such posterior file"),
        (["--uncertainty", "posterior", "--posterior", "BROKEN"], "not a readable Parquet"),
        (["--uncertainty", "posterior", "--posterior", "UNKNOWN"], "unknown parameter"),
        (["--uncertainty", "prior", "--posterior", "BROKEN"], "--posterior needs"),
    ],
)
def test_bad_uncertainty_input_is_one_line(capsys, tmp_path, args, says):
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    unknown = tmp_path / "unknown.parquet"
    pd.DataFrame({"engagement.no_such": [1.0], "weight": [1.0]}).to_parquet(unknown)
    paths = {"MISSING": str(tmp_path / "none.parquet"), "BROKEN": str(broken)}
    paths["UNKNOWN"] = str(unknown)
    args = [paths.get(a, a) for a in args]
    out = tmp_path / "out"
    msg = one_line_error(capsys, "compare", "classroom_toolbox", "--out", str(out), *args)
    assert says in msg
    assert not out.exists()


def test_compare_with_prior_uncertainty_writes_its_folder(tmp_path, capsys):
    """End to end: the table, the plain-words sign lines and every file of the folder."""
    from kosi_sim.cli import main

    from .test_input_errors import CLASSROOM

    scenario = tmp_path / "town.toml"
    scenario.write_text(
        CLASSROOM
        + '\n[[interventions]]\ntype = "matching"\nbudget_eur_per_year = 0\nstaff_fte = 0.5\n'
        "start = {year = 1, month = 1}\n",
        encoding="utf-8",
    )
    out = tmp_path / "cmp"
    code = main(
        [
            *("compare", str(scenario), "--uncertainty", "prior", "--draws", "2"),
            *("--replications", "2", "--years", "1", "--set", "scale=0.3"),
            *("--set", "spinup_months=0", "--out", str(out)),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "from parameters" in printed and "EUR per additional engaged citizen" in printed
    effects = pd.read_csv(out / "effects.csv")
    assert len(effects) == N_IND
    assert (effects["low90"] <= effects["median"]).all()
    assert (effects["median"] <= effects["high90"]).all()
    for row in effects[effects["verdict"] == SIGN_UNCERTAIN].itertuples():
        if row.low90 != 0 or row.high90 != 0:
            assert f"the sign of the effect on {row.label} is uncertain" in printed
    pairs = pd.read_parquet(out / "pair_effects.parquet")
    assert len(pairs) == 2 * 2 * N_IND
    assert len(pd.read_parquet(out / "draws.parquet")) == 2
    assert (out / "plots" / "effect_distributions.png").stat().st_size > 10_000
    assert {"measure", "value", "low90", "high90", "draws_clear"} <= set(
        pd.read_csv(out / "cost_effectiveness.csv").columns
    )


def test_posterior_mode_draws_the_keys_it_does_not_hold_from_their_priors(tmp_path):
    """The calibration leaves the other parameters (the instruments' own) as uncertain as
    before: they are drawn from their priors, not fixed at the scenario's values."""
    post = posterior.make(pd.DataFrame({"engagement.threshold_mean": [0.2, 0.3]}), [0.5, 0.5])
    path = posterior.write(post, tmp_path / "p.parquet")
    scn = resolve("baseline_wuppertal_lab")
    d = parameter_draws(scn, "posterior", 6, path, exclude=["engagement.peer_weight"])
    assert set(d["engagement.threshold_mean"]) <= {0.2, 0.3}
    lab = [k for k in d.columns if k.startswith("instrument.matching.")]
    assert lab and all(d[k].nunique() > 1 for k in lab)
    assert "engagement.peer_weight" not in d.columns  # fixed on purpose by the caller
    assert set(d.columns) == set(draws_mod.uncertain_keys(scn)) - {"engagement.peer_weight"}
