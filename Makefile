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
LOCK := requirements/dev.lock
APT_STAMP = $(STAMPS)/apt-$(shell echo '$(APT_PACKAGES)' | sha256sum | cut -c1-12)
APT_PACKAGES := build-essential cmake libboost-dev curl ca-certificates tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation2 default-jre-headless
RUST_SOURCES := $(shell find rust -name '*.rs') Cargo.toml Cargo.lock $(wildcard patterns/*.toml) patterns/MANIFEST.sha256
# Vectorscan, built once from pinned source into .deps/ (rust/vectorscan/build.sh says why).
VECTORSCAN := .deps/vectorscan/.built-$(shell sed -n 's/^HS_VERSION=//p' rust/vectorscan/build.sh)
PY_SOURCES := $(shell find python -name '*.py' -o -name '*.pyi') pyproject.toml

.PHONY: demo test bench lint deps setup build clean distclean lock rust-test py-test bench-smoke peers rules-manifest vectorscan

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

rust-test: $(VECTORSCAN)
	cargo test --locked --release --quiet

py-test: build
	$(BIN)/python -m pytest tests -q

bench-smoke: build
	WEIR_BENCH_QUICK=1 $(BIN)/python -m pytest benchmarks -q --benchmark-disable -p no:cacheprovider

# The full run: every suite and the peers on the same corpora, then one report with plots
# (benchmarks/results/summary.md, throughput.png, scaling.png). The report and scaling code are
# smoke-tested by bench-smoke (benchmarks/test_report_smoke.py, into a temporary directory).
bench: build peers
	@mkdir -p benchmarks/results/tmp; mp=$$PPID; \
	(while kill -0 $$mp 2>/dev/null; do echo "$$(date -u +%FT%TZ) $$(cut -d' ' -f1 /proc/loadavg)"; sleep 30; done) \
		> benchmarks/results/tmp/load.log &
	WEIR_BENCH_MB=64 $(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-json=benchmarks/results/latest.json
	$(BIN)/python benchmarks/bench_cli.py --gb 1 --out benchmarks/results/cli.md --json benchmarks/results/cli.json
	$(BIN)/python benchmarks/scaling.py --out benchmarks/results/scaling.json
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

lint: build
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks
	$(BIN)/mypy
	cargo fmt --check
	cargo clippy --all-targets --features python -- -D warnings

# System packages: installed with apt-get when missing (needs root, as on a fresh Debian machine).
deps: $(APT_STAMP)
# Named after the package list, so adding a package re-runs this on machines set up before.
$(APT_STAMP):
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) and re-run"; exit 2; }
	@mkdir -p $(STAMPS) && touch $@

vectorscan: $(VECTORSCAN)
# build.sh rebuilds only when its configuration changed; the touch keeps make from asking again.
$(VECTORSCAN): rust/vectorscan/build.sh | $(APT_STAMP)
	bash rust/vectorscan/build.sh
	@touch $@

# The virtualenv, from the hashed lock file only. Wheels only, except pyspark: PyPI has no wheel
# of it, so pip builds it from its hash-checked sdist (which only packs the bundled Spark jars),
# with the venv's own setuptools (--no-build-isolation: nothing is fetched without a hash).
setup: $(STAMPS)/venv
$(STAMPS)/venv: $(LOCK) | $(APT_STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps --only-binary :all: --no-binary pyspark --no-build-isolation -r $(LOCK)
	@mkdir -p $(STAMPS) && touch $@

# The native module, release mode, installed editable into .venv.
build: $(STAMPS)/build
$(STAMPS)/build: $(STAMPS)/venv $(VECTORSCAN) $(RUST_SOURCES) $(PY_SOURCES)
	MATURIN_PEP517_ARGS=--locked $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# After a reviewed change to patterns/*.toml: weir refuses built-in rule files whose sha256 is not
# the one in patterns/MANIFEST.sha256 (see `weir rules verify`).
rules-manifest:
	cd patterns && sha256sum *.toml > MANIFEST.sha256

# peers.lock targets Python 3.11 (presidio-analyzer needs >= 3.11; .venv-peers uses python3).
lock:
	$(PYTHON) -m pip install --quiet uv && for f in dev; do $(PYTHON) -m uv pip compile requirements/$$f.in \
		--generate-hashes --universal --python-version 3.10 -o requirements/$$f.lock; done
	$(PYTHON) -m uv pip compile requirements/peers.in \
		--generate-hashes --universal --python-version 3.11 -o requirements/peers.lock

clean:
	rm -rf $(VENV) $(VENV)-peers target python/weir/*.so

# Also the Vectorscan build (.deps/), which takes a while to redo.
distclean: clean
	rm -rf .deps
