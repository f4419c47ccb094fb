# SPDX-License-Identifier: MIT
# Set-up-and-go entry points: `make demo` (KOL campaign demo) and `make test` (every test).
# Both install missing Debian packages, then configure and build in Release.
PYTHON ?= /usr/bin/python3
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DATA_DIR := $(abspath ../shared/datasets)
export KOLSIM_DATA_DIR ?= $(if $(wildcard $(DATA_DIR)/README.md),$(DATA_DIR),)

.PHONY: all deps configure build test demo bench clean

all: build

deps:
	@bash scripts/install_deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPython_EXECUTABLE=$(PYTHON) > $(BUILD).configure.log 2>&1 \
	  || { cat $(BUILD).configure.log; exit 1; }

build: configure
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200

demo: build
	PYTHONPATH=$(CURDIR)/$(BUILD)/python MPLBACKEND=Agg $(PYTHON) examples/python/kol_campaign_demo.py --out demo-output

bench: build
	@echo "benchmarks: see benchmarks/README.md; binaries are in $(BUILD)/benchmarks"

clean:
	rm -rf $(BUILD) $(BUILD).configure.log
