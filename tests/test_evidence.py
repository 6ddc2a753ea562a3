"""The evidence register: every listed parameter has exactly one row with a grade, a
source and a prior inside its valid range that contains its default."""

import csv
import io
from dataclasses import replace

import numpy as np
import pytest

from kosi_sim.catalog import CATALOG, listed_sections
from kosi_sim.cli import main
from kosi_sim.evidence import (
    COLUMNS,
    Evidence,
    Family,
    Grade,
    Prior,
    attach,
    parse_row,
    read_register,
)
from kosi_sim.parameters import Param, Section


def _all_params():
    return [(sec.name, p) for sec in listed_sections() for p in sec.params]


def test_every_listed_parameter_has_evidence():
    listed = _all_params()
    assert any(name.startswith("instrument.") for name, _ in listed)
    for name, p in listed:
        ev = p.evidence
        assert isinstance(ev, Evidence), f"{name}.{p.name}"
        assert ev.grade in Grade and ev.source.strip(), f"{name}.{p.name}"
        if ev.grade is Grade.ASSUMPTION:
            assert ev.note or ev.source, f"{name}.{p.name}: an assumption needs its reasoning"


def test_register_has_exactly_one_row_per_parameter_and_no_orphans():
    rows = read_register()
    keys = [(r["section"], r["parameter"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(s, p.name) for s, p in _all_params()}


def test_priors_lie_inside_the_valid_range_and_contain_the_default():
    rng = np.random.default_rng(0)
    for name, p in _all_params():
        prior = p.evidence.prior
        assert prior.contains(p.default), f"{name}.{p.name}: {p.default} not in {prior}"
        if isinstance(p.default, bool | str):
            assert prior.family is Family.FIXED, f"{name}.{p.name}"
            continue
        lo, hi = p.bounds
        draws = prior.sample(rng, 200)
        assert ((lo <= draws) & (draws <= hi)).all(), f"{name}.{p.name}: {prior}"
        for x in draws[:5]:  # every draw is a valid value of the parameter
            p.check(x.item())


def test_catalogue_params_are_the_listed_ones():
    """The evidence is on the very objects the model reads, not on copies."""
    listed = {id(p) for _, p in _all_params()}
    assert all(id(p) in listed for p in CATALOG.by_name.values())


def _row(**changes):
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        section="s",
        parameter="x",
        grade="literature",
        prior_family="triangular",
        prior_low="0.1",
        prior_high="0.5",
        prior_mode="0.2",
        source="somebody 2020",
    )
    row.update(changes)
    return row


X = Param("x", 0.2, "share", "a share", "assumption", (0.0, 1.0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"grade": "guess"}, "grade 'guess' is not one of measured, literature, assumption"),
        ({"prior_family": "gamma"}, "prior family 'gamma' is not one of"),
        ({"prior_low": "-0.1"}, "reaches outside the valid range 0 to 1"),
        ({"prior_high": "1.5"}, "reaches outside the valid range 0 to 1"),
        ({"prior_low": "0.3", "prior_mode": "0.4"}, "default 0.2 outside prior tri(0.3, 0.4, 0.5)"),
        ({"prior_mode": "0.9"}, "triangular mode 0.9 outside 0.1 to 0.5"),
        ({"prior_family": "loguniform", "prior_low": "0", "prior_mode": ""}, "low > 0"),
        ({"source": " "}, "no source"),
    ],
)
def test_a_bad_row_is_a_one_line_error(changes, message):
    with pytest.raises(ValueError, match=r"evidence\.csv row s\.x: ") as e:
        parse_row(_row(**changes), X)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_switches_and_choices_have_fixed_priors():
    flag = Param("f", True, "", "a switch", "assumption")
    ok = parse_row(_row(prior_family="fixed", prior_low="", prior_high="", prior_mode="true"), flag)
    assert ok.prior == Prior(Family.FIXED, mode=True) and str(ok.prior) == "fixed(True)"
    with pytest.raises(ValueError, match="needs a fixed prior"):
        parse_row(_row(), flag)


