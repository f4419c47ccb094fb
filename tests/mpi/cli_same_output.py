#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`mpirun -np P kolsim select|spread` prints what one process prints (timings and the per-rank
peak_bytes aside), and a bad input on the ranks ends every rank with one error message.

Usage: cli_same_output.py MPIEXEC KOLSIM GRAPH P
"""
import json
import os
import subprocess
import sys

mpiexec, kolsim, graph, ranks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_mpi_yield_when_idle="1")
launch = [mpiexec, "-np", ranks, "--oversubscribe", "--bind-to", "none"]
VARYING = {"seconds", "peak_bytes"}
bad = 0


def run(cmd):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


for args in (["select", graph, "-k", "8", "--method", "imm", "--epsilon", "0.2", "--check-trials", "2000", "--json"],
             ["select", graph, "-k", "8", "--method", "opim-c", "--model", "lt", "--json"],
             ["spread", graph, "--seeds", "1,2,3", "--trials", "3000", "--json"]):
    one, many = run([kolsim] + args + ["--threads", "2"]), run(launch + [kolsim] + args + ["--threads", "1"])
    if one.returncode or many.returncode:
        print("FAILED to run", args, one.stderr, many.stderr)
        bad += 1
        continue
    a, b = json.loads(one.stdout), json.loads(many.stdout)
    diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if k not in VARYING and a.get(k) != b.get(k)}
    print(" ".join(args[:1] + args[2:]), "->", "same" if not diff else f"DIFFERS {diff}")
    bad += bool(diff)

failed = run(launch + [kolsim, "spread", graph, "--seeds", "999999999"])
errors = [line for line in failed.stderr.splitlines() if line.startswith("kolsim: error")]
print("bad seed ->", failed.returncode, errors)
if failed.returncode != 1 or errors != ["kolsim: error: account 999999999 is not in the graph"]:
    bad += 1
sys.exit(1 if bad else 0)
