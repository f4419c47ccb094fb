# SPDX-License-Identifier: MIT
"""select_seeds and the compiled selectors from Python: every method, guarantees checked by an
independent exact evaluator on a tiny graph, candidates/fixed seeds, determinism, tables."""
import itertools
import math

import numpy as np
import pytest

import kolsim


def brute_force_optimum(model, k):
    accounts = model.graph.accounts.tolist()
    return max(kolsim.exact_spread(model, list(s)).spread for s in itertools.combinations(accounts, k))


@pytest.mark.parametrize("method", ["imm", "opim-c", "greedy", "celf", "celf++"])
def test_guaranteed_methods_against_brute_force(tiny_graph, test_seed, method):
    model = kolsim.IndependentCascade(tiny_graph)
    best = brute_force_optimum(model, 2)
    r = kolsim.select_seeds(model, 2, method=method, epsilon=0.1, seed=test_seed, trials=2000)
    assert len(r.seeds) == 2 and r.seeds.dtype == np.uint64
    assert set(r.seeds.tolist()) <= set(tiny_graph.accounts.tolist())
    got = kolsim.exact_spread(model, r.seeds).spread  # independent evaluator
    assert got >= (1 - 1 / math.e - 0.1) * best
    assert r.method == method and r.seconds >= 0
    if method in ("imm", "opim-c"):
        assert r.rr_sets > 0 and 0 < r.approximation <= 1
    else:
        assert r.trials > 0


@pytest.mark.parametrize("method", kolsim.available_methods())
def test_every_method_runs(medium_graph, method):
    model = kolsim.IndependentCascade(medium_graph)
    r = kolsim.select_seeds(model, 4, method=method, epsilon=0.5, seed=1, trials=20)
    assert len(r.seeds) == 4 and len(set(r.seeds.tolist())) == 4
    assert len(r.marginal_gains) == 4
    assert isinstance(r.phase_seconds, dict)
    t = r.table()
    assert [row["account"] for row in t] == r.seeds.tolist()
    assert "cumulative_gain" in str(t)


def test_linear_threshold_selection(medium_graph, test_seed):
    lt = kolsim.LinearThreshold(medium_graph)
    r = kolsim.select_seeds(lt, 3, method="imm", epsilon=0.3, seed=test_seed)
    assert len(r.seeds) == 3 and r.extra["theta"] > 0


def test_candidates_and_fixed_seeds(medium_graph):
    model = kolsim.IndependentCascade(medium_graph)
    pool = medium_graph.accounts[100:140]
    for method in ["imm", "degree", "celf"]:
        r = kolsim.select_seeds(model, 3, method=method, candidates=pool, fixed_seeds=[pool[0]], epsilon=0.5,
                                trials=20, seed=1)
        assert set(r.seeds.tolist()) <= set(pool.tolist())
        assert int(pool[0]) not in r.seeds.tolist()
    with pytest.raises(ValueError, match="exceeds"):
        kolsim.select_seeds(model, 5, method="degree", candidates=pool[:3])


def test_selection_deterministic_across_threads(medium_graph, test_seed):
    model = kolsim.IndependentCascade(medium_graph)
    for method in ["imm", "opim-c", "celf"]:
        a = kolsim.select_seeds(model, 5, method=method, epsilon=0.3, seed=test_seed, threads=1, trials=50)
        b = kolsim.select_seeds(model, 5, method=method, epsilon=0.3, seed=test_seed, threads=2, trials=50)
        assert a.seeds.tolist() == b.seeds.tolist(), method
        assert a.rr_sets == b.rr_sets and a.spread == b.spread


def test_method_options_and_registry(medium_graph):
    model = kolsim.IndependentCascade(medium_graph)
    r = kolsim.select_seeds(model, 3, method="opim-c", epsilon=0.3, delta=0.01, seed=2)
    assert set(r.extra) >= {"certified_ratio", "lower_bound", "upper_bound", "rounds", "validation_sets"}
    for ratio in (1.0, 3.0):  # |R1| = ceil(ratio * |R2|); R2 certifies, spread is its estimate
        r = kolsim.select_seeds(model, 3, method="opim-c", epsilon=0.3, seed=2, selection_ratio=ratio)
        r2 = r.extra["validation_sets"]
        assert r.rr_sets == r2 + math.ceil(ratio * r2)
    with pytest.raises(ValueError, match="selection_ratio"):
        kolsim.select_seeds(model, 3, method="opim-c", selection_ratio=0.5)
    r = kolsim.select_seeds(model, 3, method="imm", epsilon=0.3, estimation_epsilon=0.5, seed=2)
    assert r.extra["estimation_epsilon"] == 0.5
    auto = kolsim.select_seeds(model, 3, method="imm", epsilon=0.3, seed=2).extra["estimation_epsilon"]
    assert 0 < auto < 1
    with pytest.raises(ValueError, match="estimation_epsilon"):
        kolsim.select_seeds(model, 3, method="imm", estimation_epsilon=1.5)
    r = kolsim.select_seeds(model, 3, method="degree-discount", p=0.05)
    assert len(r.seeds) == 3
    r = kolsim.select_seeds(model, 3, method="pagerank", damping=0.5)
    assert r.method == "pagerank"
    with pytest.raises(TypeError):
        kolsim.select_seeds(model, 3, method="degree", bogus=1)
    kolsim.register_method("first-accounts", lambda m, k, common, opts: kolsim.top_degree(
        m.graph, k, candidates=m.graph.accounts[:k]))
    try:
        r = kolsim.select_seeds(model, 2, method="first-accounts")
        assert sorted(r.seeds.tolist()) == medium_graph.accounts[:2].tolist()
    finally:
        kolsim._METHODS.pop("first-accounts")
    assert "SelectionResult(method='pagerank'" in repr(kolsim.select_seeds(model, 1, method="pagerank"))


def test_scores():
    g = kolsim.from_edges([0, 0, 0, 1], [1, 2, 3, 2])
    pr = kolsim.influence_pagerank(g)
    assert pr.shape == (4,) and int(np.argmax(pr)) == 0
    assert kolsim.core_numbers(g).dtype == np.uint32
    assert int(np.argmax(kolsim.katz_centrality(g))) == 0
    assert kolsim.eigenvector_centrality(g).shape == (4,)
