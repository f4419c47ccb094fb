# SPDX-License-Identifier: MIT
"""The selector options of ImmOptions / OpimOptions from Python (bound_phase, validation_ratio,
max_selection_noise): they change results as the C++ headers document, bad values raise
ValueError naming the option, and no Python-side default (binding, stub, docstring) drifts from
the C++ option structs."""
import ast
import math
import pathlib
import re

import pytest

import kolsim
from kolsim import _api, _core

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = pathlib.Path(kolsim.__file__).resolve().parent


@pytest.fixture(scope="module")
def model():
    return kolsim.IndependentCascade(kolsim.weighted_cascade(kolsim.preferential_attachment(3000, 3, seed=5)))


def test_classic_bound_phase_draws_more_rr_sets_than_validated(model, test_seed):
    kw = dict(epsilon=0.1, seed=test_seed, threads=1)
    v = kolsim.imm(model, 10, **kw)
    c = kolsim.imm(model, 10, bound_phase="classic", **kw)
    assert v.rr_sets < c.rr_sets, (v.rr_sets, c.rr_sets)
    assert v.extra["theta"] < c.extra["theta"]  # the validated phase proves a tighter lower bound
    assert v.extra["lower_bound"] > c.extra["lower_bound"]
    # The default is the validated phase.
    assert kolsim.imm(model, 10, bound_phase="validated", **kw).rr_sets == v.rr_sets


def test_estimation_epsilon_selects_the_classic_phase(model, test_seed):
    kw = dict(epsilon=0.2, seed=test_seed, estimation_epsilon=0.4)
    a = kolsim.imm(model, 5, bound_phase="validated", **kw)
    b = kolsim.imm(model, 5, bound_phase="classic", **kw)
    assert a.seeds.tolist() == b.seeds.tolist() and a.rr_sets == b.rr_sets
    assert a.extra["estimation_epsilon"] == b.extra["estimation_epsilon"] == 0.4


def test_validation_ratio_changes_the_validated_phase(model, test_seed):
    kw = dict(epsilon=0.1, seed=test_seed)
    counts = {r: kolsim.imm(model, 10, validation_ratio=r, **kw).rr_sets for r in (1.0, 2.0, 8.0)}
    assert len(set(counts.values())) == 3, counts
    assert kolsim.imm(model, 10, **kw).rr_sets == counts[2.0]


def test_max_selection_noise_one_is_the_papers_rule(model, test_seed):
    kw = dict(epsilon=0.3, seed=test_seed)
    paper = kolsim.opim_c(model, 10, max_selection_noise=1.0, **kw)
    default = kolsim.opim_c(model, 10, **kw)
    tight = kolsim.opim_c(model, 10, max_selection_noise=0.02, **kw)
    # A lower bound on the greedy's noise draws more RR sets (never fewer).
    assert paper.rr_sets < default.rr_sets < tight.rr_sets, (paper.rr_sets, default.rr_sets, tight.rr_sets)
    assert paper.extra["validation_sets"] < tight.extra["validation_sets"]


def test_select_seeds_passes_the_options(model):
    r = kolsim.select_seeds(model, 4, method="imm", epsilon=0.3, seed=2, bound_phase="classic", validation_ratio=4)
    s = kolsim.imm(model, 4, epsilon=0.3, seed=2, bound_phase="classic")
    assert r.seeds.tolist() == s.seeds.tolist() and r.rr_sets == s.rr_sets
    o = kolsim.select_seeds(model, 4, method="opim-c", epsilon=0.3, seed=2, max_selection_noise=1.0)
    assert o.rr_sets == kolsim.opim_c(model, 4, epsilon=0.3, seed=2, max_selection_noise=1.0).rr_sets
    with pytest.raises(TypeError, match="max_selection_noise"):
        kolsim.select_seeds(model, 4, method="imm", max_selection_noise=0.5)
    with pytest.raises(TypeError, match="bound_phase"):
        kolsim.select_seeds(model, 4, method="opim-c", bound_phase="classic")


