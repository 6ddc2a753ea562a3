"""Funds (ODD 7.5): dues per member in, fixed costs out, never below zero; what exceeds
``reserve_months`` of the Verein's dues is spent on its own activities (not modelled
further), so its funds, and the fifth it gives an initiative partner, have a steady state
instead of growing for ever."""

from __future__ import annotations

import numpy as np


def step(table, live: np.ndarray) -> None:
    """The month's dues and costs of the live Vereine ``live`` of ``table``."""
    p = table.p
    dues = p.dues_per_member * table.members[live]
    table.funds[live] = np.clip(
        table.funds[live] + dues - p.association_fixed_costs, 0.0, p.reserve_months * dues
    )


def donate(table, rows: np.ndarray, share: float) -> np.ndarray:
    """Verein ``rows`` of ``table`` give ``share`` of their funds to partners; returns the
    amounts.

    A Verein listed several times gives one partner after the other, in the order
    given, each ``share`` of what is left, so what it loses is what the partners get."""
    rows = np.asarray(rows)
    if len(rows) == 0:  # most months no partner is found: skip the bookkeeping below
        return np.empty(0, dtype=np.float32)
    earlier, times = table.impl.gift_order(rows=rows, n=table.n)
    keep = 1.0 - share
    gift = table.funds[rows] * share * keep**earlier
    givers = np.flatnonzero(times)  # ascending, as np.unique(rows)
    table.funds[givers] *= keep ** times[givers]
    return gift.astype(np.float32)
