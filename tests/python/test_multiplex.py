# SPDX-License-Identifier: MIT
"""Multi-platform networks from Python: building from per-platform edge lists and an identity
table, reach in people and per platform (exact by hand, Monte Carlo within 6 sigma), a one-layer
multiplex equal to its plain graph, thread invariance, selection against the exact optimum,
the overlap summary and error mapping."""
import itertools
import math

import numpy as np
import pytest

import kolsim
from kolsim import multiplex as mp


def hand_multiplex(y_to_x=0.0):
    # Platforms x (1 -> 2, 0.5) and y (10 -> 20, 0.4); person 100 owns x:1 and y:10, person 200
    # owns x:2 and y:20; cross-posting x -> y 0.3.
    return mp.from_edge_lists({"x": ([1], [2], [0.5]), "y": ([10], [20], [0.4])},
                              identity=[(100, "x", 1), (100, "y", 10), (200, "x", 2), (200, "y", 20)],
                              cross_posting={("x", "y"): 0.3, ("y", "x"): y_to_x})


def random_multiplex(seed, n=5, m=5, layers=2):
    rng = np.random.default_rng(seed)
    specs, identity = {}, []
    for l in range(layers):
        pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
        pick = rng.choice(len(pairs), size=m, replace=False)
        src = [pairs[i][0] for i in pick]
        dst = [pairs[i][1] for i in pick]
        specs[f"p{l}"] = kolsim.from_edges(src, dst, probabilities=rng.uniform(0.2, 0.9, size=m).astype(np.float32),
                                           extra_accounts=list(range(n)))
        identity += [(1000 + v, l, v) for v in range(n) if rng.uniform() < 0.6]
    return mp.from_edge_lists(specs, identity=identity, cross_posting=0.5), identity


def test_build_and_overlap():
    mx = hand_multiplex()
    assert (mx.num_layers, mx.num_people, mx.num_accounts, mx.num_cross_edges) == (2, 2, 4, 2)
    assert mx.layer_names == ["x", "y"]
    assert list(mx.people) == [100, 200]
    assert mx.cross_posting.tolist() == [[0.0, pytest.approx(0.3)], [0.0, 0.0]]
    assert mx.layer("y").num_edges == 1 and mx.expanded.num_edges == 4
    o = mp.overlap(mx)
    assert o == {"people": 2, "multi_platform": 2, "people_per_platform": {"x": 2, "y": 2}, "shared": {("x", "y"): 2}}
    text = mp.overlap_summary(mx)
    assert "2 people on 2 platforms, 2 on two or more" in text and "x-y 1.00" in text
    assert repr(mx) == "Multiplex(2 platforms, 2 people, 4 accounts, 2 follow edges, 2 cross-post edges)"
    # Unlisted accounts are people of their own; a FollowerGraph can be given directly.
    g = kolsim.from_edges([1, 1], [2, 3], probabilities=[0.5, 0.5])
    m2 = mp.from_edge_lists({"a": g, "b": g}, identity={"person": [7, 7], "platform": ["a", "b"], "account": [2, 2]})
    assert list(m2.people) == [7, 8, 9, 10, 11]
    assert mp.overlap(m2)["shared"] == {("a", "b"): 1}


