"""Bad input of every kind ends in one line ``kosi-sim: error: ...`` and exit code 2 (or in a
correct run): files that are no regular files or too large, NaN and infinity, long lists,
byte-order marks, districts CSVs, overrides, command-line values, network addresses, large
designs, broken pipes, and the plausibility guards on values that make no sense together."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kosi_sim.cli import main
from kosi_sim.inputs import MAX_FILE_BYTES
from kosi_sim.scenario import SCENARIO_DIR

CLASSROOM = (SCENARIO_DIR / "classroom.toml").read_text(encoding="utf-8")
TOWN = 'name = "town"\nyears = 2\n'
DISTRICT = '[[districts]]\nname = "A"\npopulation = 2500\n'


def one_line_error(capsys, *args: str) -> str:
    """Run the command in this process; its one stderr line (exit 2, no traceback)."""
    try:
        code = main(list(args))
    except SystemExit as e:  # how argparse ends on a bad option
        code = e.code
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("kosi-sim: error: "), err
    assert "Traceback" not in err
    return lines[0]


def kosi(*args: str, stdout=subprocess.PIPE, text=False) -> subprocess.CompletedProcess:
    """The command as its own process; the timeout only guards against a hang."""
    return subprocess.run(
        [sys.executable, "-m", "kosi_sim.cli", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=text,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- scenario files: content ---------------------------------------------------------------

SCENARIOS = [
    # (scenario text, extra arguments, phrase of the message)
    (
        CLASSROOM.replace('name = "Dorf"', 'name = "city"'),
        [],
        "districts[2].name = 'city' is reserved for the whole city",
    ),
    (TOWN + DISTRICT + "[drivers]\ncivic_engagement = nan\n", [], "= nan is not a finite number"),
    (TOWN + DISTRICT + "share_65plus = inf\n", [], "share_65plus = inf is not a finite number"),
    (TOWN + DISTRICT + "[engagement]\nthreshold_mean = -inf\n", [], "-inf is not a finite number"),
    (TOWN + "seed = nan\n" + DISTRICT, [], "seed = nan is not a finite number"),
    (TOWN + DISTRICT + "[calibration]\nbirths_per_1000 = nan\n", [], "nan is not a finite number"),
    (TOWN + DISTRICT + "[calibration]\ndeaths_per_1000 = -inf\n", [], "-inf is not a finite"),
    (
        TOWN + "".join(f'[[districts]]\nname = "D{i}"\npopulation = 100\n' for i in range(201)),
        [],
        "districts has 201 entries; allowed: at most 200",
    ),
    (TOWN + DISTRICT.replace("2500", "2500.5"), [], "population = 2500.5 is not allowed"),
    (
        TOWN + DISTRICT + '[[interventions]]\ntype = "matching"\nbudget_eur_per_year = nan\n'
        "staff_fte = 1\n",
        [],
        "budget_eur_per_year = nan is not a finite number",
    ),
    (TOWN + DISTRICT + "[associations]\nshare_sport = 1e999\n", [], "inf is not a finite number"),
    (TOWN + DISTRICT + "populaton = 1\n", [], "'districts[0].populaton'; did you mean 'populat"),
]


def validate_error(tmp_path, capsys, text: str, *extra: str) -> str:
    """The one-line error of ``kosi-sim validate`` on a scenario file with ``text``."""
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    msg = one_line_error(capsys, "validate", str(path), *extra)
    assert len(msg) < 300
    return msg


@pytest.mark.parametrize(("text", "extra", "phrase"), SCENARIOS)
def test_bad_scenario_is_one_line(tmp_path, capsys, text, extra, phrase):
    assert phrase in validate_error(tmp_path, capsys, text, *extra)


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["--set", "years=0"], "--set years=0: years = 0 is not allowed"),
        (["--set", "civic_engagement=nan"], "--set civic_engagement=nan: drivers.civic_engagement"),
        (["--set", "nonsense=1"], "--set nonsense=1: unknown parameter 'nonsense'"),
        (["--set", f"min_volunteers={10**400}"], "--set min_volunteers=1000"),
    ],
)
def test_override_errors_name_the_override(capsys, args, start):
    msg = one_line_error(capsys, "validate", "classroom", *args)
    assert msg.startswith("kosi-sim: error: " + start)


def test_whole_number_bounds_are_written_in_full(capsys):
    msg = one_line_error(capsys, "validate", "classroom", "--set", "seed=-5")
    assert msg.endswith("allowed: a whole number from 0 to 9223372036854775807")


def test_option_errors_name_the_option(capsys, tmp_path):
    msg = one_line_error(capsys, "run", "classroom", "--scale", "nan", "--out", str(tmp_path / "r"))
    assert msg.startswith("kosi-sim: error: --scale nan: scale = nan is not a finite number")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_integral_floats_and_byte_order_marks_are_accepted(tmp_path, capsys, bom):
    (tmp_path / "s.toml").write_bytes(
        bom + b'name = "t"\ndistricts_file = "d.csv"\n[[interventions]]\ntype = "matching"\n'
        b"budget_eur_per_year = 1000\nstaff_fte = 0.1\n"
    )
    (tmp_path / "d.csv").write_bytes(bom + b"name,population\nA,2500.0\nB,300\n")
    assert main(["validate", str(tmp_path / "s.toml")]) == 0
    assert "2 districts, 2,800 inhabitants" in capsys.readouterr().out
    (tmp_path / "t.toml").write_bytes(bom + (TOWN + DISTRICT.replace("2500", "2500.0")).encode())
    assert main(["validate", str(tmp_path / "t.toml"), "--set", "years=3.0"]) == 0


# -- districts CSV files ----------------------------------------------------------------------

CSVS = [
    # (CSV text, phrase of the message)
    ("name,population\nA,100,5\n", "line 2 has 3 fields, the header 2 columns"),
    ("name,population\nA\n", "line 2 has 1 fields, the header 2 columns"),
    ("name,population\nA,nan\n", "line 2, population: nan is not a finite number"),
    ("name,population,share_65plus\nA,100,-inf\n", "line 2, share_65plus: -inf is not a finite"),
    ("name,population\nA,2500.5\n", "line 2, population: not a whole number"),
    ("name,population\nA,many\n", "line 2, population: not a number"),
    ("name\nA\n", "no column 'population'"),
    ("name,population,population\nA,1,2\n", "line 1, column 3 is not a districts column"),
    ("", "empty; expected a header line"),
]


@pytest.mark.parametrize(("csv", "phrase"), CSVS)
def test_bad_districts_csv_is_one_line(tmp_path, capsys, csv, phrase):
    (tmp_path / "s.toml").write_text('name = "t"\ndistricts_file = "data/d.csv"\n')
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "d.csv").write_text(csv)
    msg = one_line_error(capsys, "validate", str(tmp_path / "s.toml"))
    assert msg.startswith(f"kosi-sim: error: {tmp_path / 'data' / 'd.csv'}: ") and phrase in msg


def test_districts_file_outside_the_scenario_folder_is_refused(tmp_path, capsys):
    (tmp_path / "secret.csv").write_text("name,population\nA,100\n")
    (tmp_path / "in").mkdir()
    scenario = tmp_path / "in" / "s.toml"
    scenario.write_text('name = "t"\ndistricts_file = "../secret.csv"\n')
    msg = one_line_error(capsys, "validate", str(scenario))
    assert "districts_file = '../secret.csv' lies outside the scenario's folder" in msg
    assert "or an absolute path" in msg


def test_a_districts_file_is_never_echoed(tmp_path, capsys):
    """Whatever file districts_file names, its content stays out of the message."""
    other = tmp_path / "passwords.txt"
    other.write_text("root:x:0:0:topsecret\n")
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'name = "t"\ndistricts_file = "{other}"\n')  # an absolute path
    msg = one_line_error(capsys, "validate", str(scenario))
    assert "line 1, column 1 is not a districts column" in msg and "topsecret" not in msg


# -- files that are no regular files, or too large ---------------------------------------------


@pytest.mark.parametrize("kind", ["scenario", "districts", "experiment"])
@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda tmp: Path("/dev/zero"), "not a regular file"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: _big_file(tmp), f"larger than {MAX_FILE_BYTES // 2**20} MB"),
    ],
    ids=["dev-zero", "folder", "too-large"],
)
def test_files_are_regular_and_bounded(tmp_path, capsys, kind, make, phrase):
    target = make(tmp_path)
    if kind == "scenario":
        args = ["validate", str(target)]
    elif kind == "experiment":
        args = ["sweep", str(target), "--out", str(tmp_path / "out")]
    else:
        scenario = tmp_path / "s.toml"
        scenario.write_text(f'name = "t"\ndistricts_file = "{target}"\n')
        args = ["validate", str(scenario)]
    msg = one_line_error(capsys, *args)
    assert f"{target}: " in msg and phrase in msg


def _big_file(tmp: Path) -> Path:
    path = tmp / "big.toml"
    path.write_text("#" * (MAX_FILE_BYTES + 1))
    return path


@pytest.mark.parametrize("kind", ["scenario", "districts"])
def test_a_fifo_does_not_block(tmp_path, kind):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if kind == "districts":
        target = tmp_path / "s.toml"
        target.write_text('name = "t"\ndistricts_file = "pipe"\n')
    proc = kosi("validate", str(target), text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"kosi-sim: error: {fifo}: not a regular file")


# -- plausibility guards: values valid one by one that make no sense together ----------------

GUARDS = [
    (TOWN + "scale = 1e-9\n" + DISTRICT, [], "allowed: a scale from 0.002 to 1"),
    (CLASSROOM, ["--set", "scale=0.001"], "district 'Dorf' (1,300 inhabitants) with 1.3"),
    (
        TOWN + DISTRICT + '[[interventions]]\ntype = "matching"\nbudget_eur_per_year = 1000\n'
        "staff_fte = 0.1\nstart = {year = 3, month = 2}\n",
        [],
        "'matching' starts in month 26 (year 3), after the run ends with month 24",
    ),
]


@pytest.mark.parametrize(("text", "extra", "phrase"), GUARDS)
def test_implausible_scenario_is_refused(tmp_path, capsys, text, extra, phrase):
    assert phrase in validate_error(tmp_path, capsys, text, *extra)


def test_all_association_shares_zero(capsys):
    zero = [
        f"--set=share_{d}=0"
        for d in ("sport", "culture", "social", "education", "environment", "neighbourhood")
    ]
    msg = one_line_error(capsys, "validate", "classroom", *zero)
    assert "[associations] share_sport" in msg and "are all 0; at least one must be above 0" in msg


def test_net_migration_below_minus_the_out_rate(capsys):
    msg = one_line_error(
        capsys,
        "validate",
        "classroom",
        "--set=net_migration_rate=-0.05",
        "--set=out_migration_rate=0.01",
    )
    assert "in-migration would be negative" in msg and "at least -0.01" in msg
    # the same rates with a net rate of -0.01 are valid
    from kosi_sim.cli import main

    assert (
        main(
            [
                "validate",
                "classroom",
                "--set=net_migration_rate=-0.01",
                "--set=out_migration_rate=0.01",
            ]
        )
        == 0
    )


def test_an_intervention_after_a_shortened_run(capsys, tmp_path):
    out = str(tmp_path / "o")
    msg = one_line_error(capsys, "compare", "classroom_toolbox", "--years", "1", "--out", out)
    assert msg.startswith("kosi-sim: error: --years 1: intervention 'transfer' starts in month 25")
    assert "a run of at least 3 years" in msg


# -- experiment files -------------------------------------------------------------------------

EXPERIMENT = """
name = "e"
scenario = "classroom"
years = 1
executor = "serial"
[design]
kind = "full_factorial"
points = {points}
"""


def _factors(names: list[str], low: float = 0.1, high: float = 0.4) -> str:
    return "".join(f'[[factors]]\nname = "{n}"\nlow = {low}\nhigh = {high}\n' for n in names)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            EXPERIMENT.format(points=1000)
            + _factors(["threshold_mean", "review_rate", "peer_weight"]),
            "the full_factorial design has 1,000,000,000 points; allowed: at most 100,000",
        ),
        (
            EXPERIMENT.format(points=1000) + _factors(["threshold_mean", "review_rate"]),
            "the full_factorial design has 1,000,000 points",
        ),
        (
            EXPERIMENT.replace('kind = "full_factorial"', 'kind = "sobol"\nsamples = 524288')
            .format(points=2)
            .replace("points = 2\n", "")
            + _factors(["threshold_mean", "review_rate"]),
            "the sobol design has 2,097,152 points",
        ),
        (
            EXPERIMENT.format(points=2) + _factors(["threshold_mean"], low="nan"),
            "threshold_mean: nan is not a finite number",
        ),
        (EXPERIMENT.format(points="inf") + _factors(["threshold_mean"]), "points = inf is not a"),
        (
            EXPERIMENT.format(points=2)
            + "".join(
                f'[[factors]]\nname = "share_{d}"\nlevels = [0.5, 0.0]\n'
                for d in ("sport", "culture", "social", "education", "environment", "neighbourhood")
            ),
            "design point 63: [associations] share_sport",
        ),
    ],
)
def test_bad_experiment_is_one_line(tmp_path, capsys, text, phrase):
    path = tmp_path / "e.toml"
    path.write_text(text)
    msg = one_line_error(capsys, "sweep", str(path), "--out", str(tmp_path / "out"))
    assert phrase in msg
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kind", "options", "discrete"),
    [
        ("full_factorial", {"points": 3}, True),
        ("latin_hypercube", {"samples": 7}, True),
        ("sobol", {"samples": 8, "second_order": False}, False),
        ("sobol", {"samples": 8, "second_order": True}, False),
        ("morris", {"samples": 4, "levels": 4}, False),
    ],
)
def test_a_designs_size_is_known_before_it_is_built(kind, options, discrete):
    from kosi_sim.experiments import designs
    from kosi_sim.experiments.designs import Factor

    factors = [Factor("x", low=0.2, high=0.4), Factor("y", low=1.0, high=3.0)]
    if discrete:
        factors.append(Factor("lab", levels=(True, False)))
    build = {
        "full_factorial": lambda: designs.full_factorial(factors, options["points"]),
        "latin_hypercube": lambda: designs.latin_hypercube(factors, options["samples"], 1),
        "sobol": lambda: designs.sobol(factors, options["samples"], 1, options["second_order"]),
        "morris": lambda: designs.morris(factors, options["samples"], 1, options["levels"]),
    }[kind]
    assert designs.size(kind, factors, options) == len(build())


# -- command-line values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["compare", "classroom_toolbox", "--workers", "0"], "--workers 0 is not allowed"),
        (["compare", "classroom_toolbox", "--workers", "-1"], "--workers -1 is not allowed"),
        (["sweep", "x.toml", "--workers", "0"], "--workers 0 is not allowed"),
        (
            ["calibrate", "classroom", "--fit", "--max-evaluations", "0"],
            "--max-evaluations 0 is not allowed; allowed: a whole number of at least 1",
        ),
        (
            ["calibrate", "classroom", "--window", "100000"],
            "--window 100000 is not allowed; allowed: a whole number from 1 to 1200",
        ),
        (["calibrate", "classroom", "--replications", "0"], "--replications 0 is not allowed"),
        (
            ["calibrate", "classroom", "--set", "years=2"],  # the default window is 24 months
            "--window 24 leaves none of classroom's 24 months for the long-run checks",
        ),
        (["run", "classroom", "--years", "abc"], "argument --years: invalid int value: 'abc'"),
        (["params", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        (["app", "--host", "999.1.1.1"], "--host 999.1.1.1 is not a valid address"),
        (["sweep", "x.toml", "--scheduler", "tcp://127.0.0.1"], "is not a scheduler address"),
    ],
)
def test_bad_option_values_are_one_line(tmp_path, capsys, args, phrase):
    out = (
        ["--out", str(tmp_path / "o")]
        if args[0] in ("run", "compare", "calibrate", "sweep")
        else []
    )
    msg = one_line_error(capsys, *args, *out)
    assert phrase in msg
    assert not (tmp_path / "o").exists()


def test_a_scheduler_where_nothing_listens(tmp_path, capsys):
    port = free_port()  # closed again: nothing listens there
    msg = one_line_error(
        capsys, "sweep", "x.toml", "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path)
    )
    assert f"--scheduler tcp://127.0.0.1:{port}: no scheduler answers there" in msg


@pytest.mark.parametrize("fmt", ["csv", "markdown", "table"])
def test_a_closed_pipe_ends_quietly(fmt):
    """``kosi-sim params | head``: the reader is gone before the first write."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = kosi("params", "--format", fmt, stdout=write)
    finally:
        os.close(write)
    assert proc.stderr == b""
    assert proc.returncode == 1
