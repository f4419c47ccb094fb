# SPDX-License-Identifier: MIT
"""Type stubs of the compiled extension kolsim._core (hand-written; keep in sync with python/src)."""
from os import PathLike
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str
IdsLike = Union[npt.ArrayLike, Sequence[int]]
FloatsLike = Union[npt.ArrayLike, Sequence[float]]
PathType = Union[str, bytes, PathLike]

class ParseError(ValueError):
    file: Optional[str]
    line: int

def version() -> str: ...
def hardware_threads() -> int: ...

class BuildReport:
    input_edges: int
    self_loops: int
    duplicates: int
    edges: int
    vertices: int

class FollowerGraph:
    def __init__(self) -> None: ...
    @property
    def num_vertices(self) -> int: ...
    @property
    def num_edges(self) -> int: ...
    @property
    def accounts(self) -> npt.NDArray[np.uint64]: ...
    @property
    def out_offsets(self) -> npt.NDArray[np.uint64]: ...
    @property
    def out_targets(self) -> npt.NDArray[np.uint32]: ...
    @property
    def in_offsets(self) -> npt.NDArray[np.uint64]: ...
    @property
    def in_sources(self) -> npt.NDArray[np.uint32]: ...
    @property
    def edge_probs(self) -> Optional[npt.NDArray[np.float32]]: ...
    @property
    def in_edge_probs(self) -> Optional[npt.NDArray[np.float32]]: ...
    @property
    def out_degrees(self) -> npt.NDArray[np.uint64]: ...
    @property
    def in_degrees(self) -> npt.NDArray[np.uint64]: ...
    @property
    def has_probabilities(self) -> bool: ...
    @property
    def memory_bytes(self) -> int: ...
    def index_of(self, a: int) -> int: ...
    def account(self, v: int) -> int: ...
    def __contains__(self, a: int) -> bool: ...
    def out_neighbors(self, a: int) -> npt.NDArray[np.uint64]: ...
    def in_neighbors(self, a: int) -> npt.NDArray[np.uint64]: ...
    def with_probabilities(self, out_probs: FloatsLike) -> FollowerGraph: ...
    def __getstate__(self) -> Tuple[Any, ...]: ...
    def __setstate__(self, state: Tuple[Any, ...]) -> None: ...
    # Added by the kolsim package:
    def summary(self) -> Dict[str, Any]: ...
    def to_scipy(self, *, probabilities: bool = ...) -> Any: ...
    def to_networkx(self) -> Any: ...

def build_graph(sources: IdsLike, targets: IdsLike, probs: Optional[FloatsLike] = None, undirected: bool = False,
                flip: bool = False, self_loops: str = "drop", duplicates: str = "first", threads: int = 0,
                extra_accounts: Optional[IdsLike] = None) -> Tuple[FollowerGraph, BuildReport]: ...
def summarize(g: FollowerGraph) -> Dict[str, Any]: ...
def erdos_renyi(n: int, m: int, seed: int = 0, threads: int = 0) -> FollowerGraph: ...
def preferential_attachment(n: int, follows_per_account: int, seed: int = 0,
                            attractiveness: float = 1.0) -> FollowerGraph: ...
def chung_lu(n: int, average_degree: float, out_exponent: float = 2.5, in_exponent: float = 2.1, seed: int = 0,
             threads: int = 0, max_out_degree: float = 0.0, max_in_degree: float = 0.0) -> FollowerGraph: ...
def watts_strogatz(n: int, k: int, beta: float, seed: int = 0) -> FollowerGraph: ...
def rmat(scale: int, m: int, seed: int = 0, a: float = 0.57, b: float = 0.19, c: float = 0.19,
         threads: int = 0) -> FollowerGraph: ...
def stochastic_block_model(block_sizes: IdsLike, probabilities: Sequence[Sequence[float]], seed: int = 0,
                           threads: int = 0) -> Tuple[FollowerGraph, npt.NDArray[np.uint32]]: ...
def constant_probability(g: FollowerGraph, p: float) -> FollowerGraph: ...
def weighted_cascade(g: FollowerGraph) -> FollowerGraph: ...
def trivalency(g: FollowerGraph, seed: int = 0, values: Tuple[float, float, float] = (0.1, 0.01, 0.001),
               threads: int = 0) -> FollowerGraph: ...
