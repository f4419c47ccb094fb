# SPDX-License-Identifier: MIT
"""Pickling: every class kolsim._core exposes has a decision. Results round-trip equal (every
public attribute, arrays with their dtype); a refused class raises TypeError saying why; inputs
(graphs, models, rosters) are listed as such. A new class without a decision fails
test_every_core_class_has_a_decision."""
import copy
import inspect
import math
import pickle

import numpy as np
import pytest

import kolsim
from kolsim import _core


@pytest.fixture(scope="module")
def world():
    g = kolsim.weighted_cascade(kolsim.from_edges([10, 10, 20, 30, 40], [20, 30, 40, 40, 50]))
    return g, kolsim.IndependentCascade(g)


def _spread(w):
    return kolsim.estimate_spread(w[1], [10], trials=200, seed=1, per_account=True)


def _spread_plain(w):
    return kolsim.estimate_spread(w[1], [10, 20], trials=100, seed=2)


def _edge_list_report(w, tmp_path_factory):
    path = tmp_path_factory.mktemp("pickle") / "edges.txt"
    path.write_text("# comment\n1 2\n2 3\n\n3 1\n")
    return kolsim.read_edge_list(path, return_report=True)[1]


def _competitive(w):
    return kolsim.CompetitiveIC(w[0])


def _opinion(w):
    g = w[0]
    return kolsim.friedkin_johnsen(g, np.linspace(-1, 1, g.num_vertices), 0.5, method="iterate", steps=50,
                                   record_trajectory=True)


def _plan(w):
    g, model = w
    roster = kolsim.Roster(g, g.accounts[:3], [1.0, 1.0, 1.0])
    return kolsim.plan_campaign(model, roster, max_kols=1, check_trials=100, epsilon=0.5, seed=1)


def _replan(w):
    g, model = w
    roster = kolsim.Roster(g, g.accounts[:3], [1.0, 1.0, 1.0])
    plan = kolsim.plan_campaign(model, roster, max_kols=2, check_trials=100, epsilon=0.5, seed=1)
    return kolsim.replan_without(model, roster, plan, int(plan.seeds[0]))


def _cascades(w):
    from kolsim import cascades as kc

    return kc.Cascades.from_lists(w[0], [[(10, 0), (20, 5), (40, 9)], [(30, 1), (40, 2)]])


def _learned(w):
    from kolsim import cascades as kc

    return kc.learn_ic_em(w[0], _cascades(w))


def _size_distribution(w):
    from kolsim import cascades as kc

    return kc.predict_cascade(w[1], [10], trials=20, seed=1)


def _parse_error(w, tmp_path_factory):
    path = tmp_path_factory.mktemp("pickle") / "bad.txt"
    path.write_text("1 2\n1 x\n")
    with pytest.raises(kolsim.ParseError) as info:
        kolsim.read_edge_list(path)
    return info.value


def _multiplex_result(kind):
    from kolsim import multiplex as mp
    mx = mp.from_edge_lists({"x": ([1], [2], [0.5]), "y": ([10], [20], [0.4])},
                            identity=[(100, "x", 1), (100, "y", 10), (200, "x", 2), (200, "y", 20)],
                            cross_posting={("x", "y"): 0.3, ("y", "x"): 0.0})
    if kind == "spread":
        return mp.spread(mx, [(100, "x")], trials=100, seed=1)
    if kind == "exact":
        return mp.exact(mx, [(100, "x")])
    if kind == "plan":
        return mp.plan(mx, [(100, "x", 1.0)], budget=1.0, check_trials=100, seed=1)
    if kind == "compete":
        return mp.estimate_competition(mx, [(100, "x")], [(200, "y")], trials=100, seed=1)
    if kind == "exact_compete":
        return mp.exact_competition(mx, [(100, "x")], [(200, "y")])
    if kind == "block":
        return mp.block(mx, [(100, "x")], 1, trials=5, evaluation_trials=10)
    return mp.select(mx, 1, epsilon=0.5, seed=1)


