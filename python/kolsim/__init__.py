# SPDX-License-Identifier: MIT
"""kolsim: follower networks, message cascades and Key Opinion Leader selection.

An edge ``u -> v`` means *v follows u*: influence flows from u to v. Accounts keep their
original integer ids at the API (seeds in, seeds out); dense indices 0..n-1 are internal and
appear only where a numpy array is indexed by vertex (``graph.accounts[i]`` names index i).

Quick start::

    import kolsim
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(10_000, 3, seed=1))
    model = kolsim.IndependentCascade(g)
    result = kolsim.select_seeds(model, 10, method="imm", seed=1)
    print(kolsim.estimate_spread(model, result.seeds, trials=10_000, seed=2))

Errors: invalid arguments raise ValueError, unknown account ids IndexError (the message names
the id), malformed files :class:`kolsim.ParseError` (a ValueError with ``.file`` and ``.line``),
unreadable files OSError, exceeded memory limits MemoryError, and Ctrl-C during a long call
KeyboardInterrupt.
"""
from __future__ import annotations

import dataclasses
import functools
import os
from typing import Any, Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence

import numpy as np

from . import _core
from ._core import (
    Audience,
    BuildReport,
    ReplanResult,
    Roster,
    CompetitiveEstimate,
    CompetitiveIC,
    CompetitiveTrace,
    CountEstimate,
    ExactCompetition,
    ExactCount,
    EdgeListReport,
    ExactResult,
    FollowerGraph,
    IndependentCascade,
    LinearThreshold,
    ParseError,
    SelectResult,
    SpreadEstimate,
    Trace,
    celf,
    celf_plus_plus,
    chung_lu,
    constant_probability,
    core_numbers,
    degree_discount,
    eigenvector_centrality,
    erdos_renyi,
    estimate_competition,
    estimate_spread,
    exact_competition,
    exact_spread,
    graph_checksum,
    greedy,
    hardware_threads,
    imm,
    influence_pagerank,
    katz_centrality,
    load_snapshot,
    lt_normalise,
    opim_c,
    plan_campaign,
    preferential_attachment,
    random_lt_weights,
    read_audience,
    read_roster,
    replan_without,
    rmat,
    save_snapshot,
    time_critical_imm,
    ContinuousIC,
    platform_delay_rates,
    select_blockers,
    simulate,
    simulate_competition,
    stochastic_block_model,
    summarize,
    top_core_number,
    top_degree,
    top_eigenvector,
    top_katz,
    top_pagerank,
    trivalency,
    uniform_probability,
    version,
    watts_strogatz,
    weighted_cascade,
    write_edge_list,
)

from ._core import (  # further models (diffusion/triggering.hpp, complex.hpp, competitive.hpp)
    CompetitiveLT, ComplexContagion, FractionalThreshold, KExposure, TriggeringModel, complex_greedy,
)

from ._core import (  # opinion dynamics (opinion/*.hpp)
    OpinionResult,
    degroot,
    disagreement,
    friedkin_johnsen,
    maximise_opinion,
    mean_opinion,
    polarisation,
    polarisation_disagreement_index,
)

from ._core import (  # multi-platform networks (graph/multiplex.hpp, estimate/multiplex_estimate.hpp)
    Multiplex, MultiplexEstimate, MultiplexExact, MultiplexSelection,
)

from . import _api
from .campaign import CampaignPlan

__version__ = _core.__version__


class ConvergenceWarning(UserWarning):
    """An iterative solver (degroot, friedkin_johnsen with method="iterate" or "bicgstab") stopped
    at its step limit before meeting its tolerance: the opinions are not the limit yet."""


# Every compiled function gets a real signature, seed=None/int/Generator, a short error for a bad
# keyword or type, and (long calls) progress=. Calls with C++ progress reports come first; the
# others report the whole call as one phase.
_REPORTING = {"estimate_spread", "imm", "opim_c", "greedy", "celf", "celf_plus_plus", "degroot", "friedkin_johnsen",
              "select_blockers", "plan_campaign", "replan_without", "read_roster", "read_audience"}
_ONE_PHASE = {"complex_greedy", "maximize_opinion", "exact_spread", "estimate_competition", "exact_competition",
              "load_snapshot",
              "save_snapshot", "write_edge_list"}


def _opinion_check(name: str) -> Any:
    def after(given: Dict[str, Any], result: Any) -> Any:
        method = given.get("method", "degroot" if name == "degroot" else "direct")
        key = "tol" if method in ("degroot", "iterate") else "solver_tol"
        tol = given.get(key, _core_default(name, key))
        if not result.converged and tol > 0 and method != "sparse_lu":
            import warnings

            warnings.warn(f"{name}(method={method!r}) did not converge in {result.iterations} iterations "
                          f"(tolerance {tol:g}; residual {result.residual:.3g}): raise steps or tol, or pass "
                          f"tol=0 to run a fixed number of steps", ConvergenceWarning, stacklevel=3)
        return result
    return after


# Functions whose model is a one-platform graph model: a Multiplex there would be counted in
# accounts, not people, so it is refused with the function that counts people.
_ONE_PLATFORM = {"celf", "celf_plus_plus", "greedy", "imm", "opim_c", "exact_spread", "simulate",
                 "estimate_spread", "complex_greedy"}


def _refuse_multiplex(name: str, given: Dict[str, Any]) -> None:
    if isinstance(given.get("model"), Multiplex):
        raise TypeError(f"{name}: a Multiplex counts people, which this one-platform function does not; use "
                        "kolsim.multiplex.spread / exact / select (reach and selection in people)")


def _wrap_core(name: str, check: Any = None, core_name: Optional[str] = None) -> Any:
    after = _opinion_check(name) if name in ("degroot", "friedkin_johnsen") else None
    if name in _ONE_PLATFORM:
        inner = check

        def check(given: Dict[str, Any], _inner: Any = inner) -> None:
            _refuse_multiplex(name, given)
            if _inner is not None:
                _inner(given)
    return _api.wrap(getattr(_core, core_name or name), name=name, progress=name in _REPORTING or name in _ONE_PHASE,
                     one_phase=name in _ONE_PHASE, check=check, after=after)


