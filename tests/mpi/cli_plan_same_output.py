#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`mpirun -np P kolsim plan` prints what one process prints: the same JSON (timings, the
per-rank peak_bytes and parameters.threads aside) and, with the same --threads, the same JSON
text byte for byte once the timings are blanked; rank 0 alone writes the --record file; a bad
roster row ends every rank with one error message.

Usage: cli_plan_same_output.py MPIEXEC KOLSIM DATA_DIR P
"""
import json
import os
import re
import subprocess
import sys
import tempfile

mpiexec, kolsim, data, ranks = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_mpi_yield_when_idle="1")
launch = [mpiexec, "-np", ranks, "--oversubscribe", "--bind-to", "none"]
graph, roster, audience = (os.path.join(data, f) for f in ("follower_400.txt", "roster_400.csv", "audience_400.csv"))
VARYING = {"seconds", "peak_bytes", "phase_seconds"}
bad = 0


def run(cmd):
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def stable(record):
    record = {k: v for k, v in record.items() if k not in VARYING}
    record["parameters"] = {k: v for k, v in record["parameters"].items() if k != "threads"}
    return record


def blank_timings(text):
    text = re.sub(r'"(seconds|peak_bytes)":[-0-9.e+]+', r'"\1":0', text)
    return re.sub(r'"phase_seconds":\{[^}]*\}', '"phase_seconds":{}', text)


CASES = (
    ["--budget", "400", "--deadline", "3", "--audience", audience, "--group-min", "students=20", "--check-trials",
     "3000", "--seed", "7"],
    ["--max-kols", "5", "--model", "lt", "--check-trials", "2000", "--seed", "8"],
    ["--budget", "300", "--max-kols", "4", "--max-risk", "0.3", "--epsilon", "0.2", "--check-trials", "1500", "--seed",
     "9"],
    ["--budget", "250", "--deadline-hours", "6", "--delay-hours", "2", "--check-trials", "1000", "--seed", "10"],
    ["--budget", "250", "--deadline", "0", "--check-trials", "500", "--seed", "11"],
)
with tempfile.TemporaryDirectory() as tmp:
    for i, case in enumerate(CASES):
        args = ["plan", graph, "--roster", roster] + case + ["--json"]
        rec = os.path.join(tmp, f"record{i}.json")
        one = run([kolsim] + args + ["--threads", "2"])
        many = run(launch + [kolsim] + args + ["--threads", "1", "--record", rec])
        same_threads = run([kolsim] + args + ["--threads", "1"])
        if one.returncode or many.returncode or same_threads.returncode:
            print("FAILED to run", case, one.stderr, many.stderr)
            bad += 1
            continue
        a, b = stable(json.loads(one.stdout)), stable(json.loads(many.stdout))
        diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
        text_same = blank_timings(same_threads.stdout) == blank_timings(many.stdout)
        with open(rec) as f:
            record_same = blank_timings(f.read().strip()) == blank_timings(many.stdout.strip())
        left = sorted(n for n in os.listdir(tmp) if n.startswith("."))  # temporary files of other ranks
        ok = not diff and text_same and record_same and not left
        print(" ".join(case), "->", "same" if ok else f"DIFFERS {diff} text {text_same} record {record_same} {left}")
        bad += not ok

    # A bad roster row: every rank stops with the one parse error (file:line).
    bad_roster = os.path.join(tmp, "bad_roster.csv")
    with open(bad_roster, "w") as f:
        f.write("account,fee,risk\n1,50,0\n2,abc,0\n")
    failed = run(launch + [kolsim, "plan", graph, "--roster", bad_roster, "--budget", "100"])
    errors = [line for line in failed.stderr.splitlines() if line.startswith("kolsim: error")]
    print("bad roster ->", failed.returncode, errors)
    if failed.returncode == 0 or len(errors) != 1 or f"{bad_roster}:3:" not in errors[0]:
        bad += 1
sys.exit(1 if bad else 0)
