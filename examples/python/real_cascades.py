# SPDX-License-Identifier: MIT
"""
Predictions checked against real cascades
=========================================

Predictions checked against real cascades: learn edge probabilities from the earlier 80% of a
real cascade set, predict the later 20% from their first adopter, and compare with weighted
cascade, a fitted constant and trivalency. Prints one table per dataset and writes a
predicted-vs-observed scatter and a calibration plot (PNG). Section ``contagion``: exposure curves
P(adopt | j adopting in-neighbours) and a held-out likelihood comparison of IC, k-exposure and a
fractional threshold (``--sections contagion`` runs only that, in seconds).

Needs the cascade sets from the dataset registry (``KOLSIM_DATA_DIR`` pointing to a local mirror,
or a network connection); exits with code 77 (reported as a skip) when they cannot be had.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/real_cascades.py --out cascades-output
"""
from __future__ import annotations

import argparse
import math
import pathlib
import sys
import time

import numpy as np

import kolsim
from kolsim import cascades as kc

SKIP = 77


def load(name: str):
    try:
        graph = kolsim.datasets.load(name, probabilities=None)
        path = kolsim.datasets.path(name, "cascades.txt")
    except (OSError, RuntimeError) as e:
        print(f"skip: dataset {name} is not available ({e})")
        sys.exit(SKIP)
    return graph, kc.read_cascades(path, graph)


def fitted_constant(graph, train) -> float:
    """The constant p with the best training likelihood (a grid on a log scale)."""
    best = None
    for p in np.geomspace(1e-3, 0.3, 16):
        ll = kc.ic_log_likelihood(kolsim.constant_probability(graph, float(p)), train)["log_likelihood"]
        if best is None or ll > best[0]:
            best = (ll, float(p))
    return best[1]


DECAYS = [("plain IC", "none", 1.0, 1.0), ("exp. 30 days", "exponential", 30 * 86400.0, 1.0),
          ("exp. 1 year", "exponential", 365 * 86400.0, 1.0), ("power 1 day^0.25", "power_law", 86400.0, 0.25),
          ("power 1 day^0.5", "power_law", 86400.0, 0.5)]


def time_curve(em, cascades, delays, crawl_end, decay, trials, seed):
    """Continuous-time prediction of each cascade from its first adopter: reach by 1 year and by
    the end of the crawl (the window each cascade had; known when predicting). Returns coverage of
    the 50% / 90% bands, median |log error| of the median and the mean log predictive probability
    of the observed size at the crawl end (histogram of trials, add-one-half smoothed)."""
    _, kind, scale, expo = decay
    hits = {"cov50": [], "cov90": [], "err": [], "cov90_1y": [], "logp": []}
    for i in range(len(cascades)):
        acc = cascades.adopters(i)
        t = np.asarray(cascades.times(i), dtype=float)
        horizon = crawl_end - t[0]
        times = [x for x in (365 * 86400.0,) if x < horizon] + [horizon]
        r = kc.continuous_reach(em.graph, [int(acc[0])], times, delay_samples=delays, decay=kind, decay_scale=scale,
                                decay_exponent=expo, learned=em, trials=trials, seed=seed + i)
        reach = r["reach"]
        for j, x in enumerate(times):
            obs = float(np.sum(t - t[0] <= x))
            col = reach[:, j].astype(float)
            lo, q25, q50, q75, hi = np.percentile(col, [5, 25, 50, 75, 95])
            if j == len(times) - 1:
                hits["cov50"].append(q25 <= obs <= q75)
                hits["cov90"].append(lo <= obs <= hi)
                hits["err"].append(abs(math.log(max(q50, 1.0)) - math.log(obs)))
                hits["logp"].append(math.log((np.sum(col == obs) + 0.5) / (trials + 25.0)))
            else:
                hits["cov90_1y"].append(lo <= obs <= hi)
    return {k: float(np.median(v)) if k == "err" else float(np.mean(v)) for k, v in hits.items()}


