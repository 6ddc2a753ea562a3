"""Named streams: the keys of keyed streams are numpy's SeedSequence keys, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from kosi_sim.rng import KEY_BLOCK, Streams, seed_sequence_keys, stable_hash


def _numpy_key(entropy: list[int]) -> np.uint64:
    return np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 + 5, 2**32, 2**40 + 3, 2**63 - 1])
def test_keys_equal_seed_sequence(seed):
    rng = np.random.default_rng(seed % 1000)
    periods = np.concatenate(([0, 1, 2**32 - 1], rng.integers(0, 2**32, 50))).astype(np.uint64)
    for h in (0, 5, 2**32 - 1, 2**32, stable_hash("demography.events"), 2**64 - 1):
        got = seed_sequence_keys([seed, h], periods)
        expected = [_numpy_key([seed, h, int(p)]) for p in periods]
        assert got.tolist() == [int(k) for k in expected]


def test_stream_keys_follow_the_periods_across_blocks():
    streams = Streams(11)
    keys = [streams.key("engagement.quit") for _ in range(KEY_BLOCK + 3)]
    other = streams.key("demography.events")
    name = stable_hash("engagement.quit")
    assert [int(k) for k in keys] == [int(_numpy_key([11, name, p])) for p in range(len(keys))]
    assert int(other) == int(_numpy_key([11, stable_hash("demography.events"), 0]))
    assert isinstance(keys[0], np.uint64)


def test_periods_beyond_32_bits_are_refused():
    with pytest.raises(ValueError, match="below 2\\*\\*32"):
        seed_sequence_keys([1, 2], np.array([2**32], dtype=np.uint64))
