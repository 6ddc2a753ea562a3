"""The invariants of a model's state, checked as a list of violations.

The compiled kernels index arrays by values read from other arrays (a citizen's district,
a contact's row, a Verein's or an initiative's id, a stage code).  They do not check those
values (a check per citizen would cost time in every pass); instead the rules keep them in
range, and this module states what "in range" means for every such value, so that tests
can check it after every month of every scenario, at every parameter's extremes.  A
violation here is what would otherwise become a write past the end of an array.

``violations(model)`` returns one short text per broken invariant (empty when all hold);
it only reads the state.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .agents.initiatives import STAGES
from .population import COOP_NAMES


def violations(model) -> list[str]:
    """Every broken invariant of ``model``'s current state (empty list: all hold)."""
    return [
        *_citizens(model),
        *_memberships(model),
        *_organisations(model),
        *_administration(model),
        *_housing(model),
    ]


def _in(values: np.ndarray, lo: float, hi: float) -> bool:
    """All values in ``[lo, hi]`` (and none NaN)."""
    return bool(((values >= lo) & (values <= hi)).all())


def _citizens(model) -> Iterator[str]:
    pop, n_d = model.pop, model.n_districts
    alive, dead = pop.alive, ~pop.alive
    if not _in(pop.district[alive], 0, n_d - 1):
        yield f"a living citizen's district is outside 0..{n_d - 1}"
    if not (pop.district[dead] == n_d).all():
        yield f"a dead citizen is not parked in the outside district {n_d}"
    for flag in ("engaged", "leads", "employed"):
        if getattr(pop, flag)[dead].any():
            yield f"a dead citizen is {flag}"
    for column in ("association", "initiative"):
        if (getattr(pop, column)[dead] != -1).any():
            yield f"a dead citizen still belongs to an {column}"
    if (pop.hours[dead] != 0).any() or (pop.time_budget[dead] != 0).any():
        yield "a dead citizen has volunteer hours or a time budget"
    if not _in(pop.hours, 0.0, np.inf) or (pop.hours > pop.time_budget + 1e-6).any():
        yield "volunteer hours outside [0, time budget]"
    for share in ("trust", "trust_anchor", "burnout", "willingness", "motivation"):
        if not _in(getattr(pop, share), 0.0, 1.0):
            yield f"citizens' {share} outside [0, 1]"
    if not _in(pop.coop, 0, len(COOP_NAMES) - 1):
        yield "a cooperation type code out of range"
    if not _in(pop.contacts, -1, pop.n - 1):
        yield f"a contact row outside -1..{pop.n - 1}"
    if not _in(pop.age_m, 0, np.iinfo(pop.age_m.dtype).max - 1):
        yield "an age in months out of range"
    if pop.per_district().sum() != pop.n_alive:
        yield "the districts' populations do not add up to the living"


def _memberships(model) -> Iterator[str]:
    pop, a, ini = model.pop, model.associations, model.initiatives
    member = pop.association[pop.alive]
    member = member[member >= 0]
    if not _in(member, 0, a.n - 1) or not a.alive[member].all():
        yield "a citizen belongs to a Verein that does not exist"
    for column in ("association", "initiative"):
        if ((getattr(pop, column) >= 0) & ~pop.engaged).any():
            yield f"a citizen who does not volunteer belongs to an {column}"
    joined = pop.initiative[pop.alive]
    joined = joined[joined >= 0]
    if not _in(joined, 0, ini.n - 1) or (ini.stage[joined] > STAGES.index("sustained")).any():
        yield "a citizen belongs to an initiative that does not exist or is closed"


def _organisations(model) -> Iterator[str]:
    n_d = model.n_districts
    a, ini, b = model.associations, model.initiatives, model.businesses
    for name, table in (("Verein", a), ("initiative", ini), ("business", b)):
        if not _in(table.district, 0, n_d - 1):
            yield f"a {name}'s district is outside 0..{n_d - 1}"
    if not _in(ini.stage, 0, len(STAGES) - 1):
        yield "an initiative's stage code is out of range"
    if not _in(a.funds[a.live], 0.0, np.inf):
        yield "a Verein's funds are negative"
    if not _in(ini.money, 0.0, np.inf):
        yield "an initiative's money is negative"
    if not _in(ini.volunteers, 0, model.pop.n_alive):
        yield "an initiative's volunteers out of range"


def _administration(model) -> Iterator[str]:
    adm = model.administration
    if not (adm.service_budget >= 0 and adm.revenue >= 0 and adm.cofunding_left >= -1e-6):
        yield "the administration's service budget, revenue or co-funding is negative"
    if not all(np.isfinite([adm.revenue, adm.costs, adm.balance, adm.debt])):
        yield "the administration's books hold a number that is not finite"


def _housing(model) -> Iterator[str]:
    h = model.housing
    if not (_in(h.dwellings, 0.0, np.inf) and _in(h.households, 0.0, np.inf)):
        yield "dwellings or households negative or not finite"
    if not _in(h.vacancy(), 0.0, 1.0):
        yield "housing vacancy outside [0, 1] in a district"
