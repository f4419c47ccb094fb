# SPDX-License-Identifier: MIT
"""One consistent Python API (issue 13): progress, seeds, short errors, loaders, spelling, signatures."""
import inspect
import io
import pydoc
import sys
import warnings

import numpy as np
import pytest

import kolsim


@pytest.fixture
def wc_graph() -> kolsim.FollowerGraph:
    return kolsim.weighted_cascade(kolsim.erdos_renyi(400, 2400, seed=3))


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, phase, done, total):
        self.calls.append((phase, done, total))

    def check_monotone(self):
        assert self.calls, "the progress callable was never called"
        last = {}
        for phase, done, total in self.calls:
            assert isinstance(phase, str) and isinstance(done, int) and isinstance(total, int)
            assert done >= last.get(phase, 0), f"{phase}: {done} after {last.get(phase)}"
            assert total == 0 or done <= total
            last[phase] = done
        return last


# ----------------------------------------------------------------------------------------------
# Progress

# Phases that end with a report done == total (IMM's estimation may stop early; OPIM-C's rounds
# too; the opinion iteration reports the steps started).
COMPLETE = {"trials", "sampling", "seeds", "degree", "select_blockers", "parse"}


def _same(a, b):
    for name in ("seeds", "opinions"):
        if hasattr(a, name):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("mean", "std_error", "spread", "saved"):
        if hasattr(a, name):
            assert getattr(a, name) == getattr(b, name)


@pytest.mark.parametrize("call, phases", [
    (lambda g, **kw: kolsim.estimate_spread(kolsim.IndependentCascade(g), [0, 1], trials=20000, seed=4, **kw),
     {"trials"}),
    (lambda g, **kw: kolsim.estimate_spread(kolsim.LinearThreshold(g), [0, 1], trials=3000, seed=4, **kw),
     {"trials"}),
    (lambda g, **kw: kolsim.imm(kolsim.IndependentCascade(g), 4, epsilon=0.3, seed=4, **kw),
     {"estimation", "sampling"}),
    (lambda g, **kw: kolsim.opim_c(kolsim.IndependentCascade(g), 4, epsilon=0.3, seed=4, **kw), {"rounds"}),
    (lambda g, **kw: kolsim.celf(kolsim.IndependentCascade(g), 3, trials=50, seed=4, **kw), {"seeds"}),
    (lambda g, **kw: kolsim.greedy(kolsim.IndependentCascade(g), 2, trials=20, seed=4, **kw), {"seeds"}),
    (lambda g, **kw: kolsim.celf_plus_plus(kolsim.IndependentCascade(g), 3, trials=50, seed=4, **kw), {"seeds"}),
    (lambda g, **kw: kolsim.select_seeds(kolsim.IndependentCascade(g), 3, method="imm", epsilon=0.3, seed=4, **kw),
     {"estimation", "sampling"}),
    (lambda g, **kw: kolsim.select_seeds(kolsim.IndependentCascade(g), 3, method="degree", **kw), {"degree"}),
    (lambda g, **kw: kolsim.degroot(g, np.linspace(0, 1, g.num_vertices), steps=50, tol=0, **kw), {"steps"}),
    (lambda g, **kw: kolsim.friedkin_johnsen(g, np.linspace(0, 1, g.num_vertices), 0.5, method="iterate",
                                             steps=40, tol=0, **kw), {"steps"}),
    (lambda g, **kw: kolsim.select_blockers(kolsim.CompetitiveIC(g), [0, 1], 2, worlds=100, seed=4, **kw),
     {"sampling", "seeds"}),  # real progress: worlds sampled, seeds chosen
])
def test_progress_callable_gets_monotone_counts_and_results_do_not_change(wc_graph, call, phases):
    plain = call(wc_graph)
    rec = Recorder()
    watched = call(wc_graph, progress=rec)
    _same(plain, watched)
    last = rec.check_monotone()
    assert phases <= set(last), (phases, rec.calls)
    for phase in phases & COMPLETE:  # phases whose last report says they are complete
        assert last[phase] == max(t for p, _, t in rec.calls if p == phase), (phase, rec.calls[-3:])


def test_estimate_spread_reports_every_trial(wc_graph):
    rec = Recorder()
    kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials=5000, seed=1, progress=rec)
    assert rec.calls[-1] == ("trials", 5000, 5000)


def test_progress_true_draws_a_tqdm_bar_on_stderr(wc_graph, capsys):
    r = kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials=5000, seed=1, progress=True)
    assert r.trials == 5000
    err = capsys.readouterr().err
    assert "estimate_spread: trials" in err and "5000" in err


