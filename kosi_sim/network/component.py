"""The contact network's operations for the model (ODD 7.3): the initial ties and the
yearly renewal, on the chosen implementation of the rules (:mod:`kosi_sim.ruleset`).

:class:`Network` is the model's component: it reads the network's parameter section and
nothing else, and applies the operations below to the population's ties."""

from __future__ import annotations

import numpy as np

from .. import ruleset
from ..parameters import OwnSection
from . import kernels
from . import rules as numpy_rules
from .params import SECTION
from .rules import DistrictIndex


def district_index(
    *, district, age_m, alive, n_districts: int, rules: str = ruleset.KERNELS
) -> DistrictIndex:
    """The living grouped by district and sorted by age (:func:`rules.district_index`)."""
    impl = ruleset.pick(rules, numpy_rules, kernels)
    return impl.district_index(district=district, age_m=age_m, alive=alive, n_districts=n_districts)


def draw_contacts(
    *,
    rows: np.ndarray,
    slots: int,
    uid: np.ndarray,
    district: np.ndarray,
    index: DistrictIndex,
    locality: float,
    homophily: float,
    key: np.uint64,
    rules: str = ruleset.KERNELS,
) -> np.ndarray:
    """``slots`` contacts for each of ``rows`` (int32, ``(len(rows), slots)``), drawn from
    the keyed stream ``key`` by the citizen's uid (:func:`rules.place_contacts`)."""
    impl = ruleset.pick(rules, numpy_rules, kernels)
    return impl.place_contacts(
        key=key,
        rows=rows,
        slots=slots,
        uid=uid,
        district=district,
        index=index,
        locality=locality,
        homophily=homophily,
    )


def update_contacts(
    *,
    contacts: np.ndarray,
    uid: np.ndarray,
    alive: np.ndarray,
    district: np.ndarray,
    age_m: np.ndarray,
    n_districts: int,
    turnover: float,
    locality: float,
    homophily: float,
    key: np.uint64,
    ties_to_living: bool = False,
    rules: str = ruleset.KERNELS,
) -> int:
    """Redraw, in place, the living's ties to the dead (or -1) and each other tie with
    probability ``turnover`` (:func:`rules.renew_ties`); returns the number of ties
    redrawn.

    ``ties_to_living``: every tie other than -1 is known to point to a living citizen (as
    right after a compaction), so only the -1 ties need looking at: the same ties are
    redrawn, without reading whether each contact is alive."""
    if len(alive) == 0:
        return 0
    impl = ruleset.pick(rules, numpy_rules, kernels)
    index = impl.district_index(
        district=district, age_m=age_m, alive=alive, n_districts=n_districts
    )
    return impl.renew_ties(
        key=key,
        contacts=contacts,
        uid=uid,
        alive=alive,
        district=district,
        index=index,
        turnover=turnover,
        locality=locality,
        homophily=homophily,
        check_alive=not ties_to_living,
    )


class Network:
    """The citizens' contact network as a component of the model.

    Args:
        p: the parameters (a complete set; the network sees its own section only).
        rules: ``"kernels"`` (default) or ``"numpy"`` (:mod:`kosi_sim.ruleset`).
    """

    #: the parameters it reads: its own section only
    p = OwnSection(SECTION)

    def __init__(self, p, rules: str = ruleset.KERNELS) -> None:
        self.p = p
        self.rules = rules
        self.impl = ruleset.pick(rules, numpy_rules, kernels)

    @property
    def slots(self) -> int:
        """Contacts per citizen: the population table's columns of ties."""
        return int(self.p.contacts_per_citizen)

    def initial_ties(self, pop, n_districts: int, key: np.uint64) -> np.ndarray:
        """Every citizen's ties at the start (:func:`draw_contacts` for all rows of
        ``pop``), drawn from the keyed stream ``key``."""
        index = district_index(
            district=pop.district,
            age_m=pop.age_m,
            alive=pop.alive,
            n_districts=n_districts,
            rules=self.rules,
        )
        return draw_contacts(
            rows=np.arange(pop.n),
            slots=pop.k,
            uid=pop.uid,
            district=pop.district,
            index=index,
            locality=self.p.contact_locality,
            homophily=self.p.contact_age_homophily,
            key=key,
            rules=self.rules,
        )

    def renew(self, pop, n_districts: int, key: np.uint64) -> int:
        """The yearly renewal: the living's ties to the dead and a share
        ``contact_turnover`` of the others are redrawn (in place, from the keyed stream
        ``key``); returns the number of ties redrawn."""
        return self._redraw(pop, n_districts, key, self.p.contact_turnover, False)

    def repair(self, pop, n_districts: int, key: np.uint64) -> int:
        """After a compaction, which turned every tie to a removed row into -1: only those
        are redrawn (in place, from the keyed stream ``key``); returns how many."""
        return self._redraw(pop, n_districts, key, 0.0, True)

    def _redraw(self, pop, n_districts: int, key, turnover: float, ties_to_living: bool) -> int:
        return update_contacts(
            contacts=pop.contacts,
            uid=pop.uid,
            alive=pop.alive,
            district=pop.district,
            age_m=pop.age_m,
            n_districts=n_districts,
            turnover=turnover,
            locality=self.p.contact_locality,
            homophily=self.p.contact_age_homophily,
            key=key,
            ties_to_living=ties_to_living,
            rules=self.rules,
        )
