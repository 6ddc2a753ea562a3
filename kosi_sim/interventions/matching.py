"""Volunteer brokerage (M8): willing-but-inactive citizens become volunteers.

Like a Freiwilligenagentur: each month the staff can broker ``hours / hours_per_match``
willing but inactive citizens of the target districts (free riders excepted); a share
``match_success`` of them start: into an initiative of their district that lacks volunteers
if there is one, otherwise into a Verein.  Capacity is limited by staff time (KoSI-Lab
Wuppertal; Freiwilligensurvey 2019: about 60% willing vs 40% engaged).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import ACTIVE, GATE, PROPOSAL, SUSTAINED, in_stages
from ..parameters import Param
from ..volunteering import can_volunteer
from ._util import target_citizens
from .base import Intervention


class Matching(Intervention):
    type = "matching"
    doc = "Volunteer brokerage: turns willing-but-inactive citizens into volunteers"
    typical = (0.0, 0.25)
    params = (
        Param(
            "hours_per_match",
            12.0,
            "h",
            "Staff time per brokered citizen",
            "Speck, Backhaus-Maul & Krohn 2021, Freiwilligenagenturen in "
            "Deutschland. Befunde der dritten quantitativen Wiederholungsbefragung "
            "(bagfa), summary by Aktive Bürgerschaft 01/2022",
            (0.1, 40.0),
        ),
        Param(
            "match_success",
            0.4,
            "share",
            "Brokered citizens who actually start",
            "Speck, Backhaus-Maul & Krohn 2021, Freiwilligenagenturen in "
            "Deutschland. Befunde der dritten quantitativen Wiederholungsbefragung "
            "(bagfa), summary by Aktive Bürgerschaft 01/2022",
            (0.0, 1.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "hours_per_match": "size",
        "match_success": "same",
    }
    extra_metrics = ("matched",)

    def act(self, model) -> None:
        pop = model.pop
        cand = np.flatnonzero(
            target_citizens(model, self.in_target)
            & can_volunteer(pop, slice(None), model.engagement.willing_cutoff)
        )
        n = self.afford(len(cand), hours_each=self.p.hours_per_match)
        if n == 0:
            return
        self.spend(hours=n * self.p.hours_per_match)
        brokered = self.rng.choice(cand, size=n, replace=False)
        start = brokered[self.rng.random(n) < self.p.match_success]
        self._place(model, start)
        self.count("reached", n)
        self.count("matched", len(start))

    def _place(self, model, rows: np.ndarray) -> None:
        pop, t = model.pop, model.initiatives
        open_ = np.flatnonzero(
            in_stages(t.stage, (PROPOSAL, GATE, ACTIVE, SUSTAINED)) & (t.volunteers_wanted() > 0)
        )
        placed = np.zeros(len(rows), dtype=bool)
        for i in open_:  # initiatives lacking volunteers (a handful per district)
            free = np.flatnonzero(~placed & (pop.district[rows] == t.district[i]))
            take = free[: max(0, int(t.volunteers_wanted(i)))]
            t.enrol(model, rows[take], i)
            placed[take] = True
        model.engagement.enlist_informal(pop, rows[placed])
        model.engagement.enlist(model, rows[~placed], self.rng, to_association=1.0)
