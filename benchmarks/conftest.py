"""Shared fixtures for weir's benchmark suite.

Every case measures the same bytes: one mixed corpus (logs, MCP tool results, prose) generated
once per session from a fixed seed, so numbers from different cases and different runs compare.

Size, from the environment:
- ``WEIR_BENCH_QUICK=1``: 256 KB, for CI smoke runs (with ``--benchmark-disable``);
- ``WEIR_BENCH_MB``: megabytes (10^6 bytes) otherwise, default 8;
- ``WEIR_BENCH_RE_MB``: the slice the Python ``re`` baseline scans, default 1 (it is slow).

Cases record MB/s in ``benchmark.extra_info`` and in a session table printed at the end, so
the ratios between weir and its baselines come out of one run on one machine.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import DEFAULT_SEED, Corpus, make_corpus

SEED = DEFAULT_SEED
QUICK_BYTES = 256 * 1024
DEFAULT_MB = 8.0
DEFAULT_RE_MB = 1.0

# Throughput per case in MB/s, filled by the cases and printed by pytest_terminal_summary.
THROUGHPUT: dict[str, float] = {}


def quick_mode() -> bool:
    """True for the CI smoke run: small corpus, few rounds."""
    return os.environ.get("WEIR_BENCH_QUICK", "") not in ("", "0")


def _env_mb(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise pytest.UsageError(f"{name}={raw!r}: expected a number of megabytes, e.g. 8") from None
    if value <= 0:
        raise pytest.UsageError(f"{name}={raw!r}: must be positive")
    return value


def corpus_size() -> int:
    """Corpus size in characters (the text is ASCII but for a few names, so about bytes)."""
    if quick_mode():
        return QUICK_BYTES
    return int(_env_mb("WEIR_BENCH_MB", DEFAULT_MB) * 1_000_000)


def re_slice_size() -> int:
    """How much of the corpus the Python ``re`` baseline scans."""
    return int(_env_mb("WEIR_BENCH_RE_MB", DEFAULT_RE_MB) * 1_000_000)


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The mixed corpus and its tally of planted values, made once per session."""
    return make_corpus(corpus_size(), SEED, "mixed")


@pytest.fixture(scope="session")
def corpus_text(corpus: Corpus) -> str:
    return corpus.text


@pytest.fixture(scope="session")
def corpus_bytes(corpus_text: str) -> bytes:
    return corpus_text.encode("utf-8")


@pytest.fixture(scope="session")
def weir() -> ModuleType:
    """The weir package; the engine cases skip (they do not fail) where it is not built."""
    module: ModuleType = pytest.importorskip("weir", reason="weir is not built: run `make build` first")
    return module


@pytest.fixture(scope="session")
def scanner(weir: ModuleType) -> Any:
    """One compiled Scanner for the whole session: compile cost is measured on its own."""
    return weir.Scanner()


@pytest.fixture(scope="session")
def throughput() -> dict[str, float]:
    """The session's MB/s table: baselines write it first, the scanner case reads ratios."""
    return THROUGHPUT


@pytest.fixture(scope="session")
def rounds() -> Callable[[int], int]:
    """Rounds for the slow cases: as asked in a full run, one in quick mode."""
    return lambda full: 1 if quick_mode() else full


@pytest.fixture(scope="session")
def re_slice() -> int:
    return re_slice_size()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the session's MB/s table and each case's speed relative to the scanner."""
    if not THROUGHPUT:
        return
    size_mb = corpus_size() / 1_000_000
    terminalreporter.section(f"weir throughput ({size_mb:g} MB mixed corpus, seed {SEED})")
    reference = THROUGHPUT.get("scanner.scan")
    for name, mbps in sorted(THROUGHPUT.items(), key=lambda kv: -kv[1]):
        ratio = f"  {mbps / reference:10.3g}x scanner.scan" if reference else ""
        terminalreporter.write_line(f"  {name:<28} {mbps:12.1f} MB/s{ratio}")
