"""Lab instruments: validation, no-op identity, budgets, and each instrument's direction."""

import copy
import hashlib

import numpy as np
import pytest

from kosi_sim.interventions import PRESETS, REGISTRY
from kosi_sim.model import CityModel
from kosi_sim.results import write_run
from kosi_sim.scenario import ScenarioError, from_dict, resolve

TOWN = {
    "name": "labtown",
    "seed": 5,
    "years": 4,
    "districts": [
        {"name": "A", "population": 3000, "share_65plus": 0.25},
        {"name": "B", "population": 2500, "share_under18": 0.2},
    ],
    "simulation": {"spinup_months": 6},
}


def town(*interventions, **top):
    doc = copy.deepcopy(TOWN)
    doc["interventions"] = list(interventions)
    doc.update(top)
    return from_dict(doc, "labtown")


def run(scn, months=36, seed=None):
    m = CityModel(scn, rng=seed)
    m.run(months)
    return m


def test_registry_has_the_ten_instruments_and_two_presets():
    assert set(REGISTRY) == {
        "contact_point",
        "matching",
        "ideas_call",
        "small_grants",
        "admin_fast_track",
        "space_provision",
        "round_tables",
        "capacity_building",
        "transfer",
        "participatory_budget",
    }
    assert set(PRESETS) == {"dortmund_lab", "wuppertal_lab"}


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        (
            {"type": "magic_lab", "budget_eur_per_year": 1, "staff_fte": 1},
            "allowed: admin_fast_track, capacity_building",
        ),
        ({"type": "matching", "staff_fte": 1}, "missing required key 'budget_eur_per_year'"),
        (
            {"type": "matching", "budget_eur_per_year": 1, "staff_fte": 1, "speed": 2},
            "unknown key 'speed' for matching; valid keys: type",
        ),
        ({"type": "matching", "budget_eur_per_year": -1, "staff_fte": 1}, "from 0 to"),
        (
            {"type": "matching", "budget_eur_per_year": 1, "staff_fte": 1, "districts": ["Z"]},
            "unknown district 'Z'; districts of this scenario: A, B",
        ),
        (
            {"type": "matching", "budget_eur_per_year": 1, "staff_fte": 1, "start": 0},
            "months count from 1",
        ),
        (
            {"type": "matching", "budget_eur_per_year": 1, "staff_fte": 1, "start": 10, "end": 5},
            "end (month 5) is before start (month 10)",
        ),
        (
            {
                "type": "matching",
                "budget_eur_per_year": 1,
                "staff_fte": 1,
                "start": {"year": 1, "month": 13},
            },
            "M from 1 to 12",
        ),
        (
            {"type": "round_tables", "budget_eur_per_year": 1, "staff_fte": 1, "theme": "football"},
            "one of auto, care, mobility, social, space",
        ),
        (
            {"type": "wuppertal_lab", "budget_eur_per_year": 1, "staff_fte": 1, "x": 1},
            "unknown key 'x' for preset wuppertal_lab",
        ),
    ],
)
def test_bad_interventions_are_clear_errors(entry, fragment):
    with pytest.raises(ScenarioError) as e:
        town(entry)
    assert fragment in str(e.value) and "\n" not in str(e.value)


def test_start_as_year_and_month_and_presets_expand():
    scn = town(
        {
            "type": "wuppertal_lab",
            "start": {"year": 2, "month": 3},
            "budget_eur_per_year": 100000,
            "staff_fte": 2,
        }
    )
    specs = scn.intervention_specs
    assert {s.type for s in specs} == set(PRESETS["wuppertal_lab"])
    assert all(s.start == 15 for s in specs)
    assert sum(s.staff_fte for s in specs) == pytest.approx(2.0)
    assert sum(s.budget_eur_per_year for s in specs) == pytest.approx(100000)


