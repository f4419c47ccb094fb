# SPDX-License-Identifier: MIT
"""Prints, relative to an install prefix P, the site directory this interpreter searches for P.

Used by python/CMakeLists.txt for `cmake --install build --prefix P`. In a virtual environment
that is the environment's own platlib scheme; otherwise the version-specific entry of
site.getsitepackages([P]) (Debian: lib/python3.X/dist-packages, which with P = /usr/local is on
sys.path; a stock Python: lib/python3.X/site-packages), never Debian's "local/" variant (which
would give /usr/local/local/...).
"""
import os
import site
import sys
import sysconfig

MARK = os.path.join(os.sep, "kolsim-prefix-marker")


def main() -> int:
    if sys.prefix != sys.base_prefix:  # a venv: its own layout (lib/python3.X/site-packages)
        path = sysconfig.get_path("platlib", "venv" if "venv" in sysconfig.get_scheme_names() else "posix_prefix",
                                  vars={"base": MARK, "platbase": MARK})
    else:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [p for p in site.getsitepackages([MARK])
                      if not p.startswith(os.path.join(MARK, "local") + os.sep)]
        specific = [p for p in candidates if version in p.split(os.sep)]
        path = (specific or candidates or [sysconfig.get_path("platlib", "posix_prefix",
                                                              vars={"base": MARK, "platbase": MARK})])[0]
    print(os.path.relpath(path, MARK).replace(os.sep, "/"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
