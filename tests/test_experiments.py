"""The experiment runner: designs, executors, failures, resume, analysis."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kosi_sim.experiments import designs
from kosi_sim.experiments.designs import Factor
from kosi_sim.experiments.spec import ExperimentError, load
from kosi_sim.experiments.sweep import run_sweep, specs
from kosi_sim.results import ResultsError

# three years because the toolbox's last instrument starts in year 3 (an intervention after
# the end of the run is refused); scale 0.4 keeps the runs short
EXP = """
name = "tiny"
scenario = "classroom_toolbox"
replications = 2
seed = 1
years = 3
scale = 0.4
executor = "serial"
[design]
kind = "full_factorial"
points = 2
[[factors]]
name = "civic_engagement"
low = 0.8
high = 1.2
[[factors]]
name = "lab"
levels = [true, false]
[output]
every_months = 3
"""


@pytest.fixture
def exp_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(EXP)
    return path


def _metrics(root):
    df = pd.read_parquet(Path(root) / "metrics")
    return df.sort_values(["run_id", "month", "metric"]).reset_index(drop=True)


# -- designs -------------------------------------------------------------------------------


def test_full_factorial_counts_and_values():
    f = [Factor("a", low=0, high=1), Factor("b", levels=(True, False)), Factor("c", levels=(1,))]
    d = designs.full_factorial(f, points=3)
    assert len(d) == 3 * 2 * 1
    assert sorted(d["a"].unique()) == [0.0, 0.5, 1.0]


def test_sampling_designs_counts_bounds_and_seeds():
    f = [Factor("x", low=0.2, high=0.4), Factor("y", low=1.0, high=3.0)]
    lhs = designs.latin_hypercube(f, 20, seed=5)
    assert len(lhs) == 20 and lhs["x"].between(0.2, 0.4).all() and lhs["y"].between(1, 3).all()
    assert lhs.equals(designs.latin_hypercube(f, 20, seed=5))
    assert not lhs.equals(designs.latin_hypercube(f, 20, seed=6))
    assert len(designs.sobol(f, 16, seed=1)) == 16 * (2 + 2)
    assert len(designs.sobol(f, 16, seed=1, second_order=True)) == 16 * (2 * 2 + 2)
    m = designs.morris(f, 10, seed=1)
    assert len(m) == 10 * (2 + 1) and m["x"].between(0.2, 0.4).all()
    lhs_mixed = designs.latin_hypercube([*f, Factor("lab", levels=(True, False))], 5, seed=1)
    assert len(lhs_mixed) == 10


def test_run_seeds_come_from_the_root_and_are_shared_across_points(exp_file):
    exp = load(exp_file)
    runs = list(specs(exp))
    assert len(runs) == exp.n_runs == 8
    assert [r.run_id for r in runs] == list(range(8))
    seeds = np.random.SeedSequence(1).spawn(2)
    assert runs[0].seed == int(seeds[0].generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    assert {r.seed for r in runs if r.replicate == 0} == {runs[0].seed}
    assert runs[0].seed != runs[1].seed
    off = next(r for r in runs if r.point == 1)
    assert off.scenario["interventions"] == [] and runs[0].scenario["interventions"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (('executor = "serial"', 'executor = "gpu"'), "allowed: serial, processes, dask"),
        (('name = "civic_engagement"', 'name = "civic_engagment"'), "did you mean"),
        (("high = 1.2", "high = 3.0"), "from 0.25 to 2"),
        (('kind = "full_factorial"', 'kind = "taguchi"'), "allowed: full_factorial"),
        (("every_months = 3", 'every_months = 3\nmetrics = ["happiness"]'), "happiness"),
        (('scenario = "classroom_toolbox"', 'scenario = "nowhere"'), "unknown scenario"),
    ],
)
def test_bad_experiment_files_are_clear_errors(tmp_path, change, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(EXP.replace(*change))
    with pytest.raises(ExperimentError) as e:
        load(path)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_ready_studies_are_valid():
    root = Path(__file__).resolve().parents[1] / "experiments"
    for name in ("pressure_x_engagement", "sensitivity", "lab_mix"):
        exp = load(root / f"{name}.toml")
        assert exp.n_runs > 0


# -- executors and the store -----------------------------------------------------------


def test_serial_processes_and_dask_give_identical_results(exp_file, tmp_path):
    exp = load(exp_file)
    for kind in ("serial", "processes", "dask"):
        s = run_sweep(exp, tmp_path / kind, executor=kind, workers=2)
        assert (s.ok, s.failed) == (8, 0)
    base = _metrics(tmp_path / "serial")
    assert base.equals(_metrics(tmp_path / "processes"))
    assert base.equals(_metrics(tmp_path / "dask"))
    runs = pd.read_parquet(tmp_path / "serial" / "runs.parquet")
    assert list(runs["run_id"]) == list(range(8)) and (runs["status"] == "ok").all()
    assert {"civic_engagement", "lab", "seed", "duration_s", "traceback", "threshold_mean"} <= set(
        runs.columns
    )
    manifest = json.loads((tmp_path / "serial" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["experiment_text"] == EXP


def test_a_failing_run_is_recorded_and_the_rest_complete(exp_file, tmp_path, monkeypatch):
    from kosi_sim.model import CityModel

    original = CityModel.run

    def flaky(self, months, progress=None):
        if self.params.civic_engagement > 1.0 and self.interventions:
            raise RuntimeError("boom")
        return original(self, months, progress)

    monkeypatch.setattr(CityModel, "run", flaky)
    s = run_sweep(load(exp_file), tmp_path / "out", executor="serial")
    assert (s.ok, s.failed) == (6, 2)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 2 and (failed["error"] == "RuntimeError: boom").all()
    assert failed["traceback"].str.contains("flaky").all()
    assert len(list((tmp_path / "out" / "metrics").glob("*.parquet"))) == 6


def test_refuses_to_overwrite_and_to_resume_a_changed_file(exp_file, tmp_path):
    exp = load(exp_file)
    run_sweep(exp, tmp_path / "out")
    with pytest.raises(ResultsError, match="--resume"):
        run_sweep(exp, tmp_path / "out")
    exp_file.write_text(EXP.replace("seed = 1", "seed = 2"))
    with pytest.raises(ResultsError, match="experiment file changed"):
        run_sweep(load(exp_file), tmp_path / "out", resume=True)


def _sweep_cmd(*args):
    return [sys.executable, "-m", "kosi_sim.cli", "sweep", *args]


#: runs ``kosi-sim`` with the store's write patched: after the n-th run record is saved the
#: process writes a "ready" file and waits, so the test interrupts it at a known point
_PAUSING = """
import sys, time
from pathlib import Path
from kosi_sim.experiments.store import Store
ready, n = Path(sys.argv[1]), int(sys.argv[2])
write, saved = Store.write, []
def pausing_write(self, *args, **kwargs):
    write(self, *args, **kwargs)
    saved.append(1)
    if len(saved) == n:
        ready.write_text("ready")
        time.sleep(3600)  # until the test's signal