def _bytes(folder):
    return {
        n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
        for n in ("metrics.parquet", "initiatives.parquet", "associations.parquet")
    }


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_zero_budget_intervention_changes_nothing(kind, tmp_path):
    plain = run(town(), months=24)
    noop = run(town({"type": kind, "budget_eur_per_year": 0, "staff_fte": 0}), months=24)
    write_run(tmp_path / "plain", plain)
    write_run(tmp_path / "noop", noop)
    assert _bytes(tmp_path / "plain") == _bytes(tmp_path / "noop")


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_budgets_and_staff_time_are_never_exceeded(scale):
    """In real-city units: at full scale no month's hours exceed the staff's plus what the
    last month left (less than one action's) and no year's spending the budget; at every
    scale the totals so far never exceed the hours and budgets given so far."""
    scn = resolve("classroom_toolbox", {"scale": scale})
    model = CityModel(scn)
    model.run(48)
    log = model.interventions_frame()
    for spec in scn.intervention_specs:
        mine = log[log["intervention"] == spec.label].pivot_table(
            index="month", columns="metric", values="value"
        )
        hours_cap = spec.staff_fte * model.params.hours_per_fte_year / 12
        active = mine.index >= spec.start
        year = (mine.index[active] - spec.start) // 12
        hours = mine.loc[active, "staff_hours"].cumsum().to_numpy()
        assert (hours <= hours_cap * np.arange(1, len(hours) + 1) + 1e-6).all(), spec.label
        money = mine.loc[active, "money_eur"].cumsum().to_numpy()
        assert (money <= spec.budget_eur_per_year * (year + 1) + 1e-6).all(), spec.label
        if scale == 1.0:
            # a month may also work off what the last one left: less than one action's hours
            lab = next(i for i in model.interventions if i.label == spec.label)
            month_cap = hours_cap + lab.largest_action_hours
            assert (mine["staff_hours"] <= month_cap + 1e-6).all(), spec.label
            spent = mine.loc[active, "money_eur"].groupby(year).sum()
            assert (spent <= spec.budget_eur_per_year + 1e-6).all(), spec.label
    total = log[log["metric"].isin(["money_eur", "staff_hours"])]["value"].sum()
    assert total > 0


def test_lab_spending_is_in_the_municipal_budget():
    with_lab = run(town({"type": "matching", "budget_eur_per_year": 0, "staff_fte": 2}), 12)
    without = run(town(), 12)
    staff_cost = 2 * with_lab.params.staff_cost_per_fte_year / 12
    assert with_lab.recorder.series("lab_spending")[1:] == pytest.approx(staff_cost)
    # in the first month (before any austerity feedback) the balance differs by exactly that
    diff = without.recorder.series("budget_balance") - with_lab.recorder.series("budget_balance")
    assert diff[1] == pytest.approx(staff_cost)


# -- direction of each instrument, on common random numbers -------------------------------


def _willing_engaged(m):
    pop = m.pop
    willing = (pop.willingness >= m.params.willing_cutoff) & pop.alive & (pop.age_m >= 168)
    return (pop.engaged & willing).sum() / willing.sum()


def test_matching_raises_engagement_among_the_willing():
    entry = {"type": "matching", "budget_eur_per_year": 0, "staff_fte": 1}
    for seed in (1, 2):
        assert _willing_engaged(run(town(entry), 24, seed)) > _willing_engaged(
            run(town(), 24, seed)
        )


def test_fast_track_shortens_lead_times():
    entry = {"type": "admin_fast_track", "budget_eur_per_year": 0, "staff_fte": 1}

    def lead(m):
        s = m.recorder.series("gate_lead_time")
        return np.nanmean(s[1:])

    for seed in (1, 2):
        assert lead(run(town(entry), 48, seed)) < lead(run(town(), 48, seed))


def test_space_provision_lowers_premises_vacancy():
    entry = {"type": "space_provision", "budget_eur_per_year": 80000, "staff_fte": 0.5}
    for seed in (1, 2):
        lab = run(town(entry), 36, seed)
        plain = run(town(), 36, seed)
        # initiatives used the opened premises during the run (not necessarily in its last month)
        used = sum(c.get("premises_used", 0) for _, _, _, c in lab.intervention_log)
        assert used > 0
        # lower vacancy on average over the run (in a small town the rooms may all be
        # free again in the last year: seed 1 used them in 9 of the 36 months)
        with_ = lab.recorder.series("premises_vacancy")[1:].mean()
        without = plain.recorder.series("premises_vacancy")[1:].mean()
        assert with_ < without


