"""ABC-SMC set-up of ``calibrate --posterior`` (kosi_sim/abc_smc.py, kosi_sim/posterior_fit.py,
kosi_sim/cli/calibrate_posterior.py): a known answer, priors in their bounds, posterior
files, and one-line errors for bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kosi_sim import abc_smc, draws
from kosi_sim import posterior as post
from kosi_sim.cli import main
from kosi_sim.evidence import Family, Prior
from kosi_sim.experiments.executors import open_executor
from kosi_sim.long_run import CHECKS
from kosi_sim.posterior_fit import band_miss, check_keys, default_keys, predictive_table
from kosi_sim.scenario import resolve

KEY = "engagement.threshold_mean"  # declared range 0 to 1
Y0, SIGMA = 0.3, 0.05


def stand_in(par):
    """A model with a normal likelihood: y ~ N(theta, SIGMA), drawn from numpy's global
    state as the city model's seed is (the sampler seeds it per job)."""
    return {"y": par[KEY] + SIGMA * np.random.normal()}  # noqa: NPY002


def _abc(db, pool, seed=1, population=100, generations=8):
    """The stand-in through the plumbing of ``calibrate --posterior``: a uniform prior
    U(0.1, 0.5), the tolerance distance (tolerance = SIGMA), the executor sampler."""
    stats = [abc_smc.Scaled("y", lambda v: (v - Y0) / SIGMA)]
    priors = {KEY: Prior(Family.UNIFORM, 0.1, 0.5)}
    abc = abc_smc.make_abc(stand_in, [KEY], stats, pool, seed, population, priors, batch_size=25)
    return abc_smc.run(abc, db, {"y": Y0}, False, 20_000, generations, 0.5)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    with open_executor("serial") as pool:
        return _abc(tmp_path_factory.mktemp("abc") / "abc.db", pool)


def test_known_answer_normal_likelihood_uniform_prior(history):
    """With a flat prior 4 sd either side of the observation, the posterior is N(Y0, SIGMA);
    ABC's uniform kernel of half-width eps (at most 0.5 tolerances at the end) adds at most
    eps^2/3 to the variance: sd 0.052.  With 100 particles the standard error of the mean
    is about 0.007."""
    samples, w = abc_smc.final_sample(history, [KEY])
    theta = samples[KEY].to_numpy()
    mean = np.average(theta, weights=w)
    sd = np.sqrt(np.average((theta - mean) ** 2, weights=w))
    assert abs(mean - Y0) < 0.02
    assert 0.035 < sd < 0.07
    assert theta.min() >= 0.1 and theta.max() <= 0.5


def test_convergence_table_is_consistent(history):
    conv = abc_smc.convergence(history)
    assert list(conv["generation"]) == list(range(len(conv)))
    eps = conv["epsilon"].to_numpy()
    assert np.isinf(eps[0]) and np.all(np.diff(eps[1:]) < 0)  # prior, then shrinking
    assert eps[-1] <= 0.5 or len(conv) == 8
    assert (conv["particles"] == 100).all()
    assert (conv["simulations"] >= conv["particles"]).all()
    assert ((conv["acceptance_rate"] > 0) & (conv["acceptance_rate"] <= 1)).all()
    assert (conv["effective_sample_size"] <= conv["particles"] + 1e-9).all()


def test_the_sampler_is_reproducible(history, tmp_path):
    """Jobs are seeded from (seed, generation, job id): the same seed gives the same
    posterior."""
    with open_executor("serial") as pool:
        again = _abc(tmp_path / "again.db", pool, generations=2)
    a, wa = abc_smc.final_sample(again, [KEY])
    b, wb = history.get_distribution(m=0, t=1)
    assert np.array_equal(a[KEY].to_numpy(), b[KEY].to_numpy())
    assert np.allclose(wa, wb)


