"""The monthly census: one cross-tabulation of the population, computed once per month.

Every citizen gets one integer cell code (district x age band x engagement/hours x
willing x trusting x Verein member x employed); compiled passes on all cores compute and
count the codes and give the counts from which all population metrics, service needs,
households and purchasing power are summed, instead of dozens of passes over the
population.
"""

from __future__ import annotations

import functools

import numpy as np

from .jit import parallel_kernel, prange, threads

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
        codes = np.empty(len(pop.age_m), dtype=np.int32)
        _cell_codes(
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
            codes,
        )
        counts = _count_codes(codes, (n_d + 1) * _CELLS, threads())
        hours, burnout = _engaged_sums(pop.district, pop.engaged, pop.hours, pop.burnout, n_d)
        self.counts = counts.reshape(n_d + 1, *SHAPE)[:n_d]
        self._flat = self.counts.reshape(n_d, -1)  # a view: districts x cells
        self.hours = hours[:n_d]  # volunteer hours of the engaged
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
        """Citizens per district in the selected cells (indices, slices or lists; each
        cell counted once)."""
        selection = (band, eng, willing, trusting, member, employed)
        try:  # the rules ask the same few selections every month
            mask = _MASK_OF_SELECTION.get(selection)
            hashable = True
        except TypeError:  # a list or an array: normalised below
            mask, hashable = None, False
        if mask is None:
            mask = _cell_mask(tuple(_key(i) for i in selection))
            if hashable and len(_MASK_OF_SELECTION) < _MAX_SELECTIONS:
                _MASK_OF_SELECTION[selection] = mask
        return self._flat.dot(mask)

    def counts_of(self, masks: np.ndarray) -> np.ndarray:
        """Citizens per district in each of several selections at once, as floats:
        ``masks`` from :func:`cell_masks`; column ``j`` is ``count(**selections[j])``
        (whole numbers far below 2**53, so a float product is exact in any order)."""
        return self.counts.reshape(len(self.counts), -1).astype(np.float64) @ masks


def cell_masks(selections) -> np.ndarray:
    """The cell masks of several selections (dicts of :meth:`Census.count`'s keywords) as
    the float columns of one read-only matrix, for :meth:`Census.counts_of`."""
    axes = ("band", "eng", "willing", "trusting", "member", "employed")
    unknown = {k for s in selections for k in s} - set(axes)
    if unknown:
        raise KeyError(f"unknown census axes {sorted(unknown)}; allowed: {list(axes)}")
    masks = np.stack(
        [_cell_mask(tuple(_key(s.get(axis, slice(None))) for axis in axes)) for s in selections],
        axis=1,
    ).astype(np.float64)
    masks.flags.writeable = False
    return masks


def _key(index):
    """A selection along one axis as a hashable key (slices and ints are hashable)."""
    if isinstance(index, (list, tuple, np.ndarray)):
        return ("take", *np.ravel(index).tolist())
    return index


#: cell masks by the selection as :meth:`Census.count` was called (ints, slices, tuples),
#: a cache of :func:`_cell_mask` that skips normalising the selection
_MASK_OF_SELECTION: dict[tuple, np.ndarray] = {}
_MAX_SELECTIONS = 512


@functools.lru_cache(maxsize=_MAX_SELECTIONS)
def _cell_mask(key: tuple) -> np.ndarray:
    """Which cells within a district (``SHAPE`` flattened) a selection (one key per axis)
    counts, as 0/1 (int64): computed once per selection, the metrics ask the same few
    dozen every month."""
    axes = [
        np.arange(size)[np.array(k[1:], dtype=np.int64) if isinstance(k, tuple) else k]
        for k, size in zip(key, SHAPE, strict=True)
    ]
    mask = np.zeros(SHAPE, dtype=np.int64)
    mask[np.ix_(*(np.atleast_1d(a) for a in axes))] = 1
    mask = mask.ravel()
    mask.flags.writeable = False
    return mask


# The census is three passes: every citizen's cell code (no dependence between rows, so
# compiled to vector instructions), the codes counted, and the engaged's hours and burnout
# summed.  In one loop the three ran at less than half the speed: the counting and the
# running sums each chain one row to the next and kept the cell arithmetic from vectorising.


