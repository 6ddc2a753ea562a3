"""New ideas (M15, ODD 7.8 rule 1) and what every new initiative draws at its start.

Per district ``Poisson(idea_rate / 12 * E_d / 1000 * (1 + need_weight * gap_d))`` new ideas
a month, with ``E_d`` the engaged who neither lead nor belong to an initiative and ``gap_d``
the unmet share of demand averaged over domains.  The domain is drawn in proportion to
``DOMAIN_BASE_WEIGHT + gap`` per domain; the holder is a random member of ``E_d``; the money
need is ``money_need_median * LogNormal(0, 1)``; the idea needs space in the space domain or
with probability ``space_share``.
"""

from __future__ import annotations

import numpy as np

from ...select import nonzero_grouped
from ...services import SPACE
from .stages import IDEA

#: weight of every domain in the draw of an idea's domain, to which its gap is added: a
#: domain without unmet need still gets ideas (assumption)
DOMAIN_BASE_WEIGHT = 0.25
#: the initiatives' novelty (``risk``, 0..1) is Beta(2, 2): mostly middling (assumption)
RISK_BETA = (2.0, 2.0)


def draw_domains(gap: np.ndarray, district: np.ndarray, rng) -> np.ndarray:
    """A domain for each of ``district``, in proportion to ``DOMAIN_BASE_WEIGHT + gap``
    (``gap`` by domain and district)."""
    weights = DOMAIN_BASE_WEIGHT + gap[:, district]
    cdf = np.cumsum(weights, axis=0) / weights.sum(axis=0)
    return (rng.random(len(district))[None, :] > cdf).sum(axis=0).astype(np.int8)


def draw_need_and_risk(p, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """The money need (EUR, ``money_need_median * LogNormal(0, 1)``) and the novelty
    (``risk``) of ``n`` new initiatives, drawn in this order."""
    need = (p.money_need_median * rng.lognormal(0.0, 1.0, n)).astype(np.float32)
    risk = rng.beta(*RISK_BETA, n).astype(np.float32)
    return need, risk


def free_engaged_by_district(ini, pop) -> tuple[np.ndarray, np.ndarray]:
    """The engaged who neither lead nor belong to an initiative, grouped by district
    (in row order within each district), and their number per district."""
    return nonzero_grouped(
        ini.impl.free_engaged(engaged=pop.engaged, leads=pop.leads, initiative=pop.initiative),
        pop.district,
        ini.n_districts,
    )


def ideas_per_month(p, per_d: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Expected new ideas per district this month."""
    return p.idea_rate / 12.0 * per_d / 1000.0 * (1.0 + p.need_weight * gap.mean(0))


def expected_ideas(ini, model) -> np.ndarray:
    """Expected new ideas per district this month."""
    _, per_d = free_engaged_by_district(ini, model.pop)
    return ideas_per_month(ini.p, per_d, model.services.gap())


def new_ideas(ini, model, rng) -> None:
    """This month's new ideas, each a row of the table without a Mesa Agent yet."""
    p, pop = ini.p, model.pop
    by_district, per_d = free_engaged_by_district(ini, pop)
    gap = model.services.gap()  # (domain, district)
    counts = rng.poisson(ideas_per_month(p, per_d, gap))
    total = int(counts.sum())
    if total == 0:
        return
    district = np.repeat(np.arange(ini.n_districts), counts).astype(np.int16)
    domain = draw_domains(gap, district, rng)
    # the idea holder: a random engaged citizen of the district (the engaged grouped by
    # district, in row order, and picked by position within the district's group)
    u = rng.random(total)
    first = np.cumsum(per_d) - per_d
    pool = per_d[district]
    pick = np.minimum((u * pool).astype(np.int64), pool - 1)
    holder = pop.uid[by_district[first[district] + pick]]
    needs_space = (domain == SPACE) | (rng.random(total) < p.space_share)
    money_need, risk = draw_need_and_risk(p, total, rng)
    ini.add(  # an idea nobody leads yet is a row; it becomes a Mesa Agent as a proposal
        model,
        total,
        agents=False,
        domain=domain,
        district=district,
        stage=IDEA,
        holder=holder,
        money_need=money_need,
        needs_space=needs_space,
        risk=risk,
        created=model.month,
    )
    ini.events["ideas"] += total