def uniform_probability(g: FollowerGraph, low: float, high: float, seed: int = 0, threads: int = 0) -> FollowerGraph: ...
def lt_normalise(g: FollowerGraph, only_above_one: bool = True) -> FollowerGraph: ...
def random_lt_weights(g: FollowerGraph, seed: int = 0, threads: int = 0) -> FollowerGraph: ...

class EdgeListReport:
    path: str
    build: BuildReport
    lines: int
    comment_lines: int
    blank_lines: int
    edge_lines: int
    parse_seconds: float
    build_seconds: float
    unused_numeric_columns: list[int]

def read_edge_list(path: PathType, undirected: bool = False, flip: bool = False, self_loops: str = "drop",
                   duplicates: str = "first", threads: int = 0, format: str = "auto", probability_column: int = -1,
                   ignore_extra_columns: bool = False, first_line_counts: bool = False,
                   check_lt_weights: bool = False, comment_chars: str = "#%",
                   csv_header: bool = False) -> Tuple[FollowerGraph, EdgeListReport]: ...
def write_edge_list(graph: FollowerGraph, path: PathType, with_probabilities: bool = True) -> None: ...
def save_snapshot(graph: FollowerGraph, path: PathType) -> None: ...
def load_snapshot(path: PathType) -> FollowerGraph: ...
def graph_checksum(graph: FollowerGraph) -> int: ...

class IndependentCascade:
    name: str
    def __init__(self, graph: FollowerGraph) -> None: ...
    @property
    def graph(self) -> FollowerGraph: ...

class LinearThreshold:
    name: str
    def __init__(self, graph: FollowerGraph) -> None: ...
    @property
    def graph(self) -> FollowerGraph: ...

Model = Union[IndependentCascade, LinearThreshold, "TriggeringModel", "ComplexContagion"]

class Trace:
    activated: npt.NDArray[np.uint64]
    step: npt.NDArray[np.uint32]
    parent: npt.NDArray[np.uint64]
    new_per_step: npt.NDArray[np.uint64]
    def __len__(self) -> int: ...

class SpreadEstimate:
    mean: float
    std_error: float
    ci_low: float
    ci_high: float
    trials: int
    new_per_step: npt.NDArray[np.float64]
    activation_probability: Optional[npt.NDArray[np.float64]]
    edges_examined: int
    seconds: float

class ExactResult:
    spread: float
    variance: float
    std: float
    activation_probability: npt.NDArray[np.float64]
    new_per_step: npt.NDArray[np.float64]
    worlds: int

def simulate(model: Model, seeds: IdsLike, seed: int = 0, max_steps: Optional[int] = None,
             seed_probabilities: Optional[FloatsLike] = None) -> Trace: ...
def estimate_spread(model: Model, seeds: IdsLike, trials: int = 10000, seed: int = 0, threads: int = 0,
                    target_relative_error: float = 0.0, max_trials: int = 1000000, max_steps: Optional[int] = None,
                    seed_probabilities: Optional[FloatsLike] = None, per_account: bool = False,
                    account_weights: Optional[FloatsLike] = None, fused: bool = True) -> SpreadEstimate: ...
def exact_spread(model: Model, seeds: IdsLike, max_steps: Optional[int] = None,
                 seed_probabilities: Optional[FloatsLike] = None, account_weights: Optional[FloatsLike] = None,
                 max_worlds: int = 16777216) -> ExactResult: ...

class SelectResult:
    method: str
    seeds: npt.NDArray[np.uint64]
    marginal_gains: npt.NDArray[np.float64]
    spread: float
    rr_sets: int
    trials: int
    peak_bytes: int
    approximation: float
    phase_seconds: Dict[str, float]
    seconds: float
    extra: Dict[str, Any]

def imm(model: Model, k: int, epsilon: float = 0.1, ell: float = 1.0, memory_limit: int = 0,
        max_depth: Optional[int] = None, root_weights: Optional[FloatsLike] = None,
        candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
        threads: int = 0, estimation_epsilon: float = 0.0) -> SelectResult: ...
