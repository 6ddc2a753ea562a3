"""Neighbourhood fund with a resident jury and many small grants (M4 crowding in and out).

Modelled on the Dortmund Westerfilde & Bodelschwingh fund (EUR 35,000 a year, a jury of 19
residents, about EUR 2,060 per project).  Each month, initiatives of the target districts
whose money is short of their need get a grant of ``grant_eur`` while budget and staff
(``hours_per_grant``) last, neediest first.  The money comes as an external incentive:
everyone in a funded initiative, and ``exposure_contacts`` of their contacts, are exposed to
it (``grant_exposure``), which raises the willingness of citizens with low intrinsic
motivation (crowding in) and lowers it for highly motivated ones who feel controlled
(crowding out) - see :mod:`kosi_sim.engagement`.  With the money, a funded initiative
also recruits up to ``recruits_per_grant`` inactive contacts of its members whose
willingness (with the exposure) now reaches the cutoff, free riders included: paid
incentives are what draws them in.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import ACTIVE, GATE, PROPOSAL, in_stages
from ..parameters import Param
from ..volunteering import can_volunteer
from ._util import rows_in
from .base import Intervention


class SmallGrants(Intervention):
    type = "small_grants"
    doc = "A neighbourhood fund: a resident jury gives many small grants"
    typical = (8000.0, 0.05)
    params = (
        Param(
            "grant_eur",
            2060.0,
            "EUR",
            "Size of one grant",
            "derived: Dortmund neighbourhood fund, EUR 35,000 for 17 projects "
            "(2023); Dortmund neighbourhood funds: Unionviertel Quartiersfonds; "
            "Nordstadt Quartiersfonds 2016; Stadtteilfonds Westerfilde & "
            "Bodelschwingh",
            (10.0, 1e6),
        ),
        Param(
            "hours_per_grant",
            4.0,
            "h",
            "Staff time per grant (jury, paperwork)",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "jury_size",
            19,
            "residents",
            "Residents on the jury",
            "Dortmund neighbourhood fund (19 residents); Dortmund neighbourhood "
            "funds: Unionviertel Quartiersfonds; Nordstadt Quartiersfonds 2016; "
            "Stadtteilfonds Westerfilde & Bodelschwingh",
            (1, 200),
        ),
        Param(
            "exposure",
            1.0,
            "0..1",
            "Grant exposure of members of a funded initiative",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "exposure_contacts",
            0.5,
            "0..1",
            "Grant exposure of their contacts",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "recruits_per_grant",
            2,
            "citizens",
            "Inactive contacts a funded initiative can draw in",
            "assumption after Frey & Jegen 2001 (crowding in)",
            (0, 50),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "grant_eur": "size",
        "hours_per_grant": "size",
        "jury_size": "city",
        "exposure": "same",
        "exposure_contacts": "same",
        "recruits_per_grant": "size",
    }
    extra_metrics = ("grants", "recruited")

    def act(self, model) -> None:
        t, pop = model.initiatives, model.pop
        open_ = np.flatnonzero(
            in_stages(t.stage, (PROPOSAL, GATE, ACTIVE)) & (t.money < t.money_need)
        )
        open_ = rows_in(t, open_, self.in_target)
        n = self.afford(len(open_), self.p.grant_eur, self.p.hours_per_grant)
        if n == 0:
            return
        if (model.month - self.spec.start) % 12 == 0:
            self.count("reached", self.sample_share(self.p.jury_size))  # one jury for the city
        funded = open_[np.argsort(t.money[open_] - t.money_need[open_], kind="stable")[:n]]
        self.spend(n * self.p.grant_eur, n * self.p.hours_per_grant)
        t.fund(funded, self.p.grant_eur)
        mark = np.zeros(t.n + 1, dtype=bool)
        mark[funded] = True
        members = np.flatnonzero(mark[pop.initiative])
        contacts = np.unique(pop.contacts[members])
        pop.expose_to_grants(contacts, self.p.exposure_contacts)
        pop.expose_to_grants(members, self.p.exposure)
        self.count("grants", n)
        self.count("reached", len(members))
        self._recruit(model, funded)

    def _recruit(self, model, funded: np.ndarray) -> None:
        pop = model.pop
        cutoff = model.engagement.willing_cutoff
        recruited = 0
        for i in funded:  # a few grants a month
            members = np.flatnonzero(pop.initiative == i)
            cand = np.unique(pop.contacts[members])
            w = model.engagement.willingness(pop, cand)
            cand = cand[can_volunteer(pop, cand, cutoff, paid=True, willingness=w)]
            take = cand[: self.p.recruits_per_grant]
            model.initiatives.enrol(model, take, i)
            model.engagement.enlist_informal(pop, take)
            recruited += len(take)
        self.count("recruited", recruited)
