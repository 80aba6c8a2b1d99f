"""The cost of ``weir proxy`` per MCP message: round-trip latency through it against the same
server spoken to directly.

The server is the tests' plain-Python fixture (tests/fixtures/mcp_stdio_server.py); each call is
a ``tools/call`` whose result is about 4 KB of JSON text, sent one at a time (the next request
leaves when the previous response has arrived), so a latency is one full round trip: client ->
(proxy: arguments scanned) -> server -> (proxy: result scanned) -> client. The overhead is the
proxy's p50 / p99 minus the direct ones.

    .venv/bin/python -m pytest benchmarks/test_bench_proxy.py --benchmark-only
    .venv/bin/python benchmarks/test_bench_proxy.py --calls 2000     # prints the table

``WEIR_BENCH_QUICK=1`` makes a few calls only (the CI smoke run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import quick_mode

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "fixtures" / "mcp_stdio_server.py"
WEIR = Path(sys.executable).with_name("weir")
ROWS = 42  # rows of the fixture's `report` tool: a 4.1 KB response line
CALLS = 2000
QUICK_CALLS = 30
WARMUP = 50

LATENCY: dict[str, dict[str, float]] = {}


class Client:
    """A minimal JSON-RPC client on a child's stdin/stdout, one request at a time."""

    def __init__(self, through_proxy: bool) -> None:
        server = [sys.executable, str(SERVER)]
        cmd = [str(WEIR), "proxy", "--", *server] if through_proxy else server
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0
        self.response_bytes = 0

    def call(self) -> float:
        """One tools/call round trip, in seconds."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.next_id += 1
        request = {
            "jsonrpc": "2.0",
            "id": self.next_id,
            "method": "tools/call",
            "params": {"name": "report", "arguments": {"rows": ROWS}},
        }
        line = json.dumps(request, separators=(",", ":")).encode() + b"\n"
        start = time.perf_counter()
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        response = self.proc.stdout.readline()
        elapsed = time.perf_counter() - start
        message = json.loads(response)
        if message.get("id") != self.next_id or message["result"].get("isError"):
            raise AssertionError(f"unexpected response: {response[:200]!r}")
        self.response_bytes = len(response)
        return elapsed

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50 and p99 in microseconds."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50_us": statistics.median(ordered) * 1e6, "p99_us": p99 * 1e6, "calls": len(ordered)}


def run(through_proxy: bool, calls: int, warmup: int = WARMUP) -> tuple[dict[str, float], Client]:
    client = Client(through_proxy)
    for _ in range(warmup):
        client.call()
    stats = percentiles([client.call() for _ in range(calls)])
    stats["response_bytes"] = client.response_bytes
    return stats, client


@pytest.fixture(params=["direct", "proxy"])
def client(request: pytest.FixtureRequest, weir: ModuleType) -> Iterator[tuple[str, Client]]:
    if not WEIR.exists():
        pytest.skip("the weir command is not installed in this environment")
    c = Client(request.param == "proxy")
    yield request.param, c
    c.close()


def test_proxy_round_trip(client: tuple[str, Client], benchmark: Any) -> None:
    mode, c = client
    calls = QUICK_CALLS if quick_mode() else CALLS
    for _ in range(5 if quick_mode() else WARMUP):
        c.call()
    stats = percentiles([c.call() for _ in range(calls)])
    LATENCY[mode] = stats
    benchmark.extra_info.update(stats, response_bytes=c.response_bytes)
    if "direct" in LATENCY and "proxy" in LATENCY:
        for p in ("p50_us", "p99_us"):
            benchmark.extra_info[f"overhead_{p}"] = LATENCY["proxy"][p] - LATENCY["direct"][p]
    benchmark.pedantic(c.call, rounds=min(calls, 500), iterations=1)
    assert 3500 <= c.response_bytes <= 5000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args()
    results = {}
    for mode in ("direct", "proxy"):
        stats, client = run(mode == "proxy", args.calls)
        client.close()
        results[mode] = stats
    size = int(results["direct"]["response_bytes"])
    print(f"tools/call round trip, {size} B result, {args.calls} sequential calls (after {WARMUP} warm-up)")
    print(f"  {'':8} {'p50 (us)':>10} {'p99 (us)':>10}")
    for mode, stats in results.items():
        print(f"  {mode:8} {stats['p50_us']:10.0f} {stats['p99_us']:10.0f}")
    print(
        f"  {'overhead':8} {results['proxy']['p50_us'] - results['direct']['p50_us']:10.0f} "
        f"{results['proxy']['p99_us'] - results['direct']['p99_us']:10.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
