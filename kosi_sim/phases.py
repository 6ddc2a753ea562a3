"""The phases of the month, in order: the one list that :meth:`CityModel.step` runs and
from which the spin-up takes its months (ODD 3.1 and 3.3).

Each phase names what it does in a month and what it does in a spin-up month (``None``:
nothing).  The spin-up has no demography, ageing, network update, business dynamics or
accounting, no trust drift and no instruments yet; it runs phases 3 (the initiatives'
counters only), 4, 5 (requests dropped), 7 and 8 (the services without trust drift).
The reasons for the order are in the docstring of :meth:`CityModel.step`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import CityModel


@dataclass(frozen=True)
class Phase:
    """One phase of the month.

    Attributes:
        name: its name, also the key of ``CityModel.phase_seconds``.
        run: what it does in a month.
        spinup: what it does in a spin-up month; ``None`` if nothing.
    """

    name: str
    run: Callable[[CityModel], None]
    spinup: Callable[[CityModel], None] | None = None


def new_year(m: CityModel) -> None:
    """Every 12th month: life stages, contact network, housing stock, co-funding budget."""
    if m.month % 12 == 0:
        m._new_year()


def demography(m: CityModel) -> None:
    """Births, deaths, migration and moves are requested (applied in phase 10)."""
    m.requests = m.demography.request(m)


def initiative_counters(m: CityModel) -> None:
    """The initiatives' monthly event counters are reset (before instruments launch any)."""
    m.initiatives.new_month()


def interventions(m: CityModel) -> None:
    """Levers back to "no change", the initiatives' counters reset, and every running
    instrument sets this month's levers and acts."""
    m.levers.reset()
    initiative_counters(m)
    for intervention in m.interventions:
        intervention.step(m)


def engagement(m: CityModel) -> None:
    m.engagement.step(m)


def associations(m: CityModel) -> None:
    m.associations.step(m)


def associations_without_changes(m: CityModel) -> None:
    """A spin-up month of the Vereine: their dissolution and founding requests are dropped
    (no structural change before month 0)."""
    associations(m)
    m.associations.drop_requests()


def businesses(m: CityModel) -> None:
    m.businesses.step(m)


def initiatives(m: CityModel) -> None:
    m.initiatives.step(m)


def service_supply(m: CityModel) -> None:
    """Demand, supply and coverage per domain and district."""
    m.services.update(m, m.administration.admin_hours)


def services(m: CityModel) -> None:
    """Coverage; trust drifts with the change in mean coverage since month 0; the
    instruments record what they did this month."""
    service_supply(m)
    m.engagement.trust_drift(m.pop, m.services.mean_coverage() - m.services.coverage0)
    for intervention in m.interventions:
        intervention.report(m)


def administration(m: CityModel) -> None:
    """The administration closes its books with the month's lab spending."""
    m.administration.lab_spending = sum(i.spent_this_step for i in m.interventions)
    m.administration.account(m.pop.n_alive, m.businesses.count())


def structural_changes(m: CityModel) -> None:
    m._apply_structural_changes()


def metrics(m: CityModel) -> None:
    m._record()


#: the month, in order (numbered 1-11 in ODD 3.1 and in ``CityModel.step``)
PHASES: tuple[Phase, ...] = (
    Phase("new_year", new_year),
    Phase("demography", demography),
    Phase("interventions", interventions, spinup=initiative_counters),
    Phase("engagement", engagement, spinup=engagement),
    Phase("associations", associations, spinup=associations_without_changes),
    Phase("businesses", businesses),
    Phase("initiatives", initiatives, spinup=initiatives),
    Phase("services", services, spinup=service_supply),
    Phase("administration", administration),
    Phase("structural_changes", structural_changes),
    Phase("metrics", metrics),
)

#: what a spin-up month runs, in the month's order
SPINUP: tuple[Callable[[CityModel], None], ...] = tuple(
    p.spinup for p in PHASES if p.spinup is not None
)
