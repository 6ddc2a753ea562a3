"""The command line: outputs, exit codes and one-line errors with nothing half-written."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from kosi_sim.cli import main


def kosi(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "kosi_sim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _assert_clean_error(proc):
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kosi-sim: error:")
    return lines[0]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "classroom"
    proc = kosi("run", "classroom", "--years", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "engaged (14+)" in proc.stdout
    return out


def test_run_writes_tables_manifest_and_plots(run_folder):
    names = {p.name for p in run_folder.iterdir()}
    assert {
        "metrics.parquet",
        "initiatives.parquet",
        "associations.parquet",
        "manifest.json",
        "metric_units.csv",
        "plots",
    } <= names
    assert {p.name for p in (run_folder / "plots").iterdir()} == {
        "main_indicators.png",
        "districts.png",
    }
    df = pd.read_parquet(run_folder / "metrics.parquet")
    assert list(df.columns) == ["month", "year", "district", "metric", "value"]
    assert df["month"].max() == 24
    assert set(df["district"].unique()) == {"Zentrum", "Neubaugebiet", "Dorf", "city"}
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["months"] == 24
    assert manifest["parameters"]["civic_engagement"] == 1.0
    assert manifest["versions"]["mesa"].startswith("3.")
    assert not any(p.name.startswith(".") for p in run_folder.parent.iterdir())


def test_refuses_to_overwrite_and_keeps_the_old_folder(run_folder):
    before = (run_folder / "metrics.parquet").read_bytes()
    msg = _assert_clean_error(kosi("run", "classroom", "--years", "1", "--out", str(run_folder)))
    assert "already exists" in msg and "--force" in msg
    assert (run_folder / "metrics.parquet").read_bytes() == before


def test_force_replaces(tmp_path):
    out = tmp_path / "r"
    assert main(["run", "classroom", "--years", "1", "--out", str(out), "--quiet"]) == 0
    assert (
        main(
            [
                "run",
                "classroom",
                "--years",
                "1",
                "--seed",
                "9",
                "--out",
                str(out),
                "--force",
                "--quiet",
            ]
        )
        == 0
    )
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "nowhere.toml"], "no such scenario file"),
        (["run", "classroom", "--set", "civic_engagment=1"], "did you mean"),
        (["run", "classroom", "--set", "civic_engagement=9"], "from 0.25 to 2"),
        (["run", "classroom", "--set", "civic_engagement"], "expected key=value"),
        (["run", "classroom", "--years", "0"], "years"),
        (["run", "classroom", "--scale", "2"], "scale"),
        (["validate", "classroom", "--set", "min_volunteers=2.5"], "whole number"),
        (["params", "--section", "nonsense"], "unknown section"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, fragment):
    proc = kosi(*args, "--out", str(tmp_path / "x")) if args[0] == "run" else kosi(*args)
    assert fragment in _assert_clean_error(proc)
    assert not (tmp_path / "x").exists()


def test_bad_scenario_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\nyears = 5\n[[districts]]\nname = "A"\npopulation = 100\n'
        "[engagement]\nthreshold_mean = 3\n"
    )
    msg = _assert_clean_error(kosi("validate", str(bad)))
    assert "engagement.threshold_mean = 3" in msg


def test_validate_ok():
    proc = kosi("validate", "baseline")
    assert proc.returncode == 0 and "valid scenario 'baseline'" in proc.stdout


@pytest.mark.parametrize("sub", ["run", "validate", "params", "scenarios"])
def test_help_is_complete(sub):
    proc = kosi(sub, "--help")
    assert proc.returncode == 0 and "usage: kosi-sim" in proc.stdout
    if sub == "run":
        for opt in ("--seed", "--years", "--set", "--out", "--force", "--scale"):
            assert opt in proc.stdout


def test_params_lists_every_section(capsys):
    from kosi_sim.catalog import listed_sections

    assert main(["params", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = sum(len(s.params) for s in listed_sections())
    assert len(out.strip().splitlines()) == 1 + rows
    assert "civic_engagement" in out and "Destatis" in out
    assert "instrument.participatory_budget,turnout," in out


def test_params_piped_lists_every_parameter_with_whole_words(capsys):
    """Piped (or in a narrow terminal) the parameters come as records wrapped between
    words: every word of every meaning and source appears whole; the instruments'
    parameters are listed under their instrument."""
    from kosi_sim.catalog import listed_sections
    from kosi_sim.cli import main

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    tokens = set(out.split())
    sections = listed_sections()
    assert any(s.name == "instrument.small_grants" for s in sections)
    for sec in sections:
        assert f"[{sec.name}]" in out
        for p in sec.params:
            assert f"{p.name} =" in out
            ev = p.evidence
            text = f"{p.doc} evidence: {ev.grade}, prior {ev.prior} source: {ev.source} {ev.url}"
            missing = [w for w in text.split() if w not in tokens]
            assert not missing, (p.name, missing)


def test_every_command_has_a_description():
    from kosi_sim.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description, name
