"""Businesses (ODD 7.6): sector, size and premises in a district; open and close with
local demand; partners of initiatives in proportion to their CSR propensity.

:mod:`.component` holds the declared parameters, the table and its monthly step;
:mod:`.rules` the rules over a district's businesses in plain numpy, with their compiled
fast path in :mod:`.kernels` (chosen by the model's ``rules``, :mod:`kosi_sim.ruleset`).
"""

from .component import SECTION, SECTOR_SHARES, SECTORS, Business, Businesses

__all__ = ["SECTION", "SECTORS", "SECTOR_SHARES", "Business", "Businesses"]
