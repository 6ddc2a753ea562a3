"""The table of Vereine: their columns, creation, partner choice and the monthly step that
runs the rules of ODD 7.5 in order (each rule in its own module of this package)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ... import ruleset
from ...parameters import OwnSection
from ..table import AgentTable, TableAgent
from . import dissolution, founding, funds, kernels, leadership, membership
from . import rules as numpy_rules
from .params import DOMAINS, SECTION, SHARED


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

    def __init__(self, p, capacity: int = 64, rules: str = ruleset.KERNELS) -> None:
        super().__init__(capacity)
        self.p = p
        #: the rules of :mod:`.rules` or their fast path :mod:`.kernels` (kosi_sim.ruleset)
        self.impl = ruleset.pick(rules, numpy_rules, kernels)
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
        membership.admit(self, model, rows, rng)

    def pick_partner(
        self, district: np.ndarray, rng: np.random.Generator, chance: float
    ) -> np.ndarray:
        """With probability ``chance`` one Verein of each entry's district, else -1."""
        out = np.full(len(district), -1, dtype=np.int32)
        lucky = rng.random(len(district)) < chance
        u = rng.random(len(district))
        if not lucky.any():  # the usual month: nobody looks (both draws are made anyway)
            return out
        n_groups = 1 + max(int(self.district.max(initial=0)), int(district.max(initial=0)))
        grouped, bounds = self.grouped_by("district", n_groups)
        # each lucky entry takes the Verein at position u * (its district's count) among
        # the district's Vereine in row order; districts without one leave -1
        looking = np.flatnonzero(lucky)
        d = district[looking]
        size = bounds[d + 1] - bounds[d]
        pick = bounds[d] + np.minimum((u[looking] * size).astype(np.int64), size - 1)
        found = size > 0
        out[looking[found]] = grouped[pick[found]]
        return out

    def donate(self, rows: np.ndarray, share: float) -> np.ndarray:
        """Verein ``rows`` give ``share`` of their funds to partners; returns the amounts
        (:func:`.funds.donate`)."""
        return funds.donate(self, rows, share)

    # -- monthly rules ---------------------------------------------------------------
    def refresh_counts(self, pop) -> np.ndarray:
        """Members, members under 30 and their volunteer hours per Verein; returns the
        members' rows (:func:`.membership.refresh_counts`)."""
        return membership.refresh_counts(self, pop)

    def step(self, model) -> None:
        """The month (ODD 7.5): counts, leadership, funds, then the dissolution and
        founding requests (applied in the structural phase by :meth:`apply`)."""
        rng = model.streams("associations")
        members = self.refresh_counts(model.pop)
        live = self.live
        leadership.step(self, model, live, members, rng)
        funds.step(self, live)
        self.pending_dissolution = dissolution.request(self, live, rng)
        self.pending_foundings = founding.request(self, model, rng)

    # -- structural phase ----------------------------------------------------------------
    def apply(self, model) -> None:
        """Dissolve and found the Vereine requested this step."""
        self.dissolved_this_step = dissolution.dissolve(self, model, self.pending_dissolution)
        self.founded_this_step = founding.found(self, model, self.pending_foundings)
        self.drop_requests()

    def drop_requests(self) -> None:
        """Forget this month's dissolution and founding requests (applied or not)."""
        self.pending_foundings = []
        self.pending_dissolution = np.empty(0, dtype=np.int64)