def test_a_process_pool_gives_the_serial_particles_and_counts(tmp_path):
    """Two workers with jobs queued ahead give the same particles, weights, epsilons and
    simulation counts per generation as one job at a time: the count is of the
    simulations needed in job order, not of the jobs handed out."""
    with open_executor("serial") as pool:
        one = _abc(tmp_path / "serial.db", pool, population=30, generations=3)
    with open_executor("processes", 2) as pool:
        two = _abc(tmp_path / "processes.db", pool, population=30, generations=3)
    for t in range(3):
        a, wa = one.get_distribution(m=0, t=t)
        b, wb = two.get_distribution(m=0, t=t)
        assert np.array_equal(a[KEY].to_numpy(), b[KEY].to_numpy())
        assert np.array_equal(wa, wb)
    pd.testing.assert_frame_equal(abc_smc.convergence(one), abc_smc.convergence(two))


def test_resume_continues_the_history(tmp_path):
    """A second run on the same history goes on from its last generation, and the budget
    counts the simulations of both."""
    db = tmp_path / "r.db"
    stats = [abc_smc.Scaled("y", lambda v: (v - Y0) / SIGMA)]
    priors = {KEY: Prior(Family.UNIFORM, 0.1, 0.5)}
    with open_executor("serial") as pool:
        first = abc_smc.make_abc(stand_in, [KEY], stats, pool, 1, 40, priors, batch_size=20)
        h1 = abc_smc.run(first, db, {"y": Y0}, False, 10_000, 2, 0.0)
        assert h1.max_t == 1
        sims = h1.total_nr_simulations
        again = abc_smc.make_abc(
            stand_in, [KEY], stats, pool, 1, 40, priors, batch_size=20, resume=True
        )
        h2 = abc_smc.run(again, db, {"y": Y0}, True, sims + 1, 5, 0.0)
    assert h2.max_t == 2  # one more generation: it reached the budget
    conv = abc_smc.convergence(abc_smc.open_history(db))
    assert list(conv["generation"]) == [0, 1, 2]
    assert conv["epsilon"].iloc[2] < conv["epsilon"].iloc[1]


def test_abc_posterior_round_trips_through_a_file(history, tmp_path):
    samples, w = abc_smc.final_sample(history, [KEY])
    written = post.write(post.make(samples, w, {"sampler": "pyabc"}), tmp_path / "p.parquet")
    back = post.read(written)
    pd.testing.assert_frame_equal(back.samples, samples)
    assert np.allclose(back.weights, w / w.sum())
    assert back.meta == {"sampler": "pyabc"}


# --- priors -------------------------------------------------------------------------------


def _spread_keys():
    return [k for k in draws.uncertain_keys() if draws.prior_of(k).family is not Family.FIXED]


def test_every_register_prior_maps_to_pyabc_inside_the_declared_bounds():
    import pyabc

    keys = _spread_keys()
    assert len(keys) > 100
    for key in keys:
        rv = abc_smc.rv_of(key, draws.prior_of(key))
        lo, hi = draws.param_of(key).bounds
        support = rv.distribution.support()
        assert lo <= support[0] and support[1] - (1 if rv.name == "randint" else 0) <= hi, key
    dist = pyabc.Distribution(**{k: abc_smc.rv_of(k, draws.prior_of(k)) for k in keys})
    np.random.seed(3)  # noqa: NPY002 - pyabc samples from numpy's global state
    for _ in range(20):
        par = dist.rvs()
        for key in keys:
            value = (
                int(par[key]) if draws.prior_of(key).family is Family.DISCRETE_UNIFORM else par[key]
            )
            draws.check_value(key, value)  # DrawError if outside the declared range
            assert draws.prior_of(key).contains(value), key


