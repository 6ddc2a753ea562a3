"""Fuzzing the command line with generated scenario and experiment documents.

Hypothesis builds documents from valid ones by mutation (wrong types, values out of range,
NaN and infinity, hostile names and paths, unknown keys, missing keys, malformed TOML,
byte-order marks) and hands them to ``kosi-sim`` in a fresh folder.  Whatever the input:
the command ends with exit 0, or exit 2 and exactly one line on stderr; never a traceback,
and no file appears or changes outside the output folder (``results/``).
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import tempfile
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kosi_sim.cli import main

pytestmark = pytest.mark.usefixtures("one_thread")

SCENARIO = {
    "name": "fuzz",
    "description": "a small town",
    "seed": 1,
    "years": 1,
    "scale": 1.0,
    "districts": [
        {"name": "A", "population": 600, "share_65plus": 0.25},
        {"name": "B", "population": 400, "remoteness": 0.5},
    ],
    "simulation": {"spinup_months": 2},
    "engagement": {"threshold_mean": 0.2},
    "interventions": [
        {"type": "matching", "budget_eur_per_year": 1000, "staff_fte": 0.1},
    ],
}

EXPERIMENT = {
    "name": "fuzzexp",
    "scenario": "scenario.toml",
    "replications": 1,
    "seed": 1,
    "years": 1,
    "executor": "serial",
    "design": {"kind": "full_factorial", "points": 2},
    "factors": [{"name": "civic_engagement", "low": 0.8, "high": 1.2}],
    "output": {"every_months": 6},
}

NAMES = st.sampled_from(
    [
        "ok-name",
        "..",
        ".",
        "../escaped",
        "/tmp/abs",
        "a/b",
        "a\\b",
        "",
        " ",
        "city",
        "Ä-ü_ß",
        ".hidden",
        "x" * 300,
        "nul\x00byte",
        "semi;colon",
        "new\nline",
    ]
)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.0, 1e-9, 2500.0, 10**9, math.nan, math.inf, -math.inf]),
)
VALUES = st.one_of(
    NUMBERS,
    NAMES,
    st.booleans(),
    st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["year", "month", "x"]), st.integers(-2, 14), max_size=2),
)
PARAM_KEYS = st.sampled_from(
    [
        "threshold_mean",
        "willing_cutoff",
        "share_sport",
        "net_migration_rate",
        "demographic_pressure",
        "civic_engagement",
        "spinup_months",
        "no_such_parameter",
    ]
)
SECTIONS = st.sampled_from(
    ["engagement", "associations", "demography", "drivers", "simulation", "nonsense"]
)


def _set_path(doc: dict, path: tuple, value) -> None:
    """Set ``doc[path...]`` where the containers exist (lists by index)."""
    target = doc
    for key in path[:-1]:
        if isinstance(target, list):
            if not target:
                return
            target = target[key % len(target)]
        elif isinstance(target, dict):
            target = target.setdefault(key, {})
        else:
            return
    if isinstance(target, dict):
        target[path[-1]] = value
    elif isinstance(target, list) and target:
        target[path[-1] % len(target)] = value


#: plausible values per key: most generated documents should get past validation, so
#: that the commands behind it (run, sweep) are fuzzed too
VALID = {
    "name": st.sampled_from(["town-2", "Görlitz", "a.b_c"]),
    "seed": st.sampled_from([0, 7, 2**40]),
    "years": st.sampled_from([1, 2]),
    "scale": st.sampled_from([0.5, 1.0]),
    "description": st.text(max_size=40),
    "population": st.sampled_from([300, 2500.0, 900]),
    "share_65plus": st.floats(0.0, 0.5),
    "remoteness": st.floats(0.0, 1.0),
    "housing_vacancy": st.floats(0.0, 0.2),
    "type": st.sampled_from(["contact_point", "small_grants", "dortmund_lab", "ideas_call"]),
    "budget_eur_per_year": st.sampled_from([0, 5000, 1e9]),
    "staff_fte": st.sampled_from([0, 0.5, 1000]),
    "start": st.sampled_from([1, 3, {"year": 1, "month": 6}]),
    "end": st.sampled_from([6, 12, {"year": 1, "month": 12}]),
    "districts": st.sampled_from([["A"], ["A", "B"]]),
    "replications": st.sampled_from([1, 2]),
    "points": st.sampled_from([1, 2]),
    "kind": st.sampled_from(["full_factorial", "latin_hypercube", "sobol", "morris"]),
    "low": st.floats(0.3, 1.0),
    "high": st.floats(1.0, 2.0),
    "levels": st.sampled_from([[True, False], [0.5, 1.5]]),
    "executor": st.sampled_from(["serial", "processes"]),
    "every_months": st.sampled_from([1, 6, 12]),
    "scenario": st.sampled_from(["scenario.toml", "classroom"]),
}


def _plausible(draw, path: tuple):
    key = path[-1] if isinstance(path[-1], str) else path[-2]
    if key == "name" and "factors" in path:
        return draw(st.sampled_from(["civic_engagement", "demographic_pressure", "lab"]))
    return draw(VALID.get(key, VALUES))


def _param_value(draw, name: str):
    """A value of a declared parameter inside its range (or anything for unknown names)."""
    from kosi_sim.catalog import CATALOG

    try:
        p = CATALOG.resolve(name)
    except (KeyError, ValueError):
        return draw(VALUES)
    if p.kind is bool or p.choices is not None:
        return draw(st.sampled_from([True, False] if p.kind is bool else list(p.choices)))
    lo, hi = p.bounds
    if p.kind is int:
        return draw(st.integers(int(lo), int(min(hi, lo + 24))))
    return draw(st.floats(lo, hi))


@st.composite
def mutated(draw, base: dict, paths: list[tuple]) -> dict:
    """``base`` changed in 0 to 4 places: plausible values, hostile values, deleted keys,
    parameters of sections (declared or not)."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["plausible", "plausible", "hostile", "delete", "param"]))
        path = draw(st.sampled_from(paths))
        if kind == "plausible":
            _set_path(doc, path, _plausible(draw, path))
        elif kind == "hostile":
            _set_path(doc, path, draw(VALUES))
        elif kind == "delete" and len(path) == 1:
            doc.pop(path[0], None)
        elif kind == "param":
            name = draw(PARAM_KEYS)
            good = draw(st.booleans())
            _set_path(
                doc, (draw(SECTIONS), name), _param_value(draw, name) if good else draw(VALUES)
            )
    return doc


