"""Contact point for citizens' public-interest ideas (KoSI-Lab Wuppertal).

Citizens with an idea get advice, moderation, rooms, co-workers and help with funding.
Each month the staff can hold ``hours / hours_per_consultation`` consultations (and pay
``eur_per_consultation`` for rooms and materials).  With ``c`` the share of open ideas and
proposals in the target districts that can be consulted:

* ideas become proposals ``1 + conversion_boost * c`` times as often (idea conversion lever);
* co-workers share the leading: the spare time a leader needs falls by
  ``(1 - leader_help) * c`` (leader lever, M10);
* a share ``c`` of proposals still lacking space get a room from the contact point.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import IDEA, PROPOSAL
from ..parameters import Param
from ._util import rows_in
from .base import Intervention


class ContactPoint(Intervention):
    type = "contact_point"
    doc = "Advice, moderation, rooms, co-workers and funding help for citizens' ideas"
    typical = (3000.0, 0.25)
    params = (
        Param(
            "hours_per_consultation",
            12.0,
            "h",
            "Staff time per consultation (all of the staff's work, divided by consultations)",
            "Speck, Backhaus-Maul & Krohn 2021, Freiwilligenagenturen in Deutschland. Befunde "
            "der dritten quantitativen Wiederholungsbefragung (bagfa), summary by Aktive "
            "Bürgerschaft 01/2022",
            (0.25, 40.0),
        ),
        Param(
            "eur_per_consultation",
            30.0,
            "EUR",
            "Rooms and materials per consultation",
            "assumption",
            (0.0, 1000.0),
        ),
        Param(
            "conversion_boost",
            2.0,
            "",
            "Extra idea-to-proposal conversion when every idea is consulted",
            "assumption after KoSI-Lab Wuppertal",
            (0.0, 10.0),
        ),
        Param(
            "leader_help",
            0.5,
            "factor",
            "Spare time a leader needs with co-workers' help",
            "assumption",
            (0.0, 1.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "hours_per_consultation": "size",
        "eur_per_consultation": "size",
        "conversion_boost": "same",
        "leader_help": "same",
    }
    extra_metrics = ("consultations", "rooms_given")

    def act(self, model) -> None:
        t = model.initiatives
        open_ = rows_in(
            t, np.flatnonzero((t.stage == IDEA) | (t.stage == PROPOSAL)), self.in_target
        )
        n = self.afford(len(open_), self.p.eur_per_consultation, self.p.hours_per_consultation)
        if n == 0:
            return
        self.spend(n * self.p.eur_per_consultation, n * self.p.hours_per_consultation)
        c = n / len(open_)
        lv = model.levers
        lv.idea_conversion[self.districts] *= 1.0 + self.p.conversion_boost * c
        lv.leader_spare[self.districts] *= 1.0 - (1.0 - self.p.leader_help) * c
        lacking = open_[(t.stage[open_] == PROPOSAL) & t.needs_space[open_] & ~t.has_space[open_]]
        rooms = lacking[self.rng.random(len(lacking)) < c]
        t.grant_space(rooms)
        self.count("consultations", n)
        self.count("rooms_given", len(rooms))
        self.count("reached", n)
        self.count("ideas", int(np.count_nonzero(t.stage[open_] == IDEA)))

    def observe(self, model) -> None:
        t = model.initiatives
        new = np.flatnonzero((t.stage == PROPOSAL) & (t.months_in_stage == 0))
        self.count("proposals", len(rows_in(t, new, self.in_target)))
