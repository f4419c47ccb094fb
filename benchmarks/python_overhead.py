# SPDX-License-Identifier: MIT
"""Python call overhead of kolsim.estimate_spread: wall time seen from Python vs the C++ time.

Runs 10,000-trial estimates on soc-Slashdot0902 (from $KOLSIM_DATA_DIR, weighted cascade, 50
top-degree seeds) or, without the data, a generated graph of the same size. The C++ time is the
``seconds`` the estimator measures itself; the overhead is everything else (argument conversion,
GIL hand-off, result arrays). Target: under 5 %.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python_overhead.py [--repeat 5] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import kolsim


def load_graph():
    if os.environ.get("KOLSIM_DATA_DIR"):
        try:
            return "soc-Slashdot0902", kolsim.datasets.load("soc-Slashdot0902")
        except (OSError, KeyError):
            pass
    return "chung_lu(82168, 10.6)", kolsim.weighted_cascade(kolsim.chung_lu(82_168, 10.6, 2.5, 2.1, seed=1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--trials", type=int, default=10_000)
    args = ap.parse_args()
    name, g = load_graph()
    if not g.has_probabilities:
        g = kolsim.weighted_cascade(g)
    model = kolsim.IndependentCascade(g)
    seeds = kolsim.top_degree(g, 50).seeds
    ratios = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        est = kolsim.estimate_spread(model, seeds, trials=args.trials, seed=1, threads=args.threads)
        wall = time.perf_counter() - t0
        ratios.append((wall - est.seconds) / est.seconds)
        print(f"{name}: wall {wall:.4f} s, C++ {est.seconds:.4f} s, overhead {100 * ratios[-1]:.2f} %, "
              f"spread {est.mean:.1f} +/- {est.std_error:.1f}")
    print(f"median overhead {100 * statistics.median(ratios):.2f} % over {args.repeat} runs (target < 5 %)")


if __name__ == "__main__":
    main()