def test_default_parameters_are_estimable():
    keys, origin = default_keys()
    assert len(keys) >= 8 and len(set(keys)) == len(keys)
    assert "engagement.willing_cutoff" in keys and "fitted" not in origin
    abc_smc.prior(keys)  # builds
    # a city without a lab cannot inform an instrument's parameters: they are not estimated
    from kosi_sim.scenario import resolve

    city, _ = default_keys(resolve("dortmund"))
    assert not [k for k in city if k.startswith("instrument.")] and len(city) == len(keys)
    lab, _ = default_keys(resolve("baseline_wuppertal_lab"))
    assert {k for k in keys if k.startswith("instrument.matching")} <= set(lab)


def test_a_prior_outside_the_declared_range_is_refused():
    with pytest.raises(abc_smc.AbcError, match="outside its declared range") as e:
        abc_smc.rv_of(KEY, Prior(Family.UNIFORM, -0.5, 0.5))
    assert "\n" not in str(e.value)
    with pytest.raises(abc_smc.AbcError, match="allowed: a parameter with spread"):
        abc_smc.rv_of(KEY, Prior(Family.FIXED, mode=0.2))


def test_unknown_or_fixed_parameters_are_refused():
    with pytest.raises(abc_smc.AbcError, match=r"engagement\.nope"):
        check_keys(["engagement.nope"])
    assert check_keys(["threshold_mean", KEY]) == [KEY]


# --- distance and checks ------------------------------------------------------------------


def test_tolerance_distance_is_the_rms_miss():
    d = abc_smc.ToleranceDistance(
        [abc_smc.Scaled("a", lambda v: (v - 1.0) / 0.5), abc_smc.Scaled("b", float)]
    )
    assert d({"a": 2.0, "b": 0.0}) == pytest.approx(np.sqrt((2.0**2 + 0.0) / 2))
    assert d({"a": 1.0, "b": 1.0}) == pytest.approx(np.sqrt(0.5))
    assert d({"a": np.nan, "b": 0.0}) == np.inf
    assert d({"b": 0.0}) == np.inf


def test_band_miss():
    assert band_miss(0.5, 0.0, 1.0, True) == 0.0
    assert band_miss(1.5, 0.0, 1.0, True) == pytest.approx(0.5)
    assert band_miss(0.25, 0.5, np.inf, True) == pytest.approx(0.5)
    assert band_miss(np.nan, 0.5, np.inf, False) == 0.0
    assert band_miss(np.nan, 0.0, 1.0, True) == np.inf


def test_predictive_table_by_hand():
    from kosi_sim.scenario import load_builtin

    scn = load_builtin("classroom")
    from kosi_sim.calibration import targets_for

    rows = []
    for i in range(20):
        row = {t.name: t.value for t in targets_for(scn)}
        row["engaged_share"] = 0.363 + (0.05 if i < 10 else -0.01)  # mean 0.383: inside 0.02
        row["long_run.housing_shortage"] = 0.0 if i else 0.3  # 95% of runs inside the band
        rows.append(row)
    table = predictive_table(scn, pd.DataFrame(rows)).set_index("target")
    e = table.loc["engaged_share"]
    assert e.predictive_mean == pytest.approx(0.383) and bool(e.passed)
    assert e.predictive_q05 == pytest.approx(0.353) and e.predictive_q95 == pytest.approx(0.413)
    assert e.share_within == pytest.approx(0.5)
    s = table.loc["long_run.housing_shortage"]
    assert s.share_within == pytest.approx(0.95) and bool(s.passed)


# --- command line -------------------------------------------------------------------------


def _one_line_error(capsys, argv, words):
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "\n" not in err and "Traceback" not in err
    assert words in err, err


