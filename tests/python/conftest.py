# SPDX-License-Identifier: MIT
"""Shared pytest fixtures: the test seed (printed; override with KOLSIM_TEST_SEED) and small graphs."""
import os

import numpy as np
import pytest

import kolsim


@pytest.fixture
def test_seed() -> int:
    seed = int(os.environ.get("KOLSIM_TEST_SEED", "20261129"))
    print(f"KOLSIM_TEST_SEED={seed}")
    return seed


@pytest.fixture
def tiny_graph() -> kolsim.FollowerGraph:
    """Six accounts with sparse ids, eight edges with distinct probabilities (exact enumeration: 2^8 worlds)."""
    src = np.array([10, 10, 20, 30, 30, 40, 50, 20], dtype=np.uint64)
    dst = np.array([20, 30, 40, 40, 50, 60, 60, 50], dtype=np.uint64)
    p = np.array([0.5, 0.3, 0.4, 0.6, 0.2, 0.7, 0.5, 0.25])
    return kolsim.from_edges(src, dst, p)


@pytest.fixture
def medium_graph() -> kolsim.FollowerGraph:
    return kolsim.weighted_cascade(kolsim.preferential_attachment(3000, 3, seed=5))