SCENARIO_PATHS = [
    ("name",),
    ("seed",),
    ("years",),
    ("scale",),
    ("districts",),
    ("description",),
    ("districts", 0, "name"),
    ("districts", 1, "population"),
    ("districts", 0, "share_65plus"),
    ("districts", 0, "remoteness"),
    ("districts", 1, "housing_vacancy"),
    ("districts_file",),
    ("interventions",),
    ("interventions", 0, "type"),
    ("interventions", 0, "budget_eur_per_year"),
    ("interventions", 0, "start"),
    ("interventions", 0, "end"),
    ("interventions", 0, "staff_fte"),
    ("interventions", 0, "districts"),
    ("unknown_top",),
]
EXPERIMENT_PATHS = [
    ("name",),
    ("scenario",),
    ("replications",),
    ("seed",),
    ("years",),
    ("executor",),
    ("design", "kind"),
    ("design", "points"),
    ("factors",),
    ("factors", 0, "name"),
    ("factors", 0, "low"),
    ("factors", 0, "high"),
    ("factors", 0, "levels"),
    ("output", "every_months"),
    ("output", "metrics"),
    ("unknown_top",),
]


def _text(doc: dict, damage: int) -> str | bytes:
    """The document as TOML, sometimes damaged: cut short, with a byte-order mark, or
    not TOML at all."""
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # e.g. a NUL in a key: write something broken instead
        text = "name = \n"
    if damage == 1:
        return text[: len(text) // 2]
    if damage == 2:
        return "\ufeff" + text
    if damage == 3:
        return b"\xff\xfe\x00garbage\x00" + text.encode()
    return text


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            st_ = p.lstat()
            out[str(p.relative_to(root))] = (st_.st_size, st_.st_mtime_ns)
    return out


def _cli(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run the command line in ``cwd``; (exit code, stderr).  Any exception escaping
    ``main`` fails the test (a traceback)."""
    err = io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = main(args)
            except SystemExit as e:  # argparse
                code = e.code
    finally:
        os.chdir(old)
    return code, err.getvalue()


def _check(args_of, files: dict[str, str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "work"
        (root / "results").mkdir(parents=True)
        outside = Path(tmp) / "outside.txt"  # a file next to the work folder
        outside.write_text("keep me")
        for name, content in files.items():
            path = root / name
            (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
        before = {k: v for k, v in _tree(Path(tmp)).items() if not k.startswith("work/results")}
        for args in args_of(root):
            code, err = _cli(args, root)
            event(f"{args[0]} exit {code}")
            lines = err.strip().splitlines()
            assert code in (0, 2), (args, code, err)
            assert "Traceback" not in err, err
            if code == 2:
                assert len(lines) == 1 and lines[0].startswith("kosi-sim: error:"), err
        after = {k: v for k, v in _tree(Path(tmp)).items() if not k.startswith("work/results")}
        assert after == before, "files outside results/ changed"


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated(SCENARIO, SCENARIO_PATHS), st.sampled_from([0, 0, 0, 1, 2, 3]))
@example(SCENARIO | {"interventions": [{"type": [], "budget_eur_per_year": 0, "staff_fte": 0}]}, 0)
def test_scenario_documents_validate_cleanly(doc, damage):
    _check(lambda root: [["validate", "scenario.toml"]], {"scenario.toml": _text(doc, damage)})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated(SCENARIO, SCENARIO_PATHS))
def test_scenario_documents_run_cleanly(doc):
    """Small documents that validate also run (one year, no spin-up) and write only
    into results/."""

    def args(root: Path) -> list[list[str]]:
        code, _ = _cli(["validate", "scenario.toml"], root)
        if code != 0 or _population(doc) > 5000:
            return []
        return [
            [
                "run",
                "scenario.toml",
                "--years",
                "1",
                "--quiet",
                "--set",
                "simulation.spinup_months=0",
            ]
        ]

    _check(args, {"scenario.toml": _text(doc, 0)})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mutated(EXPERIMENT, EXPERIMENT_PATHS), st.sampled_from([0, 0, 0, 1, 2]))
@example(EXPERIMENT | {"factors": [{"name": 0, "low": 0.8, "high": 1.2}]}, 0)
def test_experiment_documents_sweep_cleanly(doc, damage):
    """Experiments that are tiny run as a serial sweep into results/; the others must be
    refused cleanly or accepted."""

    def args(root: Path) -> list[list[str]]:
        return [["sweep", "experiment.toml", "--executor", "serial", "--quiet"]]

    small = _runs(doc) <= 4
    files = {"experiment.toml": _text(doc, damage), "scenario.toml": _text(SCENARIO, 0)}
    if small:
        _check(args, files)
    else:  # a large valid design would take long to run: only its validation counts
        _check(
            lambda root: [
                ["sweep", "experiment.toml", "--executor", "serial", "--quiet", "--dry-run"]
            ],
            files,
        )


def _population(doc: dict) -> float:
    try:
        return sum(float(d["population"]) for d in doc["districts"])
    except (KeyError, TypeError, ValueError):
        return math.inf


def _runs(doc: dict) -> float:
    try:
        return (
            int(doc["design"]["points"])
            * int(doc["replications"])
            * (1 if int(doc["years"]) <= 1 else math.inf)
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        return math.inf
