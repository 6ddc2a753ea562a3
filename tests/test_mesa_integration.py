"""The model works with Mesa's own tools."""

import mesa
import numpy as np

from kosi_sim.agents.administration import Administration
from kosi_sim.agents.associations import Association
from kosi_sim.agents.businesses import Business
from kosi_sim.model import CityModel


def test_is_a_mesa_model_with_organisations_as_agents(small_run):
    assert isinstance(small_run, mesa.Model)
    kinds = small_run.agents_by_type
    assert len(kinds[Administration]) == 1
    assert len(kinds[Association]) == small_run.associations.count()
    assert len(kinds[Business]) == small_run.businesses.count()
    a = kinds[Association].to_list()[0]
    assert a.state()["alive"] is True and a.members >= 0 and a.domain


def test_datacollector_has_city_series(small_run):
    df = small_run.datacollector.get_model_vars_dataframe()
    assert len(df) == 37
    assert {"population", "engaged_share", "coverage_mean", "budget_balance"} <= set(df)
    assert df["population"].iloc[-1] == small_run.recorder.latest("population")


def test_mesa_batch_run_works():
    results = mesa.batch_run(
        CityModel,
        parameters={"scenario": "classroom", "civic_engagement": [0.8, 1.2]},
        rng=[1],
        max_steps=3,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 2
    assert {r["civic_engagement"] for r in results} == {0.8, 1.2}
    assert all(r["Step"] == 3 for r in results)


def test_initiatives_are_agents_once_somebody_leads_them(small_run):
    from kosi_sim.agents.initiatives import IDEA, Initiative

    table = small_run.initiatives
    live = table.live
    led = live[table.stage[live] != IDEA]
    assert len(led) > 0
    agents = small_run.agents_by_type[Initiative].to_list()
    assert sorted(a.row for a in agents) == led.tolist()


def test_agents_are_made_when_looked_at_and_match_the_live_rows():
    """A table makes its rows' Mesa Agents when somebody looks: a business that opened and
    closed unseen never became an Agent, one seen and then closed is deregistered, and at
    any look the Agents are exactly the live organisations (led initiatives only)."""
    from kosi_sim.agents.initiatives import IDEA, Initiative

    model = CityModel("classroom", rng=3)
    b = model.businesses
    assert b._due  # nothing made yet: nobody has looked
    model.run(2)
    seen = {a.row for a in model.agents_by_type[Business]}
    assert not b._due and seen == set(b.live.tolist())
    model.run(10)
    kinds = model.agents_by_type
    for table, kind in ((b, Business), (model.associations, Association)):
        rows = sorted(a.row for a in kinds[kind])
        assert rows == table.live.tolist()
        assert all(table.agents[r] is None for r in np.flatnonzero(~table.alive))
    closed_seen = [r for r in seen if not b.alive[r]]
    assert closed_seen  # some seen businesses closed, and left Mesa's sets
    assert not any(a.row in closed_seen for a in kinds[Business])
    ini = model.initiatives
    led = ini.live[ini.stage[ini.live] != IDEA]
    assert sorted(a.row for a in kinds[Initiative]) == led.tolist()
    assert len(model.agents) == sum(len(s) for s in kinds.values())


def test_datacollector_reads_the_same_values_a_collecting_one_copies():
    """The model's DataCollector reads the recorder; a plain Mesa DataCollector that
    collects the same reporters every month gives the same table."""
    from functools import partial

    from kosi_sim.metrics import CITY_METRICS
    from kosi_sim.model import _city_value

    model = CityModel("classroom", rng=4)
    plain = mesa.DataCollector(
        model_reporters={m.name: partial(_city_value, name=m.name) for m in CITY_METRICS}
    )
    plain.collect(model)
    for _ in range(13):
        model.step()
        plain.collect(model)
    ours = model.datacollector.get_model_vars_dataframe()
    assert ours.shape == (14, len(CITY_METRICS))
    assert ours.equals(plain.get_model_vars_dataframe())