def test_exact_by_hand_and_monte_carlo():
    mx = hand_multiplex()
    ex = mp.exact(mx, [(100, "x")])
    p200 = 1 - 0.5 * (1 - 0.12)  # x:2 directly, or cross-post to y:10 then y:20
    y20 = 1 - (1 - 0.12) * (1 - 0.15)  # y:20 also by person 200's cross-post from x:2
    assert ex.spread == pytest.approx(1 + p200, abs=1e-6)
    assert ex.variance == pytest.approx(p200 * (1 - p200), abs=1e-6)
    assert ex.new_per_step == pytest.approx([1, 0.5, 0.06], abs=1e-6)
    assert ex.layer_spread == pytest.approx([1.5, 0.3 + y20], abs=1e-6)
    assert ex.layer_new_per_step[1] == pytest.approx([0, 0.3, y20], abs=1e-6)
    trials = 20000
    mc = mp.spread(mx, [(100, 0)], trials=trials, seed=3)
    assert abs(mc.mean - ex.spread) <= 6 * math.sqrt(ex.variance / trials)
    for l in range(2):
        assert abs(mc.layer_mean[l] - ex.layer_spread[l]) <= 6 * math.sqrt(ex.layer_variance[l] / trials) + 1e-12
    assert mc.new_per_step.sum() == pytest.approx(mc.mean)
    assert kolsim.multiplex_spread(mx, [(100, "x")], trials=100, seed=None).trials == 100
    a = mp.spread(mx, [(100, "x")], trials=500, seed=np.random.default_rng(4))
    b = mp.spread(mx, [(100, "x")], trials=500, seed=np.random.default_rng(4))
    assert a.mean == b.mean and mp.spread(mx, [(100, "x")], trials=10, seed=None).trials == 10
    assert mp.select(mx, 1, seed=np.random.default_rng(1)).seeds == [(100, "x")]


def test_random_multiplexes_within_six_sigma():
    for s in range(3):
        mx, identity = random_multiplex(s)
        seeds = [(identity[0][0], identity[0][1]), (identity[-1][0], identity[-1][1])]
        ex = mp.exact(mx, seeds)
        mc = mp.spread(mx, seeds, trials=20000, seed=s)
        assert abs(mc.mean - ex.spread) <= 6 * math.sqrt(ex.variance / 20000) + 1e-12


def test_one_layer_equals_plain_graph():
    g = kolsim.from_edges([0, 0, 1, 2, 3], [1, 2, 3, 3, 4], probabilities=[0.5, 0.4, 0.3, 0.7, 0.6])
    mx = mp.from_edge_lists({"only": g})
    assert mx.num_people == g.num_vertices
    plain = kolsim.estimate_spread(kolsim.IndependentCascade(g), [0], trials=3000, seed=5, fused=False)
    multi = mp.spread(mx, [(0, "only")], trials=3000, seed=5)
    assert multi.mean == plain.mean and multi.std_error == plain.std_error  # bit-identical
    assert kolsim.exact_spread(kolsim.IndependentCascade(g), [0]).spread == pytest.approx(mp.exact(mx, [(0, 0)]).spread)


def test_thread_invariance():
    big, identity = random_multiplex(9, n=300, m=2000, layers=3)
    seeds = [(p, l) for p, l, _ in identity[:3]]
    runs = [mp.spread(big, seeds, trials=2000, seed=1, threads=t, per_account=True) for t in (1, 3)]
    assert runs[0].mean > len(seeds)
    assert runs[0].mean == runs[1].mean and runs[0].std_error == runs[1].std_error
    assert np.array_equal(runs[0].layer_mean, runs[1].layer_mean)
    assert np.array_equal(runs[0].person_probability, runs[1].person_probability)
    sel = [mp.select(big, 3, seed=2, epsilon=0.3, threads=t).seeds for t in (1, 3)]
    assert sel[0] == sel[1]


def test_select_near_exact_optimum():
    mx = hand_multiplex(y_to_x=0.2)
    pairs = [(100, "x"), (100, "y"), (200, "x"), (200, "y")]
    best = max(mp.exact(mx, list(c)).spread for c in itertools.combinations(pairs, 1))
    for method in ("imm", "opim-c"):
        r = mp.select(mx, 1, method=method, seed=1)
        assert len(r.seeds) == 1 and r.method == method.replace("-", "_")
        assert mp.exact(mx, r.seeds).spread >= (1 - 1 / math.e - 0.1) * best
        assert r.seeds[0] in pairs
    r = mp.select(mx, 1, candidates=[(200, "y")], seed=1)
    assert r.seeds == [(200, "y")]