for _name in ("celf", "celf_plus_plus", "chung_lu", "constant_probability", "core_numbers", "degree_discount",
              "eigenvector_centrality", "erdos_renyi", "estimate_competition", "exact_competition", "exact_spread",
              "graph_checksum", "greedy", "hardware_threads", "imm", "influence_pagerank", "katz_centrality",
              "load_snapshot", "opim_c", "preferential_attachment", "random_lt_weights",
              "read_audience", "read_roster", "rmat", "save_snapshot", "simulate",
              "simulate_competition", "stochastic_block_model", "top_core_number", "top_degree", "top_eigenvector",
              "top_katz", "top_pagerank", "trivalency", "uniform_probability", "version", "watts_strogatz",
              "weighted_cascade", "write_edge_list", "degroot", "disagreement", "mean_opinion", "KExposure",
              "FractionalThreshold", "complex_greedy", "platform_delay_rates",
              "multiplex_spread", "multiplex_exact"):
    globals()[_name] = _wrap_core(_name)
lt_normalize = _wrap_core("lt_normalize", core_name="lt_normalise")
polarization = _wrap_core("polarization", core_name="polarisation")
polarization_disagreement_index = _wrap_core("polarization_disagreement_index",
                                             core_name="polarisation_disagreement_index")


def _keys_property(core_property: Any, doc: str) -> property:
    return property(lambda self: _api.DeprecatedKeys(core_property.__get__(self)), doc=doc)


# OpinionResult dicts: American keys ("polarization"), the British "polarisation" a deprecated alias.
OpinionResult.summary = _keys_property(  # type: ignore[assignment]
    OpinionResult.summary, "Dict of the final opinions' mean, polarization, disagreement and index (their sum); "
    "the key 'polarisation' is a deprecated alias.")
OpinionResult.trajectory = _keys_property(  # type: ignore[assignment]
    OpinionResult.trajectory, "Dict of per-step arrays step, mean, polarization, disagreement, change (empty "
    "unless recorded); the key 'polarisation' is a deprecated alias.")

lt_normalise = _api.deprecated_alias(lt_normalize, "lt_normalise", "lt_normalize")
polarisation = _api.deprecated_alias(polarization, "polarisation", "polarization")
polarisation_disagreement_index = _api.deprecated_alias(polarization_disagreement_index,
                                                        "polarisation_disagreement_index",
                                                        "polarization_disagreement_index")

__all__ = [
    "Multiplex", "MultiplexEstimate", "MultiplexExact", "MultiplexSelection", "multiplex_exact",
    "multiplex_select", "multiplex_spread",
    "CompetitiveLT", "ComplexContagion", "FractionalThreshold", "KExposure", "TriggeringModel", "complex_greedy",
    "Audience", "CampaignPlan", "ReplanResult", "Roster", "plan_campaign", "read_audience", "read_roster",
    "replan_without",
    "BuildReport", "CompetitiveEstimate", "CompetitiveIC", "CompetitiveTrace", "CountEstimate", "ExactCompetition",
    "ExactCount", "estimate_competition", "exact_competition", "select_blockers", "simulate_competition", "EdgeListReport", "ExactResult", "FollowerGraph", "IndependentCascade", "LinearThreshold",
    "ParseError", "SelectResult", "SelectionResult", "SpreadEstimate", "Table", "Trace",
    "available_methods", "celf", "celf_plus_plus", "chung_lu", "constant_probability", "core_numbers",
    "degree_discount", "eigenvector_centrality", "erdos_renyi", "estimate_spread", "exact_spread", "from_edges",
    "from_networkx", "from_scipy", "graph_checksum", "greedy", "hardware_threads", "imm", "influence_pagerank",
    "katz_centrality", "load_snapshot", "lt_normalise", "opim_c", "preferential_attachment", "random_lt_weights",
    "read_edge_list", "register_method", "rmat", "save_snapshot", "select_seeds", "simulate",
    "stochastic_block_model", "summarize", "summary", "to_networkx", "to_scipy", "top_core_number", "top_degree",
    "top_eigenvector", "top_katz", "top_pagerank", "trivalency", "uniform_probability", "version",
    "watts_strogatz", "weighted_cascade", "write_edge_list", "time_critical_imm", "ContinuousIC", "platform_delay_rates",
    "OpinionResult", "degroot", "disagreement", "friedkin_johnsen", "maximise_opinion", "mean_opinion",
    "polarisation", "polarisation_disagreement_index",
    "BlockingResult", "ConvergenceWarning", "by_account", "lt_normalize", "maximize_opinion", "per_account",
    "polarization", "polarization_disagreement_index",
]

Model = Any  # IndependentCascade | LinearThreshold


# ----------------------------------------------------------------------------------------------
# Building graphs


def from_edges(sources: Any, targets: Any = None, probabilities: Any = None, *, undirected: bool = False,
               flip: bool = False, self_loops: str = "drop", duplicates: str = "first", threads: int = 0,
               extra_accounts: Any = None, return_report: bool = False) -> Any:
    """Build a follower graph from edges between account ids.

    ``sources[i] -> targets[i]`` means *targets[i] follows sources[i]* (influence flows from
    the source to the target).

    Parameters
    ----------
    sources, targets : array_like of int
        Account ids (any integer dtype, non-negative). Float ids raise TypeError. Or ``sources``
        an (m, 2) array of (source, target) rows and ``targets`` omitted.
    probabilities : array_like of float, optional
        One IC probability / LT weight per edge in [0, 1] (float32 or float64).
    undirected : bool
        Each edge {a, b} becomes a -> b and b -> a.
    flip : bool
        Reverse every edge (for "follower first" data).
    self_loops : {"drop", "keep", "error"}
    duplicates : {"first", "keep", "max", "combine", "sum", "error"}
    threads : int
        0 = all.
    extra_accounts : array_like of int, optional
        Accounts without edges that must exist anyway.
    return_report : bool
        Also return the :class:`BuildReport` (counts of self-loops and duplicates seen).

    Returns
    -------
    FollowerGraph or (FollowerGraph, BuildReport)

    Examples
    --------
    >>> import kolsim
    >>> g, report = kolsim.from_edges([1, 2, 2, 3], [2, 3, 3, 3], return_report=True)
    >>> g.num_edges, report.duplicates, report.self_loops
    (2, 1, 1)
    >>> import numpy as np
    >>> kolsim.from_edges(np.array([[1, 2], [2, 3]])).num_edges
    2
    """
    if targets is None:
        edges = np.asarray(sources)
        if edges.ndim != 2 or edges.shape[1] != 2:
            raise ValueError(f"from_edges: without targets, sources must be an (m, 2) array of edges, got shape "
                             f"{edges.shape}")
        sources, targets = edges[:, 0], edges[:, 1]
    graph, report = _core.build_graph(sources, targets, probabilities, undirected=undirected, flip=flip,
                                      self_loops=self_loops, duplicates=duplicates, threads=threads,
                                      extra_accounts=extra_accounts)
    return (graph, report) if return_report else graph


