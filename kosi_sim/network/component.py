"""The contact network's operations for the model (ODD 7.3): the initial ties and the
yearly renewal, on the chosen implementation of the rules (:mod:`kosi_sim.ruleset`)."""

from __future__ import annotations

import numpy as np

from .. import ruleset
from . import kernels
from . import rules as numpy_rules
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
