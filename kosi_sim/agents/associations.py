"""Associations (Vereine): members, leaders, volunteer capacity, funds, founding, dissolution.

Membership lives on the citizens (``pop.association``), so members age, move and die with
the population.  Each month, as whole-array operations over all associations:

* counts: members, members under 30, volunteer hours (``np.bincount`` over citizens);
* leadership (M10): a leader who died or quit is replaced, with probability
  ``succession_rate`` a month, by a member with spare time;
* funds: dues per member in, fixed costs out, never below zero; what exceeds
  ``reserve_months`` of the Verein's dues is spent on its own activities (not modelled
  further), so its funds, and the fifth it gives an initiative partner, have a steady state
  instead of growing for ever;
* dissolution (M13): hazard ``base + small * [members < min_members] + leaderless *
  [leaderless >= 12 months]``, requested now and applied in the structural phase;
* founding (M13): per district ``Poisson(rate * young engaged / 1000 / 12)``; the founder
  is an engaged 18-35 year old with spare time who brings up to ``min_members - 1``
  engaged contacts without a Verein.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..jit import kernel, parallel_kernel, prange
from ..parameters import OwnSection, Param, Section
from ..select import count_grouped, nonzero, nonzero_grouped
from .table import AgentTable, TableAgent, leader_is_member

DOMAINS = ("sport", "culture", "social", "education", "environment", "neighbourhood")

SECTION = Section(
    "associations",
    "Vereine: density, life cycle, money",
    [
        Param(
            "associations_per_1000",
            6.8,
            "per 1,000 inhabitants",
            "Initial density",
            "derived: ZiviZ Survey 2023 NRW, 122,222 associations (6.8 per 1,000); "
            "ZiviZ im Stifterverband 2022, Vereine in Deutschland im Jahr 2022 "
            "(summary by Kommunales Sachsen-Anhalt; Aktive Bürgerschaft)",
            (0.0, 30.0),
        ),
        Param(
            "share_sport",
            0.35,
            "share",
            "Sport among Vereine",
            "assumption after FWS areas (sport 13.5% of population engaged, largest)",
            (0.0, 1.0),
        ),
        Param(
            "share_culture",
            0.2,
            "share",
            "Culture and music among Vereine",
            "assumption after FWS areas (8.6%)",
            (0.0, 1.0),
        ),
        Param(
            "share_social",
            0.15,
            "share",
            "Social among Vereine",
            "assumption after FWS areas (8.3%)",
            (0.0, 1.0),
        ),
        Param(
            "share_education",
            0.1,
            "share",
            "School and education among Vereine",
            "assumption after FWS areas (8.2%)",
            (0.0, 1.0),
        ),
        Param(
            "share_environment",
            0.05,
            "share",
            "Environment among Vereine",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "share_neighbourhood",
            0.15,
            "share",
            "Neighbourhood among Vereine",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "founding_per_1000_young_engaged",
            2.5,
            "1/year",
            "Foundings per 1,000 engaged citizens aged 18-35 (M13)",
            "calibrated: keeps the Verein stock about constant at pressure 0, as in ZiviZ "
            "(9,352 registrations 2021 on 615,759, 1.5%/year)",
            (0.0, 20.0),
        ),
        Param(
            "dissolution_rate",
            0.012,
            "1/year",
            "Base dissolution hazard (M13)",
            "ZiviZ figures 2016 reported by nordbayern.de 21.7.2017 (foundings "
            "~15,000 and deletions ~10,000 in 2013)",
            (0.0, 0.5),
        ),
        Param(
            "dissolution_small",
            0.15,
            "1/year",
            "Extra hazard below the minimum membership",
            "assumption",
            (0.0, 2.0),
        ),
        Param(
            "dissolution_leaderless",
            0.3,
            "1/year",
            "Extra hazard after a year leaderless",
            "assumption after ZiviZ (board succession is the most named problem)",
            (0.0, 2.0),
        ),
        Param(
            "min_members",
            7,
            "members",
            "Members needed to found and keep a registered Verein",
            "BGB §56 (seven members to register an e.V.)",
            (2, 50),
            sweepable=False,
        ),
        Param(
            "succession_rate",
            0.25,
            "1/month",
            "Chance a leaderless Verein finds a leader",
            "assumption",
            (0.0, 1.0),
        ),
        Param("dues_per_member", 5.0, "EUR/month", "Membership dues", "assumption", (0.0, 100.0)),
        Param(
            "association_fixed_costs",
            40.0,
            "EUR/month",
            "Running costs of a Verein",
            "assumption",
            (0.0, 10000.0),
        ),
        Param(
            "reserve_months",
            24.0,
            "months",
            "Funds a Verein keeps, in months of its dues; the rest is spent on its activities",
            "assumption after the rule of timely use of funds (zeitnahe Mittelverwendung, "
            "AO §55 (1) 5: income used by the end of the second year after receipt; small "
            "Vereine are exempt since 2020, so here a behavioural assumption)",
            (0.0, 240.0),
        ),
    ],
)


class Association(TableAgent):
    """A Verein.  Its state lives in ``model.associations``."""

    table_attr = "associations"

    @property
    def domain(self) -> str:
        return DOMAINS[int(self.table.domain[self.row])]

    @property
    def district(self) -> int:
        return int(self.table.district[self.row])

    @property
    def members(self) -> int:
        return int(self.table.members[self.row])

    @property
    def leader(self) -> int:
        return int(self.table.leader[self.row])

    @property
    def funds(self) -> float:
        return float(self.table.funds[self.row])


#: parameters of other sections the Vereine read, and why: ``leader_spare_hours``
#: (initiatives, M10) is the spare time anyone needs to lead, a Verein as an initiative
SHARED = ("leader_spare_hours",)


class Associations(AgentTable):
    columns: ClassVar = {
        "domain": (np.int8, 0),
        "district": (np.int16, 0),
        "leader": (np.int64, -1),  # uid of the leading citizen, -1 if none
        "funds": (np.float64, 0.0),
        "founded": (np.int32, 0),
        "leaderless_months": (np.int16, 0),
        "members": (np.int32, 0),
        "young_members": (np.int32, 0),
        "hours": (np.float32, 0.0),  # members' volunteer hours per week
        "attractiveness": (np.float32, 1.0),
    }
    agent_cls = Association
    #: the parameters its rules read: section ``associations`` and the shared ones
    p = OwnSection(SECTION, SHARED)

    def __init__(self, p, capacity: int = 64) -> None:
        super().__init__(capacity)
        self.p = p
        self.domain_shares = np.array([getattr(p, f"share_{d}") for d in DOMAINS])
        if self.domain_shares.sum() <= 0:
            raise ValueError("associations: the domain shares must not all be zero")
        self.domain_shares = self.domain_shares / self.domain_shares.sum()
        self.pending_dissolution = np.empty(0, dtype=np.int64)
        self.pending_foundings: list[tuple[int, int]] = []  # (district, founder's row)
        self.founded_this_step = 0
        self.dissolved_this_step = 0

    # -- creation --------------------------------------------------------------------
    def create(self, model, district: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n = len(district)
        return self.add(
            model,
            n,
            domain=rng.choice(len(DOMAINS), size=n, p=self.domain_shares).astype(np.int8),
            district=district,
            funds=rng.gamma(2.0, 500.0, n),
            founded=model.steps,
            attractiveness=rng.lognormal(0.0, 0.5, n).astype(np.float32),
        )

    def admit(self, model, rows: np.ndarray, rng: np.random.Generator) -> None:
        """Citizens ``rows`` join a Verein in their district (weighted by its appeal)."""
        pop = model.pop
        if len(rows) == 0 or self.n == 0:
            return
        grouped, bounds = self.grouped_by("district", pop.n_districts + 1)
        u = rng.random(len(rows))
        _pick_weighted(rows, pop.district, u, grouped, bounds, self.attractiveness, pop.association)

    def pick_partner(
        self, district: np.ndarray, rng: np.random.Generator, chance: float
    ) -> np.ndarray:
        """With probability ``chance`` one Verein of each entry's district, else -1."""
        n_groups = 1 + max(int(self.district.max(initial=0)), int(district.max(initial=0)))
        grouped, bounds = self.grouped_by("district", n_groups)
        out = np.full(len(district), -1, dtype=np.int32)
        lucky = rng.random(len(district)) < chance
        u = rng.random(len(district))
        for d in np.unique(district[lucky]):  # loop over districts
            cand = grouped[bounds[d] : bounds[d + 1]]  # the district's Vereine, row order
            sel = lucky & (district == d)
            if len(cand):
                out[sel] = cand[np.minimum((u[sel] * len(cand)).astype(np.int64), len(cand) - 1)]
        return out

    def donate(self, rows: np.ndarray, share: float) -> np.ndarray:
        """Verein ``rows`` give ``share`` of their funds to partners; returns the amounts.

        A Verein listed several times gives one partner after the other, in the order
        given, each ``share`` of what is left, so what it loses is what the partners get."""
        rows = np.asarray(rows)
        # how many earlier gifts of the same Verein precede each one
        order = np.argsort(rows, kind="stable")
        ranked = rows[order]
        idx = np.arange(len(rows))
        first = np.ones(len(rows), dtype=bool)
        first[1:] = ranked[1:] != ranked[:-1]
        earlier = np.empty(len(rows), dtype=np.int64)
        earlier[order] = idx - np.maximum.accumulate(np.where(first, idx, 0))
        keep = 1.0 - share
        gift = self.funds[rows] * share * keep**earlier
        givers, times = np.unique(rows, return_counts=True)
        self.funds[givers] *= keep**times
        return gift.astype(np.float32)

    # -- monthly rules ---------------------------------------------------------------
    def refresh_counts(self, pop) -> np.ndarray:
        """Members, members under 30 and their volunteer hours per Verein; returns the
        members' rows.

        Members who are also in an initiative give it half their hours (as in
        :func:`~kosi_sim.agents.initiatives.initiative_hours`)."""
        members, young, hours, member_rows = _tally_members(
            pop.association, pop.initiative, pop.age_m, pop.hours, self.n
        )
        self.members[:] = members
        self.young_members[:] = young
        self.hours[:] = hours
        return member_rows

    def step(self, model) -> None:
        p, pop = self.p, model.pop
        rng = model.streams("associations")
        members = self.refresh_counts(pop)
        live = self.live
        # leadership: leader still alive and a member?
        ok = leader_is_member(pop, self.leader[live], pop.association, live)
        self.leader[live[~ok]] = -1
        leaderless = live[self.leader[live] < 0]
        self._succession(model, leaderless, members, rng)
        still = self.leader[live] < 0
        self.leaderless_months[live] = np.where(still, self.leaderless_months[live] + 1, 0)
        # funds: dues in, costs out, never negative; above the reserve spent on activities
        dues = p.dues_per_member * self.members[live]
        self.funds[live] = np.clip(
            self.funds[live] + dues - p.association_fixed_costs, 0.0, p.reserve_months * dues
        )
        # dissolution requests
        hazard = (
            p.dissolution_rate
            + p.dissolution_small * (self.members[live] < p.min_members)
            + p.dissolution_leaderless * (self.leaderless_months[live] >= 12)
        ) / 12.0
        u = rng.random(len(live))
        self.pending_dissolution = live[u < hazard]
        self._request_foundings(model, rng)

    def _succession(self, model, leaderless: np.ndarray, members: np.ndarray, rng) -> None:
        """Leaderless Vereine (``leaderless``) try to find a leader among ``members``."""
        pop = model.pop
        if len(leaderless) == 0:
            return
        trying = leaderless[rng.random(len(leaderless)) < self.p.succession_rate]
        if len(trying) == 0:
            return
        wanted = np.zeros(self.n, dtype=bool)
        wanted[trying] = True
        cand = _successors(
            members,
            pop.association,
            wanted,
            pop.engaged,
            pop.leads,
            pop.time_budget,
            pop.hours,
            float(self.p.leader_spare_hours),
        )
        if len(cand) == 0:
            return
        # trained members first (capacity building), otherwise at random
        cand = cand[np.lexsort((rng.random(len(cand)), ~pop.trained[cand]))]
        assoc, first = np.unique(pop.association[cand], return_index=True)
        chosen = cand[first]
        self.leader[assoc] = pop.uid[chosen]
        pop.leads[chosen] = True

    def _request_foundings(self, model, rng) -> None:
        pop, n_d = model.pop, model.pop.n_districts
        young, eligible = _young_engaged(
            pop.engaged,
            pop.age_m,
            pop.leads,
            pop.time_budget,
            pop.hours,
            np.float32(self.p.leader_spare_hours),
        )
        per_d = count_grouped(young, pop.district, n_d)
        expected = self.p.founding_per_1000_young_engaged * per_d / 1000.0 / 12.0
        counts = rng.poisson(expected)
        self.pending_foundings = []
        if counts.sum() == 0:
            return
        # who could found: by district, in row order
        eligible, per_district = nonzero_grouped(eligible, pop.district, n_d)
        first = np.cumsum(per_district) - per_district
        for d in np.flatnonzero(counts):  # districts with a founding this month
            pool = eligible[first[d] : first[d] + per_district[d]]
            if len(pool) == 0:
                continue
            founders = rng.choice(pool, size=min(counts[d], len(pool)), replace=False)
            self.pending_foundings.extend((int(d), int(f)) for f in founders)

    # -- structural phase ----------------------------------------------------------------
    def apply(self, model) -> None:
        """Dissolve and found the Vereine requested this step."""
        pop = model.pop
        self.dissolved_this_step = len(self.pending_dissolution)
        if self.dissolved_this_step:
            gone = np.zeros(self.n + 1, dtype=np.uint8)  # the last: in no Verein
            gone[self.pending_dissolution] = 1
            pop.association[_members_of(pop.association, gone)] = -1
            leaders = pop.rows_of(self.leader[self.pending_dissolution])
            pop.leads[leaders[leaders >= 0]] = False
            self.remove(self.pending_dissolution)
        # founders who are still alive and lead nothing (each founds one Verein)
        founding = [(d, f) for d, f in self.pending_foundings if pop.alive[f] and not pop.leads[f]]
        self.founded_this_step = len(founding)
        if founding:
            district = np.array([d for d, _ in founding], dtype=np.int16)
            founders = np.array([f for _, f in founding], dtype=np.int64)
            rows = self.create(model, district, model.streams("associations.founding"))
            self.funds[rows] = 0.0
            self.leader[rows] = pop.uid[founders]
            pop.leads[founders] = True
            pop.association[founders] = rows
            # each founder in turn brings engaged contacts without a Verein (up to
            # min_members - 1)
            for row, f in zip(rows.tolist(), founders.tolist(), strict=True):
                contacts = pop.contacts[f]
                free = contacts[pop.engaged[contacts] & (pop.association[contacts] < 0)]
                pop.association[np.unique(free)[: self.p.min_members - 1]] = row
        self.pending_foundings = []
        self.pending_dissolution = np.empty(0, dtype=np.int64)