def test_round_tables_without_facilitator_converge_less_often():
    def converged(facilitated):
        total = 0
        for seed in range(1, 4):
            entry = {
                "type": "round_tables",
                "budget_eur_per_year": 20000,
                "staff_fte": 1,
                "tables_per_year": 6,
                "facilitated": facilitated,
            }
            m = run(town(entry), 48, seed)
            log = m.interventions_frame()
            total += log[log["metric"] == "tables_converged"]["value"].sum()
        return total

    assert converged(False) < converged(True)


def test_grants_raise_participation_of_low_motivation_citizens():
    entry = {"type": "small_grants", "budget_eur_per_year": 40000, "staff_fte": 0.5}

    def low_motivation_engaged(m):
        pop = m.pop
        low = pop.alive & (pop.motivation < 0.35) & (pop.age_m >= 168)
        return (pop.engaged & low).sum() / low.sum()

    for seed in (1, 2):
        assert low_motivation_engaged(run(town(entry), 36, seed)) > low_motivation_engaged(
            run(town(), 36, seed)
        )


def test_capacity_building_trains_and_relieves_burnout():
    entry = {"type": "capacity_building", "budget_eur_per_year": 10000, "staff_fte": 0.3}
    for seed in (1, 2):
        trained = run(town(entry), 24, seed)
        plain = run(town(), 24, seed)
        assert (trained.pop.trained & trained.pop.alive).sum() > 0
        assert trained.recorder.latest("burnout_mean") < plain.recorder.latest("burnout_mean")


def test_ideas_call_and_participatory_budget_run_their_funnels():
    call = {"type": "ideas_call", "budget_eur_per_year": 20000, "staff_fte": 0.3}
    pb = {"type": "participatory_budget", "budget_eur_per_year": 50000, "staff_fte": 0.5}
    m = run(town(call, pb), 24, 1)
    log = m.interventions_frame()
    total = log.groupby(["intervention", "metric"])["value"].sum()
    assert total["ideas_call", "submissions"] >= total["ideas_call", "shortlisted"]
    assert total["ideas_call", "shortlisted"] >= total["ideas_call", "funded"] > 0
    funnel = [
        total["participatory_budget", k]
        for k in ("ideas_submitted", "finalists", "projects_funded")
    ]
    assert funnel[0] >= funnel[1] >= funnel[2] > 0
    assert total["participatory_budget", "votes_cast"] >= total["participatory_budget", "voters"]
    origins = m.initiatives.origin[: m.initiatives.n]
    assert {2, 5} <= set(origins.tolist())


def test_transfer_copies_sustained_initiatives():
    from kosi_sim.agents.initiatives import ACTIVE, SUSTAINED

    entry = {"type": "transfer", "budget_eur_per_year": 5000, "staff_fte": 0.3, "districts": ["B"]}
    m = CityModel(town(entry), rng=1)
    m.run(2)
    t = m.initiatives
    leader = t.find_leaders(m, np.array([0]), m.streams("test"))
    row = t.launch(m, np.array([0], np.int16), np.array([1], np.int8), leader, ACTIVE, 0)
    t.stage[row] = SUSTAINED
    before = t.n
    m.run(2)
    log = m.interventions_frame()
    assert log[log["metric"] == "transfers"]["value"].sum() == 1
    copies = np.flatnonzero(t.origin[: t.n] == 4)
    assert len(copies) == 1 and copies[0] >= before
    assert t.district[copies[0]] == 1 and t.domain[copies[0]] == 1


@pytest.mark.parametrize("scale", [1.0, 0.2])
def test_a_vote_the_real_lab_cannot_staff_in_a_month_happens_at_no_scale(scale):
    """The vote costs the sample its share of the real staff time; whether it happens is
    decided on the real lab's month, so it does not appear at a small scale only."""
    pb = {"type": "participatory_budget", "budget_eur_per_year": 50000, "staff_fte": 0.5}
    pb |= {"submission_rate": 0.02, "turnout": 0.05}  # a busy vote even in the small sample
    enough = run(town(pb, scale=scale), 24, 1).interventions_frame()
    short = {**pb, "hours_for_vote": 100.0}  # more than 0.5 FTE work in a month (67 h)
    none = run(town(short, scale=scale), 24, 1).interventions_frame()
    assert enough[enough["metric"] == "voters"]["value"].sum() > 0
    assert none[none["metric"] == "voters"]["value"].sum() == 0
