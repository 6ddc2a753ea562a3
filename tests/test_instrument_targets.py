"""What each instrument achieves: the target table, the counters behind its metrics, and the
check that compares them (``kosi-sim calibrate SCENARIO --instruments``)."""

import csv
import io
import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest
import tomli_w

from kosi_sim import instrument_targets as it
from kosi_sim.catalog import illustrative
from kosi_sim.cli import main
from kosi_sim.interventions import REGISTRY
from kosi_sim.model import CityModel

from .test_interventions import TOWN, town


def summed(model, label):
    out = {}
    for _month, who, _kind, counts in model.intervention_log:
        if who == label:
            for k, v in counts.items():
                out[k] = out.get(k, 0.0) + v
    return out


def rows_of_table():
    text = resources.files("kosi_sim.data").joinpath(it.TABLE).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# -- the table ---------------------------------------------------------------------------


def test_the_target_table_loads_and_every_row_is_sourced():
    targets = it.load()
    assert len(targets) == len(rows_of_table()) >= 7
    for t in targets:
        assert t.instrument in REGISTRY and it.METRICS[t.metric].instrument == t.instrument
        assert t.source and t.url.startswith("http") and t.note
        assert t.tolerance > 0 and t.target >= 0


def test_every_instrument_has_a_target_or_is_flagged_illustrative():
    with_target = {t.instrument for t in it.load()}
    for kind in REGISTRY:
        assert kind in with_target or illustrative(kind), kind


def _broken(change):
    rows = rows_of_table()
    change(rows[0])
    return rows


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda r: r.update(instrument="magic"), "instrument 'magic' is unknown; allowed:"),
        (lambda r: r.update(metric="turnout_share"), "is not one of matching's; allowed:"),
        (lambda r: r.update(target="lots"), "target = 'lots' is not a number"),
        (lambda r: r.update(tolerance="0"), "tolerance = 0 is not allowed"),
        (lambda r: r.update(staff_fte="-1"), "staff_fte = -1 is not allowed"),
        (lambda r: r.update(source=" "), "no source"),
        (lambda r: r.update(staff_fte="2"), "needs the same budget_eur_per_year, staff_fte"),
        (lambda r: r.pop("note"), "no column 'note'"),
    ],
)
def test_a_bad_row_is_a_one_line_error_naming_its_line(change, fragment):
    with pytest.raises(it.InstrumentTargetError) as e:
        it.parse(_broken(change))
    msg = str(e.value)
    # the row that breaks the rule is blamed: the second matching row for a mismatch
    line = "line 3" if "needs the same" in fragment else "line 2"
    assert fragment in msg and line in msg and "\n" not in msg


def test_a_metric_given_twice_is_an_error():
    rows = rows_of_table()
    with pytest.raises(it.InstrumentTargetError, match="has a target already"):
        it.parse([rows[0], dict(rows[0])])


def test_resources_scale_with_population_only_where_the_table_gives_one():
    t = it.load()[0]
    fixed = it.InstrumentTarget(**{**t.__dict__, "population": None})
    per_head = it.InstrumentTarget(
        **{**t.__dict__, "budget_eur_per_year": 1000.0, "staff_fte": 1.0, "population": 10_000}
    )
    assert fixed.resources_for(99_999) == (t.budget_eur_per_year, t.staff_fte)
    assert per_head.resources_for(5_000) == (500.0, 0.5)


# -- the metrics: known answers on hand-made reports -------------------------------------


