# SPDX-License-Identifier: MIT
"""
Quickstart: spread and KOL selection
====================================

Generate a follower network, estimate the reach of top-degree KOLs with error bars,
then choose KOLs with IMM and OPIM-C and evaluate them independently.
"""
import kolsim

# 10,000 accounts, each following 4 earlier ones (power-law follower counts), weighted cascade.
graph = kolsim.weighted_cascade(kolsim.preferential_attachment(10_000, 4, seed=1))
print(graph, graph.summary()["max_out_degree"], "followers at most")
model = kolsim.IndependentCascade(graph)

k = 10
baseline = kolsim.select_seeds(model, k, method="degree")
est = kolsim.estimate_spread(model, baseline.seeds, trials=5_000, seed=2)
print(f"top-degree KOLs {baseline.seeds.tolist()}: reach {est.mean:.1f} ± {est.std_error:.1f} "
      f"(95% CI {est.ci_low:.1f}..{est.ci_high:.1f}, {est.trials} trials)")

for method in ["imm", "opim-c"]:
    chosen = kolsim.select_seeds(model, k, method=method, epsilon=0.2, seed=3)
    check = kolsim.estimate_spread(model, chosen.seeds, trials=5_000, seed=4)  # independent evaluation
    print(f"{method}: reach {check.mean:.1f} ± {check.std_error:.1f} in {chosen.seconds:.3f} s "
          f"({chosen.rr_sets} RR sets, proven ratio {chosen.approximation:.3f})")
print(chosen.table())