def _header_says_undirected(path: Any, comment_chars: str) -> bool:
    """True when the leading comment lines declare an undirected graph: SNAP's
    ``# Undirected graph: ...``, a ``directed 0`` / ``directed: false`` line, or KONECT's ``% sym``."""
    import gzip
    import re

    try:
        name = os.fsdecode(path)
    except TypeError:
        return False
    if name == "-" or not os.path.isfile(name):
        return False
    pattern = re.compile(r"^\s*[#%]\s*(undirected\b|directed\s*[:=]?\s*(0|false|no)\b|sym\b)", re.IGNORECASE)
    try:
        with open(name, "rb") as raw:
            gz = raw.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(name, "rt", encoding="utf-8", errors="replace") as f:  # type: ignore[operator]
            for _, line in zip(range(50), f):
                stripped = line.lstrip()
                if not stripped:
                    continue
                if stripped[0] not in comment_chars:
                    break
                if pattern.match(stripped):
                    return True
    except OSError:
        return False  # the reader reports it
    return False


def read_edge_list(path: "os.PathLike[str] | str", *, undirected: Optional[bool] = None, flip: bool = False,
                   self_loops: str = "drop", duplicates: str = "first", threads: int = 0, format: str = "auto",
                   probability_column: int = -1, ignore_extra_columns: bool = False,
                   first_line_counts: bool = False, check_lt_weights: bool = False, comment_chars: str = "#%",
                   csv_header: bool = False, return_report: bool = False, progress: Any = False) -> Any:
    """Read a follower graph from a text edge list (whitespace or CSV, optionally gzipped).

    A data line ``a b`` is the edge a -> b: *b follows a*. SNAP "who-follows-whom" files that
    list the follower first need ``flip=True``; undirected files ``undirected=True``.

    Parameters
    ----------
    path : str or os.PathLike
    undirected : bool or None
        Each line {a, b} gives a -> b and b -> a. None (default): as the file's header says
        (SNAP ``# Undirected graph``, ``# directed 0``, KONECT ``% sym``), else directed.
    format : {"auto", "whitespace", "csv"}
        "auto": ``.csv``/``.csv.gz`` are CSV, everything else whitespace.
    probability_column : int
        0-based column with the probability (>= 2), -1 for none.
    ignore_extra_columns, first_line_counts, check_lt_weights, comment_chars, csv_header
        See the C++ EdgeListOptions.
    return_report : bool
        Also return the :class:`EdgeListReport` (its ``unused_numeric_columns`` lists the
        columns that look like a probability column that was not asked for).
    progress : bool or callable
        True shows a progress bar on stderr; a callable receives (phase, done, total).

    Warns
    -----
    UserWarning
        When a column (>= 2) is present on every data line, holds only numbers in [0, 1] and is
        not ``probability_column``: it is ignored, which is rarely what was meant.

    Raises
    ------
    kolsim.ParseError
        Malformed data; ``.file`` and ``.line`` locate it.
    OSError
        The file cannot be read.
    MemoryError
        The (decompressed) text would not fit in the usable memory.
    KeyboardInterrupt
        Ctrl-C stops the read.

    Examples
    --------
    >>> import kolsim, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "edges.txt")
    >>> _ = open(path, "w").write("1 2 0.5\\n2 3 0.25\\n")
    >>> g = kolsim.read_edge_list(path, probability_column=2)
    >>> g.edge_probs.tolist()
    [0.5, 0.25]
    """
    if undirected is None:
        undirected = _header_says_undirected(path, comment_chars)
    with _api.progress_scope(progress, "read_edge_list"):  # the reader reports phase "parse" (bytes)
        graph, report = _core.read_edge_list(
            path, undirected=undirected, flip=flip, self_loops=self_loops, duplicates=duplicates, threads=threads,
            format=format, probability_column=probability_column, ignore_extra_columns=ignore_extra_columns,
            first_line_counts=first_line_counts, check_lt_weights=check_lt_weights, comment_chars=comment_chars,
            csv_header=csv_header)
    if report.unused_numeric_columns:
        import warnings

        unused = report.unused_numeric_columns
        which = (f"column {unused[0]} holds" if len(unused) == 1
                 else f"columns {', '.join(str(c) for c in unused)} hold")
        using = ("no probabilities were read" if probability_column < 0
                 else f"probabilities were read from column {probability_column}")
        warnings.warn(
            f"{report.path}: {which} numbers in [0, 1] on every data line but {'is' if len(unused) == 1 else 'are'} "
            f"ignored ({using}); pass probability_column={unused[0]} to use it as the edge probabilities, "
            f"or drop the column to silence this warning", UserWarning, stacklevel=2)
    return (graph, report) if return_report else graph


def from_scipy(matrix: Any, *, probabilities: bool = False, self_loops: str = "drop") -> FollowerGraph:
    """Build a graph from a square scipy sparse matrix: a stored entry (u, v) is the edge u -> v.

    Accounts are 0..n-1 (all of them, isolated ones included). With ``probabilities=True``
    the stored values become the edge probabilities; otherwise values are ignored (explicit
    zeros still count as edges). ``self_loops`` ("drop", "keep", "error") as in every loader.

    Examples
    --------
    >>> import kolsim, scipy.sparse as sp
    >>> a = sp.csr_matrix(([0.5, 0.2], ([0, 1], [1, 2])), shape=(4, 4))
    >>> g = kolsim.from_scipy(a, probabilities=True)
    >>> g.num_vertices, g.edge_probs.tolist()
    (4, [0.5, 0.20000000298023224])
    """
    import scipy.sparse as sp

    if not sp.issparse(matrix):
        raise TypeError(f"from_scipy: expected a scipy sparse matrix, got {type(matrix).__name__}")
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"from_scipy: the matrix must be square, got shape {matrix.shape}")
    coo = matrix.tocoo()
    n = matrix.shape[0]
    probs = np.asarray(coo.data) if probabilities else None
    return from_edges(coo.row.astype(np.uint64), coo.col.astype(np.uint64), probs, self_loops=self_loops,
                      duplicates="keep", extra_accounts=np.arange(n, dtype=np.uint64))


