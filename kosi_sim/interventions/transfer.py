"""Transfer: sustained initiatives are copied into other districts.

Each month the staff (``hours_per_transfer``) take sustained initiatives not yet copied and
look, in the target district (other than the original's) with the fewest initiatives of
that domain, for a citizen who can lead a copy; the copy starts as a proposal with
``seed_money_eur``.  At most ``transfers_per_year`` a year.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..agents.initiatives import PROPOSAL, SUSTAINED
from ..parameters import Param
from ..services import SERVICE_DOMAINS
from .base import Intervention


class Transfer(Intervention):
    type = "transfer"
    doc = "Copies sustained initiatives into other districts"
    origin = 4
    typical = (2000.0, 0.15)
    params = (
        Param(
            "transfers_per_year",
            4,
            "transfers/year",
            "Most transfers a year",
            "assumption",
            (0, 100),
        ),
        Param(
            "hours_per_transfer", 20.0, "h", "Staff time per transfer", "assumption", (0.0, 1000.0)
        ),
        Param(
            "seed_money_eur",
            1000.0,
            "EUR",
            "Money for a copied initiative",
            "assumption",
            (0.0, 1e6),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "transfers_per_year": "count",
        "hours_per_transfer": "size",
        "seed_money_eur": "size",
    }
    extra_metrics = ("transfers",)

    def start(self, model) -> None:
        self.this_year = 0
        self.quota = 0  # transfers this year: the sample's share of transfers_per_year
        self.copied: set[int] = set()

    def act(self, model) -> None:
        if (model.month - self.spec.start) % 12 == 0:
            self.this_year = 0
            self.quota = self.scaled_count(self.p.transfers_per_year)
        t = model.initiatives
        sources = [int(r) for r in np.flatnonzero(t.stage == SUSTAINED) if r not in self.copied]
        room = max(0, self.quota - self.this_year)
        n = self.afford(min(len(sources), room), self.p.seed_money_eur, self.p.hours_per_transfer)
        if n == 0:
            return
        producing = np.zeros((len(SERVICE_DOMAINS), model.n_districts))
        open_ = t.open_rows()
        np.add.at(producing, (t.domain[open_], t.district[open_]), 1)
        chosen = self.rng.choice(len(sources), size=n, replace=False)
        src = np.array([sources[i] for i in chosen])
        domain = t.domain[src]
        # destination: the target district (not the source's) with the fewest in that domain
        district = np.empty(n, dtype=np.int16)
        ok = np.ones(n, dtype=bool)
        for k, (dom, home) in enumerate(zip(domain, t.district[src], strict=True)):
            dests = self.districts[self.districts != home]
            if len(dests) == 0:
                ok[k] = False
                continue
            district[k] = dests[np.argmin(producing[dom, dests])]
            producing[dom, district[k]] += 1
        leaders = np.full(n, -1, dtype=np.int64)
        leaders[ok] = t.find_leaders(model, district[ok], self.rng)
        ok &= leaders >= 0
        self.spend(ok.sum() * self.p.seed_money_eur, n * self.p.hours_per_transfer)
        rows = t.launch(
            model,
            district[ok],
            domain[ok],
            leaders[ok],
            PROPOSAL,
            self.origin,
            money=self.p.seed_money_eur,
        )
        self.copied.update(src[ok].tolist())
        self.this_year += n
        self.count("transfers", len(rows))
        self.count("initiatives_launched", len(rows))
        self.count("proposals", len(rows))
        self.count("reached", len(rows))