Store.write = pausing_write
from kosi_sim.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_interrupted_sweep_resumes_to_the_same_results(exp_file, tmp_path, how):
    """The sweep is interrupted right after its second run is saved (not at a moment raced
    against the clock): exactly two runs are kept, the resume runs the other six, and the
    results equal an uninterrupted sweep's."""
    full = tmp_path / "full"
    assert (
        subprocess.run(
            _sweep_cmd(str(exp_file), "--out", str(full), "--quiet"), timeout=300
        ).returncode
        == 0
    )
    part, ready = tmp_path / "part", tmp_path / "ready"
    script = tmp_path / "pausing.py"
    script.write_text(_PAUSING)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(script),
            str(ready),
            "2",
            "sweep",
            str(exp_file),
            "--out",
            str(part),
            "--quiet",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(3000):  # a bound against a hang only: the file appears after 2 runs
            if ready.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert ready.exists(), "the sweep never saved its second run"
        proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
        # communicate, not wait: it reads stderr while waiting, so a child that has written
        # more than a pipe holds (warnings under load) cannot block on its last message
        _, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert len(list((part / "runs").glob("*.json"))) == 2
    if how == "sigint":
        assert proc.returncode == 130 and "--resume" in err
    assert (
        subprocess.run(
            _sweep_cmd(str(exp_file), "--out", str(part), "--resume", "--quiet"), timeout=300
        ).returncode
        == 0
    )
    runs = pd.read_parquet(part / "runs.parquet")
    assert sorted(runs["run_id"]) == list(range(8))
    assert _metrics(full).equals(_metrics(part))
    assert not list(part.rglob(".*.tmp-*"))