def time_section(graph, train, test, crawl_end, trials, seed):
    """Reach over wall-clock time with the learned probabilities and empirical delays; the decay
    (fading novelty) is chosen on an inner time split of the training cascades only."""
    inner_train_idx, inner_val_idx = kc.split_by_time(train, 0.2)
    inner_train, inner_val = train.subset(inner_train_idx), train.subset(inner_val_idx)
    iem = kc.learn_ic_em(graph, inner_train, exogenous=True)
    em = kc.learn_ic_em(graph, train, exogenous=True)
    idelays = kc.training_delays(graph, inner_train)
    delays = kc.training_delays(graph, train)
    print(f"  continuous time ({len(delays)} empirical delays, median {np.median(delays) / 86400:.0f} days); "
          f"size by the end of the crawl, decay chosen on the inner split:")
    print(f"  {'decay':<18} {'inner LL':>9} | {'test cov50':>10} {'cov90':>6} {'med |log err|':>13} "
          f"{'cov90 @1y':>9} {'test LL':>8}")
    best = None
    inner = {}
    for d in DECAYS:
        inner[d[0]] = time_curve(iem, inner_val, idelays, crawl_end, d, trials, seed)["logp"]
        if best is None or inner[d[0]] > inner[best[0]]:
            best = d
    for d in (DECAYS[0], best):
        sc = time_curve(em, test, delays, crawl_end, d, trials, seed)
        print(f"  {d[0]:<18} {inner[d[0]]:>9.3f} | {sc['cov50']:>10.2f} {sc['cov90']:>6.2f} {sc['err']:>13.3f} "
              f"{sc['cov90_1y']:>9.2f} {sc['logp']:>8.3f}")


