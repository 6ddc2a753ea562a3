"""The monthly census: one cross-tabulation of the population, computed once per month.

Every citizen gets one integer cell code (district x age band x engagement/hours x
willing x trusting x Verein member x employed); one ``np.bincount`` over the codes gives
the counts from which all population metrics, service needs, households and purchasing
power are summed, instead of dozens of passes over the population.
"""

from __future__ import annotations

import numpy as np

#: age bands (years): 0-13, 14-17, 18-29, 30-49, 50-64, 65-79, 80+
BAND_EDGES = (14, 18, 30, 50, 65, 80)
N_BANDS = len(BAND_EDGES) + 1
MAX_AGE_MONTHS = 111 * 12 + 11
#: engagement state: 0 not engaged; engaged giving 1: up to 2 h, 2: 3-5 h, 3: 6 h or more
N_ENG = 4
SHAPE = (N_BANDS, N_ENG, 2, 2, 2, 2)  # band, eng, willing, trusting, member, employed


def band_lookup() -> np.ndarray:
    """Age band by age in completed months (a lookup table, faster than searchsorted)."""
    years = np.arange(MAX_AGE_MONTHS + 1) // 12
    return np.searchsorted(np.array(BAND_EDGES), years, side="right").astype(np.int8)


BAND_OF_MONTH = band_lookup()
_CELLS = int(np.prod(SHAPE))  # cells per district
_BAND_CELL = BAND_OF_MONTH.astype(np.int16) * N_ENG  # band x N_ENG, by age in months


class Census:
    """Counts per (district incl. the 'outside' bin, *SHAPE) plus a few weighted sums."""

    def __init__(self, pop, willing_cutoff: float) -> None:
        n_d = pop.n_districts
        # the cell within a district, built in place in 16 bits: band, eng, then the flags
        cell = np.take(_BAND_CELL, pop.age_m, mode="clip")
        engaged = np.flatnonzero(pop.engaged)  # only they have hours (and an eng state)
        hours = pop.hours[engaged]
        rounded = np.rint(hours)
        cell[engaged] += 1 + (rounded >= 3).view(np.int8) + (rounded >= 6).view(np.int8)
        for flag in (
            pop.willingness >= willing_cutoff,
            pop.trust >= 0.5,
            pop.association >= 0,
            pop.employed,
        ):
            cell *= 2
            cell += flag
        # one code per citizen, in 16 bits while the city has few districts
        size = (n_d + 1) * _CELLS
        code = pop.district.astype(np.int16 if size <= 2**15 else np.intp)
        code *= _CELLS
        code += cell
        self.counts = np.bincount(code, minlength=size).reshape(n_d + 1, *SHAPE)[:n_d]
        # sums over the engaged only, in row order (the others add exact zeros)
        district = pop.district[engaged].astype(np.intp)
        self.hours = np.bincount(district, weights=hours, minlength=n_d + 1)[:n_d]
        burn = pop.burnout[engaged]
        self.burnout_engaged = np.bincount(district, weights=burn, minlength=n_d + 1)[:n_d]

    def count(
        self,
        band=slice(None),
        eng=slice(None),
        willing=slice(None),
        trusting=slice(None),
        member=slice(None),
        employed=slice(None),
    ) -> np.ndarray:
        """Citizens per district in the selected cells (indices, slices or lists)."""
        sel = _take(self.counts, 1, band)
        sel = _take(sel, 2, eng)
        sel = _take(sel, 3, willing)
        sel = _take(sel, 4, trusting)
        sel = _take(sel, 5, member)
        sel = _take(sel, 6, employed)
        return sel.reshape(sel.shape[0], -1).sum(axis=1)


def _take(arr: np.ndarray, axis: int, index) -> np.ndarray:
    if isinstance(index, slice):
        return arr[(slice(None),) * axis + (index,)]
    idx = np.atleast_1d(np.asarray(index))
    return np.take(arr, idx, axis=axis)


# age bands by name, for readability at the call sites
CHILDREN = [0, 1]  # 0-17
AGE_14PLUS = [1, 2, 3, 4, 5, 6]
ADULTS_18_64 = [2, 3, 4]
AGE_65PLUS = [5, 6]
AGE_65_79 = [5]
AGE_80PLUS = [6]
ENGAGED = [1, 2, 3]