def opim_c(model: Model, k: int, epsilon: float = 0.1, delta: float = 0.0, memory_limit: int = 0,
           max_depth: Optional[int] = None, root_weights: Optional[FloatsLike] = None,
           candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
           threads: int = 0, selection_ratio: float = 4.0) -> SelectResult: ...
def greedy(model: Model, k: int, trials: int = 1000, max_steps: Optional[int] = None,
           candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
           threads: int = 0) -> SelectResult: ...
def celf(model: Model, k: int, trials: int = 1000, max_steps: Optional[int] = None,
         candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
         threads: int = 0) -> SelectResult: ...
def celf_plus_plus(model: Model, k: int, trials: int = 1000, max_steps: Optional[int] = None,
                   candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
                   threads: int = 0) -> SelectResult: ...
def top_degree(g: FollowerGraph, k: int, candidates: Optional[IdsLike] = None,
               fixed_seeds: Optional[IdsLike] = None) -> SelectResult: ...
def degree_discount(g: FollowerGraph, k: int, p: float = 0.01, candidates: Optional[IdsLike] = None,
                    fixed_seeds: Optional[IdsLike] = None) -> SelectResult: ...
def top_pagerank(g: FollowerGraph, k: int, candidates: Optional[IdsLike] = None,
                 fixed_seeds: Optional[IdsLike] = None, damping: float = 0.85, iterations: int = 50) -> SelectResult: ...
def top_core_number(g: FollowerGraph, k: int, candidates: Optional[IdsLike] = None,
                    fixed_seeds: Optional[IdsLike] = None) -> SelectResult: ...
def top_katz(g: FollowerGraph, k: int, candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None,
             alpha: float = 0.0, beta: float = 1.0) -> SelectResult: ...
def top_eigenvector(g: FollowerGraph, k: int, candidates: Optional[IdsLike] = None,
                    fixed_seeds: Optional[IdsLike] = None, max_iterations: int = 200,
                    tol: float = 1e-10) -> SelectResult: ...
def influence_pagerank(g: FollowerGraph, damping: float = 0.85, iterations: int = 50) -> npt.NDArray[np.float64]: ...
def core_numbers(g: FollowerGraph) -> npt.NDArray[np.uint32]: ...
def katz_centrality(g: FollowerGraph, alpha: float = 0.0, beta: float = 1.0) -> npt.NDArray[np.float64]: ...
def eigenvector_centrality(g: FollowerGraph, max_iterations: int = 200,
                           tol: float = 1e-10) -> npt.NDArray[np.float64]: ...

class CompetitiveIC:
    def __init__(self, misleading: FollowerGraph, corrective: Optional[FollowerGraph] = None,
                 tie_rule: str = "misleading_wins", correction_delay: int = 0) -> None: ...
    @property
    def misleading(self) -> FollowerGraph: ...
    @property
    def corrective(self) -> FollowerGraph: ...
    @property
    def graph(self) -> FollowerGraph: ...
    @property
    def tie_rule(self) -> str: ...
    @property
    def correction_delay(self) -> int: ...

class CompetitiveTrace:
    activated: npt.NDArray[np.uint64]
    campaign: npt.NDArray[np.uint8]
    step: npt.NDArray[np.uint32]
    misleading_per_step: npt.NDArray[np.uint64]
    corrective_per_step: npt.NDArray[np.uint64]
    misleading_reach: int
    corrective_reach: int
    misleading_alone: int

class CountEstimate:
    mean: float
    std_error: float
    ci_low: float
    ci_high: float

class CompetitiveEstimate:
    misleading: CountEstimate
    corrective: CountEstimate
    saved: CountEstimate
    misleading_alone: CountEstimate
    misleading_per_step: npt.NDArray[np.float64]
    corrective_per_step: npt.NDArray[np.float64]
    trials: int
    edges_examined: int
    seconds: float

class ExactCount:
    mean: float
    variance: float

class ExactCompetition:
    misleading: ExactCount
    corrective: ExactCount
    saved: ExactCount
    misleading_alone: ExactCount
    misleading_per_step: npt.NDArray[np.float64]
    corrective_per_step: npt.NDArray[np.float64]
    misleading_probability: npt.NDArray[np.float64]
    corrective_probability: npt.NDArray[np.float64]
    worlds: int

