"""Conservation and bounds at every step of a run."""

import numpy as np
import pytest

from kosi_sim.model import CityModel

FLOWS_IN = ("births", "in_migration", "moves_in")
FLOWS_OUT = ("deaths", "out_migration", "moves_out")


def test_population_accounting_every_step(small_run):
    """pop[t+1] = pop[t] + births - deaths + in - out + moves in - moves out, per district."""
    rec = small_run.recorder
    for col in range(small_run.n_districts + 1):
        pop = rec.series("population", col)
        change = sum(rec.series(f, col) for f in FLOWS_IN) - sum(
            rec.series(f, col) for f in FLOWS_OUT
        )
        assert np.array_equal(pop[1:], pop[:-1] + change[1:])
    # moves between districts net to zero for the city
    assert np.array_equal(rec.series("moves_in"), rec.series("moves_out"))
    assert rec.series("deaths")[1:].sum() > 0 and rec.series("births")[1:].sum() > 0


def test_every_living_citizen_in_one_district_and_bounds_hold(small_scenario):
    model = CityModel(small_scenario)
    pop = model.pop
    for _ in range(30):
        model.step()
        alive = pop.alive
        assert ((pop.district[alive] >= 0) & (pop.district[alive] < model.n_districts)).all()
        assert (pop.district[~alive] == model.n_districts).all()
        assert pop.per_district().sum() == pop.n_alive
        assert (pop.hours >= 0).all() and (pop.hours <= pop.time_budget + 1e-6).all()
        assert not (pop.engaged & ~alive).any()
        assert ((pop.trust >= 0) & (pop.trust <= 1)).all()
        assert ((pop.burnout >= 0) & (pop.burnout <= 1)).all()
        assert (model.associations.funds >= 0).all()
        assert (model.initiatives.money >= 0).all()
        adm = model.administration
        assert adm.service_budget >= 0 and adm.cofunding_left >= -1e-6
        assert adm.revenue >= 0
        # memberships point to living organisations
        member = pop.association >= 0
        assert model.associations.alive[pop.association[member]].all()
        in_init = pop.initiative >= 0
        assert (model.initiatives.stage[pop.initiative[in_init]] <= 4).all()


def test_volunteer_hours_are_conserved_between_vereine_and_initiatives(small_run):
    """Every engaged hour is counted once: in a Verein, an initiative, or informally."""
    from kosi_sim.agents.initiatives import initiative_hours

    pop = small_run.pop
    a = small_run.associations
    a.refresh_counts(pop)
    in_assoc = a.hours[a.live].sum()
    in_init = initiative_hours(pop).sum()
    informal = pop.hours[(pop.association < 0) & (pop.initiative < 0)].sum()
    assert in_assoc + in_init + informal == pytest.approx(pop.hours.sum(), rel=1e-5)


def test_compaction_keeps_everything_consistent(small_scenario):
    model = CityModel(small_scenario)
    model.run(12)
    pop = model.pop
    before = {
        "uids": pop.uid[pop.alive].copy(),
        "engaged": pop.engaged[pop.alive].copy(),
        "district": pop.district[pop.alive].copy(),
        "contact_uids": pop.uid[pop.contacts[pop.alive]].copy(),
    }
    leader_rows = pop.rows_of(model.associations.leader[model.associations.live])
    pop.compact()
    assert pop.dead_rows == 0
    # the same citizens, now grouped by district (in their former order within one)
    order = np.argsort(before["district"], kind="stable")
    assert np.array_equal(pop.uid, before["uids"][order])
    assert np.array_equal(pop.engaged, before["engaged"][order])
    assert np.array_equal(pop.district, before["district"][order])
    assert np.all(np.diff(pop.district) >= 0)
    # ties to living citizens survive compaction with the same partner
    ok = pop.contacts >= 0
    assert np.array_equal(pop.uid[pop.contacts[ok]], before["contact_uids"][order][ok])
    new_leader_rows = pop.rows_of(model.associations.leader[model.associations.live])
    assert np.array_equal(new_leader_rows >= 0, leader_rows >= 0)
