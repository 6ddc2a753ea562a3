"""The chance that a proposal reaches the gate, from the rules' probabilities (ODD 3.3).

The start fill (:mod:`kosi_sim.agents.initiatives.start`) needs the submissions a month of a
settled pipeline.  Counting them over the spin-up's last year is too noisy: a city of
350,000 submits about a hundred proposals a year, and the count of one spin-up is 13% off
the mean of many (sd over 8 seeds, Wuppertal), far more than a Poisson count (10%) because
the proposal stage is bursty.  The proposals a month (about 270 a year there) are counted
with half that noise; the share of them that reach the gate is computed here as the rules'
expectation over everyone who could bring an idea, which varies by less than 1% between
seeds.

An idea's holder is a free engaged citizen of its district (rule 1, weighted by the
district's expected ideas); its leader is the holder if she can lead, else her first
altruist contact who can (rule 2).  The proposal reaches the gate if within its
``proposal_lifetime + 1`` monthly rounds (rule 3)

* the leader recruits ``min_volunteers - 1`` of her contacts who could volunteer now
  (:func:`kosi_sim.volunteering.can_volunteer`, as recruiting asks), each joining with
  ``recruit_rate`` a round, and
* it finds rooms if it needs them (the space domain, or ``space_share`` of the others, the
  domain drawn as rule 1 draws it): by its own search (``space_find_rate`` plus premises the
  city opened, a round) or from a business partner (found with ``business_search`` times
  the district's mean CSR a round, offering rooms with ``business_space_share``).

Assumptions of the expectation: the leader's contacts who could volunteer now stay able to
for the proposal's life, and no other proposal takes them first; the two searches are
independent.  On the built-in cities it comes out 3-5% below the share the run realizes
(0.347-0.349 against 0.357-0.366, Wuppertal, baseline, rural_region).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ...services import SPACE
from ...volunteering import can_volunteer
from .ideas import free_engaged_by_district


def gate_chance(model) -> float:
    """The chance that a proposal reaches the gate before it is dropped (module
    docstring), averaged over the proposals the present population would bring."""
    ini, pop, p = model.initiatives, model.pop, model.initiatives.p
    holders, per_d = free_engaged_by_district(ini, pop)
    if len(holders) == 0:
        return 0.0
    district = pop.district[holders]
    weight = (ini.expected_ideas(model) / np.maximum(per_d, 1))[district]
    leader = _leaders(model, holders)
    rounds = int(p.idea_lifetime) + 1
    conv = np.minimum(p.idea_conversion * model.levers.idea_conversion[district], 1.0)
    proposed = weight * (leader >= 0) * (1.0 - (1.0 - conv) ** rounds)
    if proposed.sum() <= 0:
        return 0.0
    rounds = int(p.proposal_lifetime) + 1
    return float(
        (proposed * _staffed(model, leader, rounds) * _housed(model, district, rounds)).sum()
        / proposed.sum()
    )


def _leaders(model, holders: np.ndarray) -> np.ndarray:
    """Each holder's leader (row, -1: none): the holder if she can lead, else her first
    altruist contact who can (rule 2, without other ideas taking them first)."""
    pop, ini = model.pop, model.initiatives
    return ini.impl.first_leaders(
        holders=holders, can_lead=ini.leader_pool(model), coop=pop.coop, contacts=pop.contacts
    )


def _staffed(model, leader: np.ndarray, rounds: int) -> np.ndarray:
    """The chance that each leader (-1: none, chance 0) recruits ``min_volunteers - 1``
    of her contacts within ``rounds`` rounds."""
    pop, p = model.pop, model.initiatives.p
    need = int(p.min_volunteers) - 1
    if need <= 0:
        return np.ones(len(leader))
    # who could volunteer, once per citizen rather than once per contact slot
    could = can_volunteer(pop, slice(None), p.willing_cutoff, engaged_too=True, spare_time=True)
    able = model.initiatives.impl.able_contacts(leaders=leader, could=could, contacts=pop.contacts)
    joined = 1.0 - (1.0 - p.recruit_rate) ** rounds
    # the chance for each possible number of able contacts (0 to k), looked up
    chance = stats.binom.sf(need - 1, np.arange(pop.contacts.shape[1] + 1), joined)
    return np.where(leader >= 0, chance[able], 0.0)


def _housed(model, district: np.ndarray, rounds: int) -> np.ndarray:
    """The chance that a proposal of each ``district`` has the rooms it needs within
    ``rounds`` rounds (1 if it needs none)."""
    p = model.initiatives.p
    weights = 0.25 + model.services.gap()  # rule 1's domain draw
    space_domain = (weights[SPACE] / weights.sum(axis=0))[district]
    needs = space_domain + (1.0 - space_domain) * p.space_share
    find = np.minimum(p.space_find_rate + model.levers.premises_open[district], 1.0)
    csr = model.businesses.mean_csr_by_district()[district]
    partner = 1.0 - (1.0 - np.minimum(p.business_search * csr, 1.0)) ** rounds
    without = (1.0 - find) ** rounds * (1.0 - p.business_space_share * partner)
    return 1.0 - needs * without
