"""Cross-sector round tables (KoSI-Lab; M11 group size, M12 facilitation and mandate).

``tables_per_year`` tables start in the target districts, each on the service domain with
the largest unmet need there (or a fixed ``theme``).  A table invites members from the four
sectors (engaged citizens, Verein leaders, businesses, the administration) up to
``max_members``; it meets monthly for at most ``table_months``.  A meeting costs
``eur_per_meeting`` and, with a facilitator, ``hours_per_meeting`` of staff time; a meeting
that cannot be paid does not take place.  Each meeting the table converges with probability

    p = base_convergence * (1 + facilitation_effect [facilitated])
        * (1 + mandate_effect [mandate]) * (1 - clash_effect * clash * (1 - 0.5 [facilitated]))
        * min(1, group_size_reference / size)

where ``clash`` in [0, 1] is the evenness of the sectors at the table (mixed tables bring
clashing institutional logics; a facilitator halves their effect).  A converged table
launches a joint initiative at the gate, led by one of its citizens, with the members as
volunteers, a Verein and a business as partners and ``seed_money_eur``; a table that runs
out of time dissolves and its citizens are disappointed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..agents.initiatives import GATE
from ..parameters import Param
from ..services import SERVICE_DOMAINS
from ._util import target_citizens
from .base import Intervention


@dataclass(eq=False)
class Table:
    district: int
    domain: int
    citizens: np.ndarray  # uids (rows change when the population is compacted)
    association: int
    business: int
    size: int
    clash: float
    months_left: int


class RoundTables(Intervention):
    type = "round_tables"
    doc = "Cross-sector working groups with a facilitator and a mandate"
    origin = 3
    typical = (5000.0, 0.2)
    params = (
        Param(
            "tables_per_year",
            2,
            "tables/year",
            "Round tables started per year",
            ("kommunen-innovativ.de project page KoSI-Lab; domain.md (KoSI-Lab final reports)"),
            (0, 50),
        ),
        Param("table_months", 9, "months", "Longest a table meets", "assumption", (1, 48)),
        Param(
            "max_members",
            12,
            "members",
            "Cap on the size of a table (M11)",
            "assumption after Smaldino & Lubell 2011",
            (4, 200),
        ),
        Param(
            "citizen_share",
            0.5,
            "share",
            "Share of seats for engaged citizens",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "facilitated",
            True,
            "",
            "A skilled facilitator leads the table (M12)",
            ("kommunen-innovativ.de project page KoSI-Lab; domain.md (KoSI-Lab final reports)"),
        ),
        Param(
            "mandate",
            True,
            "",
            "The table has a formal mandate from the city (M12)",
            ("kommunen-innovativ.de project page KoSI-Lab; domain.md (KoSI-Lab final reports)"),
        ),
        Param(
            "theme",
            "auto",
            "",
            "Domain of the tables (auto = largest unmet need)",
            "assumption",
            choices=("auto", *SERVICE_DOMAINS),
        ),
        Param(
            "base_convergence",
            0.06,
            "1/month",
            "Monthly chance to converge, unfacilitated, no mandate, no clash",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "facilitation_effect",
            1.5,
            "",
            "Relative gain from facilitation (M12)",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "mandate_effect",
            0.5,
            "",
            "Relative gain from a mandate (M12)",
            "assumption",
            (0.0, 10.0),
        ),
        Param(
            "clash_effect",
            0.6,
            "",
            "Loss from clashing institutional logics (M12)",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "group_size_reference",
            10.0,
            "members",
            "Size above which cooperation erodes (M11)",
            "assumption after Smaldino & Lubell 2011",
            (2.0, 100.0),
        ),
        Param(
            "hours_per_meeting",
            16.0,
            "h",
            "Facilitator time per meeting incl. preparation",
            "assumption",
            (0.0, 200.0),
        ),
        Param(
            "eur_per_meeting",
            200.0,
            "EUR",
            "Room and catering per meeting",
            "assumption",
            (0.0, 10000.0),
        ),
        Param(
            "seed_money_eur",
            3000.0,
            "EUR",
            "Money for a joint initiative",
            "assumption",
            (0.0, 1e6),
        ),
    )
    scaling: ClassVar[dict[str, str]] = {
        "tables_per_year": "count",
        "table_months": "same",
        "max_members": "size",
        "citizen_share": "same",
        "facilitated": "same",
        "mandate": "same",
        "theme": "same",
        "base_convergence": "same",
        "facilitation_effect": "same",
        "mandate_effect": "same",
        "clash_effect": "same",
        "group_size_reference": "size",
        "hours_per_meeting": "size",
        "eur_per_meeting": "size",
        "seed_money_eur": "size",
    }
    extra_metrics = ("tables_running", "meetings", "tables_converged", "tables_failed")

    def start(self, model) -> None:
        self.tables: list[Table] = []

    def act(self, model) -> None:
        months_since = model.month - self.spec.start
        per_year = self.p.tables_per_year
        interval = max(1, 12 // per_year) if per_year else 0
        due = (
            interval and months_since % interval == 0 and (months_since % 12) // interval < per_year
        )
        if due and self.scaled_count(1):  # a count of tables: the sample opens s of them
            self._open_table(model)
        for table in list(self.tables):
            self._meet(model, table)
        self.count("tables_running", len(self.tables))

    def _open_table(self, model) -> None:
        pop = model.pop
        d = int(self.rng.choice(self.districts))
        if self.p.theme == "auto":
            domain = int(np.argmax(model.services.gap()[:, d]))
        else:
            domain = SERVICE_DOMAINS.index(self.p.theme)
        n_cit = max(1, round(self.p.max_members * self.p.citizen_share))
        pool = np.flatnonzero(
            target_citizens(model, self.in_target)
            & pop.engaged
            & (pop.district == d)
            & (pop.initiative < 0)
        )
        citizens = self.rng.choice(pool, size=min(n_cit, len(pool)), replace=False)
        a, b = model.associations, model.businesses
        assoc = a.live[a.district[a.live] == d]
        bus = b.live[b.district[b.live] == d]
        seats = self.p.max_members - len(citizens)
        n_org = [min(seats // 3, len(assoc)), min(seats // 3, len(bus)), max(1, seats // 3)]
        sectors = np.array([len(citizens), *n_org], dtype=float)
        share = sectors / sectors.sum()
        evenness = -(share[share > 0] * np.log(share[share > 0])).sum() / np.log(4)
        self.tables.append(
            Table(
                district=d,
                domain=domain,
                citizens=pop.uid[citizens],
                association=int(self.rng.choice(assoc)) if len(assoc) else -1,
                business=int(self.rng.choice(bus)) if len(bus) else -1,
                size=int(sectors.sum()),
                clash=float(evenness),
                months_left=self.p.table_months,
            )
        )
        self.count("reached", int(sectors.sum()))

    def _meet(self, model, table: Table) -> None:
        p = self.p
        hours = p.hours_per_meeting if p.facilitated else 0.0
        if self.afford(1, p.eur_per_meeting, hours) == 0:
            return
        self.spend(p.eur_per_meeting, hours)
        self.count("meetings", 1)
        table.months_left -= 1
        prob = (
            p.base_convergence
            * (1 + p.facilitation_effect * p.facilitated)
            * (1 + p.mandate_effect * p.mandate)
            * (1 - p.clash_effect * table.clash * (1 - 0.5 * p.facilitated))
            * min(1.0, p.group_size_reference / max(table.size, 1))
        )
        if self.rng.random() < prob:
            self._converge(model, table)
        elif table.months_left <= 0:
            self.tables.remove(table)
            rows = model.pop.rows_of(table.citizens)
            model.engagement.experience(model.pop, rows[rows >= 0], good=False, strength=0.3)
            self.count("tables_failed", 1)

    def _converge(self, model, table: Table) -> None:
        pop, t = model.pop, model.initiatives
        self.tables.remove(table)
        self.count("tables_converged", 1)
        members = pop.rows_of(table.citizens)
        members = members[members >= 0]
        members = members[pop.initiative[members] < 0]
        pool = t.leader_pool(model)
        leaders = members[pool[members]][:1]
        if len(leaders) == 0:
            leaders = t.find_leaders(model, np.array([table.district]), self.rng)
            leaders = leaders[leaders >= 0]
        money = min(self.p.seed_money_eur, self.money_left)
        if len(leaders) == 0:
            return
        self.spend(money)
        row = t.launch(
            model,
            np.array([table.district], dtype=np.int16),
            np.array([table.domain], dtype=np.int8),
            leaders,
            GATE,
            self.origin,
            money=money,
            assoc_partner=table.association,
            business_partner=table.business,
            admin_partner=bool(self.p.mandate),
        )
        # the table's citizens who still volunteer join; one who stopped since the table
        # opened does not become a member of the initiative
        volunteers = members[(pop.initiative[members] < 0) & pop.engaged[members]]
        t.enrol(model, volunteers, row[0])
        model.engagement.experience(pop, members, good=True, strength=0.5)
        self.count("initiatives_launched", 1)
        self.count("proposals", 1)
