#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages kolsim needs, only those missing (idempotent, non-interactive);
# python3-venv, python3-pip and python3-build serve the pip route (pyproject.toml, tests/packaging);
# ccache lets the pip test's build of _core reuse the objects `make test` compiled (~5 min less);
# with --fuzz also clang and its libFuzzer runtime for `make fuzz` (`make test` needs no clang);
# with --docs what `make docs` needs.
set -euo pipefail
packages=(build-essential cmake libboost-graph-dev libeigen3-dev pybind11-dev python3-pybind11 python3-numpy
  python3-scipy python3-pytest python3-networkx python3-matplotlib librandom123-dev libgtest-dev
  libbenchmark-dev libcli11-dev zlib1g-dev nlohmann-json3-dev libopenmpi-dev openmpi-bin python3-mpi4py
  python3-venv python3-pip python3-build python3-tqdm python3-pooch python3-mypy ccache)
# `install_deps.sh --fuzz` (make fuzz) also needs clang with libFuzzer and its sanitizer runtimes.
if [[ ${1:-} == --fuzz ]]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
# `install_deps.sh --docs` (make docs, and the report-page browser test) also needs Sphinx with
# its theme and extensions (sphinx-gallery renders examples/python), doxygen for the C++ API pages
# and a headless browser.
if [[ ${1:-} == --docs ]]; then
  packages+=(python3-sphinx furo python3-numpydoc python3-myst-parser python3-breathe doxygen chromium
    python3-sphinx-gallery)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "kolsim: installing missing Debian packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "kolsim: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