def to_scipy(graph: FollowerGraph, *, probabilities: bool = True) -> Any:
    """The graph as an n x n ``scipy.sparse.csr_matrix`` over dense indices.

    Entry (u, v) is the probability of u -> v (or 1.0 without probabilities or with
    ``probabilities=False``); parallel edges stay as repeated entries. Row/column i is
    account ``graph.accounts[i]``.

    Examples
    --------
    >>> import kolsim
    >>> a = kolsim.to_scipy(kolsim.from_edges([0, 1], [1, 2]))
    >>> a.shape, a.nnz
    ((3, 3), 2)
    """
    import scipy.sparse as sp

    n = graph.num_vertices
    if probabilities and graph.has_probabilities:
        data = np.array(graph.edge_probs, dtype=np.float64)
    else:
        data = np.ones(graph.num_edges, dtype=np.float64)
    return sp.csr_matrix((data, np.array(graph.out_targets, dtype=np.int64),
                          np.array(graph.out_offsets, dtype=np.int64)), shape=(n, n))


def from_networkx(G: Any, *, probability: Optional[str] = None, duplicates: str = "first", flip: bool = False,
                  self_loops: str = "drop") -> FollowerGraph:
    """Build a graph from a networkx graph with non-negative integer node labels.

    Directed graphs keep their direction (u -> v: v follows u); undirected graphs give both
    directions. Isolated nodes are kept. With ``probability`` the named edge attribute becomes
    the edge probability. ``flip=True`` reverses every edge (a graph whose edge u -> v means
    "u follows v"); ``self_loops`` ("drop", "keep", "error") as in every loader.

    Raises
    ------
    TypeError
        Node labels are not integers (relabel with ``nx.convert_node_labels_to_integers``).

    Examples
    --------
    >>> import kolsim, networkx as nx
    >>> g = kolsim.from_networkx(nx.path_graph(4))
    >>> g.num_vertices, g.num_edges
    (4, 6)
    """
    nodes = list(G.nodes())
    for v in nodes:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0:
            raise TypeError(
                f"from_networkx: node labels must be non-negative integers (account ids), found {v!r}; "
                "relabel with networkx.convert_node_labels_to_integers(G, label_attribute='name')")
    edges = list(G.edges(data=True))
    src = np.fromiter((int(u) for u, _, _ in edges), dtype=np.uint64, count=len(edges))
    dst = np.fromiter((int(v) for _, v, _ in edges), dtype=np.uint64, count=len(edges))
    probs = None
    if probability is not None:
        try:
            probs = np.array([d[probability] for _, _, d in edges], dtype=np.float64)
        except KeyError as exc:
            raise ValueError(f"from_networkx: an edge has no attribute {probability!r}") from exc
    return from_edges(src, dst, probs, undirected=not G.is_directed(), duplicates=duplicates, flip=flip,
                      self_loops=self_loops, extra_accounts=np.array(nodes, dtype=np.uint64))


def to_networkx(graph: FollowerGraph) -> Any:
    """The graph as a ``networkx.DiGraph`` over account ids (``MultiDiGraph`` if it has parallel edges).

    Edges carry the probability as attribute ``p`` when assigned.

    Examples
    --------
    >>> import kolsim
    >>> G = kolsim.to_networkx(kolsim.from_edges([5, 6], [6, 7]))
    >>> sorted(G.edges())
    [(5, 6), (6, 7)]
    """
    import networkx as nx

    acc = np.asarray(graph.accounts)
    off = np.asarray(graph.out_offsets)
    src = np.repeat(acc, np.diff(off).astype(np.int64))
    dst = acc[np.asarray(graph.out_targets)]
    tgt = np.asarray(graph.out_targets)
    row = np.repeat(np.arange(graph.num_vertices), np.diff(off).astype(np.int64))
    parallel = bool(np.any((row[1:] == row[:-1]) & (tgt[1:] == tgt[:-1]))) if graph.num_edges > 1 else False
    G = nx.MultiDiGraph() if parallel else nx.DiGraph()
    G.add_nodes_from(int(a) for a in acc)
    if graph.has_probabilities:
        G.add_edges_from((int(u), int(v), {"p": float(p)}) for u, v, p in zip(src, dst, graph.edge_probs))
    else:
        G.add_edges_from((int(u), int(v)) for u, v in zip(src, dst))
    return G


def _graph_summary(self: FollowerGraph) -> Dict[str, Any]:
    """Structural numbers of the graph as a dict: vertices, edges, reciprocal_edges, self_loops,
    mean_degree, max_out_degree (largest follower count), max_in_degree, sources (follow
    nobody), sinks (no followers), strong/weak component sizes. The one way to get a summary
    (``kolsim.summarize``/``kolsim.summary`` are deprecated aliases).

    Examples
    --------
    >>> import kolsim
    >>> s = kolsim.from_edges([0, 0, 1], [1, 2, 2]).summary()
    >>> s["vertices"], s["edges"], s["max_out_degree"], s["sinks"]
    (3, 3, 2, 1)
    """
    return _core.summarize(self)


_graph_summary.__name__ = _graph_summary.__qualname__ = "summary"


def _to_scipy_method(self: FollowerGraph, *, probabilities: bool = True) -> Any:
    return to_scipy(self, probabilities=probabilities)


def _to_networkx_method(self: FollowerGraph) -> Any:
    return to_networkx(self)


