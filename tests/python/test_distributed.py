# SPDX-License-Identifier: MIT
"""kolsim.distributed on mpi4py communicators, run by ctest under ``mpirun -np 1, 2, 3``
(pytest_distributed_np*, label mpi): every rank runs this session and calls the collectives in
the same order. Results are compared bit for bit with the serial kolsim functions run on each
rank; a bad argument on one rank must raise the same exception, with the same message, on all.

Outside mpirun (the plain pytest run) the module is skipped: KOLSIM_MPI_TEST is set by ctest."""
import inspect
import os
import struct

import numpy as np
import pytest

if not os.environ.get("KOLSIM_MPI_TEST"):
    pytest.skip("run by ctest under mpirun (pytest_distributed_np*)", allow_module_level=True)
MPI = pytest.importorskip("mpi4py.MPI")
pytest.importorskip("kolsim._distributed")

import kolsim  # noqa: E402
import kolsim.distributed as kd  # noqa: E402

COMM = MPI.COMM_WORLD


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same_array(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


@pytest.fixture(scope="module")
def ic_model():
    return kolsim.IndependentCascade(kolsim.weighted_cascade(kolsim.preferential_attachment(1500, 3, seed=11)))


@pytest.fixture(scope="module")
def lt_model():
    g = kolsim.random_lt_weights(kolsim.erdos_renyi(800, 4000, seed=12), seed=13)
    return kolsim.LinearThreshold(g)


def same_estimate(d, s) -> None:
    assert d.trials == s.trials
    assert bits(d.mean) == bits(s.mean)
    assert bits(d.std_error) == bits(s.std_error)
    assert bits(d.ci_low) == bits(s.ci_low) and bits(d.ci_high) == bits(s.ci_high)
    assert d.edges_examined == s.edges_examined
    same_array(d.new_per_step, s.new_per_step)
    if s.activation_probability is None:
        assert d.activation_probability is None
    else:
        same_array(d.activation_probability, s.activation_probability)


@pytest.mark.parametrize("which", ["ic", "lt"])
@pytest.mark.parametrize("fused", [True, False])
def test_estimate_spread_equals_one_process(which, fused, ic_model, lt_model):
    model = ic_model if which == "ic" else lt_model
    seeds = model.graph.accounts[[0, 3, 9]]
    kw = dict(trials=3000, seed=5, per_account=True, fused=fused)
    d = kd.estimate_spread(model, seeds, threads=1, comm=COMM, **kw)
    s = kolsim.estimate_spread(model, seeds, threads=2, **kw)
    same_estimate(d, s)
    # Every rank holds the whole estimate.
    assert len(set(COMM.allgather(bits(d.mean)))) == 1


def test_estimate_spread_adaptive_and_weighted(ic_model):
    seeds = [int(ic_model.graph.accounts[1])]
    w = np.linspace(0.5, 2.0, ic_model.graph.num_vertices)
    kw = dict(trials=500, seed=9, target_relative_error=0.02, max_trials=20000, account_weights=w, max_steps=3)
    same_estimate(kd.estimate_spread(ic_model, seeds, **kw), kolsim.estimate_spread(ic_model, seeds, **kw))


@pytest.mark.parametrize("which", ["ic", "lt"])
def test_imm_equals_one_process(which, ic_model, lt_model):
    model = ic_model if which == "ic" else lt_model
    kw = dict(epsilon=0.3, seed=7)
    d = kd.imm(model, 5, threads=1, comm=COMM, **kw)
    s = kolsim.imm(model, 5, threads=2, **kw)
    same_array(d.seeds, s.seeds)
    same_array(d.marginal_gains, s.marginal_gains)
    assert d.rr_sets == s.rr_sets
    assert bits(d.spread) == bits(s.spread)
    assert bits(d.approximation) == bits(s.approximation)
    for key in ("theta", "lower_bound", "estimation_epsilon"):
        assert bits(float(d.extra[key])) == bits(float(s.extra[key])), key
    st = d.extra["distributed"]
    assert st["ranks"] == COMM.size
    assert COMM.allreduce(st["local_sets"]) >= d.extra["theta"]


def test_imm_candidates_and_fixed_seeds(ic_model):
    acc = ic_model.graph.accounts
    kw = dict(epsilon=0.4, seed=3, candidates=acc[:400], fixed_seeds=[int(acc[0])])
    d = kd.imm(ic_model, 4, comm=COMM, **kw)
    s = kolsim.imm(ic_model, 4, **kw)
    same_array(d.seeds, s.seeds)
    assert d.rr_sets == s.rr_sets


@pytest.mark.parametrize("which", ["ic", "lt"])
def test_opim_c_equals_one_process(which, ic_model, lt_model):
    model = ic_model if which == "ic" else lt_model
    kw = dict(epsilon=0.3, seed=8)
    d = kd.opim_c(model, 5, threads=1, comm=COMM, **kw)
    s = kolsim.opim_c(model, 5, threads=2, **kw)
    same_array(d.seeds, s.seeds)
    same_array(d.marginal_gains, s.marginal_gains)
    assert d.rr_sets == s.rr_sets
    for key in ("certified_ratio", "lower_bound", "upper_bound"):
        assert bits(float(d.extra[key])) == bits(float(s.extra[key])), key
    assert d.extra["rounds"] == s.extra["rounds"]
    assert d.extra["validation_sets"] == s.extra["validation_sets"]


def test_default_comm_is_world_and_subcommunicators_work(ic_model):
    d = kd.imm(ic_model, 3, epsilon=0.4, seed=2)  # comm=None: COMM_WORLD
    same_array(d.seeds, kolsim.imm(ic_model, 3, epsilon=0.4, seed=2).seeds)
    # Even and odd ranks run separately on their own communicators.
    sub = COMM.Split(COMM.rank % 2, COMM.rank)
    try:
        seed = 20 + COMM.rank % 2
        e = kd.estimate_spread(ic_model, [int(ic_model.graph.accounts[2])], trials=2000, seed=seed, comm=sub)
        same_estimate(e, kolsim.estimate_spread(ic_model, [int(ic_model.graph.accounts[2])], trials=2000, seed=seed))
    finally:
        sub.Free()


def raised_everywhere(exc_type, call):
    """Runs call() on every rank; asserts that every rank raised exc_type with one message."""
    with pytest.raises(exc_type) as info:
        call()
    messages = COMM.allgather(f"{type(info.value).__name__}: {info.value}")
    assert len(set(messages)) == 1, messages
    return str(info.value)


def test_unknown_seed_on_one_rank_raises_everywhere(ic_model):
    last = COMM.size - 1
    seeds = [int(ic_model.graph.accounts[0]), 10**9 if COMM.rank == last else int(ic_model.graph.accounts[1])]
    msg = raised_everywhere(IndexError, lambda: kd.estimate_spread(ic_model, seeds, trials=100, comm=COMM))
    assert "1000000000" in msg


def test_bad_epsilon_on_one_rank_raises_everywhere(ic_model):
    eps = -1.0 if COMM.rank == COMM.size - 1 else 0.3
    msg = raised_everywhere(ValueError, lambda: kd.imm(ic_model, 3, epsilon=eps, seed=1, comm=COMM))
    assert "epsilon" in msg
    msg = raised_everywhere(ValueError, lambda: kd.opim_c(ic_model, 3, epsilon=eps, seed=1, comm=COMM))
    assert "epsilon" in msg


def test_bad_model_or_k_on_one_rank_raises_everywhere(ic_model):
    last = COMM.rank == COMM.size - 1
    model = "not a model" if last else ic_model
    msg = raised_everywhere(TypeError, lambda: kd.imm(model, 3, epsilon=0.3, comm=COMM))
    assert "model" in msg
    k = -2 if last else 3
    raised_everywhere(ValueError, lambda: kd.opim_c(ic_model, k, epsilon=0.3, comm=COMM))
    bad_weights = [[1.0]] if last else None
    raised_everywhere(ValueError, lambda: kd.estimate_spread(ic_model, [int(ic_model.graph.accounts[0])], trials=10,
                                                             account_weights=bad_weights, comm=COMM))
    # After the agreed failures every rank is still in step: a collective call works.
    same_array(kd.imm(ic_model, 2, epsilon=0.5, seed=4, comm=COMM).seeds, kolsim.imm(ic_model, 2, epsilon=0.5, seed=4).seeds)


def test_wrong_keyword_type_on_one_rank_raises_everywhere(ic_model):
    # pybind11 rejects such a call before it reaches C++: the rank must still join the agreement.
    last = COMM.rank == COMM.size - 1
    eps = "small" if last else 0.3
    msg = raised_everywhere(TypeError, lambda: kd.imm(ic_model, 3, epsilon=eps, seed=1, comm=COMM))
    assert "incompatible function arguments" in msg
    roster = kolsim.Roster(ic_model.graph, ic_model.graph.accounts[:20], fees=[1.0] * 20)
    budget = "x" if last else 3.0
    raised_everywhere(TypeError, lambda: kd.plan_campaign(ic_model, roster, budget=budget, check_trials=50, comm=COMM))
    # still in step afterwards
    same_array(kd.imm(ic_model, 2, epsilon=0.5, seed=4, comm=COMM).seeds, kolsim.imm(ic_model, 2, epsilon=0.5, seed=4).seeds)
    sig = inspect.signature(kd.imm)
    assert list(sig.parameters)[:3] == ["model", "k", "epsilon"] and \
        sig.parameters["comm"].kind is inspect.Parameter.KEYWORD_ONLY


def test_comm_must_be_an_mpi4py_intracommunicator(ic_model):
    with pytest.raises(TypeError, match="mpi4py"):
        kd.imm(ic_model, 2, comm=42)
    with pytest.raises(ValueError, match="COMM_NULL"):
        kd.imm(ic_model, 2, comm=MPI.COMM_NULL)


def test_comm_self_is_one_process(ic_model):
    d = kd.opim_c(ic_model, 3, epsilon=0.4, seed=6, comm=MPI.COMM_SELF)
    assert d.extra["distributed"]["ranks"] == 1
    same_array(d.seeds, kolsim.opim_c(ic_model, 3, epsilon=0.4, seed=6).seeds)


def same_competition(d, s) -> None:
    assert type(d) is type(s) is kolsim.CompetitiveEstimate
    for name in ("misleading", "corrective", "saved", "misleading_alone"):
        a, b = getattr(d, name), getattr(s, name)
        for field in ("mean", "std_error", "ci_low", "ci_high"):
            assert bits(getattr(a, field)) == bits(getattr(b, field)), (name, field)
    same_array(d.misleading_per_step, s.misleading_per_step)
    same_array(d.corrective_per_step, s.corrective_per_step)
    assert d.trials == s.trials and d.edges_examined == s.edges_examined


@pytest.fixture(scope="module")
def competitive_models(ic_model, lt_model):
    return {"ic": kolsim.CompetitiveIC(ic_model.graph, tie_rule="random", correction_delay=1),
            "lt": kolsim.CompetitiveLT(kolsim.weighted_cascade(lt_model.graph))}


@pytest.mark.parametrize("which", ["ic", "lt"])
def test_estimate_competition_equals_one_process(which, competitive_models):
    model = competitive_models[which]
    acc = model.graph.accounts
    f, c = acc[[0, 5, 17]], [int(acc[2]), int(acc[40])]
    kw = dict(trials=3001, seed=14, max_steps=6)  # not a multiple of the rank count
    d = kd.estimate_competition(model, f, c, threads=1, comm=COMM, **kw)
    s = kolsim.estimate_competition(model, f, c, threads=2, **kw)
    same_competition(d, s)
    assert d.misleading.mean > 0 and d.corrective.mean > 0
    # Defaults (trials, seed, threads, no deadline) are the serial function's too.
    same_competition(kd.estimate_competition(model, f[:1], c[:1]), kolsim.estimate_competition(model, f[:1], c[:1]))


def test_bad_competition_seeds_on_one_rank_raise_everywhere(competitive_models):
    model = competitive_models["ic"]
    acc = model.graph.accounts
    last = COMM.rank == COMM.size - 1
    f = [int(acc[0]), 10**9] if last else [int(acc[0])]
    msg = raised_everywhere(IndexError, lambda: kd.estimate_competition(model, f, [int(acc[1])], trials=50, comm=COMM))
    assert "1000000000" in msg
    # An account in both campaigns: the C++ check fails on that rank and the failure is agreed.
    c = [int(acc[0])] if last else [int(acc[1])]
    msg = raised_everywhere(ValueError, lambda: kd.estimate_competition(model, [int(acc[0])], c, trials=50, comm=COMM))
    assert "both a misleading and a corrective seed" in msg
    raised_everywhere(TypeError, lambda: kd.estimate_competition(kolsim.IndependentCascade(model.graph) if last
                                                                 else model, [int(acc[0])], [int(acc[1])], comm=COMM))
    # Still in step afterwards.
    same_competition(kd.estimate_competition(model, [int(acc[0])], [int(acc[1])], trials=200, seed=3, comm=COMM),
                     kolsim.estimate_competition(model, [int(acc[0])], [int(acc[1])], trials=200, seed=3))


@pytest.mark.parametrize("phase", ["validated", "classic"])
def test_imm_options_equal_one_process(phase, ic_model):
    kw = dict(epsilon=0.3, seed=5, bound_phase=phase, validation_ratio=3.0)
    d = kd.imm(ic_model, 4, comm=COMM, **kw)
    s = kolsim.imm(ic_model, 4, **kw)
    same_array(d.seeds, s.seeds)
    assert d.rr_sets == s.rr_sets
    for key in ("theta", "lower_bound", "estimation_epsilon", "bound_rounds"):
        assert bits(float(d.extra[key])) == bits(float(s.extra[key])), key


def test_opim_c_max_selection_noise_equals_one_process(ic_model):
    kw = dict(epsilon=0.3, seed=5, max_selection_noise=1.0, selection_ratio=2.0)
    d = kd.opim_c(ic_model, 4, comm=COMM, **kw)
    s = kolsim.opim_c(ic_model, 4, **kw)
    same_array(d.seeds, s.seeds)
    assert d.rr_sets == s.rr_sets and d.extra["rounds"] == s.extra["rounds"]


def test_bad_selector_options_on_one_rank_raise_everywhere(ic_model):
    last = COMM.rank == COMM.size - 1
    msg = raised_everywhere(ValueError, lambda: kd.imm(ic_model, 2, epsilon=0.5, bound_phase="fast" if last
                                                       else "classic", comm=COMM))
    assert "bound_phase" in msg
    msg = raised_everywhere(ValueError, lambda: kd.opim_c(ic_model, 2, epsilon=0.5, max_selection_noise=0.0 if last
                                                          else 0.5, comm=COMM))
    assert "max_selection_noise" in msg


@pytest.mark.parametrize("name", ["estimate_spread", "imm", "opim_c", "estimate_competition", "plan_campaign"])
def test_keywords_and_defaults_are_the_serial_ones(name):
    import re
    from types import SimpleNamespace

    from kolsim import _api

    doc = getattr(kd._distributed, name).__doc__
    assert re.search(r", \*, comm: \w+ = None\)", doc)  # comm: keyword-only, after the serial keywords
    d, _ = _api.core_signature(SimpleNamespace(__doc__=re.sub(r", \*, comm: \w+ = None\)", ")", doc)))
    s, _ = _api.core_signature(getattr(kolsim._core, name))
    # repr: a parsed default may be an object of its own without ==, such as plan_campaign's budget=inf.
    assert [(p.name, repr(p.default)) for p in d.parameters.values()] == \
           [(p.name, repr(p.default)) for p in s.parameters.values()]


def test_plan_campaign_signature_is_the_serial_one_plus_comm():
    import inspect

    d = inspect.signature(kd.plan_campaign).parameters.values()
    s = [p for p in inspect.signature(kolsim.plan_campaign).parameters.values() if p.name != "progress"]
    assert [(p.name, repr(p.default)) for p in d] == [(p.name, repr(p.default)) for p in s] + [("comm", "None")]
    assert list(d)[-1].kind is inspect.Parameter.KEYWORD_ONLY


def test_distributed_stub_matches_the_extension():
    """mypy's stubtest over kolsim._distributed, run by rank 0 in a process of its own (a
    singleton MPI outside the launcher); every rank sees the one outcome."""
    import pathlib
    import subprocess
    import sys

    pytest.importorskip("mypy.stubtest")
    outcome = None
    if COMM.rank == 0:
        root = pathlib.Path(kolsim.__file__).parent.parent
        allowlist = pathlib.Path(__file__).with_name("stubtest_allowlist.txt")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_", "PMI_", "HYDRA_"))}
        env["PYTHONPATH"] = str(root)
        proc = subprocess.run([sys.executable, "-m", "mypy.stubtest", "kolsim._distributed", "--allowlist",
                               str(allowlist), "--ignore-unused-allowlist"], capture_output=True, text=True, env=env,
                              cwd=root, timeout=600)
        outcome = (proc.returncode, proc.stdout[-4000:] + proc.stderr[-2000:])
    code, text = COMM.bcast(outcome, root=0)
    assert code == 0, text


# --- plan_campaign ---------------------------------------------------------------------------

PLAN_VARYING = {"seconds", "peak_bytes", "phase_seconds"}


def stable_record(plan) -> dict:
    import json

    record = {k: v for k, v in json.loads(plan.to_json()).items() if k not in PLAN_VARYING}
    record["parameters"] = {k: v for k, v in record["parameters"].items() if k != "threads"}
    return record


def same_plan(d, s) -> None:
    assert type(d) is type(s) is kolsim.CampaignPlan
    assert type(d.core) is type(s.core) is kolsim._core.CampaignPlan
    same_array(d.seeds, s.seeds)
    assert d.rr_sets == s.rr_sets and d.check_trials == s.check_trials and d.rounds == s.rounds
    for name in ("reach", "reach_se", "reach_ci_low", "reach_ci_high", "accounts_reached", "accounts_reached_se",
                 "reach_rr", "total_fee", "certified_ratio", "lower_bound", "upper_bound"):
        assert bits(getattr(d, name)) == bits(getattr(s, name)), name
    assert [{k: (bits(v) if isinstance(v, float) else v) for k, v in kol.items()} for kol in d.kols] == \
           [{k: (bits(v) if isinstance(v, float) else v) for k, v in kol.items()} for kol in s.kols]
    same_array(d.reach_by_step, s.reach_by_step)
    assert stable_record(d) == stable_record(s)


@pytest.fixture(scope="module")
def plan_inputs(ic_model, lt_model):
    g = ic_model.graph
    acc = g.accounts
    rng = np.random.default_rng(21)
    n = 120
    roster = kolsim.Roster(g, acc[:n], fees=np.round(rng.uniform(1.0, 10.0, n), 2),
                           risks=np.round(rng.uniform(0.0, 0.3, n), 3), platforms=["a", "b"] * (n // 2))
    lt_roster = kolsim.Roster(lt_model.graph, lt_model.graph.accounts[:80], fees=[1.0] * 80)
    groups = np.array(rng.integers(0, 3, g.num_vertices), dtype=np.uint32)
    audience = kolsim.Audience(weights=rng.uniform(0.5, 2.0, g.num_vertices), group_of=groups,
                               group_names=["students", "parents", "teachers"], g=g)
    rates = kolsim.platform_delay_rates(g, roster, {"a": 1.0, "b": 4.0}, default_rate=1.0 / 7200)
    return dict(roster=roster, lt_roster=lt_roster, audience=audience,
                continuous=kolsim.ContinuousIC(g, rate=rates))


PLAN_CASES = {
    "budget": dict(budget=25.0, check_trials=2000, seed=3),
    "deadline_audience": dict(budget=20.0, deadline=2, audience="audience", group_minimums={"students": 5.0},
                              check_trials=1500, seed=4, budget_curve=[5.0, 10.0]),
    "risk_contracted": dict(max_kols=4, max_risk=0.2, risk_mode="expected", risk_penalty=0.5, contracted="first",
                            excluded="second", epsilon=0.2, check_trials=1000, seed=5),
    "greedy_or_single": dict(budget=12.0, method="greedy_or_single", delta=0.01, check_trials=800, seed=6),
    "lt": dict(max_kols=3, check_trials=1000, seed=7),
    "continuous": dict(budget=15.0, deadline_hours=3.0, check_trials=1000, seed=8),
}


@pytest.mark.parametrize("case", sorted(PLAN_CASES))
def test_plan_campaign_equals_one_process(case, ic_model, lt_model, plan_inputs):
    kw = dict(PLAN_CASES[case])
    model, roster = ic_model, plan_inputs["roster"]
    if case == "lt":
        model, roster = lt_model, plan_inputs["lt_roster"]
    if case == "continuous":
        model = plan_inputs["continuous"]
    if kw.get("audience") == "audience":
        kw["audience"] = plan_inputs["audience"]
    acc = roster.entries
    if kw.get("contracted") == "first":
        kw["contracted"], kw["excluded"] = [acc[0]["account"]], [acc[1]["account"]]
    d = kd.plan_campaign(model, roster, threads=1, comm=COMM, **kw)
    s = kolsim.plan_campaign(model, roster, threads=2, **kw)
    assert len(d.kols) > 0
    same_plan(d, s)
    # Same threads: the JSON text is the same byte for byte once the timings are blanked.
    import re

    def blank(text):
        text = re.sub(r'"(seconds|peak_bytes)":[-0-9.e+]+', r'"\1":0', text)
        return re.sub(r'"phase_seconds":\{[^}]*\}', '"phase_seconds":{}', text)

    assert blank(kd.plan_campaign(model, roster, threads=2, comm=COMM, **kw).to_json()) == blank(s.to_json())
    assert len(set(COMM.allgather(blank(d.to_json())))) == 1  # every rank holds the whole plan


def test_plan_campaign_defaults_and_positional(ic_model, plan_inputs):
    roster = plan_inputs["roster"]
    # Positional keywords as the serial function takes them; comm=None: COMM_WORLD.
    same_plan(kd.plan_campaign(ic_model, roster, 20.0, 0, 1.0, "expected", 0.0, None, None, 0.3, check_trials=500),
              kolsim.plan_campaign(ic_model, roster, 20.0, 0, 1.0, "expected", 0.0, None, None, 0.3, check_trials=500))
    # A plan re-plans itself (serially, on each rank) like a serial plan.
    d = kd.plan_campaign(ic_model, roster, budget=15.0, check_trials=500, seed=2, comm=MPI.COMM_SELF)
    s = kolsim.plan_campaign(ic_model, roster, budget=15.0, check_trials=500, seed=2)
    same_plan(d, s)
    r_d, r_s = d.replan_without(int(d.seeds[0])), s.replan_without(int(s.seeds[0]))
    same_array(r_d.replacements, r_s.replacements)
    assert bits(r_d.reach_lost) == bits(r_s.reach_lost)


def serial_error(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


def test_bad_plan_input_on_one_rank_raises_everywhere(ic_model, lt_model, plan_inputs):
    last = COMM.rank == COMM.size - 1
    roster = plan_inputs["roster"]
    kw = dict(budget=10.0, check_trials=200, seed=1)

    def both(bad_kw, good_kw=None):
        """bad_kw on the last rank: every rank raises the error of the serial call with bad_kw."""
        good_kw = good_kw or {}
        kind, message = serial_error(lambda: kolsim.plan_campaign(ic_model, roster, **{**kw, **bad_kw}))
        msg = raised_everywhere(kind, lambda: kd.plan_campaign(ic_model, roster, comm=COMM,
                                                               **{**kw, **(bad_kw if last else good_kw)}))
        assert msg == message
        return kind, msg

    # An unknown contracted account (the planner's own check, agreed by the C++ collective).
    kind, msg = both(dict(contracted=[10**9]))
    assert "1000000000" in msg
    # Bad spec: an unknown risk mode (a conversion), a negative epsilon and budget (the planner).
    assert both(dict(risk_mode="bogus"))[0] is ValueError
    assert both(dict(epsilon=-1.0))[0] is ValueError
    assert both(dict(method="greedy"))[0] is ValueError
    assert both(dict(budget_curve=[[1.0]]))[0] is ValueError
    # A roster bound to another graph (the serial error), and one whose rows differ from rank 0's.
    other = plan_inputs["lt_roster"]
    kind, message = serial_error(lambda: kolsim.plan_campaign(ic_model, other, **kw))
    assert kind is ValueError
    msg = raised_everywhere(ValueError, lambda: kd.plan_campaign(ic_model, other if last else roster, comm=COMM, **kw))
    assert msg == message
    if COMM.size > 1:
        acc = roster.entries
        changed = kolsim.Roster(ic_model.graph, [e["account"] for e in acc],
                                fees=[e["fee"] + (1.0 if i == 3 else 0.0) for i, e in enumerate(acc)])
        msg = raised_everywhere(ValueError, lambda: kd.plan_campaign(ic_model, changed if last else roster, comm=COMM,
                                                                     **kw))
        assert "another graph, roster, audience or spec than rank 0" in msg
    # Wrong kinds of objects on one rank: TypeError everywhere.
    assert "model" in raised_everywhere(TypeError, lambda: kd.plan_campaign("model" if last else ic_model, roster,
                                                                            comm=COMM, **kw))
    assert "roster" in raised_everywhere(TypeError, lambda: kd.plan_campaign(ic_model, [1, 2] if last else roster,
                                                                             comm=COMM, **kw))
    raised_everywhere(TypeError, lambda: kd.plan_campaign(ic_model, roster, audience=[1.0] if last else None,
                                                          comm=COMM, **kw))
    raised_everywhere(TypeError, lambda: kd.plan_campaign(ic_model, roster, group_minimums={"x": "y"} if last else {},
                                                          comm=COMM, **kw))
    # Still in step afterwards.
    same_plan(kd.plan_campaign(ic_model, roster, comm=COMM, **kw), kolsim.plan_campaign(ic_model, roster, **kw))