@pytest.mark.parametrize(
    ("metric", "sums", "months", "budget", "staff", "expected"),
    [
        ("placements_per_staff_year", {"matched": 106.0}, 24, 0.0, 1.0, 53.0),
        ("inquiries_per_staff_year", {"reached": 200.0}, 12, 0.0, 1.5, 200 / 1.5),
        ("turnout_share", {"voters": 50.0, "residents_14plus": 10_000.0}, 24, 0, 0, 0.005),
        (
            "ideas_per_1000_14plus",
            {"ideas_submitted": 9.0, "residents_14plus": 10_000.0},
            12,
            0,
            0,
            0.9,
        ),
        ("grants_per_10k_eur", {"grants": 34.0}, 24, 35_000.0, 0.1, 34 / 2 / 3.5),
        ("premises_per_10k_eur", {"premises_used": 24.0}, 12, 10_000.0, 0.0, 2.0),
        ("converged_share", {"tables_converged": 3.0, "tables_failed": 1.0}, 24, 0, 0, 0.75),
    ],
)
def test_each_metric_has_its_known_answer(metric, sums, months, budget, staff, expected):
    assert it.METRICS[metric].value(sums, months, budget, staff) == pytest.approx(expected)


def test_a_metric_without_a_denominator_is_not_a_number():
    assert np.isnan(
        it.METRICS["converged_share"].value(
            {"tables_converged": 0.0, "tables_failed": 0.0}, 12, 0, 0
        )
    )
    assert not it.load()[0].passes(float("nan"))


# -- the counters count what they say ----------------------------------------------------


def test_matching_counts_inquiries_and_placements():
    entry = {"type": "matching", "budget_eur_per_year": 0, "staff_fte": 0.5}
    always = CityModel(town({**entry, "match_success": 1.0}), rng=1)
    never = CityModel(town({**entry, "match_success": 0.0}), rng=1)
    always.run(6)
    never.run(6)
    a, n = summed(always, "matching"), summed(never, "matching")
    assert a["reached"] > 0 and a["matched"] == a["reached"]
    assert n["reached"] == a["reached"] and n["matched"] == 0
    assert a["staff_hours"] == pytest.approx(a["reached"] * 12.0)  # default hours_per_match


def test_contact_point_consultations_cost_their_hours_and_money():
    m = CityModel(
        town({"type": "contact_point", "budget_eur_per_year": 3000, "staff_fte": 0.5}), rng=2
    )
    m.run(12)
    s = summed(m, "contact_point")
    assert s["consultations"] > 0
    assert s["staff_hours"] == pytest.approx(s["consultations"] * 12.0)
    assert s["money_eur"] == pytest.approx(s["consultations"] * 30.0)


@pytest.mark.parametrize("kind", ["participatory_budget", "ideas_call"])
def test_residents_14plus_are_counted_once_per_call_in_the_target_districts(kind):
    scn = town({"type": kind, "budget_eur_per_year": 20000, "staff_fte": 0.5, "districts": ["B"]})
    m = CityModel(scn, rng=3)
    b = [d.name for d in scn.districts].index("B")
    pop = m.pop
    before = int(np.count_nonzero((pop.district == b) & (pop.age_m >= 14 * 12)))
    m.run(13)
    calls = [
        (mo, c["residents_14plus"]) for mo, _w, _k, c in m.intervention_log if c["residents_14plus"]
    ]
    assert [mo for mo, _ in calls] == [1, 13]  # a yearly cycle: the call in its first month
    assert calls[0][1] == pytest.approx(before, rel=0.02)  # B's residents 14+, not the city's
    assert calls[0][1] < 0.6 * int(np.count_nonzero(pop.age_m >= 14 * 12))


# -- the check ---------------------------------------------------------------------------


def _inquiries_target(value):
    t = next(t for t in it.load() if t.metric == "inquiries_per_staff_year")
    # 0.9 FTE: 120 staff hours a month, exactly ten inquiries of 12 h (none left over)
    return it.InstrumentTarget(
        **{**t.__dict__, "target": value, "tolerance": 5.0, "staff_fte": 0.9}
    )