def contagion_section(name, graph, cs, out, plt):
    """Simple or complex contagion? The exposure curve, and IC / k-exposure / fractional threshold
    fitted on the training decisions and scored on the held-out ones (both splits)."""
    cv = kc.exposure_curve(graph, cs)
    print(f"  exposure curve ({int(np.sum(cv['trials']))} exposed account-cascade pairs, {cv['exogenous']} of "
          f"{cv['adopters']} adoptions exogenous):")
    print(f"  {'j':>3} {'pairs':>7} {'adopted':>7} {'P(adopt|j)':>10} {'SE':>7} | {'reached':>7} {'hazard':>7} {'SE':>7}")
    for i in range(min(8, len(cv["exposures"]))):
        print(f"  {int(cv['exposures'][i]):>3} {int(cv['trials'][i]):>7} {int(cv['adopted'][i]):>7} "
              f"{cv['probability'][i]:>10.4f} {cv['std_error'][i]:>7.4f} | {int(cv['reached'][i]):>7} "
              f"{cv['hazard'][i]:>7.4f} {cv['hazard_std_error'][i]:>7.4f}")
    # Heterogeneity check: accounts that follow many accounts collect more exposures; does the
    # curve still rise among accounts of similar in-degree?
    counts = kc.exposure_counts(graph, cs)
    j, y, deg = counts["exposures"], counts["adopted"].astype(bool), counts["in_degree"]
    print(f"  P(adopt | j) within in-degree bands: {'band':>9} " + " ".join(f"{f'j={x}':>15}" for x in (1, 2, 3)))
    for lo, hi in ((1, 5), (6, 20), (21, 100), (101, 10**9)):
        band = (deg >= lo) & (deg <= hi)
        cells = []
        for x in (1, 2, 3):
            sel = band & (j == x)
            n = int(np.sum(sel))
            pr = float(np.mean(y[sel])) if n else float("nan")
            cells.append(f"{pr:.4f} ({n:>6})")
        print(f"  {'':>36} {f'{lo}-{hi}' if hi < 10**9 else f'{lo}+':>9} " + " ".join(f"{c:>15}" for c in cells))
    ic_p = None
    for split, bands in (("time", ()), ("cascade", ()), ("time", (6, 21, 101))):
        r = kc.compare_contagion(graph, cs, split=split, seed=1, in_degree_bands=bands)
        print(f"  split by {split}{', background per in-degree band ' + str(bands) if bands else ''}: "
              f"{r['train_decisions']} training / {r['test_decisions']} test decisions; "
              f"best held-out: {r['best']}, best AIC: {r['best_aic']}")
        print(f"  {'model':<18} {'p':>7} {'backgr.':>8} {'train LL':>10} {'AIC':>10} {'test LL/decision':>16}")
        for m in r["models"]:
            print(f"  {m['name']:<18} {m['p']:>7.4f} {float(np.mean(m['background'])):>8.5f} "
                  f"{m['train_log_likelihood']:>10.1f} {m['aic']:>10.1f} {m['test_per_decision']:>16.5f}")
            if m["name"] == "IC" and ic_p is None:
                ic_p = m["p"]
    fig, ax = plt.subplots(figsize=(5, 4))
    kc.plot_exposure_curve(cv, ax=ax, label=name, max_exposures=10, ic_p=ic_p)
    ax.set_title(f"{name}: exposure curve")
    fig.tight_layout()
    png = out / f"{name}-exposure.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    print(f"  wrote {png}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="cascades-output", help="folder for the PNG plots")
    ap.add_argument("--trials", type=int, default=200, help="simulated cascades per test cascade")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--datasets", nargs="*", default=["cascades-android", "cascades-christianity"])
    ap.add_argument("--sections", default="models,nowcast,time,kols,contagion",
                    help="comma-separated subset of models, nowcast, time, kols, contagion")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for name in args.datasets:
        graph, cs = load(name)
        s = kc.summarize(cs)
        train_idx, test_idx = kc.split_by_time(cs, 0.2)
        train, test = cs.subset(train_idx), cs.subset(test_idx)
        print(f"\n{name}: {graph.num_vertices} accounts, {graph.num_edges} edges; {len(cs)} cascades, "
              f"{cs.num_adoptions} adoptions ({cs.report['outside_adoptions']} outside the graph); "
              f"{s['explained_fraction']:.0%} of adoptions follow an adopting in-neighbour; "
              f"train {len(train)}, test {len(test)}")
        sections = set(args.sections.split(","))
        if "contagion" in sections:
            contagion_section(name, graph, cs, out, plt)
        if not sections & {"models", "nowcast", "time", "kols"}:
            continue
        t0 = time.perf_counter()
        em = kc.learn_ic_em(graph, train, exogenous=True)
        t_em = time.perf_counter() - t0
        em_model = kolsim.IndependentCascade(em.graph)
        if "time" in sections:
            crawl_end = max(float(np.max(cs.times(i))) for i in range(len(cs)))
            time_section(graph, train, test, crawl_end, args.trials, args.seed)
        if "nowcast" in sections:
            nowcast(em, em_model, test, args)
        if "models" not in sections:
            continue
        em_plain = kc.learn_ic_em(graph, train)
        bern = kc.learn_credit(graph, train, "bernoulli")
        t0 = time.perf_counter()
        # Transmission within the typical life of a training cascade (these sets span months).
        horizon = float(np.median(kc.summarize(train)["durations"]))
        netrate = kc.learn_netrate(graph, train, delay="exponential", horizon=horizon)
        t_nr = time.perf_counter() - t0
        p_const = fitted_constant(graph, train)
        print(f"  EM with exogenous adoption: {em.iterations} iterations in {t_em:.2f} s "
              f"(prior Beta({em.prior_alpha:.3f}, {em.prior_beta:.3f}), {em.exercised_edges} edges with evidence); "
              f"NetRate {netrate['iterations']} iterations in {t_nr:.2f} s")
        models = [
            ("EM + exogenous", em.graph, em),
            ("EM", em_plain.graph, None),
            ("Bernoulli credit", bern.graph, None),
            (f"NetRate exp., {horizon / 86400:.0f} days", netrate["graph"], None),
            ("weighted cascade", kolsim.weighted_cascade(graph), None),
            (f"constant {p_const:.3g} (fitted)", kolsim.constant_probability(graph, p_const), None),
            ("trivalency", kolsim.trivalency(graph, seed=args.seed), None),
        ]
        print(f"  {'probabilities':<26} {'med |log err|':>13} {'cov50':>6} {'cov90':>6} {'AUC':>6} {'AP':>6} "
              f"{'test LL/trial':>13}")
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for label, g, learned in models:
            model = kolsim.IndependentCascade(g)
            sc = kc.evaluate_predictions(model, test, trials=args.trials, seed=args.seed, learned=learned)
            ll = kc.ic_log_likelihood(g, test)["per_event"]
            print(f"  {label:<26} {sc['median_abs_log_error']:>13.3f} {sc['coverage50']:>6.2f} "
                  f"{sc['coverage90']:>6.2f} {sc['mean_auc']:>6.3f} {sc['mean_average_precision']:>6.3f} "
                  f"{ll:>13.4f}")
            if label in ("EM + exogenous", "weighted cascade"):
                kc.plot_predictions(sc, ax=axes[0], label=label)
            kc.plot_calibration(sc, ax=axes[1], label=label)
        axes[0].set_title(f"{name}: held-out cascades")
        axes[1].set_title("calibration of prediction intervals")
        fig.tight_layout()
        png = out / f"{name}-predictions.png"
        fig.savefig(png, dpi=110)
        plt.close(fig)
        if "kols" not in sections:
            continue
        # Do learned probabilities change which KOLs are picked?
        k = 10
        picked_em = kolsim.select_seeds(kolsim.IndependentCascade(em_plain.graph), k, method="imm", epsilon=0.2, seed=3)
        picked_wc = kolsim.select_seeds(kolsim.IndependentCascade(kolsim.weighted_cascade(graph)), k, method="imm",
                                        epsilon=0.2, seed=3)
        same = len(set(picked_em.seeds.tolist()) & set(picked_wc.seeds.tolist()))
        check = kolsim.IndependentCascade(em_plain.graph)
        r_em = kolsim.estimate_spread(check, picked_em.seeds, trials=5000, seed=9)
        r_wc = kolsim.estimate_spread(check, picked_wc.seeds, trials=5000, seed=9)
        print(f"  IMM k={k}: {same} of {k} KOLs shared between learned (EM) and weighted-cascade probabilities; "
              f"reach under the learned model: EM's picks {r_em.mean:.1f} +- {r_em.std_error:.1f}, "
              f"WC's picks {r_wc.mean:.1f} +- {r_wc.std_error:.1f}")
        print(f"  wrote {png}")
        if not math.isfinite(em.log_likelihood):
            return 1
    return 0


