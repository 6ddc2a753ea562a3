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
        self._keys: dict[tuple[str, int], np.ndarray] = {}  # keys by (name, block)

    def __call__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence([self.seed, stable_hash(name)])
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen

    def key(self, name: str) -> np.uint64:
        """The key of the next period (one call per month) of the keyed stream ``name``:
        every citizen draws from :func:`uniform` with this key and her uid; it is
        ``SeedSequence([seed, stable_hash(name), period]).generate_state(1, np.uint64)[0]``,
        computed for :data:`KEY_BLOCK` periods at a time (:func:`seed_sequence_keys`)."""
        period = self._periods.get(name, 0)
        self._periods[name] = period + 1
        block = period // KEY_BLOCK
        keys = self._keys.get((name, block))
        if keys is None:
            first = block * KEY_BLOCK
            periods = np.arange(first, first + KEY_BLOCK, dtype=np.uint64)
            keys = self._keys[name, block] = seed_sequence_keys(
                [self.seed, stable_hash(name)], periods
            )
        return keys[period % KEY_BLOCK]


#: periods of a keyed stream whose keys are computed together (a run of 20 years uses 240)
KEY_BLOCK = 256
_M32 = 0xFFFFFFFF
# the constants of numpy's SeedSequence (O'Neill's seed_seq_fe, numpy/random/bit_generator.pyx)
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4


def _words(n: int) -> list[int]:
    """A non-negative int as 32-bit words, least significant first (as SeedSequence)."""
    out = [n & _M32]
    while n > _M32:
        n >>= 32
        out.append(n & _M32)
    return out


def seed_sequence_keys(entropy: list[int], periods: np.ndarray) -> np.ndarray:
    """``SeedSequence([*entropy, p]).generate_state(1, np.uint64)[0]`` for every ``p`` of
    ``periods`` at once (uint64, each below 2**32): numpy's algorithm (a pool of four 32-bit
    words, hashed and mixed) on arrays, since one SeedSequence a month per stream cost more
    than the draws of a small city.  ``tests/test_rng.py`` checks it against numpy."""
    if np.any(periods > _M32):
        raise ValueError("seed_sequence_keys: periods must be below 2**32")
    n = len(periods)
    ent = [np.full(n, w, dtype=np.uint64) for e in entropy for w in _words(int(e))]
    ent.append(periods.astype(np.uint64))
    hash_const = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal hash_const
        value = value ^ np.uint64(hash_const)
        hash_const = (hash_const * _MULT_A) & _M32
        value = (value * np.uint64(hash_const)) & np.uint64(_M32)
        return value ^ (value >> np.uint64(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            r = (np.uint64(_MIX_L) * x - np.uint64(_MIX_R) * y) & np.uint64(_M32)
        return r ^ (r >> np.uint64(16))

    zero = np.zeros(n, dtype=np.uint64)
    pool = [hashmix(ent[i] if i < len(ent) else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(ent)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(ent[src]))
    # generate_state: two 32-bit words from the pool, the first the low half
    state, hash_b = [], _INIT_B
    for i in range(2):
        value = pool[i % _POOL] ^ np.uint64(hash_b)
        hash_b = (hash_b * _MULT_B) & _M32
        value = (value * np.uint64(hash_b)) & np.uint64(_M32)
        state.append(value ^ (value >> np.uint64(16)))
    return state[0] | (state[1] << np.uint64(32))


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
