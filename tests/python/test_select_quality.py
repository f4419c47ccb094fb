# SPDX-License-Identifier: MIT
"""select_seeds quality on an instance where it can fail: on a "trap" follower graph the highest
follower counts and random seed sets fall far below (1 - 1/e - epsilon) of the optimum, so every
guaranteed method must find the few good accounts. Spreads are exact (closed form on a two-layer
graph, checked against kolsim.exact_spread), the optimum exact (branch and bound, checked
against brute force), and failure probabilities are 1e-6."""
import itertools
import math
import random

import numpy as np
import pytest

import kolsim

DELTA = 1e-6  # failure probability of the probabilistic guarantees under test
K = 6


def two_layer(sources, targets, probs, lt, ids=None):
    """A graph whose every edge runs from a source (no in-edges) to an audience account (no
    out-edges), with its closed-form spread: IC |S| + sum over v not in S of
    1 - prod_{s in S, s -> v} (1 - p); LT the same with sum of weights."""
    sources, targets = np.asarray(sources), np.asarray(targets)
    n = int(max(sources.max(), targets.max())) + 1
    ids = np.arange(n, dtype=np.uint64) * 7 + 1000 if ids is None else ids  # sparse account ids
    graph = kolsim.from_edges(ids[sources], ids[targets], probs, extra_accounts=ids)
    out = {}
    for s, t, p in zip(sources.tolist(), targets.tolist(), probs):
        out.setdefault(s, []).append((t, float(p)))
    index = {int(a): i for i, a in enumerate(ids.tolist())}

    def spread(seed_ids):
        seeds = {index[int(a)] for a in seed_ids}
        miss = {}
        for s in seeds:
            for t, p in out.get(s, ()):
                miss[t] = miss.get(t, 1.0) - p if lt else miss.get(t, 1.0) * (1 - p)
        return len(seeds) + sum(1 - max(0.0, m) for t, m in miss.items() if t not in seeds)

    return graph, spread, ids[sorted(out)].tolist(), ids


def trap(lt):
    """The trap (as tests/cpp/support.hpp): 14 hubs share 40 followers at p = 0.03 (the highest
    follower counts, worth 2.2 each), 5 cores own 20 followers at p = 0.62 .. 0.78, 2 twins
    share 24 followers (IC 0.8, LT 0.45), 29 fillers own 2 followers at 0.3. n = 272."""
    src, dst, p = [], [], []
    nxt = 50

    def follow(s, first, count, prob):
        src.extend([s] * count)
        dst.extend(range(first, first + count))
        p.extend([prob] * count)

    pool = nxt
    nxt += 40
    for h in range(14):
        follow(h, pool, 40, 0.03)
    for c in range(5):
        follow(14 + c, nxt, 20, 0.62 + 0.04 * c)
        nxt += 20
    follow(19, nxt, 24, 0.45 if lt else 0.8)
    follow(20, nxt, 24, 0.45 if lt else 0.8)
    nxt += 24
    for f in range(21, 50):
        follow(f, nxt, 2, 0.3)
        nxt += 2
    return two_layer(src, dst, np.array(p), lt)


def exact_optimum(f, pool, k):
    """Max of a monotone submodular f over k-subsets of pool: branch and bound (a branch is cut
    when f(S) plus its k - |S| largest marginal gains cannot beat the best), from greedy."""
    greedy = []
    for _ in range(k):
        greedy.append(max((u for u in pool if u not in greedy), key=lambda u: f(greedy + [u])))
    best = f(greedy)

    def go(cur, start, fcur):
        nonlocal best
        if len(cur) == k:
            best = max(best, fcur)
            return
        left = k - len(cur)
        vals = [(f(cur + [pool[i]]), i) for i in range(start, len(pool))]
        if len(vals) < left:
            return
        top = sorted((v - fcur for v, _ in vals), reverse=True)[:left]
        if fcur + sum(top) <= best + 1e-12:
            return
        for v, i in vals:
            go(cur + [pool[i]], i + 1, v)

    go([], 0, f([]))
    return best


def pass_fractions(spread, graph, sources, k, bound, draws=4000):
    rng = random.Random(12345)
    accounts = graph.accounts.tolist()
    any_set = sum(spread(rng.sample(accounts, k)) >= bound for _ in range(draws)) / draws
    src_set = sum(spread(rng.sample(sources, k)) >= bound for _ in range(draws)) / draws
    return any_set, src_set


@pytest.fixture(scope="module", params=[False, True], ids=["ic", "lt"])
def trap_case(request):
    lt = request.param
    graph, spread, sources, _ = trap(lt)
    model = kolsim.LinearThreshold(graph) if lt else kolsim.IndependentCascade(graph)
    return lt, graph, spread, sources, model, exact_optimum(spread, sources, K)