@pytest.mark.parametrize("fn, option, value", [
    ("imm", "bound_phase", "fast"),
    ("imm", "bound_phase", ""),
    ("imm", "validation_ratio", 0.5),
    ("imm", "validation_ratio", 65.0),
    ("imm", "validation_ratio", math.nan),
    ("imm", "estimation_epsilon", 1.0),
    ("opim_c", "max_selection_noise", 0.0),
    ("opim_c", "max_selection_noise", 1.5),
    ("opim_c", "max_selection_noise", math.nan),
    ("opim_c", "selection_ratio", 0.5),
])
def test_bad_option_values_raise_value_error_naming_the_option(model, fn, option, value):
    with pytest.raises(ValueError, match=option):
        getattr(kolsim, fn)(model, 3, epsilon=0.5, **{option: value})


# ----------------------------------------------------------------------------------------------
# Defaults: one source, the C++ option structs.

def struct_defaults(header: str, struct: str) -> dict:
    """`name = value;` members of `struct <struct>` in a C++ header (numbers and enumerators)."""
    text = (ROOT / "include" / "kolsim" / header).read_text()
    body = re.search(r"struct " + struct + r"\b[^{]*\{(.*?)\n\};", text, re.S)
    assert body, f"struct {struct} not found in {header}"
    out = {}
    for name, value in re.findall(r"^\s*[\w:<>]+\s+(\w+)\s*=\s*([^;]+);", body.group(1), re.M):
        value = value.strip()
        if "::" in value:  # an enumerator: ImmBoundPhase::validated -> "validated"
            out[name] = value.rsplit("::", 1)[1]
        elif re.fullmatch(r"[0-9.e+-]+", value):
            out[name] = float(value)
    return out


CXX_DEFAULTS = [
    ("imm", "select/imm.hpp", "ImmOptions",
     ["epsilon", "ell", "estimation_epsilon", "bound_phase", "validation_ratio"]),
    ("opim_c", "select/opim.hpp", "OpimOptions", ["epsilon", "delta", "selection_ratio", "max_selection_noise"]),
    ("estimate_spread", "estimate/monte_carlo.hpp", "MonteCarloOptions",
     ["trials", "target_relative_error", "max_trials"]),
    ("greedy", "select/greedy.hpp", "GreedyOptions", ["trials"]),
    ("estimate_competition", "estimate/competitive_estimate.hpp", "CompetitionOptions", ["trials"]),
]


@pytest.mark.parametrize("fn, header, struct, names", CXX_DEFAULTS)
def test_binding_defaults_are_the_cxx_structs(fn, header, struct, names):
    cxx = struct_defaults(header, struct)
    sig, _ = _api.core_signature(getattr(_core, fn))
    for name in names:
        assert name in cxx, f"{struct}::{name} not found"
        default = sig.parameters[name].default
        assert (default if isinstance(default, str) else float(default)) == cxx[name], (fn, name)
    # SelectOptions' seed and threads too.
    if fn in ("imm", "opim_c", "greedy"):
        common = struct_defaults("select/common.hpp", "SelectOptions")
        assert (sig.parameters["seed"].default, sig.parameters["threads"].default) == (common["seed"],
                                                                                        common["threads"])


