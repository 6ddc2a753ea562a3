"""Training for volunteers: less burnout, more leaders (M6, M10).

``courses_per_year`` courses for up to ``participants_per_course`` engaged citizens of the
target districts each (those with the most burnout first), at ``eur_per_participant`` and
``hours_per_participant`` of staff time (a course is as large as money and staff allow).
Participants' burnout falls by ``burnout_relief`` and they are ``trained``: they need half
the spare time to lead an initiative and are preferred when a Verein looks for a leader.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..parameters import Param
from ._util import target_citizens
from .base import Intervention


class CapacityBuilding(Intervention):
    type = "capacity_building"
    doc = "Training that lowers burnout and turns engaged citizens into leaders"
    typical = (3000.0, 0.05)
    params = (
        Param("courses_per_year", 4, "courses/year", "Courses per year", "assumption", (1, 52)),
        Param(
            "participants_per_course",
            15,
            "citizens",
            "Participants per course",
            "assumption",
            (1, 200),
        ),
        Param(
            "eur_per_participant",
            150.0,
            "EUR",
            "Cost per participant",
            "assumption",
            (0.0, 10000.0),
        ),
        Param(
            "hours_per_participant",
            2.5,
            "h",
            "Staff time per participant (teaching, organising)",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "burnout_relief",
            0.5,
            "share",
            "Cut of a participant's burnout",
            "assumption after Allen & Mueller 2013 (having a say, clear roles)",
            (0.0, 1.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "courses_per_year": "count",
        "participants_per_course": "size",
        "eur_per_participant": "size",
        "hours_per_participant": "size",
        "burnout_relief": "same",
    }
    extra_metrics = ("courses", "trained")

    def act(self, model) -> None:
        interval = max(1, 12 // self.p.courses_per_year)
        if (model.month - self.spec.start) % interval != 0:
            return
        if self.scaled_count(1) == 0:  # a count of courses: the sample holds s of them
            return
        pop = model.pop
        cand = np.flatnonzero(target_citizens(model, self.in_target) & pop.engaged & ~pop.trained)
        size = self.afford(
            min(self.p.participants_per_course, len(cand)),
            self.p.eur_per_participant,
            self.p.hours_per_participant,
        )
        if size == 0:
            return
        self.spend(size * self.p.eur_per_participant, size * self.p.hours_per_participant)
        order = np.argsort(-pop.burnout[cand] + 1e-3 * self.rng.random(len(cand)), kind="stable")
        chosen = cand[order[:size]]
        pop.train(chosen, self.p.burnout_relief)
        self.count("courses", 1)
        self.count("trained", size)
        self.count("reached", size)