def test_closed_form_and_optimum_are_exact():
    """The helpers the quality test rests on: closed form = live-edge enumeration, branch and
    bound = brute force (IC and LT, shared followers, seeds among followers)."""
    src = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4]
    dst = [5, 6, 7, 5, 6, 8, 5, 9, 7, 6, 10, 11, 10]
    p = np.array([0.5, 0.3, 0.7, 0.2, 0.6, 0.9, 0.4, 0.35, 0.15, 0.05, 0.8, 0.45, 0.1])
    for lt in (False, True):
        graph, spread, sources, ids = two_layer(src, dst, p * 0.5 if lt else p, lt)
        model = kolsim.LinearThreshold(graph) if lt else kolsim.IndependentCascade(graph)
        for seeds in ([0], [0, 1, 2], [1, 3, 6], [2, 4, 5, 10]):
            s = ids[seeds]
            assert spread(s) == pytest.approx(kolsim.exact_spread(model, s).spread, abs=1e-5)
        accounts = ids.tolist()
        for k in (1, 2, 3):
            brute = max(spread(list(c)) for c in itertools.combinations(accounts, k))
            assert exact_optimum(spread, accounts, k) == pytest.approx(brute, abs=1e-12)
            assert exact_optimum(spread, sources, k) == pytest.approx(brute, abs=1e-12)


def test_random_and_degree_fail_the_bound(trap_case):
    """The bound separates: top-degree and random 6-sets fail it (the numbers are printed)."""
    lt, graph, spread, sources, model, opt = trap_case
    bound = (1 - 1 / math.e - 0.1) * opt
    deg = kolsim.select_seeds(model, K, method="degree")
    dd = kolsim.select_seeds(model, K, method="degree-discount")
    any_set, src_set = pass_fractions(spread, graph, sources, K, bound)
    print(f"lt={lt}: optimum {opt:.3f}, bound {bound:.3f}, degree {spread(deg.seeds):.3f}, degree discount "
          f"{spread(dd.seeds):.3f}, random 6-sets passing {any_set:.4f} (all accounts) {src_set:.4f} (sources)")
    assert spread(deg.seeds) < bound and spread(dd.seeds) < bound
    assert any_set < 0.05 and src_set < 0.05


@pytest.mark.parametrize("method", ["imm", "opim-c"])
def test_rr_methods_near_optimal(trap_case, test_seed, method):
    lt, graph, spread, sources, model, opt = trap_case
    n = graph.num_vertices
    options = {"ell": math.log(1 / DELTA) / math.log(n)} if method == "imm" else {"delta": DELTA}
    r = kolsim.select_seeds(model, K, method=method, epsilon=0.1, seed=test_seed, **options)
    got = spread(r.seeds)  # independent, exact
    assert len(r.seeds) == K and r.seeds.dtype == np.int64
    assert got >= (1 - 1 / math.e - 0.1) * opt
    assert got <= opt + 1e-9
    if method == "opim-c":
        assert r.approximation <= got / opt + 1e-12
        # The validation collection's estimate is independent of the choice: 5 standard errors.
        q = got / n
        se = n * math.sqrt(q * (1 - q) / r.extra["validation_sets"])
        assert abs(r.spread - got) <= 5 * se


@pytest.mark.parametrize("method", ["greedy", "celf", "celf++"])
def test_greedy_methods_near_optimal(trap_case, test_seed, method):
    """Greedy on R common worlds gets (1 - 1/e) of the sampled optimum; with |f^ - f| <= t on all
    C(n, k) sets (Bernstein, reach in [0, n] with variance <= n / 4 on a two-layer graph, union
    bound at DELTA), f(greedy) >= (1 - 1/e) OPT - (2 - 1/e) t."""
    lt, graph, spread, sources, model, opt = trap_case
    n, trials = graph.num_vertices, 2000
    big_l = math.log(2 / DELTA) + math.log(math.comb(n, K))
    t = (n * big_l / 3 + math.sqrt((n * big_l / 3) ** 2 + 2 * (n / 4) * trials * big_l)) / trials
    r = kolsim.select_seeds(model, K, method=method, seed=test_seed, trials=trials)
    got = spread(r.seeds)
    assert got >= (1 - 1 / math.e) * opt - (2 - 1 / math.e) * t
    assert got <= opt + 1e-9


@pytest.mark.parametrize("method", ["imm", "opim-c", "greedy", "celf", "celf++", "degree-discount"])
def test_identical_for_one_three_and_seven_threads(trap_case, test_seed, method):
    _, _, _, _, model, _ = trap_case
    # Each method gets only the arguments it uses (select_seeds rejects the others).
    args = {"epsilon": 0.2, "seed": test_seed} if method in ("imm", "opim-c") else \
        {"trials": 300, "seed": test_seed} if method in ("greedy", "celf", "celf++") else {}
    runs = [kolsim.select_seeds(model, K, method=method, threads=t, **args) if method != "degree-discount"
            else kolsim.select_seeds(model, K, method=method, **args) for t in (1, 3, 7)]
    for r in runs[1:]:
        assert r.seeds.tolist() == runs[0].seeds.tolist()
        assert r.spread == runs[0].spread and r.rr_sets == runs[0].rr_sets
        assert np.array_equal(r.marginal_gains, runs[0].marginal_gains)
