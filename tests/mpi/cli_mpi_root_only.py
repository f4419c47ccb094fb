#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Under `mpirun -np P` every `kolsim` command without a distributed path (replan, compete, block,
multiplex, convert, generate, info) runs on rank 0 alone and the other ranks wait idle, then exit
with rank 0's status (src/cli/main.cpp): stdout and every output file are one process's, written
once; a bad input gives one error message and rank 0's exit status.

How "rank 0 alone" is seen without tracing: with an MPMD launch (`-np 1 kolsim ARGS : -np P-1
kolsim OTHER`) the other ranks are given their own output folder, which must stay empty, or a
missing input, which would make them fail; and the CPU time of a run whose rank 0 works for a
few seconds stays near one core's (ranks spinning in a blocking collective would add a core each).

Usage: cli_root_only.py MPIEXEC KOLSIM DATA_DIR P
"""
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

mpiexec, kolsim, data, ranks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_mpi_yield_when_idle="1")
launch = [mpiexec, "--oversubscribe", "--bind-to", "none"]
graph, roster = (os.path.join(data, f) for f in ("follower_400.txt", "roster_400.csv"))
bad = 0


def run(cmd, cwd):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def blank(text):
    """Timings and this process's memory figures out of a JSON text."""
    text = re.sub(r'"(seconds|peak_bytes|[a-z_]*_seconds)":\s*[-0-9.e+]+', r'"\1":0', text)
    return re.sub(r'"phase_seconds":\s*\{[^}]*\}', '"phase_seconds":{}', text)


def files(folder):
    return sorted(os.listdir(folder))


def content(path):
    with open(path, "rb") as f:
        raw = f.read()
    return blank(raw.decode()) if path.endswith(".json") else raw


def report(name, ok, detail=""):
    global bad
    print(f"{name:28} -> {'ok' if ok else 'FAILED ' + detail}")
    bad += not ok


