# SPDX-License-Identifier: MIT
"""Type stubs of the compiled MPI extension kolsim._distributed (hand-written; keep in sync with
python/src/bind_distributed.cpp). ``comm`` is an mpi4py.MPI.Comm (None: COMM_WORLD)."""
from typing import Any, Dict, Optional, Union

from ._core import (Audience, CampaignPlan, CompetitiveEstimate, CompetitiveIC, CompetitiveLT, ContinuousIC,
                    IndependentCascade, LinearThreshold, Roster, SelectResult, SpreadEstimate, _FloatsLike, _IdsLike)

_Model = Union[IndependentCascade, LinearThreshold]

def estimate_spread(model: _Model, seeds: _IdsLike, trials: int = 10000, seed: int = 0, threads: int = 0,
                    target_relative_error: float = 0.0, max_trials: int = 1000000, max_steps: Optional[int] = None,
                    seed_probabilities: Optional[_FloatsLike] = None, per_account: bool = False,
                    account_weights: Optional[_FloatsLike] = None, fused: bool = True, *,
                    comm: Optional[Any] = None) -> SpreadEstimate: ...
def imm(model: _Model, k: int, epsilon: float = 0.1, ell: float = 1.0, memory_limit: int = 0,
        max_depth: Optional[int] = None, root_weights: Optional[_FloatsLike] = None,
        candidates: Optional[_IdsLike] = None, fixed_seeds: Optional[_IdsLike] = None, seed: int = 0,
        threads: int = 0, estimation_epsilon: float = 0.0, bound_phase: str = "validated",
        validation_ratio: float = 2.0, *, comm: Optional[Any] = None) -> SelectResult: ...
def opim_c(model: _Model, k: int, epsilon: float = 0.1, delta: float = 0.0, memory_limit: int = 0,
           max_depth: Optional[int] = None, root_weights: Optional[_FloatsLike] = None,
           candidates: Optional[_IdsLike] = None, fixed_seeds: Optional[_IdsLike] = None, seed: int = 0,
           threads: int = 0, selection_ratio: float = 4.0, max_selection_noise: float = 0.07, *,
           comm: Optional[Any] = None) -> SelectResult: ...
def estimate_competition(model: Union[CompetitiveIC, CompetitiveLT], misleading_seeds: _IdsLike,
                         corrective_seeds: _IdsLike, trials: int = 10000, seed: int = 0, threads: int = 0,
                         max_steps: Optional[int] = None, *, comm: Optional[Any] = None) -> CompetitiveEstimate: ...
def plan_campaign(model: Union[_Model, ContinuousIC], roster: Roster, budget: float = ..., max_kols: int = 0,
                  max_risk: float = 1.0, risk_mode: str = "expected", risk_penalty: float = 0.0,
                  deadline: Optional[int] = None, deadline_hours: Optional[float] = None, epsilon: float = 0.1,
                  delta: float = 0.0, seed: int = 0, threads: int = 0, audience: Optional[Audience] = None,
                  group_minimums: Dict[str, float] = ..., check_trials: int = 10000,
                  budget_curve: Optional[_FloatsLike] = None, method: str = "greedy_plus",
                  contracted: Optional[_IdsLike] = None, excluded: Optional[_IdsLike] = None, memory_limit: int = 0,
                  *, comm: Optional[Any] = None) -> CampaignPlan: ...
def _join_with_type_error(comm: Any, message: str) -> None: ...
def _agreements_entered() -> int: ...