def test_read_edge_list_progress_counts_parsed_bytes(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("1 2\n2 3\n")
    rec = Recorder()
    g = kolsim.read_edge_list(path, progress=rec)
    assert g.num_edges == 2 and rec.calls == [("parse", 0, 8), ("parse", 8, 8)]
    # A file of several parse chunks: monotone byte counts ending at the file's size, same graph.
    big = tmp_path / "big.txt"
    big.write_text("".join(f"{(i * 7919) % 100003} {(i * 104729 + 1) % 100003}\n" for i in range(300000)))
    size = big.stat().st_size
    plain = kolsim.read_edge_list(big, threads=1)
    rec = Recorder()
    watched = kolsim.read_edge_list(big, threads=1, progress=rec)
    assert rec.check_monotone() == {"parse": size}
    assert rec.calls[0] == ("parse", 0, size) and rec.calls[-1] == ("parse", size, size)
    np.testing.assert_array_equal(plain.accounts, watched.accounts)
    assert kolsim.graph_checksum(plain) == kolsim.graph_checksum(watched)


def test_progress_callable_gets_a_str_phase_built_without_a_format_string(wc_graph):
    # python_progress() builds the (str, int, int) arguments as Python objects itself (no "s#"
    # format): without PY_SSIZE_T_CLEAN an "s#" call fails, and the callable would never be called.
    rec = Recorder()
    kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials=100, seed=1, progress=rec)
    assert rec.calls and all(type(p) is str and type(d) is int and type(t) is int for p, d, t in rec.calls)


def _cascades(seed=5):
    from kolsim import cascades as kc
    g = kolsim.uniform_probability(kolsim.erdos_renyi(60, 280, seed=11), 0.05, 0.6, seed=12)
    model = kolsim.IndependentCascade(g)
    lists = []
    for i in range(300):
        t = kolsim.simulate(model, [int(g.accounts[(7 * i) % 60])], seed=seed * 1000 + i)
        lists.append([(int(a), float(s)) for a, s in zip(t.activated, t.step)])
    return g, kc.Cascades.from_lists(g, lists)


@pytest.mark.parametrize("squarem", [False, True])
def test_learn_ic_em_reports_em_iterations_and_keeps_the_result(squarem):
    from kolsim import cascades as kc
    g, c = _cascades()
    plain = kc.learn_ic_em(g, c, max_iterations=300, squarem=squarem)
    rec = Recorder()
    watched = kc.learn_ic_em(g, c, max_iterations=300, squarem=squarem, progress=rec)
    np.testing.assert_array_equal(plain.probability, watched.probability)
    last = rec.check_monotone()
    assert set(last) == {"em prior pass", "em"}
    assert last["em prior pass"] + last["em"] == watched.iterations and last["em"] > 1
    assert rec.calls[0] == ("em prior pass", 0, 300)


def test_learn_netrate_reports_iterations_and_keeps_the_result():
    from kolsim import cascades as kc
    g, c = _cascades()
    plain = kc.learn_netrate(g, c, max_iterations=200)
    rec = Recorder()
    watched = kc.learn_netrate(g, c, max_iterations=200, progress=rec)
    np.testing.assert_array_equal(plain["rate"], watched["rate"])
    n = watched["iterations"]
    assert rec.check_monotone() == {"netrate": n}
    assert rec.calls[0] == ("netrate", 0, 200) and rec.calls[-1] == ("netrate", n, n)
    assert "progress" in inspect.signature(kc.learn_ic_em).parameters
    with pytest.raises(TypeError, match="did you mean 'max_iterations'"):
        kc.learn_netrate(g, c, max_iteration=5)


def test_cascade_predictors_take_seed_none_int_or_generator_and_record_it():
    from kolsim import cascades as kc
    g, c = _cascades()
    model = kolsim.IndependentCascade(g)
    first = int(g.accounts[0])
    fresh = kc.predict_cascade(model, [first], trials=50, seed=None)
    again = kc.predict_cascade(model, [first], trials=50, seed=fresh.seed)
    np.testing.assert_array_equal(fresh.sizes, again.sizes)
    assert kc.predict_cascade(model, [first], trials=50, seed=9).seed == 9
    a = kc.predict_cascade(model, [first], trials=50, seed=np.random.default_rng(3))
    b = kc.predict_cascade(model, [first], trials=50, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(a.sizes, b.sizes)
    ev = kc.evaluate_predictions(model, c, trials=20, seed=None)
    assert ev["median_abs_log_error"] == kc.evaluate_predictions(model, c, trials=20, seed=ev["seed"])["median_abs_log_error"]
    r = kc.continuous_reach(g, [first], [1e9], trials=20, seed=np.random.default_rng(4))
    assert isinstance(r["seed"], int)
    s1 = kc.split_by_cascade(c, 0.3, seed=np.random.default_rng(8))
    s2 = kc.split_by_cascade(c, 0.3, seed=np.random.default_rng(8))
    np.testing.assert_array_equal(s1[1], s2[1])
    with pytest.raises(TypeError, match="seed must be"):
        kc.predict_cascade(model, [first], seed="x")


def test_progress_rejects_other_values(wc_graph):
    with pytest.raises(TypeError, match="progress must be"):
        kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials=64, progress="yes")