def test_cli_unknown_parameter(tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["calibrate", "classroom", "--posterior", "--param", "engagement.nope"]
    _one_line_error(capsys, [*argv, "--out", str(out)], "engagement.nope")
    assert not out.exists()


def test_cli_bad_options(tmp_path, capsys):
    out = str(tmp_path / "o")
    base = ["calibrate", "classroom", "--posterior", "--out", out]
    _one_line_error(capsys, [*base, "--budget", "0"], "--budget 0")
    _one_line_error(capsys, [*base, "--population", "1"], "--population 1")
    # fewer particles than two per parameter: the kernel's covariance would be singular
    keys = default_keys(resolve("classroom"))[0]
    least = abc_smc.PARTICLES_PER_PARAMETER * len(abc_smc.continuous_keys(keys))
    _one_line_error(capsys, [*base, "--population", str(least - 1)], f"allowed: at least {least}")
    _one_line_error(capsys, [*base, "--min-epsilon", "-1"], "--min-epsilon")
    _one_line_error(capsys, [*base, "--window", "0"], "--window 0 is not allowed")
    # no months after the window: the long-run checks would be missing from every distance
    _one_line_error(capsys, [*base, "--set", "years=1", "--window", "12"], "or --no-long-run")
    _one_line_error(capsys, [*base, "--fit"], "--fit and --posterior")
    _one_line_error(capsys, ["calibrate", "classroom", "--resume"], "add --posterior")


def test_cli_resume_without_a_history(tmp_path, capsys):
    out = tmp_path / "nothing"
    base = ["calibrate", "classroom", "--posterior", "--resume", "--out", str(out)]
    _one_line_error(capsys, base, "no calibration to resume")
    assert not out.exists()
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"kosi_sim_posterior": 1}))
    _one_line_error(capsys, base, "abc.db does not exist")
    (out / "abc.db").write_bytes(b"not a database" * 100)
    _one_line_error(capsys, base, "not a readable pyabc history")
    assert (out / "abc.db").read_bytes() == b"not a database" * 100  # left as it was


def test_scenario_names_a_posterior(tmp_path, history):
    from kosi_sim.scenario import ScenarioError, load

    body = 'name = "t"\nscale = 0.1\n[[districts]]\nname = "A"\npopulation = 5000\n'
    text = 'posterior = "posteriors/t.parquet"\n' + body
    (tmp_path / "t.toml").write_text(text)
    with pytest.raises(ScenarioError, match="no such posterior file") as e:
        load(tmp_path / "t.toml")
    assert "\n" not in str(e.value)
    (tmp_path / "posteriors").mkdir()
    (tmp_path / "posteriors" / "t.parquet").write_bytes(b"PAR1 broken")
    with pytest.raises(ScenarioError, match="not a readable Parquet posterior file"):
        load(tmp_path / "t.toml")
    samples, w = abc_smc.final_sample(history, [KEY])
    post.write(post.make(samples, w), tmp_path / "posteriors" / "t.parquet")
    scn = load(tmp_path / "t.toml")
    assert scn.posterior == str((tmp_path / "posteriors" / "t.parquet").resolve())
    assert post.of_scenario(scn).keys == [KEY]
    assert scn.with_params({"threshold_mean": 0.25}).posterior == scn.posterior
    (tmp_path / "u.toml").write_text('posterior = "../elsewhere.parquet"\n' + body)
    with pytest.raises(ScenarioError, match="outside the scenario's folder"):
        load(tmp_path / "u.toml")
    bad = pd.DataFrame({"engagement.nope": [0.1], "weight": [1.0]})
    bad.to_parquet(tmp_path / "posteriors" / "t.parquet")
    with pytest.raises(ScenarioError, match=r"engagement\.nope"):
        load(tmp_path / "t.toml")