with tempfile.TemporaryDirectory() as tmp:
    # A multiplex network (tests/cli/cli_cases.py multiplex_plan): two layers, people, a roster.
    inputs = os.path.join(tmp, "in")
    os.mkdir(inputs)
    for name, text in {"x.txt": "1 2\n1 3\n3 4\n", "y.txt": "10 20\n5 6\n",
                       "people.txt": "100 x 1\n100 y 10\n200 x 2\n300 y 20\n7 x 3\n7 y 5\n",
                       "mroster.csv": "person,platform,fee,risk\n100,x,5,0\n100,y,1,0\n200,x,1,0\n7,y,2,0\n"}.items():
        with open(os.path.join(inputs, name), "w") as f:
            f.write(text)
    layers = ["--layer", f"x={inputs}/x.txt", "--layer", f"y={inputs}/y.txt", "--identity", f"{inputs}/people.txt",
              "--cross", "x:y=1"]
    # The KOL that replan drops: the first of one process's plan.
    first = run([kolsim, "plan", graph, "--roster", roster, "--budget", "300", "--check-trials", "300", "--seed", "3",
                 "--json"], tmp)
    drop = str(json.loads(first.stdout)["kols"][0]["account"]) if first.returncode == 0 else "1"
    plan_args = ["--roster", roster, "--budget", "300", "--check-trials", "300", "--seed", "3", "--threads", "1"]
    # name -> (arguments with input GRAPH, the files it writes (relative to its folder)).
    CASES = {
        "replan": (["replan", "GRAPH"] + plan_args + ["--drop", drop, "--json", "--record", "replan.json"],
                   ["replan.json"]),
        "compete": (["compete", "GRAPH", "--misleading", "1,2", "--corrective", "3,4", "--trials", "3000", "--seed",
                     "5", "--threads", "1", "--json"], []),
        "block": (["block", "GRAPH", "--misleading", "1,2", "-k", "2", "--worlds", "300", "--evaluation-trials",
                   "300", "--seed", "6", "--threads", "1", "--json"], []),
        "multiplex": (["multiplex"] + layers + ["--roster", f"{inputs}/mroster.csv", "--budget", "3",
                                                "--check-trials", "300", "--threads", "1", "--json", "--record",
                                                "multiplex.json"], ["multiplex.json"]),
        "convert": (["convert", "GRAPH", "graph.kgs", "--json"], ["graph.kgs"]),
        "generate": (["generate", "--out", "gen.kgs", "--accounts", "3000", "--seed", "4", "--threads", "1",
                      "--json"], ["gen.kgs"]),
        "info": (["info", "GRAPH", "--json"], []),
    }

    def args(name, graph_path):
        a = [graph_path if x == "GRAPH" else x for x in CASES[name][0]]
        if name == "multiplex" and graph_path != graph:
            a[a.index(f"x={inputs}/x.txt")] = f"x={graph_path}"
        if name == "generate" and graph_path != graph:
            a[a.index("3000")] = "not-a-number"
        return a

    for name, (_, outputs) in CASES.items():
        one_dir, many_dir, others_dir = (os.path.join(tmp, f"{name}-{w}") for w in ("one", "many", "others"))
        for d in (one_dir, many_dir, others_dir):
            os.mkdir(d)
        one = run([kolsim] + args(name, graph), one_dir)
        many = run(launch + ["-np", str(ranks), kolsim] + args(name, graph), many_dir)
        ok = one.returncode == 0 and many.returncode == 0 and blank(one.stdout) == blank(many.stdout)
        ok = ok and files(one_dir) == files(many_dir) == sorted(outputs)  # no stray temporary files
        ok = ok and all(content(os.path.join(one_dir, f)) == content(os.path.join(many_dir, f)) for f in outputs)
        report(f"{name} same output", ok, f"rc {one.returncode}/{many.returncode} {files(many_dir)} "
                                          f"{many.stderr[-300:]!r} {blank(one.stdout) == blank(many.stdout)}")
        if ranks < 2:
            continue
        # MPMD: the other ranks write into their own folder, which must stay empty...
        mpmd = run(launch + ["-np", "1", kolsim] + args(name, graph) + [":", "-np", str(ranks - 1), "--wdir",
                                                                        others_dir, kolsim] + args(name, graph),
                   many_dir)
        ok = mpmd.returncode == 0 and files(others_dir) == [] and blank(mpmd.stdout) == blank(one.stdout)
        report(f"{name} others write nothing", ok, f"rc {mpmd.returncode}, others wrote {files(others_dir)}")
        # ... or get a missing input, on which they would fail.
        missing = os.path.join(tmp, "missing-graph.txt")
        mpmd = run(launch + ["-np", "1", kolsim] + args(name, graph) + [":", "-np", str(ranks - 1), kolsim] +
                   args(name, missing), others_dir)
        ok = mpmd.returncode == 0 and blank(mpmd.stdout) == blank(one.stdout)
        report(f"{name} others run nothing", ok, f"rc {mpmd.returncode} {mpmd.stderr[-300:]!r}")

    # A bad input: rank 0's exit status and its one error message.
    for cmd in (["compete", os.path.join(tmp, "missing-graph.txt"), "--misleading", "1", "--corrective", "2"],
                ["replan", graph, "--roster", os.path.join(tmp, "in", "x.txt"), "--budget", "10", "--drop", "1"],
                ["block", graph, "--misleading", "999999999", "-k", "1"]):
        one, many = run([kolsim] + cmd, tmp), run(launch + ["-np", str(ranks), kolsim] + cmd, tmp)
        errors = [line for line in many.stderr.splitlines() if line.startswith("kolsim: error")]
        ok = one.returncode != 0 and many.returncode == one.returncode and len(errors) == 1 and \
            errors[0] in one.stderr.splitlines()
        report(f"{cmd[0]} bad input", ok, f"rc {one.returncode}/{many.returncode} {errors}")

    # The waiting ranks do not spin: while rank 0 works for a few seconds, the whole run uses
    # about one process's CPU time (ranks spinning in a blocking collective, or all ranks
    # running the command, would add about one process's time each).
    if ranks > 1:
        def work(trials):
            return ["compete", graph, "--misleading", "1,2", "--corrective", "3,4", "--trials", str(trials), "--seed",
                    "1", "--threads", "1"]

        def cpu_of(cmd):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            rc = run(cmd, tmp).returncode
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            return rc, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

        # About 3 s of one process's CPU, whatever the build (a sanitizer build is ~10x slower),
        # from the CPU of 5,000 and 20,000 trials (start-up, then per trial).
        _, cpu_5k = cpu_of([kolsim] + work(5000))
        _, cpu_20k = cpu_of([kolsim] + work(20000))
        per_trial = max((cpu_20k - cpu_5k) / 15000, 1e-7)
        trials = max(20000, min(5000000, 5000 + int((3.0 - cpu_5k) / per_trial)))
        print(f"   ({trials} trials: CPU of 5,000 {cpu_5k:.2f} s, of 20,000 {cpu_20k:.2f} s)")
        rc_one, cpu_one = cpu_of([kolsim] + work(trials))
        rc_many, cpu_many = cpu_of(launch + ["-np", str(ranks), kolsim] + work(trials))
        ok = rc_one == rc_many == 0 and cpu_one > 2.0 and cpu_many < 1.2 * cpu_one + 0.5 * ranks
        report("others wait idle", ok, f"cpu one {cpu_one:.2f} s, {ranks} ranks {cpu_many:.2f} s")
        print(f"   (cpu one process {cpu_one:.2f} s, {ranks} ranks {cpu_many:.2f} s)")

        # SIGTERM to mpirun while rank 0 works and the others wait: every rank ends, soon.
        import signal

        endless = work(100000000)
        proc = subprocess.Popen(launch + ["-np", str(ranks), kolsim] + endless, env=env, cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=60)
            report("SIGTERM ends every rank", rc != 0, f"exit status {rc}")
        except subprocess.TimeoutExpired:
            proc.kill()
            report("SIGTERM ends every rank", False, "still running 60 s after SIGTERM")
sys.exit(1 if bad else 0)
