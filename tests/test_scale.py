"""Scale-free instruments and outputs: a lab has the same effect on shares at every ``scale``,
and every count is reported in real-city units (see kosi_sim/interventions/base.py)."""

import copy

import numpy as np
import pytest
from scipy import stats

from kosi_sim.compare import compare, cost_effectiveness
from kosi_sim.interventions import REGISTRY
from kosi_sim.interventions.base import SCALING
from kosi_sim.metrics import COUNT_UNITS, INTENSIVE_UNITS, METRICS, SCALED
from kosi_sim.model import CityModel
from kosi_sim.scenario import resolve

from .test_interventions import town

pytestmark = pytest.mark.usefixtures("one_thread")

HOURS = 1600.0 / 12  # one FTE's hours a month at the default hours_per_fte_year


def town_model(scale, *interventions):
    """The instruments' test town (5,500 inhabitants) at ``scale``."""
    return CityModel(town(*interventions, scale=scale))


# -- the framework: money, staff, counts and sizes ------------------------------------------


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_instrument_parameter_says_how_it_scales(kind):
    cls = REGISTRY[kind]
    assert set(cls.scaling) == {p.name for p in cls.params}
    assert set(cls.scaling.values()) <= set(SCALING)


@pytest.mark.parametrize("scale", [1.0, 0.25])
def test_money_and_staff_refills_are_the_samples_share(scale):
    m = town_model(scale, {"type": "contact_point", "budget_eur_per_year": 12000, "staff_fte": 1})
    m.step()
    (iv,) = m.interventions
    # what is left plus what was spent this month (simulated units) is the refill
    assert iv.money_left + iv.counts["money_eur"] == pytest.approx(12000 * scale)
    assert iv.hours_left + iv.counts["staff_hours"] == pytest.approx(HOURS * scale)
    assert m.administration.lab_spending == pytest.approx(
        iv.counts["money_eur"] + 75000 / 12 * scale
    )
    # reported in real-city units: the whole staff cost, spending / scale
    log = m.interventions_frame().set_index("metric")["value"]
    assert log["staff_cost_eur"] == pytest.approx(75000 / 12)
    assert log["money_eur"] == pytest.approx(iv.counts["money_eur"] / scale)
    assert m.recorder.latest("lab_spending") == pytest.approx(
        m.administration.lab_spending, rel=1e-12
    )


def test_unspent_money_and_hours_carry_over_up_to_the_real_amount():
    """An instrument that never spends (round tables with no tables): at scale 0.25 the
    hours bank fills by a quarter of a month's hours a month up to one month's, the money by a
    quarter of the budget a year up to one year's; at scale 1 both are simply refilled."""
    entry = {
        "type": "round_tables",
        "budget_eur_per_year": 8000,
        "staff_fte": 0.5,
        "tables_per_year": 0,
    }
    for scale in (0.25, 1.0):
        m = town_model(scale, entry)
        (iv,) = m.interventions
        for month in range(1, 38):
            m.step()
            assert iv.hours_left == pytest.approx(min(month * scale, 1.0) * 0.5 * HOURS)
            years = (month - 1) // 12 + 1
            assert iv.money_left == pytest.approx(min(years * scale, 1.0) * 8000)


def test_count_capacity_scales_in_expectation_and_is_exact_at_full_scale():
    m = town_model(0.3, {"type": "transfer", "budget_eur_per_year": 0, "staff_fte": 0})
    (iv,) = m.interventions
    draws = np.array([iv.scaled_count(3) for _ in range(20000)])
    assert set(np.unique(draws)) == {0, 1}
    assert draws.mean() == pytest.approx(0.9, abs=4 * np.sqrt(0.09 / 20000))
    assert iv.scaled_count(10) == 3  # whole: no draw
    assert iv.sample_share(19) == pytest.approx(5.7)
    full = town_model(1.0, {"type": "transfer", "budget_eur_per_year": 0, "staff_fte": 0})
    (iv,) = full.interventions
    state = copy.deepcopy(iv.rng.bit_generator.state)
    assert [iv.scaled_count(n) for n in (0, 1, 4, 50)] == [0, 1, 4, 50]
    assert iv.rng.bit_generator.state == state  # nothing drawn: scale 1 is unchanged


