"""A lab team inside the administration with a mandate (M3): a faster, braver gate.

Each month the team can take ``hours / hours_per_case`` of the proposals at the gate of
the target districts.  With ``c`` the share it can take, new submissions get lead times
``1 - lead_time_cut * c`` as long, queued proposals advance ``lead_time_cut * c`` months
faster, and rejections out of risk aversion are ``1 - rejection_cut * c`` as likely.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import GATE
from ..parameters import Param
from ._util import rows_in
from .base import Intervention


class AdminFastTrack(Intervention):
    type = "admin_fast_track"
    doc = "A lab team in the administration: shorter lead times, fewer risk-averse rejections"
    typical = (0.0, 0.2)
    params = (
        Param(
            "hours_per_case",
            6.0,
            "h",
            "Staff time per proposal accompanied",
            "assumption",
            (0.1, 100.0),
        ),
        Param(
            "lead_time_cut",
            0.5,
            "share",
            "Cut of lead times with full coverage",
            "assumption (the Wuppertal lab accompanied permit processes)",
            (0.0, 0.95),
        ),
        Param(
            "rejection_cut",
            0.6,
            "share",
            "Cut of risk-averse rejections with full coverage",
            "assumption after Voorberg et al. 2015",
            (0.0, 1.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "hours_per_case": "size",
        "lead_time_cut": "same",
        "rejection_cut": "same",
    }
    extra_metrics = ("cases",)

    def act(self, model) -> None:
        t = model.initiatives
        queued = rows_in(t, np.flatnonzero(t.stage == GATE), self.in_target)
        cases = max(len(queued), 1)
        n = self.afford(cases, hours_each=self.p.hours_per_case)
        if n == 0:
            return
        self.spend(hours=n * self.p.hours_per_case)
        c = n / cases
        lv = model.levers
        lv.lead_time[self.districts] *= 1.0 - self.p.lead_time_cut * c
        lv.rejection[self.districts] *= 1.0 - self.p.rejection_cut * c
        t.hasten(queued, self.p.lead_time_cut * c)
        self.count("cases", min(n, len(queued)))
        self.count("reached", min(n, len(queued)))

    def observe(self, model) -> None:
        t = model.initiatives
        self.count("approvals", len(rows_in(t, t.decided["approved"], self.in_target)))
        self.count("rejections", len(rows_in(t, t.decided["rejected"], self.in_target)))
