"""The conventional citizens' budget (Bürgerhaushalt), for comparison with labs (M15).

A yearly cycle: in the first month willing citizens of the target districts aged 14+ submit
ideas (each with ``submission_rate``, reviewed at ``hours_per_idea``); in month 3 a public
ranking selects ``finalist_share`` of them; in month 5 citizens vote (turnout
``turnout * (0.5 + trust)`` of the 14+, ``votes_per_voter`` each) and the most-voted
finalists are funded at ``project_eur`` each while the budget lasts.  A funded project
starts as an active initiative with the city as partner, led by its proposer (or another
citizen who can lead).  Proposers whose idea is funded have a good experience, the others a
mild disappointment.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import ACTIVE
from ..parameters import Param
from ..volunteering import ENGAGEMENT_AGE_MONTHS
from ._util import gap_domains, target_citizens
from .base import Intervention


class ParticipatoryBudget(Intervention):
    type = "participatory_budget"
    doc = "Citizens' budget: ideas -> public ranking -> vote -> funded projects"
    origin = 5
    typical = (30000.0, 0.3)
    params = (
        Param(
            "submission_rate",
            0.0015,
            "share",
            "Willing citizens 14+ submitting an idea",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1.0),
        ),
        Param(
            "finalist_share",
            0.2,
            "share",
            "Ideas reaching the vote",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1.0),
        ),
        Param(
            "turnout",
            0.005,
            "share",
            "Share of 14+ voting at average trust",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (0.0, 1.0),
        ),
        Param(
            "votes_per_voter",
            3,
            "votes",
            "Votes each voter casts",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (1, 20),
        ),
        Param(
            "project_eur",
            15000.0,
            "EUR",
            "Money per funded project",
            "Wuppertal Bürgerbudget 2017: WZ 05/2017, 09/2017, 10/2017; City of "
            "Wuppertal press release 10/2017",
            (100.0, 1e7),
        ),
        Param(
            "hours_per_idea", 1.0, "h", "Staff time per submitted idea", "assumption", (0.0, 40.0)
        ),
        Param(
            "hours_for_vote", 40.0, "h", "Staff time to run the vote", "assumption", (0.0, 2000.0)
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "submission_rate": "same",
        "finalist_share": "same",
        "turnout": "same",
        "votes_per_voter": "size",
        "project_eur": "size",
        "hours_per_idea": "size",
        "hours_for_vote": "city",
    }
    #: residents_14plus: residents aged 14+ of the target districts at each call (the
    #: denominator of turnout and ideas per 1,000)
    extra_metrics = (
        "ideas_submitted",
        "finalists",
        "voters",
        "votes_cast",
        "projects_funded",
        "residents_14plus",
    )

    def start(self, model) -> None:
        self.ideas = np.empty(0, dtype=np.int64)  # proposers' uids
        self.finalists = np.empty(0, dtype=np.int64)
        self.votes = np.empty(0)

    def act(self, model) -> None:
        phase = (model.month - self.spec.start) % 12
        pop = model.pop
        eligible = target_citizens(model, self.in_target) & (pop.age_m >= ENGAGEMENT_AGE_MONTHS)
        if phase == 0:
            cand = np.flatnonzero(eligible & (pop.willingness >= model.engagement.willing_cutoff))
            ideas = cand[self.rng.random(len(cand)) < self.p.submission_rate]
            n = min(
                self.afford(len(ideas), hours_each=self.p.hours_per_idea),
                self.monthly_capacity(self.p.hours_per_idea),
            )
            self.ideas = pop.uid[ideas[:n]]
            self.spend(hours=n * self.p.hours_per_idea)
            self.count("ideas_submitted", n)
            self.count("residents_14plus", int(eligible.sum()))
            self.count("ideas", n)
            self.count("reached", n)
        elif phase == 2 and len(self.ideas):
            support = self.rng.random(len(self.ideas))
            k = max(1, round(self.p.finalist_share * len(self.ideas)))
            self.finalists = self.ideas[np.argsort(-support, kind="stable")[:k]]
            self.count("finalists", len(self.finalists))
        elif phase == 4 and len(self.finalists):
            vote_hours = self.sample_share(self.p.hours_for_vote)  # one vote for the city
            if not self.city_action_fits(self.p.hours_for_vote) or not self.afford(
                1, hours_each=vote_hours
            ):
                return
            self.spend(hours=vote_hours)
            n14 = int(eligible.sum())
            trust = float(pop.trust[eligible].mean()) if n14 else 0.0
            voters = self.rng.binomial(n14, min(1.0, self.p.turnout * (0.5 + trust)))
            votes = self.rng.multinomial(
                voters * self.p.votes_per_voter,
                np.full(len(self.finalists), 1 / len(self.finalists)),
            )
            self.count("voters", voters)
            self.count("votes_cast", voters * self.p.votes_per_voter)
            self.count("reached", voters)
            ranked = pop.rows_of(self.finalists[np.argsort(-votes, kind="stable")])
            self._fund(model, ranked)
            self.ideas = self.finalists = np.empty(0, dtype=np.int64)

    def _fund(self, model, ranked: np.ndarray) -> None:
        pop, t = model.pop, model.initiatives
        n = self.afford(len(ranked), self.p.project_eur)
        funded, lost = ranked[:n], ranked[n:]
        funded, lost = funded[funded >= 0], lost[lost >= 0]
        pool = t.leader_pool(model)
        leaders = funded[pool[funded]]
        others = funded[~pool[funded]]
        stand_in = t.find_leaders(model, pop.district[others], self.rng)
        leaders = np.unique(np.concatenate((leaders, stand_in[stand_in >= 0])))
        self.spend(len(leaders) * self.p.project_eur)
        district = pop.district[leaders]
        rows = t.launch(
            model,
            district,
            gap_domains(model, district, self.rng),
            leaders,
            ACTIVE,
            self.origin,
            money=self.p.project_eur,
            admin_partner=True,
        )
        model.engagement.experience(pop, funded, good=True, strength=0.5)
        model.engagement.experience(pop, lost, good=False, strength=0.2)
        self.count("projects_funded", len(rows))
        self.count("initiatives_launched", len(rows))