_to_scipy_method.__doc__, _to_networkx_method.__doc__ = to_scipy.__doc__, to_networkx.__doc__
_to_scipy_method.__name__ = _to_scipy_method.__qualname__ = "to_scipy"
_to_networkx_method.__name__ = _to_networkx_method.__qualname__ = "to_networkx"
# Convenience methods on the compiled graph class.
FollowerGraph.summary = _graph_summary  # type: ignore[attr-defined]
FollowerGraph.to_scipy = _to_scipy_method  # type: ignore[attr-defined]
FollowerGraph.to_networkx = _to_networkx_method  # type: ignore[attr-defined]
summary = _api.deprecated_alias(_graph_summary, "summary", "FollowerGraph.summary")
summarize = _api.deprecated_alias(_graph_summary, "summarize", "FollowerGraph.summary")


# ----------------------------------------------------------------------------------------------
# Seed selection


class Table:
    """A small printable table (list of row dicts), so results need no pandas.

    ``rows`` is a list of dicts sharing ``columns``; ``str(table)`` aligns them; iterate to get
    the rows; ``table.to_pandas()`` converts when pandas is installed.
    """

    def __init__(self, columns: Sequence[str], rows: List[Dict[str, Any]]):
        self.columns = list(columns)
        self.rows = rows

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> Dict[str, Any]:
        return self.rows[i]

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    @staticmethod
    def _fmt(x: Any) -> str:
        if isinstance(x, float):
            return f"{x:.6g}"
        return str(x)

    def __str__(self) -> str:
        cells = [[self._fmt(r[c]) for c in self.columns] for r in self.rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.rjust(w) for c, w in zip(self.columns, widths)),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


@dataclasses.dataclass
class SelectionResult:
    """Seeds chosen by :func:`select_seeds` and what a researcher reports next to them.

    ``seeds`` are account ids in the order chosen (fixed seeds excluded); ``spread`` is the
    selector's own estimate (evaluate independently with :func:`estimate_spread`);
    ``approximation`` the proven ratio (0 = none); ``extra`` method-specific numbers;
    ``seed`` the seed the run used (with ``seed=None`` the fresh one drawn: pass it back to
    repeat the run).
    """

    method: str
    seeds: np.ndarray
    marginal_gains: np.ndarray
    spread: float
    rr_sets: int
    trials: int
    peak_bytes: int
    approximation: float
    phase_seconds: Dict[str, float]
    seconds: float
    extra: Dict[str, Any]
    seed: int = 0

    @classmethod
    def _from_core(cls, method: str, r: SelectResult, seed: int = 0) -> "SelectionResult":
        return cls(method=method, seeds=r.seeds, marginal_gains=r.marginal_gains, spread=r.spread,
                   rr_sets=r.rr_sets, trials=r.trials, peak_bytes=r.peak_bytes, approximation=r.approximation,
                   phase_seconds=dict(r.phase_seconds), seconds=r.seconds, extra=dict(r.extra), seed=seed)

    def table(self) -> Table:
        """One row per chosen seed: rank, account, marginal gain and cumulative gain.

        Examples
        --------
        >>> import kolsim
        >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(100, 400, seed=1))
        >>> t = kolsim.select_seeds(kolsim.IndependentCascade(g), 3, method="degree").table()
        >>> len(t), t.columns
        (3, ['rank', 'account', 'marginal_gain', 'cumulative_gain'])
        """
        rows = []
        total = 0.0
        for i, (a, gain) in enumerate(zip(self.seeds.tolist(), self.marginal_gains.tolist())):
            total += gain
            rows.append({"rank": i + 1, "account": a, "marginal_gain": gain, "cumulative_gain": total})
        return Table(["rank", "account", "marginal_gain", "cumulative_gain"], rows)

    def __repr__(self) -> str:
        ratio = f", approximation={self.approximation:.4g}" if self.approximation else ""
        return (f"SelectionResult(method={self.method!r}, seeds={self.seeds.tolist()!r}, "
                f"spread={self.spread:.6g}{ratio}, seconds={self.seconds:.4g})")


def _reject_unused(where: str, given: Iterable[str], used: Iterable[str], valid: Iterable[str],
                   label: str = "valid arguments") -> None:
    """Raise TypeError when arguments were given that ``where`` would not use (silently ignoring
    them would make a result mean something else than the call says)."""
    unused = sorted(set(given) - set(used))
    if unused:
        names = ", ".join(unused)
        raise TypeError(f"{where} does not use {names} (it would be ignored); "
                        f"{label}: {', '.join(sorted(set(valid))) or 'none'}")


# A selector takes (model, k, common, options): common holds candidates, fixed_seeds, seed,
# threads, epsilon, trials (None where not given); options are the method's own keywords.
Selector = Callable[[Model, int, Dict[str, Any], Dict[str, Any]], SelectResult]
_METHODS: Dict[str, Selector] = {}
# Per method: the arguments of select_seeds it uses beyond candidates/fixed_seeds, and its own
# keyword options (None: not declared, everything is passed on).
_COMMON = ("epsilon", "trials", "seed", "threads")
_USES: Dict[str, Optional[FrozenSet[str]]] = {}
_OPTIONS: Dict[str, Optional[FrozenSet[str]]] = {}


def register_method(name: str, selector: Selector, *, uses: Optional[Iterable[str]] = None,
                    options: Optional[Iterable[str]] = None) -> None:
    """Add (or replace) a method of :func:`select_seeds`.

    ``selector(model, k, common, options)`` returns a ``_core.SelectResult``-like object;
    ``common`` holds candidates, fixed_seeds, seed, threads, epsilon and trials (epsilon and
    trials None where the caller gave none). ``uses`` names the ones of epsilon, trials, seed, threads the method reads
    and ``options`` its own keywords: :func:`select_seeds` then rejects any other argument with a
    TypeError instead of ignoring it. Leave them None to receive everything unchecked.

    Examples
    --------
    >>> import kolsim
    >>> kolsim.register_method("degree-again", lambda model, k, c, o: kolsim.top_degree(model.graph, k),
    ...                        uses=(), options=())
    >>> "degree-again" in kolsim.available_methods()
    True
    """
    if uses is not None:
        unknown = sorted(set(uses) - set(_COMMON))
        if unknown:
            raise ValueError(f"register_method: uses must name some of {', '.join(_COMMON)}, got {unknown}")
    _METHODS[name] = selector
    _USES[name] = None if uses is None else frozenset(uses)
    _OPTIONS[name] = None if options is None else frozenset(options)


