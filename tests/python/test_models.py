# SPDX-License-Identifier: MIT
"""Triggering model, complex contagion and competitive LT from Python: exact values, Monte Carlo
within 6 sigma, equality with the dedicated IC/LT paths, selection, pickling and errors."""
import math
import pickle

import numpy as np
import pytest

import kolsim


@pytest.fixture
def tiny():
    src = [10, 10, 11, 12, 13, 11, 14]
    dst = [11, 12, 13, 13, 14, 14, 10]
    return kolsim.from_edges(src, dst, [0.5, 0.3, 0.4, 0.3, 0.6, 0.2, 0.25])


def test_triggering_ic_lt_equal_dedicated(tiny):
    ic = kolsim.exact_spread(kolsim.IndependentCascade(tiny), [10])
    tic = kolsim.exact_spread(kolsim.TriggeringModel(tiny, "ic"), [10])
    assert tic.spread == pytest.approx(ic.spread, abs=1e-9)
    assert np.allclose(tic.activation_probability, ic.activation_probability)
    lt = kolsim.exact_spread(kolsim.LinearThreshold(tiny), [10, 12])
    tlt = kolsim.exact_spread(kolsim.TriggeringModel(tiny, "lt"), [10, 12])
    assert tlt.spread == pytest.approx(lt.spread, abs=1e-9)
    assert tlt.variance == pytest.approx(lt.variance, abs=1e-9)


@pytest.mark.parametrize("kind,count", [("ic", 1), ("lt", 1), ("uniform", 1), ("uniform", 2)])
def test_triggering_monte_carlo_within_six_sigma(tiny, test_seed, kind, count):
    model = kolsim.TriggeringModel(tiny, kind, count=count)
    exact = kolsim.exact_spread(model, [10])
    trials = 20000
    est = kolsim.estimate_spread(model, [10], trials=trials, seed=test_seed, per_account=True)
    assert isinstance(est, kolsim.SpreadEstimate)
    assert abs(est.mean - exact.spread) <= 6 * math.sqrt(exact.variance / trials) + 1e-9
    assert est.activation_probability.shape == (5,)
    one = kolsim.estimate_spread(model, [10], trials=3000, seed=3, threads=1)
    two = kolsim.estimate_spread(model, [10], trials=3000, seed=3, threads=2)
    assert one.mean == two.mean and one.std_error == two.std_error


def test_triggering_imm_and_opim(test_seed):
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 1000, seed=1))
    model = kolsim.TriggeringModel(g, "uniform", count=1)
    r = kolsim.imm(model, 3, epsilon=0.3, seed=test_seed)
    o = kolsim.opim_c(model, 3, epsilon=0.3, seed=test_seed)
    assert len(r.seeds) == 3 and len(o.seeds) == 3
    mc = kolsim.estimate_spread(model, r.seeds, trials=4000, seed=1)
    assert abs(mc.mean - r.spread) < 0.3 * r.spread  # the RR estimate of its own choice, roughly
    assert pickle.loads(pickle.dumps(model)).kind == "uniform"


def test_complex_contagion_exact_and_not_submodular():
    g = kolsim.constant_probability(kolsim.from_edges([0, 1, 2], [2, 2, 3]), 1.0)
    m = kolsim.KExposure(g, 2)
    f = lambda s: kolsim.exact_spread(m, s).spread  # noqa: E731
    assert (f([0]), f([1]), f([0, 1])) == (1.0, 1.0, 3.0)
    assert f([0, 1]) - f([0]) > f([1])  # gains increase: not submodular
    assert kolsim.exact_spread(kolsim.FractionalThreshold(g, 0.5), [0]).spread == 3.0
    r = kolsim.complex_greedy(m, 2)
    assert sorted(r.seeds.tolist()) == [0, 1] and r.spread == 3.0


def test_complex_monte_carlo_within_six_sigma(tiny, test_seed):
    model = kolsim.ComplexContagion(tiny, rule="count", k=2, exposure_probability=None)
    assert model.exposure_probability is None
    exact = kolsim.exact_spread(model, [10, 11, 12])
    trials = 20000
    est = kolsim.estimate_spread(model, [10, 11, 12], trials=trials, seed=test_seed)
    assert abs(est.mean - exact.spread) <= 6 * math.sqrt(exact.variance / trials) + 1e-9


def test_competitive_lt(tiny, test_seed):
    g = kolsim.lt_normalize(tiny)
    model = kolsim.CompetitiveLT(g)
    exact = kolsim.exact_competition(model, [10], [12])
    assert isinstance(exact, kolsim.ExactCompetition)
    trials = 20000
    est = kolsim.estimate_competition(model, [10], [12], trials=trials, seed=test_seed)
    for name in ["misleading", "corrective", "saved", "misleading_alone"]:
        e, x = getattr(est, name), getattr(exact, name)
        assert abs(e.mean - x.mean) <= 6 * math.sqrt(x.variance / trials) + 1e-9, name
    alone = kolsim.exact_competition(model, [10], [])
    lt = kolsim.exact_spread(kolsim.LinearThreshold(g), [10])
    assert alone.misleading.mean == pytest.approx(lt.spread, abs=1e-9)
    t = kolsim.simulate_competition(model, [10], [12], seed=4)
    assert t.misleading_reach + t.corrective_reach == len(t.activated)
    assert pickle.loads(pickle.dumps(model)).graph.num_vertices == 5


def test_errors(tiny):
    with pytest.raises(ValueError):
        kolsim.TriggeringModel(tiny, "bogus")
    with pytest.raises(ValueError):
        kolsim.FractionalThreshold(tiny, 1.5)
    with pytest.raises(IndexError):
        kolsim.estimate_spread(kolsim.KExposure(tiny, 2), [99], trials=10)
    heavy = kolsim.constant_probability(kolsim.from_edges([0, 1], [2, 2]), 0.7)
    with pytest.raises(ValueError):
        kolsim.CompetitiveLT(heavy)
    with pytest.raises(ValueError):
        kolsim.estimate_competition(kolsim.CompetitiveLT(kolsim.lt_normalize(tiny)), [10], [10], trials=10)