@kernel
def _tally_members(association, initiative, age_m, hours, n):
    """Members, members under 30 and volunteer hours (half for those also in an
    initiative, summed in double precision in row order) of each of ``n`` Vereine, and
    the members' rows."""
    members = np.zeros(n, dtype=np.int64)
    young = np.zeros(n, dtype=np.int64)
    total = np.zeros(n)
    rows = np.empty(len(association), dtype=np.int64)
    k = 0
    for r in range(len(association)):
        a = association[r]
        if a >= 0:
            members[a] += 1
            young[a] += age_m[r] < 30 * 12
            h = hours[r] * np.float32(0.5) if initiative[r] >= 0 else hours[r]
            total[a] += np.float64(h)
            rows[k] = r
            k += 1
    return members, young, total, rows[:k].copy()


@kernel
def _successors(members, association, wanted, engaged, leads, budget, hours, spare):
    """The ``members`` (in their order) of the wanted Vereine who could lead one: engaged,
    leading nothing, with ``spare`` free hours a week (training halves the need only for
    leading an initiative, ODD 11.8; for a Verein it only puts the trained first)."""
    out = np.empty(len(members), dtype=np.int64)
    k = 0
    for r in members:
        if wanted[association[r]] and engaged[r] and not leads[r]:
            if budget[r] - hours[r] >= spare:  # float32 difference, compared in double
                out[k] = r
                k += 1
    return out[:k].copy()


