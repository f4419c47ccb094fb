# SPDX-License-Identifier: MIT
"""
Continuous-time nowcast on real cascades
========================================

Each held-out cascade seen for tau after its
first adoption seeds the continuous-time IC at its observed times (``seed_times``), which runs to
the end of the crawl; compared with the step-based nowcast (``evaluate_predictions(...,
observed_seconds=tau)``). Prints one table per dataset (the figures of docs/cascades.md).

Needs the cascade sets from the dataset registry (``KOLSIM_DATA_DIR``); exits with code 77 (a
skip) when they cannot be had.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/continuous_nowcast.py
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import kolsim
from kolsim import cascades as kc

SKIP = 77
TAUS = ((3600.0, "1 h"), (86400.0, "24 h"), (7 * 86400.0, "7 days"), (30 * 86400.0, "30 days"))
# Plain IC, and the fading novelty chosen on the inner training split in docs/cascades.md.
DECAYS = (("plain", "none", 86400.0, 1.0), ("power 1 d^0.25", "power_law", 86400.0, 0.25))


def setup(name: str):
    """Graph, cascades, time split, EM with exogenous adoption, empirical delays, crawl end."""
    try:
        graph = kolsim.datasets.load(name, probabilities=None)
        cs = kc.read_cascades(kolsim.datasets.path(name, "cascades.txt", download=False), graph)
    except (OSError, RuntimeError) as e:
        print(f"skip: dataset {name} is not available ({e})")
        sys.exit(SKIP)
    train_idx, test_idx = kc.split_by_time(cs, 0.2)
    train, test = cs.subset(train_idx), cs.subset(test_idx)
    em = kc.learn_ic_em(graph, train, exogenous=True)
    delays = kc.training_delays(graph, train)
    crawl_end = max(float(np.max(cs.times(i))) for i in range(len(cs)) if len(cs.times(i)))
    return graph, em, test, delays, crawl_end


def measure(name: str, trials: int, seed: int, taus=TAUS, decays=DECAYS):
    """Rows (tau label, seen, {decay: scores}, step scores)."""
    graph, em, test, delays, crawl_end = setup(name)
    rows = []
    for tau, label in taus:
        cont = {}
        for dname, kind, scale, expo in decays:
            cont[dname] = kc.nowcast_continuous(em.graph, test, tau, crawl_end, learned=em, delay_samples=delays,
                                                decay=kind, decay_scale=scale, decay_exponent=expo, trials=trials,
                                                seed=seed)
        step = kc.evaluate_predictions(kolsim.IndependentCascade(em.graph), test, trials=trials, seed=seed,
                                       learned=em, observed_seconds=tau)
        rows.append((label, cont[decays[0][0]]["seen"], cont, step))
    return rows, len(test)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--datasets", nargs="*", default=["cascades-android", "cascades-christianity"])
    args = ap.parse_args()
    for name in args.datasets:
        t0 = time.perf_counter()
        rows, n = measure(name, args.trials, args.seed)
        print(f"\n{name}: {n} test cascades, {args.trials} trials each ({time.perf_counter() - t0:.0f} s)")
        head = " | ".join(f"{d[0]}: err cov50 cov90 logp" for d in DECAYS)
        print(f"  {'tau':<8} {'seen':>5} | {head} | step: err cov90")
        for label, seen, cont, step in rows:
            cells = " | ".join(f"{c['median_abs_log_error']:.3f} {c['coverage50']:.2f} {c['coverage90']:.2f} "
                               f"{c['mean_log_predictive']:.3f}" for c in cont.values())
            print(f"  {label:<8} {seen:>5.0%} | {cells} | {step['median_abs_log_error']:.3f} {step['coverage90']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
