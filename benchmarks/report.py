"""One report from the outputs of ``make bench``: a Markdown headline table and two plots.

    python benchmarks/report.py                       # reads and writes benchmarks/results/
    python benchmarks/report.py --results-dir R --out-dir OUT --command "make bench"

Reads whichever of these exist in ``--results-dir`` (a quick run or a run without peers leaves
some out; what is missing is left out of the report and listed at its foot):

- ``latest.json``: pytest-benchmark's JSON from the suites in ``benchmarks/`` (engine, MCP,
  proxy). Each case's name and numbers (MB/s, µs per call, p50/p99) are in ``extra_info``.
- ``cli.json``: ``bench_cli.py --json``: the CLI, the read pass and the peers on the same files.
- ``scaling.json``: ``scaling.py``: ``weir scan`` over input sizes and thread counts.
- ``ner_eval.md``: ``eval_ner.py``'s throughput table (weir and Presidio on the same records).
- ``rule_scaling.json``: ``rule_scaling.py --json``: throughput against the number of rules.

Writes to ``--out-dir``: ``summary.md`` (the headline table, with the date, machine, commit and
command at the top; every speed with its ratio to a same-run baseline), ``throughput.png``
(MB/s per case per tool, log scale) and ``scaling.png`` (``weir scan`` MB/s against input size
and against threads). Plots need matplotlib (in requirements/dev.lock); the Agg backend is used.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cli import platform_line

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1_000_000
NA = "n/a (cannot run this case)"


@dataclass
class Row:
    """One line of the headline table."""

    case: str
    tool: str
    kind: str  # "baseline", "weir", "peer" or "na"
    mb_per_s: float | None = None
    text: str = ""  # the result as shown, when it is not a plain MB/s
    vs_baseline: str = ""  # this tool's speed over the case's same-run baseline
    weir_vs: str = ""  # weir's speed over this tool's, same case and run
    notes: list[str] = field(default_factory=list)

    def result(self) -> str:
        if self.text:
            return self.text
        return fmt_mbps(self.mb_per_s) if self.mb_per_s is not None else ""


def fmt_mbps(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f} MB/s"
    if v >= 1:
        return f"{v:.1f} MB/s"
    return f"{v:.3g} MB/s"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return ""
    r = a / b
    if r >= 10:
        return f"{r:,.0f}x"
    if r >= 1:
        return f"{r:.2f}x"
    return f"{r:.{max(2, 1 - math.floor(math.log10(r)))}f}x"  # two significant digits, no exponent


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- inputs -------------------------------------------------------------------------------


def engine_rows(bench: dict[str, Any]) -> list[Row]:
    """The pytest-benchmark cases, keyed by ``extra_info`` (case names, MB/s, µs, p50/p99)."""
    by_case: dict[str, dict[str, Any]] = {}
    for b in bench.get("benchmarks", []):
        info = dict(b.get("extra_info") or {})
        info["_median"] = (b.get("stats") or {}).get("median")
        info["_name"] = b.get("name", "")
        by_case[info.get("case") or info["_name"]] = info
    rows: list[Row] = []

    # Throughput on the mixed corpus: read passes, raw engine, Python re, Scanner.scan.
    scan = by_case.get("scanner.scan")
    crc = by_case.get("read_only.crc32")
    base = crc.get("mb_per_s") if crc else None
    size = next((i.get("bytes") for i in (scan, crc) if i and i.get("bytes")), None)
    case = f"engine, {size / MB:.0f} MB mixed corpus, 1 thread" if size else "engine, mixed corpus, 1 thread"
    weir_mbps = scan.get("mb_per_s") if scan else None
    labels = [
        ("read_only.crc32", "read pass (`zlib.crc32`)", "baseline"),
        ("read_only.count_newlines", "read pass (`bytes.count`)", "baseline"),
        ("scanner.scan", "weir `Scanner.scan()`", "weir"),
        ("engine.scan_raw", "weir raw Vectorscan pass only", "weir"),
        ("python_re.finditer", "Python `re`, one `finditer` per rule", "peer"),
    ]
    for key, tool, kind in labels:
        info = by_case.get(key)
        if not info or info.get("mb_per_s") is None:
            continue
        mbps = float(info["mb_per_s"])
        rows.append(
            Row(
                case,
                tool,
                kind,
                mbps,
                vs_baseline=ratio(mbps, base),
                weir_vs=ratio(weir_mbps, mbps) if kind == "peer" else "",
            )
        )
    if rows:
        rows.append(
            Row(case, "ripgrep, detect-secrets", "na", text=NA + ": command-line tools, no in-process API")
        )

    small = by_case.get("weir.scan(1KB str)")
    if small and small.get("us_per_call") is not None:
        rows.append(
            Row("`weir.scan()` on a 1 KB `str`", "weir", "weir", text=f"{small['us_per_call']:.1f} µs/call")
        )
    built = by_case.get("weir.Scanner()")
    if built and built.get("seconds") is not None:
        rows.append(
            Row("`weir.Scanner()`, database cache warm", "weir", "weir", text=f"{built['seconds']:.3f} s")
        )

    # MCP: the guard alone, and a FastMCP round trip with and without the middleware.
    for name, info in by_case.items():
        if name.startswith("Guard.tool_result") and info.get("p50_us") is not None:
            rows.append(Row(f"MCP `{name}`", "weir", "weir", text=p50_p99(info)))
    rt = next((i for n, i in by_case.items() if n.startswith("FastMCP call_tool round trip")), None)
    if rt and rt.get("p50_us") is not None:
        case = "MCP: FastMCP in-memory `call_tool`, 4 KB result"
        bare = rt.get("bare_p50_us")
        if bare is not None:
            rows.append(
                Row(case, "FastMCP without middleware (baseline)", "baseline", text=f"p50 {bare:,.0f} µs")
            )
        rows.append(
            Row(
                case,
                "with weir `DLPMiddleware`",
                "weir",
                text=p50_p99(rt)
                + (f" (+{rt['overhead_p50_us']:,.0f} µs p50)" if "overhead_p50_us" in rt else ""),
                vs_baseline=ratio(rt["p50_us"], bare) + " the time" if bare else "",
            )
        )
    direct = by_case.get("test_proxy_round_trip[direct]")
    proxied = by_case.get("test_proxy_round_trip[proxy]")
    if direct or proxied:
        case = "MCP stdio `tools/call` round trip, 4 KB result"
        if direct:
            rows.append(Row(case, "server spoken to directly (baseline)", "baseline", text=p50_p99(direct)))
        if proxied:
            vs = ratio(proxied["p50_us"], direct["p50_us"]) + " the time" if direct else ""
            rows.append(Row(case, "through `weir proxy`", "weir", text=p50_p99(proxied), vs_baseline=vs))
    mcp_cases = {r.case for r in rows if r.case.startswith("MCP")}
    if mcp_cases:
        rows.append(
            Row(
                "MCP (all cases above)",
                "ripgrep, detect-secrets, Presidio",
                "na",
                text=NA + ": not MCP middleware",
            )
        )
    return rows


def p50_p99(info: dict[str, Any]) -> str:
    return f"p50 {info['p50_us']:,.0f} µs, p99 {info['p99_us']:,.0f} µs"


def cli_rows(doc: dict[str, Any]) -> list[Row]:
    """``bench_cli.py --json``: per file, ratios to its read pass and weir over each peer."""
    rows: list[Row] = []
    cases: dict[str, list[dict[str, Any]]] = {}
    for r in doc.get("rows", []):
        cases.setdefault(r["case"], []).append(r)
    for case, items in cases.items():
        base = next((r["mb_per_s"] for r in items if r["kind"] == "baseline"), None)
        weir_default = next(
            (r["mb_per_s"] for r in items if r["kind"] == "weir" and "--categories" not in r["tool"]), None
        )
        for r in items:
            rss = f", peak RSS {r['peak_rss_bytes'] / MB:.0f} MB" if r.get("peak_rss_bytes") else ""
            rows.append(
                Row(
                    case,
                    f"`{r['tool']}`" if r["kind"] != "baseline" else r["tool"],
                    r["kind"],
                    float(r["mb_per_s"]),
                    text=fmt_mbps(float(r["mb_per_s"])) + rss,
                    vs_baseline=ratio(r["mb_per_s"], base),
                    weir_vs=ratio(weir_default, r["mb_per_s"]) if r["kind"] == "peer" else "",
                )
            )
        if "slice" in case and not any(r["kind"] == "peer" for r in items):
            rows.append(
                Row(case, "ripgrep, detect-secrets", "na", text="not installed in this run (`make peers`)")
            )
    return rows


def ner_rows(text: str) -> list[Row]:
    """``eval_ner.py``'s throughput tables (Markdown): weir's and each peer's MB/s per corpus and mode.

    Patterns + NER: weir against Presidio; patterns only: ``weir.redact`` against pii-mcp (the
    ratio is weir's first column, as in eval_ner's own table).
    """
    rows: list[Row] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None if not line.strip() else header
            continue
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        col = {name: i for i, name in enumerate(header)}
        if "corpus" not in col:
            continue
        if "weir mb/s" in col:  # patterns + NER: weir against Presidio
            case = f"NER: patterns + spaCy, {cells[col['corpus']]} set, {cells[col.get('mode', 1)]}"
            ours = {"weir mb/s": "weir `scan(ner=True)`"}
        elif "weir redact mb/s" in col:  # patterns only, per record: weir against pii-mcp
            case = f"patterns only (no NER), {cells[col['corpus']]} set, per record"
            ours = {
                "weir redact mb/s": "weir `redact(ner=False)`",
                "weir scan mb/s": "weir `scan(ner=False)`",
            }
        else:
            continue
        try:
            speeds = {name: float(cells[col[name]]) for name in ours if name in col}
        except (ValueError, IndexError):
            continue
        weir_mbps = next(iter(speeds.values()))
        rows += [Row(case, ours[name], "weir", v) for name, v in speeds.items()]
        peers = [n[: -len(" mb/s")] for n in header if n.endswith(" mb/s") and not n.startswith("weir")]
        for peer in peers or ["presidio"]:
            tool = "Presidio `AnalyzerEngine`" if peer == "presidio" else peer
            try:
                mbps = float(cells[col[f"{peer} mb/s"]])
            except (KeyError, ValueError, IndexError):
                mbps = 0.0
            if mbps > 0:
                rows.append(Row(case, tool, "peer", mbps, weir_vs=ratio(weir_mbps, mbps)))
            else:
                rows.append(Row(case, tool, "na", text="not run in this run (`make peers`), or n/a"))
    return rows


def ocr_rows(text: str) -> list[Row]:
    """``eval_ocr.py``'s overall line: images per second and recall (no peer reads images)."""
    m = re.search(
        r"\*\*Overall: (\d+)/(\d+) = ([\d.]+)%\*\* found; (\d+) false positives; ([\d.]+) images/s", text
    )
    if m is None:
        return []
    found, planted, pct, fps, rate = m.groups()
    case = "images with OCR (rendered 12-24 pt, `weir.scan(png)`)"
    return [
        Row(
            case,
            "weir",
            "weir",
            text=f"{rate} images/s; {found}/{planted} = {pct}% found, {fps} false positives",
        ),
        Row(case, "Presidio, pii-mcp, detect-secrets, ripgrep", "na", text="n/a (cannot run this case)"),
    ]


