# SPDX-License-Identifier: MIT
"""The PEP 517 build backend of kolsim: builds the wheel by driving CMake (only the extension target).

Why in-tree: scikit-build-core is not packaged by Debian and scikit-build classic needs a
setup.py; this file needs nothing but the standard library, cmake and the C++ packages of
scripts/install_deps.sh, so `pip install --no-build-isolation .` and
`python3 -m build --no-isolation` work offline.

What it does: configures the project in Release for the running interpreter with tests,
examples, benchmarks and the CLI off, builds only the target ``_core`` (and the readers it
links), and zips python/kolsim plus the compiled extension into a wheel tagged for this
interpreter. Knobs (environment):

- ``KOLSIM_PIP_BUILD_DIR``: the CMake build directory (default ``build-pip-<tag>`` in the
  source tree, kept, so a second install only relinks what changed; beside ``build/`` at the same
  depth, so ccache with CCACHE_BASEDIR set reuses the objects of a ``make`` build);
- ``CMAKE_BUILD_PARALLEL_LEVEL``: compile jobs (default: all cores);
- ``CMAKE_ARGS``: extra CMake arguments, e.g. ``-DKOLSIM_USE_OPENMP=OFF``;
- ccache, when installed, is used as the compiler launcher (``KOLSIM_PIP_CCACHE=0`` turns it off).
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["build_wheel", "build_sdist", "prepare_metadata_for_build_wheel", "get_requires_for_build_wheel",
           "get_requires_for_build_sdist"]


# --- project metadata (pyproject.toml [project]) --------------------------------------------------
def _project() -> Dict[str, Any]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # Python >= 3.11
    except ImportError:  # pragma: no cover - older interpreters
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return _project_fallback(text)
    return tomllib.loads(text)["project"]


def _project_fallback(text: str) -> Dict[str, Any]:
    """name, version, description and dependencies without a TOML parser (Python < 3.11)."""
    section = text.split("[project]", 1)[1].split("\n[", 1)[0]
    out: Dict[str, Any] = {}
    for key in ("name", "version", "description", "requires-python"):
        m = re.search(rf'^{key}\s*=\s*"([^"]*)"', section, re.M)
        if m:
            out[key] = m.group(1)
    m = re.search(r"^dependencies\s*=\s*\[([^\]]*)\]", section, re.M)
    out["dependencies"] = re.findall(r'"([^"]+)"', m.group(1)) if m else []
    return out


def _dist_name(project: Dict[str, Any]) -> str:
    return re.sub(r"[-_.]+", "_", project["name"]).lower()


def _metadata(project: Dict[str, Any]) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    lic = project.get("license")
    if isinstance(lic, dict) and lic.get("text"):
        lines.append(f"License: {lic['text']}")
    for c in project.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    for dep in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {dep}")
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for dep in deps:
            lines.append(f'Requires-Dist: {dep}; extra == "{extra}"')
    readme = ROOT / "README.md"
    body = ""
    if readme.is_file():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + readme.read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


def _tag() -> str:
    """cpXY-cpXY-<platform>: the extension is built for exactly this interpreter."""
    impl = {"cpython": "cp", "pypy": "pp"}.get(sys.implementation.name, sys.implementation.name)
    ver = f"{sys.version_info.major}{sys.version_info.minor}"
    plat = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{impl}{ver}-{impl}{ver}-{plat}"


def _wheel_file(tag: str) -> str:
    return f"Wheel-Version: 1.0\nGenerator: kolsim_build_backend\nRoot-Is-Purelib: false\nTag: {tag}\n"


def _write_dist_info(directory: Path, project: Dict[str, Any], tag: str) -> str:
    name = f"{_dist_name(project)}-{project['version']}.dist-info"
    d = directory / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(_metadata(project), encoding="utf-8")
    (d / "WHEEL").write_text(_wheel_file(tag), encoding="utf-8")
    return name


# --- CMake ------------------------------------------------------------------------------------------
def _log(msg: str) -> None:
    print(f"kolsim build backend: {msg}", file=sys.stderr, flush=True)


def _run(cmd: List[str]) -> None:
    _log("$ " + " ".join(shlex.quote(c) for c in cmd))
    # stdout of the build goes to stderr: pip shows it with -v, and hooks must keep stdout clean.
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _build_extension(tag: str) -> Path:
    cmake = shutil.which("cmake")
    if cmake is None:
        raise RuntimeError("kolsim needs cmake >= 3.20 to build (Debian: apt install cmake; "
                           "or run scripts/install_deps.sh)")
    build = Path(os.environ.get("KOLSIM_PIP_BUILD_DIR") or ROOT / f"build-pip-{tag}").resolve()
    args = [cmake, "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}", "-DKOLSIM_BUILD_PYTHON=ON", "-DKOLSIM_BUILD_TESTS=OFF",
            "-DKOLSIM_BUILD_EXAMPLES=OFF", "-DKOLSIM_BUILD_BENCHMARKS=OFF", "-DKOLSIM_BUILD_CLI=OFF"]
    if (os.environ.get("KOLSIM_PIP_CCACHE", "1") != "0" and shutil.which("ccache")
            and "CMAKE_CXX_COMPILER_LAUNCHER" not in os.environ):
        args.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    args += shlex.split(os.environ.get("CMAKE_ARGS", ""))
    start = time.monotonic()
    _run(args)
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
    _run([cmake, "--build", str(build), "--target", "_core", "-j", jobs])
    _log(f"built kolsim._core in {time.monotonic() - start:.0f} s ({build})")
    return build / "python" / "kolsim"


def _package_files(built: Path) -> Dict[str, Path]:
    """Archive name -> file: python/kolsim from the sources plus the compiled extension."""
    files: Dict[str, Path] = {}
    for f in sorted((ROOT / "python" / "kolsim").iterdir()):
        if f.is_file() and f.suffix not in (".pyc", ".so", ".pyd"):
            files[f"kolsim/{f.name}"] = f
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    ext = built / f"_core{suffix}"
    if not ext.is_file():
        found = sorted(built.glob("_core*.so")) + sorted(built.glob("_core*.pyd"))
        if not found:
            raise RuntimeError(f"the build made no kolsim._core in {built}")
        ext = found[0]
    files[f"kolsim/{ext.name}"] = ext
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


# --- PEP 517 hooks ---------------------------------------------------------------------------------
def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []  # cmake, a compiler, pybind11 and numpy come from the system (scripts/install_deps.sh)


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Dict[str, Any]] = None) -> str:
    return _write_dist_info(Path(metadata_directory), _project(), _tag())


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None,
                metadata_directory: Optional[str] = None) -> str:
    project, tag = _project(), _tag()
    files = _package_files(_build_extension(tag))
    dist = f"{_dist_name(project)}-{project['version']}"
    info = f"{dist}.dist-info"
    extra = {f"{info}/METADATA": _metadata(project).encode("utf-8"),
             f"{info}/WHEEL": _wheel_file(tag).encode("utf-8")}
    if (ROOT / "LICENSE").is_file():
        extra[f"{info}/LICENSE"] = (ROOT / "LICENSE").read_bytes()
    wheel_name = f"{dist}-{tag}.whl"
    out = Path(wheel_directory) / wheel_name
    out.parent.mkdir(parents=True, exist_ok=True)
    record: List[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, path in files.items():
            data = path.read_bytes()
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
            record.append(_record_line(name, data))
        for name, data in extra.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
            record.append(_record_line(name, data))
        record.append(f"{info}/RECORD,,")
        z.writestr(zipfile.ZipInfo(f"{info}/RECORD", date_time=(1980, 1, 1, 0, 0, 0)),
                   "\n".join(record) + "\n", zipfile.ZIP_DEFLATED)
    _log(f"wrote {out}")
    return wheel_name


def _sdist_files() -> List[str]:
    """The files git tracks (or, outside git, everything but build trees and caches)."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
        names = [n for n in out.decode("utf-8").split("\0") if n]
        if names:
            return [n for n in names if (ROOT / n).is_file()]
    except (OSError, subprocess.CalledProcessError):
        pass
    names = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        dirnames[:] = [d for d in dirnames if not (rel == Path(".") and (d.startswith("build") or d.startswith(".")))
                       and d != "__pycache__"]
        names += [str(rel / f) for f in filenames if not f.endswith(".pyc")]
    return sorted(names)


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    project = _project()
    base = f"{_dist_name(project)}-{project['version']}"
    out = Path(sdist_directory) / f"{base}.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name in _sdist_files():
            tar.add(ROOT / name, arcname=f"{base}/{name}", recursive=False)
        pkg_info = _metadata(project).encode("utf-8")
        ti = tarfile.TarInfo(f"{base}/PKG-INFO")
        ti.size, ti.mode, ti.mtime = len(pkg_info), 0o644, int(time.time())
        tar.addfile(ti, io.BytesIO(pkg_info))
    _log(f"wrote {out}")
    return out.name