def simulate_competition(model: Union[CompetitiveIC, "CompetitiveLT"], misleading_seeds: IdsLike, corrective_seeds: IdsLike, seed: int = 0,
                         max_steps: Optional[int] = None) -> CompetitiveTrace: ...
def estimate_competition(model: Union[CompetitiveIC, "CompetitiveLT"], misleading_seeds: IdsLike, corrective_seeds: IdsLike,
                         trials: int = 10000, seed: int = 0, threads: int = 0,
                         max_steps: Optional[int] = None) -> CompetitiveEstimate: ...
def exact_competition(model: Union[CompetitiveIC, "CompetitiveLT"], misleading_seeds: IdsLike, corrective_seeds: IdsLike,
                      max_steps: Optional[int] = None, max_worlds: int = 16777216) -> ExactCompetition: ...
def select_blockers(model: CompetitiveIC, misleading_seeds: IdsLike, k: int, method: str = "rr",
                    max_steps: Optional[int] = None, worlds: int = 2000, roots_per_world: int = 16,
                    trials: int = 200, imm_epsilon: float = 0.3, evaluation_trials: int = 1000,
                    candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
                    threads: int = 0) -> SelectResult: ...

class Roster:
    def __init__(self, g: FollowerGraph, accounts: IdsLike, fees: FloatsLike, risks: Optional[FloatsLike] = None,
                 platforms: Optional[Sequence[str]] = None, tags: Optional[Sequence[Sequence[str]]] = None,
                 include_non_roster: bool = False, non_roster_fee: float = 0.0,
                 non_roster_risk: float = 0.0) -> None: ...
    def __len__(self) -> int: ...
    @property
    def entries(self) -> list: ...
    @property
    def num_vertices(self) -> int: ...
    @property
    def graph_fingerprint(self) -> Optional[int]: ...

def read_roster(csv_path: PathType, g: FollowerGraph, include_non_roster: bool = False,
                non_roster_fee: float = 0.0, non_roster_risk: float = 0.0) -> Roster: ...

class Audience:
    def __init__(self, weights: Optional[FloatsLike] = None, group_of: Optional[IdsLike] = None,
                 group_names: Sequence[str] = ..., g: Optional[FollowerGraph] = None) -> None: ...
    @property
    def graph_fingerprint(self) -> Optional[int]: ...
    @property
    def weights(self) -> npt.NDArray[np.float64]: ...
    @property
    def group_of(self) -> npt.NDArray[np.uint32]: ...
    group_names: list

def read_audience(csv_path: PathType, g: FollowerGraph, group_weights: Dict[str, float] = ...,
                  other_weight: float = 1.0) -> Audience: ...

class CampaignPlan:
    model: str
    graph_checksum: int
    kols: list
    seeds: npt.NDArray[np.uint64]
    contracted: npt.NDArray[np.uint64]
    total_fee: float
    reach: float
    reach_se: float
    reach_ci_low: float
    reach_ci_high: float
    accounts_reached: float
    accounts_reached_se: float
    reach_rr: float
    total_weight: float
    certified_ratio: float
    guarantee: float
    lower_bound: float
    upper_bound: float
    rule: str
    groups: list
    budget_curve: list
    reach_by_step: npt.NDArray[np.float64]
    rr_sets: int
    check_trials: int
    rounds: int
    peak_bytes: int
    phase_seconds: Dict[str, float]
    seconds: float
    def to_json(self) -> str: ...
    def as_dict(self) -> Dict[str, Any]: ...
    def to_table(self) -> str: ...
    def save_json(self, path: PathType) -> None: ...

class ReplanResult:
    dropped: int
    dropped_fee: float
    reach_with: float
    reach_without: float
    reach_lost: float
    reach_lost_se: float
    freed_budget: float
    replacement: CampaignPlan
    replacements: npt.NDArray[np.uint64]
    reach_after: float
    reach_after_se: float
    def to_table(self) -> str: ...

