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
	libcurl4-openssl-dev python3-aiosmtpd

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test bench deb clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi
	@# The browser tests' npm packages, as the lockfile pins them: again
	@# whenever the lockfile is newer than what was installed.
	@if [ ! -d tests/web/node_modules ] || \
	    [ tests/web/package-lock.json -nt tests/web/node_modules ]; then \
		echo "npm ci in tests/web"; \
		(cd tests/web && npm ci --no-audit --no-fund) && \
		touch tests/web/node_modules; \
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

# skbench's quick mode (under two minutes): throughput against its
# baselines, lists at 50,000 cases, and three kill -9 rounds.
bench: build
	./$(BUILD)/skbench --quick

# The Debian package, $(BUILD)/sangkien_VERSION_amd64.deb (CPack; see
# core/server/dist/package.cmake and the README's "Install on a server").
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)