def test_errors():
    with pytest.raises(ValueError, match="person 5 has two accounts on layer 'x'"):
        mp.from_edge_lists({"x": ([1], [2], [0.5])}, identity=[(5, "x", 1), (5, "x", 2)])
    with pytest.raises(ValueError, match="account 9 is not in layer 'x'"):
        mp.from_edge_lists({"x": ([1], [2], [0.5])}, identity=[(5, "x", 9)])
    with pytest.raises(ValueError, match="is not in the identity table"):
        mp.from_edge_lists({"x": ([1], [2], [0.5])}, identity=[(5, "x", 1)], unlisted="error")
    with pytest.raises(IndexError, match="no platform is named 'z'"):
        mp.from_edge_lists({"x": ([1], [2], [0.5])}, identity=[(5, "z", 1)])
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        mp.from_edge_lists({"x": ([1], [2], [0.5]), "y": ([1], [2], [0.5])}, cross_posting=2.0)
    mx = hand_multiplex()
    with pytest.raises(IndexError, match="person 300 is not in the multiplex"):
        mp.spread(mx, [(300, "x")])
    with pytest.raises(IndexError, match="no layer is named 'z'"):
        mp.spread(mx, [(100, "z")])
    with pytest.raises(TypeError, match="pair"):
        mp.spread(mx, [100])
    with pytest.raises(ValueError, match="method must be"):
        mp.select(mx, 1, method="celf")


def test_generic_paths_never_count_accounts_of_a_multiplex():
    # Issue 16: the generic estimators and selectors take models of one graph. A Multiplex given
    # to them is refused (TypeError), never estimated or selected in accounts; kolsim.multiplex
    # counts people. The expanded graph with IndependentCascade is the documented account count.
    mx = hand_multiplex()
    for method in ("celf", "greedy", "celf++", "imm", "opim-c", "degree", "degree-discount", "pagerank"):
        with pytest.raises(TypeError, match="kolsim.multiplex"):
            kolsim.select_seeds(mx, 1, method=method)
    for fn in (kolsim.estimate_spread, kolsim.exact_spread, kolsim.simulate):
        with pytest.raises(TypeError, match="counts people.*kolsim.multiplex"):
            fn(mx, [0])
    for fn in (kolsim.celf, kolsim.greedy, kolsim.imm, kolsim.opim_c):
        with pytest.raises(TypeError, match="kolsim.multiplex"):
            fn(mx, 1)
    # People (1.56) differ from the expanded graph's accounts (1 + 0.5 + 0.3 + 0.5*0.3... > people).
    people = mp.exact(mx, [(100, "x")]).spread
    accounts = kolsim.exact_spread(kolsim.IndependentCascade(mx.expanded), [0]).spread
    assert round(people, 4) == 1.56 and accounts > people + 0.1


# --- Campaign planning on a multiplex (issue 16: (person, platform) rosters, reach in people) ---

def test_plan_counts_people_and_matches_exact(tmp_path):
    mx, identity = random_multiplex(1, n=4, m=3)
    assert mx.num_people < mx.num_accounts
    rows = [(person, f"p{l}", 1.0 + (person + l) % 3, 0.1) for person, l, _ in identity]
    plan = mp.plan(mx, rows, budget=3.0, check_trials=20000, seed=3, threads=1)
    assert isinstance(plan, mp.MultiplexPlan) and plan.counting == "people"
    assert plan.people == mx.num_people and plan.total_fee <= 3.0
    seeds = [(k["account"], k["platform"]) for k in plan.kols]
    ex = mp.exact(mx, seeds, seed_probabilities=[1.0 - k["risk"] for k in plan.kols])
    tol = 6.0 * math.sqrt(ex.variance / 20000) + 1e-9
    assert abs(plan.reach - ex.spread) <= tol
    per = {p["platform"]: p for p in plan.platforms}
    assert sum(p["kols"] for p in plan.platforms) == len(plan.kols)
    for l, name in enumerate(mx.layer_names):
        assert abs(per[name]["reach"] - ex.layer_spread[l]) <= 6.0 * math.sqrt(ex.layer_variance[l] / 20000) + 1e-9
    d = plan.as_dict()
    assert d["multiplex"]["counting"] == "people" and len(d["multiplex"]["platforms"]) == mx.num_layers
    assert "people reached per platform" in plan.to_table()
    # The same roster from a CSV file gives the same plan; 1 and 3 threads agree.
    path = tmp_path / "roster.csv"
    path.write_text("person,platform,fee,risk\n" + "".join(f"{a},{b},{c},{r}\n" for a, b, c, r in rows))
    again = mp.plan(mx, path, budget=3.0, check_trials=20000, seed=3, threads=3)
    assert again.kols == plan.kols and again.reach == plan.reach and again.reach_se == plan.reach_se