def stub_defaults(stub: str) -> dict:
    """{function: {parameter: literal default}} of a .pyi file."""
    tree = ast.parse((PACKAGE / stub).read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            pos = args.posonlyargs + args.args
            pairs = list(zip(pos[len(pos) - len(args.defaults):], args.defaults)) + \
                [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
            out[node.name] = {a.arg: ast.literal_eval(d) for a, d in pairs
                              if not (isinstance(d, ast.Constant) and d.value is Ellipsis)}
    return out


@pytest.mark.parametrize("stub", ["_core.pyi", "_distributed.pyi"])
@pytest.mark.parametrize("fn", ["estimate_spread", "imm", "opim_c", "greedy", "celf", "celf_plus_plus",
                                "estimate_competition"])
def test_stub_defaults_are_the_bindings(stub, fn):
    defaults = stub_defaults(stub)
    if fn not in defaults:
        assert stub == "_distributed.pyi" and fn.startswith(("greedy", "celf")), f"{fn} missing from {stub}"
        return
    sig, _ = _api.core_signature(getattr(_core, fn))
    runtime = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
    stubbed = {k: v for k, v in defaults[fn].items() if k != "comm"}
    assert stubbed == runtime, (stub, fn)


def test_select_seeds_docstring_states_the_cxx_defaults():
    doc = kolsim.select_seeds.__doc__
    assert "{" not in doc
    imm_eps = struct_defaults("select/imm.hpp", "ImmOptions")["epsilon"]
    opim_eps = struct_defaults("select/opim.hpp", "OpimOptions")["epsilon"]
    trials = struct_defaults("select/greedy.hpp", "GreedyOptions")["trials"]
    assert f"{imm_eps!r} for imm" in doc and f"{opim_eps!r} for opim-c" in doc
    assert f"C++ option's,\n        {int(trials)})" in doc


# ----------------------------------------------------------------------------------------------
# Every other Python entry point that runs IMM or OPIM-C takes the same options (bind_options.hpp):
# the triggering-model overloads of imm / opim_c, multiplex_select (and kolsim.multiplex.select)
# and time_critical_imm.

IMM_OWN = ("ell", "estimation_epsilon", "bound_phase", "validation_ratio")
OPIM_OWN = ("delta", "selection_ratio", "max_selection_noise")


@pytest.fixture(scope="module")
def graph():
    return kolsim.weighted_cascade(kolsim.preferential_attachment(3000, 3, seed=5))


@pytest.fixture(scope="module")
def layered(graph):
    """A two-platform multiplex of the same graph, every account its own person."""
    from kolsim import multiplex as mp

    import numpy as np

    ids = graph.accounts
    src = ids[np.repeat(np.arange(graph.num_vertices), np.diff(graph.out_offsets).astype(np.int64))].astype(np.int64)
    dst = ids[graph.out_targets].astype(np.int64)
    p = graph.edge_probs
    return mp.from_edge_lists({"a": (src, dst, p), "b": (src[::2], dst[::2], p[::2])})


def _runner(entry, graph, layered):
    """(imm(**kw), opim_c(**kw)) of an entry point; each returns the result."""
    if entry == "triggering":
        model = kolsim.TriggeringModel(graph, "ic")
        return (lambda k, **kw: kolsim.imm(model, k, **kw), lambda k, **kw: kolsim.opim_c(model, k, **kw))
    if entry == "multiplex":
        from kolsim import multiplex as mp

        return (lambda k, **kw: mp.select(layered, k, method="imm", **kw),
                lambda k, **kw: kolsim.multiplex_select(layered, k, method="opim-c", **kw))
    assert entry == "time_critical"
    return (lambda k, **kw: kolsim.time_critical_imm(graph, 7200.0, k, method="imm", **kw),
            lambda k, **kw: kolsim.time_critical_imm(graph, 7200.0, k, method="opim-c", **kw))


ENTRIES = ["triggering", "multiplex", "time_critical"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_imm_options_reach_every_entry_point(entry, graph, layered, test_seed):
    imm, _ = _runner(entry, graph, layered)
    kw = dict(epsilon=0.1, seed=test_seed, threads=1)
    v = imm(10, **kw)
    c = imm(10, bound_phase="classic", **kw)
    assert v.rr_sets < c.rr_sets, (v.rr_sets, c.rr_sets)  # the validated phase draws fewer, as in imm
    assert imm(10, bound_phase="validated", **kw).rr_sets == v.rr_sets  # the default is validated
    # estimation_epsilon > 0 selects the classic phase whatever bound_phase says.
    a = imm(5, bound_phase="validated", estimation_epsilon=0.4, **kw)
    b = imm(5, bound_phase="classic", estimation_epsilon=0.4, **kw)
    assert a.rr_sets == b.rr_sets
    counts = {r: imm(10, validation_ratio=r, **kw).rr_sets for r in (1.0, 2.0, 8.0)}
    assert len(set(counts.values())) == 3 and counts[2.0] == v.rr_sets, counts
    assert imm(10, ell=3.0, **kw).rr_sets > v.rr_sets  # a smaller failure probability costs RR sets


@pytest.mark.parametrize("entry", ENTRIES)
def test_opim_options_reach_every_entry_point(entry, graph, layered, test_seed):
    _, opim = _runner(entry, graph, layered)
    kw = dict(epsilon=0.3, seed=test_seed, threads=1)
    paper = opim(10, max_selection_noise=1.0, **kw)
    default = opim(10, **kw)
    tight = opim(10, max_selection_noise=0.02, **kw)
    assert paper.rr_sets < default.rr_sets < tight.rr_sets, (paper.rr_sets, default.rr_sets, tight.rr_sets)
    assert opim(10, selection_ratio=4.0, **kw).rr_sets == default.rr_sets
    assert opim(10, selection_ratio=16.0, **kw).rr_sets != default.rr_sets
    assert opim(10, delta=1e-9, **kw).rr_sets != default.rr_sets  # delta reaches the stopping rule


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method, option, value", [
    ("imm", "bound_phase", "fast"),
    ("imm", "bound_phase", ""),
    ("imm", "validation_ratio", 0.5),
    ("imm", "validation_ratio", math.nan),
    ("imm", "estimation_epsilon", 1.0),
    ("imm", "ell", -1.0),
    ("opim", "max_selection_noise", 0.0),
    ("opim", "max_selection_noise", math.nan),
    ("opim", "selection_ratio", 0.5),
    ("opim", "delta", 1.5),
])
def test_bad_values_raise_value_error_at_every_entry_point(entry, graph, layered, method, option, value):
    imm, opim = _runner(entry, graph, layered)
    with pytest.raises(ValueError, match=option):
        (imm if method == "imm" else opim)(3, epsilon=0.5, **{option: value})


@pytest.mark.parametrize("fn", ["multiplex_select", "time_critical_imm"])
def test_an_option_of_the_other_method_is_refused(fn, graph, layered):
    first = layered if fn == "multiplex_select" else graph
    args = (first, 2) if fn == "multiplex_select" else (first, 60.0, 2)
    for method, option, value in (("opim-c", "bound_phase", "classic"), ("opim-c", "validation_ratio", 2.0),
                                  ("imm", "max_selection_noise", 0.5), ("imm", "delta", 0.01)):
        with pytest.raises(TypeError, match=option):
            getattr(kolsim, fn)(*args, method=method, epsilon=0.5, **{option: value})
    from kolsim import multiplex as mp

    with pytest.raises(TypeError, match="selection_ratio"):
        mp.select(layered, 2, method="imm", selection_ratio=2.0)


@pytest.mark.parametrize("fn", ["multiplex_select", "time_critical_imm"])
def test_method_selector_defaults_are_the_cxx_structs(fn):
    imm = struct_defaults("select/imm.hpp", "ImmOptions")
    opim = struct_defaults("select/opim.hpp", "OpimOptions")
    sig, _ = _api.core_signature(getattr(_core, fn))
    for name in IMM_OWN:
        default = sig.parameters[name].default
        assert (default if isinstance(default, str) else float(default)) == imm[name], (fn, name)
    for name in OPIM_OWN:
        assert float(sig.parameters[name].default) == opim[name], (fn, name)
    # One epsilon default serves both methods: it must be both structs' epsilon.
    assert float(sig.parameters["epsilon"].default) == imm["epsilon"] == opim["epsilon"]
    common = struct_defaults("select/common.hpp", "SelectOptions")
    assert (sig.parameters["seed"].default, sig.parameters["threads"].default) == (common["seed"], common["threads"])


def _overloads(fn) -> list:
    """The parameter lists (name, default text) of every pybind11 overload of a compiled function."""
    out = []
    for line in (fn.__doc__ or "").splitlines():
        m = re.match(r"^\s*(?:\d+\. )?" + fn.__name__ + r"\((.*)\) ->", line)
        if m:
            params = re.findall(r"(\w+): [^,=]+(?:\[[^\]]*\])?(?: = ([^,]+))?", m.group(1))
            out.append(params[1:])  # the model's type differs by design
    return out


@pytest.mark.parametrize("fn", ["imm", "opim_c"])
def test_every_overload_has_the_same_keywords_and_defaults(fn):
    overloads = _overloads(getattr(_core, fn))
    assert len(overloads) >= 3, overloads  # IndependentCascade, LinearThreshold, TriggeringModel
    assert all(o == overloads[0] for o in overloads), overloads


@pytest.mark.parametrize("fn", ["time_critical_imm", "multiplex_select"])
def test_method_selector_stubs_are_the_bindings(fn):
    stubbed = stub_defaults("_core.pyi")[fn]
    sig, _ = _api.core_signature(getattr(_core, fn))
    runtime = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
    for name in IMM_OWN + OPIM_OWN + ("epsilon", "seed", "threads", "method"):
        assert name in stubbed, (fn, name)
    # Every literal default of the stub is the binding's (default_rate is "..." in the stub).
    assert {k: runtime[k] for k in stubbed} == stubbed, fn