# Results: class name -> factory(world[, tmp_path_factory]) of an instance (round trip must be equal).
PICKLED = {
    "SpreadEstimate": _spread,
    "ExactResult": lambda w: kolsim.exact_spread(w[1], [10]),
    "Trace": lambda w: kolsim.simulate(w[1], [10], seed=3),
    "SelectResult": lambda w: kolsim.imm(w[1], 2, epsilon=0.5, seed=1),
    "BuildReport": lambda w: _core.build_graph([1, 2, 2], [2, 3, 3])[1],
    "EdgeListReport": _edge_list_report,
    "CompetitiveTrace": lambda w: kolsim.simulate_competition(_competitive(w), [10], [20], seed=1),
    "CompetitiveEstimate": lambda w: kolsim.estimate_competition(_competitive(w), [10], [20], trials=100, seed=1),
    "CountEstimate": lambda w: kolsim.estimate_competition(_competitive(w), [10], [20], trials=100).saved,
    "ExactCompetition": lambda w: kolsim.exact_competition(_competitive(w), [10], [20]),
    "ExactCount": lambda w: kolsim.exact_competition(_competitive(w), [10], [20]).misleading,
    "OpinionResult": _opinion,
    "ParseError": _parse_error,
    "Cascades": _cascades,
}
# Refused: class name -> (factory, words the TypeError must contain to say why).
REFUSED = {
    "MultiplexEstimate": (lambda w: _multiplex_result("spread"), "re-run multiplex_spread"),
    "MultiplexExact": (lambda w: _multiplex_result("exact"), "re-run multiplex_exact"),
    "MultiplexSelection": (lambda w: _multiplex_result("select"), "re-run multiplex_select"),
    "CampaignPlan": (_plan, "save_json"),
    "MultiplexPlan": (lambda w: _multiplex_result("plan"), "save_json"),
    "MultiplexCompetitiveEstimate": (lambda w: _multiplex_result("compete"), "re-run multiplex_compete"),
    "MultiplexExactCompetition": (lambda w: _multiplex_result("exact_compete"), "re-run multiplex_exact_competition"),
    "MultiplexBlocking": (lambda w: _multiplex_result("block"), "re-run multiplex_block"),
    "ReplanResult": (_replan, "CampaignPlan"),
    "LearnedProbabilities": (_learned, ".graph"),
    "SizeDistribution": (_size_distribution, ".sizes"),
}
# Not results: inputs that are rebuilt from their files or arrays, never returned as an answer.
NOT_RESULTS = {
    "FollowerGraph": "input (save_snapshot/load_snapshot)",
    "IndependentCascade": "model: a graph plus a rule",
    "LinearThreshold": "model: a graph plus a rule",
    "CompetitiveIC": "model: two graphs plus a tie rule",
    "CompetitiveLT": "model: a graph (docs/models.md)",
    "TriggeringModel": "model: a graph plus a sampler name",
    "ComplexContagion": "model: a graph plus thresholds",
    "ContinuousIC": "model: a graph plus delays and a horizon (pickles; test_time_critical.py)",
    "Multiplex": "input: platform layers plus an identity table",
    "Roster": "input read from a CSV",
    "Audience": "input read from a CSV",
}


def _core_classes():
    return sorted(name for name, obj in vars(_core).items() if isinstance(obj, type) and not name.startswith("_"))


def _make(factory, world, tmp_path_factory):
    if len(inspect.signature(factory).parameters) == 2:
        return factory(world, tmp_path_factory)
    return factory(world)


def _same(a, b, where="value"):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif type(a).__module__ == "kolsim._core":
        assert type(b) is type(a), where
        names = [n for n in dir(type(a)) if not n.startswith("_") and isinstance(getattr(type(a), n), property)]
        assert names, f"{where}: no public attributes to compare"
        for n in names:
            _same(getattr(a, n), getattr(b, n), f"{where}.{n}")
    elif isinstance(a, BaseException):
        assert type(b) is type(a) and str(a) == str(b) and vars(a) == vars(b), where
        assert (a.file, a.line) == (b.file, b.line), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(b) is type(a) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert type(b) is type(a) and a == b, f"{where}: {a!r} != {b!r}"


def test_every_core_class_has_a_decision():
    decided = set(PICKLED) | set(REFUSED) | set(NOT_RESULTS)
    missing = [c for c in _core_classes() if c not in decided]
    assert not missing, f"classes without a pickle decision (add them to test_pickle.py): {missing}"
    stale = decided - set(_core_classes())
    assert not stale, f"decisions for classes kolsim._core no longer has: {sorted(stale)}"


@pytest.mark.parametrize("name", sorted(PICKLED))
def test_results_round_trip(name, world, tmp_path_factory):
    value = _make(PICKLED[name], world, tmp_path_factory)
    assert type(value).__name__ == name
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = pickle.loads(pickle.dumps(value, protocol=protocol))
        _same(value, back, name)
    _same(value, copy.deepcopy(value), name)


def test_optional_fields_round_trip(world):
    e = _spread_plain(world)
    assert e.activation_probability is None
    back = pickle.loads(pickle.dumps(e))
    assert back.activation_probability is None and back.mean == e.mean


def test_bad_state_is_a_clear_error():
    with pytest.raises(ValueError, match="ExactResult.*5 fields"):
        kolsim.ExactResult.__new__(kolsim.ExactResult).__setstate__((1.0,))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_results_say_why(name, world):
    factory, why = REFUSED[name]
    value = factory(world)
    assert type(value).__name__ == name
    with pytest.raises(TypeError, match=f"cannot pickle kolsim.{name}: .*{why}"):
        pickle.dumps(value)
    with pytest.raises(TypeError, match=f"cannot pickle kolsim.{name}"):
        copy.deepcopy(value)


def test_python_level_results_round_trip(world):
    r = kolsim.select_seeds(world[1], 2, method="degree")
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is kolsim.SelectionResult and back.method == r.method
    assert np.array_equal(back.seeds, r.seeds) and back.seeds.dtype == r.seeds.dtype
    assert back.extra == r.extra and back.phase_seconds == r.phase_seconds
    t = pickle.loads(pickle.dumps(r.table()))
    assert t.columns == r.table().columns and t.rows == r.table().rows
    s = world[0].summary()  # the graph summary is a plain dict
    assert pickle.loads(pickle.dumps(s)) == s


def test_blocking_result_round_trips(world):
    # BlockingResult (Python level, issue 13) wraps the compiled SelectResult: pickled with it.
    r = kolsim.select_blockers(_competitive(world), [10], 1, worlds=50, evaluation_trials=50, seed=1)
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is kolsim.BlockingResult
    assert (back.saved, back.saved_std_error, back.seed) == (r.saved, r.saved_std_error, r.seed)
    _same(r.result, back.result, "BlockingResult.result")
    assert np.array_equal(copy.deepcopy(r).seeds, r.seeds)
