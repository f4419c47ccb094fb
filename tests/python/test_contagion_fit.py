# SPDX-License-Identifier: MIT
"""Exposure curves and the simple-versus-complex contagion comparison: exact small cases, model
recovery on cascades simulated from IC and from 2-exposure contagion, and the verdict on the two
real StackExchange sets (skipped without the local dataset mirror)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import kolsim
from kolsim import cascades as kc

SEED = int(os.environ.get("KOLSIM_TEST_SEED", "20261203"))


def test_exposure_curve_exact():
    # 0 -> 2, 1 -> 2, 0 -> 3, 2 -> 0 (2 adopts after 0: no exposure of 0).
    g = kolsim.from_edges([0, 1, 0, 2], [2, 2, 3, 0])
    c = kc.Cascades.from_lists(g, [[(0, 0), (1, 4), (2, 4)], [(1, 0), (2, 1)]])
    counts = kc.exposure_counts(g, c)
    rows = {(int(a), int(g.accounts[v])): (int(j), bool(y)) for a, v, j, y in
            zip(counts["cascade"], counts["vertex"], counts["exposures"], counts["adopted"])}
    # Cascade 0: 2 saw only 0 (1 adopted at the same second); 3 saw 0 and never adopted.
    # Cascade 1: 0 follows 2 and never adopted.
    assert rows == {(0, 2): (1, True), (0, 3): (1, False), (1, 2): (1, True), (1, 0): (1, False)}
    assert counts["exogenous"] == 3 and counts["adopters"] == 5
    assert counts["exposures"].dtype == np.uint32 and counts["adopted"].dtype == np.uint8
    cv = kc.exposure_curve(g, c, threads=1)
    assert cv["trials"].tolist() == [4] and cv["adopted"].tolist() == [2]
    assert cv["probability"][0] == pytest.approx(0.5)
    assert cv["std_error"][0] == pytest.approx(0.25)
    with pytest.raises(ValueError):
        kc.exposure_curve(g, c, threads=-1)


def _graph(seed: int, n: int = 400, indeg: int = 8):
    rng = np.random.default_rng(seed)
    src, dst = [], []
    for v in range(n):
        for u in rng.choice(np.delete(np.arange(n), v), size=indeg, replace=False):
            src.append(int(u))
            dst.append(v)
    return src, dst


def _simulate(n, src, dst, k, p, cascades, seed, seeds_per_cascade=12):
    """Discrete-time k-exposure cascades (k = 1 is IC): each newly active account exposes each
    follower once, the exposure passes with p, a follower adopts one step after its k-th pass."""
    out = [[] for _ in range(n)]
    for u, v in zip(src, dst):
        out[u].append(v)
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(cascades):
        seeds = rng.choice(n, size=seeds_per_cascade, replace=False)
        step = {int(s): 0 for s in seeds}
        passed = np.zeros(n, dtype=int)
        frontier, t = [int(s) for s in seeds], 0
        while frontier:
            nxt = []
            for u in frontier:
                for v in out[u]:
                    if v in step:
                        continue
                    if rng.random() < p:
                        passed[v] += 1
                        if passed[v] == k:
                            nxt.append(v)
            t += 1
            for v in nxt:
                step[v] = t
            frontier = nxt
        result.append(sorted(step.items(), key=lambda x: (x[1], x[0])))
    return result


@pytest.mark.parametrize("k,p,want", [(1, 0.12, "IC"), (2, 0.55, "k=2")])
def test_compare_contagion_recovers_the_simulated_model(k, p, want):
    src, dst = _graph(SEED)
    g = kolsim.from_edges(src, dst)
    c = kc.Cascades.from_lists(g, _simulate(400, src, dst, k, p, 120, SEED + k))
    cv = kc.exposure_curve(g, c)
    if k == 2:
        assert cv["adopted"][0] == 0  # one exposure never suffices
    else:
        assert cv["probability"][0] > 0.05
    r = kc.compare_contagion(g, c, split="cascade", test_fraction=0.3, seed=SEED, ks=(2, 3), fractions=(0.25, 0.5))
    by = {m["name"]: m for m in r["models"]}
    assert r["best"] == want, {m["name"]: round(m["test_per_decision"], 5) for m in r["models"]}
    assert r["best_aic"] == want
    assert by[want]["p"] == pytest.approx(p, abs=0.05)
    assert by[want]["background"] < 0.01
    assert r["train_decisions"] > 0 and r["test_decisions"] > 0
    assert by["fraction q=0.25"]["fraction"] == 0.25 or "fraction q=0.5" in by


def test_compare_contagion_arguments():
    g = kolsim.from_edges([0], [1])
    c = kc.Cascades.from_lists(g, [[(0, 0), (1, 1)], [(0, 0)]] * 3)
    with pytest.raises(ValueError, match="split"):
        kc.compare_contagion(g, c, split="random")
    with pytest.raises(ValueError, match="k must be >= 2"):
        kc.compare_contagion(g, c, ks=(1,))
    with pytest.raises(ValueError, match="fractions"):
        kc.compare_contagion(g, c, fractions=(0.0,))
    with pytest.raises(ValueError, match="in_degree_bands"):
        kc.compare_contagion(g, c, in_degree_bands=(5, 2))
    r = kc.compare_contagion(g, c, split="cascade", test_fraction=0.5, in_degree_bands=(2,), fractions=())
    assert all(len(m["background"]) == 2 for m in r["models"])
    assert [m["parameters"] for m in r["models"]] == [2, 3, 3, 3]


# Measured 2026-12-03 (docs/cascades.md, "Simple or complex contagion?"): on both sets k = 2
# explains the held-out adoption decisions best, under both splits, and wins on AIC, also with a
# background per in-degree band (the heterogeneity control).
@pytest.mark.parametrize("name", ["cascades-android", "cascades-christianity"])
def test_real_sets_verdict(name):
    if not os.environ.get("KOLSIM_DATA_DIR"):
        pytest.skip("KOLSIM_DATA_DIR is not set (no local dataset mirror)")
    try:
        graph = kolsim.datasets.load(name, probabilities=None)
        cs = kc.read_cascades(kolsim.datasets.path(name, "cascades.txt", download=False), graph)
    except (OSError, RuntimeError) as e:
        pytest.skip(f"{name} is not in the mirror: {e}")
    cv = kc.exposure_curve(graph, cs)
    # Rising curve: P(adopt | 3 exposures) is far more than P(adopt | 1).
    assert cv["probability"][2] > 2 * cv["probability"][0]
    r = kc.compare_contagion(graph, cs, split="time")
    by = {m["name"]: m for m in r["models"]}
    assert r["best"] == "k=2" and r["best_aic"] == "k=2"
    assert by["k=2"]["test_per_decision"] > by["IC"]["test_per_decision"] + 5e-4
    r = kc.compare_contagion(graph, cs, split="time", in_degree_bands=(6, 21, 101))
    by = {m["name"]: m for m in r["models"]}
    assert r["best"] == "k=2" and r["best_aic"] == "k=2"
    assert by["k=2"]["test_per_decision"] > by["IC"]["test_per_decision"] + 1e-4
