"""Named random streams derived from one seed (common random numbers).

Every process (mortality, joining, the gate, each intervention, ...) draws from its own
``numpy.random.Generator``, seeded from the run seed and a stable hash of the stream's
name.  Adding a process or an intervention therefore never shifts anybody else's draws,
which is what makes "with lab" and "without lab" runs paired.  Per-citizen draws are whole
arrays over the population rows.  ``seed=0`` is a valid seed.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stable_hash(name: str) -> int:
    """A hash of ``name`` that is the same in every process and Python version."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class Streams:
    """Factory and cache of named generators for one run."""

    def __init__(self, seed: int) -> None:
        if seed is None or int(seed) < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence([self.seed, stable_hash(name)])
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen
