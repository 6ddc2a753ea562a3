"""A schematic map of a scenario's districts: areas on a raster, no geodata needed.

Scenario files give districts a population and a remoteness, not a shape.  The map
places the first (most central) district in the middle and the others on widening rings
in their order, pushed outwards by their remoteness, and grows each district's area
towards its share of the population (remote districts count double: they are sparser).
The result is a power diagram on a raster (each cell goes to the seed with the smallest
``distance**2 - weight``), adjusted in a few rounds until the areas fit.  It is a
schematic map, stated as such in the app, and it is the same for the same districts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


@dataclass(frozen=True)
class DistrictMap:
    """The raster of district labels (-1 outside the city) and where to write names."""

    labels: np.ndarray  # (size, size) int16
    centres: np.ndarray  # (n, 2) label positions in raster coordinates (x, y)
    size: int

    @cached_property
    def borders(self) -> np.ndarray:
        """Cells on a border between two districts (or the city edge); computed once."""
        lab = self.labels
        edge = np.zeros(lab.shape, dtype=bool)
        edge[:, 1:] |= lab[:, 1:] != lab[:, :-1]
        edge[1:, :] |= lab[1:, :] != lab[:-1, :]
        return edge & (lab >= 0)

    def cells(self, district: int) -> np.ndarray:
        """Flat raster indices of a district's cells."""
        return np.flatnonzero(self.labels.ravel() == district)

    def area_shares(self) -> np.ndarray:
        n = len(self.centres)
        counts = np.bincount(self.labels[self.labels >= 0].ravel(), minlength=n)
        return counts / counts.sum()

    def points(self, district: np.ndarray, key: np.ndarray) -> np.ndarray:
        """A stable position inside ``district[i]`` for each item with integer ``key[i]``.

        The same key lands on the same spot every frame, so markers do not jump.
        """
        out = np.empty((len(district), 2))
        cells = {d: self.cells(int(d)) for d in np.unique(district)}
        for i, (d, k) in enumerate(zip(district, key, strict=True)):
            c = cells[int(d)]
            if len(c) == 0:
                out[i] = self.centres[int(d)]
                continue
            flat = c[(int(k) * 2654435761) % len(c)]
            out[i] = (flat % self.size, flat // self.size)
        return out


def seeds(remoteness: np.ndarray) -> np.ndarray:
    """Seed positions in the unit disc: the first district central, others on rings."""
    n = len(remoteness)
    pos = np.zeros((n, 2))
    for i in range(1, n):
        r = 0.35 + 0.4 * np.sqrt(i / n) + 0.25 * float(remoteness[i])
        a = i * GOLDEN_ANGLE
        pos[i] = (r * np.cos(a), r * np.sin(a))
    if n > 1 and remoteness[0] > 0:
        pos[0] = (0.2 * remoteness[0], 0.0)
    return np.clip(pos, -0.95, 0.95)


def build(population: np.ndarray, remoteness: np.ndarray, size: int = 160) -> DistrictMap:
    """The schematic map for districts with these populations and remoteness values."""
    population = np.asarray(population, dtype=float)
    remoteness = np.asarray(remoteness, dtype=float)
    n = len(population)
    target = population * (1.0 + remoteness)
    target = target / target.sum()
    xy = (np.arange(size) + 0.5) / size * 2.0 - 1.0
    gx, gy = np.meshgrid(xy, xy)
    inside = gx**2 + gy**2 <= 1.0
    p = seeds(remoteness)
    d2 = (gx[..., None] - p[:, 0]) ** 2 + (gy[..., None] - p[:, 1]) ** 2  # (size, size, n)
    weight = np.zeros(n)
    labels = np.full((size, size), -1, dtype=np.int16)
    for _ in range(60):
        lab = np.argmin(d2 - weight, axis=2)
        share = np.bincount(lab[inside], minlength=n) / inside.sum()
        if np.max(np.abs(share - target)) < 0.01:
            break
        weight += 0.5 * (target - share)
    labels[inside] = lab[inside]
    centres = np.zeros((n, 2))
    rows, cols = np.indices(labels.shape)
    for d in range(n):
        m = labels == d
        if m.any():
            centres[d] = (cols[m].mean(), rows[m].mean())
        else:
            centres[d] = ((p[d, 0] + 1) / 2 * size, (p[d, 1] + 1) / 2 * size)
    return DistrictMap(labels=labels, centres=centres, size=size)