def test_plan_one_platform_is_the_plain_plan():
    g = kolsim.erdos_renyi(40, 100, seed=5)
    g = kolsim.constant_probability(g, 0.2)
    accounts = [int(a) for a in g.accounts]
    mx = mp.from_edge_lists({"only": g}, identity=[(a, "only", a) for a in accounts])
    fees = [1.0 + a % 3 for a in accounts]
    plain = kolsim.plan_campaign(kolsim.IndependentCascade(g), kolsim.Roster(g, accounts, fees=fees), budget=5.0,
                                 check_trials=2000, seed=2)
    multi = mp.plan(mx, [(a, "only", f) for a, f in zip(accounts, fees)], budget=5.0, check_trials=2000, seed=2)
    assert multi.counting == "accounts"
    assert [k["account"] for k in multi.kols] == [k["account"] for k in plain.kols]
    assert (multi.reach, multi.reach_se, multi.certified_ratio) == (plain.reach, plain.reach_se, plain.certified_ratio)


def test_plan_roster_errors_name_row_and_column(tmp_path):
    mx = hand_multiplex()
    with pytest.raises(IndexError, match="roster row 1, column 'person': person 7 is not in the multiplex"):
        mp.plan(mx, [(100, "x", 1.0), (7, "x", 1.0)], budget=1.0)
    with pytest.raises(IndexError, match="roster row 0, column 'platform': unknown platform 'z'"):
        mp.plan(mx, [(100, "z", 1.0)], budget=1.0)
    path = tmp_path / "bad.csv"
    path.write_text("person,platform,fee\n100,x,1\n100,x,2\n")
    with pytest.raises(kolsim.ParseError, match=r"bad.csv:3: duplicate row: person 100 on platform 'x'"):
        mp.plan(mx, path, budget=1.0)
    with pytest.raises(TypeError, match="roster row 0"):
        mp.plan(mx, ["100,x,1"], budget=1.0)


# ---- Containing a misleading narrative on a multiplex (c16mxblock): the race in people and the
# choice of corrective (person, platform) accounts. ----


def test_race_in_people_against_hand_computed_values():
    mx = hand_multiplex()
    ex = mp.exact_competition(mx, [(100, "x")], [(200, "y")])
    # F alone reaches person 200 with 1 - 0.5 * (1 - 0.3 * 0.4) = 0.56; C on y:20 leaves x:2 only.
    assert round(ex.misleading_alone.mean, 6) == 1.56
    assert round(ex.misleading.mean, 6) == 1.5
    assert round(ex.saved.mean, 6) == 0.06
    assert round(ex.corrective.mean, 6) == 1.0
    assert ex.misleading_probability.shape == (2,)  # per person
    np.testing.assert_allclose(ex.layer_saved, [0.0, 0.252], atol=1e-6)
    # Y -> X cross-posting 1: C reaches x:2 at step 1 with F's 0.5 there: the tie rule decides.
    for rule, f in (("misleading_wins", 1.5), ("corrective_wins", 1.0), ("random", 1.25)):
        r = mp.exact_competition(hand_multiplex(1.0), [(100, "x")], [(200, "y")], tie_rule=rule)
        assert round(r.misleading.mean, 6) == f, rule
    mc = mp.estimate_competition(mx, [(100, "x")], [(200, "y")], trials=20000, seed=3)
    for name in ("misleading", "corrective", "saved", "misleading_alone"):
        got, want = getattr(mc, name).mean, getattr(ex, name)
        assert abs(got - want.mean) <= 6 * math.sqrt(want.variance / 20000) + 1e-12, name
    assert len(mc.layer_misleading) == 2 and isinstance(mc.layer_saved[1], kolsim.CountEstimate)
    assert mc.misleading_per_step.dtype == np.float64


