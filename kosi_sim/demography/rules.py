"""Demography (ODD 7.2): the monthly draws of deaths, emigration, moves and births, in
plain numpy.

One uniform draw ``u`` per living citizen and month (keyed stream ``demography.events``)
decides death (``u < q``), emigration (``q <= u < q + p_out``) or a move (``q + p_out <= u
< q + p_out + p_move``), mutually exclusive; a second draw (``demography.births``) below
the monthly fertility rate ``ASFR(a) / 12`` makes a woman a mother.  The rates are those of
:class:`kosi_sim.demography.rates.Rates`, by (sex, age in completed months).  At the end of the
month, in the structural phase, the living become a month older (:func:`age_one_month`).
The compiled fast paths of :func:`events` and :func:`age_one_month` are in
:mod:`kosi_sim.demography.kernels` (tested equal, ``tests/test_rules_demography.py``).
"""

from __future__ import annotations

import numpy as np

from ..rng import uniforms
from .rates import N_MONTHS


def rate_key(sex: np.ndarray, age_m: np.ndarray) -> np.ndarray:
    """Entries in the (sex, age in completed months) rate tables; the oldest ages read the
    last month's rate."""
    return sex.astype(np.intp) * N_MONTHS + np.minimum(age_m, N_MONTHS - 1)


def events(*, events_key, births_key, uid, alive, sex, age_m, event_rate, birth_rate) -> tuple:
    """The month's draws: the rows of the living whose ``events_key`` draw is below their
    ``event_rate`` (death, emigration or a move), with those draws, and the rows of the
    living whose ``births_key`` draw is below their ``birth_rate`` (mothers)."""
    key = rate_key(sex, age_m)
    living = alive.view(bool)
    u_event = uniforms(events_key, uid)
    with_event = np.flatnonzero(living & (u_event < event_rate[key]))
    mothers = np.flatnonzero(living & (uniforms(births_key, uid) < birth_rate[key]))
    return with_event, u_event[with_event], mothers


def age_one_month(*, age_m, alive, months) -> np.ndarray:
    """Ageing: everyone alive becomes a month older (``age_m`` in place); returns the
    living rows whose age is now ``months`` (a citizen who died at that age keeps it and
    does not turn it again every month)."""
    living = alive.astype(bool)
    age_m += living.astype(age_m.dtype)
    return np.flatnonzero(living & (age_m == months))


def split_events(rows, u, p_death, p_leave) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which of ``rows`` (with draws ``u`` below their event rate) die (``u < p_death``),
    emigrate (``p_death <= u < p_leave``, ``p_leave`` = death + emigration) or move (the
    rest)."""
    deaths = rows[u < p_death]
    emigrants = rows[(u >= p_death) & (u < p_leave)]
    movers = rows[u >= p_leave]
    return deaths, emigrants, movers