def test_a_raising_progress_callable_is_reported_once_and_does_not_change_the_result(wc_graph, monkeypatch):
    calls = []

    def boom(phase, done, total):
        calls.append(done)
        raise RuntimeError("callback failed")

    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    model = kolsim.IndependentCascade(wc_graph)
    r = kolsim.estimate_spread(model, [0], trials=20000, seed=1, progress=boom)
    assert len(calls) == 1 and len(seen) == 1 and str(seen[0]) == "callback failed"
    assert r.mean == kolsim.estimate_spread(model, [0], trials=20000, seed=1).mean


# ----------------------------------------------------------------------------------------------
# Seeds (SPEC 7)


def test_seed_none_draws_fresh_entropy_recorded_in_the_result(wc_graph):
    model = kolsim.IndependentCascade(wc_graph)
    a = kolsim.estimate_spread(model, [0, 1], trials=2000, seed=None)
    b = kolsim.estimate_spread(model, [0, 1], trials=2000, seed=None)
    assert a.seed != b.seed
    again = kolsim.estimate_spread(model, [0, 1], trials=2000, seed=a.seed)
    assert again.mean == a.mean and again.seed == a.seed
    r = kolsim.imm(model, 3, epsilon=0.3, seed=None)
    assert kolsim.imm(model, 3, epsilon=0.3, seed=r.seed).seeds.tolist() == r.seeds.tolist()
    s = kolsim.select_seeds(model, 3, method="opim-c", epsilon=0.3, seed=None)
    assert s.seed == s.seed and kolsim.select_seeds(model, 3, method="opim-c", epsilon=0.3,
                                                      seed=s.seed).seeds.tolist() == s.seeds.tolist()


def test_seed_accepts_a_generator_and_advances_it(wc_graph):
    model = kolsim.IndependentCascade(wc_graph)
    a = kolsim.estimate_spread(model, [0], trials=1000, seed=np.random.default_rng(5))
    b = kolsim.estimate_spread(model, [0], trials=1000, seed=np.random.default_rng(5))
    assert a.mean == b.mean and a.seed == b.seed
    rng = np.random.default_rng(5)
    first = kolsim.estimate_spread(model, [0], trials=1000, seed=rng)
    second = kolsim.estimate_spread(model, [0], trials=1000, seed=rng)
    assert first.seed != second.seed
    assert kolsim.erdos_renyi(50, 100, seed=np.random.default_rng(2)).num_edges == 100


def test_seed_int_is_recorded(wc_graph):
    assert kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials=64, seed=9).seed == 9
    assert kolsim.select_seeds(kolsim.IndependentCascade(wc_graph), 2, method="celf", trials=10, seed=9).seed == 9


def test_bad_seed_type_is_named():
    with pytest.raises(TypeError, match="seed must be None, an int or a numpy.random.Generator, got str"):
        kolsim.erdos_renyi(10, 10, seed="1")


def test_a_typo_in_a_keyword_names_it_and_the_valid_ones(wc_graph):
    with pytest.raises(TypeError) as info:
        kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trails=10)
    msg = str(info.value)
    assert "'trails'" in msg and "did you mean 'trials'" in msg and "valid arguments:" in msg
    assert "incompatible function arguments" not in msg and len(msg) < 400


def test_a_wrong_type_names_the_argument(wc_graph):
    with pytest.raises(TypeError) as info:
        kolsim.estimate_spread(kolsim.IndependentCascade(wc_graph), [0], trials="many")
    msg = str(info.value)
    assert "'trials' must be int, got str" in msg and "Overloaded" not in msg and len(msg) < 300
    with pytest.raises(TypeError, match="'model' must be"):
        kolsim.imm(wc_graph, 3)


# ----------------------------------------------------------------------------------------------
# Loaders