@parallel_kernel
def _cell_codes(
    age_m, district, engaged, hours, willingness, trust, association, employed, cutoff,
    band_cell, out,
):  # fmt: skip
    """Every citizen's cell number, district x ``SHAPE`` flattened (``engaged`` and
    ``employed`` come as uint8: numba turns a bool into a number slowly)."""
    last = len(band_cell) - 1
    for r in prange(len(age_m)):
        e = engaged[r]
        h = hours[r]
        cell = np.int64(band_cell[min(max(age_m[r], 0), last)])
        # engaged giving up to 2 h, 3-5 h, 6 h or more (rounded half to even: 2.5 rounds
        # to 2, 5.5 to 6)
        cell += e * (1 + np.int64(h > np.float32(2.5)) + np.int64(h >= np.float32(5.5)))
        cell = cell * 2 + np.int64(willingness[r] >= cutoff)
        cell = cell * 2 + np.int64(trust[r] >= np.float32(0.5))
        cell = cell * 2 + np.int64(association[r] >= 0)
        cell = cell * 2 + np.int64(employed[r])
        out[r] = np.int32(district[r] * _CELLS + cell)


#: independent tallies per thread, so that a row's count does not wait for the previous
#: row's (mostly the same cell)
_LANES = 4


@parallel_kernel
def _count_codes(codes, n_cells, n_parts):
    """How often each code occurs: ``n_parts`` slices of rows on all cores, each counted
    into ``_LANES`` tallies in turn, then added up (integers: the same for any split)."""
    n = len(codes)
    per_part = (n + n_parts - 1) // n_parts
    tally = np.zeros((n_parts, _LANES, n_cells), dtype=np.int32)
    for p in prange(n_parts):
        r = p * per_part
        end = min(n, r + per_part)
        while r + _LANES <= end:
            for lane in range(_LANES):
                tally[p, lane, codes[r + lane]] += 1
            r += _LANES
        while r < end:
            tally[p, 0, codes[r]] += 1
            r += 1
    counts = np.zeros(n_cells, dtype=np.int64)
    for p in range(n_parts):
        for lane in range(_LANES):
            for c in range(n_cells):
                counts[c] += tally[p, lane, c]
    return counts


#: the sums work through this many fixed blocks of rows, in parallel, then add the blocks'
#: results in block order: the same bits for any number of threads
_BLOCKS = 16


@parallel_kernel
def _engaged_sums(district, engaged, hours, burnout, n_d):
    """The engaged's hours and burnout summed per district (double precision).

    Everyone not engaged adds exact zeros, to the district whose running sums are in
    registers: they switch only where an alive citizen's district changes (rows come
    grouped by district; the dead are parked outside every district)."""
    n = len(district)
    per_block = (n + _BLOCKS - 1) // _BLOCKS
    hours_sum = np.zeros((_BLOCKS, n_d + 1))
    burnout_sum = np.zeros((_BLOCKS, n_d + 1))
    for b in prange(_BLOCKS):
        cur = n_d
        h_acc = 0.0
        b_acc = 0.0
        for r in range(b * per_block, min(n, (b + 1) * per_block)):
            d = district[r]
            if (d != cur) & (d < n_d):
                hours_sum[b, cur] += h_acc
                burnout_sum[b, cur] += b_acc
                cur = d
                h_acc = 0.0
                b_acc = 0.0
            w = np.float64(engaged[r])
            h_acc += np.float64(hours[r]) * w
            b_acc += np.float64(burnout[r]) * w
        hours_sum[b, cur] += h_acc
        burnout_sum[b, cur] += b_acc
    total_h = np.zeros(n_d + 1)
    total_b = np.zeros(n_d + 1)
    for b in range(_BLOCKS):
        total_h += hours_sum[b]
        total_b += burnout_sum[b]
    return total_h, total_b


# age bands by name, for readability at the call sites
# (tuples: a selection of tuples is looked up by :meth:`Census.count` without conversion)
CHILDREN = (0, 1)  # 0-17
AGE_14PLUS = (1, 2, 3, 4, 5, 6)
ADULTS_18_64 = (2, 3, 4)
AGE_65PLUS = (5, 6)
AGE_65_79 = (5,)
AGE_80PLUS = (6,)
ENGAGED = (1, 2, 3)
