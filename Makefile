# weir: the only commands a newcomer needs.
#   make demo   set everything up, then scan the bundled sample log
#   make test   set everything up, then cargo test + pytest (+ a benchmark smoke run)
#   make bench  the full benchmark suite (see benchmarks/README.md)
#   make lint   ruff, mypy, cargo clippy

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.stamps
# Python packages, from hashed lock files only (requirements/*.in say what each is for; make lock).
BUILD_LOCK := requirements/build.lock
DEMO_LOCK := requirements/demo.lock
SPARK_LOCK := requirements/spark.lock
TEST_LOCK := requirements/dev.lock
PIP_INSTALL = $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
# Which libhs weir links (README: "Hyperscan or Vectorscan" compares them):
#   system      Intel Hyperscan 5.4.0, Debian's libhyperscan-dev: installs in seconds (the default)
#   vectorscan  Vectorscan 5.4.12, built once from hash-pinned source into .deps/ (several minutes)
HYPERSCAN ?= system
# System packages: what building weir needs (make demo), and what only the tests use.
APT_VECTORSCAN := cmake libboost-dev curl ca-certificates
ifeq ($(HYPERSCAN),system)
APT_BUILD := build-essential libhyperscan-dev
HS_BUILT :=
else ifeq ($(HYPERSCAN),vectorscan)
APT_BUILD := build-essential
HS_BUILT = $(VECTORSCAN)
export WEIR_HYPERSCAN_DIR := $(CURDIR)/.deps/vectorscan
else
$(error HYPERSCAN must be system or vectorscan, not '$(HYPERSCAN)')
endif
APT_DEMO := tesseract-ocr tesseract-ocr-eng fonts-dejavu-core
APT_TEST := fonts-liberation2 git
APT_SPARK := default-jre-headless
# Each set is stamped by its package list, so adding a package re-runs it on machines set up before.
apt_stamp = $(STAMPS)/apt-$(shell echo '$(1)' | sha256sum | cut -c1-12)
APT_STAMP := $(call apt_stamp,$(APT_BUILD))
APT_DEMO_STAMP := $(call apt_stamp,$(APT_DEMO))
APT_TEST_STAMP := $(call apt_stamp,$(APT_TEST))
APT_SPARK_STAMP := $(call apt_stamp,$(APT_SPARK))
APT_VECTORSCAN_STAMP := $(call apt_stamp,$(APT_VECTORSCAN))
RUST_SOURCES := $(shell find rust -name '*.rs') Cargo.toml Cargo.lock $(wildcard patterns/*.toml) patterns/MANIFEST.sha256
# Vectorscan, built once from pinned source into .deps/ (rust/vectorscan/build.sh says why).
VECTORSCAN := .deps/vectorscan/.built-$(shell sed -n 's/^HS_VERSION=//p' rust/vectorscan/build.sh)
PY_SOURCES := $(shell find python -name '*.py' -o -name '*.pyi') pyproject.toml

.PHONY: demo test bench lint deps setup spark build clean distclean lock rust-test py-test bench-smoke peers mcp-servers rules-manifest vectorscan

demo: build
	@echo "== weir scan examples/sample.log"
	@$(BIN)/weir scan examples/sample.log --fail-on none
	@echo
	@echo "== weir redact examples/sample.log (first lines)"
	@$(BIN)/weir redact examples/sample.log | head -n 25
	@echo
	@echo "== an MCP server behind weir's middleware (examples/mcp_server.py --demo)"
	@$(BIN)/python examples/mcp_server.py --demo

test: build rust-test py-test bench-smoke

rust-test: $(APT_STAMP) $(HS_BUILT)
	cargo test --locked --release --quiet

py-test: build $(STAMPS)/venv-test mcp-servers
	$(BIN)/python -m pytest tests -q

# Unmodified public MCP servers for tests/test_mcp_conformance.py, in a venv of their own (they
# pin their own mcp), pinned with hashes in mcp-servers.lock (regenerate: make lock).
# mcp-server-sqlite is written for mcp 1.x: a venv of its own (mcp-sqlite.lock).
mcp-servers: $(VENV)-mcp-servers/.installed $(VENV)-mcp-sqlite/.installed
$(VENV)-mcp-%/.installed: requirements/mcp-%.lock | $(APT_STAMP) $(APT_TEST_STAMP)
	test -x $(VENV)-mcp-$*/bin/python || $(PYTHON) -m venv $(VENV)-mcp-$*
	$(VENV)-mcp-$*/bin/python -m pip install --quiet --require-hashes --no-deps --only-binary :all: -r $<
	@touch $@

bench-smoke: build $(STAMPS)/venv-test
	WEIR_BENCH_QUICK=1 $(BIN)/python -m pytest benchmarks -q --benchmark-disable -p no:cacheprovider

# The full run: every suite and the peers on the same corpora, then one report with plots
# (benchmarks/results/summary.md, throughput.png, scaling.png). The report and scaling code are
# smoke-tested by bench-smoke (benchmarks/test_report_smoke.py, into a temporary directory).
bench: build $(STAMPS)/venv-test peers
	@mkdir -p benchmarks/results/tmp; mp=$$PPID; \
	(while kill -0 $$mp 2>/dev/null; do echo "$$(date -u +%FT%TZ) $$(cut -d' ' -f1 /proc/loadavg)"; sleep 30; done) \
		> benchmarks/results/tmp/load.log &
	WEIR_BENCH_MB=64 $(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-json=benchmarks/results/latest.json
	$(BIN)/python benchmarks/bench_cli.py --gb 1 --out benchmarks/results/cli.md --json benchmarks/results/cli.json
	$(BIN)/python benchmarks/scaling.py --out benchmarks/results/scaling.json
	$(BIN)/python benchmarks/rule_scaling.py --mb 16 --plot benchmarks/results/rule_scaling.png --json benchmarks/results/rule_scaling.json
	$(BIN)/python benchmarks/bench_spark.py --mb 1000 --out benchmarks/results/spark.md
	$(BIN)/python benchmarks/eval_ner.py --out benchmarks/results/ner_eval.md
	$(BIN)/python benchmarks/peers/bench_json_calls.py --out benchmarks/results/json_calls.md
	$(BIN)/python benchmarks/eval_ocr.py --out benchmarks/results/ocr_eval.md
	$(BIN)/python benchmarks/report.py --command "make bench" --load-log benchmarks/results/tmp/load.log

# Peers for comparison live in their own environment (never runtime dependencies of weir).
peers: $(VENV)-peers/.installed
$(VENV)-peers/.installed: requirements/peers.lock | $(APT_STAMP)
	@dpkg -s ripgrep >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq ripgrep; else sudo apt-get install -y -qq ripgrep; fi; }
	test -x $(VENV)-peers/bin/python || $(PYTHON) -m venv $(VENV)-peers
	$(VENV)-peers/bin/python -m pip install --quiet --require-hashes --no-deps --only-binary :all: -r requirements/peers.lock
	@touch $@

lint: build $(STAMPS)/venv-test
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks
	$(BIN)/mypy
	cargo fmt --check
	cargo clippy --all-targets --features python -- -D warnings

# System packages: installed with apt-get when missing (needs root, as on a fresh Debian machine).
deps: $(APT_STAMP)
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		command -v apt-get >/dev/null || { echo "apt-get not found: install$$missing with your package manager, then re-run"; exit 2; }; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
			|| { echo "apt-get could not install$$missing: run make as root (or with sudo), or install them yourself"; exit 2; }; \
	fi
	@mkdir -p $(STAMPS) && touch $@
endef
$(APT_STAMP):
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust 1.75 or newer (rustup.rs, or apt-get install cargo), then re-run"; exit 2; }
	$(call apt_install,$(APT_BUILD))
$(APT_DEMO_STAMP):
	$(call apt_install,$(APT_DEMO))
$(APT_TEST_STAMP):
	$(call apt_install,$(APT_TEST))
$(APT_SPARK_STAMP):
	$(call apt_install,$(APT_SPARK))
$(APT_VECTORSCAN_STAMP):
	$(call apt_install,$(APT_VECTORSCAN))

# Vectorscan from source, for HYPERSCAN=vectorscan (make HYPERSCAN=vectorscan test).
vectorscan: $(VECTORSCAN)
# build.sh rebuilds only when its configuration changed; the touch keeps make from asking again.
$(VECTORSCAN): rust/vectorscan/build.sh | $(APT_STAMP) $(APT_VECTORSCAN_STAMP)
	bash rust/vectorscan/build.sh
	@touch $@

# The virtualenv, in layers, from the hashed lock files only and wheels only:
#   build tools (maturin, setuptools, wheel) first, so nothing is ever built with the venv's
#   bundled setuptools; then what the demo runs; then, for make test, the rest of dev.lock.
# pyspark is the one sdist (PyPI has no wheel of it; it only packs the bundled Spark jars): pip
# builds it with build.lock's setuptools (--no-build-isolation, so nothing unhashed is fetched).
setup: $(STAMPS)/venv
$(STAMPS)/tools: $(BUILD_LOCK) | $(APT_STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --only-binary :all: -r $(BUILD_LOCK)
	@mkdir -p $(STAMPS) && touch $@
$(STAMPS)/venv: $(DEMO_LOCK) $(STAMPS)/tools | $(APT_DEMO_STAMP)
	$(PIP_INSTALL) --only-binary :all: -r $(DEMO_LOCK)
	@touch $@
$(STAMPS)/venv-test: $(TEST_LOCK) $(STAMPS)/venv | $(APT_TEST_STAMP) $(APT_SPARK_STAMP)
	$(PIP_INSTALL) --only-binary :all: --no-binary pyspark --no-build-isolation -r $(TEST_LOCK)
	@touch $@
# weir.spark on its own (pip install weir-dlp[spark] elsewhere): PySpark, pyarrow, pandas, a JRE.
spark: $(STAMPS)/spark
$(STAMPS)/spark: $(SPARK_LOCK) $(STAMPS)/venv | $(APT_SPARK_STAMP)
	$(PIP_INSTALL) --only-binary :all: --no-binary pyspark --no-build-isolation -r $(SPARK_LOCK)
	@touch $@

# The native module, release mode, installed editable into .venv; one stamp per libhs choice.
build: $(STAMPS)/build-$(HYPERSCAN)
$(STAMPS)/build-$(HYPERSCAN): $(STAMPS)/venv $(HS_BUILT) $(RUST_SOURCES) $(PY_SOURCES)
	@rm -f $(STAMPS)/build-*
	MATURIN_PEP517_ARGS=--locked $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# After a reviewed change to patterns/*.toml: weir refuses built-in rule files whose sha256 is not
# the one in patterns/MANIFEST.sha256 (see `weir rules verify`).
rules-manifest:
	cd patterns && sha256sum *.toml > MANIFEST.sha256

# peers.lock targets Python 3.11 (presidio-analyzer needs >= 3.11; .venv-peers uses python3).
# dev.lock is the whole set; build, demo and spark are its subsets, at its versions (-c).
UV_COMPILE = $(VENV)-lock/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.10
lock:
	test -x $(VENV)-lock/bin/uv || { $(PYTHON) -m venv $(VENV)-lock && $(VENV)-lock/bin/pip install --quiet uv; }
	$(UV_COMPILE) requirements/dev.in -o requirements/dev.lock
	for f in build demo spark; do $(UV_COMPILE) requirements/$$f.in -c requirements/dev.lock -o requirements/$$f.lock; done
	$(VENV)-lock/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 requirements/peers.in -o requirements/peers.lock
	for f in mcp-servers mcp-sqlite; do $(VENV)-lock/bin/uv pip compile --quiet --generate-hashes --universal --python-version 3.11 requirements/$$f.in -o requirements/$$f.lock; done

clean:
	rm -rf $(VENV) $(VENV)-peers $(VENV)-mcp-servers $(VENV)-mcp-sqlite $(VENV)-lock target python/weir/*.so

# Also the Vectorscan build (.deps/), which takes a while to redo.
distclean: clean
	rm -rf .deps