def available_methods() -> List[str]:
    """Names accepted by :func:`select_seeds` (``method=``).

    Examples
    --------
    >>> import kolsim
    >>> "imm" in kolsim.available_methods()
    True
    """
    return sorted(_METHODS)


def _scope(common: Mapping[str, Any]) -> Dict[str, Any]:
    return {"candidates": common["candidates"], "fixed_seeds": common["fixed_seeds"]}


def _rr(fn: Callable[..., SelectResult]) -> Selector:
    def run(model: Model, k: int, common: Dict[str, Any], options: Dict[str, Any]) -> SelectResult:
        # An epsilon not given is left to the binding, whose default is the C++ option's.
        eps = {} if common["epsilon"] is None else {"epsilon": common["epsilon"]}
        return fn(model, k, seed=common["seed"], threads=common["threads"], **eps, **_scope(common), **options)
    return run


def _mc(fn: Callable[..., SelectResult]) -> Selector:
    def run(model: Model, k: int, common: Dict[str, Any], options: Dict[str, Any]) -> SelectResult:
        trials = {} if common["trials"] is None else {"trials": common["trials"]}
        return fn(model, k, seed=common["seed"], threads=common["threads"], **trials, **_scope(common), **options)
    return run


def _heuristic(fn: Callable[..., SelectResult]) -> Selector:
    def run(model: Model, k: int, common: Dict[str, Any], options: Dict[str, Any]) -> SelectResult:
        return fn(model.graph, k, **_scope(common), **options)
    return run


def _degree_discount(model: Model, k: int, common: Dict[str, Any], options: Dict[str, Any]) -> SelectResult:
    opts = dict(options)
    if "p" not in opts:  # default: the mean edge probability of the model's graph
        probs = model.graph.edge_probs
        opts["p"] = float(np.mean(probs, dtype=np.float64)) if probs is not None and len(probs) else 0.01
    return degree_discount(model.graph, k, **_scope(common), **opts)


_RR_OPTIONS = ("ell", "memory_limit", "max_depth", "root_weights")
for _name, _fn, _uses, _options in [
    ("imm", _rr(imm), ("epsilon", "seed", "threads"),
     _RR_OPTIONS + ("estimation_epsilon", "bound_phase", "validation_ratio")),
    ("opim-c", _rr(opim_c), ("epsilon", "seed", "threads"),
     _RR_OPTIONS[1:] + ("delta", "selection_ratio", "max_selection_noise")),
    ("greedy", _mc(greedy), ("trials", "seed", "threads"), ("max_steps",)),
    ("celf", _mc(celf), ("trials", "seed", "threads"), ("max_steps",)),
    ("celf++", _mc(celf_plus_plus), ("trials", "seed", "threads"), ("max_steps",)),
    ("degree", _heuristic(top_degree), (), ()),
    ("degree-discount", _degree_discount, (), ("p",)),
    ("pagerank", _heuristic(top_pagerank), (), ("damping", "iterations")),
    ("core", _heuristic(top_core_number), (), ()),
    ("katz", _heuristic(top_katz), (), ("alpha", "beta")),
    ("eigenvector", _heuristic(top_eigenvector), (), ("max_iterations", "tol")),
]:
    register_method(_name, _fn, uses=_uses, options=_options)


def select_seeds(model: Model, k: int, method: str = "imm", *, epsilon: Optional[float] = None,
                 seed: Any = 0, threads: Optional[int] = None, candidates: Any = None,
                 fixed_seeds: Any = None, trials: Optional[int] = None, progress: Any = False,
                 **method_options: Any) -> SelectionResult:
    """Choose k seed accounts (KOLs) for ``model``.

    Parameters
    ----------
    model : IndependentCascade or LinearThreshold
    k : int
        Seeds to choose (fixed seeds not counted).
    method : str
        One of :func:`available_methods`: "imm", "opim-c" (guarantees via RR sets), "greedy",
        "celf", "celf++" (Monte Carlo greedy), "degree", "degree-discount", "pagerank", "core",
        "katz", "eigenvector" (heuristics, no guarantee).
    epsilon : float, optional
        Accuracy of "imm"/"opim-c" (default: the C++ option's, {imm_epsilon} for imm and
        {opim_epsilon} for opim-c).
    seed : int, numpy.random.Generator or None
        Random seed of the RR and Monte Carlo methods (default 0); None draws fresh entropy and
        a Generator one number from it; the seed used is ``result.seed``.
    threads : int, optional
        Thread count (default 0 = all); results do not depend on threads.
    candidates, fixed_seeds : array_like of int, optional
        Account ids: only candidates may be chosen; fixed seeds are already contracted.
    trials : int, optional
        Live-edge worlds for the Monte Carlo greedy methods (default: the C++ option's,
        {greedy_trials}).
    progress : bool or callable
        True shows a progress bar (tqdm) on stderr; a callable receives (phase, done, total).
        Results are identical with and without it.
    **method_options
        Passed to the method (e.g. ``ell``, ``delta``, ``memory_limit``, ``max_depth``,
        ``root_weights``, ``bound_phase`` and ``validation_ratio`` for imm, ``selection_ratio`` and
        ``max_selection_noise`` for opim-c, ``p`` for degree-discount, ``damping``): see
        :func:`imm`, :func:`opim_c`.

    Returns
    -------
    SelectionResult

    Raises
    ------
    TypeError
        An argument the method does not use (e.g. ``epsilon`` or ``trials`` with "degree",
        ``epsilon`` with "celf"), named with the method's valid arguments: it is never ignored.

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    >>> r = kolsim.select_seeds(kolsim.IndependentCascade(g), 5, method="opim-c", epsilon=0.3, seed=2)
    >>> len(r.seeds), r.method
    (5, 'opim-c')
    """
    _refuse_multiplex("select_seeds", {"model": model})
    try:
        selector = _METHODS[method]
    except KeyError:
        raise ValueError(f"unknown method {method!r}; available: {', '.join(available_methods())}") from None
    given = {"epsilon": epsilon, "trials": trials, "seed": None if seed == 0 else seed, "threads": threads}
    uses, options = _USES.get(method), _OPTIONS.get(method)
    if uses is not None or options is not None:
        used = set(_COMMON if uses is None else uses) | set(method_options if options is None else options)
        _reject_unused(f"select_seeds(method={method!r})",
                       [name for name, value in given.items() if value is not None] + list(method_options),
                       used, used | {"candidates", "fixed_seeds"})
    used_seed = _api.resolve_seed(seed, "select_seeds")
    common = {"epsilon": epsilon, "seed": used_seed, "threads": 0 if threads is None else threads,
              "candidates": candidates, "fixed_seeds": fixed_seeds, "trials": trials}
    with _api.progress_scope(progress, f"select_seeds({method})") as report:
        if report is not None and uses is not None and "seed" not in uses:  # heuristics: one phase
            report(method, 0, 1)
        result = selector(model, k, common, method_options)
        if report is not None and uses is not None and "seed" not in uses:
            report(method, 1, 1)
    return SelectionResult._from_core(method, result, used_seed if uses is None or "seed" in uses else 0)


