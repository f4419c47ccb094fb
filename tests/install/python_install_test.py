# SPDX-License-Identifier: MIT
"""`cmake --install BUILD --prefix P` puts the Python package where this interpreter looks.

Usage: python_install_test.py CMAKE BUILD_DIR WORK_DIR (run with the interpreter the build was
configured for). Checks (1) that the relative install directory lies on this interpreter's
sys.path for its own install prefix (Debian python3: /usr/local; a venv or stock Python: its
prefix), i.e. `cmake --install build` with the default prefix gives an importable package, and
(2) installs into a scratch prefix and imports kolsim from there and runs a tiny selection.
"""
import glob
import os
import re
import shutil
import subprocess
import sys


def cache_value(build, name):
    with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
        for line in f:
            m = re.match(rf"{re.escape(name)}:[A-Z]+=(.*)$", line.rstrip("\n"))
            if m:
                return m.group(1)
    raise SystemExit(f"FAILED: {name} not in {build}/CMakeCache.txt")


def main(argv):
    cmake, build, work = argv[1:4]
    rel = cache_value(build, "KOLSIM_PYTHON_INSTALL_DIR")
    print(f"KOLSIM_PYTHON_INSTALL_DIR = {rel}")
    if sys.prefix != sys.base_prefix:
        home = sys.prefix  # a venv
    else:  # Debian's python3 installs local packages under /usr/local; a stock Python under its prefix
        local = [p for p in sys.path if p.startswith("/usr/local/lib/python")]
        home = "/usr/local" if local and sys.prefix == "/usr" else sys.prefix
    expected = os.path.normpath(os.path.join(home, rel))
    print(f"prefix {home}: the package would go to {expected}; sys.path = {sys.path}")
    if expected not in [os.path.normpath(p) for p in sys.path]:
        print(f"FAILED: {expected} is not on {sys.executable}'s sys.path")
        return 1

    prefix = os.path.join(work, "prefix")
    shutil.rmtree(work, ignore_errors=True)
    subprocess.run([cmake, "--install", build, "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
    site_dir = os.path.join(prefix, rel)
    cores = glob.glob(os.path.join(site_dir, "kolsim", "_core*"))
    print(f"installed: {sorted(os.listdir(os.path.join(site_dir, 'kolsim')))}")
    if not cores:
        print(f"FAILED: no kolsim/_core* in {site_dir}")
        return 1
    code = ("import kolsim, sys\n"
            f"assert kolsim.__file__.startswith({prefix!r}), kolsim.__file__\n"
            "g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 1000, seed=1))\n"
            "r = kolsim.select_seeds(kolsim.IndependentCascade(g), 3, method='degree')\n"
            "assert len(r.seeds) == 3\n"
            "print('imported', kolsim.__file__, kolsim.__version__, list(r.seeds))\n")
    env = dict(os.environ, PYTHONPATH=site_dir)
    p = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True)
    print(p.stdout + p.stderr)
    if p.returncode != 0:
        print("FAILED: the installed package does not import")
        return 1
    print("PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
