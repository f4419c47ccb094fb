# SPDX-License-Identifier: MIT
"""kolsim on MPI through mpi4py: the same answer as one process, for any number of ranks.

Run a script under ``mpirun -np P --bind-to none python3 script.py``; every rank calls the same
function with the same arguments (``comm`` defaults to ``mpi4py.MPI.COMM_WORLD``) and gets the
result of the serial function, bit for bit: the same seeds, RR-set counts and bounds
(:func:`imm`, :func:`opim_c`), the same mean and standard error (:func:`estimate_spread`,
:func:`estimate_competition`), the same campaign plan (:func:`plan_campaign`: KOLs, RR-set
counts, certified ratio, reach and standard errors, ``to_json()``). Keywords and defaults are
the serial functions', plus ``comm``. Only ``seconds`` (``phase_seconds`` and ``peak_bytes`` of
a plan) and the per-rank figures in ``extra["distributed"]`` differ between ranks.

The work is split over the ranks (RR sets, Monte Carlo trials) and OpenMP threads run inside
each rank (``threads=``). A bad argument or a failure on one rank (an unknown seed id, an
invalid epsilon, an unknown contracted account, a roster of another graph, a MemoryError for its
share) raises the same exception on every rank, so no rank is left waiting in a collective.
There is no distributed ``replan_without``: a plan's ``replan_without(account)`` runs the serial
re-plan on each rank. See docs/distributed.md for running on a cluster.

Example::

    from mpi4py import MPI
    import kolsim, kolsim.distributed as kd
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(100_000, 5, seed=1))
    model = kolsim.IndependentCascade(g)
    r = kd.imm(model, 50, epsilon=0.1, seed=1, comm=MPI.COMM_WORLD)
    if MPI.COMM_WORLD.rank == 0:
        print(r.seeds, kd.estimate_spread(model, r.seeds, trials=100_000, seed=2))
    roster = kolsim.read_roster("roster.csv", g)
    plan = kd.plan_campaign(model, roster, budget=5000, check_trials=20_000, seed=3)
    if MPI.COMM_WORLD.rank == 0:
        plan.save_json("plan.json")

Needs the compiled module ``kolsim._distributed``, built when CMake finds MPI and mpi4py
(Debian ``libopenmpi-dev openmpi-bin python3-mpi4py``).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

try:
    from mpi4py import MPI as _MPI  # noqa: F401  (initialises MPI before the module needs it)
    from . import _distributed
except ImportError as e:  # pragma: no cover - depends on the build
    raise ImportError(
        "kolsim.distributed needs mpi4py and the compiled kolsim._distributed (built when CMake finds "
        f"MPI and mpi4py; install libopenmpi-dev openmpi-bin python3-mpi4py and rebuild): {e}") from e



def _agreeing(fn: Any) -> Any:
    """fn, except that a call pybind11 rejects on one rank (a keyword of the wrong type, such as
    ``budget="x"``) raises the same TypeError on every rank instead of leaving the others waiting
    in the call's first collective: the failing rank joins that agreement with its error."""

    @functools.wraps(fn)
    def call(*args: Any, comm: Any = None, **kwargs: Any) -> Any:
        entered = _distributed._agreements_entered()
        try:
            return fn(*args, comm=comm, **kwargs)
        except TypeError as e:
            if _distributed._agreements_entered() != entered:
                raise  # the ranks agreed on this error inside the call
            _distributed._join_with_type_error(comm, str(e))  # raises it here too
            raise

    del call.__wrapped__  # inspect.signature reads __signature__, not the compiled function
    call.__signature__ = _signature_with_comm(fn)  # type: ignore[attr-defined]
    return call


def _signature_with_comm(fn: Any) -> inspect.Signature:
    """The compiled function's signature (its docstring), comm keyword-only at the end."""
    import re
    from types import SimpleNamespace

    from . import _api

    doc = re.sub(r", \*, comm: \w+ = None\)", ")", fn.__doc__ or "")
    sig, _ = _api.core_signature(SimpleNamespace(__doc__=doc))
    comm = inspect.Parameter("comm", inspect.Parameter.KEYWORD_ONLY, default=None)
    return sig.replace(parameters=[*sig.parameters.values(), comm])


estimate_spread = _agreeing(_distributed.estimate_spread)
imm = _agreeing(_distributed.imm)
opim_c = _agreeing(_distributed.opim_c)
estimate_competition = _agreeing(_distributed.estimate_competition)


def plan_campaign(model: Any, roster: Any, *args: Any, comm: Any = None, **kwargs: Any) -> Any:
    """:func:`kolsim.plan_campaign` over the ranks of ``comm`` (None: ``MPI.COMM_WORLD``).

    Every rank passes the same model (IndependentCascade, LinearThreshold or ContinuousIC),
    roster and keywords (those of :func:`kolsim.plan_campaign`, with its defaults; ``threads``
    may differ) and gets the plan of one process: a :class:`kolsim.CampaignPlan`, the class
    kolsim.plan_campaign returns, around the same compiled record (``plan.core``, a
    ``kolsim._core.CampaignPlan``). Write its files from one rank (``if comm.rank == 0``).

    Examples
    --------
    >>> import kolsim, kolsim.distributed as kd
    >>> g = kolsim.weighted_cascade(kolsim.preferential_attachment(500, 3, seed=1))
    >>> roster = kolsim.Roster(g, g.accounts[:50], fees=[1.0] * 50)
    >>> plan = kd.plan_campaign(kolsim.IndependentCascade(g), roster, budget=3, check_trials=500, seed=2)
    >>> len(plan.kols) <= 3 and plan.reach > 0
    True
    """
    from .campaign import CampaignPlan

    return CampaignPlan(_agreeing(_distributed.plan_campaign)(model, roster, *args, comm=comm, **kwargs), model,
                        roster)


def _plan_signature() -> inspect.Signature:
    from . import _api, _core
    from .campaign import CampaignPlan

    serial, _ = _api.core_signature(_core.plan_campaign)
    comm = inspect.Parameter("comm", inspect.Parameter.KEYWORD_ONLY, default=None)
    return serial.replace(parameters=[*serial.parameters.values(), comm], return_annotation=CampaignPlan)


plan_campaign.__signature__ = _plan_signature()  # type: ignore[attr-defined]

__all__ = ["estimate_competition", "estimate_spread", "imm", "opim_c", "plan_campaign"]
