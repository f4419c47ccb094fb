# SPDX-License-Identifier: MIT
"""
The KOL campaign demo (make demo)
=================================

An agency has a budget to spread a public-health message through paid influencers. On a real
follower network (soc-Slashdot0902 through kolsim.datasets when KOLSIM_DATA_DIR points to a
mirror; a generated follower network otherwise) with a generated roster of KOLs (fees grow with
follower count, a few carry scandal risk), it:

1. estimates how far the 10 most-followed KOLs would carry the message (Monte Carlo, error bars);
2. plans a campaign with the same budget: risk-aware, aimed at a target audience, within a
   deadline of a few propagation steps, checked by an independent Monte Carlo estimate;
3. re-plans after a scandal drops the most valuable KOL;
4. writes the run record (JSON) and the plots (reach over time, reach vs budget, reach per
   group) into --out.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import kolsim
import kolsim.campaign as kc
import kolsim.plot


def load_network(name: str, seed: int):
    if os.environ.get("KOLSIM_DATA_DIR"):
        try:
            return name, kolsim.datasets.load(name)
        except (OSError, KeyError) as err:
            print(f"(dataset {name} not available: {err}; using a generated network)")
    # Directed Chung-Lu with power-law follower (2.1) and following (2.5) counts: unlike
    # preferential attachment, where newcomers only follow older accounts (no cycles), influence
    # can come back around, as in real follower graphs.
    g = kolsim.weighted_cascade(kolsim.chung_lu(50_000, 8.0, 2.5, 2.1, seed=seed))
    return "generated follower network (directed Chung-Lu power law, 50,000 accounts)", g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="demo-output", help="folder for plan.json and the PNG plots")
    ap.add_argument("--dataset", default="soc-Slashdot0902")
    ap.add_argument("--roster-size", type=int, default=2000)
    ap.add_argument("--deadline", type=int, default=4, help="propagation steps that count")
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.perf_counter()

    name, graph = load_network(args.dataset, args.seed)
    model = kolsim.IndependentCascade(graph)
    s = graph.summary()
    print(f"Network: {name}\n  {graph.num_vertices:,} accounts, {graph.num_edges:,} follower edges, "
          f"weighted-cascade probabilities (p = 1 / accounts followed)")
    print(f"  largest strongly connected part: {s['largest_strong_component']:,} accounts\n")

    # A generated roster: half the 2,000 most-followed accounts, half others; ~5% risky KOLs.
    roster = kc.generated_roster(graph, args.roster_size, seed=args.seed, base_fee=200.0, fee_per_follower=20.0)
    fee_of = {e["account"]: e["fee"] for e in roster.entries}

    # 1. The obvious choice: the 10 most-followed KOLs, message counted within the deadline.
    top = kolsim.top_degree(graph, 10, candidates=list(fee_of)).seeds
    budget = float(sum(fee_of[int(a)] for a in top))
    naive = kolsim.estimate_spread(model, top, trials=args.trials, seed=args.seed + 1, max_steps=args.deadline)
    followers = dict(zip(np.asarray(graph.accounts).tolist(), np.asarray(graph.out_degrees).tolist()))
    print(f"1. The 10 most-followed KOLs on the roster cost {budget:,.0f}:")
    print("   account   followers        fee")
    for a in top:
        print(f"   {int(a):7d}   {followers[int(a)]:9,d}   {fee_of[int(a)]:8,.0f}")
    print(f"   reach within {args.deadline} steps: {naive.mean:,.1f} ± {naive.std_error:.1f} accounts "
          f"(95% CI {naive.ci_low:,.1f} .. {naive.ci_high:,.1f}, {naive.trials:,} trials)\n")

    # 2. A planned campaign with the same budget: risk-aware, targeted, within the deadline.
    accounts = np.asarray(graph.accounts)
    rng = np.random.default_rng(args.seed)
    groups = np.where(rng.random(len(accounts)) < 0.3, "young adults", "everyone else")
    audience = kc.audience_from_groups(graph, accounts, groups.tolist(), {"young adults": 2.0})
    campaign = kc.Campaign(model, roster, budget=budget, max_risk=0.5, audience=audience, deadline=args.deadline,
                           epsilon=0.1, check_trials=2_000, seed=args.seed,
                           budget_curve=[budget * f for f in (0.125, 0.25, 0.5, 0.75)])
    plan = campaign.plan()
    print(f"2. Planned campaign, same budget (risk-aware, young adults weigh 2, deadline {args.deadline} steps):")
    print(plan.table())
    # Both seed sets on the planner's own terms: audience weights, posting probability 1 - risk,
    # only activations within the deadline (independent Monte Carlo, common seed).
    weights = np.where(groups == "young adults", 2.0, 1.0)
    risk_of = {e["account"]: e["risk"] for e in roster.entries}

    def objective(seeds):
        return kolsim.estimate_spread(model, seeds, trials=args.trials, seed=args.seed + 1, max_steps=args.deadline,
                                      account_weights=weights, seed_probabilities=[1 - risk_of[int(a)] for a in seeds])

    planned, baseline = objective(plan.seeds), objective(top)
    print(f"   weighted reach within {args.deadline} steps, risk-adjusted: plan {planned.mean:,.1f} ± "
          f"{planned.std_error:.1f} ({len(plan.seeds)} KOLs, fee {plan.total_fee:,.0f}) vs "
          f"{baseline.mean:,.1f} ± {baseline.std_error:.1f} for the 10 most-followed (fee {budget:,.0f})\n")

    # 3. A scandal: the most valuable KOL drops out.
    dropped = max(plan.kols, key=lambda k: k["marginal_reach"])["account"]
    replan = plan.replan_without(int(dropped))
    print(f"3. Scandal: KOL {dropped} is dropped.")
    print(replan.to_table() if hasattr(replan, "to_table") else replan)

    # 4. Run record and plots.
    plan.save_json(os.path.join(args.out, "plan.json"))
    paths = plan.save_plots(args.out)
    kolsim.plot.reach_over_time([baseline, planned], ["10 most-followed", "planned campaign"],
                                ylabel="weighted reach, risk-adjusted (young adults count 2)",
                                path=os.path.join(args.out, "reach_over_time_vs_naive.png"))
    paths.append(os.path.join(args.out, "reach_over_time_vs_naive.png"))
    print("\n4. Wrote " + ", ".join([os.path.join(args.out, "plan.json")] + paths))
    print(f"Done in {time.perf_counter() - t0:.1f} s.")


if __name__ == "__main__":
    main()
