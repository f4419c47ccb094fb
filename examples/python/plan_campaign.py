# SPDX-License-Identifier: MIT
"""
Plan a KOL campaign on a real network
=====================================

Plan a KOL campaign on a real network (NetHEPT via kolsim.datasets when KOLSIM_DATA_DIR is set,
else a generated one) with a generated roster: budget, scandal risk, a target audience with a
group minimum, a deadline; print the plan, re-plan after a scandal, save the run record and the
plots (reach vs budget, reach over time, reach per group) into --out (default: a temp folder).
"""
import argparse
import os
import tempfile

import numpy as np

import kolsim
import kolsim.campaign as kc

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", default=None, help="folder for plan.json and the PNG plots")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
out = args.out or tempfile.mkdtemp(prefix="kolsim-campaign-")
os.makedirs(out, exist_ok=True)

if os.environ.get("KOLSIM_DATA_DIR"):
    graph = kolsim.datasets.load("NetHEPT")
    name = "NetHEPT"
else:
    graph = kolsim.weighted_cascade(kolsim.preferential_attachment(20_000, 4, seed=args.seed))
    name = "generated (preferential attachment, 20,000 accounts)"
model = kolsim.IndependentCascade(graph)
print(f"{name}: {graph.num_vertices} accounts, {graph.num_edges} follower edges")

# 500 KOLs: the 250 with most followers plus 250 others; fees grow with follower count; ~5% risky.
roster = kc.generated_roster(graph, 500, seed=args.seed, base_fee=50.0, fee_per_follower=5.0)
fees = np.array([e["fee"] for e in roster.entries])
budget = float(np.sort(fees)[-10:].sum() / 4)  # a quarter of what the 10 priciest KOLs would cost

# Target audience: a "students" group (every third account) weighs 2, everyone else 1; the
# campaign must reach at least 300 students on average.
accounts = np.asarray(graph.accounts)
groups = np.where(np.arange(len(accounts)) % 3 == 0, "students", "others")
audience = kc.audience_from_groups(graph, accounts, groups.tolist(), {"students": 2.0})

campaign = kc.Campaign(model, roster, budget=budget, max_risk=0.5, audience=audience, deadline=5,
                       group_minimums={"students": 300.0}, epsilon=0.1, check_trials=1_000, seed=args.seed,
                       budget_curve=[budget * f for f in (0.25, 0.5, 0.75)])
plan = campaign.plan()
print(plan.table())

scandal = max(plan.kols, key=lambda k: k["marginal_reach"])["account"]  # the most valuable KOL
print(plan.replan_without(scandal).to_table())

plan.save_json(os.path.join(out, "plan.json"))
for p in plan.save_plots(out):
    print("saved", p)
print("run record", os.path.join(out, "plan.json"))