def test_from_edges_accepts_an_m_by_2_array():
    edges = np.array([[5, 6], [6, 7], [7, 5]])
    g = kolsim.from_edges(edges)
    assert g.num_edges == 3 and sorted(kolsim.to_networkx(g).edges()) == [(5, 6), (6, 7), (7, 5)]
    with pytest.raises(ValueError, match=r"\(m, 2\)"):
        kolsim.from_edges(np.zeros((3, 3), dtype=np.int64))


def test_selected_seeds_are_int64(wc_graph):
    model = kolsim.IndependentCascade(wc_graph)
    for r in (kolsim.imm(model, 3, epsilon=0.3), kolsim.top_degree(wc_graph, 3),
              kolsim.select_seeds(model, 3, method="degree"), kolsim.celf(model, 2, trials=10)):
        assert r.seeds.dtype == np.int64
        assert (r.seeds - 1).dtype == np.int64  # numpy arithmetic keeps them integers


def test_huge_account_ids_stay_uint64():
    g = kolsim.from_edges(np.array([2**63 + 5], dtype=np.uint64), np.array([1], dtype=np.uint64))
    r = kolsim.top_degree(g, 1)
    assert r.seeds.dtype == np.uint64 and r.seeds.tolist() == [2**63 + 5]


def test_from_networkx_flip():
    nx = pytest.importorskip("networkx")
    G = nx.DiGraph()
    G.add_edges_from([(1, 2), (2, 3)])  # (not nx.DiGraph(list): it probes for pandas, an ImportWarning)
    assert sorted(kolsim.to_networkx(kolsim.from_networkx(G, flip=True)).edges()) == [(2, 1), (3, 2)]


def test_every_loader_drops_self_loops_by_default(tmp_path):
    nx = pytest.importorskip("networkx")
    sp = pytest.importorskip("scipy.sparse")
    path = tmp_path / "e.txt"
    path.write_text("0 0\n0 1\n")
    G = nx.DiGraph()
    G.add_edges_from([(0, 0), (0, 1)])
    graphs = [kolsim.from_edges([0, 0], [0, 1]), kolsim.read_edge_list(path), kolsim.from_networkx(G),
              kolsim.from_scipy(sp.csr_matrix(([1.0, 1.0], ([0, 0], [0, 1])), shape=(2, 2)))]
    assert [g.num_edges for g in graphs] == [1, 1, 1, 1]
    for name, sig in (("from_edges", inspect.signature(kolsim.from_edges)),
                      ("read_edge_list", inspect.signature(kolsim.read_edge_list)),
                      ("from_networkx", inspect.signature(kolsim.from_networkx)),
                      ("from_scipy", inspect.signature(kolsim.from_scipy))):
        assert sig.parameters["self_loops"].default == "drop", name
    assert kolsim.from_networkx(G, self_loops="keep").num_edges == 2


@pytest.mark.parametrize("header", ["# Undirected graph: ca-GrQc.txt", "# directed 0", "% sym unweighted"])
def test_an_undirected_header_is_honoured(tmp_path, header):
    path = tmp_path / "snap.txt"
    path.write_text(f"{header}\n# Nodes: 3 Edges: 2\n1 2\n2 3\n")
    assert kolsim.read_edge_list(path).num_edges == 4
    assert kolsim.read_edge_list(path, undirected=False).num_edges == 2


def test_a_directed_header_stays_directed(tmp_path):
    path = tmp_path / "snap.txt"
    path.write_text("# Directed graph (each unordered pair of nodes is saved once): Slashdot\n1 2\n2 3\n")
    assert kolsim.read_edge_list(path).num_edges == 2


# ----------------------------------------------------------------------------------------------
# Spelling, summary, results, reprs, signatures


@pytest.mark.parametrize("old, new", [("lt_normalise", "lt_normalize"), ("maximise_opinion", "maximize_opinion"),
                                      ("polarisation", "polarization"),
                                      ("polarisation_disagreement_index", "polarization_disagreement_index")])
def test_british_names_are_deprecated_aliases(tiny_graph, old, new):
    assert new in kolsim.__all__
    args = {"lt_normalize": (tiny_graph,), "maximize_opinion": (tiny_graph, 1, np.zeros(6), 0.5),
            "polarization": (np.linspace(0, 1, 6),),
            "polarization_disagreement_index": (tiny_graph, np.linspace(0, 1, 6))}[new]
    expected = getattr(kolsim, new)(*args)
    with pytest.warns(DeprecationWarning, match=f"use kolsim.{new}"):
        got = getattr(kolsim, old)(*args)
    assert type(got) is type(expected)


