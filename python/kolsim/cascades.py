# SPDX-License-Identifier: MIT
"""Real cascades: read observed adoption cascades, learn edge probabilities from them, predict
held-out cascades and score the predictions.

A cascade is the list of accounts that adopted a message, in adoption order, with times in
seconds. Cascades are joined to a graph's account table; an edge ``u -> v`` means *v may adopt
because u did* (influence flows u -> v), exactly as in the rest of kolsim.

Learners (papers cited in each docstring):

- :func:`learn_ic_em` -- discrete-time IC by EM (Saito, Nakano, Kimura, 2008), with empirical-Bayes
  shrinkage, per-edge standard errors and optional exogenous (outside-the-graph) adoption.
- :func:`learn_netrate` -- continuous-time transmission rates (NetRate; Gomez-Rodriguez, Balduzzi,
  Schoelkopf, 2011) with exponential, power-law or Rayleigh delays, turned into probabilities of
  transmission within a horizon.
- :func:`learn_credit` -- static Bernoulli / Jaccard / LT credit (Goyal, Bonchi, Lakshmanan, 2010).

Evaluation: :func:`evaluate_predictions` predicts each held-out cascade from its first adopter(s)
by Monte Carlo and reports the median absolute log error of the final size, the coverage of the
50% / 90% prediction intervals, AUC and average precision of *who adopts*; :func:`ic_log_likelihood`
scores any probability assignment on held-out cascades.

Examples
--------
>>> import kolsim
>>> from kolsim import cascades as kc
>>> g = kolsim.from_edges([0, 0, 1], [1, 2, 2])
>>> c = kc.Cascades.from_lists(g, [[(0, 0), (1, 1), (2, 2)], [(0, 0), (2, 1)], [(0, 0)]])
>>> r = kc.learn_ic_em(g, c, shrinkage=False)
>>> round(float(r.probability[0]), 3)  # 0 -> 1: one success in three trials
0.333
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _api, _core
from ._core import Cascades, LearnedProbabilities, SizeDistribution, ic_log_likelihood

# The iterative learners take progress= (True: a tqdm bar; a callable: (phase, done, total) with
# phases "em prior pass" / "em" or "netrate", done = iterations; learn_credit: "evidence" =
# cascades walked, then "credit" = edges scored) and give short argument errors.
learn_ic_em = _api.wrap(_core.learn_ic_em, progress=True)
learn_netrate = _api.wrap(_core.learn_netrate, progress=True)
learn_credit = _api.wrap(_core.learn_credit, progress=True)
learn_ic_em.__module__ = learn_netrate.__module__ = learn_credit.__module__ = __name__

__all__ = [
    "Cascades", "LearnedProbabilities", "SizeDistribution", "read_cascades", "summarize", "split_by_time",
    "split_by_cascade", "learn_ic_em", "learn_credit", "learn_netrate", "ic_log_likelihood", "predict_cascade",
    "evaluate_predictions", "plot_size_distribution", "plot_adoption_over_time", "plot_predictions",
    "plot_calibration", "continuous_reach", "training_delays", "nowcast_continuous", "exposure_counts",
    "exposure_curve", "compare_contagion", "plot_exposure_curve",
]


def _adopters(self: Cascades, i: int) -> np.ndarray:
    """Account ids of cascade ``i``'s adopters, in adoption order (int64)."""
    graph = getattr(self, "graph", None)
    if graph is None:
        raise ValueError("these cascades carry no graph; build them with read_cascades or Cascades.from_lists")
    return np.asarray(graph.accounts, dtype=np.int64)[self.adopter_indices(i)]


def _from_lists(graph: Any, cascades: Iterable[Sequence[Tuple[int, float]]],
                ids: Optional[Sequence[int]] = None) -> Cascades:
    """Cascades from Python lists of ``(account, time)`` pairs, one list per cascade, in adoption order.

    Accounts must be accounts of ``graph`` (``IndexError`` otherwise); times must not decrease
    within a cascade (``ValueError``); a repeated account keeps its first adoption.
    """
    adopters: List[List[int]] = []
    times: List[List[float]] = []
    for cascade in cascades:
        pairs = list(cascade)
        accounts = [int(a) for a, _ in pairs]
        adopters.append([graph.index_of(a) for a in accounts])
        times.append([float(t) for _, t in pairs])
    ids_list = list(range(len(adopters))) if ids is None else [int(x) for x in ids]
    c = _core._cascades_from_indices(graph, adopters, times, ids_list)
    c.graph = graph
    return c


Cascades.adopters = _adopters
Cascades.from_lists = staticmethod(_from_lists)


