"""The table of all initiatives, its monthly step and the doors through which others act.

:class:`Initiatives` holds every initiative's state as a struct of arrays (rows are the
initiatives' ids, never reused).  Its :meth:`~Initiatives.step` runs the ODD rules of
section 7.8 in order, each in the module named after it: :mod:`.ideas` (rule 1),
:mod:`.proposals` (rules 2 and 3, with :mod:`.leaders` and :mod:`.recruitment`), the gate
(:mod:`kosi_sim.agents.gate`, the administration's rule 7.7) and :mod:`.production`
(rules 5 and 6).

Instruments and other components change initiatives only through the public methods listed
under "doors" below, which keep the table's invariants: a citizen joins only an open
initiative and only while in none; ``volunteers`` counts the members; money given is a
finite amount of at least zero; rooms go only to initiatives that need them; only
proposals at the gate have a gate clock.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ... import ruleset
from ...parameters import OwnSection
from .. import gate
from ..table import AgentTable, TableAgent, leader_is_member
from . import ideas, kernels, leaders, production, proposals, recruitment
from . import rules as numpy_rules
from .members import _rows_in_initiatives, insert_sorted
from .params import SECTION, SHARED
from .stages import ACTIVE, DROPPED, GATE, IDEA, PROPOSAL, STAGES, SUSTAINED, is_open


class Initiative(TableAgent):
    """A co-production initiative.  Its state lives in ``model.initiatives``."""

    table_attr = "initiatives"

    @property
    def stage(self) -> str:
        return STAGES[int(self.table.stage[self.row])]

    @property
    def domain(self) -> str:
        from ...services import SERVICE_DOMAINS

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
    #: the parameters the rules read: section ``initiatives`` and the declared shared ones
    p = OwnSection(SECTION, SHARED)

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

    def __init__(self, p, n_districts: int, rules: str = ruleset.KERNELS) -> None:
        super().__init__(256)
        self.p = p
        #: the rules of :mod:`.rules` or their fast path :mod:`.kernels` (kosi_sim.ruleset)
        self.impl = ruleset.pick(rules, numpy_rules, kernels)
        self.n_districts = n_districts
        self.events = dict.fromkeys(self.EVENTS, 0)
        self.lead_times: list[int] = []
        self.decided = {"approved": np.empty(0, np.int64), "rejected": np.empty(0, np.int64)}
        # during :meth:`step`: the rows of everyone who is or was in an initiative this
        # month (ascending), so member tallies read these rows, not the whole population
        self._member_rows: np.ndarray | None = None

    # -- the month ---------------------------------------------------------------------
    def new_month(self) -> None:
        """Reset this month's event counters (before interventions may launch initiatives)."""
        self.events = dict.fromkeys(self.EVENTS, 0)
        self.lead_times = []
        self.decided = {"approved": np.empty(0, np.int64), "rejected": np.empty(0, np.int64)}

    def step(self, model) -> None:
        """One month of ODD 7.8: open initiatives age a month, then rules 1 to 5."""
        rng = model.streams("initiatives")
        pop = model.pop
        # members only join through :meth:`join` or :meth:`enrol` during the step (and
        # leave by setting their initiative to -1), so this stays a superset of the members
        self._member_rows = _rows_in_initiatives(pop.initiative)
        try:
            self.count_volunteers(pop)
            self.months_in_stage[self.open_rows()] += 1
            ideas.new_ideas(self, model, rng)
            proposals.ideas_to_proposals(self, model, rng)
            proposals.proposals(self, model, rng)
            gate.decide(self, model, model.streams("initiatives.gate"))
            production.produce(self, model, rng)
            self.count_volunteers(pop)
        finally:
            self._member_rows = None

    # -- queries -----------------------------------------------------------------------
    def open_rows(self) -> np.ndarray:
        return np.flatnonzero(is_open(self.stage))

    def members_have_say(self) -> np.ndarray:
        """Whether the members of each initiative have a say (it is at the gate or
        producing), plus a last entry False: indexed by a citizen's initiative, -1 (none)
        reads it."""
        s = self.stage
        return np.append((s == GATE) | (s == ACTIVE) | (s == SUSTAINED), False)

    def led(self, pop, rows: np.ndarray, leader_rows: np.ndarray | None = None) -> np.ndarray:
        """Whether each initiative of ``rows`` still has its leader as a living member."""
        return leader_is_member(pop, self.leader[rows], pop.initiative, rows, leader_rows)

    def premises_in_use(self) -> np.ndarray:
        use = is_open(self.stage) & self.on_premises
        return np.bincount(self.district[use], minlength=self.n_districts)[: self.n_districts]

    def supply(
        self, pop, n_districts: int, *, productivity: float, space_units: float
    ) -> np.ndarray:
        """Service supply by domain and district from producing initiatives, at the
        services' ``productivity`` per volunteer hour and ``space_units`` per premises."""
        return production.supply(
            self, pop, n_districts, productivity=productivity, space_units=space_units
        )

    def expected_ideas(self, model) -> np.ndarray:
        """Expected new ideas per district this month (rule 1)."""
        return ideas.expected_ideas(self, model)

    draw_domains = staticmethod(ideas.draw_domains)

    def can_lead(self, model, rows: np.ndarray) -> np.ndarray:
        """Whether each citizen of ``rows`` could lead an initiative now (M10)."""
        return leaders.can_lead(self, model, rows)

    def leader_pool(self, model) -> np.ndarray:
        """Whether each citizen could lead an initiative now (a mask over all rows)."""
        return leaders.can_lead(self, model, slice(None))

    def find_leaders(self, model, district: np.ndarray, rng) -> np.ndarray:
        """One possible leader per requested district (engaged first), -1 where none."""
        return leaders.find_leaders(self, model, district, rng)

    def approval_chance(self, model, rows: np.ndarray) -> np.ndarray:
        """The chance that each of ``rows``, submitted, is approved in the end (M3)."""
        return gate.approval_chance(self, model, rows)

    def led_active_hazard(self, pop, rows: np.ndarray) -> np.ndarray:
        """The ending hazard of the active ``rows`` as if they had their leader."""
        return production.led_active_hazard(self, pop, rows)

    def members(self, pop, rows: np.ndarray) -> np.ndarray:
        """Citizens (rows, ascending) who belong to one of the initiatives ``rows``."""
        return self.participants(pop, rows)

    # -- doors: how instruments and other components act on initiatives ----------------
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
        """Create initiatives led by ``leaders`` (rows who can lead) directly in ``stage``
        (PROPOSAL, GATE or ACTIVE), e.g. from an ideas call, a round table or a
        participatory budget; returns their rows."""
        if stage not in (PROPOSAL, GATE, ACTIVE):
            raise ValueError(f"launch: stage {stage} is not PROPOSAL, GATE or ACTIVE")
        _check_money(money)
        pop = model.pop
        n = len(leaders)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        rng = model.streams("initiatives.launch")
        money_need, risk = ideas.draw_need_and_risk(self.p, n, rng)
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
            money_need=money_need,
            risk=risk,
            **partners,
        )
        pop.leads[leaders] = True
        self.enrol(model, leaders, rows)
        model.engagement.enlist_informal(pop, leaders[~pop.engaged[leaders]])
        if stage == GATE:
            gate.submit(self, model, rows, rng)
        elif stage == ACTIVE:
            self.events["started"] += n
        elif stage == PROPOSAL:
            self.events["proposals"] += n
        return rows

    def volunteers_wanted(self, rows: np.ndarray | int | slice = slice(None)):
        """How many volunteers each of ``rows`` lacks to reach ``target_volunteers``
        (negative where it has more)."""
        return self.p.target_volunteers - self.volunteers[rows]

    def enrol(self, model, citizens: np.ndarray, initiatives: np.ndarray | int) -> None:
        """Citizens (rows, each in no initiative) join open initiatives (one each, or all
        the one ``initiatives``); ``volunteers`` counts them at once."""
        citizens = np.asarray(citizens, dtype=np.int64)
        if len(citizens) == 0:
            return
        pop = model.pop
        target = np.broadcast_to(np.asarray(initiatives, dtype=np.int64), citizens.shape)
        if (pop.initiative[citizens] >= 0).any():
            raise ValueError("enrol: a citizen who is already in an initiative cannot join another")
        if not is_open(self.stage[target]).all():
            raise ValueError("enrol: citizens can only join open initiatives")
        self.join(pop, citizens, target)
        np.add.at(self.volunteers, target, 1)

    def fund(self, rows: np.ndarray, eur: float) -> None:
        """Give each of the open initiatives ``rows`` ``eur`` (a grant, seed money)."""
        _check_money(eur)
        if not is_open(self.stage[rows]).all():
            raise ValueError("fund: only open initiatives can receive money")
        self.money[rows] += np.float32(eur)

    def grant_space(self, rows: np.ndarray) -> None:
        """The open initiatives ``rows``, which need rooms, get rooms (not on premises)."""
        if not (is_open(self.stage[rows]) & self.needs_space[rows]).all():
            raise ValueError("grant_space: only open initiatives that need rooms get rooms")
        self.has_space[rows] = True

    def leave_premises(self, rows: np.ndarray) -> None:
        """The initiatives ``rows`` give back the vacant premises they use (their rooms
        there are no longer paid for); they keep ``has_space``."""
        self.on_premises[rows] = False

    def hasten(self, rows: np.ndarray, months: float) -> None:
        """Proposals ``rows`` at the gate come ``months`` (>= 0) closer to their decision
        (a fast track)."""
        if not np.isfinite(months) or months < 0:
            raise ValueError(f"hasten: months must be a finite number >= 0, got {months}")
        if not (self.stage[rows] == GATE).all():
            raise ValueError("hasten: only proposals at the gate have a lead time")
        self.wait_left[rows] -= np.float32(months)

    def staff(self, model, rows: np.ndarray, rng, rounds: int) -> None:
        """The leaders of ``rows`` recruit as in the proposal stage (rule 3), for at most
        ``rounds`` months, until each initiative has ``min_volunteers``."""
        recruitment.staff(self, model, rows, rng, rounds)

    # -- used by the life cycle's rules ------------------------------------------------
    def candidate_rows(self, pop) -> np.ndarray:
        """Rows that may belong to an initiative (ascending): during the step the
        tracked superset, otherwise everyone with an initiative."""
        if self._member_rows is not None:
            return self._member_rows
        return _rows_in_initiatives(pop.initiative)

    def count_volunteers(self, pop) -> None:
        """Count the members of every initiative (the leader included)."""
        self.volunteers[:] = self.impl.members_per_initiative(
            rows=self.candidate_rows(pop), initiative=pop.initiative, n=self.n
        )

    def set_stage(self, rows: np.ndarray, stage: int) -> None:
        self.stage[rows] = stage
        self.months_in_stage[rows] = 0

    def join(self, pop, citizens: np.ndarray, rows: np.ndarray | int) -> None:
        """Citizens (rows) join initiatives (one each) during the rules of the month,
        which count the members at fixed points (:meth:`count_volunteers`): the
        ``volunteers`` of the month's start stay until then."""
        pop.initiative[citizens] = rows
        if self._member_rows is not None and len(citizens):
            self._member_rows = insert_sorted(self._member_rows, citizens)

    def participants(self, pop, rows: np.ndarray) -> np.ndarray:
        """Citizens (rows, ascending) who belong to one of the initiatives ``rows``."""
        mark = np.zeros(self.n, dtype=bool)
        mark[rows] = True
        return self.impl.members_of(
            rows=self.candidate_rows(pop), initiative=pop.initiative, mark=mark
        )

    def finish(self, model, rows: np.ndarray, stage: int, good: bool | None) -> None:
        """Close ``rows`` with a terminal ``stage``; release people; feed back experiences
        (``good``: True, False or None for none)."""
        if len(rows) == 0:
            return
        pop = model.pop
        people = self.participants(pop, rows)
        if good is not None:
            model.engagement.experience(pop, people, good=good)
        leader_rows = pop.rows_of(self.leader[rows])
        still = self.led(pop, rows, leader_rows)
        pop.leads[leader_rows[still]] = False  # a former leader may lead a Verein by now
        pop.initiative[people] = -1
        self.set_stage(rows, stage)
        self.on_premises[rows] = False
        if stage == DROPPED:
            self.events["dropped"] += len(rows)
        self.remove(rows)


def _check_money(eur) -> None:
    """Money given to initiatives is finite and at least zero."""
    eur = np.asarray(eur, dtype=np.float64)
    if not (np.isfinite(eur).all() and (eur >= 0).all()):
        raise ValueError("money given to initiatives must be finite and at least 0 EUR")
