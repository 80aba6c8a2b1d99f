"""MCP overhead: what weir adds to one tool call (issue 6's numbers).

    .venv/bin/python -m pytest benchmarks/test_bench_mcp.py --benchmark-only -s

Cases, each reported as p50 and p99 in microseconds over many calls:
- ``Guard.tool_result`` on a 4 KB JSON result (structuredContent plus its text mirror, as FastMCP
  sends it) with a few emails and phone numbers, and on the same result with nothing to find;
- the same with NER on (spaCy over the prose fields), when the model is installed;
- a FastMCP in-memory round trip with and without ``DLPMiddleware``: the difference is the
  middleware's cost as a server sees it (the framework's own cost is the baseline).
Targets (issue 6): p50 <= 100 us, p99 <= 1 ms for the 4 KB result without NER/OCR.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from conftest import quick_mode

pytest.importorskip("fastmcp")

from weir.mcp import Guard

CALLS = 50 if quick_mode() else 3000
ROUND_TRIPS = 20 if quick_mode() else 1000

NOTES = [
    "Customer asked about the renewal date and wants a call back next week.",
    "Left a voicemail; follow up by email about the invoice discrepancy.",
    "Prefers contact in the afternoon. Escalated to the billing team on Monday.",
]


def crm_records(n: int, with_pii: bool) -> dict[str, Any]:
    records = []
    for i in range(n):
        records.append(
            {
                "id": f"C-{100200 + i}",
                "account": f"Account {i:03d}",
                "status": "active" if i % 3 else "trial",
                "email": f"user{i}@example.com" if with_pii and i % 4 == 0 else f"user{i} at example",
                "phone": "+1 415-555-0133" if with_pii and i % 5 == 0 else "n/a",
                "note": NOTES[i % len(NOTES)],
                "updated": f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            }
        )
    return {"records": records, "total": n}


def four_kb_result(with_pii: bool) -> dict[str, Any]:
    """A CallToolResult of about 4 KB: structuredContent and its JSON text mirror."""
    n = 1
    while True:
        structured = crm_records(n, with_pii)
        text = json.dumps(structured, separators=(",", ":"))
        if len(text) * 2 >= 4096:
            break
        n += 1
    return {"content": [{"type": "text", "text": text}], "structuredContent": structured}


def latencies(fn: Callable[[], Any], calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - start) / 1000)
    return out


def summarise(benchmark: Any, case: str, samples: list[float], **extra: Any) -> None:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    benchmark.extra_info.update(
        {"case": case, "calls": len(samples), "p50_us": round(p50, 1), "p99_us": round(p99, 1)}
    )
    benchmark.extra_info.update(extra)
    print(f"\n{case}: p50 {p50:.1f} us, p99 {p99:.1f} us over {len(samples)} calls")


def run_case(benchmark: Any, case: str, fn: Callable[[], Any], calls: int, **extra: Any) -> None:
    fn()  # warm: compiled scanner, caches
    collected: list[list[float]] = []
    benchmark.pedantic(lambda: collected.append(latencies(fn, calls)), rounds=1, iterations=1)
    summarise(benchmark, case, collected[0], **extra)


@pytest.mark.benchmark(group="mcp")
@pytest.mark.parametrize("with_pii", [True, False], ids=["pii", "clean"])
def test_guard_tool_result_4kb(benchmark: Any, with_pii: bool) -> None:
    guard = Guard("default", audit=False)
    result = four_kb_result(with_pii)
    size = len(json.dumps(result))
    out = guard.tool_result("crm_search", result)
    assert (out is result) is (not with_pii)
    run_case(
        benchmark,
        f"Guard.tool_result 4KB ({'with PII' if with_pii else 'clean'})",
        lambda: guard.tool_result("crm_search", result),
        CALLS,
        bytes=size,
    )


@pytest.mark.benchmark(group="mcp")
def test_guard_tool_result_4kb_with_ner(benchmark: Any) -> None:
    from weir import ner

    if not ner.available():
        pytest.skip("spaCy model not installed")
    from weir import Policy

    guard = Guard(Policy.from_dict({"mcp": {"ner": True}}), audit=False)
    result = four_kb_result(True)
    run_case(
        benchmark,
        "Guard.tool_result 4KB with NER",
        lambda: guard.tool_result("crm_search", result),
        max(5, CALLS // 20),
    )


@pytest.mark.benchmark(group="mcp")
def test_fastmcp_round_trip_overhead(benchmark: Any) -> None:
    from fastmcp import Client, FastMCP

    from weir.mcp import DLPMiddleware

    payload = four_kb_result(True)["structuredContent"]

    def server(protected: bool) -> FastMCP:
        s = FastMCP("bench")
        if protected:
            s.add_middleware(DLPMiddleware("default", audit=False))

        @s.tool
        def crm_search(q: str) -> dict[str, Any]:
            """Search the CRM."""
            return payload

        return s

    async def timed(s: FastMCP) -> list[float]:
        out = []
        async with Client(s) as c:
            await c.call_tool("crm_search", {"q": "renewal"})
            for _ in range(ROUND_TRIPS):
                start = time.perf_counter_ns()
                await c.call_tool("crm_search", {"q": "renewal"})
                out.append((time.perf_counter_ns() - start) / 1000)
        return out

    results: dict[str, list[float]] = {}

    def both() -> None:
        results["bare"] = asyncio.run(timed(server(False)))
        results["weir"] = asyncio.run(timed(server(True)))

    benchmark.pedantic(both, rounds=1, iterations=1)
    bare, guarded = sorted(results["bare"]), sorted(results["weir"])
    p50 = statistics.median(guarded) - statistics.median(bare)
    p99 = guarded[int(len(guarded) * 0.99) - 1] - bare[int(len(bare) * 0.99) - 1]
    summarise(
        benchmark,
        "FastMCP call_tool round trip, with DLPMiddleware",
        guarded,
        bare_p50_us=round(statistics.median(bare), 1),
        overhead_p50_us=round(p50, 1),
        overhead_p99_us=round(p99, 1),
    )
    print(
        f"  without middleware p50 {statistics.median(bare):.1f} us; overhead p50 {p50:.1f} us, p99 {p99:.1f} us"
    )
