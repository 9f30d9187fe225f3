# Front door. `make run` and `make test` install what is missing, build, then run.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
SOURCES = $(shell git ls-files '*.cpp' '*.hpp' '*.cc' '*.h' 2>/dev/null)

.PHONY: all deps test-deps configure build test run bench format format-check asan tsan fuzz fuzz-run soak soak-steady hostile clean

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# After the tests, scripts/check-leftovers lists any process, network namespace, bridge or
# rs-test-* scratch folder they left behind (and fails the run).
test: test-deps build
	@scripts/check-leftovers snapshot $(BUILD)/leftovers.json
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 600; rc=$$?; \
	  cd $(CURDIR) && scripts/check-leftovers check $(BUILD)/leftovers.json || rc=1; exit $$rc

run: build
	@deploy/local-cluster $(BUILD)/bin

# A churn soak of the whole cluster (bench/soak.py; docs/testing.md, "Soak"): not part of `test`.
DURATION ?= 30m
soak: build
	@scripts/install-deps --soak
	python3 bench/soak.py --bin=$(BUILD)/bin --duration=$(DURATION)

# The same without edge and origin faults (the coordinator still restarts once): every edge and
# the origin live the whole run, so their RSS slope is fitted over it (docs/testing.md, "Soak").
soak-steady: build
	@scripts/install-deps --soak
	python3 bench/soak.py --bin=$(BUILD)/bin --duration=$(DURATION) --edge_every=never \
	  --origin_every=never --out bench/results/soak-steady

# Hostile input on every port (tests/hostile/ports_test.py), each case while a viewer plays.
hostile: test-deps build
	@for c in catchup grpc http-coordinator http-edge http-origin; do \
	  python3 tests/hostile/ports_test.py --bin=$(BUILD)/bin --case=$$c || exit 1; done

bench: test-deps build
	@bench/run-all $(BUILD)/bin

format: deps
	@clang-format -i $(SOURCES)

format-check: deps
	@clang-format --dry-run -Werror $(SOURCES)

# Sanitizer builds run the whole suite, programs the tests start included (they inherit these
# options); reports from inside uninstrumented Debian libraries are suppressed by the reviewed
# files in tests/sanitizers/ (docs/testing.md, "Sanitizers").
SAN_DIR := $(CURDIR)/tests/sanitizers
asan: export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
asan: export LSAN_OPTIONS = suppressions=$(SAN_DIR)/lsan.supp:print_suppressions=0
asan: export UBSAN_OPTIONS = print_stacktrace=1:halt_on_error=1:suppressions=$(SAN_DIR)/ubsan.supp
# Tests stretch their waits and timing targets by RS_TIME_SCALE (tests/support/time_scale.hpp).
asan: export RS_TIME_SCALE = 2
asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DRS_SANITIZE=address"

tsan: export TSAN_OPTIONS = halt_on_error=0:second_deadlock_stack=1:history_size=7:suppressions=$(SAN_DIR)/tsan.supp
tsan: export RS_TIME_SCALE = 4
tsan:
	@$(MAKE) --no-print-directory test BUILD=build-tsan BUILD_TYPE=Debug CMAKE_FLAGS="-DRS_SANITIZE=thread"

fuzz: deps
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRS_FUZZ=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@cmake --build build-fuzz --target fuzz_targets -j $(JOBS)

# Runs every fuzz target FUZZ_TIME seconds (two at a time) on a scratch copy of its corpus.
FUZZ_TIME ?= 60
fuzz-run:
	@FUZZ_TIME=$(FUZZ_TIME) scripts/fuzz-run

clean:
	rm -rf build build-asan build-tsan build-fuzz
