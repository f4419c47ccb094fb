# SPDX-License-Identifier: MIT
"""Competitive IC from Python: Monte Carlo against exact enumeration, thread independence, errors."""
import math

import numpy as np
import pytest

import kolsim


@pytest.fixture
def race_graph():
    src = [1, 1, 2, 3, 4, 2]
    dst = [3, 4, 4, 5, 5, 6]
    return kolsim.from_edges(src, dst, [0.6, 0.3, 0.5, 0.7, 0.4, 0.8])


@pytest.mark.parametrize("tie_rule", ["misleading_wins", "corrective_wins", "random"])
def test_estimate_matches_exact(race_graph, test_seed, tie_rule):
    corrective = race_graph.with_probabilities(np.asarray(race_graph.edge_probs) * 0.5)
    model = kolsim.CompetitiveIC(race_graph, corrective, tie_rule=tie_rule)
    exact = kolsim.exact_competition(model, [1], [2])
    trials = 40000
    est = kolsim.estimate_competition(model, [1], [2], trials=trials, seed=test_seed)
    for name in ["misleading", "corrective", "saved", "misleading_alone"]:
        e, x = getattr(est, name), getattr(exact, name)
        assert abs(e.mean - x.mean) <= 6 * math.sqrt(x.variance / trials) + 1e-9, name
    assert est.trials == trials and model.tie_rule == tie_rule


def test_thread_independence_and_trace(race_graph, test_seed):
    model = kolsim.CompetitiveIC(race_graph, correction_delay=1)
    a = kolsim.estimate_competition(model, [1], [2], trials=5000, seed=test_seed, threads=1)
    b = kolsim.estimate_competition(model, [1], [2], trials=5000, seed=test_seed, threads=2)
    assert (a.misleading.mean, a.saved.std_error) == (b.misleading.mean, b.saved.std_error)
    t = kolsim.simulate_competition(model, [1], [2], seed=test_seed)
    assert t.activated[0] == 1 and set(t.campaign.tolist()) <= {1, 2}
    assert t.misleading_reach + t.corrective_reach == len(t.activated)


def test_errors(race_graph):
    other = kolsim.constant_probability(kolsim.erdos_renyi(6, 6, seed=1), 0.5)
    with pytest.raises(ValueError, match="topology"):
        kolsim.CompetitiveIC(race_graph, other)
    with pytest.raises(ValueError, match="tie rule"):
        kolsim.CompetitiveIC(race_graph, tie_rule="whoever")
    model = kolsim.CompetitiveIC(race_graph)
    with pytest.raises(IndexError, match="77"):
        kolsim.estimate_competition(model, [77], [2], trials=10)
    with pytest.raises(ValueError):
        kolsim.estimate_competition(model, [1], [1], trials=10)


@pytest.mark.parametrize("method", ["rr", "celf", "degree", "neighborhood", "imm"])
def test_select_blockers(method, test_seed):
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(1500, 3, seed=2))
    model = kolsim.CompetitiveIC(g, tie_rule="corrective_wins")
    misleading = [int(a) for a in g.accounts[:2]]
    own = {"rr": {"worlds": 300}, "celf": {"trials": 50}}.get(method, {})  # others reject these
    r = kolsim.select_blockers(model, misleading, 3, method=method, evaluation_trials=500, seed=test_seed, **own)
    assert len(r.seeds) == 3 and not set(r.seeds.tolist()) & set(misleading)
    assert r.extra["reach_after"] <= r.extra["reach_before"] + 6 * (r.extra["reach_before_error"] + 1e-9) + 1
    assert r.extra["evaluation_trials"] == 500
    with pytest.raises(ValueError, match="blocking method"):
        kolsim.select_blockers(model, misleading, 3, method="magic")


def _bridge_lt():
    # f=10 (F) -> b=11 (1.0); b -> leaves 20..24 (0.6); decoy hub h=30 -> leaves (0.4) and -> 40..45 (1.0).
    src, dst, w = [10], [11], [1.0]
    for leaf in range(20, 25):
        src += [11, 30]
        dst += [leaf, leaf]
        w += [0.6, 0.4]
    for x in range(40, 46):
        src.append(30)
        dst.append(x)
        w.append(1.0)
    return kolsim.CompetitiveLT(kolsim.from_edges(src, dst, w))


def test_select_blockers_competitive_lt(test_seed):
    model = _bridge_lt()
    celf = kolsim.select_blockers(model, [10], 1, method="celf", trials=300, evaluation_trials=2000, seed=test_seed)
    deg = kolsim.select_blockers(model, [10], 1, method="degree", evaluation_trials=2000, seed=test_seed)
    assert celf.seeds.tolist() == [11] and deg.seeds.tolist() == [30]
    # Exact F reach: 1 with the bridge taken, 2 + 0.36 * 5 = 3.8 with the decoy hub.
    assert kolsim.exact_competition(model, [10], celf.seeds).misleading.mean == pytest.approx(1.0)
    assert kolsim.exact_competition(model, [10], deg.seeds).misleading.mean == pytest.approx(3.8)
    assert celf.reach_after < deg.reach_after - 6 * (celf.reach_after_std_error + deg.reach_after_std_error)
    with pytest.raises(ValueError, match="competitive IC"):
        kolsim.select_blockers(model, [10], 1, method="rr")


def test_select_blockers_reports_progress(test_seed):
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=5))
    seen = []
    kolsim.select_blockers(kolsim.CompetitiveIC(g), [0, 1], 2, worlds=500, evaluation_trials=0, seed=test_seed,
                           progress=lambda phase, done, total: seen.append((phase, done, total)))
    sampling = [s for s in seen if s[0] == "sampling"]
    # The binding passes at most one report per 50 ms per phase to Python (plus phase ends), so a
    # fast call shows the start and the end; the per-block counts are checked in C++
    # (Blocking.RrReportsProgress).
    assert sampling[0][1:] == (0, 500) and sampling[-1][1:] == (500, 500)
    assert all(a[1] <= b[1] for a, b in zip(sampling, sampling[1:]))
    assert seen[-1] == ("seeds", 2, 2)
