# SPDX-License-Identifier: MIT
# Set-up-and-go entry points: `make demo` (KOL campaign demo) and `make test` (every test).
# Both install missing Debian packages, then configure in Release; `make demo` builds only the
# Python extension kolsim._core (and the compiled readers it links), `make test` builds everything.
# `make sanitize`: the C++ tests, the CLI and the fuzz corpus replay under ASan + UBSan.
# `make fuzz`: each libFuzzer target (clang) for FUZZ_SECONDS; new inputs go to FUZZ_OUT.
PYTHON ?= /usr/bin/python3
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DATA_DIR := $(abspath ../shared/datasets)
# ccache when installed: a rebuild, and the pip test's build of _core, reuse compiled objects.
# Expanded when configure runs, after `deps` may have installed it.
CCACHE = $(shell command -v ccache 2>/dev/null)
LAUNCHER = $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE),)
export KOLSIM_DATA_DIR ?= $(if $(wildcard $(DATA_DIR)/README.md),$(DATA_DIR),)

SANITIZE_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_CXX ?= clang++-14
FUZZ_SECONDS ?= 300
FUZZ_TARGETS ?= edge_list snapshot roster audience
FUZZ_OUT ?= $(FUZZ_BUILD)/out
FUZZ_FLAGS ?=
# Only what the sanitizer run needs: no Python extension, examples or benchmarks.
SANITIZE_CMAKE := -DCMAKE_BUILD_TYPE=Debug -DKOLSIM_SANITIZE=ON -DKOLSIM_BUILD_PYTHON=OFF \
  -DKOLSIM_BUILD_EXAMPLES=OFF -DKOLSIM_BUILD_BENCHMARKS=OFF
FUZZ_CMAKE := -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=$(FUZZ_CXX) -DKOLSIM_FUZZ=ON -DKOLSIM_BUILD_TESTS=OFF \
  -DKOLSIM_BUILD_PYTHON=OFF -DKOLSIM_BUILD_EXAMPLES=OFF -DKOLSIM_BUILD_BENCHMARKS=OFF -DKOLSIM_BUILD_CLI=OFF \
  -DKOLSIM_USE_OPENMP=OFF
export ASAN_OPTIONS ?= halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS ?= halt_on_error=1:abort_on_error=1:print_stacktrace=1

.PHONY: all deps configure build test demo bench clean sanitize fuzz

all: build

deps:
	@bash scripts/install_deps.sh --docs

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON) $(LAUNCHER) > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200

# Only the Python extension: no tests, benchmarks, examples or CLI (a later `make test` reuses it).
demo: configure
	cmake --build $(BUILD) -j$(JOBS) --target _core
	PYTHONPATH=$(CURDIR)/$(BUILD)/python MPLBACKEND=Agg $(PYTHON) examples/python/kol_campaign_demo.py --out demo-output

bench: build
	@echo "benchmarks: see benchmarks/README.md; binaries are in $(BUILD)/benchmarks"

sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) $(SANITIZE_CMAKE) > $(SANITIZE_BUILD).configure.log 2>&1 \
	  || { cat $(SANITIZE_BUILD).configure.log; exit 1; }
	cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	cd $(SANITIZE_BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200 -LE install

fuzz:
	@bash scripts/install_deps.sh --fuzz
	@cmake -S . -B $(FUZZ_BUILD) $(FUZZ_CMAKE) > $(FUZZ_BUILD).configure.log 2>&1 \
	  || { cat $(FUZZ_BUILD).configure.log; exit 1; }
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS:%=fuzz_%)
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_OUT)/corpus/$$t $(FUZZ_OUT)/findings/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s (new inputs: $(FUZZ_OUT)/corpus/$$t, findings: $(FUZZ_OUT)/findings/$$t)"; \
	  $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 -max_len=4096 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/findings/$$t/ $(FUZZ_FLAGS) \
	    $(FUZZ_OUT)/corpus/$$t tests/fuzz/corpus/$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (see $(FUZZ_OUT)/findings)"; exit 1; fi

clean:
	rm -rf $(BUILD) $(BUILD).configure.log $(BUILD)-pip

# `make docs`: the documentation site (Sphinx + furo, numpydoc, myst-parser, breathe + doxygen for
# the C++ API) into $(BUILD)/docs/html, warnings as errors. The API pages import the built package.
DOCS_OUT ?= $(BUILD)/docs/html
.PHONY: docs
docs: configure
	@bash scripts/install_deps.sh --docs
	cmake --build $(BUILD) -j$(JOBS) --target _core
	KOLSIM_BUILD_DIR=$(abspath $(BUILD)) MPLBACKEND=Agg $(PYTHON) -m sphinx -E -W --keep-going -b html docs $(DOCS_OUT)
	@echo "docs: open $(DOCS_OUT)/index.html"
