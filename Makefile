# A thin wrapper so that a newcomer needs two commands: `make run` and
# `make test`. Both install the Debian packages the build needs (only when
# something is missing) and the browser tests' npm packages (tests/web),
# configure with CMake, and build. Everything else lives in CMakeLists.txt.

BUILD   ?= build
DATA    ?= ./sangkien-data
HTTP    ?= http://127.0.0.1:8080
CMAKE_BUILD_TYPE ?= RelWithDebInfo

# Debian packages the project builds, tests and runs with.
DEB_PACKAGES = build-essential cmake pkg-config libuv1-dev liblmdb-dev \
	liblua5.4-dev libnng-dev libjson-c-dev libsodium-dev libutf8proc-dev \
	libxxhash-dev libcmocka-dev libjemalloc-dev nng-utils lmdb-utils jq \
	curl openssl chromium libsystemd-dev \
	libcairo2-dev libpango1.0-dev fonts-noto-core libqrencode-dev \
	libxlsxwriter-dev poppler-utils zbar-tools unzip \
	dpkg-dev file lintian systemd python3 man-db \
	libcurl4-openssl-dev python3-aiosmtpd

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-deb configure build run test test-asan fuzz bench deb clean

all: build

deps: deps-deb
	@# The browser tests' npm packages, as the lockfile pins them: again
	@# whenever the lockfile is newer than what was installed.
	@if [ ! -d tests/web/node_modules ] || \
	    [ tests/web/package-lock.json -nt tests/web/node_modules ]; then \
		echo "npm ci in tests/web"; \
		(cd tests/web && npm ci --no-audit --no-fund) && \
		touch tests/web/node_modules; \
	fi

# The Debian packages only (all that make deb needs).
deps-deb:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j$$(nproc)

run: build
	./$(BUILD)/sangkiend --data $(DATA) --rubrics rubrics \
		--http $(HTTP) --web ipc/web

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j2

# The whole suite again, built with AddressSanitizer and UBSan in build-asan
# (-fno-sanitize-recover=all: the first finding fails the test that met it;
# an integration test fails too when sangkiend exits non-zero, as it does on
# a leak at exit).  web_e2e is left out: it tests the pages, whose C side
# (the HTTP and WebSocket paths) t_http, t_noread and t_tls already drive
# under the sanitizers, and chromium against an ASan server took longer
# than the rest together.  LSan's suppressions (third-party code only, each
# with its reason) are in tests/lsan.supp.
ASAN_BUILD ?= build-asan
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DSK_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(ASAN_BUILD) -j$$(nproc)
	$(SANITIZER_ENV) ctest --test-dir $(ASAN_BUILD) --output-on-failure \
		-j2 -E '^(web_e2e|integration_t_package)$$'

# libFuzzer, each target in turn for FUZZ_SECONDS (build-fuzz/, clang with
# ASan and UBSan): the request decoder, the op dispatch with arguments, the
# rubric loader and the Vietnamese normalizer.  Each grows its own corpus
# in build-fuzz/corpus/TARGET from the seeds in tests/fuzz/corpus/TARGET;
# a crasher is saved in tests/fuzz/regress/TARGET/, which `make test` runs
# from then on (commit it with the fix).  It fails if any target found one.
FUZZ_SECONDS ?= 600
FUZZ_BUILD ?= build-fuzz
FUZZ_TARGETS = proto ops rubric normalize

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DSK_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD) -j$$(nproc) \
		--target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@status=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t tests/fuzz/regress/$$t; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		nice -n 19 ./$(FUZZ_BUILD)/tests/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=tests/fuzz/regress/$$t/ \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || status=1; \
	done; exit $$status

# skbench's quick mode (under two minutes): throughput against its
# baselines, lists at 50,000 cases, and three kill -9 rounds.
bench: build
	./$(BUILD)/skbench --quick

# The Debian package, $(BUILD)/sangkien_VERSION_amd64.deb (CPack; see
# core/server/dist/package.cmake and the README's "Install on a server").
# It needs no npm package: a server builds it with the Debian ones only.
deb: deps-deb
	@[ -f $(BUILD)/CMakeCache.txt ] || \
		cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE)
	cmake --build $(BUILD) -j$$(nproc)
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)