def test_blockers_neighbourhood_is_deprecated(wc_graph):
    model = kolsim.CompetitiveIC(wc_graph)
    r = kolsim.select_blockers(model, [0, 1], 2, method="neighborhood", seed=1, evaluation_trials=200)
    with pytest.warns(DeprecationWarning, match="neighborhood"):
        old = kolsim.select_blockers(model, [0, 1], 2, method="neighbourhood", seed=1, evaluation_trials=200)
    assert old.seeds.tolist() == r.seeds.tolist()


def test_one_graph_summary(tiny_graph):
    s = tiny_graph.summary()
    assert s["vertices"] == 6
    for old in ("summary", "summarize"):
        with pytest.warns(DeprecationWarning, match="FollowerGraph.summary"):
            assert getattr(kolsim, old)(tiny_graph) == s


def test_select_blockers_result_has_saved_and_its_error(wc_graph):
    r = kolsim.select_blockers(kolsim.CompetitiveIC(wc_graph), [0, 1], 2, worlds=200, seed=2,
                               evaluation_trials=300)
    assert isinstance(r, kolsim.BlockingResult)
    assert r.saved == r.extra["saved"] and r.saved_std_error == r.extra["saved_error"] > 0
    assert r.reach_before - r.reach_after == pytest.approx(r.saved)
    assert len(r.seeds) == 2 and r.seed == 2 and "saved=" in repr(r)


def test_roster_and_audience_reprs(tiny_graph):
    roster = kolsim.Roster(tiny_graph, [10, 20, 30], [100.0, 50.0, 10.0])
    assert repr(roster) == "Roster(3 KOLs [10, 20, 30], fees 10..100, graph of 6 accounts)"
    audience = kolsim.Audience(np.ones(6), g=tiny_graph)
    assert repr(audience).startswith("Audience(6 accounts, weights 1..1 (total 6)")


def _public_functions():
    for name in kolsim.__all__:
        obj = getattr(kolsim, name)
        if callable(obj) and not isinstance(obj, type):
            yield name, obj


@pytest.mark.parametrize("name, fn", list(_public_functions()))
def test_inspect_signature_works_and_help_shows_the_doc_once(name, fn):
    sig = inspect.signature(fn)
    assert "*args" not in str(sig) and "**kwargs" not in str(sig) or name == "select_seeds"
    assert "handle" not in str(sig)
    text = pydoc.render_doc(fn, renderer=pydoc.plaintext)
    first = (fn.__doc__ or "").strip().split("\n")[0]
    assert first, f"{name} has no docstring"
    assert text.count(first) == 1, text
    assert "Overloaded function" not in text


def test_long_calls_take_progress():
    for name in ("estimate_spread", "imm", "opim_c", "greedy", "celf", "celf_plus_plus", "select_seeds",
                 "read_edge_list", "select_blockers", "plan_campaign", "degroot", "friedkin_johnsen",
                 "maximize_opinion", "estimate_competition"):
        assert "progress" in inspect.signature(getattr(kolsim, name)).parameters, name
    assert "seed" in inspect.signature(kolsim.estimate_spread).parameters


# ----------------------------------------------------------------------------------------------
# Opinion solvers, per-account arrays


def test_degroot_warns_when_it_does_not_converge(tiny_graph):
    x0 = np.linspace(0, 1, 6)
    with pytest.warns(kolsim.ConvergenceWarning, match="did not converge in 2 iterations"):
        r = kolsim.degroot(tiny_graph, x0, steps=2)
    assert not r.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kolsim.degroot(tiny_graph, x0, steps=2, tol=0)  # fixed number of steps: no warning
        assert kolsim.degroot(tiny_graph, x0).converged


def test_friedkin_johnsen_iterate_warns_when_it_does_not_converge(tiny_graph):
    with pytest.warns(kolsim.ConvergenceWarning, match="friedkin_johnsen"):
        kolsim.friedkin_johnsen(tiny_graph, np.linspace(0, 1, 6), 0.9, method="iterate", steps=1)


def test_per_account_lines_values_up_with_isolated_accounts():
    g = kolsim.from_edges([10, 20], [20, 30], extra_accounts=[99, 5])
    innate = kolsim.per_account(g, {10: 1.0, 30: 0.5}, fill=0.0)
    assert innate.tolist() == [0.0 if a not in (10, 30) else {10: 1.0, 30: 0.5}[a] for a in g.accounts.tolist()]
    assert kolsim.per_account(g, (np.array([5, 99]), np.array([2.0, 3.0])))[g.index_of(99)] == 3.0
    assert kolsim.by_account(g, innate)[10] == 1.0
    with pytest.raises(IndexError, match="account 7"):
        kolsim.per_account(g, {7: 1.0})