# -- analysis ----------------------------------------------------------------------------


def test_analysis_and_report_on_a_small_sweep(tmp_path):
    path = tmp_path / "pe.toml"
    path.write_text(
        EXP.replace(
            'name = "civic_engagement"\nlow = 0.8\nhigh = 1.2',
            'name = "civic_engagement"\nlevels = [0.8, 1.2]',
        )
        + '[[factors]]\nname = "demographic_pressure"\nlevels = [0.0, 1.0]\n'
    )
    out = tmp_path / "sweep"
    run_sweep(load(path), out, executor="processes", workers=2)
    from kosi_sim.cli import main

    assert main(["analyze", str(out), "--quiet"]) == 0
    folder = out / "analysis"
    assert {
        "heatmaps.png",
        "trajectories.png",
        "report.html",
        "ema_results.tar.gz",
        "lab_effect_grid.csv",
        "outcomes.parquet",
    } <= {p.name for p in folder.iterdir()}
    page = (folder / "report.html").read_text()
    assert "data:image/png;base64" in page and "Provenance" in page
    grid = pd.read_csv(folder / "lab_effect_grid.csv")
    assert len(grid) == 4 * 4  # 4 metrics x 2 x 2 cells
    # each cell's paired effect with its interval over the cell's pairs and a verdict
    assert (grid["pairs"] == 2).all()  # the two replicates of each cell, paired
    assert (grid["ci95_low"] <= grid["effect"]).all() and (
        grid["effect"] <= grid["ci95_high"]
    ).all()
    unclear = (grid["ci95_low"] <= 0) & (grid["ci95_high"] >= 0)
    assert (grid.loc[unclear, "verdict"] == "not distinguishable from zero").all()
    assert (grid.loc[~unclear, "verdict"] != "not distinguishable from zero").all()
    _check_summary(page, folder)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import load_results
    experiments, outcomes = load_results(str(folder / "ema_results.tar.gz"))
    assert len(experiments) == 16 and outcomes["engaged_share"].shape[0] == 16


VERDICTS = ("clear increase", "clear decrease", "not distinguishable from zero")