def test_the_check_passes_on_target_and_fails_off_it():
    # staff time is the only limit: 1,600 h a year / 12 h per inquiry = 133.3 per FTE-year
    scn = town()
    table = it.evaluate(scn, 1, 12, (_inquiries_target(133.3), _inquiries_target(400.0)))
    assert table["simulated_mean"].tolist() == pytest.approx([1600 / 12] * 2)
    assert table["passed"].tolist() == [True, False]


def test_the_check_runs_the_instrument_alone_at_the_targets_resources():
    scn = town({"type": "transfer", "budget_eur_per_year": 1000, "staff_fte": 0.1})
    alone = it.scenario_for(scn, _inquiries_target(133.3), 13)
    assert [s.type for s in alone.intervention_specs] == ["matching"]
    assert alone.intervention_specs[0].staff_fte == 0.9 and alone.years == 2


def test_calibrate_instruments_writes_its_table(tmp_path):
    path = tmp_path / "targettown.toml"
    path.write_text(tomli_w.dumps(TOWN))
    out = tmp_path / "out"
    code = main(
        [
            "calibrate",
            str(path),
            "--instruments",
            "--replications",
            "1",
            "--window",
            "12",
            "--out",
            str(out),
        ]
    )
    table = pd.read_csv(out / "instrument_targets.csv")
    assert code == (0 if table["passed"].all() else 1)
    assert len(table) == len(it.load())
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["instruments_without_target"]) == set(REGISTRY) - set(table["instrument"])


def test_calibrate_instruments_refuses_fit(tmp_path, capsys):
    path = tmp_path / "targettown.toml"
    path.write_text(tomli_w.dumps(TOWN))
    assert (
        main(["calibrate", str(path), "--instruments", "--fit", "--out", str(tmp_path / "o")]) == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--fit and --instruments" in err[0]
    assert not (tmp_path / "o").exists()


def test_a_metric_means_the_same_at_every_scale():
    # ten inquiries of 12 h a month at 0.9 FTE in the real city; the half-size sample does
    # five a month, reported as ten
    target = (_inquiries_target(133.3),)
    full = it.evaluate(town(), 1, 12, target)["simulated_mean"].iloc[0]
    half = it.evaluate(town(scale=0.5), 1, 12, target)["simulated_mean"].iloc[0]
    assert full == pytest.approx(1600 / 12) and half == pytest.approx(full)


# -- staff hours carry over at every scale (issue 18) ------------------------------------


def test_lumpy_actions_give_the_same_per_staff_year_at_every_scale():
    # 1.5 FTE give 200 h a month; a match takes 12 h, so 16 fit and 8 h are left over.
    # The remainder is worked off the next month at scale 1 as the sample banks it at 0.2:
    # 16, 17, 17 matches a month, 1,600 / 12 = 133.3 per FTE-year at both scales (before,
    # scale 1 lost the 8 h every month: 16 x 12 / 1.5 = 128)
    target = it.InstrumentTarget(**{**_inquiries_target(133.3).__dict__, "staff_fte": 1.5})
    full = it.evaluate(town(), 1, 12, (target,))["simulated_mean"].iloc[0]
    fifth = it.evaluate(town(scale=0.2), 1, 12, (target,))["simulated_mean"].iloc[0]
    assert full == pytest.approx(1600 / 12) and fifth == pytest.approx(full)


@pytest.mark.parametrize("scale", [1.0, 0.2])
def test_staff_hours_are_never_spent_before_they_are_given(scale):
    spec = {"type": "matching", "budget_eur_per_year": 0, "staff_fte": 1.5}
    model = CityModel(town(spec, scale=scale), rng=3)
    lab = model.interventions[0]
    given = spent = 0.0
    for _ in range(24):
        model.step()
        given += lab.hours_per_month
        spent += lab.counts["staff_hours"]
        assert spent <= given + 1e-9
        assert 0.0 <= lab.hours_left <= lab.real_hours_per_month + lab.largest_action_hours
    # what is left unspent is the bank, nothing lost: less than one month plus one action
    assert given - spent == pytest.approx(lab.hours_left)