def test_cli_writes_the_posterior_folder_and_resumes(tmp_path, capsys):
    """A tiny real calibration (classroom town, one year, two parameters, four particles):
    every file is there and readable, and --resume adds a generation to the history."""
    out = tmp_path / "post"
    argv = [
        "calibrate",
        "classroom",
        "--posterior",
        "--set",
        "years=1",
        "--window",
        "6",
        "--population",
        "4",
        "--budget",
        "8",
        "--generations",
        "2",
        "--predictive",
        "2",
        "--param",
        "willing_cutoff",
        "--param",
        "engagement.review_rate",
        "--out",
        str(out),
    ]
    assert main(argv) in (0, 1)  # 1: a check fails, as it may after so few runs
    capsys.readouterr()
    keys = ["engagement.willing_cutoff", "engagement.review_rate"]
    p = post.read(out / "posterior.parquet")
    assert p.keys == keys and len(p) == 4
    for k in keys:
        assert all(draws.prior_of(k).contains(v) for v in p.samples[k])
    table = pd.read_csv(out / "predictive.csv")
    assert len(table) == 13 + len(CHECKS)  # the targets and the long-run checks
    assert (table["predictive_q05"] <= table["predictive_q95"]).all()
    conv = pd.read_csv(out / "convergence.csv")
    assert list(conv["generation"]) == [0, 1]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kosi_sim_posterior"] == 1 and manifest["status"] == "done"
    assert manifest["parameters_estimated"] == keys
    assert (out / "predictive.png").stat().st_size > 0
    assert main([*argv, "--resume", "--generations", "1"]) in (0, 1)
    assert list(pd.read_csv(out / "convergence.csv")["generation"]) == [0, 1, 2]
    capsys.readouterr()
    _one_line_error(capsys, argv, "use --resume")  # a new run does not overwrite it


def test_a_draw_the_scenario_rules_forbid_is_rejected_not_fatal():
    """Valid one by one, forbidden together (scenario.conflict): no statistics, so the
    distance is infinite and pyabc rejects the draw instead of the calibration failing."""
    from kosi_sim.posterior_fit import Simulator
    from kosi_sim.scenario import load_builtin

    scn = load_builtin("classroom").with_params({"out_migration_rate": 0.001})
    sim = Simulator(scn, ["demography.net_migration_rate"], 6, long_run=False)
    stats = sim({"demography.net_migration_rate": -0.006})
    assert stats == {}
    assert abc_smc.ToleranceDistance([abc_smc.Scaled("engaged_share", float)])(stats) == np.inf


class StagedStandIn:
    """Three statistics known one after the other (as the window's targets, then the
    long-run misses year by year), the model asking after each of the first two: all drawn
    up front, so stopping early changes no later draw."""

    def __call__(self, par):
        return self.staged(par, None)

    def staged(self, par, go_on):
        ys = par[KEY] + SIGMA * np.random.normal(size=3)  # noqa: NPY002
        stats = {f"y{i + 1}": float(y) for i, y in enumerate(ys)}
        for known in (1, 2):
            if go_on is not None and not go_on(dict(list(stats.items())[:known])):
                return None
        return stats


def test_early_rejection_changes_nothing_but_the_work(tmp_path):
    """A particle stopped when its first statistic alone puts it beyond epsilon would have
    been rejected anyway: the same particles, weights and simulation count as without."""
    stats = [abc_smc.Scaled(n, lambda v: (v - Y0) / SIGMA) for n in ("y1", "y2", "y3")]
    priors = {KEY: Prior(Family.UNIFORM, 0.1, 0.5)}
    staged = StagedStandIn()
    results = {}
    for name, model in {"plain": lambda par: staged(par), "early": staged}.items():
        with open_executor("serial") as pool:
            abc = abc_smc.make_abc(model, [KEY], stats, pool, 3, 30, priors, batch_size=15)
            assert isinstance(abc.models[0], abc_smc.EarlyRejection) == (name == "early")
            observed = {"y1": Y0, "y2": Y0, "y3": Y0}
            h = abc_smc.run(abc, tmp_path / f"{name}.db", observed, False, 5000, 3, 0)
            results[name] = (h, abc.sampler.counts)
    (plain, _), (early, counts) = results["plain"], results["early"]
    assert plain.total_nr_simulations == early.total_nr_simulations
    for t in range(plain.max_t + 1):
        a, wa = plain.get_distribution(m=0, t=t)
        b, wb = early.get_distribution(m=0, t=t)
        assert np.array_equal(a[KEY].to_numpy(), b[KEY].to_numpy()) and np.allclose(wa, wb)
    assert counts[abc_smc.STOPPED] > 0  # the work saved
    assert counts["simulations"] >= early.total_nr_simulations


