"""Per-call latency on a ~4 KB MCP tool result: weir, Presidio and pii-mcp, each in its own venv.

    .venv/bin/python benchmarks/peers/bench_json_calls.py --out benchmarks/results/json_calls.md

The payload is ``test_bench_mcp.four_kb_result(True)``: a CallToolResult whose
``structuredContent`` holds CRM records with names, emails, phones and cards, and whose
``content[0].text`` mirrors it as JSON text. It is written to a temporary file and every case runs
in a fresh subprocess (weir under ``.venv``, the peers under ``.venv-peers``), which warms up, then
times ``--calls`` calls one by one with ``perf_counter_ns``. Each case runs ``--rounds`` times;
the table gives the range of p50 and p99 over the rounds (the machine is shared and noisy).

Cases:

- weir ``Guard("default", audit=False).tool_result("crm_search", result)``: the MCP middleware's
  outbound check (scan, policy, redacted copy); patterns only, no NER (the default policy).
- weir ``weir.redact(result)``: the payload walker and redaction, patterns only; and
  ``weir.redact(result, ner=True)`` with spaCy over the string leaves (batched).
- Presidio ``AnalyzerEngine.analyze(leaf, context=[key])`` on every string leaf of the result, the
  way ``BatchAnalyzerEngine.analyze_dict`` treats a dict's string values (detection only: it
  returns spans, it does not produce a redacted copy); and once over ``json.dumps(result)``.
  Presidio always runs spaCy (``presidio_runner.py``'s configuration, offline).
- pii-mcp ``scrub_payload(result)`` (Rust backend): walks the payload, returns a masked copy and
  counts; patterns only (``piimcp_runner.py --payload``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WEIR_PYTHON = ROOT / ".venv" / "bin" / "python"
PEERS_PYTHON = ROOT / ".venv-peers" / "bin" / "python"

# name -> (interpreter, NER?, description, calls divisor)
CASES: dict[str, tuple[Path, str, str, int]] = {
    "weir-guard": (WEIR_PYTHON, "no", '`Guard("default", audit=False).tool_result`', 1),
    "weir-redact": (WEIR_PYTHON, "no", "`weir.redact(result)`", 1),
    "weir-redact-ner": (WEIR_PYTHON, "yes", "`weir.redact(result, ner=True)`", 20),
    "piimcp": (PEERS_PYTHON, "no", "pii-mcp `scrub_payload(result)`", 1),
    "presidio-leaves": (PEERS_PYTHON, "yes", "Presidio `analyze` per string leaf", 100),
    "presidio-text": (PEERS_PYTHON, "yes", "Presidio `analyze(json.dumps(result))`", 100),
}


def _time_calls(fn: Any, calls: int) -> list[float]:
    for _ in range(min(20, calls)):
        fn()
    out = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t) / 1000)
    return out


def _leaves(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, str(k))]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v, key)]
    return []


def worker(case: str, payload: Any, calls: int) -> dict[str, Any]:
    """Runs in the case's own interpreter; imports only what that case needs."""
    if case.startswith("weir"):
        import weir

        versions = {"weir": weir.__version__}
        if case == "weir-guard":
            from weir.mcp import Guard

            guard = Guard("default", audit=False)
            fn = lambda: guard.tool_result("crm_search", payload)  # noqa: E731
        elif case == "weir-redact":
            fn = lambda: weir.redact(payload)  # noqa: E731
        else:
            fn = lambda: weir.redact(payload, ner=True)  # noqa: E731
    elif case.startswith("presidio"):
        sys.path.insert(0, str(HERE))
        from importlib import metadata

        import presidio_runner

        presidio_runner._offline()
        analyzer = presidio_runner._engine()
        versions = {
            "presidio-analyzer": metadata.version("presidio-analyzer"),
            "spacy": metadata.version("spacy"),
        }
        if case == "presidio-leaves":
            leaves = _leaves(payload)

            def fn() -> Any:
                return [analyzer.analyze(text, language="en", context=[k]) for k, text in leaves]
        else:
            text = json.dumps(payload)
            fn = lambda: analyzer.analyze(text, language="en")  # noqa: E731
    else:
        raise SystemExit(f"unknown case {case!r}")
    return {"versions": versions, "us": _time_calls(fn, calls)}


def run_case(case: str, payload_path: Path, calls: int, timeout: float) -> dict[str, Any]:
    python = CASES[case][0]
    if case == "piimcp":
        cmd = [
            str(python),
            str(HERE / "piimcp_runner.py"),
            "--payload",
            str(payload_path),
            "--calls",
            str(calls),
        ]
    else:
        cmd = [str(python), __file__, "--worker", case, "--payload", str(payload_path), "--calls", str(calls)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{case}: exit {done.returncode}: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def pct(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def rng(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    fmt = (lambda v: f"{v:,.0f}") if hi >= 100 else (lambda v: f"{v:.1f}")
    return fmt(lo) if fmt(lo) == fmt(hi) else f"{fmt(lo)} to {fmt(hi)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000, help="calls per round (NER cases run fewer)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results/json_calls.md")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--payload", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        payload = json.loads(Path(args.payload).read_text(encoding="utf-8"))
        print(json.dumps(worker(args.worker, payload, args.calls)))
        return 0

    sys.path.insert(0, str(HERE.parent))
    from test_bench_mcp import four_kb_result

    payload = four_kb_result(True)
    size = len(json.dumps(payload).encode("utf-8"))
    n_leaves = len(_leaves(payload))
    load = os.getloadavg()
    rows = []
    versions: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "payload.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        for case, (python, ner, desc, div) in CASES.items():
            calls = max(10, args.calls // div)
            if not python.exists():
                rows.append(f"| {desc} | {ner} | - | cannot run: {python} missing | | |")
                continue
            p50s, p99s = [], []
            try:
                for _ in range(args.rounds):
                    res = run_case(case, path, calls, args.timeout)
                    versions.update({k: v for k, v in res["versions"].items() if k != "backend"})
                    p50, p99 = pct(res["us"])
                    p50s.append(p50)
                    p99s.append(p99)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                rows.append(f"| {desc} | {ner} | {calls} | cannot run: {exc} | | |")
                continue
            cps = [1e6 / p for p in p50s]
            rows.append(
                f"| {desc} | {ner} | {calls} x {args.rounds} | {rng(p50s)} | {rng(p99s)} | {rng(cps)} |"
            )
            print(rows[-1], flush=True)

    lines = [
        "# Per-call latency on a 4 KB MCP tool result: weir, Presidio, pii-mcp",
        "",
        f"Payload: `test_bench_mcp.four_kb_result(True)`, {size} bytes as JSON, {n_leaves} string "
        "leaves (CRM records with names, emails, phones, cards; `structuredContent` plus its JSON "
        "text mirror in `content[0].text`). Each case runs in its own process and venv, warms up, "
        "and times calls one at a time; ranges are over the rounds.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".",
        "",
        "| Call | NER | Calls | p50 µs | p99 µs | calls/s (from p50) |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        "",
        "Presidio per leaf means `AnalyzerEngine.analyze(leaf, context=[key])` for each string leaf "
        "(what `BatchAnalyzerEngine.analyze_dict` does with string values), detection only; "
        "Presidio over the JSON text is one `analyze(json.dumps(result))`. weir's Guard and "
        "`redact` and pii-mcp's `scrub_payload` return a redacted copy of the same shape.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"load average (1 min) {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
    ]
    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
