# SPDX-License-Identifier: MIT
"""Resource limits from Python: too many threads is a ValueError, a bounded address space gives
MemoryError (not a kill), and Ctrl-C stops long calls within a generous latency bound."""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import kolsim

# The C++ side polls the stop token every few worlds / trials / solver iterations and the
# Python token checks for signals at most every 20 ms, so a call stops within milliseconds of
# work; the bound covers interpreter start-up noise and a heavily loaded machine.
LATENCY_BOUND = 5.0
# How long a child may run at most before the test gives up (only reached on failure).
HARD_TIMEOUT = 60.0

RING = textwrap.dedent("""
    import numpy as np
    def ring(n):
        src = np.arange(n, dtype=np.uint64)
        return kolsim.from_edges(src, (src + 1) % n, np.ones(n))
""")


def _child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.pop("KOLSIM_MEMORY_LIMIT", None)
    return env


def test_too_many_threads_is_a_value_error():
    g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
    m = kolsim.IndependentCascade(g)
    lt = kolsim.LinearThreshold(g)
    c = kolsim.CompetitiveIC(g)
    x0 = [0.5] * g.num_vertices
    t = 100000
    calls = {
        "estimate_spread": lambda: kolsim.estimate_spread(m, [0], trials=10, threads=t),
        "imm": lambda: kolsim.imm(m, 2, threads=t),
        "opim_c": lambda: kolsim.opim_c(m, 2, threads=t),
        "celf": lambda: kolsim.celf(m, 2, trials=10, threads=t),
        "celf_plus_plus": lambda: kolsim.celf_plus_plus(lt, 2, trials=10, threads=t),
        "degroot": lambda: kolsim.degroot(g, x0, threads=t),
        "friedkin_johnsen": lambda: kolsim.friedkin_johnsen(g, x0, 0.5, threads=t),
        "select_blockers": lambda: kolsim.select_blockers(c, [0], 2, worlds=10, threads=t),
        "estimate_competition": lambda: kolsim.estimate_competition(c, [0], [1], trials=10, threads=t),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match="threads must be at most"):
            call()
    # The interpreter is alive and the same calls work with a sane thread count.
    assert kolsim.estimate_spread(m, [0], trials=10, threads=2).trials == 10
    assert len(kolsim.celf(m, 2, trials=10, threads=2).seeds) == 2


# ---- memory: a bounded address space (prlimit --as) ---------------------------------------

SETUP = textwrap.dedent("""
    import sys
    import kolsim
    g = kolsim.weighted_cascade(kolsim.chung_lu(20000, 8.0, 2.5, 2.1, seed=3, threads=2))
    m = kolsim.IndependentCascade(g)
    kolsim.estimate_spread(m, [0], trials=64, threads=2)  # start the thread pool
""")


def _bounded_env():
    # One malloc arena: glibc otherwise reserves 64 MiB of address space per arena, and how many
    # arenas the setup's threads create varies run to run, so the measured virtual size would not
    # predict the limited run's (its setup could then hit the limit before the call under test).
    env = _child_env()
    env["MALLOC_ARENA_MAX"] = "1"
    return env


def _virtual_size_after_setup():
    script = SETUP + "print(open('/proc/self/status').read())"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=_bounded_env(),
                         timeout=HARD_TIMEOUT, check=True).stdout
    for line in out.splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    pytest.fail("no VmSize in /proc/self/status")


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="util-linux prlimit is not installed")
@pytest.mark.parametrize("call", [
    "kolsim.imm(m, 50, epsilon=0.01, seed=1, threads=2)",
    "kolsim.celf(m, 5, trials=100000, seed=1, threads=2)",
])
def test_bounded_address_space_gives_memory_error(call):
    limit = _virtual_size_after_setup() + (256 << 20)
    script = SETUP + textwrap.dedent(f"""
        import time
        t0 = time.perf_counter()
        try:
            {call}
        except MemoryError as e:
            print("MemoryError after", round(time.perf_counter() - t0, 2), "s:", e)
            sys.exit(3)
        print("finished")
    """)
    start = time.perf_counter()
    proc = subprocess.run(["prlimit", f"--as={limit}", sys.executable, "-c", script], capture_output=True,
                          text=True, env=_bounded_env(), timeout=HARD_TIMEOUT * 3)
    elapsed = time.perf_counter() - start
    # A kill (OOM or a crash) shows as a negative return code; an uncaught error as 1.
    assert proc.returncode == 3, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stderr == "", proc.stderr
    # The error comes from the check before the allocation (it names the need and the limit),
    # not from a failed allocation (std::bad_alloc).
    assert "MiB" in proc.stdout and ("usable memory" in proc.stdout or "memory limit" in proc.stdout), proc.stdout
    assert elapsed < HARD_TIMEOUT, (elapsed, proc.stdout)


# ---- Ctrl-C latency ------------------------------------------------------------------------

def _interrupt_latency(setup, call):
    """Runs `call` in a child, sends SIGINT once it is running and returns the seconds from the
    signal to the child's exit; the child must report KeyboardInterrupt raised by the call."""
    script = "import sys, time\nimport kolsim\n" + setup + textwrap.dedent(f"""
        print("ready", flush=True)
        t0 = time.perf_counter()
        try:
            {call}
        except KeyboardInterrupt:
            print("interrupted after", time.perf_counter() - t0, flush=True)
            sys.exit(0)
        print("finished after", time.perf_counter() - t0, flush=True)
        sys.exit(1)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_child_env())
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        # Let the call get going; wait() returns at once if the child ends (the failure path).
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail(f"the call ended before the interrupt: {proc.stdout.read()} {proc.stderr.read()}")
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=HARD_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"still running {HARD_TIMEOUT} s after SIGINT: {out} {err}")
        latency = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and out.startswith("interrupted"), (proc.returncode, out, err)
    return latency


@pytest.mark.parametrize("call", [
    "kolsim.celf(kolsim.IndependentCascade(g), 3, trials=1000, threads=2)",
    "kolsim.celf_plus_plus(kolsim.IndependentCascade(g), 3, trials=1000, threads=1)",
    "kolsim.select_blockers(kolsim.CompetitiveIC(g), [0], 2, method='celf', trials=2000, threads=2)",
])
def test_sigint_stops_celf_and_blocking(call):
    # A ring with p = 1: every cascade reaches all 20000 accounts, so one candidate's evaluation
    # (all worlds) takes a fraction of a second and a block of 256 candidates minutes.
    latency = _interrupt_latency(RING + "g = ring(20000)\n", call)
    assert latency < LATENCY_BOUND, latency


def test_sigint_stops_friedkin_johnsen_solver():
    # Susceptibility near 1 on a long ring: BiCGSTAB runs up to n iterations of O(n) each.
    setup = RING + "g = ring(400000)\nx0 = np.zeros(400000)\nx0[0] = 1.0\n"
    latency = _interrupt_latency(setup, "kolsim.friedkin_johnsen(g, x0, 0.999999, solver_tol=1e-300, threads=1)")
    assert latency < LATENCY_BOUND, latency
