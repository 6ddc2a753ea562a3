"""Named random streams derived from one seed (common random numbers).

Every process (mortality, joining, the gate, each intervention, ...) draws from its own
``numpy.random.Generator``, seeded from the run seed and a stable hash of the stream's
name.  Adding a process or an intervention therefore never shifts anybody else's draws,
which is what makes "with lab" and "without lab" runs paired.  ``seed=0`` is a valid seed.

Per-citizen draws come from *keyed* streams: a month's key (:meth:`Streams.key`) and the
citizen's ``uid`` give the citizen's uniform number by a counter-based generator
(:func:`uniform`, the SplitMix64 output function over a Weyl sequence, Steele, Lea &
Flood 2014), so a citizen meets the same number in paired runs wherever her row is, and a
compiled rule draws only for the citizens it looks at, on any number of threads.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .jit import helper


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
        self._periods: dict[str, int] = {}

    def __call__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence([self.seed, stable_hash(name)])
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen

    def key(self, name: str) -> np.uint64:
        """The key of the next period (one call per month) of the keyed stream ``name``:
        every citizen draws from :func:`uniform` with this key and her uid."""
        period = self._periods.get(name, 0)
        self._periods[name] = period + 1
        ss = np.random.SeedSequence([self.seed, stable_hash(name), period])
        return ss.generate_state(1, np.uint64)[0]


_GAMMA = np.uint64(0x9E3779B97F4A7C15)  # the golden-ratio increment of SplitMix64
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S40 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(40)
#: draws per citizen and period: ``counter = uid * DRAWS + j`` for the ``j``-th draw
DRAWS = 4096


@helper
def uniform(key, counter):
    """A float32 uniform on [0, 1) for ``counter`` (a uid, or ``uid * DRAWS + j``) under
    ``key``: the SplitMix64 output function of the Weyl sequence ``key + counter * gamma``;
    24 random bits, as numpy's float32 draws have."""
    z = key + np.uint64(counter) * _GAMMA
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    z = z ^ (z >> _S31)
    return np.float32(z >> _S40) * np.float32(1.0 / 16777216.0)


def uniforms(key: np.uint64, counters: np.ndarray) -> np.ndarray:
    """:func:`uniform` for an array of counters, in numpy (the same bits)."""
    with np.errstate(over="ignore"):
        z = np.uint64(key) + np.asarray(counters).astype(np.uint64) * _GAMMA
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = z ^ (z >> _S31)
    return (z >> _S40).astype(np.float32) * np.float32(1.0 / 16777216.0)