def read_cascades(path: "os.PathLike[str] | str | bytes", graph: Any, *, format: str = "auto",
                  root_field: bool = True, allow_outside: bool = True, min_size: int = 1,
                  progress: Any = False) -> Cascades:
    """Read cascades and join them to ``graph``'s accounts.

    Parameters
    ----------
    path
        One cascade per line (``account time,account time,...`` or ``account,time account,time ...``;
        a first chunk ``root account time`` makes ``root`` the first adopter, as in the StackExchange
        sets), or a long CSV with a header naming ``cascade_id,account,time``.
    graph
        The follower graph; edges point the way influence flows.
    format
        ``"auto"``, ``"per_line"`` or ``"long_csv"``.
    allow_outside
        Adopters that are not accounts of the graph are counted per cascade (``True``) or an error.
    min_size
        Cascades with fewer in-graph adopters are skipped (counted in ``.report``).
    progress
        True: a tqdm bar; a callable: called with (phase, done, total), phase "read" (lines
        parsed of the file's lines) and, for the long CSV, "join" (cascades joined).

    Returns
    -------
    Cascades
        With ``.report``: lines, cascades, adoptions, outside_adoptions, repeat_adoptions,
        skipped_small. Malformed lines raise :class:`kolsim.ParseError` with ``file`` and ``line``.
    """
    with _api.progress_scope(progress, "read_cascades"):
        c, report = _core._read_cascades(path, graph, format=format, root_field=root_field,
                                         allow_outside=allow_outside, min_size=min_size)
    c.graph = graph
    c.report = report
    return c


def summarize(cascades: Cascades, graph: Any = None) -> Dict[str, Any]:
    """Sizes, durations, depth along graph edges, the fraction of adoptions explained by an earlier
    adopting in-neighbour, and the time to 50% / 90% of each cascade's final size."""
    g = graph if graph is not None else getattr(cascades, "graph", None)
    if g is None:
        raise ValueError("summarize needs the graph the cascades were read for")
    return _core._summarize_cascades(g, cascades)


def split_by_time(cascades: Cascades, test_fraction: float = 0.2) -> Tuple[np.ndarray, np.ndarray]:
    """Positions of (train, test) cascades: cascades sorted by first adoption, the latest
    ``test_fraction`` are the test set. Deterministic."""
    return _core._split_by_time(cascades, test_fraction)