def nowcast(em, em_model, test, args):
    """The cascade as seen tau after its first adoption, completed by the model: the observed
    adopters seed it, and (conditioned) its intensity is updated from them."""
    print(f"  nowcast (EM + exogenous)   {'observed':>9} | seeds only: {'med |log err|':>13} {'cov90':>6} "
          f"| conditioned: {'med |log err|':>13} {'cov90':>6}")
    for tau, label in ((3600.0, "1 hour"), (6 * 3600.0, "6 hours"), (86400.0, "24 hours"), (7 * 86400.0, "7 days"),
                       (30 * 86400.0, "30 days")):
        a = kc.evaluate_predictions(em_model, test, trials=args.trials, seed=args.seed, learned=em,
                                    observed_seconds=tau, condition=False)
        b = kc.evaluate_predictions(em_model, test, trials=args.trials, seed=args.seed, learned=em,
                                    observed_seconds=tau, condition=True)
        seen = float(np.mean(a["cascades"]["seeded"] / a["cascades"]["observed"]))
        print(f"  at tau = {label:<16} {seen:>8.0%} | {a['median_abs_log_error']:>25.3f} {a['coverage90']:>6.2f} "
              f"| {b['median_abs_log_error']:>26.3f} {b['coverage90']:>6.2f}")


if __name__ == "__main__":
    sys.exit(main())
