"""A recompute is split by size, so that more worker processes than a fixed few can share it."""

import pytest

from competitions.results.services import chunk_size


@pytest.mark.parametrize(
    ("entries", "size"),
    [
        (0, 5000),  # nothing: one chunk at most, of the minimum size
        (600, 5000),  # one contest-trade: one chunk
        (80_000, 5000),  # 16 chunks of 5,000
        (100_000, 6250),  # a national recompute: 16 chunks
        (400_000, 25000),  # 16 chunks of the largest size
        (1_000_000, 25000),  # more than 16 chunks, none above the largest size
    ],
)
def test_about_sixteen_chunks_within_the_minimum_and_maximum(entries, size):
    assert chunk_size(entries) == size
