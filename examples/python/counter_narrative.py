# SPDX-License-Identifier: MIT
"""Counter-narrative: a misleading post spreads from known accounts; how many accounts does a
correction from top-degree KOLs save, with and without a one-step delay?"""
import kolsim

graph = kolsim.weighted_cascade(kolsim.preferential_attachment(5_000, 3, seed=11))
spreaders = kolsim.select_seeds(kolsim.IndependentCascade(graph), 3, method="degree").seeds
degree = kolsim.top_degree(graph, 8, fixed_seeds=spreaders)
correctors = degree.seeds[:5]
print("misleading accounts:", spreaders.tolist(), "correcting KOLs:", correctors.tolist())

for delay in (0, 1):
    model = kolsim.CompetitiveIC(graph, tie_rule="corrective_wins", correction_delay=delay)
    race = kolsim.estimate_competition(model, spreaders, correctors, trials=1_000, seed=5)
    print(f"delay {delay}: misleading reach {race.misleading.mean:.1f} ± {race.misleading.std_error:.1f} "
          f"(alone {race.misleading_alone.mean:.1f}), saved {race.saved.mean:.1f} ± {race.saved.std_error:.1f}")
