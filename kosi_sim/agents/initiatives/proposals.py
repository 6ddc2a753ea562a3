"""Ideas become proposals, and proposals gather people, money, partners and rooms
(ODD 7.8 rules 2 and 3).

Rule 2 (M10): each month an idea becomes a proposal with ``idea_conversion`` times the
district's conversion lever, if a leader is found (:mod:`.leaders`); a leader who was not
engaged becomes engaged.  Ideas not taken up within ``idea_lifetime`` months are dropped
at the start of the next month, before any is taken up.

Rule 3: the leader recruits (:mod:`.recruitment`).  Money: ``volunteer_contribution`` per
member a month; once, a business partner found with ``business_search`` times the mean CSR
of the district, giving ``business_gift`` and, with ``business_space_share``, rooms; once, a
Verein partner of the district, found with :data:`VEREIN_PARTNER_CHANCE` a month, giving
:data:`VEREIN_GIFT_SHARE` of its funds.  Rooms are found with ``space_find_rate + premises
lever`` a month, on vacant premises with ``lever / (space_find_rate + lever)``.  With
``min_volunteers`` members and rooms if needed a proposal is submitted to the gate
(:mod:`kosi_sim.agents.gate`); after ``proposal_lifetime`` months it is dropped (at the
start of the next month, before it recruits or could be submitted).
"""

from __future__ import annotations

import numpy as np

from .. import gate
from .leaders import leaders_of_ideas
from .recruitment import recruit
from .stages import DROPPED, IDEA, PROPOSAL

#: monthly chance that a proposal without a Verein partner finds one in its district
#: (assumption)
VEREIN_PARTNER_CHANCE = 0.1
#: the share of its funds a Verein partner gives (assumption)
VEREIN_GIFT_SHARE = 0.2


def _drop_stale(ini, model, stage: int, lifetime: int) -> np.ndarray:
    """Drop the initiatives in ``stage`` older than ``lifetime`` months in it (at the start
    of the month, before they can move on); returns the rows still in ``stage``."""
    rows = np.flatnonzero(ini.stage == stage)
    stale = ini.months_in_stage[rows] > lifetime
    ini.finish(model, rows[stale], DROPPED, None)
    return rows[~stale]


def ideas_to_proposals(ini, model, rng) -> None:
    """Rule 2: stale ideas are dropped; of the others, those whose holder (or an altruist
    contact) can lead become proposals."""
    p, pop = ini.p, model.pop
    ideas = _drop_stale(ini, model, IDEA, p.idea_lifetime)
    if len(ideas) == 0:
        return
    lv = model.levers
    conv = p.idea_conversion * lv.idea_conversion[ini.district[ideas]]
    go = ideas[rng.random(len(ideas)) < np.minimum(conv, 1.0)]
    leaders = leaders_of_ideas(ini, model, pop.rows_of(ini.holder[go]))
    led = leaders >= 0
    go, leaders = go[led], leaders[led]
    ini.leader[go] = pop.uid[leaders]
    pop.leads[leaders] = True
    ini.join(pop, leaders, go)
    model.engagement.enlist_informal(pop, leaders[~pop.engaged[leaders]])
    ini.set_stage(go, PROPOSAL)
    ini.make_agents(model, go)
    ini.events["proposals"] += len(go)


def proposals(ini, model, rng) -> None:
    """Rule 3: stale proposals are dropped; the others recruit, collect money, partners
    and rooms, and are submitted when ready."""
    p, pop = ini.p, model.pop
    props = _drop_stale(ini, model, PROPOSAL, p.proposal_lifetime)
    if len(props) == 0:
        return
    recruit(ini, model, props, rng)
    ini.count_volunteers(pop)
    d = ini.district[props]
    # money: volunteers chip in; a business partner; a Verein partner; lab money
    ini.money[props] += p.volunteer_contribution * ini.volunteers[props]
    csr = model.businesses.mean_csr_by_district()
    found = (ini.business_partner[props] < 0) & (
        rng.random(len(props)) < p.business_search * csr[d]
    )
    if found.any():
        ini.business_partner[props[found]] = model.businesses.pick_partner(d[found], rng)
        ini.money[props[found]] += p.business_gift
        offers = props[found][rng.random(int(found.sum())) < p.business_space_share]
        ini.has_space[offers] |= ini.needs_space[offers]  # rooms at the business
    no_assoc = ini.assoc_partner[props] < 0
    if no_assoc.any():
        partner = model.associations.pick_partner(d[no_assoc], rng, chance=VEREIN_PARTNER_CHANCE)
        ini.assoc_partner[props[no_assoc]] = partner
        ini.money[props[no_assoc][partner >= 0]] += model.associations.donate(
            partner[partner >= 0], share=VEREIN_GIFT_SHARE
        )
    _find_rooms(ini, model, props, rng)
    ready = props[
        (ini.volunteers[props] >= p.min_volunteers)
        & (~ini.needs_space[props] | ini.has_space[props])
    ]
    if len(ready):
        gate.submit(ini, model, ready, rng)


def _find_rooms(ini, model, props: np.ndarray, rng) -> None:
    """Proposals lacking rooms find some by their own search or on vacant premises opened
    by the city or a lab (the premises lever)."""
    p = ini.p
    lacking = props[ini.needs_space[props] & ~ini.has_space[props]]
    if len(lacking) == 0:
        return
    opened = model.levers.premises_open
    p_find = p.space_find_rate + opened[ini.district[lacking]]
    got = lacking[rng.random(len(lacking)) < np.minimum(p_find, 1.0)]
    ini.has_space[got] = True
    on_prem = rng.random(len(got)) < opened[ini.district[got]] / np.maximum(
        p.space_find_rate + opened[ini.district[got]], 1e-9
    )
    ini.on_premises[got[on_prem]] = True
