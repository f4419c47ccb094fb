# SPDX-License-Identifier: MIT
"""Campaign planning from Python: rosters, audiences, budgets, plan records, re-planning."""
import json

import numpy as np
import pytest

import kolsim


@pytest.fixture(scope="module")
def setting():
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(800, 3, seed=7))
    model = kolsim.IndependentCascade(g)
    accounts = g.accounts[:60]
    fees = np.linspace(1.0, 3.0, 60)
    risks = np.where(np.arange(60) % 7 == 0, 0.5, 0.0)
    roster = kolsim.Roster(g, accounts, fees, risks, platforms=["x"] * 60, tags=[["news"]] * 60)
    return g, model, roster


def test_plan_respects_budget_and_reports(setting, test_seed, tmp_path):
    g, model, roster = setting
    plan = kolsim.plan_campaign(model, roster, budget=6.0, max_kols=4, check_trials=1000, seed=test_seed,
                                epsilon=0.3)
    assert 0 < len(plan.kols) <= 4 and plan.total_fee <= 6.0 + 1e-9
    assert set(plan.seeds.tolist()) <= set(g.accounts[:60].tolist())
    assert plan.reach_ci_low <= plan.reach <= plan.reach_ci_high and plan.reach_se > 0
    assert 0 < plan.certified_ratio <= 1 and plan.rr_sets > 0 and plan.check_trials == 1000
    record = plan.as_dict()
    assert isinstance(record, dict) and json.loads(plan.to_json()) == record
    assert str(plan) == plan.to_table() and "CampaignPlan(" in repr(plan)
    out = tmp_path / "plan.json"
    plan.save_json(out)
    assert json.loads(out.read_text()) == record
    # Independent check of the reported reach.
    est = kolsim.estimate_spread(model, plan.seeds, trials=4000, seed=test_seed + 1,
                                 seed_probabilities=[1 - k["risk"] for k in plan.kols])
    assert abs(est.mean - plan.reach) <= 6 * np.hypot(est.std_error, plan.reach_se)


def test_constraints_and_replan(setting, test_seed):
    g, model, roster = setting
    plan = kolsim.plan_campaign(model, roster, max_kols=3, max_risk=0.2, contracted=[int(g.accounts[1])],
                                excluded=[int(g.accounts[2])], check_trials=500, seed=test_seed, epsilon=0.3)
    chosen = plan.seeds.tolist()
    assert int(g.accounts[2]) not in chosen and int(g.accounts[1]) not in chosen
    assert all(k["risk"] <= 0.2 for k in plan.kols)
    r = kolsim.replan_without(model, roster, plan, chosen[0])
    assert r.dropped == chosen[0] and chosen[0] not in r.replacements.tolist()
    assert "dropping account" in r.to_table()
    with pytest.raises(ValueError):
        kolsim.plan_campaign(model, roster, check_trials=10)  # neither budget nor max_kols
    with pytest.raises(ValueError, match="risk_mode"):
        kolsim.plan_campaign(model, roster, max_kols=2, risk_mode="maybe")


def test_roster_and_audience_files(setting, tmp_path):
    g, model, roster = setting
    assert len(roster) == 60 and roster.entries[0]["tags"] == ["news"]
    path = tmp_path / "roster.csv"
    path.write_text("account,fee,risk\n%d,2.5,0.1\n%d,1,0\n" % (g.accounts[0], g.accounts[5]))
    assert [e["fee"] for e in kolsim.read_roster(path, g).entries] == [2.5, 1.0]
    bad = tmp_path / "bad.csv"
    bad.write_text("account,fee\n%d,-1\n" % g.accounts[0])
    with pytest.raises(kolsim.ParseError) as info:
        kolsim.read_roster(bad, g)
    assert info.value.line == 2
    with pytest.raises(IndexError):
        kolsim.Roster(g, [10**12], [1.0])
    aud_path = tmp_path / "aud.csv"
    aud_path.write_text("account,group\n" + "".join(f"{a},young\n" for a in g.accounts[:200]))
    aud = kolsim.read_audience(aud_path, g, group_weights={"young": 2.0}, other_weight=0.0)
    assert aud.group_names == ["young"] and aud.weights.sum() == pytest.approx(400.0)
    plan = kolsim.plan_campaign(model, roster, max_kols=2, audience=aud, group_minimums={"young": 1.0},
                                check_trials=300, seed=1, epsilon=0.3)
    assert plan.reach <= plan.total_weight
    assert [g["name"] for g in plan.groups] == ["young"] and plan.groups == plan.as_dict()["groups"]
    curve = kolsim.plan_campaign(model, roster, budget=5.0, budget_curve=[2.0, 3.0], check_trials=300, seed=1,
                                 epsilon=0.3).budget_curve
    assert curve and {"source", "budget", "fee", "kols", "reach", "se"} <= set(curve[0])


def test_plan_reports_progress_phases(setting, test_seed):
    """plan_campaign(progress=callable) receives the planner's own phases (selection, sampling,
    evaluation) with counts that never go down, and the plan is the one made without progress."""
    model, roster = setting[1], setting[2]
    reports = []
    quiet = kolsim.plan_campaign(model, roster, budget=3, check_trials=500, seed=test_seed)
    loud = kolsim.plan_campaign(model, roster, budget=3, check_trials=500, seed=test_seed,
                                progress=lambda phase, done, total: reports.append((phase, done, total)))
    assert [k["account"] for k in loud.kols] == [k["account"] for k in quiet.kols] and loud.reach == quiet.reach
    phases = {p for p, _, _ in reports}
    assert {"selection", "sampling", "evaluation"} <= phases, reports
    last = {}
    for phase, done, total in reports:
        assert done >= last.get(phase, 0), reports
        assert total == 0 or done <= total, reports
        last[phase] = done
    assert 0 < last["sampling"] <= loud.rr_sets