def test_lower_bound_counts_missing_statistics_as_hits():
    d = abc_smc.ToleranceDistance([abc_smc.Scaled(n, float) for n in ("a", "b", "c", "d")])
    assert d.lower_bound({"a": 2.0}) == pytest.approx(1.0)  # sqrt(4 / 4)
    assert d.lower_bound({"a": 2.0}) <= d({"a": 2.0, "b": 0.5, "c": 0.0, "d": 1.0})
    assert d.lower_bound({"a": np.nan}) == np.inf and d.lower_bound({}) == 0.0


def test_a_band_miss_weighs_as_a_limit():
    """Leaving a plausibility band by a fraction of its width costs BAND_WEIGHT times that
    fraction, however well the other statistics fit; inside every band the mean rules."""
    stats = [abc_smc.Scaled(n, float) for n in "abc"] + [abc_smc.Scaled("band", float, band=True)]
    d = abc_smc.ToleranceDistance(stats)
    assert d({"a": 0.0, "b": 0.0, "c": 0.0, "band": 0.3}) == pytest.approx(
        abc_smc.BAND_WEIGHT * 0.3
    )
    assert d({"a": 1.0, "b": 1.0, "c": 1.0, "band": 0.0}) == pytest.approx(np.sqrt(3 / 4))
    assert d.lower_bound({"a": 2.0}) == pytest.approx(1.0)  # bands unknown yet: no bound


def test_a_pooled_check_is_judged_on_the_runs_mean_not_in_the_distance():
    """The initiatives' settled start is judged on the mean series of many runs: two runs
    that each drift out of the band by chance, in opposite directions, pass together; it
    is no statistic of the ABC distance (one run's drift is mostly chance)."""
    from kosi_sim import posterior_fit as pf

    check = pf.pooled_checks()[0]
    assert check.name == "initiatives_per_100k"
    names = {s.name for s in pf.scaled_stats(resolve_classroom(), True)}
    assert pf.LONG_RUN + check.name not in names
    assert {pf.LONG_RUN + c.name for c in pf.per_run_checks()} <= names
    up, down = np.r_[100.0, np.full(23, 130.0)], np.r_[100.0, np.full(23, 70.0)]
    col = pf.LONG_RUN + check.name
    sims = pd.DataFrame({col: [1.0, 1.0], pf.SERIES + check.name: [up, down]})
    row = pf._pooled_row(col, check, sims)
    assert row["passed"] and row["predictive_mean"] == 0.0 and row["share_within"] == 0.0
    sims = pd.DataFrame({col: [1.0, 1.0], pf.SERIES + check.name: [up, up]})
    assert not pf._pooled_row(col, check, sims)["passed"]


def resolve_classroom():
    from kosi_sim.scenario import resolve

    return resolve("classroom")


def test_a_singular_kernel_is_refused_with_one_line():
    """Particles that vary in fewer directions than there are parameters give the Gaussian
    kernel a singular covariance (its density is zero where it proposes); the kernel says
    so instead of letting pyabc fail later on undefined weights."""
    kernel = abc_smc.transition(["engagement.willing_cutoff", "engagement.review_rate"])
    rng = np.random.default_rng(1)
    x = rng.random(6)
    flat = pd.DataFrame({"engagement.willing_cutoff": x, "engagement.review_rate": 2 * x})
    with pytest.raises(abc_smc.AbcError, match="larger --population"):
        kernel.fit(flat, np.full(6, 1 / 6))
    spread = pd.DataFrame({"engagement.willing_cutoff": x, "engagement.review_rate": rng.random(6)})
    kernel.fit(spread, np.full(6, 1 / 6))  # fine
    assert np.isfinite(kernel.pdf(spread)).all() and (kernel.pdf(spread) > 0).all()
