# SPDX-License-Identifier: MIT
"""
How fast does a message spread?
===============================

How fast does a message spread? One traced cascade and the mean reach per step, with a deadline,
plotted to reach.png (Agg backend, written atomically).
"""
import os

import kolsim
import kolsim.plot

graph = kolsim.trivalency(kolsim.chung_lu(20_000, 8.0, 2.5, 2.1, seed=1), seed=2)
model = kolsim.IndependentCascade(graph)
kols = kolsim.select_seeds(model, 5, method="degree-discount").seeds

trace = kolsim.simulate(model, kols, seed=3)
print(f"one cascade reached {len(trace)} accounts in {len(trace.new_per_step) - 1} steps; per step:",
      trace.new_per_step.tolist())

full = kolsim.estimate_spread(model, kols, trials=5_000, seed=4)
deadline = kolsim.estimate_spread(model, kols, trials=5_000, seed=4, max_steps=2)
print("no deadline:", full)
print("within 2 steps:", deadline)
path = os.path.abspath("reach.png")
kolsim.plot.reach_over_time([full, deadline], labels=["no deadline", "2 steps"], path=path)
print("wrote", path)