def _core_default(name: str, parameter: str) -> Any:
    """The default of a compiled function's keyword: the C++ option struct's, never re-stated here."""
    return _api.core_signature(getattr(_core, name))[0].parameters[parameter].default


# select_seeds' docstring names the defaults the bindings read from the C++ option structs.
for _field, (_fn, _parameter) in {"imm_epsilon": ("imm", "epsilon"), "opim_epsilon": ("opim_c", "epsilon"),
                                  "greedy_trials": ("greedy", "trials")}.items():
    select_seeds.__doc__ = (select_seeds.__doc__ or "").replace("{" + _field + "}", repr(_core_default(_fn, _parameter)))


# ----------------------------------------------------------------------------------------------
# Arguments that only some methods use: given to another method they raise TypeError (the same
# check as select_seeds) instead of being ignored.


def _by_method(where: str, default: str, specific: Mapping[str, Sequence[str]]) -> Callable[[Dict[str, Any]], None]:
    """A check that rejects the method-specific arguments given to a method that does not use them."""
    every = {name for names in specific.values() for name in names}

    def check(given: Dict[str, Any]) -> None:
        method = given.get("method", default)
        if method not in specific:  # unknown: the compiled function names the valid ones
            return
        own = set(specific[method])
        _reject_unused(f"{where}(method={method!r})", every & set(given), own, own,
                       "of the method-specific arguments it uses")

    return check


def _check_estimate(given: Dict[str, Any]) -> None:
    model = given.get("model")
    if "fused" in given and model is not None and not isinstance(model, (IndependentCascade, LinearThreshold)):
        raise TypeError(f"estimate_spread: fused selects the bit-parallel IC / LT kernel; a {type(model).__name__} "
                        "does not use it (it would be ignored)")
    if "max_trials" in given and not given.get("target_relative_error"):
        raise ValueError("estimate_spread: max_trials caps the adaptive mode and is used only with "
                         "target_relative_error > 0 (it would be ignored); without it, trials sets the number of "
                         "trials")


class BlockingResult:
    """Corrective KOLs chosen by :func:`select_blockers` with the independent Monte Carlo check.

    Every attribute of the compiled :class:`SelectResult` (``seeds``, ``marginal_gains``,
    ``extra``, ``seed``...) plus, like every estimate, ``saved`` and ``saved_std_error`` (accounts
    the corrective KOLs keep from the misleading campaign), ``reach_before``/``reach_after``
    with their ``*_std_error``, and ``evaluation_trials``.
    """

    def __init__(self, result: SelectResult):
        self.result = result
        extra = result.extra
        self.saved: float = float(extra["saved"])
        self.saved_std_error: float = float(extra["saved_error"])
        self.reach_before: float = float(extra["reach_before"])
        self.reach_before_std_error: float = float(extra["reach_before_error"])
        self.reach_after: float = float(extra["reach_after"])
        self.reach_after_std_error: float = float(extra["reach_after_error"])
        self.evaluation_trials: int = int(extra["evaluation_trials"])

    def __getattr__(self, name: str) -> Any:
        if name == "result":  # during unpickling, before __dict__ is filled
            raise AttributeError(name)
        return getattr(self.result, name)

    def __repr__(self) -> str:
        return (f"BlockingResult(method={self.result.method!r}, seeds={self.result.seeds.tolist()!r}, "
                f"saved={self.saved:.6g} ± {self.saved_std_error:.3g}, reach {self.reach_before:.6g} -> "
                f"{self.reach_after:.6g})")


def _check_blockers(given: Dict[str, Any]) -> None:
    if given.get("method") == "neighbourhood":
        import warnings

        warnings.warn("select_blockers(method='neighbourhood') is deprecated; use method='neighborhood'",
                      DeprecationWarning, stacklevel=4)
    _by_method("select_blockers", "rr", {"rr": ("worlds", "roots_per_world"), "celf": ("trials",),
                                         "imm": ("imm_epsilon",), "degree": (), "neighborhood": (),
                                         "neighbourhood": ()})(given)


def _unwrap_plan(given: Dict[str, Any]) -> None:
    if isinstance(given.get("plan"), CampaignPlan):
        given["plan"] = given["plan"].core


# One plan type: plan_campaign returns the same rich kolsim.CampaignPlan as Campaign.plan().
plan_campaign = _api.wrap(_core.plan_campaign, progress=True, one_phase=True,
                          after=lambda given, r: CampaignPlan(r, given.get("model"), given.get("roster")))
plan_campaign.__signature__ = plan_campaign.__signature__.replace(  # type: ignore[attr-defined]
    return_annotation=CampaignPlan)
replan_without = _api.wrap(_core.replan_without, progress=True, one_phase=True, check=_unwrap_plan)
replan_without.__signature__ = replan_without.__signature__.replace(  # type: ignore[attr-defined]
    parameters=[p.replace(annotation=CampaignPlan) if p.name == "plan" else p
                for p in replan_without.__signature__.parameters.values()])  # type: ignore[attr-defined]

