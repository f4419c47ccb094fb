# SPDX-License-Identifier: MIT
"""Opinion dynamics from Python: DeGroot consensus, Friedkin-Johnsen solvers against a dense numpy
solve, stubborn KOLs, measures, greedy opinion maximisation against brute force, error mapping."""
import itertools
import math
import pickle

import numpy as np
import pytest

import kolsim


def dense_w(g, src, dst, p):
    ids = np.asarray(g.accounts)
    pos = {int(a): i for i, a in enumerate(ids)}
    n = len(ids)
    w = np.zeros((n, n))
    for a, b, x in zip(src, dst, p):
        w[pos[b], pos[a]] += x
    for v in range(n):
        s = w[v].sum()
        if s > 0:
            w[v] /= s
        else:
            w[v, v] = 1.0
    return w


def random_instance(rng, n=9, extra=14):
    src = list(range(n)) + [1]  # a directed n-cycle plus 1 -> 0: strongly connected and aperiodic
    dst = [(v + 1) % n for v in range(n)] + [0]
    for _ in range(extra):
        a, b = rng.integers(0, n, 2)
        if a != b and (a, b) not in zip(src, dst):
            src.append(int(a))
            dst.append(int(b))
    p = rng.uniform(0.1, 1.0, len(src)).astype(np.float32).astype(np.float64)  # the graph stores float32
    ids = [100 + 7 * v for v in range(n)]  # sparse account ids
    g = kolsim.from_edges([ids[a] for a in src], [ids[b] for b in dst], p)
    return g, [ids[a] for a in src], [ids[b] for b in dst], p


def dense_fj(w, s, lam, stubborn_idx=(), c=1.0):
    s = np.array(s, dtype=float)
    lam = np.broadcast_to(np.asarray(lam, dtype=float), s.shape).copy()
    for v in stubborn_idx:
        s[v], lam[v] = c, 0.0
    a = np.eye(len(s)) - lam[:, None] * w
    return np.linalg.solve(a, (1 - lam) * s)


def test_degroot_consensus_is_left_perron_vector(test_seed):
    rng = np.random.default_rng(test_seed)
    g, src, dst, p = random_instance(rng)
    w = dense_w(g, src, dst, p)
    vals, vecs = np.linalg.eig(w.T)
    pi = np.real(vecs[:, np.argmin(abs(vals - 1))])
    pi /= pi.sum()
    x0 = rng.uniform(-1, 1, g.num_vertices)
    r = kolsim.degroot(g, x0, steps=200_000, tol=1e-14)
    assert r.converged and r.method == "degroot"
    assert np.allclose(r.opinions, pi @ x0, atol=1e-10, rtol=0)
    assert r.opinions.dtype == np.float64 and r.opinions.shape == (g.num_vertices,)
    assert len(r.trajectory["mean"]) == r.iterations + 1
    assert r.trajectory["polarization"][-1] < 1e-18


@pytest.mark.parametrize("method", ["direct", "bicgstab", "sparse_lu", "iterate"])
def test_friedkin_johnsen_matches_dense_solve(test_seed, method):
    rng = np.random.default_rng(test_seed + 1)
    g, src, dst, p = random_instance(rng, n=12, extra=30)
    w = dense_w(g, src, dst, p)
    s = rng.uniform(-1, 1, g.num_vertices)
    lam = rng.uniform(0, 0.9, g.num_vertices)
    kol = int(g.accounts[4])
    own = {"steps": 100_000, "tol": 1e-14} if method == "iterate" else {}  # solvers reject these
    r = kolsim.friedkin_johnsen(g, s, lam, stubborn=[kol], stubborn_opinion=0.8, method=method, **own)
    ref = dense_fj(w, s, lam, [4], 0.8)
    assert np.allclose(r.opinions, ref, atol=1e-9, rtol=0)
    assert r.opinions[4] == 0.8
    assert r.converged
    assert r.residual < 1e-9
    assert abs(r.summary["mean"] - ref.mean()) < 1e-9


def test_scalar_susceptibility_and_zero_susceptibility(tiny_graph):
    s = np.linspace(-1, 1, tiny_graph.num_vertices)
    assert np.array_equal(kolsim.friedkin_johnsen(tiny_graph, s, 0.0).opinions, s)
    a = kolsim.friedkin_johnsen(tiny_graph, s, 0.5).opinions
    b = kolsim.friedkin_johnsen(tiny_graph, s, np.full(tiny_graph.num_vertices, 0.5)).opinions
    assert np.array_equal(a, b)


def test_measures_hand_computed():
    g = kolsim.from_edges([0, 1], [1, 2], [0.5, 0.25])
    x = [0.0, 1.0, 3.0]
    assert kolsim.mean_opinion(x) == pytest.approx(4 / 3)
    assert kolsim.polarization(x) == pytest.approx(14 / 3)
    assert kolsim.disagreement(g, x) == pytest.approx(1.5)
    assert kolsim.disagreement(g, x, use_edge_weights=False) == 5.0
    assert kolsim.polarization_disagreement_index(g, x) == pytest.approx(14 / 3 + 1.5)