@parallel_kernel
def _young_engaged(engaged, age_m, leads, budget, hours, need):
    """Whether each citizen is engaged and aged 18-35, and whether she also could found a
    Verein (leads nothing and has ``need`` spare hours): uint8 marks, ``engaged`` and
    ``leads`` come as uint8."""
    young = np.empty(len(engaged), dtype=np.uint8)
    eligible = np.empty(len(engaged), dtype=np.uint8)
    for r in prange(len(engaged)):
        a = age_m[r]
        y = engaged[r] & np.uint8(a >= 18 * 12) & np.uint8(a < 36 * 12)
        young[r] = y
        eligible[r] = y & (np.uint8(1) - leads[r]) & np.uint8(budget[r] - hours[r] >= need)
    return young, eligible


@parallel_kernel
def _members_of(association, marked):
    """Rows of the members of the marked Vereine (``marked`` as uint8, one entry per
    Verein and a last one 0 for citizens in none)."""
    member = np.empty(len(association), dtype=np.uint8)
    for r in prange(len(association)):
        member[r] = marked[association[r]]  # -1 (none) reads the last entry, 0
    return nonzero(member)


@kernel
def _pick_weighted(rows, district, u, grouped, bounds, weight, choice):
    """``choice[rows[i]]``: a Verein of the citizen's district (``grouped[bounds[d]:
    bounds[d + 1]]``), by inverse transform of ``u[i]`` on the running sum of ``weight``
    (float32, in row order, as ``np.cumsum``); unchanged where the district has none."""
    n_groups = len(bounds) - 1
    cdf = np.empty(len(grouped), dtype=weight.dtype)
    for g in range(n_groups):
        acc = np.float32(0)  # the weights are float32
        for j in range(bounds[g], bounds[g + 1]):
            acc += weight[grouped[j]]
            cdf[j] = acc
    for i in range(len(rows)):
        d = district[rows[i]]
        lo, hi = bounds[d], bounds[d + 1]
        if hi == lo:
            continue
        v = u[i] * np.float64(cdf[hi - 1])
        # the first entry above v (np.searchsorted(..., side="right")), at most the last
        a, b = lo, hi
        while a < b:
            mid = (a + b) // 2
            if np.float64(cdf[mid]) <= v:
                a = mid + 1
            else:
                b = mid
        choice[rows[i]] = grouped[min(a, hi - 1)]
