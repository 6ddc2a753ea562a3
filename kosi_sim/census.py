"""The monthly census: one cross-tabulation of the population, computed once per month.

Every citizen gets one integer cell code (district x age band x engagement/hours x
willing x trusting x Verein member x employed); one compiled pass (blocks of rows on all
cores) counts the codes and gives the counts from which all population metrics, service
needs, households and purchasing power are summed, instead of dozens of passes over the
population.
"""

from __future__ import annotations

import numpy as np

from .jit import kernel, parallel_kernel, prange

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
        counts = _tabulate(
            pop.age_m,
            pop.district,
            pop.engaged,
            pop.hours,
            pop.willingness,
            pop.trust,
            pop.association,
            pop.employed,
            np.float32(willing_cutoff),
            _BAND_CELL,
            (n_d + 1) * _CELLS,
        )
        hours, burnout = _engaged_sums(pop.engaged, pop.district, pop.hours, pop.burnout, n_d + 1)
        self.counts = counts.reshape(n_d + 1, *SHAPE)[:n_d]
        self.hours = hours[:n_d]  # summed over the engaged in row order
        self.burnout_engaged = burnout[:n_d]

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


#: the census counts in this many blocks of rows, in parallel, then adds the blocks' counts
#: (integers: the same result for any number of threads)
_BLOCKS = 16


@parallel_kernel
def _tabulate(
    age_m, district, engaged, hours, willingness, trust, association, employed, cutoff,
    band_cell, size,
):  # fmt: skip
    """The cell code of every citizen, counted (one pass, blocks of rows in parallel)."""
    n = len(age_m)
    per_block = (n + _BLOCKS - 1) // _BLOCKS
    block_counts = np.zeros((_BLOCKS, size), dtype=np.int64)
    last = len(band_cell) - 1
    for b in prange(_BLOCKS):
        for r in range(b * per_block, min(n, (b + 1) * per_block)):
            cell = band_cell[min(max(age_m[r], 0), last)]
            if engaged[r]:  # engaged giving up to 2 h, 3-5 h, 6 h or more (rounded)
                rounded = np.rint(hours[r])
                cell += 1 + (rounded >= 3) + (rounded >= 6)
            cell = cell * 2 + (willingness[r] >= cutoff)
            cell = cell * 2 + (trust[r] >= np.float32(0.5))
            cell = cell * 2 + (association[r] >= 0)
            cell = cell * 2 + employed[r]
            block_counts[b, district[r] * _CELLS + cell] += 1
    return block_counts.sum(axis=0)


@kernel
def _engaged_sums(engaged, district, hours, burnout, n):
    """Hours and burnout of the engaged per district, summed in double precision in row
    order (as ``np.bincount`` with weights does).  The running sums of the current
    district stay in registers while the rows stay in it (rows come grouped by district):
    the same additions in the same order, without a store and reload per row."""
    hours_sum = np.zeros(n)
    burnout_sum = np.zeros(n)
    cur = 0
    h_acc = 0.0
    b_acc = 0.0
    for r in range(len(engaged)):
        if engaged[r]:
            d = district[r]
            if d != cur:
                hours_sum[cur] = h_acc
                burnout_sum[cur] = b_acc
                cur = d
                h_acc = hours_sum[d]
                b_acc = burnout_sum[d]
            h_acc += np.float64(hours[r])
            b_acc += np.float64(burnout[r])
    hours_sum[cur] = h_acc
    burnout_sum[cur] = b_acc
    return hours_sum, burnout_sum


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
