# SPDX-License-Identifier: MIT
"""kolsim on MPI through mpi4py: the same answer as one process, for any number of ranks.

Run a script under ``mpirun -np P --bind-to none python3 script.py``; every rank calls the same
function with the same arguments (``comm`` defaults to ``mpi4py.MPI.COMM_WORLD``) and gets the
result of the serial function, bit for bit: the same seeds, RR-set counts and bounds
(:func:`imm`, :func:`opim_c`), the same mean and standard error (:func:`estimate_spread`,
:func:`estimate_competition`). Keywords and defaults are the serial functions', plus ``comm``.
Only ``seconds`` and the per-rank figures in ``extra["distributed"]`` differ between ranks.

The work is split over the ranks (RR sets, Monte Carlo trials) and OpenMP threads run inside
each rank (``threads=``). A bad argument or a failure on one rank (an unknown seed id, an
invalid epsilon, a MemoryError for its share) raises the same exception on every rank, so no
rank is left waiting in a collective. See docs/distributed.md for running on a cluster.

Example::

    from mpi4py import MPI
    import kolsim, kolsim.distributed as kd
    g = kolsim.weighted_cascade(kolsim.preferential_attachment(100_000, 5, seed=1))
    model = kolsim.IndependentCascade(g)
    r = kd.imm(model, 50, epsilon=0.1, seed=1, comm=MPI.COMM_WORLD)
    if MPI.COMM_WORLD.rank == 0:
        print(r.seeds, kd.estimate_spread(model, r.seeds, trials=100_000, seed=2))

Needs the compiled module ``kolsim._distributed``, built when CMake finds MPI and mpi4py
(Debian ``libopenmpi-dev openmpi-bin python3-mpi4py``).
"""
from __future__ import annotations

try:
    from mpi4py import MPI as _MPI  # noqa: F401  (initialises MPI before the module needs it)
    from . import _distributed
except ImportError as e:  # pragma: no cover - depends on the build
    raise ImportError(
        "kolsim.distributed needs mpi4py and the compiled kolsim._distributed (built when CMake finds "
        f"MPI and mpi4py; install libopenmpi-dev openmpi-bin python3-mpi4py and rebuild): {e}") from e

estimate_spread = _distributed.estimate_spread
imm = _distributed.imm
opim_c = _distributed.opim_c
estimate_competition = _distributed.estimate_competition

__all__ = ["estimate_competition", "estimate_spread", "imm", "opim_c"]
