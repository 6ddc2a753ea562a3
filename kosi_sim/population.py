"""Citizens as a struct of arrays.

One numpy array per attribute, one row per citizen.  Every citizen has a stable ``uid``
that is never reused; rows are an implementation detail.  Removed citizens (deaths,
emigrants) stay as dead rows (``alive`` False, parked in the "outside" district
``n_districts``) until :meth:`Population.compact` drops them.  Rows are grouped by district:
the initial population is built district by district, newcomers are appended, and
compaction groups the rows by district again (keeping their order within a district), so
the compiled passes that sum or select by district keep their running district in
registers and a district's citizens share nearby memory.  A table from uid to row (-1 once
the row is dropped) makes :meth:`rows_of` one lookup per uid.

Keeping dead rows parked in an extra district bin lets every per-district aggregate be a
plain ``np.bincount(district, minlength=n_districts + 1)[:-1]`` with no masks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .jit import as_bytes, kernel, parallel_kernel, prange
from .select import nonzero_grouped

# name -> (dtype, value for new rows when not given, value written when a citizen leaves)
COLUMNS: dict[str, tuple[np.dtype, Any, Any]] = {
    "uid": (np.dtype(np.int64), None, None),
    "alive": (np.dtype(bool), True, False),
    "age_m": (np.dtype(np.int16), 0, None),  # age in completed months
    "sex": (np.dtype(np.int8), 0, None),  # 0 male, 1 female
    "district": (np.dtype(np.int16), 0, None),  # set to n_districts when removed
    "employed": (np.dtype(bool), False, False),
    "employment_u": (np.dtype(np.float32), 0.5, None),  # persistent draw: employed if below rate
    "time_budget": (np.dtype(np.float32), 0.0, 0.0),  # hours/week available for volunteering
    "time_factor": (np.dtype(np.float32), 1.0, None),  # personal multiplier of the budget
    "motivation": (np.dtype(np.float32), 0.5, None),  # intrinsic motivation, 0..1
    "threshold": (np.dtype(np.float32), 0.3, None),  # joining threshold, share of contacts
    "coop": (np.dtype(np.int8), 0, None),  # cooperation type, see COOP_*
    "trust": (np.dtype(np.float32), 0.5, None),  # trust in the administration, 0..1
    "trust_anchor": (np.dtype(np.float32), 0.5, None),  # disposition trust reverts to
    "burnout": (np.dtype(np.float32), 0.0, 0.0),  # 0..1
    "willingness": (np.dtype(np.float32), 0.0, 0.0),  # 0..1
    "engaged": (np.dtype(bool), False, False),
    "hours": (np.dtype(np.float32), 0.0, 0.0),  # volunteer hours per week
    "association": (np.dtype(np.int32), -1, -1),  # association id or -1
    "initiative": (np.dtype(np.int32), -1, -1),  # initiative id or -1
    "leads": (np.dtype(bool), False, False),  # leads an association or an initiative
    "trained": (np.dtype(bool), False, None),  # took part in capacity building
    "grant_exposure": (np.dtype(np.float32), 0.0, 0.0),  # recent contact with paid incentives
}

COOP_CONDITIONAL, COOP_FREE_RIDER, COOP_ALTRUIST = 0, 1, 2
COOP_NAMES = ("conditional cooperator", "free rider", "altruist")


class Population:
    """Struct-of-arrays store of citizens with geometric growth and stable uids."""

    def __init__(self, n_districts: int, n_contacts: int, capacity: int = 1024) -> None:
        self.n_districts = n_districts
        self.outside = n_districts  # the district bin of removed citizens
        self.k = n_contacts
        self.n = 0
        self.next_uid = 0
        self._cap = max(16, capacity)
        self._buf = {c: np.zeros(self._cap, dtype=dt) for c, (dt, _, _) in COLUMNS.items()}
        self._contacts = np.zeros((self._cap, self.k), dtype=np.int32)
        self._row_of_uid = np.full(self._cap, -1, dtype=np.int32)  # by uid; -1: dropped
        self._bind()

    # -- storage -------------------------------------------------------------------------
    def _bind(self) -> None:
        for c in COLUMNS:
            setattr(self, c, self._buf[c][: self.n])
        self.contacts = self._contacts[: self.n]

    def _grow(self, needed: int) -> None:
        if needed <= self._cap:
            return
        cap = max(needed, int(self._cap * 1.5))
        for c, arr in self._buf.items():
            new = np.zeros(cap, dtype=arr.dtype)
            new[: self.n] = arr[: self.n]
            self._buf[c] = new
        contacts = np.zeros((cap, self.k), dtype=np.int32)
        contacts[: self.n] = self._contacts[: self.n]
        self._contacts = contacts
        self._cap = cap

    def add(self, count: int, contacts: np.ndarray | None = None, **values: Any) -> np.ndarray:
        """Append ``count`` citizens; return their rows.  Unknown columns are an error."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown citizen attributes: {sorted(unknown)}")
        start = self.n
        self._grow(start + count)
        sl = slice(start, start + count)
        for c, (_, default, _) in COLUMNS.items():
            if c == "uid":
                self._buf[c][sl] = np.arange(self.next_uid, self.next_uid + count)
            elif c in values:
                self._buf[c][sl] = values[c]
            else:
                self._buf[c][sl] = default
        self._contacts[sl] = 0 if contacts is None else contacts
        if self.next_uid + count > len(self._row_of_uid):
            size = max(self.next_uid + count, len(self._row_of_uid) * 3 // 2)
            table = np.full(size, -1, dtype=np.int32)
            table[: self.next_uid] = self._row_of_uid[: self.next_uid]
            self._row_of_uid = table
        self._row_of_uid[self.next_uid : self.next_uid + count] = np.arange(start, start + count)
        self.next_uid += count
        self.n += count
        self._bind()
        return np.arange(start, start + count)

    def remove(self, rows: np.ndarray) -> None:
        """Mark citizens as gone (death or emigration); their uids are never reused."""
        for c, (_, _, gone) in COLUMNS.items():
            if gone is not None:
                self._buf[c][rows] = gone
        self._buf["district"][rows] = self.outside

    def compact(self) -> np.ndarray:
        """Drop dead rows and group the living by district (in row order within a
        district).  Returns ``remap`` with the new row of each old row (-1 if gone).

        Contacts pointing to removed rows become -1; the caller repairs them.
        """
        keep, _ = nonzero_grouped(as_bytes(self.alive), self.district, self.n_districts)
        remap = np.full(self.n, -1, dtype=np.int32)
        n_new = len(keep)
        _number(keep, remap)  # remap[keep] = 0, 1, 2, ...
        scatter(self._row_of_uid, self.uid, remap)  # before the uids move
        for c in COLUMNS:  # gathered into fresh buffers (on all cores), which replace the old
            new = np.empty_like(self._buf[c])
            _gather(_as_uint(self._buf[c][: self.n]), keep, _as_uint(new[:n_new]))
            self._buf[c] = new
        contacts = np.empty_like(self._contacts)
        _gather_contacts(self._contacts[: self.n], keep, remap, contacts[:n_new])
        self._contacts = contacts
        self.n = n_new
        self._bind()
        return remap

    # -- queries -------------------------------------------------------------------------
    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    @property
    def dead_rows(self) -> int:
        return self.n - self.n_alive

    # -- doors for lab instruments (they change citizens only through these) ----------
    def train(self, rows: np.ndarray, burnout_relief: float) -> None:
        """Citizens ``rows`` took part in capacity building: they are ``trained`` and their
        burnout falls by the share ``burnout_relief`` (0..1)."""
        if not 0.0 <= burnout_relief <= 1.0:
            raise ValueError(f"burnout_relief must be from 0 to 1, got {burnout_relief}")
        self.trained[rows] = True
        self.burnout[rows] *= np.float32(1.0 - burnout_relief)

    def expose_to_grants(self, rows: np.ndarray, level: float) -> None:
        """Citizens ``rows`` meet paid incentives: their ``grant_exposure`` rises to at
        least ``level`` (0..1); it fades in the engagement rules (ODD 7.4)."""
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"grant exposure must be from 0 to 1, got {level}")
        self.grant_exposure[rows] = np.maximum(self.grant_exposure[rows], np.float32(level))

    def rows_of(self, uids: np.ndarray | int) -> np.ndarray:
        """Rows of the given uids; -1 for uids no longer stored or no longer alive."""
        uids = np.atleast_1d(np.asarray(uids, dtype=np.int64))
        return _rows_of(uids, self._row_of_uid[: self.next_uid], as_bytes(self.alive))

    def age_years(self) -> np.ndarray:
        return self.age_m // 12

    def inspect(self, uid: int) -> dict[str, Any]:
        """All attributes of one citizen, by uid (KeyError if not alive)."""
        row = int(self.rows_of(uid)[0])
        if row < 0:
            raise KeyError(f"no living citizen with uid {uid}")
        out = {c: getattr(self, c)[row].item() for c in COLUMNS}
        out["age_years"] = out["age_m"] / 12
        out["cooperation_type"] = COOP_NAMES[out["coop"]]
        out["contacts"] = self.uid[self.contacts[row][self.contacts[row] >= 0]].tolist()
        return out

    def per_district(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``weights`` (or a count) per district, dead rows excluded."""
        return np.bincount(self.district, weights=weights, minlength=self.n_districts + 1)[
            : self.n_districts
        ]


@kernel
def _rows_of(uids, row_of_uid, alive):
    """The row of each uid if it is alive, else -1 (also for uids out of range)."""
    out = np.full(len(uids), -1, dtype=np.int64)
    for i in range(len(uids)):
        u = uids[i]
        if 0 <= u < len(row_of_uid):
            r = row_of_uid[u]
            if r >= 0 and alive[r]:
                out[i] = r
    return out


def _as_uint(column: np.ndarray) -> np.ndarray:
    """A column's bytes as unsigned integers of its item size: a gather copies bits, so four
    compiled versions of :func:`_gather` serve every column type (each compiled version
    costs a fresh process time to load from the cache)."""
    return column.view(f"u{column.dtype.itemsize}")


@parallel_kernel
def _number(rows, out):
    """``out[rows[i]] = i`` for distinct ``rows``, on all cores."""
    for i in prange(len(rows)):
        out[rows[i]] = i


@parallel_kernel
def scatter(target, rows, values):
    """``target[rows] = values`` for distinct ``rows``, on all cores."""
    for i in prange(len(rows)):
        target[rows[i]] = values[i]


@parallel_kernel
def _gather(values, rows, out):
    """``out[i] = values[rows[i]]`` (``np.take``), on all cores."""
    for i in prange(len(rows)):
        out[i] = values[rows[i]]


@parallel_kernel
def _gather_contacts(contacts, rows, remap, out):
    """The contacts of ``rows``, renumbered by ``remap`` (as ``np.take(remap, ...)``: a
    contact -1 reads the last entry), on all cores."""
    for i in prange(len(rows)):
        r = rows[i]
        for j in range(contacts.shape[1]):
            out[i, j] = remap[contacts[r, j]]
