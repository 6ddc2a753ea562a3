"""Demography (ODD 7.2): the compiled fast paths of :func:`kosi_sim.demography.rules.events`
and :func:`~kosi_sim.demography.rules.age_one_month`, called exactly as the rules
(:func:`kosi_sim.ruleset.fast_path_of`) and tested equal to them
(``tests/test_rules_demography.py``)."""

from __future__ import annotations

import numpy as np

from ..jit import parallel_kernel, prange
from ..rng import uniform
from ..ruleset import fast_path_of
from ..select import nonzero
from . import rules
from .rates import N_MONTHS


@fast_path_of(rules.events)
def events(a) -> tuple:
    return _below_rates(
        a.events_key, a.births_key, a.uid, a.alive, a.sex, a.age_m, a.event_rate, a.birth_rate
    )


@fast_path_of(rules.age_one_month)
def age_one_month(a) -> np.ndarray:
    return _age_one_month(a.age_m, a.alive, a.months)


@parallel_kernel
def _below_rates(key_a, key_b, uid, alive, sex, age_m, table_a, table_b):
    """Rows of the living whose draw of keyed stream ``key_a`` is below their (sex, age
    in months) rate in ``table_a``, with those draws, and the rows whose draw of
    ``key_b`` is below their rate in ``table_b``.

    Branch-free, with uint8 marks: everyone draws, the dead's marks are masked out."""
    below_a = np.empty(len(uid), dtype=np.uint8)
    below_b = np.empty(len(uid), dtype=np.uint8)
    for r in prange(len(uid)):
        k = sex[r] * N_MONTHS + min(age_m[r], N_MONTHS - 1)
        living = np.uint8(alive[r])
        below_a[r] = living & np.uint8(uniform(key_a, uid[r]) < table_a[k])
        below_b[r] = living & np.uint8(uniform(key_b, uid[r]) < table_b[k])
    rows_a = nonzero(below_a)
    u_a = np.empty(len(rows_a), dtype=np.float32)
    for i in range(len(rows_a)):  # the few below: their draws again, for what happens
        u_a[i] = uniform(key_a, uid[rows_a[i]])
    return rows_a, u_a, nonzero(below_b)


@parallel_kernel
def _age_one_month(age_m, alive, months):
    """Add a month to the age of the living (in place); returns the living rows whose age is
    now ``months`` (as ``np.flatnonzero(alive & (age_m == months))``: a citizen who died at
    that age keeps it and must not turn it again every month)."""
    turning = np.empty(len(age_m), dtype=np.uint8)
    for r in prange(len(age_m)):
        living = np.int16(alive[r])
        a = age_m[r] + living
        age_m[r] = a
        turning[r] = (a == months) & (living == 1)
    return nonzero(turning)
