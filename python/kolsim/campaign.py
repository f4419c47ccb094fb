# SPDX-License-Identifier: MIT
"""Campaign helpers: a reusable :class:`Campaign` (model + roster + defaults), a plan wrapper with
``table()``, ``replan_without(account)`` and plots, roster/audience builders, and the three
campaign plots (reach vs budget, reach over time, reach per audience group).

The planning itself runs in C++ (:func:`kolsim.plan_campaign`, which returns this module's
:class:`CampaignPlan`); this module only arranges its inputs and draws its outputs. Plots use
matplotlib (Agg when no display), return the Figure, and with ``path`` save a PNG atomically
(temporary file in the same folder + ``os.replace``).

Examples
--------
>>> import kolsim, kolsim.campaign as kc
>>> g = kolsim.weighted_cascade(kolsim.preferential_attachment(600, 3, seed=1))
>>> roster = kc.generated_roster(g, 40, seed=2)
>>> plan = kc.Campaign(kolsim.IndependentCascade(g), roster, budget=300.0, check_trials=300, seed=3).plan()
>>> plan.total_fee <= 300.0 and len(plan.groups) == 0
True
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

import numpy as np

from . import _core

__all__ = [
    "Campaign", "CampaignPlan", "Plan", "audience_from_groups", "generated_roster", "plot_group_reach", "plot_reach_over_time",
    "plot_reach_vs_budget", "roster_from_arrays",
]


def roster_from_arrays(graph: Any, accounts: Any, fees: Any, risks: Any = None, platforms: Any = None,
                       tags: Any = None, *, include_non_roster: bool = False, non_roster_fee: float = 0.0,
                       non_roster_risk: float = 0.0) -> Any:
    """A :class:`kolsim.Roster` from parallel arrays (one row per KOL).

    ``tags`` may hold lists of strings or ';'-separated strings. Unknown accounts raise
    IndexError, duplicates and bad fees/risks ValueError (naming the row).

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.from_edges([1, 2], [2, 3])
    >>> r = kolsim.campaign.roster_from_arrays(g, [1, 3], [5.0, 2.0], tags=["a;b", ""])
    >>> r.entries[0]["tags"], len(r)
    (['a', 'b'], 2)
    """
    if tags is not None:
        tags = [[t.strip() for t in x.split(";") if t.strip()] if isinstance(x, str) else list(x) for x in tags]
    if platforms is not None:
        platforms = [str(p) for p in platforms]
    return _core.Roster(graph, accounts, fees, risks, platforms=platforms, tags=tags,
                        include_non_roster=include_non_roster, non_roster_fee=non_roster_fee,
                        non_roster_risk=non_roster_risk)


# The C++ name: kolsim.Roster.from_arrays(graph, accounts, fees, ...).
_core.Roster.from_arrays = staticmethod(roster_from_arrays)  # type: ignore[attr-defined]


def audience_from_groups(graph: Any, accounts: Any, groups: Sequence[str],
                         group_weights: Optional[Mapping[str, float]] = None, other_weight: float = 1.0) -> Any:
    """An :class:`kolsim.Audience` from a group name per listed account.

    Members of a group weigh ``group_weights[name]`` (default 1), accounts in no group
    ``other_weight``; with every weight 1 the audience stays unweighted and the groups only
    shape the per-group table (and group minimums). The audience is bound to ``graph``:
    :func:`kolsim.plan_campaign` rejects it on another graph.

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.from_edges([1, 2], [2, 3])
    >>> a = kolsim.campaign.audience_from_groups(g, [1, 3], ["young", "old"], {"young": 2.0}, 0.0)
    >>> a.group_names, a.weights.tolist()
    (['young', 'old'], [2.0, 0.0, 1.0])
    """
    accounts = np.asarray(accounts)
    if len(accounts) != len(groups):
        raise ValueError(f"audience_from_groups: {len(accounts)} accounts but {len(groups)} groups")
    n = graph.num_vertices
    names: List[str] = []
    index: Dict[str, int] = {}
    group_of = np.full(n, 2**32 - 1, dtype=np.uint32)
    for a, name in zip(accounts.tolist(), groups):
        if not name:
            raise ValueError("audience_from_groups: empty group name")
        v = graph.index_of(int(a))
        if group_of[v] != 2**32 - 1:
            raise ValueError(f"audience_from_groups: duplicate account {a}")
        if name not in index:
            index[name] = len(names)
            names.append(name)
        group_of[v] = index[name]
    gw = np.ones(len(names))
    for name, w in (group_weights or {}).items():
        if name not in index:
            raise ValueError(f"audience_from_groups: group_weights names unknown group {name!r}")
        gw[index[name]] = float(w)
    if other_weight == 1.0 and np.all(gw == 1.0):
        weights = None
    elif not names:
        weights = np.full(n, float(other_weight))
    else:
        weights = np.where(group_of == 2**32 - 1, float(other_weight), gw[np.minimum(group_of, max(len(names) - 1, 0))])
    return _core.Audience(weights=weights, group_of=group_of, group_names=names, g=graph)


def generated_roster(graph: Any, size: int, *, seed: int = 0, risky_fraction: float = 0.05,
                     base_fee: float = 100.0, fee_per_follower: float = 2.0, fee_exponent: float = 0.9,
                     top_fraction: float = 0.5) -> Any:
    """A synthetic roster for demos and benchmarks: ``size`` KOLs, the first ``top_fraction`` of
    them the accounts with most followers, the rest drawn at random (seeded); fee =
    ``base_fee + fee_per_follower * followers ** fee_exponent``; a ``risky_fraction`` of KOLs
    get risk uniform in [0.2, 0.6], the rest 0; platform "generated".

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1200, seed=1))
    >>> r = kolsim.campaign.generated_roster(g, 50, seed=1)
    >>> len(r), min(e["fee"] for e in r.entries) >= 100.0
    (50, True)
    """
    n = graph.num_vertices
    size = int(min(size, n))
    rng = np.random.default_rng(seed)
    followers = np.asarray(graph.out_degrees, dtype=np.float64)
    top = np.argsort(-followers, kind="stable")[: int(size * top_fraction)]
    rest = np.setdiff1d(np.arange(n), top)
    pick = np.concatenate([top, rng.choice(rest, size - len(top), replace=False)]) if size > len(top) else top
    fees = base_fee + fee_per_follower * followers[pick] ** fee_exponent
    risks = np.where(rng.random(len(pick)) < risky_fraction, rng.uniform(0.2, 0.6, len(pick)), 0.0)
    accounts = np.asarray(graph.accounts)[pick]
    return _core.Roster(graph, accounts, np.round(fees, 2), np.round(risks, 3), platforms=["generated"] * len(pick))


def _pyplot() -> Any:
    from .plot import _pyplot as p

    return p()


def _save(fig: Any, path: Any) -> None:
    if path is not None:
        from .plot import save_png

        save_png(fig, path)


def _record(plan: Any) -> Dict[str, Any]:
    return plan.as_dict() if hasattr(plan, "as_dict") else dict(plan)


def plot_reach_vs_budget(plan: Any, *, path: Any = None, ax: Any = None, title: str = "Reach vs budget") -> Any:
    """Reach against money spent: the plan's greedy prefixes (its first 0, 1, 2, ... KOLs) and,
    when the plan was asked for ``budget_curve`` points, a fresh plan made at each of those
    budgets, drawn at the fee it actually spends. Both are measured the same way, by independent
    Monte Carlo (+-1.96 se), unless the plan ran no check (``check_trials=0``: RR validation
    estimate, said in the legend). Returns the Figure; saves a PNG atomically with ``path``.

    Examples
    --------
    >>> import kolsim, kolsim.campaign as kc, os, tempfile
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    >>> plan = kolsim.plan_campaign(kolsim.IndependentCascade(g), kc.generated_roster(g, 40), budget=500.0,
    ...                             budget_curve=[200.0, 400.0], check_trials=200, seed=1)
    >>> fig = kc.plot_reach_vs_budget(plan, path=os.path.join(tempfile.mkdtemp(), "budget.png"))
    """
    rec = _record(plan)
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
    ax = ax if ax is not None else fig.add_subplot(111)
    how = {"monte_carlo": "Monte Carlo", "rr_validation": "RR estimate, no check"}
    for source, style, label in (("greedy_prefix", "o-", "the plan's first KOLs"),
                                 ("replan", "s", "a plan made at that budget")):
        pts = [p for p in rec["budget_curve"] if p["source"] == source]
        if not pts:
            continue
        est = sorted({how.get(p.get("estimate", "monte_carlo"), "Monte Carlo") for p in pts})
        label = f"{label} ({', '.join(est)})"
        pts.sort(key=lambda p: p["fee"])
        x = np.array([p["fee"] for p in pts])
        y = np.array([p["reach"] for p in pts])
        e = 1.96 * np.array([p["se"] for p in pts])
        ax.errorbar(x, y, yerr=e, fmt=style, capsize=3, label=label)
    ax.set_xlabel("fees spent")
    ax.set_ylabel("weighted reach" if rec["parameters"]["weighted_audience"] else "accounts reached")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend()
    _save(fig, path)
    return fig


def plot_reach_over_time(plan: Any, *, path: Any = None, ax: Any = None, title: str = "Reach over time") -> Any:
    """Cumulative (weighted) reach by propagation step of the plan (independent Monte Carlo,
    +-1.96 se bars), whole-step ticks, the deadline marked when the plan has one. Returns the
    Figure; ``path`` saves a PNG.

    Examples
    --------
    >>> import kolsim, kolsim.campaign as kc
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    >>> plan = kolsim.plan_campaign(kolsim.IndependentCascade(g), kc.generated_roster(g, 40), max_kols=3,
    ...                             check_trials=200, seed=1)
    >>> fig = kc.plot_reach_over_time(plan)
    """
    rec = _record(plan)
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
    ax = ax if ax is not None else fig.add_subplot(111)
    from matplotlib.ticker import MaxNLocator

    y = np.asarray(rec["reach_by_step"], dtype=np.float64)
    se = np.asarray(rec.get("reach_by_step_se") or [], dtype=np.float64)
    if len(se) == len(y) and len(y):
        ax.errorbar(np.arange(len(y)), y, yerr=1.96 * se, fmt="o-", capsize=3, label="plan (95% interval)")
    else:
        ax.plot(np.arange(len(y)), y, "o-", label="plan")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    deadline = rec["parameters"]["deadline"]
    if deadline != "none":
        ax.axvline(float(deadline), color="grey", linestyle=":", label=f"deadline ({deadline} steps)")
    ax.set_xlabel("propagation step")
    ax.set_ylabel("cumulative " + ("weighted reach" if rec["parameters"]["weighted_audience"] else "accounts reached"))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    _save(fig, path)
    return fig


def plot_group_reach(plan: Any, *, path: Any = None, ax: Any = None, relative: bool = True,
                     title: str = "Reach per audience group") -> Any:
    """Bars of the share of each audience group reached (independent Monte Carlo, +-1.96 se):
    groups differ in size, so absolute counts mislead; ``relative=False`` draws accounts reached.
    Each group's requested minimum is a dashed line; bars are blue where the minimum is met,
    red where it is not (the legend says so). Returns the Figure.

    Examples
    --------
    >>> import kolsim, kolsim.campaign as kc
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    >>> aud = kc.audience_from_groups(g, g.accounts[:100], ["a"] * 50 + ["b"] * 50)
    >>> plan = kolsim.plan_campaign(kolsim.IndependentCascade(g), kc.generated_roster(g, 40), max_kols=3,
    ...                             audience=aud, check_trials=200, seed=1)
    >>> fig = kc.plot_group_reach(plan)
    """
    rec = _record(plan)
    plt = _pyplot()
    fig = ax.figure if ax is not None else plt.figure(figsize=(6, 4))
    ax = ax if ax is not None else fig.add_subplot(111)
    groups = rec["groups"]
    names = [g["name"] for g in groups]
    scale = np.array([max(g["size"], 1) if relative else 1 for g in groups], dtype=np.float64)
    reach = np.array([g["reach"] for g in groups]) / scale if groups else np.zeros(0)
    err = 1.96 * np.array([g["se"] for g in groups]) / scale if groups else np.zeros(0)
    x = np.arange(len(groups))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    has_min = any(g["minimum"] > 0 for g in groups)
    colours = ["C0" if (g["met"] or not has_min) else "C3" for g in groups]
    ax.bar(x, reach, yerr=err, capsize=3, color=colours)
    for i, g in enumerate(groups):
        if g["minimum"] > 0:
            ax.hlines(g["minimum"] / scale[i], i - 0.4, i + 0.4, colors="k", linestyles="--")
    handles = [Patch(color="C0", label="minimum met" if has_min else "reached (95% interval)")]
    if has_min:
        if any(c == "C3" for c in colours):
            handles.append(Patch(color="C3", label="minimum not met"))
        handles.append(Line2D([0], [0], color="k", linestyle="--", label="requested minimum"))
    if groups:
        ax.legend(handles=handles)
    ax.set_xticks(x)
    ax.set_xticklabels(names)
    if relative:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("share of group reached" if relative else "accounts reached")
    ax.set_title(title)
    _save(fig, path)
    return fig


class CampaignPlan:
    """A campaign plan: what :func:`kolsim.plan_campaign` and :meth:`Campaign.plan` both return.

    It holds the compiled record (``core``, a ``kolsim._core.CampaignPlan``) together with the
    model and roster it was made from, so it can re-plan itself. Every attribute of the record is
    available (``kols``, ``reach``, ``reach_se``, ``certified_ratio``, ``to_json()``,
    ``as_dict()``, ``save_json(path)``, ...), plus ``groups`` and ``budget_curve`` as lists of
    dicts, ``table()``, ``replan_without(account)``, the three plots, ``save_plots(folder)`` and
    ``save_html(path)`` (the report page). ``kolsim.campaign.Plan`` is the same class.
    """

    def __init__(self, core: Any, model: Any, roster: Any):
        self.core = core
        self.model = model
        self.roster = roster

    def __getattr__(self, name: str) -> Any:
        if name in ("core", "model", "roster") or name.startswith("__"):  # unpickling, copy, before __dict__
            raise AttributeError(name)
        return getattr(self.core, name)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | {n for n in dir(self.core) if not n.startswith("_")})

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise TypeError("cannot pickle kolsim.CampaignPlan: it holds C++ campaign records with no pickled form; "
                        "keep plan.as_dict() or plan.save_json(path) and the numbers you need")

    def __str__(self) -> str:
        return self.core.to_table()

    def __repr__(self) -> str:
        return repr(self.core)

    def table(self) -> str:
        """The readable text report (same as ``str(plan)``)."""
        return self.core.to_table()

    @property
    def groups(self) -> List[Dict[str, Any]]:
        """Per-group reach: name, size, weight, reach, se, minimum, met."""
        return self.core.as_dict()["groups"]

    @property
    def budget_curve(self) -> List[Dict[str, Any]]:
        """Reach-vs-budget points: source ("greedy_prefix"/"replan"), budget, fee, kols, reach, se."""
        return self.core.as_dict()["budget_curve"]

    def replan_without(self, account: int) -> Any:
        """Reach lost if KOL ``account`` drops out, and the best re-plan with the freed budget
        (a :class:`kolsim.ReplanResult`: reach_lost +- reach_lost_se, replacements, reach_after,
        and the re-plan itself as ``replacement``, a record like ``core``)."""
        return _core.replan_without(self.model, self.roster, self.core, int(account))

    def plot_reach_vs_budget(self, **kw: Any) -> Any:
        return plot_reach_vs_budget(self.core, **kw)

    def plot_reach_over_time(self, **kw: Any) -> Any:
        return plot_reach_over_time(self.core, **kw)

    def plot_group_reach(self, **kw: Any) -> Any:
        return plot_group_reach(self.core, **kw)

    def save_html(self, path: Any, **kw: Any) -> None:
        """Writes the report page (one self-contained HTML file: plots, KOL table, assumptions,
        run record); see :func:`kolsim.report_html.save_html`."""
        from .report_html import save_html

        save_html(self.core, path, **kw)

    def save_plots(self, folder: Any, prefix: str = "campaign") -> List[str]:
        """Saves the three plots as PNGs into ``folder`` (created if needed); returns the paths."""
        folder = os.fspath(folder)
        os.makedirs(folder, exist_ok=True)
        plt = _pyplot()
        paths = []
        for name, fn in (("reach_vs_budget", plot_reach_vs_budget), ("reach_over_time", plot_reach_over_time),
                         ("group_reach", plot_group_reach)):
            if name == "group_reach" and not self.groups:
                continue
            p = os.path.join(folder, f"{prefix}_{name}.png")
            fig = fn(self.core, path=p)
            plt.close(fig)
            paths.append(p)
        return paths


Plan = CampaignPlan  # the earlier name


class Campaign:
    """A model and a roster with default planning options; ``plan(**overrides)`` runs
    :func:`kolsim.plan_campaign` and returns its :class:`CampaignPlan`.

    Parameters
    ----------
    model : IndependentCascade or LinearThreshold
    roster : Roster
    **options
        Any keyword of :func:`kolsim.plan_campaign` (budget, max_kols, max_risk, risk_mode,
        risk_penalty, deadline, epsilon, delta, seed, threads, audience, group_minimums,
        check_trials, budget_curve, method, contracted, excluded, memory_limit).

    Examples
    --------
    >>> import kolsim, kolsim.campaign as kc
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    >>> c = kc.Campaign(kolsim.IndependentCascade(g), kc.generated_roster(g, 40), budget=400.0,
    ...                 check_trials=200, seed=1)
    >>> p = c.plan(deadline=2)
    >>> r = p.replan_without(int(p.seeds[0]))
    >>> r.dropped == int(p.seeds[0])
    True
    """

    def __init__(self, model: Any, roster: Any, **options: Any):
        self.model = model
        self.roster = roster
        self.options = dict(options)

    def plan(self, **overrides: Any) -> CampaignPlan:
        """:func:`kolsim.plan_campaign` with the campaign's options updated by ``overrides``
        (``progress=`` included)."""
        import kolsim

        opts = dict(self.options)
        opts.update(overrides)
        return kolsim.plan_campaign(self.model, self.roster, **opts)

    def sweep(self, budgets: Iterable[float], **overrides: Any) -> List[CampaignPlan]:
        """One plan per budget (independent runs, same seed)."""
        return [self.plan(budget=float(b), **overrides) for b in budgets]
