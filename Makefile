# The two commands: `make demo` (the main job) and `make check` (the tests).
# Everything else is a convenience over CMake + ctest.
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    ?= build
ASAN     ?= build-asan
FUZZ     ?= build-fuzz
CMAKE_FLAGS ?=
CTEST_FAST := -LE slow --output-on-failure -j$(JOBS)

# Build quietly; on failure show the whole log (warnings are errors: -Werror).
quiet_build = echo "== build $(1)" && MAKEFLAGS= cmake --build $(1) -j$(JOBS) > $(1)/build.log 2>&1 \
              || { cat $(1)/build.log; echo "build failed: see above ($(1)/build.log)"; exit 1; }

.PHONY: all build build-asan deps check check-full demo fuzz clean format lint

all: build

deps:
	@scripts/install-deps

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@$(call quiet_build,$(BUILD))

build-asan:
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSK_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@$(call quiet_build,$(ASAN))

# make check: install what is missing, build a normal and an ASan+UBSan configuration,
# run every test not labelled `slow` in both.
check: deps
	@$(MAKE) --no-print-directory build build-asan
	@echo "== release build: ctest" && cd $(BUILD) && ctest $(CTEST_FAST)
	@echo "== asan+ubsan build: ctest" && cd $(ASAN) && \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest $(CTEST_FAST)

# make check-full: everything, slow suites included.
check-full: deps
	@$(MAKE) --no-print-directory build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS)

# make fuzz: libFuzzer binaries (clang) for every reader in tests/fuzz.
fuzz:
	@scripts/install-deps --fuzz
	@CC=clang cmake -S . -B $(FUZZ) -DCMAKE_BUILD_TYPE=Debug -DSK_FUZZ=ON >/dev/null
	@$(call quiet_build,$(FUZZ))
	@ls $(FUZZ)/tests/fuzz/fuzz_* | grep -v '\.' || true

# make demo: the main job on the embedded default scenario.
demo: deps build
	@scripts/demo $(BUILD)/sakimori

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@tests/lint/banned-functions.sh .