def test_whole_numbers_need_a_discrete_prior():
    n = Param("n", 3, "", "a count", "assumption", (0, 10))
    row = _row(prior_family="discrete_uniform", prior_low="1", prior_high="5", prior_mode="")
    assert str(parse_row(row, n).prior) == "integers(1, 5)"
    with pytest.raises(ValueError, match="needs discrete_uniform or fixed"):
        parse_row(_row(prior_low="1", prior_high="5", prior_mode="3"), n)


def test_missing_and_orphaned_rows_are_errors():
    x = replace(X)
    sec = Section("s", "a section", [x])
    with pytest.raises(ValueError, match=r"no row for s\.x"):
        attach([sec], [])
    with pytest.raises(ValueError, match=r"rows for no declared parameter: s\.y"):
        attach([sec], [_row(), _row(parameter="y")])
    with pytest.raises(ValueError, match=r"s\.x has two rows"):
        attach([sec], [_row(), _row()])
    attach([sec], [_row()])
    assert str(x.evidence.prior) == "tri(0.1, 0.2, 0.5)"


def test_csv_export_round_trips(capsys):
    """``kosi-sim params --format csv`` carries the register's columns; read back, every
    row gives the same evidence as the register."""
    assert main(["params", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    listed = _all_params()
    assert len(rows) == len(listed)
    register = {(r["section"], r["parameter"]): r for r in read_register()}
    for row, (sec, p) in zip(rows, listed, strict=True):
        assert (row["section"], row["name"]) == (sec, p.name)
        back = parse_row({**row, "parameter": row["name"]}, p)
        assert back == p.evidence
        assert {c: row[c] for c in COLUMNS[2:]} == {
            c: register[(sec, p.name)][c] for c in COLUMNS[2:]
        }


def test_grade_filter(capsys):
    assert main(["params", "--grade", "measured", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = [p for _, p in _all_params() if p.evidence.grade is Grade.MEASURED]
    assert rows and len(rows) == len(expected)
    assert {r["grade"] for r in rows} == {"measured"}
    assert main(["params", "--grade", "assumption", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| measured |" not in out and "| assumption |" in out


def test_declared_sources_do_not_contradict_the_register():
    """One truth: a parameter the register grades measured or literature is declared with
    the register's source, never as an assumption."""
    for name, p in _all_params():
        if p.evidence.grade is not Grade.ASSUMPTION:
            assert p.source == p.evidence.source, f"{name}.{p.name}"


def test_an_instrument_is_illustrative_exactly_when_all_its_evidence_is_assumption():
    from kosi_sim.catalog import INSTRUMENT_SECTIONS, illustrative, illustrative_in
    from kosi_sim.evidence import Grade
    from kosi_sim.interventions.registry import REGISTRY

    graded = {
        s.name.removeprefix("instrument."): {p.evidence.grade for p in s.params}
        for s in INSTRUMENT_SECTIONS
    }
    for kind in REGISTRY:
        assert illustrative(kind) == (graded.get(kind, set()) <= {Grade.ASSUMPTION}), kind
    # the register has both kinds today: participatory budgets are measured (Wuppertal)
    assert not illustrative("participatory_budget") and illustrative("transfer")
    assert illustrative_in(["transfer", "matching", "transfer"]) == ["transfer"]


def test_compare_says_which_instruments_are_illustrative(tmp_path):
    import json
    import subprocess
    import sys

    out = tmp_path / "c"
    proc = subprocess.run(
        [sys.executable, "-m", "kosi_sim.cli", "compare", "classroom_toolbox",
         "--replications", "2", "--years", "3", "--set", "scale=0.5", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    shown = json.loads((out / "manifest.json").read_text())["illustrative_instruments"]
    assert shown and "participatory_budget" not in shown
    assert "Illustrative: " + ", ".join(shown) in proc.stdout