def _low(cell: str) -> float | None:
    """The lowest of a 'low to high' range cell ('163 to 244', '1,097'), or None."""
    m = re.match(r"\s*([\d,]+(?:\.\d+)?)", cell)
    return float(m.group(1).replace(",", "")) if m else None


def json_call_rows(text: str) -> list[Row]:
    """``bench_json_calls.py``'s table: per-call latency on a 4 KB tool result, weir and peers.

    Each peer is compared with weir doing the same kind of work, best round's p50 against best
    round's p50: without NER, weir's MCP ``Guard`` (the path MCP middleware takes); with NER,
    ``weir.redact(ner=True)``. A ratio above 1 means weir is that many times faster.
    """
    case = "JSON tool result, 4 KB, one call at a time"
    rows: list[Row] = []
    weir_p50: dict[bool, float] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 6 or cells[0].lower() == "call":
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        tool, ner, p50_cell, p99_cell, cps_cell = cells[0], cells[1] == "yes", cells[3], cells[4], cells[5]
        p50 = _low(p50_cell)
        if p50 is None:
            rows.append(Row(case, tool, "na", text=p50_cell or "cannot run"))
            continue
        label = tool + (" (with NER)" if ner else "")
        shown = f"p50 {p50_cell} µs, p99 {p99_cell} µs ({cps_cell} calls/s)"
        if tool.startswith("`Guard") or tool.startswith("`weir"):
            weir_p50.setdefault(ner, p50)  # the first weir row of each kind is the reference
            rows.append(Row(case, label if tool.startswith("`weir") else f"weir {label}", "weir", text=shown))
        else:
            rows.append(Row(case, label, "peer", text=shown, weir_vs=ratio(p50, weir_p50.get(ner))))
    return rows


