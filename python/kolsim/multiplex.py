# SPDX-License-Identifier: MIT
"""Multi-platform (multiplex) networks: build one from per-platform edge lists and an identity
table, estimate reach in people and per platform, select (person, platform) seeds, and read a
summary of how the platforms' audiences overlap (docs/multiplex.md).

Example::

    import kolsim
    from kolsim import multiplex as mp
    mx = mp.from_edge_lists(
        {"video": ([1, 1], [2, 3], [0.5, 0.5]), "forum": ([10], [20], [0.4])},
        identity=[(100, "video", 1), (100, "forum", 10), (200, "video", 2), (200, "forum", 20)],
        cross_posting={("video", "forum"): 0.3})
    print(mp.overlap_summary(mx))
    print(mp.spread(mx, [(100, "video")], trials=10_000, seed=1))
    print(mp.select(mx, 1, seed=1).seeds)
    plan = mp.plan(mx, [(100, "video", 5.0), (200, "forum", 2.0)], budget=5.0, seed=1)
    print(plan.to_table())
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Multiplex, MultiplexEstimate, MultiplexExact, MultiplexPlan, MultiplexSelection
from ._core import MultiplexBlocking, MultiplexCompetitiveEstimate, MultiplexExactCompetition

__all__ = ["Multiplex", "MultiplexEstimate", "MultiplexExact", "MultiplexSelection", "from_edge_lists", "spread",
           "exact", "select", "overlap", "overlap_summary", "MultiplexPlan", "plan"]
# A misleading narrative and its correction (estimate/multiplex_competitive.hpp, select/multiplex_blocking.hpp).
__all__ += ["MultiplexBlocking", "MultiplexCompetitiveEstimate", "MultiplexExactCompetition",
            "estimate_competition", "exact_competition", "block"]

_Layer = Union[_core.FollowerGraph, Tuple[Any, ...], Mapping[str, Any]]


def _layer_graph(name: str, spec: _Layer) -> _core.FollowerGraph:
    if isinstance(spec, _core.FollowerGraph):
        return spec
    from . import from_edges

    if isinstance(spec, Mapping):
        return from_edges(spec["sources"], spec["targets"], probabilities=spec.get("probabilities"))
    if isinstance(spec, tuple) and len(spec) in (2, 3):
        return from_edges(spec[0], spec[1], probabilities=spec[2] if len(spec) == 3 else None)
    raise TypeError(f"platform {name!r}: expected a FollowerGraph, (sources, targets[, probabilities]) or a mapping "
                    f"with 'sources', 'targets' and 'probabilities', got {type(spec).__name__}")


def _cross_matrix(names: List[str], cross_posting: Any) -> np.ndarray:
    n = len(names)
    if cross_posting is None:
        return np.zeros((n, n))
    if isinstance(cross_posting, Mapping):
        c = np.zeros((n, n))
        for key, p in cross_posting.items():
            if not (isinstance(key, tuple) and len(key) == 2):
                raise TypeError(f"cross_posting keys are (from, to) platform pairs, got {key!r}")
            a, b = (names.index(k) if isinstance(k, str) and k in names else k for k in key)
            if not isinstance(a, (int, np.integer)) or not isinstance(b, (int, np.integer)):
                raise ValueError(f"cross_posting: unknown platform in {key!r} (platforms: {names})")
            c[a, b] = p
        return c
    if np.isscalar(cross_posting):
        c = np.full((n, n), cross_posting, dtype=np.float64)
        np.fill_diagonal(c, 0.0)
        return c
    return np.asarray(cross_posting, dtype=np.float64)


def from_edge_lists(layers: Mapping[str, _Layer], identity: Any = None, cross_posting: Any = None, *,
                    unlisted: str = "own_person") -> Multiplex:
    """Build a :class:`Multiplex` from per-platform edge lists and an identity table.

    Parameters
    ----------
    layers : mapping of platform name to graph
        Each value a :class:`kolsim.FollowerGraph` with probabilities, a tuple
        ``(sources, targets, probabilities)`` of account ids (``sources[i] -> targets[i]``:
        targets[i] follows sources[i]) or a mapping with those keys. Order = platform order.
    identity : rows of (person, platform, account), or a mapping with keys "person",
        "platform", "account" (e.g. a pandas DataFrame's columns), optional
        Who owns which account; platform is a name or an index. Accounts without a row are
        people of their own (``unlisted="error"`` refuses them).
    cross_posting : float, (L, L) array, or mapping {(from, to): probability}, optional
        Probability that an account that becomes active posts the message on its owner's account
        on another platform (one step later). A float applies to every pair. Default 0.

    Returns
    -------
    Multiplex

    Examples
    --------
    >>> from kolsim import multiplex as mp
    >>> mx = mp.from_edge_lists({"a": ([1], [2], [1.0]), "b": ([5], [6], [1.0])},
    ...                         identity=[(7, "a", 2), (7, "b", 5)], cross_posting=1.0)
    >>> list(mx.people)  # 7, then the unlisted accounts a:1 and b:6 as people 8 and 9
    [7, 8, 9]
    >>> mp.spread(mx, [(8, "a")], trials=10, seed=1).mean  # a:1 -> a:2 (person 7) -> b:5 -> b:6
    3.0
    """
    names = list(layers)
    graphs = [(name, _layer_graph(name, spec)) for name, spec in layers.items()]
    persons: List[int] = []
    platforms: List[Any] = []
    accounts: List[int] = []
    if identity is not None:
        if isinstance(identity, Mapping) or hasattr(identity, "columns"):
            persons = [int(x) for x in identity["person"]]
            platforms = list(identity["platform"])
            accounts = [int(x) for x in identity["account"]]
        else:
            for row in identity:
                person, platform, account = row
                persons.append(int(person))
                platforms.append(platform)
                accounts.append(int(account))
    platforms = [p if isinstance(p, str) else int(p) for p in platforms]
    return Multiplex(graphs, persons, platforms, accounts, _cross_matrix(names, cross_posting), unlisted=unlisted)


def spread(multiplex: Multiplex, seeds: Iterable[Tuple[int, Union[str, int]]], trials: int = 10000, seed: Any = 0,
           threads: int = 0, max_steps: Optional[int] = None, seed_probabilities: Any = None,
           per_account: bool = False) -> MultiplexEstimate:
    """Monte Carlo reach in people and per platform (see :func:`kolsim.multiplex_spread`)."""
    import kolsim  # the wrapped function: seed may be None or a numpy Generator

    return kolsim.multiplex_spread(multiplex, list(seeds), trials=trials, seed=seed, threads=threads,
                                  max_steps=max_steps, seed_probabilities=seed_probabilities, per_account=per_account)


def exact(multiplex: Multiplex, seeds: Iterable[Tuple[int, Union[str, int]]], max_steps: Optional[int] = None,
          seed_probabilities: Any = None, max_worlds: int = 1 << 24) -> MultiplexExact:
    """Exact reach on a tiny multiplex (see :func:`kolsim.multiplex_exact`)."""
    return _core.multiplex_exact(multiplex, list(seeds), max_steps=max_steps, seed_probabilities=seed_probabilities,
                                 max_worlds=max_worlds)


def select(multiplex: Multiplex, k: int, method: str = "imm", epsilon: Optional[float] = None,
           max_steps: Optional[int] = None, candidates: Optional[Iterable[Tuple[int, Union[str, int]]]] = None,
           fixed_seeds: Optional[Iterable[Tuple[int, Union[str, int]]]] = None, seed: Any = 0,
           threads: int = 0, **method_options: Any) -> MultiplexSelection:
    """IMM / OPIM-C over person-rooted RR sets (see :func:`kolsim.multiplex_select`).

    ``epsilon`` None is the C++ option's default; ``method_options`` are the method's own
    keywords of :func:`kolsim.imm` (``ell``, ``estimation_epsilon``, ``bound_phase``,
    ``validation_ratio``) or :func:`kolsim.opim_c` (``delta``, ``selection_ratio``,
    ``max_selection_noise``), with their defaults; one of the other method raises TypeError.
    """
    import kolsim  # the wrapped function: seed may be None or a numpy Generator

    if epsilon is not None:
        method_options["epsilon"] = epsilon
    return kolsim.multiplex_select(multiplex, k, method=method, max_steps=max_steps,
                                  candidates=None if candidates is None else list(candidates),
                                  fixed_seeds=None if fixed_seeds is None else list(fixed_seeds), seed=seed,
                                  threads=threads, **method_options)


def overlap(multiplex: Multiplex) -> Dict[str, Any]:
    """People per platform and pairwise shared audiences, keyed by platform name.

    Returns a dict with ``people``, ``multi_platform`` (people on two platforms or more),
    ``people_per_platform`` ({name: count}) and ``shared`` ({(a, b): people on both a and b}).
    """
    o = multiplex.overlap()
    names = multiplex.layer_names
    return {
        "people": int(o["people"]),
        "multi_platform": int(o["multi_platform"]),
        "people_per_platform": {n: int(o["people_per_layer"][i]) for i, n in enumerate(names)},
        "shared": {(a, b): int(o["shared"][i, j]) for i, a in enumerate(names) for j, b in enumerate(names) if i < j},
    }


def overlap_summary(multiplex: Multiplex) -> str:
    """A readable table of people per platform and pairwise audience overlap.

    Each row is a platform: its people, then for every other platform the people it shares
    with it and their share of the row platform's people (Jaccard index last).

    Examples
    --------
    >>> from kolsim import multiplex as mp
    >>> mx = mp.from_edge_lists({"a": ([1], [2], [0.5]), "b": ([5], [6], [0.5])},
    ...                         identity=[(7, "a", 2), (7, "b", 5)])
    >>> print(mp.overlap_summary(mx))
    3 people on 2 platforms, 1 on two or more (4 accounts; 0 cross-post edges)
    platform  people  shared with a  shared with b
    a              2              -       1 (50%)
    b              2        1 (50%)              -
    Jaccard overlap: a-b 0.33
    """
    o = multiplex.overlap()
    names = list(multiplex.layer_names)
    per = [int(x) for x in o["people_per_layer"]]
    shared = o["shared"]
    head = [f"{int(o['people'])} people on {len(names)} platforms, {int(o['multi_platform'])} on two or more "
            f"({multiplex.num_accounts} accounts; {multiplex.num_cross_edges} cross-post edges)"]
    cols = ["platform", "people"] + [f"shared with {n}" for n in names]
    rows = []
    for i, a in enumerate(names):
        cells = [a, str(per[i])]
        for j in range(len(names)):
            if i == j:
                cells.append("-")
            else:
                s = int(shared[i, j])
                cells.append(f"{s} ({100.0 * s / per[i]:.0f}%)" if per[i] else "0")
        rows.append(cells)
    widths = [max(len(c[k]) for c in [cols] + rows) for k in range(len(cols))]
    fmt = lambda cells: "  ".join(c.ljust(widths[0]) if k == 0 else c.rjust(widths[k])  # noqa: E731
                                  for k, c in enumerate(cells)).rstrip()
    lines = head + [fmt(cols)] + [fmt(r) for r in rows]
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            union = per[i] + per[j] - int(shared[i, j])
            pairs.append(f"{names[i]}-{names[j]} {int(shared[i, j]) / union if union else 0.0:.2f}")
    if pairs:
        lines.append("Jaccard overlap: " + ", ".join(pairs))
    return "\n".join(lines)


_RosterRows = Union[str, "os.PathLike[str]", Iterable[Sequence[Any]]]


def plan(multiplex: Multiplex, roster: _RosterRows, *, budget: float = float("inf"), max_kols: int = 0,
         max_risk: float = 1.0, risk_mode: str = "expected", risk_penalty: float = 0.0,
         deadline: Optional[int] = None, epsilon: float = 0.1, delta: float = 0.0, seed: int = 0, threads: int = 0,
         person_weights: Optional[Mapping[int, float]] = None, check_trials: int = 10000,
         budget_curve: Optional[Sequence[float]] = None,
         contracted: Optional[Iterable[Tuple[int, Union[str, int]]]] = None,
         excluded: Optional[Iterable[Tuple[int, Union[str, int]]]] = None, memory_limit: int = 0) -> MultiplexPlan:
    """Plans a KOL campaign on a multiplex, counting PEOPLE reached (docs/multiplex.md).

    ``roster`` is a CSV path (columns ``person``, ``platform``, ``fee``, optional ``risk`` and
    ``tags``) or rows ``(person, platform, fee[, risk])``: the same person may be listed on several
    platforms with different fees. Reach, ``person_weights`` ({person id: weight}, others 1) and
    the per-platform reach (``plan.platforms``) count people; the chosen ``plan.kols`` name the
    person (``account``) and the ``platform``. Errors name the row and column (an unknown person
    or platform, a person without an account on that platform).

    Examples
    --------
    >>> from kolsim import multiplex as mp
    >>> mx = mp.from_edge_lists(
    ...     {"video": ([1, 1], [2, 3], [1.0, 1.0]), "micro": ([10], [20], [1.0])},
    ...     identity=[(100, "video", 1), (100, "micro", 10), (200, "video", 2), (300, "micro", 20)],
    ...     cross_posting={("video", "micro"): 1.0})
    >>> p = mp.plan(mx, [(100, "video", 5.0), (100, "micro", 1.0)], budget=1.0, check_trials=500, seed=1)
    >>> [(k["account"], k["platform"]) for k in p.kols], p.reach
    ([(100, 'micro')], 2.0)
    """
    kw: Dict[str, Any] = dict(budget=budget, max_kols=max_kols, max_risk=max_risk, risk_mode=risk_mode,
                              risk_penalty=risk_penalty, deadline=deadline, epsilon=epsilon, delta=delta, seed=seed,
                              threads=threads, person_weights=None if person_weights is None else dict(person_weights),
                              check_trials=check_trials, budget_curve=budget_curve,
                              contracted=None if contracted is None else list(contracted),
                              excluded=None if excluded is None else list(excluded), memory_limit=memory_limit)
    if isinstance(roster, (str, os.PathLike)):
        return _core.multiplex_plan(multiplex, roster_path=os.fspath(roster), **kw)
    people: List[int] = []
    platforms: List[str] = []
    fees: List[float] = []
    risks: List[float] = []
    for i, row in enumerate(roster):
        if isinstance(row, (str, bytes)) or len(row) not in (3, 4):
            raise TypeError(f"roster row {i}: expected (person, platform, fee[, risk]), got {row!r}")
        people.append(int(row[0]))
        platforms.append(row[1] if isinstance(row[1], str) else multiplex.layer_names[int(row[1])])
        fees.append(float(row[2]))
        risks.append(float(row[3]) if len(row) == 4 else 0.0)
    return _core.multiplex_plan(multiplex, people=people, platforms=platforms, fees=fees, risks=risks, **kw)


# ---- Containing a misleading narrative: the race of a misleading (F) and a corrective (C)
# campaign on a multiplex, counted in people, and the choice of corrective accounts. ----

_Seeds = Iterable[Tuple[int, Union[str, int]]]


def _seed_arg(seed: Any) -> int:
    """An int seed; None or a numpy Generator draw one (as the rest of kolsim accepts)."""
    if seed is None:
        return int(np.random.default_rng().integers(0, 2**63))
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    return int(seed)


def estimate_competition(multiplex: Multiplex, misleading_seeds: _Seeds, corrective_seeds: _Seeds, *,
                         tie_rule: str = "misleading_wins", correction_delay: int = 0, trials: int = 10000,
                         seed: Any = 0, threads: int = 0,
                         max_steps: Optional[int] = None) -> MultiplexCompetitiveEstimate:
    """Monte Carlo race of a misleading and a corrective campaign, in people and per platform.

    Both campaigns spread on the expanded account graph (cross-posting included); a person
    adopts a campaign when any of their accounts does. See :func:`kolsim.multiplex_compete`.

    Examples
    --------
    >>> from kolsim import multiplex as mp
    >>> mx = mp.from_edge_lists({"a": ([1, 1], [2, 3], [1.0, 1.0]), "b": ([5], [6], [1.0])},
    ...                         identity=[(7, "a", 3), (7, "b", 5)], cross_posting=1.0)
    >>> r = mp.estimate_competition(mx, [(8, "a")], [(7, "b")], trials=100, seed=1)
    >>> r.misleading.mean, r.misleading_alone.mean, r.saved.mean  # F takes a:3 at step 1 all the same
    (3.0, 4.0, 1.0)
    """
    return _core.multiplex_compete(multiplex, list(misleading_seeds), list(corrective_seeds), tie_rule=tie_rule,
                                   correction_delay=correction_delay, trials=trials, seed=_seed_arg(seed),
                                   threads=threads, max_steps=max_steps)


def exact_competition(multiplex: Multiplex, misleading_seeds: _Seeds, corrective_seeds: _Seeds, *,
                      tie_rule: str = "misleading_wins", correction_delay: int = 0, max_steps: Optional[int] = None,
                      max_worlds: int = 1 << 24) -> MultiplexExactCompetition:
    """Exact race on a tiny multiplex (see :func:`kolsim.multiplex_exact_competition`)."""
    return _core.multiplex_exact_competition(multiplex, list(misleading_seeds), list(corrective_seeds),
                                             tie_rule=tie_rule, correction_delay=correction_delay,
                                             max_steps=max_steps, max_worlds=max_worlds)


def block(multiplex: Multiplex, misleading_seeds: _Seeds, k: int, *, method: str = "celf",
          tie_rule: str = "misleading_wins", correction_delay: int = 0, max_steps: Optional[int] = None,
          trials: int = 200, imm_epsilon: float = 0.3, evaluation_trials: int = 1000,
          candidates: Optional[_Seeds] = None, fixed_seeds: Optional[_Seeds] = None, seed: Any = 0,
          threads: int = 0) -> MultiplexBlocking:
    """Choose k corrective (person, platform) accounts minimising the people F reaches.

    ``method`` "celf" (the reference) or a baseline "degree", "neighbourhood", "imm"; see
    :func:`kolsim.multiplex_block`. ``reach_before``, ``reach_after`` and ``saved`` come from an
    independent Monte Carlo check in people.
    """
    return _core.multiplex_block(multiplex, list(misleading_seeds), k, method=method, tie_rule=tie_rule,
                                 correction_delay=correction_delay, max_steps=max_steps, trials=trials,
                                 imm_epsilon=imm_epsilon, evaluation_trials=evaluation_trials,
                                 candidates=None if candidates is None else list(candidates),
                                 fixed_seeds=None if fixed_seeds is None else list(fixed_seeds),
                                 seed=_seed_arg(seed), threads=threads)
