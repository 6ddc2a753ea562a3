"""The joining rule reproduces Granovetter's (1978) classic riot example (the plain numpy
rule and its compiled kernel alike)."""

import numpy as np
import pytest

from kosi_sim.engagement import meets_threshold
from kosi_sim.population import COOP_CONDITIONAL, Population


def _complete_graph_population(thresholds_in_people):
    n = len(thresholds_in_people)
    pop = Population(n_districts=1, n_contacts=n - 1)
    contacts = np.array([[j for j in range(n) if j != i] for i in range(n)], dtype=np.int32)
    pop.add(
        n,
        contacts=contacts,
        threshold=np.asarray(thresholds_in_people, dtype=float) / (n - 1),
        coop=COOP_CONDITIONAL,
    )
    return pop


@pytest.fixture(params=["kernels", "numpy"])
def rules(request):
    return request.param


def _cascade(pop, rules):
    """Apply the model's threshold rule until nobody else joins; return the engaged count."""
    everyone = np.arange(pop.n)
    while True:
        joiners = everyone[~pop.engaged & meets_threshold(pop, everyone, rules)]
        if len(joiners) == 0:
            return int(pop.engaged.sum())
        pop.engaged[joiners] = True


def test_uniform_thresholds_everyone_joins(rules):
    assert _cascade(_complete_graph_population(range(100)), rules) == 100


def test_one_changed_threshold_stops_the_cascade(rules):
    thresholds = list(range(100))
    thresholds[1] = 2
    assert _cascade(_complete_graph_population(thresholds), rules) == 1


def test_dead_contacts_do_not_count(rules):
    pop = _complete_graph_population([0, 1, 1])
    pop.engaged[0] = True
    pop.remove(np.array([0]))  # the only engaged contact leaves
    assert not meets_threshold(pop, np.array([1, 2]), rules).any()
