# SPDX-License-Identifier: MIT
"""kolsim.time_critical_imm: selection maximising reach within a deadline under the
continuous-time IC (RR sets by reverse Dijkstra within the horizon)."""
import math

import numpy as np
import pytest

import kolsim
import kolsim.cascades as kc


def _two_hubs():
    # Account 0: 10 slow followers (mean delay 10 h); account 11: 5 fast ones (mean 1 min).
    src = [0] * 10 + [11] * 5
    dst = list(range(1, 11)) + list(range(12, 17))
    rate = [1 / 36000] * 10 + [1 / 60] * 5
    return kolsim.from_edges(src, dst, probabilities=[1.0] * 15), rate


def test_deadline_changes_the_choice_and_spread_matches_simulation():
    g, rate = _two_hubs()
    fast = kolsim.time_critical_imm(g, 600.0, 1, rate=rate, epsilon=0.2, seed=3)
    assert fast.seeds.tolist() == [11]
    assert fast.extra["horizon"] == 600.0
    # Closed form: 1 + 5 (1 - e^{-10}) within 10 minutes.
    assert abs(fast.spread - (1 + 5 * (1 - math.exp(-10)))) < 0.5
    mc = kc.continuous_reach(g, [11], [600.0], rate=rate, trials=4000, seed=1)
    assert abs(fast.spread - mc["mean"][0]) < 0.5
    slow = kolsim.time_critical_imm(g, math.inf, 1, rate=rate, epsilon=0.2, seed=3)
    assert slow.seeds.tolist() == [0]
    opim = kolsim.time_critical_imm(g, 600.0, 1, rate=rate, method="opim-c", epsilon=0.2, seed=3)
    assert opim.seeds.tolist() == [11]
    # Empirical delays: all 30 s, so everything is reached by 60 s and nothing by 10 s.
    emp = kolsim.time_critical_imm(g, 60.0, 1, delay_samples=[30.0], epsilon=0.2, seed=3)
    assert emp.seeds.tolist() == [0]


def test_thread_invariance_and_errors():
    g = kolsim.erdos_renyi(300, 1800, seed=5)
    g = kolsim.constant_probability(g, 0.1)
    a = kolsim.time_critical_imm(g, 1800.0, 4, default_rate=1 / 900, epsilon=0.3, seed=7, threads=1)
    b = kolsim.time_critical_imm(g, 1800.0, 4, default_rate=1 / 900, epsilon=0.3, seed=7, threads=2)
    assert np.array_equal(a.seeds, b.seeds) and a.spread == b.spread
    with pytest.raises(ValueError):
        kolsim.time_critical_imm(g, -1.0, 2)
    with pytest.raises(ValueError):
        kolsim.time_critical_imm(g, 10.0, 2, rate=[1.0])
    with pytest.raises(ValueError):
        kolsim.time_critical_imm(g, 10.0, 2, method="celf")
