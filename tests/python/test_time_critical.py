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


# ---- plan_campaign with a deadline in hours (ContinuousIC) -------------------------------------
def _hubs_roster(g, platforms=None):
    return kolsim.Roster(g, [0, 11], fees=[1.0, 1.0], platforms=platforms)


def test_plan_campaign_deadline_hours_changes_the_pick():
    g, rate = _two_hubs()
    model = kolsim.ContinuousIC(g, rate=rate)
    assert model.name == "continuous_ic" and math.isinf(model.horizon)
    assert np.array_equal(model.rate, rate)
    roster = _hubs_roster(g)
    soon = kolsim.plan_campaign(model, roster, max_kols=1, deadline_hours=1 / 6, check_trials=4000, seed=2)
    assert [k["account"] for k in soon.kols] == [11]
    exact = 1 + 5 * (1 - math.exp(-10))  # within 10 minutes, mean delay 1 minute
    assert abs(soon.reach - exact) < 6 * math.sqrt(5 * math.exp(-10) + 1e-6) / math.sqrt(4000) + 1e-3
    assert soon.as_dict()["parameters"]["deadline_hours"] == pytest.approx(1 / 6)
    later = kolsim.plan_campaign(model, roster, max_kols=1, check_trials=2000, seed=2)
    assert [k["account"] for k in later.kols] == [0] and later.reach == 11.0
    r = kolsim.replan_without(model, roster, soon, 11)
    assert r.replacements == [0]


def test_plan_campaign_platform_delays_and_errors():
    g, _ = _two_hubs()
    roster = _hubs_roster(g, platforms=["newsletter", "shorts"])
    rate = kolsim.platform_delay_rates(g, roster, {"newsletter": 10.0, "shorts": 1 / 60})
    assert rate.dtype == np.float64 and len(rate) == g.num_edges
    assert np.allclose(rate, _two_hubs()[1])
    model = kolsim.ContinuousIC(g, rate=rate)
    assert [k["account"] for k in kolsim.plan_campaign(model, roster, max_kols=1, deadline_hours=0.5,
                                                       check_trials=500, seed=1).kols] == [11]
    with pytest.raises(ValueError, match="no roster KOL is on platform 'radio'"):
        kolsim.platform_delay_rates(g, roster, {"radio": 1.0})
    with pytest.raises(ValueError, match="deadline in hours"):
        kolsim.plan_campaign(model, roster, max_kols=1, deadline=3)
    with pytest.raises(ValueError, match="needs a continuous-time model"):
        kolsim.plan_campaign(kolsim.IndependentCascade(g), roster, max_kols=1, deadline_hours=1.0)
    with pytest.raises(ValueError, match="rates"):
        kolsim.ContinuousIC(g, rate=[1.0])
    import pickle
    back = pickle.loads(pickle.dumps(model))
    assert np.array_equal(back.rate, model.rate) and back.graph.num_edges == g.num_edges
