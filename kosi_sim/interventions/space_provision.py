"""Vacant premises opened to initiatives (KoSI-Lab Wuppertal round table on vacant shops).

The lab rents vacant business premises for initiatives at ``rent_eur_per_month`` each and
manages them (``hours_per_premises``).  While it can afford more premises than initiatives
use, proposals of the target districts that need space find vacant premises with an extra
monthly chance ``open_chance`` (premises lever); housed initiatives lower premises vacancy
and add space to the service supply.  Rent is paid every month; what the budget cannot
carry any more is given back.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import is_open
from ..parameters import Param
from ._util import rows_in
from .base import Intervention


class SpaceProvision(Intervention):
    type = "space_provision"
    doc = "Vacant premises opened to initiatives"
    typical = (7200.0, 0.05)
    params = (
        Param(
            "rent_eur_per_month",
            300.0,
            "EUR/month",
            "Cost of one premises for the lab",
            "Localyzer 2023 via invidis.de (average net rent of vacant commercial "
            "premises, Duisburg ~EUR 324/month)",
            (0.0, 10000.0),
        ),
        Param(
            "hours_per_premises",
            2.0,
            "h/month",
            "Management time per premises",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "open_chance",
            0.5,
            "1/month",
            "Chance a proposal needing space is housed",
            "assumption",
            (0.0, 1.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "rent_eur_per_month": "size",
        "hours_per_premises": "size",
        "open_chance": "same",
    }
    extra_metrics = ("premises_used",)

    def act(self, model) -> None:
        t = model.initiatives
        housed = rows_in(t, np.flatnonzero(t.on_premises & is_open(t.stage)), self.in_target)
        keep = self.afford(len(housed), self.p.rent_eur_per_month, self.p.hours_per_premises)
        if keep < len(housed):  # cannot carry all: give back the newest premises
            t.leave_premises(housed[keep:])
        self.spend(keep * self.p.rent_eur_per_month, keep * self.p.hours_per_premises)
        months_left = 12 - (model.month - self.spec.start) % 12
        can_add = self.afford(
            10**9, self.p.rent_eur_per_month * months_left, self.p.hours_per_premises
        )
        if can_add > 0:
            free = self.districts[model.premises.vacant()[self.districts] >= 1]
            model.levers.premises_open[free] += self.p.open_chance
        self.count("premises_used", keep)
        self.count("reached", keep)
