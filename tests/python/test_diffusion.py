# SPDX-License-Identifier: MIT
"""simulate, estimate_spread and exact_spread from Python: exact-vs-Monte-Carlo tolerance checks,
determinism across thread counts, traces and per-account results."""
import math

import numpy as np
import pytest

import kolsim


def check_close(est, exact, trials):
    sd = math.sqrt(exact.variance)
    tol = 6.0 * sd / math.sqrt(trials) + 1e-9
    assert abs(est.mean - exact.spread) <= tol, (est.mean, exact.spread, tol)


@pytest.mark.parametrize("model_cls", [kolsim.IndependentCascade, kolsim.LinearThreshold])
@pytest.mark.parametrize("fused", [True, False])
def test_monte_carlo_matches_exact(tiny_graph, test_seed, model_cls, fused):
    g = kolsim.lt_normalize(tiny_graph) if model_cls is kolsim.LinearThreshold else tiny_graph
    model = model_cls(g)
    trials = 40000
    exact = kolsim.exact_spread(model, [10])
    kernel = {"fused": fused}
    est = kolsim.estimate_spread(model, [10], trials=trials, seed=test_seed, per_account=True, **kernel)
    assert est.trials == trials
    check_close(est, exact, trials)
    assert est.ci_low < est.mean < est.ci_high
    assert est.activation_probability.shape == (g.num_vertices,)
    # Per-account probabilities: each within 6 sd of a Bernoulli mean.
    p = exact.activation_probability
    tol = 6 * np.sqrt(p * (1 - p) / trials) + 1e-9
    assert np.all(np.abs(est.activation_probability - p) <= tol)
    assert est.new_per_step.sum() == pytest.approx(est.mean)
    assert exact.new_per_step.sum() == pytest.approx(exact.spread)


def test_two_parent_graph_separates_ic_from_lt():
    g = kolsim.from_edges([1, 2], [3, 3], [0.3, 0.4])
    ic = kolsim.exact_spread(kolsim.IndependentCascade(g), [1, 2])
    lt = kolsim.exact_spread(kolsim.LinearThreshold(g), [1, 2])
    assert ic.spread == pytest.approx(2 + 1 - 0.7 * 0.6)
    assert lt.spread == pytest.approx(2 + 0.7)


def test_options_deadline_seed_probabilities_weights(tiny_graph, test_seed):
    model = kolsim.IndependentCascade(tiny_graph)
    trials = 40000
    for kwargs in [dict(max_steps=1), dict(seed_probabilities=[0.5, 0.9]),
                   dict(account_weights=np.arange(6, dtype=np.float64))]:
        exact = kolsim.exact_spread(model, [10, 30], **kwargs)
        est = kolsim.estimate_spread(model, [10, 30], trials=trials, seed=test_seed, **kwargs)
        check_close(est, exact, trials)


def test_degenerate_probabilities():
    g = kolsim.erdos_renyi(200, 800, seed=2)
    seeds = [0, 5, 9]
    zero = kolsim.estimate_spread(kolsim.IndependentCascade(kolsim.constant_probability(g, 0.0)), seeds, trials=100)
    assert zero.mean == 3.0 and zero.std_error == 0.0
    one = kolsim.IndependentCascade(kolsim.constant_probability(g, 1.0))
    trace = kolsim.simulate(one, seeds, seed=1)
    assert kolsim.estimate_spread(one, seeds, trials=64).mean == len(trace)


def test_determinism_and_thread_independence(medium_graph, test_seed):
    model = kolsim.IndependentCascade(medium_graph)
    seeds = medium_graph.accounts[:5]
    a = kolsim.estimate_spread(model, seeds, trials=3000, seed=test_seed, threads=1)
    b = kolsim.estimate_spread(model, seeds, trials=3000, seed=test_seed, threads=2)
    c = kolsim.estimate_spread(model, seeds, trials=3000, seed=test_seed, threads=2)
    assert (a.mean, a.std_error, a.edges_examined) == (b.mean, b.std_error, b.edges_examined)
    assert np.array_equal(b.new_per_step, c.new_per_step)
    d = kolsim.estimate_spread(model, seeds, trials=3000, seed=test_seed + 1, threads=2)
    assert d.mean != a.mean
    lt = kolsim.LinearThreshold(medium_graph)
    e = kolsim.estimate_spread(lt, seeds, trials=1000, seed=test_seed, threads=1)
    f = kolsim.estimate_spread(lt, seeds, trials=1000, seed=test_seed, threads=2)
    assert e.mean == f.mean


def test_adaptive_mode(medium_graph, test_seed):
    model = kolsim.IndependentCascade(medium_graph)
    est = kolsim.estimate_spread(model, [0], trials=64, seed=test_seed, target_relative_error=0.01,
                                 max_trials=200000)
    assert est.std_error / est.mean <= 0.01 or est.trials == 200000


def test_simulate_trace(test_seed):
    g = kolsim.constant_probability(kolsim.from_edges([100, 100, 200, 300], [200, 300, 400, 400]), 1.0)
    model = kolsim.IndependentCascade(g)
    t = kolsim.simulate(model, [100], seed=test_seed)
    assert t.activated.dtype == np.uint64
    assert t.activated.tolist()[0] == 100 and sorted(t.activated.tolist()) == [100, 200, 300, 400]
    assert t.step.tolist() == [0, 1, 1, 2]
    assert t.parent.tolist()[0] == 100  # seeds are their own parent
    assert t.parent.tolist()[3] in (200, 300)
    assert t.new_per_step.tolist() == [1, 2, 1]
    assert len(kolsim.simulate(model, [100], max_steps=1).activated) == 3
    assert kolsim.simulate(model, [100], seed=5).activated.tolist() == \
        kolsim.simulate(model, [100], seed=5).activated.tolist()
    with pytest.raises(ValueError, match="duplicate"):
        kolsim.simulate(model, [100, 100])


def test_repr_and_fields(tiny_graph):
    est = kolsim.estimate_spread(kolsim.IndependentCascade(tiny_graph), [10], trials=100, seed=1)
    assert "SpreadEstimate(mean=" in repr(est)
    assert est.activation_probability is None
    assert est.edges_examined > 0 and est.seconds >= 0
    exact = kolsim.exact_spread(kolsim.IndependentCascade(tiny_graph), [10])
    assert exact.std == pytest.approx(math.sqrt(exact.variance))
    assert exact.worlds > 0