def test_monthly_capacity_is_the_samples_share_of_one_real_month():
    m = town_model(0.5, {"type": "ideas_call", "budget_eur_per_year": 0, "staff_fte": 0.3})
    (iv,) = m.interventions
    real = int(0.3 * HOURS // 1.1)  # 36 reviews of 1.1 h in one month of 0.3 FTE
    assert np.mean([iv.monthly_capacity(1.1) for _ in range(4000)]) == pytest.approx(
        0.5 * real, abs=0.05
    )


def test_sizes_do_not_scale():
    """At scale 0.25 a course that takes place is as large as at full scale (enough money,
    staff and candidates), and so is a round table."""
    m = town_model(
        0.25,
        {
            "type": "capacity_building",
            "budget_eur_per_year": 200000,
            "staff_fte": 3,
            "courses_per_year": 12,
            "participants_per_course": 15,
        },
        {
            "type": "round_tables",
            "budget_eur_per_year": 50000,
            "staff_fte": 2,
            "tables_per_year": 12,
            "max_members": 12,
        },
    )
    m.run(36)
    log = m.interventions_frame()
    course = log[log["type"] == "capacity_building"].pivot_table(
        index="month", columns="metric", values="value"
    )
    held = course[course["courses"] > 0]
    assert 0 < len(held) < 36  # held in some months, not all: a quarter of the slots
    assert (held["trained"] / held["courses"] == 15).all()
    tables = log[(log["type"] == "round_tables") & (log["metric"] == "reached")]
    opened = tables[tables["value"] > 0]["value"] * 0.25  # members of the month's new table
    assert len(opened) > 0 and (opened >= 10).all() and (opened <= 12).all()


# -- every count in real-city units -------------------------------------------------------


def test_every_metric_unit_is_classified_and_counts_are_scaled():
    """A new metric must say whether it is a count (reported / scale) or not."""
    assert not COUNT_UNITS & INTENSIVE_UNITS
    for m in METRICS:
        assert m.unit in COUNT_UNITS | INTENSIVE_UNITS, f"{m.name}: unclassified unit {m.unit}"
        assert (m.name in SCALED) == (m.unit in COUNT_UNITS), m.name
    assert {"engaged_citizens", "lab_spending"} <= SCALED


def test_city_counts_are_the_same_at_half_scale():
    """classroom_toolbox (with its lab) at scale 1 and 0.5: the mean over two years of every
    count metric agrees in real-city units (a count left in simulated units would be half),
    and so does what the instruments report.  Counts too small to compare (fewer than 25
    simulated at half scale: their chance variation alone exceeds the tolerance) are
    skipped."""
    frames = {}
    for scale in (1.0, 0.5):
        m = CityModel(resolve("classroom_toolbox", {"scale": scale}))
        m.run(24)
        df = m.metrics_frame()
        city = df[(df["district"] == "city") & (df["month"] >= 1)]
        labs = m.interventions_frame()
        frames[scale] = (
            city.groupby("metric", observed=True)["value"].mean(),
            labs.groupby(["type", "metric"])["value"].sum(),
        )
    full, half = frames[1.0][0], frames[0.5][0]
    checked = 0
    for name in sorted(SCALED):
        if abs(full[name]) * 0.5 < 25:
            continue
        assert 0.7 < half[name] / full[name] < 1.4, (name, full[name], half[name])
        checked += 1
    assert checked >= 10
    labs_full, labs_half = frames[1.0][1], frames[0.5][1]
    # the whole staff cost of every instrument, whatever the scale
    staff_full = labs_full.xs("staff_cost_eur", level="metric")
    assert np.allclose(labs_half.xs("staff_cost_eur", level="metric"), staff_full, rtol=1e-9)
    for metric in ("money_eur", "staff_hours", "reached"):
        ratio = (
            labs_half.xs(metric, level="metric").sum() / labs_full.xs(metric, level="metric").sum()
        )
        assert 0.6 < ratio < 1.5, (metric, ratio)


# -- the same lab effect at every scale ------------------------------------------------------

SHARES = ("engaged_share", "coverage_mean", "trust_share")


@pytest.fixture(scope="module")
def lab_at_scales(one_thread):
    """baseline_wuppertal_lab (50,000 inhabitants, the issue's example), 4 paired
    replicates over 8 years at scales 1, 0.5 and 0.2."""
    out = {}
    for scale in (1.0, 0.5, 0.2):
        scn = resolve("baseline_wuppertal_lab", {"scale": scale, "years": 8})
        out[scale] = compare(scn, 4)
    return out


#: the reported intervals are 95% t intervals over 4 replicates; the test makes ten
#: comparisons (five indicators at two scales), so it compares at the 99% level, widening
#: each half-width by the ratio of the t quantiles (3 degrees of freedom)
WIDEN_TO_99 = stats.t.ppf(0.995, 3) / stats.t.ppf(0.975, 3)


@pytest.mark.parametrize("scale", [0.5, 0.2])
def test_paired_lab_effects_on_shares_agree_across_scales(lab_at_scales, scale):
    """The effect at scale s and at full scale differ by less than their 99% intervals
    allow (the root of the summed squared half-widths); before instruments were scaled, the
    engaged share gained +0.040 at scale 0.2 against +0.016 at full scale, a gap of more
    than ten times that allowance."""
    full = lab_at_scales[1.0].effects.set_index("indicator")
    part = lab_at_scales[scale].effects.set_index("indicator")
    for name in (*SHARES, "engaged_citizens", "initiatives_active"):
        half_full = (full.at[name, "ci95_high"] - full.at[name, "ci95_low"]) / 2
        half_part = (part.at[name, "ci95_high"] - part.at[name, "ci95_low"]) / 2
        gap = abs(part.at[name, "effect"] - full.at[name, "effect"])
        allowed = WIDEN_TO_99 * np.hypot(half_full, half_part)
        assert gap <= allowed, (name, gap, allowed)
    assert full.at["engaged_share", "ci95_low"] > 0  # the lab does something


@pytest.mark.parametrize("scale", [0.5, 0.2])
def test_lab_cost_and_cost_effectiveness_are_in_real_city_units(lab_at_scales, scale):
    full = cost_effectiveness(lab_at_scales[1.0]).set_index("measure")["value"]
    part = cost_effectiveness(lab_at_scales[scale]).set_index("measure")["value"]
    # staff cost is exact; the money spent varies with what the lab finds to fund
    assert part["lab_cost_eur_per_year"] == pytest.approx(full["lab_cost_eur_per_year"], rel=0.1)
    per_engaged = part["eur_per_additional_engaged_citizen_per_year"]
    if np.isnan(per_engaged):
        # since matching's defaults follow the volunteer agencies' figures (issue 20), the
        # lab's gain in engaged citizens at scale 0.2 cannot be told from zero with four
        # replicates; then no ratio is given, and the note says why (the effects themselves
        # are compared across scales above)
        notes = cost_effectiveness(lab_at_scales[scale]).set_index("measure")["note"]
        assert (
            scale < 0.5
            and "not distinguishable" in notes["eur_per_additional_engaged_citizen_per_year"]
        )
        return
    assert per_engaged == pytest.approx(
        full["eur_per_additional_engaged_citizen_per_year"], rel=0.35
    )