def scaling_rows(doc: dict[str, Any]) -> list[Row]:
    """The largest size only: the rest are in the scaling table and plot."""
    rows = []
    for r in sorted(doc.get("by_size", []), key=lambda r: r["bytes"])[-1:]:
        case = f"`weir scan` scaling, {r['bytes'] / MB:,.0f} MB log"
        rows.append(
            Row(case, "read pass (`cat`)", "baseline", float(r["read_mb_per_s"]), vs_baseline="1.00x")
        )
        rows.append(
            Row(
                case,
                f"`weir scan -j {r.get('threads', '')}`",
                "weir",
                float(r["mb_per_s"]),
                vs_baseline=ratio(r["mb_per_s"], r["read_mb_per_s"]),
            )
        )
    return rows


# --- the header ---------------------------------------------------------------------------


def cpu_model() -> str:
    model = platform_line()
    return model if model != "unknown CPU" else platform.processor() or platform.machine() or model


def memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return ""


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def commit(bench: dict[str, Any] | None) -> str:
    """From pytest-benchmark's commit_info, else read from .git without running git."""
    info = (bench or {}).get("commit_info") or {}
    if info.get("id"):
        return f"{info['id'][:12]}" + (" (with uncommitted changes)" if info.get("dirty") else "")
    git = ROOT / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head[5:]
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