def plan_campaign(model: Model, roster: Roster, budget: float = ..., max_kols: int = 0, max_risk: float = 1.0,
                  risk_mode: str = "expected", risk_penalty: float = 0.0, deadline: Optional[int] = None,
                  epsilon: float = 0.1, delta: float = 0.0, seed: int = 0, threads: int = 0,
                  audience: Optional[Audience] = None, group_minimums: Dict[str, float] = ...,
                  check_trials: int = 10000, budget_curve: Optional[FloatsLike] = None, method: str = "greedy_plus",
                  contracted: Optional[IdsLike] = None, excluded: Optional[IdsLike] = None,
                  memory_limit: int = 0) -> CampaignPlan: ...
def replan_without(model: Model, roster: Roster, plan: CampaignPlan, dropped: int) -> ReplanResult: ...

# ---- opinion dynamics -------------------------------------------------------------------------
class OpinionResult:
    opinions: npt.NDArray[np.float64]
    method: str
    iterations: int
    converged: bool
    residual: float
    summary: Dict[str, float]
    trajectory: Dict[str, npt.NDArray[np.float64]]
    seconds: float

def degroot(graph: FollowerGraph, initial: FloatsLike, steps: int = 1000, tol: float = 1e-12,
            use_edge_weights: bool = True, record_trajectory: bool = True, threads: int = 0) -> OpinionResult: ...
def friedkin_johnsen(graph: FollowerGraph, innate: FloatsLike, susceptibility: Union[float, FloatsLike],
                     stubborn: Optional[IdsLike] = None, stubborn_opinion: float = 1.0, method: str = "direct",
                     steps: int = 1000, tol: float = 1e-12, solver_tol: float = 1e-13, use_edge_weights: bool = True,
                     record_trajectory: bool = False, threads: int = 0) -> OpinionResult: ...
def polarisation(opinions: FloatsLike) -> float: ...
def mean_opinion(opinions: FloatsLike) -> float: ...
def disagreement(graph: FollowerGraph, opinions: FloatsLike, use_edge_weights: bool = True) -> float: ...
def polarisation_disagreement_index(graph: FollowerGraph, opinions: FloatsLike, use_edge_weights: bool = True) -> float: ...
def maximise_opinion(graph: FollowerGraph, k: int, innate: FloatsLike, susceptibility: Union[float, FloatsLike],
                     stubborn_opinion: float = 1.0, candidates: Optional[IdsLike] = None,
                     fixed_seeds: Optional[IdsLike] = None, method: str = "direct", lazy: bool = True,
                     solver_tol: float = 1e-13, use_edge_weights: bool = True, threads: int = 0) -> SelectResult: ...

# Further models (bind_models.cpp; docs/models.md). estimate_spread / exact_spread accept
# TriggeringModel and ComplexContagion (trials, seed, threads, max_steps, per_account /
# max_steps, max_worlds); imm / opim_c accept TriggeringModel; the competition functions accept
# CompetitiveLT.
class TriggeringModel:
    def __init__(self, graph: FollowerGraph, kind: str = "ic", count: int = 1) -> None: ...
    graph: FollowerGraph
    kind: str
    count: int

class ComplexContagion:
    def __init__(self, graph: FollowerGraph, rule: str = "count", k: int = 2, fraction: float = 0.5,
                 exposure_probability: Optional[float] = 1.0) -> None: ...
    graph: FollowerGraph
    rule: str
    k: int
    fraction: float
    exposure_probability: Optional[float]

def KExposure(graph: FollowerGraph, k: int = 2, exposure_probability: Optional[float] = 1.0) -> ComplexContagion: ...
def FractionalThreshold(graph: FollowerGraph, fraction: float = 0.5,
                        exposure_probability: Optional[float] = 1.0) -> ComplexContagion: ...
def complex_greedy(model: ComplexContagion, k: int, worlds: int = 200, max_steps: Optional[int] = None,
                   candidates: Optional[IdsLike] = None, fixed_seeds: Optional[IdsLike] = None, seed: int = 0,
                   threads: int = 0) -> SelectResult: ...

class CompetitiveLT:
    def __init__(self, graph: FollowerGraph) -> None: ...
    graph: FollowerGraph
