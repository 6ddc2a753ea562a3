"""Array-backed Mesa Agents.

Organisations are Mesa Agents (they appear in ``model.agents``, can be inspected, queried
with AgentSet methods and shown in the app), but their state lives in a struct of arrays
owned by an :class:`AgentTable`, so the monthly rules run as whole-array operations over all
organisations of a kind instead of one Python call per organisation.  Table rows are the
organisations' ids within their kind; they are never reused.

A row's Mesa Agent is made when somebody first looks (``table.agents`` or the model's
``agents``): the rules never read the Agents, and a small city opens and closes thousands
of businesses in a run whose Agents nobody would see.  Which organisations are Agents is
the same as if each had been made at once; only Mesa's ``unique_id`` numbering follows the
order of looking.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import mesa
import numpy as np

from ..select import nonzero_grouped


class TableAgent(mesa.Agent):
    """A Mesa Agent whose state is one row of its kind's table."""

    table_attr: ClassVar[str] = ""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def table(self) -> AgentTable:
        return getattr(self.model, self.table_attr)

    def state(self) -> dict[str, Any]:
        """This agent's attributes as plain Python values."""
        return self.table.record(self.row)


class AgentTable:
    """Struct of arrays for one kind of organisation; rows are stable ids."""

    columns: ClassVar[dict[str, tuple[Any, Any]]] = {}  # name -> (dtype, default)
    agent_cls: ClassVar[type[TableAgent]] = TableAgent

    def __init__(self, capacity: int = 64) -> None:
        self.n = 0
        self._cap = max(8, capacity)
        self._buf = {c: np.full(self._cap, d, dtype=t) for c, (t, d) in self.columns.items()}
        self._buf["alive"] = np.zeros(self._cap, dtype=bool)
        self._agents: list[TableAgent | None] = []
        #: rows whose Mesa Agent is due (made when somebody looks: :attr:`agents`)
        self._due: dict[int, mesa.Model] = {}
        self._derived: dict[tuple, Any] = {}  # see :meth:`derived`
        self._bind()

    def _bind(self) -> None:
        for c, arr in self._buf.items():
            setattr(self, c, arr[: self.n])

    def add(
        self, model: mesa.Model | None, count: int, *, agents: bool = True, **values: Any
    ) -> np.ndarray:
        """Append ``count`` rows; with a ``model`` and ``agents`` each row is also a Mesa
        Agent at once, otherwise it gets one later through :meth:`make_agents`."""
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown {type(self).__name__} columns: {sorted(unknown)}")
        start, end = self.n, self.n + count
        if end > self._cap:
            cap = max(end, int(self._cap * 1.5))
            for c, arr in self._buf.items():
                default = self.columns[c][1] if c in self.columns else False
                new = np.full(cap, default, dtype=arr.dtype)
                new[: self.n] = arr[: self.n]
                self._buf[c] = new
            self._cap = cap
        for c, v in values.items():
            self._buf[c][start:end] = v
        self._buf["alive"][start:end] = True
        self.n = end
        self._derived.clear()
        self._bind()
        self._agents.extend([None] * count)
        if model is not None and agents:
            self._due.update(dict.fromkeys(range(start, end), model))
        return np.arange(start, end)

    def make_agents(self, model: mesa.Model, rows: np.ndarray) -> None:
        """Give the live ``rows`` that have none their Mesa Agent (made when somebody
        looks)."""
        for r in np.asarray(rows, dtype=np.int64).tolist():
            if self.alive[r] and self._agents[r] is None:
                self._due[r] = model

    @property
    def agents(self) -> list[TableAgent | None]:
        """Each row's Mesa Agent (None for a closed organisation or an initiative before
        its proposal); the due ones are made now, in row order."""
        if self._due:
            for r in sorted(self._due):
                self._agents[r] = self.agent_cls(self._due[r], r)
            self._due.clear()
        return self._agents

    def remove(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        rows = rows[self.alive[rows]]
        if len(rows) == 0:  # nothing changes: the derived values stay valid
            return
        self.alive[rows] = False
        self._derived.clear()
        for r in rows.tolist():
            if self._due.pop(r, None) is not None:
                continue  # its Agent was never made
            agent = self._agents[r]
            if agent is not None:
                agent.remove()
                self._agents[r] = None

    @property
    def live(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def derived(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept under ``key`` until rows are added or removed (for values
        that depend only on which rows live and on columns written when a row is added,
        such as districts).  The result is shared and read-only."""
        value = self._derived.get(key)
        if value is None:
            value = self._derived[key] = compute()
            for arr in value if isinstance(value, tuple) else (value,):
                if isinstance(arr, np.ndarray):
                    arr.flags.writeable = False  # shared: a write would corrupt the cache
        return value

    def grouped_by(self, column: str, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
        """The live rows grouped by ``column`` (small non-negative ints, written only when
        a row is added), in row order within a group, and the bounds: group ``g`` is
        ``rows[bounds[g]:bounds[g+1]]``."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            # one counting pass (a stable argsort of the groups took three times as long)
            rows, counts = nonzero_grouped(self.alive, getattr(self, column), n_groups)
            return rows, np.concatenate(([0], np.cumsum(counts)))

        return self.derived(("grouped_by", column, n_groups), compute)

    def count(self) -> int:
        return int(np.count_nonzero(self.alive))

    def record(self, row: int) -> dict[str, Any]:
        return {c: getattr(self, c)[row].item() for c in self._buf}


def leader_is_member(
    pop,
    leaders: np.ndarray,
    membership: np.ndarray,
    rows: np.ndarray,
    leader_rows: np.ndarray | None = None,
) -> np.ndarray:
    """Whether the leader (uid, of ``leaders``) of each organisation ``rows`` is still a
    living member of it: ``membership`` is the citizens' column naming their organisation
    of this kind (``pop.association`` or ``pop.initiative``); ``leader_rows``, the
    leaders' population rows, if known."""
    if leader_rows is None:
        leader_rows = pop.rows_of(leaders)
    ok = leader_rows >= 0
    ok[ok] = membership[leader_rows[ok]] == rows[ok]
    return ok