estimate_spread = _wrap_core("estimate_spread", _check_estimate)
# The selectors whose `method` picks IMM or OPIM-C take both methods' own keywords (defaults from
# the C++ option structs); one given to the other method is refused, never ignored.
_RR_METHOD_OPTIONS = {"imm": ("ell", "estimation_epsilon", "bound_phase", "validation_ratio"),
                      "opim-c": ("delta", "selection_ratio", "max_selection_noise")}
time_critical_imm = _wrap_core("time_critical_imm", _by_method("time_critical_imm", "imm", _RR_METHOD_OPTIONS))
multiplex_select = _wrap_core("multiplex_select", _by_method("multiplex_select", "imm", _RR_METHOD_OPTIONS))
select_blockers = _api.wrap(_core.select_blockers, progress=True, check=_check_blockers,
                            after=lambda given, r: BlockingResult(r))
select_blockers.__signature__ = select_blockers.__signature__.replace(  # type: ignore[attr-defined]
    return_annotation=BlockingResult)
friedkin_johnsen = _wrap_core("friedkin_johnsen", _by_method(
    "friedkin_johnsen", "direct", {"iterate": ("steps", "tol", "record_trajectory"), "direct": ("solver_tol",),
                                   "bicgstab": ("solver_tol",), "sparse_lu": ()}))
maximize_opinion = _wrap_core("maximize_opinion", _by_method(
    "maximize_opinion", "direct", {"direct": ("solver_tol",), "bicgstab": ("solver_tol",), "sparse_lu": ()}),
    core_name="maximise_opinion")
maximise_opinion = _api.deprecated_alias(maximize_opinion, "maximise_opinion", "maximize_opinion")


def _roster_repr(r: Roster) -> str:
    entries = r.entries
    fees = [float(e["fee"]) for e in entries]
    shown = ", ".join(str(e["account"]) for e in entries[:5]) + (", ..." if len(entries) > 5 else "")
    fee = f", fees {min(fees):.6g}..{max(fees):.6g}" if fees else ""
    return f"Roster({len(entries)} KOLs [{shown}]{fee}, graph of {r.num_vertices} accounts)"


def _audience_repr(a: Audience) -> str:
    w = np.asarray(a.weights)
    names = list(a.group_names)
    groups = f", groups {names}" if names else ""
    weights = f", weights {w.min():.6g}..{w.max():.6g} (total {w.sum():.6g})" if len(w) else ", unweighted"
    return f"Audience({len(w)} accounts{weights}{groups})"


Roster.__repr__ = _roster_repr  # type: ignore[assignment]
Audience.__repr__ = _audience_repr  # type: ignore[assignment]


# ----------------------------------------------------------------------------------------------
# Per-account arrays


def per_account(graph: FollowerGraph, values: Any, fill: float = np.nan) -> np.ndarray:
    """An array in the graph's order (``graph.accounts``) from values keyed by account id.

    ``values`` is a dict ``{account: value}``, a pandas Series indexed by account, or a pair
    ``(accounts, values)`` of arrays. Accounts of the graph without a value get ``fill`` (the
    isolated accounts a loader kept, for instance); values for accounts not in the graph raise
    IndexError. Use it to pass per-account inputs (innate opinions, weights) built outside kolsim.

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.from_edges([10, 20], [20, 30], extra_accounts=[99])
    >>> kolsim.per_account(g, {10: 1.0, 30: 3.0}, fill=0.0).tolist()
    [1.0, 0.0, 3.0, 0.0]
    """
    if isinstance(values, tuple) and len(values) == 2:
        keys, vals = np.asarray(values[0]), np.asarray(values[1], dtype=np.float64)
    elif isinstance(values, Mapping):
        keys = np.fromiter((int(k) for k in values.keys()), dtype=np.uint64, count=len(values))
        vals = np.fromiter((float(v) for v in values.values()), dtype=np.float64, count=len(values))
    elif hasattr(values, "index") and hasattr(values, "to_numpy"):
        keys, vals = np.asarray(values.index), values.to_numpy(dtype=np.float64)
    else:
        raise TypeError("per_account: values must be a dict {account: value}, a pandas Series or (accounts, values)")
    out = np.full(graph.num_vertices, fill, dtype=np.float64)
    if len(keys):
        if keys.dtype.kind not in "iu" or (keys.dtype.kind == "i" and keys.min() < 0):
            raise TypeError("per_account: account ids must be non-negative integers")
        keys = keys.astype(np.uint64)
        acc = np.asarray(graph.accounts)
        order = np.argsort(acc, kind="stable")
        pos = np.minimum(np.searchsorted(acc, keys, sorter=order), max(len(acc) - 1, 0))
        idx = order[pos] if len(acc) else pos
        missing = (acc[idx] != keys) if len(acc) else np.ones(len(keys), dtype=bool)
        if missing.any():
            raise IndexError(f"per_account: account {int(keys[np.argmax(missing)])} is not in the graph")
        out[idx] = vals
    return out


def by_account(graph: FollowerGraph, array: Any) -> Dict[int, Any]:
    """The inverse of :func:`per_account`: ``{account: array[i]}`` for an array in graph order
    (opinions, activation probabilities, centralities).

    Examples
    --------
    >>> import kolsim
    >>> g = kolsim.from_edges([10, 20], [20, 30])
    >>> kolsim.by_account(g, [0.5, 0.25, 0.0])
    {10: 0.5, 20: 0.25, 30: 0.0}
    """
    arr = np.asarray(array)
    if arr.shape[:1] != (graph.num_vertices,):
        raise ValueError(f"by_account: expected one value per account ({graph.num_vertices}), got shape {arr.shape}")
    return {int(a): v for a, v in zip(np.asarray(graph.accounts).tolist(), arr.tolist())}


def __getattr__(name: str) -> Any:
    """Submodules on first use: ``kolsim.datasets``, ``kolsim.plot``, ``kolsim.campaign``,
    ``kolsim.cascades``; and the
    campaign helpers ``kolsim.Campaign`` and ``kolsim.generated_roster`` from kolsim.campaign."""
    import importlib

    if name in ("datasets", "plot", "campaign", "cascades", "multiplex"):
        return importlib.import_module(f".{name}", __name__)
    if name in ("Campaign", "generated_roster", "audience_from_groups"):
        return getattr(importlib.import_module(".campaign", __name__), name)
    raise AttributeError(f"module 'kolsim' has no attribute {name!r}")
