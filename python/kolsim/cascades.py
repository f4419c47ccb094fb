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
    "plot_calibration", "continuous_reach", "training_delays", "nowcast_continuous",
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