def _check_summary(page: str, folder: Path) -> None:
    """The report opens with a summary in words: the design, the outcome window, and per
    main metric the lab's effect with its interval and verdict, from the tables' numbers."""
    import html
    import re

    assert page.index("id='summary'") < page.index("<img")  # the summary comes first
    summary = html.unescape(page[page.index("id='summary'") : page.index("</section>")])
    paragraphs = re.findall(r"<p class='summary'>(.*?)</p>", summary)
    text = " ".join(paragraphs)
    # 3 years recorded every 3 months: the outcome is the mean of months 27, 30, 33, 36
    assert "last 12 months of the 3 years simulated (months 25 to 36)" in text
    assert "months 27, 30, 33 and 36" in text
    assert "8 design points" in text and "x 2 replicates = 16 runs" in text
    study = pd.read_csv(folder / "lab_effect_study.csv").set_index("metric")
    assert (study["replicates"] == 2).all() and (study["pairs"] == 8).all()
    for metric, label in (
        ("engaged_share", "Engaged (volunteering) share of people aged 14+"),
        ("trust_share", "Trusting the city administration"),
    ):
        sentence = next(p for p in paragraphs if p.startswith(label))
        row = study.loc[metric]
        lo, hi = row["effect_ci95_low"] * 100, row["effect_ci95_high"] * 100
        assert re.search(r"effect is [+-][\d.]+ pp \(95% interval [+-][\d.]+ pp to", sentence)
        assert f"{hi:+.1f} pp" in sentence or f"{hi:+.2f} pp" in sentence, (sentence, hi)
        assert lo <= row["effect"] * 100 <= hi
        assert f": {row['verdict']}." in sentence and row["verdict"] in VERDICTS
        assert "Largest at" in sentence and "Smallest at" in sentence
    # a ratio only where the effect it divides by is a clear increase
    cost = pd.read_csv(folder / "lab_cost_effectiveness.csv").set_index("measure")
    for measure, metric in (
        ("eur_per_additional_engaged_citizen_per_year", "engaged_citizens"),
        ("eur_per_coverage_point_per_year", "coverage_mean"),
    ):
        clear = study.loc[metric, "verdict"] == "clear increase"
        assert np.isfinite(cost.loc[measure, "value"]) == clear
        if study.loc[metric, "verdict"] == VERDICTS[2]:
            assert "n/a: effect not distinguishable from zero" in text
    # every table of estimates shows their intervals
    for title in ("whole study", "largest and smallest", "per heatmap cell"):
        table = page[page.index(title) :]
        table = table[: table.index("</table>")]
        assert "95% interval" in table, title


def test_analyze_rejects_a_folder_that_is_not_a_sweep(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "kosi_sim.cli", "analyze", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "not a kosi-sim sweep folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_prim_finds_where_the_lab_pays_off():
    from kosi_sim.experiments.analysis import Analysis, discovery

    rng = np.random.default_rng(0)
    rows = []
    for i in range(120):
        p, e = rng.random(), 0.5 + rng.random()
        gain = 0.05 if p > 0.6 else 0.0
        for lab in (True, False):
            rows.append(
                {
                    "run_id": len(rows),
                    "point": i,
                    "replicate": 0,
                    "lab": lab,
                    "demographic_pressure": p,
                    "civic_engagement": e,
                    "coverage_mean": 0.8 + (gain if lab else 0.0),
                }
            )
    a = Analysis(
        {"factors": ["lab", "demographic_pressure", "civic_engagement"]},
        pd.DataFrame(),
        pd.DataFrame(rows),
        ["lab", "demographic_pressure", "civic_engagement"],
    )
    discovery(a, "coverage_mean", 0.02)
    box = a.tables["prim_box"].set_index("factor")
    # the true region is pressure > 0.6; the box trades a little density for coverage
    assert 0.45 <= box.loc["demographic_pressure", "low"] <= 0.65
    assert box.loc["civic_engagement", "low"] <= 0.55  # engagement does not matter here
    assert box["density"].iloc[0] >= 0.8 and box["coverage"].iloc[0] >= 0.9
    assert "prim.png" in a.figures


def test_dry_run_checks_and_counts_but_writes_nothing(exp_file, tmp_path, capsys, monkeypatch):
    from kosi_sim.cli import main

    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    assert main(["sweep", str(exp_file), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 design points x 2 replicates = 8 runs" in out
    assert "results/tiny/" in out
    assert sorted(tmp_path.rglob("*")) == before


def test_trajectory_legends_name_the_levels_in_words():
    from kosi_sim.experiments.analysis import _level_label

    assert _level_label("lab", True) == "with lab"
    assert _level_label("lab", False) == "without lab"
    assert _level_label("intervention.small_grants", True) == "with small grants"
    assert _level_label(None, None) == "all runs"