# --- output -------------------------------------------------------------------------------


def table(rows: list[Row]) -> list[str]:
    out = [
        "| case | tool | throughput / latency | ratio to the same-run baseline | weir ÷ this tool |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    last = None
    for r in rows:
        case = r.case if r.case != last else ""
        last = r.case
        tool = f"**{r.tool}**" if r.kind == "weir" else r.tool
        result = r.result()
        if r.kind == "weir" and result and not result.startswith("n/a"):
            result = f"**{result}**"
        out.append(f"| {case} | {tool} | {result} | {r.vs_baseline} | {r.weir_vs} |")
    return out


def scaling_table(doc: dict[str, Any]) -> list[str]:
    """``weir scan`` over sizes and threads, as plotted in scaling.png."""
    lines = ["", f"`weir scan` scaling (`{doc.get('command', 'scaling.py')}`; plot: `scaling.png`):", ""]
    by_size, by_threads = doc.get("by_size") or [], doc.get("by_threads") or []
    if by_size:
        lines += [
            "| input | `weir scan` (all cores) | read pass (`cat`) | ratio to read pass |",
            "| ---: | ---: | ---: | ---: |",
        ]
        for r in sorted(by_size, key=lambda r: r["bytes"]):
            lines.append(
                f"| {r['bytes'] / MB:,.0f} MB | {fmt_mbps(r['mb_per_s'])} | {fmt_mbps(r['read_mb_per_s'])} "
                f"| {ratio(r['mb_per_s'], r['read_mb_per_s'])} |"
            )
    if by_threads:
        one = by_threads[0]["mb_per_s"]
        lines += [
            "",
            f"| threads, {by_threads[0]['bytes'] / MB:,.0f} MB input | `weir scan -j N` | ratio to `-j 1` |",
        ]
        lines += ["| ---: | ---: | ---: |"]
        for r in by_threads:
            lines.append(f"| {r['threads']} | {fmt_mbps(r['mb_per_s'])} | {ratio(r['mb_per_s'], one)} |")
    return lines


def rule_scaling_table(doc: dict[str, Any]) -> list[str]:
    """Throughput against the rule count (``rule_scaling.py --json``), as in rule_scaling.png."""
    rows = doc.get("rows") or []
    if not rows:
        return []
    lines = [
        "",
        f"Cost against the rule count (`{doc.get('command', 'rule_scaling.py')}`; plot: `rule_scaling.png`):",
        "",
        "| rule set | rules | shape rules | match-end pass | `Engine.scan` | scan ÷ crc32 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['rules']:.0f} | {r['shape']:.0f} | {fmt_mbps(r['raw'])} | {fmt_mbps(r['scan'])} "
            f"| {ratio(r['scan'], r['crc'])} |"
        )
    full = next((r for r in rows if r["rules"] == doc.get("builtin")), None)
    double = next((r for r in rows if full and r["rules"] == 2 * full["rules"]), None)
    if full and double:
        cost = (1 - double["scan"] / full["scan"]) * 100
        verdict = "met" if cost <= 15 else "missed"
        lines += [
            "",
            f"Doubling the rule set ({full['rules']:.0f} -> {double['rules']:.0f}) costs {cost:.0f}% of "
            f"`Engine.scan`'s throughput (target at most 15%: {verdict}).",
        ]
    return lines


def write_summary(out: Path, rows: list[Row], header: list[str], notes: list[str], extra: list[str]) -> None:
    lines = ["# weir benchmarks: headline", "", *header, ""]
    if rows:
        lines += table(rows)
    else:
        lines.append("No benchmark results were found.")
    lines += [
        "",
        "Ratio to the same-run baseline: for a throughput, the tool's MB/s over the read pass of the "
        "same bytes in the same run (so 0.05x is 5% of read speed); for a latency, the time over the "
        "baseline's (higher is slower). weir ÷ this tool: weir's MB/s over the peer's on the same input.",
        *extra,
    ]
    if notes:
        lines += ["", *[f"- {n}" for n in notes]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def plot_throughput(rows: list[Row], out: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = [r for r in rows if r.mb_per_s and r.kind in ("baseline", "weir", "peer")]
    if not data:
        return False
    colours = {"baseline": "#9e9e9e", "weir": "#1f77b4", "peer": "#ff7f0e"}
    labels, values, colour, ticks = [], [], [], []
    y = 0.0
    last = None
    positions = []
    for r in data:
        if r.case != last:
            if last is not None:
                y += 0.8
            ticks.append((y, r.case))
            last = r.case
        labels.append(re.sub(r"[`*]", "", r.tool))
        values.append(r.mb_per_s)
        colour.append(colours[r.kind])
        positions.append(y)
        y += 1
    fig, ax = plt.subplots(figsize=(11, 0.32 * len(data) + 0.55 * len(ticks) + 1.2))
    ax.barh(positions, values, color=colour, height=0.8)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("MB/s (log scale)")
    for p, v in zip(positions, values, strict=True):
        ax.text(v * 1.05, p, f"{v:,.0f}" if v >= 100 else f"{v:.3g}", va="center", fontsize=7)
    for p, case in ticks:
        ax.annotate(
            re.sub(r"[`*]", "", case),
            xy=(0.005, p - 0.55),
            xycoords=("axes fraction", "data"),
            fontsize=8,
            fontweight="bold",
            va="bottom",
        )
    ax.set_ylim(max(positions) + 0.6, -1.2)
    ax.set_xlim(right=max(values) * 4)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(
        handles,
        ["same-run baseline", "weir", "peer"],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.5 / fig.get_figheight()),
        ncol=3,
        fontsize=8,
    )
    ax.set_title("Throughput per case and tool (same run)")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def plot_scaling(doc: dict[str, Any], out: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_size, by_threads = doc.get("by_size") or [], doc.get("by_threads") or []
    if not by_size and not by_threads:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    if by_size:
        xs = [r["bytes"] / MB for r in by_size]
        left.plot(xs, [r["mb_per_s"] for r in by_size], "o-", label="weir scan (all cores)", color="#1f77b4")
        for x, r in zip(xs, by_size, strict=True):
            left.annotate(
                f"{r['mb_per_s']:.3g}",
                (x, r["mb_per_s"]),
                textcoords="offset points",
                xytext=(4, 6),
                fontsize=8,
            )
        left.set_xscale("log")
        left.set_xticks(xs, [f"{x:,.0f}" for x in xs])
        left.minorticks_off()
        left.set_ylim(bottom=0, top=max(r["mb_per_s"] for r in by_size) * 1.3)
        left.set_xlabel("input size, MB (log scale)")
        left.set_ylabel("MB/s")
        left.set_title("weir scan vs input size (includes start-up)")
        left.grid(alpha=0.3, which="both")
        left.legend(fontsize=8)
    if by_threads:
        ts = [r["threads"] for r in by_threads]
        speeds = [r["mb_per_s"] for r in by_threads]
        right.plot(ts, speeds, "o-", color="#1f77b4", label="weir scan -j N")
        right.plot(ts, [speeds[0] * t for t in ts], "--", color="#9e9e9e", label="linear from -j 1")
        right.set_xticks(ts)
        right.set_ylim(bottom=0, top=max(speeds[0] * max(ts), max(speeds)) * 1.15)
        right.set_xlabel(f"threads (-j), {by_threads[0]['bytes'] / MB:,.0f} MB input")
        right.set_ylabel("MB/s")
        right.set_title("weir scan vs threads")
        right.grid(alpha=0.3)
        right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def load_range(path: Path) -> tuple[float, float] | None:
    """Lowest and highest load average in a '<time> <load>' log; None when it has no samples."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    loads = []
    for line in lines:
        parts = line.split()
        try:
            loads.append(float(parts[1]))
        except (IndexError, ValueError):
            continue
    return (min(loads), max(loads)) if loads else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results-dir", type=Path, default=HERE / "results", help="where the inputs are")
    ap.add_argument("--out-dir", type=Path, help="where to write (default: --results-dir)")
    ap.add_argument("--command", default="make bench", help="the command that produced the inputs")
    ap.add_argument(
        "--load-log",
        type=Path,
        help="the 1-minute load average sampled during the run ('<time> <load>' lines; make bench writes one)",
    )
    args = ap.parse_args(argv)
    src, out = args.results_dir, args.out_dir or args.results_dir
    out.mkdir(parents=True, exist_ok=True)

    bench = load_json(src / "latest.json")
    cli = load_json(src / "cli.json")
    scaling = load_json(src / "scaling.json")
    rule_scaling = load_json(src / "rule_scaling.json")
    ner_md = src / "ner_eval.md"
    ocr_md = src / "ocr_eval.md"
    json_md = src / "json_calls.md"
    rows: list[Row] = []
    notes: list[str] = []
    sources = []
    if isinstance(bench, dict):
        rows += engine_rows(bench)
        sources.append(f"`latest.json` (pytest-benchmark, {bench.get('datetime', '?')[:19]})")
    else:
        notes.append("No `latest.json`: the pytest-benchmark suites (engine, MCP, proxy) are missing.")
    if isinstance(cli, dict):
        rows += cli_rows(cli)
        sources.append(f"`cli.json` (`{cli.get('command', 'bench_cli.py')}`, {cli.get('date', '?')[:19]})")
    else:
        notes.append(
            "No `cli.json`: the CLI and ripgrep/detect-secrets rows are missing (`bench_cli.py --json`)."
        )
    if ner_md.exists():
        ner = ner_rows(ner_md.read_text(encoding="utf-8"))
        rows += ner
        if ner:
            sources.append("`ner_eval.md` (`eval_ner.py`)")
    else:
        notes.append("No `ner_eval.md`: the NER rows (weir vs Presidio) are missing.")
    if json_md.exists():
        calls = json_call_rows(json_md.read_text(encoding="utf-8"))
        rows += calls
        if calls:
            sources.append("`json_calls.md` (`peers/bench_json_calls.py`)")
    else:
        notes.append("No `json_calls.md`: the per-call JSON rows (weir vs pii-mcp, Presidio) are missing.")
    if ocr_md.exists():
        ocr = ocr_rows(ocr_md.read_text(encoding="utf-8"))
        rows += ocr
        if ocr:
            sources.append("`ocr_eval.md` (`eval_ocr.py`)")
    else:
        notes.append("No `ocr_eval.md`: the OCR row is missing (`eval_ocr.py`).")
    if isinstance(scaling, dict):
        rows += scaling_rows(scaling)
        sources.append(
            f"`scaling.json` (`{scaling.get('command', 'scaling.py')}`, {scaling.get('date', '?')[:19]})"
        )
        if scaling.get("quick"):
            notes.append("Scaling is from a `--quick` run (1-4 MB): start-up dominates; not a measurement.")
    else:
        notes.append("No `scaling.json`: run `benchmarks/scaling.py`.")

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = [
        f"- Date: {now}",
        f"- Machine: {cpu_model()}, {os.cpu_count()} cores{memory_gb()}, {os_name()}, "
        f"Python {platform.python_version()}",
        f"- Commit: {commit(bench if isinstance(bench, dict) else None)}",
        f"- Command: `{args.command}`",
        f"- Inputs: {', '.join(sources) if sources else 'none'}",
    ]
    load = load_range(args.load_log) if args.load_log else None
    if load:
        header.append(
            f"- Load average (1 min) during the run: {load[0]:.1f} to {load[1]:.1f} on {os.cpu_count()} cores "
            "(other work on the machine lowers absolute speeds; compare the same-run ratios)"
        )
    extra = scaling_table(scaling) if isinstance(scaling, dict) else []
    if isinstance(rule_scaling, dict):
        extra += rule_scaling_table(rule_scaling)
        sources.append("`rule_scaling.json` (`rule_scaling.py --json`)")
    else:
        notes.append(
            "No `rule_scaling.json`: the cost against the rule count is missing (`rule_scaling.py`)."
        )
    write_summary(out / "summary.md", rows, header, notes, extra)
    print(f"wrote {out / 'summary.md'}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is not installed: no plots (it is in requirements/dev.lock)", file=sys.stderr)
        return 0
    if plot_throughput(rows, out / "throughput.png"):
        print(f"wrote {out / 'throughput.png'}")
    if isinstance(scaling, dict) and plot_scaling(scaling, out / "scaling.png"):
        print(f"wrote {out / 'scaling.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
