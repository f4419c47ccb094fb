# SPDX-License-Identifier: MIT
"""The pip route, offline: venv --system-site-packages, pip install --no-build-isolation, import.

Usage: pip_install_test.py SOURCE_DIR WORK_DIR PIP_BUILD_DIR. Runs, as a newcomer would (README "pip"):
  python3 -m venv --system-site-packages WORK/venv
  WORK/venv/bin/pip install --no-build-isolation --no-index SOURCE_DIR   (--no-index: no network)
then imports kolsim from the venv (outside the source tree) and runs a tiny seeded selection;
then `python3 -m build --no-isolation --wheel` (Debian python3-build) makes a wheel from the same
build directory and the test checks its contents. The CMake build directory is PIP_BUILD_DIR
(KOLSIM_PIP_BUILD_DIR): at the depth of the project's build directory, ccache (same
CCACHE_* environment as that build) serves the objects that build compiled, so only new code is compiled. Exit 77 (skip) when venv is missing.
"""
import os
import shutil
import subprocess
import sys
import time
import zipfile


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    print(p.stdout[-4000:] + p.stderr[-4000:])
    print(f"(exit {p.returncode} after {time.monotonic() - start:.0f} s)", flush=True)
    return p


def main(argv):
    source, work, build = (os.path.abspath(a) for a in argv[1:4])
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    shutil.rmtree(os.path.join(work, "venv"), ignore_errors=True)
    shutil.rmtree(os.path.join(work, "dist"), ignore_errors=True)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, KOLSIM_PIP_BUILD_DIR=build, PIP_NO_INPUT="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    env.pop("PYTHONPATH", None)
    venv = os.path.join(work, "venv")
    p = run([python, "-m", "venv", "--system-site-packages", venv])
    if p.returncode != 0:
        print("SKIPPED: python3 -m venv is not available (Debian: python3-venv)")
        return 77
    vpy = os.path.join(venv, "bin", "python")
    p = run([vpy, "-m", "pip", "install", "--no-build-isolation", "--no-index", source], env=env, cwd=work)
    if p.returncode != 0:
        print("FAILED: pip install")
        return 1
    code = ("import kolsim, sys\n"
            "assert kolsim.__file__.startswith(sys.prefix), (kolsim.__file__, sys.prefix)\n"
            "g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))\n"
            "r = kolsim.select_seeds(kolsim.IndependentCascade(g), 5, method='opim-c', epsilon=0.3, seed=2)\n"
            "assert len(r.seeds) == 5 and r.method == 'opim-c'\n"
            "print('imported', kolsim.__file__, kolsim.__version__, list(r.seeds))\n")
    p = run([vpy, "-c", code], env=env, cwd=work)
    if p.returncode != 0:
        print("FAILED: import from the venv")
        return 1
    p = run([vpy, "-m", "pip", "show", "-f", "kolsim"], env=env, cwd=work)
    if p.returncode != 0 or "Version: 0." not in p.stdout:
        print("FAILED: pip show kolsim")
        return 1

    p = run([python, "-c", "import build"])
    if p.returncode != 0:
        print("(python3-build not installed: the wheel step is not tested)")
    else:
        dist = os.path.join(work, "dist")
        p = run([python, "-m", "build", "--no-isolation", "--wheel", "--outdir", dist, source], env=env, cwd=work)
        if p.returncode != 0:
            print("FAILED: python3 -m build --no-isolation --wheel")
            return 1
        wheels = [f for f in os.listdir(dist) if f.endswith(".whl")]
        if len(wheels) != 1:
            print(f"FAILED: expected one wheel in {dist}, got {wheels}")
            return 1
        names = zipfile.ZipFile(os.path.join(dist, wheels[0])).namelist()
        print(wheels[0], names)
        need = ["kolsim/__init__.py", "kolsim/py.typed"]
        if not all(n in names for n in need) or not any(n.startswith("kolsim/_core") for n in names) \
                or not any(n.endswith(".dist-info/RECORD") for n in names):
            print("FAILED: the wheel lacks the package, the extension or its RECORD")
            return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