def test_maximize_opinion_against_brute_force(test_seed):
    rng = np.random.default_rng(test_seed + 2)
    ratio = 1 - 1 / math.e
    for _ in range(3):
        g, src, dst, p = random_instance(rng)
        w = dense_w(g, src, dst, p)
        n = g.num_vertices
        s = rng.uniform(-1, 1, n)
        lam = rng.uniform(0.3, 1.0, n)
        ids = np.asarray(g.accounts)
        base = dense_fj(w, s, lam).sum()
        for k in (1, 2, 3):
            r = kolsim.maximize_opinion(g, k, s, lam)
            idx = [int(np.nonzero(ids == a)[0][0]) for a in r.seeds]
            got = dense_fj(w, s, lam, idx).sum()
            best = max(dense_fj(w, s, lam, c).sum() for c in itertools.combinations(range(n), k))
            assert r.spread == pytest.approx(got, abs=1e-9)
            assert r.approximation == pytest.approx(ratio)
            assert len(r.marginal_gains) == k
            if k == 1:
                assert got == pytest.approx(best, abs=1e-9)
            else:
                assert got - base >= ratio * (best - base) - 1e-9


def test_maximize_opinion_candidates_fixed_seeds(tiny_graph):
    n = tiny_graph.num_vertices
    r = kolsim.maximize_opinion(tiny_graph, 2, np.zeros(n), 0.7, candidates=[20, 30, 40, 50], fixed_seeds=[20],
                                method="sparse_lu")
    assert set(r.seeds.tolist()) <= {30, 40, 50} and len(r.seeds) == 2
    assert r.seeds.dtype == np.int64


def test_errors_are_mapped(tiny_graph):
    n = tiny_graph.num_vertices
    with pytest.raises(ValueError, match="innate must have one value per account"):
        kolsim.friedkin_johnsen(tiny_graph, np.zeros(n - 1), 0.5)
    with pytest.raises(ValueError, match=r"susceptibility\[0\] must be in \[0, 1\]"):
        kolsim.friedkin_johnsen(tiny_graph, np.zeros(n), 1.5)
    with pytest.raises(ValueError, match="not finite"):
        kolsim.friedkin_johnsen(tiny_graph, np.full(n, np.nan), 0.5)
    with pytest.raises(ValueError, match="must be in"):
        kolsim.friedkin_johnsen(tiny_graph, np.zeros(n), np.full(n, np.nan))
    with pytest.raises(ValueError, match="method must be"):
        kolsim.friedkin_johnsen(tiny_graph, np.zeros(n), 0.5, method="magic")
    with pytest.raises(IndexError, match="999"):
        kolsim.friedkin_johnsen(tiny_graph, np.zeros(n), 0.5, stubborn=[999])
    with pytest.raises(ValueError, match="not unique"):
        kolsim.friedkin_johnsen(kolsim.from_edges([1, 2], [2, 1]), [0.0, 1.0], 1.0)
    with pytest.raises(ValueError, match="initial must have one value per account"):
        kolsim.degroot(tiny_graph, [1.0])
    with pytest.raises(TypeError):
        kolsim.degroot(tiny_graph, ["a"] * n)
    with pytest.raises(ValueError, match="exceeds"):
        kolsim.maximize_opinion(tiny_graph, n + 1, np.zeros(n), 0.5)


def test_result_keys_are_american_and_the_british_key_is_a_deprecated_alias():
    g = kolsim.from_edges([0, 1], [1, 2])
    x0 = [0.0, 1.0, 2.0]
    for r in (kolsim.degroot(g, x0, steps=3, tol=0),
              kolsim.friedkin_johnsen(g, x0, 0.5, method="iterate", steps=3, tol=0, record_trajectory=True)):
        assert list(r.summary) == ["mean", "polarization", "disagreement", "index"]
        assert list(r.trajectory) == ["step", "mean", "polarization", "disagreement", "change"]
        assert r.summary["polarization"] == pytest.approx(kolsim.polarization(r.opinions))
        assert "polarisation" not in r.summary  # only the American key is stored
        with pytest.warns(DeprecationWarning, match="'polarisation' is deprecated; use 'polarization'"):
            assert r.summary["polarisation"] == r.summary["polarization"]
        with pytest.warns(DeprecationWarning, match="'polarisation' is deprecated"):
            assert np.array_equal(r.trajectory["polarisation"], r.trajectory["polarization"])
        with pytest.warns(DeprecationWarning):
            assert r.summary.get("polarisation") == r.summary["polarization"]
        assert r.summary.get("nope", 7) == 7
        with pytest.raises(KeyError):
            r.summary["nope"]
        back = pickle.loads(pickle.dumps(r))
        assert back.summary == r.summary and "polarization" in back.trajectory