def split_by_cascade(cascades: Cascades, test_fraction: float = 0.2, *,
                     seed: "int | np.random.Generator | None" = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Positions of (train, test) cascades, a seeded random split (same seed, same split).
    ``seed``: an int, None (fresh entropy) or a numpy.random.Generator (one draw from it)."""
    return _core._split_by_cascade(cascades, test_fraction, _api.resolve_seed(seed, "split_by_cascade"))


def _subset(self: Cascades, which: Any) -> Cascades:
    """The cascades at these positions (e.g. one side of a split), in this order."""
    out = self._subset(which)
    out.graph = getattr(self, "graph", None)
    return out


Cascades.subset = _subset


def continuous_reach(graph: Any, seeds: Any, times: Sequence[float], *, rate: Any = None,
                     default_rate: float = 1.0 / 3600.0, delay_samples: Any = None, decay: str = "none",
                     decay_scale: float = 86400.0, decay_exponent: float = 1.0, seed_times: Any = None,
                     learned: Optional[LearnedProbabilities] = None, exogenous_weights: Any = None,
                     track: Any = None, trials: int = 1000, seed: "int | np.random.Generator | None" = 0,
                     threads: int = 0) -> Dict[str, Any]:
    """Monte Carlo reach over wall-clock time of the continuous-time Independent Cascade.

    Each account, once reached at time t, tries each follower once: the edge probability decides
    success, and the message arrives after a random delay -- exponential with the edge's ``rate``
    (per second, out-edge order, e.g. ``learn_netrate(...).rate``; ``default_rate`` when None) or
    drawn from ``delay_samples`` (seconds). Fading novelty (Wu and Huberman, PNAS 2007):
    ``decay="exponential"`` multiplies a transmission arriving t seconds after the message first
    appeared by ``exp(-t / decay_scale)``, ``"power_law"`` by ``(1 + t / decay_scale) ** -decay_exponent``.
    ``seed_times`` (one per seed, >= 0) lets seeds adopt later than 0 (nowcasting). With
    ``learned`` from ``learn_ic_em(..., exogenous=True)``, accounts also adopt from outside the
    graph (probability ``learned.exogenous`` scaled by a training cascade's intensity, optionally
    weighted by ``exogenous_weights``) at times drawn from ``learned.exogenous_delays``.
    Trial i draws from the stream (seed, i): identical results for any thread count.

    Returns a dict: ``times``, ``mean`` and ``std_error`` of the reach by each time (seeds
    included), ``reach`` (trials x times, uint32), ``reach_probability`` per account by the
    last time and ``seed``, the seed used (``seed`` may be an int, None = fresh entropy, or a
    numpy.random.Generator = one draw from it).

    With ``track`` (account ids), ``first_reach`` holds those accounts' first-reach time
    distributions: ``accounts``; ``probability`` and ``probability_se`` (accounts x times,
    P(reached by each time)); per account ``mean``/``mean_se`` and ``median``/``median_se`` of the
    first-reach second given reached by the last time (NaN if never reached), ``reached`` (trials
    that reached it) and ``first_time`` (accounts x trials, inf when not reached).

    Examples
    --------
    >>> import kolsim
    >>> from kolsim import cascades as kc
    >>> g = kolsim.from_edges([0, 0], [1, 2], probabilities=[1.0, 1.0])
    >>> r = kc.continuous_reach(g, [0], [1e9], trials=100, seed=1)
    >>> float(r["mean"][0])
    3.0
    >>> r = kc.continuous_reach(g, [0], [3600.0, 1e9], default_rate=1 / 3600, track=[1], trials=2000, seed=1)
    >>> r["first_reach"]["probability"].shape
    (1, 2)
    >>> 3000 < float(r["first_reach"]["mean"][0]) < 4200  # exponential delay, mean 1 h
    True
    """
    exo = scales = times_exo = None
    if learned is not None and len(learned.exogenous) > 0:
        exo, scales, times_exo = learned.exogenous, learned.cascade_intensity, learned.exogenous_delays
    seed = _api.resolve_seed(seed, "continuous_reach")
    out = _core.continuous_reach(graph, seeds, [float(t) for t in times], rate=rate, default_rate=default_rate,
                                 delay_samples=delay_samples, decay=decay, decay_scale=decay_scale,
                                 decay_exponent=decay_exponent, seed_times=seed_times, exogenous=exo,
                                 exogenous_times=times_exo, exogenous_scales=scales,
                                 exogenous_weights=exogenous_weights, track=track, trials=trials, seed=seed,
                                 threads=threads)
    out["seed"] = seed
    return out


def nowcast_continuous(graph: Any, cascades: Cascades, observed_seconds: float, end_time: float, *,
                       learned: Optional[LearnedProbabilities] = None, rate: Any = None,
                       default_rate: float = 1.0 / 3600.0, delay_samples: Any = None, decay: str = "none",
                       decay_scale: float = 86400.0, decay_exponent: float = 1.0, trials: int = 200,
                       seed: int = 0, threads: int = 0) -> Dict[str, Any]:
    """Continuous-time nowcast of each cascade: seen up to ``observed_seconds`` after its first
    adoption, completed up to ``end_time`` (same clock as the cascade times, e.g. the end of the
    crawl) by :func:`continuous_reach`, and scored against what was observed by ``end_time``.

    The adopters seen by tau seed the simulation at their observed offsets (``seed_times``); the
    horizon is ``end_time`` minus the first adoption. With ``learned`` (EM with exogenous
    adoption), only exogenous adoption after tau is simulated: each account's probability is
    scaled by the share 1 - F(tau) of ``learned.exogenous_delays`` beyond tau, and its time is
    drawn from those delays. Cascade i uses trial streams keyed by (seed + i, trial).

    Returns a dict: ``median_abs_log_error`` (of the predictive median, at least 1),
    ``coverage50``, ``coverage90``, ``mean_log_predictive`` (log of the smoothed predictive
    probability of the observed size), ``seen`` (mean share of adopters seen by tau), and
    ``cascades`` (per cascade: observed, seeded, q05, q25, q50, q75, q95, pit).

    Examples
    --------
    >>> import kolsim
    >>> from kolsim import cascades as kc
    >>> g = kolsim.from_edges([0, 0], [1, 2], probabilities=[1.0, 1.0])
    >>> c = kc.Cascades.from_lists(g, [[(0, 0.0), (1, 60.0), (2, 7200.0)]])
    >>> r = kc.nowcast_continuous(g, c, 120.0, 1e7, trials=100, seed=1)
    >>> r["cascades"]["seeded"].tolist(), r["coverage90"]
    ([2.0], 1.0)
    """
    if not (observed_seconds >= 0 and np.isfinite(observed_seconds)):
        raise ValueError(f"nowcast_continuous: observed_seconds must be finite and >= 0, got {observed_seconds}")
    exo = times_exo = scales = None
    if learned is not None and len(learned.exogenous) > 0:
        delays = np.asarray(learned.exogenous_delays, dtype=float)
        later = delays[delays > observed_seconds]
        if len(later) > 0:
            exo = np.asarray(learned.exogenous, dtype=float) * (len(later) / len(delays))
            times_exo, scales = later, learned.cascade_intensity
    rows: Dict[str, List[float]] = {k: [] for k in ("observed", "seeded", "q05", "q25", "q50", "q75", "q95", "pit")}
    err, logp = [], []
    for i in range(len(cascades)):
        acc = np.asarray(cascades.adopters(i))
        if len(acc) == 0:
            continue
        t = np.asarray(cascades.times(i), dtype=float)
        off = t - t[0]
        ns = max(1, int(np.sum(off <= observed_seconds)))
        horizon = max(float(end_time - t[0]), float(off[ns - 1]))
        r = _core.continuous_reach(graph, acc[:ns], [horizon], rate=rate, default_rate=default_rate,
                                   delay_samples=delay_samples, decay=decay, decay_scale=decay_scale,
                                   decay_exponent=decay_exponent, seed_times=off[:ns], exogenous=exo,
                                   exogenous_times=times_exo, exogenous_scales=scales, trials=trials,
                                   seed=seed + i, threads=threads)
        col = r["reach"][:, 0].astype(float)
        obs = float(len(acc))
        q = np.percentile(col, [5, 25, 50, 75, 95])
        for k, v in zip(("q05", "q25", "q50", "q75", "q95"), q):
            rows[k].append(float(v))
        rows["observed"].append(obs)
        rows["seeded"].append(float(ns))
        rows["pit"].append(float((np.sum(col < obs) + 0.5 * np.sum(col == obs)) / trials))
        err.append(abs(np.log(max(q[2], 1.0)) - np.log(obs)))
        logp.append(float(np.log((np.sum(col == obs) + 0.5) / (trials + 25.0))))
    per = {k: np.asarray(v) for k, v in rows.items()}
    n = len(err)

    def inside(lo: str, hi: str) -> float:
        return float(np.mean((per[lo] <= per["observed"]) & (per["observed"] <= per[hi]))) if n else 0.0

    return {
        "median_abs_log_error": float(np.median(err)) if n else 0.0,
        "coverage50": inside("q25", "q75"),
        "coverage90": inside("q05", "q95"),
        "mean_log_predictive": float(np.mean(logp)) if n else 0.0,
        "seen": float(np.mean(per["seeded"] / per["observed"])) if n else 0.0,
        "cascades": per,
        "seed": seed,
    }


def training_delays(graph: Any, cascades: Cascades) -> np.ndarray:
    """Empirical transmission delays: for every adoption, the seconds since each earlier adopter
    that it follows (an adopting in-neighbour). Use them as ``continuous_reach(delay_samples=...)``.

    Examples
    --------
    >>> import kolsim
    >>> from kolsim import cascades as kc
    >>> g = kolsim.from_edges([0], [1])
    >>> c = kc.Cascades.from_lists(g, [[(0, 0.0), (1, 30.0)]])
    >>> kc.training_delays(g, c).tolist()
    [30.0]
    """
    out: List[float] = []
    for i in range(len(cascades)):
        idx = np.asarray(cascades.adopter_indices(i))
        t = np.asarray(cascades.times(i), dtype=float)
        when = {int(v): float(x) for v, x in zip(idx, t)}
        accounts = np.asarray(graph.accounts)
        for v, tv in zip(idx, t):
            for u in graph.in_neighbors(int(accounts[v])):
                tu = when.get(int(graph.index_of(int(u))))
                if tu is not None and tu < tv:
                    out.append(tv - tu)
    return np.asarray(out, dtype=float)


def predict_cascade(model: Any, seeds: Any, *, trials: int = 200, seed: "int | np.random.Generator | None" = 0,
                    threads: int = 0,
                    max_steps: Optional[int] = None, learned: Optional[LearnedProbabilities] = None) -> SizeDistribution:
    """Monte Carlo distribution of a cascade's final size from ``seeds`` (account ids).

    With ``learned`` from ``learn_ic_em(..., exogenous=True)``, accounts also adopt from outside
    the graph with the learned probabilities, scaled per trial by an appeal drawn from the
    training cascades (``learned.cascade_intensity``). ``seed``: an int, None (fresh entropy) or a
    numpy.random.Generator (one draw from it); the seed used is ``result.seed``.
    """
    exo, scales = _exogenous(learned)
    seed = _api.resolve_seed(seed, "predict_cascade")
    return _core.predict_cascade(model, seeds, trials=trials, seed=seed, threads=threads, max_steps=max_steps,
                                 exogenous=exo, exogenous_scales=scales)


def evaluate_predictions(model: Any, cascades: Cascades, *, trials: int = 200,
                         seed: "int | np.random.Generator | None" = 0, threads: int = 0,
                         max_steps: Optional[int] = None, observed_seeds: int = 1, observed_seconds: float = 0.0,
                         learned: Optional[LearnedProbabilities] = None, condition: bool = False,
                         intensity_spread: float = 0.0) -> Dict[str, Any]:
    """Predict each cascade from its first ``observed_seeds`` adopters and score the predictions.

    Nowcasting: with ``observed_seconds`` > 0 every adopter within that many seconds of the
    cascade's first adoption seeds the prediction (the cascade as seen at time tau), and the
    scores say how well the rest is completed. With ``learned`` (exogenous) and ``condition=True``,
    the intensity is conditioned on the prefix: each training intensity is weighted by the
    Poisson probability of the prefix's adoptions that have no adopting in-neighbour, and only
    the share of exogenous adoption still to come (``learned.exogenous_delays`` after tau) is
    simulated. ``intensity_spread`` s > 0 multiplies each trial's intensity by a mean-one
    log-normal exp(s z - s^2/2) (over-dispersion; choose s on training cascades only).

    Returns a dict with ``median_abs_log_error`` (point forecast: the predictive median),
    ``median_abs_log_error_of_mean``, ``coverage50``, ``coverage90``, ``mean_auc``,
    ``mean_average_precision`` and ``cascades`` (per-cascade arrays: observed, predicted_mean,
    q05 .. q95, pit, auc, average_precision) and ``seed`` (the seed used: an int, None = fresh
    entropy, or a numpy.random.Generator = one draw from it, may be given).
    """
    exo, scales = _exogenous(learned)
    seed = _api.resolve_seed(seed, "evaluate_predictions")
    out = _core.evaluate_predictions(model, cascades, trials=trials, seed=seed, threads=threads, max_steps=max_steps,
                                     observed_seeds=observed_seeds, observed_seconds=observed_seconds,
                                     exogenous=exo, exogenous_scales=scales, intensity_spread=intensity_spread,
                                     exogenous_delays=(learned.exogenous_delays
                                                       if condition and exo is not None else None))
    out["seed"] = seed
    return out


def _exogenous(learned: Optional[LearnedProbabilities]) -> Tuple[Any, Any]:
    if learned is None or len(learned.exogenous) == 0:
        return None, None
    return learned.exogenous, learned.cascade_intensity


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 4))
    return ax


def plot_size_distribution(cascades: Cascades, *, ax: Any = None, label: Optional[str] = None) -> Any:
    """Log-log complementary CDF of cascade sizes (in-graph adopters)."""
    ax = _axes(ax)
    sizes = np.sort(np.asarray(cascades.sizes, dtype=float))
    ccdf = 1.0 - np.arange(len(sizes)) / max(len(sizes), 1)
    ax.loglog(sizes, ccdf, marker=".", linestyle="none", label=label)
    ax.set_xlabel("cascade size (adopters)")
    ax.set_ylabel("P(size >= x)")
    if label:
        ax.legend()
    return ax


def plot_adoption_over_time(cascades: Cascades, *, ax: Any = None, unit: float = 86400.0,
                            unit_name: str = "days") -> Any:
    """Median and 10-90% band of the fraction of each cascade's final size reached over time."""
    ax = _axes(ax)
    curves = []
    spans = []
    for i in range(len(cascades)):
        t = np.asarray(cascades.times(i))
        if len(t) < 2:
            continue
        spans.append((t[-1] - t[0]) / unit)
        curves.append(((t - t[0]) / unit, np.arange(1, len(t) + 1) / len(t)))
    if not curves:
        return ax
    grid = np.linspace(0.0, float(np.percentile(spans, 90)) or 1.0, 100)
    frac = np.array([np.interp(grid, x, y, left=0.0, right=1.0) for x, y in curves])
    ax.plot(grid, np.median(frac, axis=0), label="median cascade")
    ax.fill_between(grid, np.percentile(frac, 10, axis=0), np.percentile(frac, 90, axis=0), alpha=0.3,
                    label="10-90% of cascades")
    ax.set_xlabel(f"time since first adoption ({unit_name})")
    ax.set_ylabel("fraction of final size")
    ax.legend()
    return ax


def plot_predictions(scores: Dict[str, Any], *, ax: Any = None, label: Optional[str] = None) -> Any:
    """Predicted (median, 5-95% interval) against observed final size, log-log."""
    ax = _axes(ax)
    c = scores["cascades"]
    obs = np.asarray(c["observed"])
    med = np.asarray(c["q50"])
    lo, hi = np.asarray(c["q05"]), np.asarray(c["q95"])
    ax.errorbar(obs, med, yerr=[med - lo, hi - med], fmt=".", alpha=0.5, label=label)
    top = max(float(obs.max()), float(hi.max())) if len(obs) else 1.0
    ax.plot([1, top], [1, top], color="grey", linewidth=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("observed final size")
    ax.set_ylabel("predicted (median, 5-95%)")
    if label:
        ax.legend()
    return ax


def plot_calibration(scores: Dict[str, Any], *, ax: Any = None, label: Optional[str] = None) -> Any:
    """Calibration: the fraction of cascades whose observed size falls inside the central
    prediction interval of each nominal level (from the PIT values); the diagonal is perfect."""
    ax = _axes(ax)
    pit = np.asarray(scores["cascades"]["pit"])
    levels = np.linspace(0.0, 1.0, 21)
    inside = [np.mean(np.abs(pit - 0.5) <= lv / 2) if len(pit) else 0.0 for lv in levels]
    ax.plot(levels, inside, marker="o", label=label)
    ax.plot([0, 1], [0, 1], color="grey", linewidth=1)
    ax.set_xlabel("nominal coverage of the central interval")
    ax.set_ylabel("observed coverage")
    if label:
        ax.legend()
    return ax


# --- Complex contagion: exposure curves and a model comparison (issue 16) ---------------------

exposure_counts = _core.exposure_counts


def exposure_curve(graph: Any, cascades: Cascades, *, threads: int = 0) -> Dict[str, Any]:
    """Exposure curve of observed cascades (Romero, Meeder, Kleinberg, WWW 2011; Centola 2010).

    Account v is exposed by each in-neighbour (edge ``u -> v``) that adopted strictly before v did,
    or before the cascade ended when v never adopted. For j = 1 .. max: ``trials`` (account-cascade
    pairs with exactly j exposures at adoption or at the end), ``adopted``, ``probability`` =
    P(adopt | j exposures) with binomial ``std_error``, and Romero et al.'s ``hazard`` (adopted
    with exactly j among the ``reached`` pairs that ever had >= j). Independent Cascade predicts
    about 1 - (1 - p)^j (P(1) > 0, concave); k-exposure predicts 0 below k. Also ``exogenous``
    (adopters with no earlier adopting in-neighbour) and ``adopters``.

    Examples
    --------
    >>> import kolsim
    >>> from kolsim import cascades as kc
    >>> g = kolsim.from_edges([0, 1, 0], [2, 2, 3])
    >>> c = kc.Cascades.from_lists(g, [[(0, 0), (1, 0), (2, 5)]])
    >>> r = kc.exposure_curve(g, c)
    >>> r["trials"].tolist(), r["adopted"].tolist(), r["exogenous"]
    ([1, 1], [0, 1], 2)
    """
    out = _core.exposure_curve(graph, cascades, threads=threads)
    counts = _core.exposure_counts(graph, cascades, threads=threads)
    out["exogenous"] = int(counts["exogenous"])
    out["adopters"] = int(counts["adopters"])
    return out


def _decisions(counts: Dict[str, Any]) -> Dict[str, Any]:
    """Every decision of exposure counts: exposures before and after its batch, the account's
    in-degree, and whether the account adopted after it."""
    off = np.asarray(counts["step_offsets"], dtype=np.int64)
    steps = np.asarray(counts["steps"], dtype=np.int64)
    per_row = np.diff(off)
    prev = np.zeros(len(steps), dtype=np.int64)
    if len(steps):
        prev[1:] = steps[:-1]
        prev[off[:-1][per_row > 0]] = 0
    y = np.zeros(len(steps), dtype=np.int64)
    adopted = np.asarray(counts["adopted"], dtype=bool)
    y[off[1:][adopted] - 1] = 1
    indeg = np.repeat(np.asarray(counts["in_degree"], dtype=np.int64), per_row)
    return {"prev": prev, "new": steps, "in_degree": indeg, "y": y, "decisions": int(len(steps))}


def _aggregate(d: Dict[str, Any], k: Optional[int], fraction: Optional[float],
               bands: Sequence[int] = ()) -> Dict[str, np.ndarray]:
    """Distinct (prev, new, threshold, in-degree band, adopted) decisions with their multiplicity;
    threshold k (1 = IC) or max(1, ceil(fraction * in-degree)) as in ComplexContagion; band b
    when the in-degree lies in [bands[b-1], bands[b])."""
    if fraction is None:
        th = np.full(len(d["prev"]), int(k or 1), dtype=np.int64)
    else:
        th = np.maximum(1, np.ceil(fraction * d["in_degree"].astype(float) - 1e-9)).astype(np.int64)
    band = np.searchsorted(np.asarray(bands, dtype=np.int64), d["in_degree"], side="right").astype(np.int64)
    if len(th) == 0:
        z = np.zeros(0, dtype=np.int64)
        return {"prev": z, "new": z, "threshold": z, "band": z, "y": z, "count": np.zeros(0)}
    # One int64 key per decision (np.unique over rows is slow).
    m, nb = int(max(d["new"].max(), th.max())) + 1, len(bands) + 1
    uniq, mult = np.unique((((d["prev"] * m + d["new"]) * m + th) * nb + band) * 2 + d["y"], return_counts=True)
    rest, y = np.divmod(uniq, 2)
    rest, bd = np.divmod(rest, nb)
    rest, t = np.divmod(rest, m)
    prev, new = np.divmod(rest, m)
    return {"prev": prev, "new": new, "threshold": t, "band": bd, "y": y, "count": mult.astype(float)}


def _log_likelihood(a: Dict[str, np.ndarray], p: float, background: Any) -> float:
    """Sum of log P(decision): after a batch raising the exposures from prev to new, the account
    adopts with hazard 1 - (1 - e) P(Bin(new, p) < T) / P(Bin(prev, p) < T), T its threshold
    (passed exposures needed), e the background of its in-degree band."""
    from scipy.stats import binom

    if len(a["prev"]) == 0:
        return 0.0
    e = np.asarray(background, dtype=float).reshape(-1)[a["band"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        lo_new = binom.logcdf(a["threshold"] - 1, a["new"], p)
        lo_prev = binom.logcdf(a["threshold"] - 1, a["prev"], p)
        contagion = np.where(np.isfinite(lo_prev), lo_new - lo_prev, -np.inf)
    log_stay = np.minimum(np.log1p(-e) + contagion, 0.0)
    with np.errstate(divide="ignore"):
        log_adopt = np.log(np.maximum(-np.expm1(log_stay), 1e-300))
        log_stay = np.maximum(log_stay, -690.0)
    return float(np.sum(a["count"] * np.where(a["y"] == 1, log_adopt, log_stay)))


def _fit(a: Dict[str, np.ndarray], fit_p: bool, n_bands: int) -> Tuple[float, float, List[float]]:
    """Maximum likelihood (p, background per band): a grid over p (log scale), each band's
    background by a bounded 1-d search (the bands separate given p), then L-BFGS in logit space
    from the best grid point; returns (ll, p, backgrounds)."""
    from scipy.optimize import minimize, minimize_scalar

    def expit(x: Any) -> Any:
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))

    parts = [{key: v[a["band"] == b] for key, v in a.items()} for b in range(n_bands)]
    for part in parts:
        part["band"] = np.zeros(len(part["prev"]), dtype=np.int64)

    def best_backgrounds(p: float) -> Tuple[float, List[float]]:
        ll, xs = 0.0, []
        for part in parts:
            r = minimize_scalar(lambda x: -_log_likelihood(part, p, float(expit(x))), bounds=(-16.0, 4.0),
                                method="bounded", options={"xatol": 1e-4})
            ll -= float(r.fun)
            xs.append(float(r.x))
        return ll, xs

    p_min = 1e-6
    if not fit_p:
        ll, xs = best_backgrounds(p_min)
        return ll, p_min, [float(v) for v in expit(xs)]
    best: Optional[Tuple[float, float, List[float]]] = None
    for p in np.geomspace(1e-4, 0.99, 24):
        ll, xs = best_backgrounds(float(p))
        if best is None or ll > best[0]:
            best = (ll, float(np.log(p / (1 - p))), xs)
    assert best is not None
    res = minimize(lambda x: -_log_likelihood(a, float(expit(x[0])), expit(x[1:])), [best[1], *best[2]],
                   method="L-BFGS-B", bounds=[(-16.0, 8.0)] + [(-16.0, 4.0)] * n_bands)
    if -float(res.fun) > best[0]:
        best = (-float(res.fun), float(res.x[0]), [float(v) for v in res.x[1:]])
    return best[0], float(expit(best[1])), [float(v) for v in expit(best[2])]


def compare_contagion(graph: Any, cascades: Cascades, *, split: str = "time", test_fraction: float = 0.2,
                      seed: int = 0, ks: Sequence[int] = (2, 3),
                      fractions: Sequence[float] = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5),
                      in_degree_bands: Sequence[int] = (), threads: int = 0) -> Dict[str, Any]:
    """Which contagion explains the adoption decisions best: IC, k-exposure or a fractional threshold?

    Every account exposed to a cascade makes one decision per batch of simultaneous exposures (see
    :func:`exposure_curve`): adopt before the next batch, or not. Each model passes each exposure
    with probability ``p`` and adopts once the passed exposures reach a threshold T -- 1 (IC),
    k (k-exposure, Centola and Macy 2007) or max(1, ceil(q * in-degree)) (fractional, q chosen on
    the grid ``fractions`` by training likelihood) -- and every decision also adopts from outside
    the exposures with a fitted ``background`` probability (without it one adoption at j < k would
    rule k-exposure out). ``constant`` ignores exposures (background only). With
    ``in_degree_bands`` (increasing in-degree cut points, e.g. ``(6, 21, 101)``) each band of
    accounts gets its own background: a control for heterogeneity, since accounts that follow
    many accounts collect more exposures and also adopt more. Parameters are fitted by maximum
    likelihood on the training cascades (``split="time"``: the latest ``test_fraction`` test, as
    :func:`split_by_time`; ``"cascade"``: :func:`split_by_cascade` with ``seed``) and scored on the
    test cascades.

    Returns a dict: ``models`` (a list of dicts: ``name``, ``threshold`` ("none", "1", "k",
    "fraction"), ``k``, ``fraction``, ``p``, ``background`` (a float, or one per band),
    ``parameters``, ``train_log_likelihood``, ``aic`` (2 parameters - 2 train log-likelihood),
    ``test_log_likelihood`` and ``test_per_decision``), ``best`` (highest test log-likelihood),
    ``best_aic``, and ``train_decisions`` / ``test_decisions`` / ``train_cascades`` /
    ``test_cascades``.

    Examples
    --------
    >>> import kolsim
    >>> from kolsim import cascades as kc
    >>> g = kolsim.from_edges([0, 1, 0, 1], [2, 2, 3, 3])
    >>> c = kc.Cascades.from_lists(g, [[(0, 0), (1, 1), (2, 2)], [(0, 0), (3, 1)]] * 5)
    >>> r = kc.compare_contagion(g, c, split="cascade", test_fraction=0.4)
    >>> [m["name"] for m in r["models"]][:3]
    ['constant', 'IC', 'k=2']
    """
    if split == "time":
        train_idx, test_idx = split_by_time(cascades, test_fraction)
    elif split == "cascade":
        train_idx, test_idx = split_by_cascade(cascades, test_fraction, seed=seed)
    else:
        raise ValueError(f"compare_contagion: split must be 'time' or 'cascade', got {split!r}")
    for k in ks:
        if int(k) < 2:
            raise ValueError(f"compare_contagion: every k must be >= 2 (k = 1 is IC), got {k}")
    for q in fractions:
        if not 0.0 < float(q) <= 1.0:
            raise ValueError(f"compare_contagion: fractions must be in (0, 1], got {q}")
    bands = [int(x) for x in in_degree_bands]
    if any(x < 1 for x in bands) or any(x >= y for x, y in zip(bands, bands[1:])):
        raise ValueError(f"compare_contagion: in_degree_bands must be increasing and >= 1, got {bands}")
    nb = len(bands) + 1
    train = _decisions(_core.exposure_counts(graph, _subset(cascades, train_idx), threads=threads))
    test = _decisions(_core.exposure_counts(graph, _subset(cascades, test_idx), threads=threads))
    if train["decisions"] == 0:
        raise ValueError("compare_contagion: the training cascades expose nobody (no decisions to fit)")

    def model(name: str, kind: str, k: Optional[int], q: Optional[float], fit: Tuple[float, float, List[float]],
              npar: int) -> Dict[str, Any]:
        ll, p, b = fit
        return {"name": name, "threshold": kind, "k": k, "fraction": q, "p": p if kind != "none" else 0.0,
                "background": b[0] if nb == 1 else b, "parameters": npar + nb, "train_log_likelihood": ll}

    models = [model("constant", "none", None, None, _fit(_aggregate(train, 1, None, bands), False, nb), 0),
              model("IC", "1", 1, None, _fit(_aggregate(train, 1, None, bands), True, nb), 1)]
    models += [model(f"k={int(k)}", "k", int(k), None, _fit(_aggregate(train, int(k), None, bands), True, nb), 1)
               for k in ks]
    if len(fractions):
        fits = [(_fit(_aggregate(train, None, float(q), bands), True, nb), float(q)) for q in fractions]
        fit, q = max(fits, key=lambda f: f[0][0])
        models.append(model(f"fraction q={q:g}", "fraction", None, q, fit, 2))
    for m in models:
        ll = _log_likelihood(_aggregate(test, m["k"] or 1, m["fraction"], bands),
                             m["p"] if m["threshold"] != "none" else 1e-6, m["background"])
        m["aic"] = 2.0 * m["parameters"] - 2.0 * m["train_log_likelihood"]
        m["test_log_likelihood"] = ll
        m["test_per_decision"] = ll / test["decisions"] if test["decisions"] else float("nan")
    return {
        "models": models,
        "best": max(models, key=lambda m: m["test_log_likelihood"])["name"],
        "best_aic": min(models, key=lambda m: m["aic"])["name"],
        "train_decisions": train["decisions"], "test_decisions": test["decisions"],
        "train_cascades": int(len(train_idx)), "test_cascades": int(len(test_idx)), "split": split,
        "in_degree_bands": bands,
    }


def plot_exposure_curve(curve: Dict[str, Any], *, ax: Any = None, label: Optional[str] = None,
                        max_exposures: int = 20, ic_p: Optional[float] = None) -> Any:
    """P(adopt | j exposures) with 2-SE bars for j up to ``max_exposures``; with ``ic_p`` also the
    Independent Cascade prediction 1 - (1 - p)^j."""
    ax = _axes(ax)
    j = np.asarray(curve["exposures"])[:max_exposures]
    pr = np.asarray(curve["probability"])[:max_exposures]
    se = np.asarray(curve["std_error"])[:max_exposures]
    ax.errorbar(j, pr, yerr=2 * se, fmt="o-", label=label)
    if ic_p is not None:
        ax.plot(j, 1.0 - (1.0 - ic_p) ** j, linestyle="--", color="grey", label=f"IC 1-(1-{ic_p:.3g})^j")
    ax.set_xlabel("adopting in-neighbours seen (j)")
    ax.set_ylabel("P(adopt | j)")
    if label or ic_p is not None:
        ax.legend()
    return ax
