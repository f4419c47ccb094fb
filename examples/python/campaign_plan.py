# SPDX-License-Identifier: MIT
"""
Plan a KOL campaign within a budget
===================================

Plan a KOL campaign within a budget: a roster with fees and scandal risk, a target audience,
a certified plan with an independent Monte Carlo check, and a re-plan after a KOL drops out.
"""
import numpy as np

import kolsim

graph = kolsim.weighted_cascade(kolsim.preferential_attachment(5_000, 3, seed=21))
model = kolsim.IndependentCascade(graph)

rng = np.random.default_rng(0)
kols = graph.accounts[:200]                               # the agency's roster
followers = np.asarray(graph.out_degrees[:200], dtype=np.float64)
fees = np.round(1.0 + followers / followers.max() * 20.0, 2)   # bigger accounts cost more
risks = np.round(rng.uniform(0.0, 0.3, size=200), 2)
roster = kolsim.Roster(graph, kols, fees, risks)

# Target audience: accounts 2500.. count double, the rest once.
weights = np.where(np.asarray(graph.accounts) >= 2500, 2.0, 1.0)
audience = kolsim.Audience(weights=weights)

plan = kolsim.plan_campaign(model, roster, budget=40.0, max_risk=0.25, audience=audience, epsilon=0.2,
                            check_trials=2_000, seed=1)
print(plan.to_table())
dropped = int(plan.seeds[0])
print(kolsim.replan_without(model, roster, plan, dropped).to_table())
