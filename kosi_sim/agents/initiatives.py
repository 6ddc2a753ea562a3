"""Co-production initiatives: idea -> proposal -> administrative gate -> active -> sustained/failed.

Each month, as whole-array operations over all open initiatives:

1. **Ideas** (M15): per district ``Poisson(idea_rate / 12 * engaged / 1000 * (1 + need_weight *
   gap))``, the domain drawn in proportion to ``0.25 + gap`` of each domain.  The idea holder
   is a random engaged citizen of the district.
2. **Idea -> proposal**: with ``idea_conversion * conversion_factor`` a month, if a leader
   with ``leader_spare_hours`` of spare time exists (M10): the holder, else an altruist
   among the holder's contacts.  Ideas older than ``idea_lifetime`` are dropped.
3. **Proposal**: the leader recruits volunteers among her contacts (engaged or willing, not
   in another initiative, with spare time; each with ``recruit_rate`` a month), collects
   money (volunteers' small contributions, a business partner found with probability
   ``business_search * mean CSR of the district`` who gives money, rooms with
   ``business_space_share`` and, once the initiative produces, ``business_staff_hours`` of
   staff time a month, a Verein partner of the same district giving a fifth of its funds)
   and space if needed.  With ``min_volunteers`` and space it
   is submitted; after ``proposal_lifetime`` months it is dropped.  Money decides survival:
   at approval the city co-funds ``cofunding_share`` of the need while its fund lasts, and an
   initiative whose money stays short of its need fails more often.
4. **Gate** (M3): see :mod:`kosi_sim.agents.administration`.
5. **Active**: produces service (see :mod:`kosi_sim.services`); fails with monthly hazard
   ``fail_base + fail_understaffed * [volunteers < min] + fail_leaderless * [no leader]
   + fail_underfunded * [money < need] + fail_burnout * mean burnout``; after
   ``sustain_months`` it is sustained and then ends with ``sustained_end_rate`` (plus
   ``fail_leaderless`` while it has no leader).  Volunteers count everyone in the
   initiative, the leader included; a leader who quit or died leaves it leaderless.
6. **Feedback** (M7, M6): approval and sustaining are good experiences for leader and
   volunteers, rejection and failure bad ones, weighted ``trust_loss_ratio`` times more.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..engagement import WEEKS_PER_MONTH
from ..jit import kernel, parallel_kernel, prange
from ..parameters import Param, Section
from ..population import COOP_ALTRUIST, COOP_FREE_RIDER
from ..select import nonzero, nonzero_grouped
from .table import AgentTable, TableAgent

IDEA, PROPOSAL, GATE, ACTIVE, SUSTAINED, FAILED, REJECTED, DROPPED, ENDED = range(9)
STAGES = (
    "idea",
    "proposal",
    "gate",
    "active",
    "sustained",
    "failed",
    "rejected",
    "dropped",
    "ended",
)
OPEN_STAGES = (IDEA, PROPOSAL, GATE, ACTIVE, SUSTAINED)
PRODUCING = (ACTIVE, SUSTAINED)


def in_stages(stage: np.ndarray, stages: tuple[int, ...]) -> np.ndarray:
    """Whether each entry of ``stage`` is one of ``stages`` (as ``np.isin``, which sorts
    and took 40 times as long on the table of all initiatives)."""
    out = stage == stages[0]
    for s in stages[1:]:
        out |= stage == s
    return out


SECTION = Section(
    "initiatives",
    "Co-production initiatives and their life cycle",
    [
        Param(
            "idea_rate",
            6.0,
            "per 1,000 engaged/year",
            "Public-interest ideas (M15)",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "need_weight", 2.0, "", "Extra ideas per unit of unmet need", "assumption", (0.0, 20.0)
        ),
        Param(
            "idea_conversion",
            0.15,
            "1/month",
            "Chance an idea becomes a proposal",
            "assumption (participation funnels fund a few % of ideas, M15)",
            (0.0, 1.0),
        ),
        Param(
            "idea_lifetime",
            6,
            "months",
            "Ideas not taken up are dropped after this",
            "assumption",
            (1, 60),
        ),
        Param(
            "leader_spare_hours",
            1.0,
            "h/week",
            "Spare time a leader needs (M10)",
            "assumption after Ghorbani et al. 2020",
            (0.0, 20.0),
        ),
        Param(
            "min_volunteers",
            3,
            "citizens",
            "People (the leader included) an initiative needs to submit and to stay healthy",
            "assumption",
            (0, 50),
        ),
        Param(
            "target_volunteers",
            8,
            "citizens",
            "Volunteers an initiative tries to keep",
            "Schubert, Kuhn & Tahmaz 2023, ZiviZ-Survey 2023 (Stifterverband), "
            "press release and ngo-dialog summary",
            (1, 100),
        ),
        Param(
            "recruit_rate",
            0.15,
            "1/month",
            "Chance a suitable contact is recruited",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "proposal_lifetime",
            9,
            "months",
            "Proposals not ready are dropped after this",
            "assumption",
            (1, 60),
        ),
        Param(
            "money_need_median",
            2000.0,
            "EUR",
            "Median money an initiative needs",
            "Dortmund neighbourhood funds: Unionviertel Quartiersfonds; Nordstadt "
            "Quartiersfonds 2016; Stadtteilfonds Westerfilde & Bodelschwingh",
            (0.0, 1e6),
        ),
        Param(
            "volunteer_contribution",
            20.0,
            "EUR/month",
            "Money each volunteer chips in",
            "assumption",
            (0.0, 1000.0),
        ),
        Param(
            "business_search",
            1.0,
            "1/month",
            "Chance to find a business partner at CSR 1",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "business_gift",
            1000.0,
            "EUR",
            "Money a business partner gives",
            "assumption",
            (0.0, 1e6),
        ),
        Param(
            "business_space_share",
            0.3,
            "share",
            "Business partners that also offer rooms (CSR)",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "business_staff_hours",
            4.0,
            "h/month",
            "Staff time a business partner gives a producing initiative (corporate volunteering)",
            "assumption",
            (0.0, 200.0),
        ),
        Param(
            "space_share",
            0.4,
            "share",
            "Initiatives outside the space domain needing rooms",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "space_find_rate",
            0.1,
            "1/month",
            "Chance to find rooms (Verein, school, business) without help",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_base",
            0.01,
            "1/month",
            "Base failure hazard of an active initiative",
            "Mathematica for RWJF, Local Initiative Funding Partners evaluation; "
            "Evaluation and Program Planning 29(2) 2006",
            (0.0, 0.5),
        ),
        Param(
            "fail_understaffed",
            0.05,
            "1/month",
            "Extra hazard below min_volunteers",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_leaderless",
            0.1,
            "1/month",
            "Extra hazard without a leader (M10)",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_underfunded",
            0.03,
            "1/month",
            "Extra hazard while money is short of need",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_burnout",
            0.1,
            "1/month",
            "Extra hazard per unit of volunteers' burnout",
            "assumption after Allen & Mueller 2013",
            (0.0, 1.0),
        ),
        Param(
            "sustain_months",
            24,
            "months",
            "Active months after which it is sustained",
            "assumption",
            (1, 240),
        ),
        Param(
            "sustained_end_rate",
            0.005,
            "1/month",
            "Hazard a sustained initiative ends",
            "Mathematica for RWJF, Local Initiative Funding Partners evaluation; "
            "Evaluation and Program Planning 29(2) 2006",
            (0.0, 0.5),
        ),
    ],
)


class Initiative(TableAgent):
    """A co-production initiative.  Its state lives in ``model.initiatives``."""

    table_attr = "initiatives"

    @property
    def stage(self) -> str:
        return STAGES[int(self.table.stage[self.row])]

    @property
    def domain(self) -> str:
        from ..services import SERVICE_DOMAINS

        return SERVICE_DOMAINS[int(self.table.domain[self.row])]

    @property
    def district(self) -> int:
        return int(self.table.district[self.row])

    @property
    def leader(self) -> int:
        return int(self.table.leader[self.row])

    @property
    def volunteers(self) -> int:
        return int(self.table.volunteers[self.row])

    def partners(self) -> dict[str, object]:
        t = self.table
        return {
            "citizens": int(t.volunteers[self.row]),
            "association": int(t.assoc_partner[self.row]),
            "business": int(t.business_partner[self.row]),
            "administration": bool(t.admin_partner[self.row]),
        }


class Initiatives(AgentTable):
    columns: ClassVar = {
        "domain": (np.int8, 0),
        "district": (np.int16, 0),
        "stage": (np.int8, IDEA),
        "leader": (np.int64, -1),
        "holder": (np.int64, -1),
        "months_in_stage": (np.int16, 0),
        "wait_left": (np.float32, 0.0),
        "waited": (np.int16, 0),
        "money_need": (np.float32, 0.0),
        "money": (np.float32, 0.0),
        "needs_space": (np.bool_, False),
        "has_space": (np.bool_, False),
        "on_premises": (np.bool_, False),
        "risk": (np.float32, 0.5),
        "assoc_partner": (np.int32, -1),
        "business_partner": (np.int32, -1),
        "admin_partner": (np.bool_, False),
        "volunteers": (np.int32, 0),
        "created": (np.int32, 0),
        "origin": (np.int8, 0),  # 0 spontaneous; >0 launched with a lab instrument
    }
    agent_cls = Initiative

    EVENTS = (
        "ideas",
        "proposals",
        "submitted",
        "approved",
        "rejected",
        "delayed",
        "started",
        "sustained",
        "failed",
        "dropped",
        "ended",
    )

    def __init__(self, p, n_districts: int) -> None:
        super().__init__(256)
        self.p = p
        self.n_districts = n_districts
        self.events = dict.fromkeys(self.EVENTS, 0)
        self.lead_times: list[int] = []
        self.decided = {"approved": np.empty(0, np.int64), "rejected": np.empty(0, np.int64)}
        # during :meth:`step`: the rows of everyone who is or was in an initiative this
        # month (ascending), so member tallies read these rows, not the whole population
        self._member_rows: np.ndarray | None = None

    # -- queries ---------------------------------------------------------------------
    def open_rows(self) -> np.ndarray:
        return np.flatnonzero(self.stage <= SUSTAINED)

    def members_have_say(self) -> np.ndarray:
        """Whether the members of each initiative have a say (it is at the gate or
        producing), plus a last entry False: indexed by a citizen's initiative, -1 (none)
        reads it."""
        s = self.stage
        return np.append((s == GATE) | (s == ACTIVE) | (s == SUSTAINED), False)

    def supply(self, pop, n_districts: int, sp) -> np.ndarray:
        """Service supply by domain and district from producing initiatives."""
        out = np.zeros((4, n_districts))
        if self.n == 0:
            return out
        member = _rows_in_initiatives(pop.initiative)
        rows = pop.initiative[member]
        producing = in_stages(self.stage[rows], PRODUCING)
        h = initiative_hours(pop, member[producing])
        rows = rows[producing]
        service = h * WEEKS_PER_MONTH * sp.initiative_productivity
        idx = self.domain[rows].astype(np.int64) * n_districts + self.district[rows]
        out += np.bincount(idx, weights=service, minlength=4 * n_districts).reshape(4, -1)
        staffed = np.flatnonzero(in_stages(self.stage, PRODUCING) & (self.business_partner >= 0))
        idx = self.domain[staffed].astype(np.int64) * n_districts + self.district[staffed]
        out += (
            np.bincount(idx, minlength=4 * n_districts).reshape(4, -1) * self.p.business_staff_hours
        )
        prem = np.flatnonzero(in_stages(self.stage, PRODUCING) & self.on_premises)
        out[3] += np.bincount(self.district[prem], minlength=n_districts)[:n_districts] * (
            sp.space_units_per_premises
        )
        return out

    def led(self, pop, rows: np.ndarray, leader_rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each initiative of ``rows`` still has its leader as a living member."""
        if leader_rows is None:
            leader_rows = pop.rows_of(self.leader[rows])
        ok = leader_rows >= 0
        ok[ok] = pop.initiative[leader_rows[ok]] == rows[ok]
        return ok

    def premises_in_use(self) -> np.ndarray:
        use = (self.stage <= SUSTAINED) & self.on_premises
        return np.bincount(self.district[use], minlength=self.n_districts)[: self.n_districts]

    # -- monthly rules -----------------------------------------------------------------
    def new_month(self) -> None:
        """Reset this month's event counters (before interventions may launch initiatives)."""
        self.events = dict.fromkeys(self.EVENTS, 0)
        self.lead_times = []
        self.decided = {"approved": np.empty(0, np.int64), "rejected": np.empty(0, np.int64)}

    def step(self, model) -> None:
        rng = model.streams("initiatives")
        pop = model.pop
        # members only join through :meth:`_enrol` during the step (and leave by setting
        # their initiative to -1), so this stays a superset of the members
        self._member_rows = _rows_in_initiatives(pop.initiative)
        try:
            self._count_volunteers(pop)
            self.months_in_stage[self.open_rows()] += 1
            self._new_ideas(model, rng)
            self._ideas_to_proposals(model, rng)
            self._proposals(model, rng)
            self._gate(model, model.streams("initiatives.gate"))
            self._active(model, rng)
            self._count_volunteers(pop)
        finally:
            self._member_rows = None

    def _candidate_rows(self, pop) -> np.ndarray:
        """Rows that may belong to an initiative (ascending): during the step the
        tracked superset, otherwise everyone with an initiative."""
        if self._member_rows is not None:
            return self._member_rows
        return _rows_in_initiatives(pop.initiative)

    def _enrol(self, pop, citizens: np.ndarray, initiatives: np.ndarray | int) -> None:
        """Citizens (rows) join initiatives (one each)."""
        pop.initiative[citizens] = initiatives
        if self._member_rows is not None and len(citizens):
            self._member_rows = _insert_sorted(self._member_rows, citizens)

    def _count_volunteers(self, pop) -> None:
        self.volunteers[:] = _members_per_initiative(
            self._candidate_rows(pop), pop.initiative, self.n
        )

    def _set_stage(self, rows: np.ndarray, stage: int) -> None:
        self.stage[rows] = stage
        self.months_in_stage[rows] = 0

    def _free_engaged_by_district(self, pop) -> tuple[np.ndarray, np.ndarray]:
        """The engaged who neither lead nor belong to an initiative, grouped by district
        (in row order within each district), and their number per district."""
        return nonzero_grouped(
            _free_engaged(pop.engaged, pop.leads, pop.initiative),
            pop.district,
            self.n_districts,
        )

    def _ideas_per_month(self, per_d: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """Expected new ideas per district this month (rule 1)."""
        p = self.p
        return p.idea_rate / 12.0 * per_d / 1000.0 * (1.0 + p.need_weight * gap.mean(0))

    def expected_ideas(self, model) -> np.ndarray:
        """Expected new ideas per district this month (rule 1)."""
        _, per_d = self._free_engaged_by_district(model.pop)
        return self._ideas_per_month(per_d, model.services.gap())

    @staticmethod
    def draw_domains(gap: np.ndarray, district: np.ndarray, rng) -> np.ndarray:
        """A domain for each of ``district``, in proportion to ``0.25 + gap`` (rule 1)."""
        weights = 0.25 + gap[:, district]
        cdf = np.cumsum(weights, axis=0) / weights.sum(axis=0)
        return (rng.random(len(district))[None, :] > cdf).sum(axis=0).astype(np.int8)

    def _new_ideas(self, model, rng) -> None:
        p, pop = self.p, model.pop
        by_district, per_d = self._free_engaged_by_district(pop)
        gap = model.services.gap()  # (domain, district)
        counts = rng.poisson(self._ideas_per_month(per_d, gap))
        total = int(counts.sum())
        if total == 0:
            return
        district = np.repeat(np.arange(self.n_districts), counts).astype(np.int16)
        domain = self.draw_domains(gap, district, rng)
        # the idea holder: a random engaged citizen of the district (the engaged grouped by
        # district, in row order, and picked by position within the district's group)
        u = rng.random(total)
        first = np.cumsum(per_d) - per_d
        pool = per_d[district]
        pick = np.minimum((u * pool).astype(np.int64), pool - 1)
        holder = pop.uid[by_district[first[district] + pick]]
        median = p.money_need_median
        needs_space = (domain == 3) | (rng.random(total) < p.space_share)
        self.add(  # an idea nobody leads yet is a row; it becomes a Mesa Agent as a proposal
            model,
            total,
            agents=False,
            domain=domain,
            district=district,
            stage=IDEA,
            holder=holder,
            money_need=(median * rng.lognormal(0.0, 1.0, total)).astype(np.float32),
            needs_space=needs_space,
            risk=rng.beta(2.0, 2.0, total).astype(np.float32),
            created=model.month,
        )
        self.events["ideas"] += total

    def _ideas_to_proposals(self, model, rng) -> None:
        p, pop = self.p, model.pop
        ideas = np.flatnonzero(self.stage == IDEA)
        if len(ideas) == 0:
            return
        lv = model.levers
        conv = p.idea_conversion * lv.idea_conversion[self.district[ideas]]
        go = ideas[rng.random(len(ideas)) < np.minimum(conv, 1.0)]
        holders = pop.rows_of(self.holder[go])
        # who could lead: the holders and their contacts (evaluated only for them)
        nearby = np.unique(
            np.concatenate((holders[holders >= 0], pop.contacts[holders[holders >= 0]].ravel()))
        )
        can_lead = np.zeros(pop.n, dtype=bool)
        can_lead[nearby] = self.can_lead(model, nearby)
        leaders = _pick_leaders(holders, can_lead, pop.coop, pop.contacts)
        led = leaders >= 0
        go, leaders = go[led], leaders[led]
        self.leader[go] = pop.uid[leaders]
        pop.leads[leaders] = True
        self._enrol(pop, leaders, go)
        model.engagement.enlist_informal(pop, leaders[~pop.engaged[leaders]])
        self._set_stage(go, PROPOSAL)
        self.make_agents(model, go)
        self.events["proposals"] += len(go)
        stale = ideas[(self.stage[ideas] == IDEA) & (self.months_in_stage[ideas] > p.idea_lifetime)]
        self._finish(model, stale, DROPPED, None)

    # -- used by interventions -----------------------------------------------------------
    def can_lead(self, model, rows: np.ndarray) -> np.ndarray:
        """Whether each citizen of ``rows`` could lead an initiative now (M10)."""
        pop, p = model.pop, self.p
        lever = model.levers.leader_spare[np.minimum(pop.district[rows], self.n_districts - 1)]
        need = p.leader_spare_hours * lever * np.where(pop.trained[rows], 0.5, 1.0)
        return (
            pop.alive[rows]
            & ~pop.leads[rows]
            & (pop.initiative[rows] < 0)
            & (pop.coop[rows] != COOP_FREE_RIDER)
            & (pop.time_budget[rows] - pop.hours[rows] >= need)
            & (pop.age_m[rows] >= 18 * 12)
        )

    def leader_pool(self, model) -> np.ndarray:
        """Whether each citizen could lead an initiative now (a mask over all rows)."""
        return self.can_lead(model, np.arange(model.pop.n))

    def find_leaders(self, model, district: np.ndarray, rng) -> np.ndarray:
        """One possible leader per requested district (engaged first), -1 where none."""
        pop = model.pop
        pool = self.leader_pool(model)
        out = np.full(len(district), -1, dtype=np.int64)
        for d in np.unique(district):  # loop over districts
            cand = np.flatnonzero(pool & (pop.district == d))
            if len(cand) == 0:
                continue
            cand = cand[np.argsort(~pop.engaged[cand] + rng.random(len(cand)), kind="stable")]
            want = np.flatnonzero(district == d)
            out[want[: len(cand)]] = cand[: len(want)]
        return out

    def launch(
        self,
        model,
        district: np.ndarray,
        domain: np.ndarray,
        leaders: np.ndarray,
        stage: int,
        origin: int,
        money: np.ndarray | float = 0.0,
        **partners,
    ) -> np.ndarray:
        """Create initiatives led by ``leaders`` directly in ``stage`` (PROPOSAL, GATE or
        ACTIVE), e.g. from an ideas call, a round table or a participatory budget."""
        pop = model.pop
        n = len(leaders)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        rng = model.streams("initiatives.launch")
        rows = self.add(
            model,
            n,
            domain=domain,
            district=district,
            stage=stage,
            leader=pop.uid[leaders],
            holder=pop.uid[leaders],
            money=money,
            origin=origin,
            created=model.month,
            money_need=(self.p.money_need_median * rng.lognormal(0.0, 1.0, n)).astype(np.float32),
            risk=rng.beta(2.0, 2.0, n).astype(np.float32),
            **partners,
        )
        pop.leads[leaders] = True
        self._enrol(pop, leaders, rows)
        model.engagement.enlist_informal(pop, leaders[~pop.engaged[leaders]])
        if stage == GATE:
            self._submit(model, rows, rng)
        elif stage == ACTIVE:
            self.events["started"] += n
        elif stage == PROPOSAL:
            self.events["proposals"] += n
        return rows

    def _recruit(self, model, rows: np.ndarray, rng) -> None:
        """Leaders of ``rows`` recruit volunteers among their contacts."""
        p, pop = self.p, model.pop
        if len(rows) == 0:
            return
        leaders = pop.rows_of(self.leader[rows])
        ok = self.led(pop, rows, leaders)
        rows, leaders = rows[ok], leaders[ok]
        if len(rows) == 0:
            return
        need = np.maximum(0, p.target_volunteers - self.volunteers[rows])
        cand = pop.contacts[leaders]  # (n, k)
        suitable = self.could_volunteer(model, cand) & (need[:, None] > 0)
        accept = suitable & (rng.random(cand.shape) < p.recruit_rate)
        r_idx, c_idx = np.nonzero(accept)
        citizens = cand[r_idx, c_idx]
        citizens, first = np.unique(citizens, return_index=True)
        self._enrol(pop, citizens, rows[r_idx[first]])
        newly = citizens[~pop.engaged[citizens]]
        model.engagement.enlist_informal(pop, newly)

    @staticmethod
    def could_volunteer(model, cand: np.ndarray) -> np.ndarray:
        """Whether each citizen of ``cand`` (rows, any shape) could be recruited into an
        initiative now (rule 3): alive, in no initiative, no free rider, engaged or
        willing, with half an hour a week to spare."""
        pop = model.pop
        spare = pop.time_budget[cand] - pop.hours[cand]
        return (
            pop.alive[cand]
            & (pop.initiative[cand] < 0)
            & (pop.coop[cand] != COOP_FREE_RIDER)
            & (pop.engaged[cand] | (pop.willingness[cand] >= model.params.willing_cutoff))
            & (spare >= 0.5)
        )

    def staff(self, model, rows: np.ndarray, rng, rounds: int) -> None:
        """The leaders of ``rows`` recruit as in the proposal stage (rule 3), for at most
        ``rounds`` months, until each initiative has ``min_volunteers``."""
        for _ in range(rounds):
            self._count_volunteers(model.pop)
            short = rows[self.volunteers[rows] < self.p.min_volunteers]
            if len(short) == 0:
                break
            self._recruit(model, short, rng)
        self._count_volunteers(model.pop)

    def _proposals(self, model, rng) -> None:
        p, pop = self.p, model.pop
        props = np.flatnonzero(self.stage == PROPOSAL)
        if len(props) == 0:
            return
        self._recruit(model, props, rng)
        self._count_volunteers(pop)
        d = self.district[props]
        # money: volunteers chip in; a business partner; a Verein partner; lab money
        self.money[props] += p.volunteer_contribution * self.volunteers[props]
        csr = model.businesses.mean_csr_by_district()
        found = (self.business_partner[props] < 0) & (
            rng.random(len(props)) < p.business_search * csr[d]
        )
        if found.any():
            self.business_partner[props[found]] = model.businesses.pick_partner(d[found], rng)
            self.money[props[found]] += p.business_gift
            offers = props[found][rng.random(int(found.sum())) < p.business_space_share]
            self.has_space[offers] |= self.needs_space[offers]  # rooms at the business
        no_assoc = self.assoc_partner[props] < 0
        if no_assoc.any():
            partner = model.associations.pick_partner(d[no_assoc], rng, chance=0.1)
            self.assoc_partner[props[no_assoc]] = partner
            self.money[props[no_assoc][partner >= 0]] += model.associations.donate(
                partner[partner >= 0], share=0.2
            )
        # space: own search, or vacant premises opened by the city/lab
        lacking = props[self.needs_space[props] & ~self.has_space[props]]
        if len(lacking):
            opened = model.levers.premises_open
            p_find = p.space_find_rate + opened[self.district[lacking]]
            got = lacking[rng.random(len(lacking)) < np.minimum(p_find, 1.0)]
            self.has_space[got] = True
            on_prem = rng.random(len(got)) < opened[self.district[got]] / np.maximum(
                p.space_find_rate + opened[self.district[got]], 1e-9
            )
            self.on_premises[got[on_prem]] = True
        ready = props[
            (self.volunteers[props] >= p.min_volunteers)
            & (~self.needs_space[props] | self.has_space[props])
        ]
        if len(ready):
            self._submit(model, ready, rng)
        stale = props[
            (self.stage[props] == PROPOSAL) & (self.months_in_stage[props] > p.proposal_lifetime)
        ]
        self._finish(model, stale, DROPPED, None)

    def _submit(self, model, rows: np.ndarray, rng) -> None:
        mean = model.params.approval_lead_time * model.levers.lead_time[self.district[rows]]
        self._set_stage(rows, GATE)
        self.wait_left[rows] = rng.gamma(2.0, mean / 2.0, len(rows))
        self.waited[rows] = 0
        self.events["submitted"] += len(rows)

    def _gate(self, model, rng) -> None:
        mp, a = model.params, model.administration
        gate = np.flatnonzero(self.stage == GATE)
        if len(gate) == 0:
            return
        self.waited[gate] += 1
        self.wait_left[gate] -= 1.0
        due = gate[self.wait_left[gate] <= 0]
        # oldest first, at most the staff's capacity
        if len(due) == 0:
            return
        due = due[np.argsort(-self.waited[due], kind="stable")][: a.gate_capacity()]
        a.decided(len(due))
        if len(due) == 0:
            return
        u = rng.random(len(due))
        p_reject, p_delay = self._gate_odds(model, due)
        rejected = due[u < p_reject]
        delayed = due[(u >= p_reject) & (u < p_reject + p_delay)]
        approved = due[u >= p_reject + p_delay]
        self.events["delayed"] += len(delayed)
        self.wait_left[delayed] = rng.gamma(
            2.0, mp.approval_lead_time * model.levers.lead_time[self.district[delayed]] / 2.0
        )
        self.lead_times.extend(self.waited[approved].tolist())
        self.lead_times.extend(self.waited[rejected].tolist())
        self.events["approved"] += len(approved)
        self.decided = {"approved": approved, "rejected": rejected}
        self._finish(model, rejected, REJECTED, good=False)
        self.events["rejected"] += len(rejected)
        if len(approved):
            grant = a.cofund(self.money_need[approved])
            self.money[approved] += grant.astype(np.float32)
            self.admin_partner[approved] = True
            self._set_stage(approved, ACTIVE)
            self.events["started"] += len(approved)
            model.engagement.experience(
                pop=model.pop, rows=self._participants(model.pop, approved), good=True, strength=0.5
            )

    def _active(self, model, rng) -> None:
        p, pop = self.p, model.pop
        act = np.flatnonzero((self.stage == ACTIVE) | (self.stage == SUSTAINED))
        if len(act) == 0:
            return
        self._recruit(model, act[self.volunteers[act] < p.min_volunteers], rng)
        self._count_volunteers(pop)
        leader_ok = self.led(pop, act)
        # the members' mean burnout stands for the team's strain
        burn = _burnout_per_initiative(
            self._candidate_rows(pop), pop.initiative, pop.burnout, self.n
        )
        mean_burn = burn[act] / np.maximum(self.volunteers[act], 1)
        hazard = np.where(
            self.stage[act] == SUSTAINED,
            p.sustained_end_rate + p.fail_leaderless * ~leader_ok,
            p.fail_base
            + p.fail_understaffed * (self.volunteers[act] < p.min_volunteers)
            + p.fail_leaderless * ~leader_ok
            + p.fail_underfunded * (self.money[act] < self.money_need[act])
            + p.fail_burnout * mean_burn,
        )
        ends = rng.random(len(act)) < hazard
        failed = act[ends & (self.stage[act] == ACTIVE)]
        ended = act[ends & (self.stage[act] == SUSTAINED)]
        self._finish(model, failed, FAILED, good=False)
        self._finish(model, ended, ENDED, None)
        self.events["failed"] += len(failed)
        self.events["ended"] += len(ended)
        grown = act[
            ~ends & (self.stage[act] == ACTIVE) & (self.months_in_stage[act] >= p.sustain_months)
        ]
        if len(grown):
            model.engagement.experience(model.pop, self._participants(pop, grown), good=True)
            self._set_stage(grown, SUSTAINED)
            self.events["sustained"] += len(grown)

    def _gate_odds(self, model, rows: np.ndarray) -> tuple[np.ndarray, float]:
        """The chances that a decision on each of ``rows`` rejects or delays it (M3)."""
        mp = model.params
        p_reject = np.clip(
            mp.rejection_base
            * mp.risk_aversion
            * model.levers.rejection[self.district[rows]]
            * 2.0
            * self.risk[rows],
            0.0,
            1.0,
        )
        return p_reject, mp.delay_share * (1.0 - mp.openness)

    def approval_chance(self, model, rows: np.ndarray) -> np.ndarray:
        """The chance that each of ``rows``, submitted, is approved in the end (a delayed
        one is decided again): approve / (approve + reject) per decision."""
        p_reject, p_delay = self._gate_odds(model, rows)
        approve = np.maximum(1.0 - p_reject - p_delay, 0.0)
        return approve / np.maximum(approve + p_reject, 1e-12)

    def led_active_hazard(self, pop, rows: np.ndarray) -> np.ndarray:
        """The ending hazard of the active initiatives ``rows`` as if they had their leader
        (rule 5 without its ``fail_leaderless`` term)."""
        p = self.p
        burn = _burnout_per_initiative(
            self._candidate_rows(pop), pop.initiative, pop.burnout, self.n
        )
        return (
            p.fail_base
            + p.fail_understaffed * (self.volunteers[rows] < p.min_volunteers)
            + p.fail_underfunded * (self.money[rows] < self.money_need[rows])
            + p.fail_burnout * burn[rows] / np.maximum(self.volunteers[rows], 1)
        )

    def _participants(self, pop, rows: np.ndarray) -> np.ndarray:
        """Citizens (rows, ascending) who belong to one of the initiatives ``rows``."""
        mark = np.zeros(self.n, dtype=bool)
        mark[rows] = True
        return _members_of(self._candidate_rows(pop), pop.initiative, mark)

    def _finish(self, model, rows: np.ndarray, stage: int, good: bool | None) -> None:
        """Close ``rows`` with a terminal ``stage``; release people; feed back experiences."""
        if len(rows) == 0:
            return
        pop = model.pop
        people = self._participants(pop, rows)
        if good is not None:
            model.engagement.experience(pop, people, good=good)
        leaders = pop.rows_of(self.leader[rows])
        still = self.led(pop, rows, leaders)
        pop.leads[leaders[still]] = False  # a former leader may lead a Verein by now
        pop.initiative[people] = -1
        self._set_stage(rows, stage)
        self.on_premises[rows] = False
        if stage == DROPPED:
            self.events["dropped"] += len(rows)
        self.remove(rows)


def _insert_sorted(rows: np.ndarray, new: np.ndarray) -> np.ndarray:
    """``np.union1d(rows, new)`` for ascending unique ``rows`` and a few ``new``: the new
    values are inserted in place, without sorting ``rows`` again."""
    new = np.unique(new)
    at = np.searchsorted(rows, new)
    known = rows[np.minimum(at, len(rows) - 1)] == new if len(rows) else np.zeros(len(new), bool)
    return np.insert(rows, at[~known], new[~known])


def initiative_hours(pop, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Weekly hours each citizen of ``rows`` (default all) gives to an initiative (half,
    if also in a Verein)."""
    share = np.where(pop.association[rows] >= 0, np.float32(0.5), np.float32(1.0))
    return np.where(pop.initiative[rows] >= 0, pop.hours[rows] * share, np.float32(0.0))


@parallel_kernel
def _rows_in_initiatives(initiative):
    """Rows (ascending) of everyone in an initiative."""
    member = np.empty(len(initiative), dtype=np.uint8)
    for r in prange(len(initiative)):
        member[r] = initiative[r] >= 0
    return nonzero(member)


@kernel
def _members_per_initiative(rows, initiative, n):
    """Members of each of ``n`` initiatives among ``rows`` (initiative -1: none)."""
    out = np.zeros(n, dtype=np.int64)
    for r in rows:
        i = initiative[r]
        if i >= 0:
            out[i] += 1
    return out


@kernel
def _members_of(rows, initiative, mark):
    """The rows among ``rows`` (ascending) whose initiative is marked."""
    out = np.empty(len(rows), dtype=np.int64)
    k = 0
    for r in rows:
        i = initiative[r]
        if i >= 0 and mark[i]:
            out[k] = r
            k += 1
    return out[:k].copy()


@kernel
def _burnout_per_initiative(rows, initiative, burnout, n):
    """Summed burnout of each initiative's members among ``rows`` (double precision, row
    order)."""
    out = np.zeros(n)
    for r in rows:
        i = initiative[r]
        if i >= 0:
            out[i] += np.float64(burnout[r])
    return out


@parallel_kernel
def _free_engaged(engaged, leads, initiative):
    """Whether each citizen is engaged and neither leads nor belongs to an initiative
    (uint8 marks; ``engaged`` and ``leads`` come as uint8)."""
    free = np.empty(len(engaged), dtype=np.uint8)
    for r in prange(len(engaged)):
        free[r] = engaged[r] & (np.uint8(1) - leads[r]) & np.uint8(initiative[r] < 0)
    return free


@kernel
def _pick_leaders(holders, can_lead, coop, contacts):
    """The leader of each idea, in turn (-1: none): its holder (row, -1 if gone) if she
    can lead and is not taken yet, else the first altruist contact who can (M10)."""
    taken = np.zeros(len(can_lead), dtype=np.bool_)
    out = np.full(len(holders), -1, dtype=np.int64)
    for j in range(len(holders)):
        h = holders[j]
        if h < 0:
            continue
        leader = -1
        if can_lead[h] and not taken[h]:
            leader = h
        else:
            for c in contacts[h]:
                if can_lead[c] and not taken[c] and coop[c] == COOP_ALTRUIST:
                    leader = c
                    break
        if leader >= 0:
            taken[leader] = True
            out[j] = leader
    return out
