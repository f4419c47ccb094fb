# SPDX-License-Identifier: MIT
"""kolsim/_core.pyi stays true: mypy's stubtest (Debian python3-mypy) compares it with the compiled
module: every name, class attribute and read-only property of the stub must exist at runtime and
every public runtime name must be in the stub. stubtest_allowlist.txt holds only what a .pyi cannot
say (pybind11's metaclass, the constructor-less result classes)."""
import os
import pathlib
import subprocess
import sys

import pytest

import kolsim


def test_core_stub_matches_the_extension():
    pytest.importorskip("mypy.stubtest")
    package_root = pathlib.Path(kolsim.__file__).parent.parent  # the folder holding the built package
    allowlist = pathlib.Path(__file__).with_name("stubtest_allowlist.txt")
    env = dict(os.environ, PYTHONPATH=str(package_root))
    proc = subprocess.run([sys.executable, "-m", "mypy.stubtest", "kolsim._core", "--allowlist", str(allowlist),
                           "--ignore-unused-allowlist"], capture_output=True, text=True, env=env,
                          cwd=package_root, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