def test_race_threads_and_one_layer_equal_plain():
    g = kolsim.uniform_probability(kolsim.erdos_renyi(60, 240, seed=2), 0.05, 0.5, seed=3)
    mx = kolsim.Multiplex([("only", g)], [], [], [], [[0.0]])
    f, c = [0, 1], [7]
    fp, cp = [(int(mx.people[g.index_of(a)]), "only") for a in f], [(int(mx.people[g.index_of(a)]), "only") for a in c]
    one = mp.estimate_competition(mx, fp, cp, trials=2000, seed=5, threads=1, tie_rule="random")
    three = mp.estimate_competition(mx, fp, cp, trials=2000, seed=5, threads=3, tie_rule="random")
    plain = kolsim.estimate_competition(kolsim.CompetitiveIC(g, tie_rule="random"), f, c, trials=2000, seed=5,
                                        threads=2)
    for name in ("misleading", "corrective", "saved", "misleading_alone"):
        assert getattr(one, name).mean == getattr(three, name).mean == getattr(plain, name).mean, name
        assert getattr(one, name).std_error == getattr(plain, name).std_error, name
    b1 = mp.block(mx, fp, 2, trials=40, evaluation_trials=200, seed=4, threads=1)
    b3 = mp.block(mx, fp, 2, trials=40, evaluation_trials=200, seed=4, threads=3)
    pb = kolsim.select_blockers(kolsim.CompetitiveIC(g), f, 2, method="celf", trials=40, evaluation_trials=200,
                                seed=4)
    assert b1.seeds == b3.seeds
    assert [g.index_of(int(mx.people[p])) for p, _ in b1.seeds] == [g.index_of(a) for a in pb.seeds]
    assert b1.saved == b3.saved == pb.extra["saved"]


def test_block_counts_people_and_takes_candidates():
    # x: 1 -> 2, 1 -> 3, 3 -> 4 (all certain); person 7 owns x:2, y:2 and z:2 with cross-posting 1,
    # so F reaches three accounts of ONE person through x:2. Blocking x:2 saves 3 accounts but one
    # person; blocking x:3 saves x:3 and x:4, two people. Counting people picks x:3.
    mx = mp.from_edge_lists({"x": ([1, 1, 3], [2, 3, 4], [1.0, 1.0, 1.0]), "y": ([2], [9], [0.0]),
                             "z": ([2], [9], [0.0])},
                            identity=[(7, "x", 2), (7, "y", 2), (7, "z", 2)], cross_posting=1.0)
    f_person = int(mx.people[1])  # the unlisted account x:1, the first person after 7
    r = mp.block(mx, [(f_person, "x")], 1, trials=5, evaluation_trials=50)
    x3 = (int(mx.people[2]), "x")
    assert r.seeds == [x3]
    assert (r.reach_before, r.reach_after, r.saved) == (4.0, 2.0, 2.0)
    assert r.method == "celf" and r.marginal_gains.tolist() == [2.0]
    only = mp.block(mx, [(f_person, "x")], 1, trials=5, evaluation_trials=0, candidates=[(7, "y"), (7, "z")])
    assert only.seeds[0] in [(7, "y"), (7, "z")]
    for method in ("degree", "neighbourhood", "imm"):
        assert len(mp.block(mx, [(f_person, "x")], 2, method=method, evaluation_trials=20).seeds) == 2
    with pytest.raises(ValueError, match="rr is not available on a multiplex"):
        mp.block(mx, [(f_person, "x")], 1, method="rr")
    with pytest.raises(ValueError, match="tie rule must be one of misleading_wins | corrective_wins | random, got 'first'"):
        mp.estimate_competition(mx, [(f_person, "x")], [(7, "x")], tie_rule="first")
    with pytest.raises(ValueError, match="both a misleading and a corrective seed"):
        mp.estimate_competition(mx, [(7, "x")], [(7, "x")])
    with pytest.raises(IndexError, match="person 12345"):
        mp.block(mx, [(12345, "x")], 1)
    with pytest.raises(TypeError, match="cannot pickle"):
        import pickle
        pickle.dumps(r)
