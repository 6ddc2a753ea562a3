"""Periodic open call for ideas with a jury (city dialogues; M15 funnel).

Every ``interval_months`` the call opens: each engaged citizen of the target districts
submits an idea with probability ``submission_rate``; reviewing costs
``hours_per_submission``.  A jury shortlists ``shortlist_share`` of the submissions and
funds as many shortlisted ideas with ``grant_eur`` as the budget and staff
(``hours_per_project``) allow.  A funded idea starts as a proposal led by its submitter (or
another citizen of the district who can lead), with the grant as its money.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import PROPOSAL
from ..parameters import Param
from ..volunteering import ENGAGEMENT_AGE_MONTHS
from ._util import gap_domains, target_citizens
from .base import Intervention


class IdeasCall(Intervention):
    type = "ideas_call"
    doc = "A periodic open call for ideas: ideas -> jury shortlist -> funded projects"
    origin = 2
    typical = (10000.0, 0.1)
    params = (
        Param(
            "interval_months",
            12,
            "months",
            "Time between calls",
            "Wuppertal Bürgerbudget 2019, Bergische Blätter",
            (1, 60),
        ),
        Param(
            "submission_rate",
            0.0024,
            "share",
            "Engaged citizens submitting to a call",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1.0),
        ),
        Param(
            "shortlist_share",
            0.3,
            "share",
            "Submissions the jury shortlists",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1.0),
        ),
        Param(
            "grant_eur",
            5000.0,
            "EUR",
            "Money for a funded idea",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1e6),
        ),
        Param(
            "hours_per_submission",
            0.5,
            "h",
            "Review time per submission",
            "assumption",
            (0.0, 40.0),
        ),
        Param(
            "hours_per_project",
            2.0,
            "h",
            "Jury and contract time per funded project",
            "assumption",
            (0.0, 400.0),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "interval_months": "same",
        "submission_rate": "same",
        "shortlist_share": "same",
        "grant_eur": "size",
        "hours_per_submission": "size",
        "hours_per_project": "size",
    }
    #: residents_14plus: residents aged 14+ of the target districts at each call
    extra_metrics = ("submissions", "shortlisted", "funded", "residents_14plus")

    def act(self, model) -> None:
        if (model.month - self.spec.start) % self.p.interval_months != 0:
            return
        pop = model.pop
        here = target_citizens(model, self.in_target)
        self.count(
            "residents_14plus", int(np.count_nonzero(here & (pop.age_m >= ENGAGEMENT_AGE_MONTHS)))
        )
        engaged = np.flatnonzero(here & pop.engaged)
        submitted = engaged[self.rng.random(len(engaged)) < self.p.submission_rate]
        # keep staff time for the jury's work on the shortlist
        per_submission = self.p.hours_per_submission + self.p.shortlist_share * (
            self.p.hours_per_project
        )
        # the review is one month's work for the whole city: banked hours do not enlarge it
        reviewed = min(
            self.afford(len(submitted), hours_each=per_submission),
            self.monthly_capacity(per_submission),
        )
        submitted = submitted[:reviewed]
        self.spend(hours=reviewed * self.p.hours_per_submission)
        shortlist = submitted[self.rng.random(len(submitted)) < self.p.shortlist_share]
        n = self.afford(len(shortlist), self.p.grant_eur, self.p.hours_per_project)
        funded = shortlist[:n]
        self.count("submissions", len(submitted))
        self.count("ideas", len(submitted))
        self.count("shortlisted", len(shortlist))
        self.count("reached", len(submitted))
        if n == 0:
            return
        pool = model.initiatives.leader_pool(model)
        leaders = funded[pool[funded]]
        others = funded[~pool[funded]]
        stand_in = model.initiatives.find_leaders(model, pop.district[others], self.rng)
        leaders = np.concatenate((leaders, stand_in[stand_in >= 0]))
        leaders = np.unique(leaders)
        self.spend(len(leaders) * self.p.grant_eur, len(leaders) * self.p.hours_per_project)
        district = pop.district[leaders]
        rows = model.initiatives.launch(
            model,
            district,
            gap_domains(model, district, self.rng),
            leaders,
            PROPOSAL,
            self.origin,
            money=self.p.grant_eur,
        )
        self.count("funded", len(rows))
        self.count("proposals", len(rows))
        self.count("initiatives_launched", len(rows))
