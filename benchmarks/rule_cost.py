"""What each detection rule costs the match-end pass: find the rules that slow weir down.

weir runs every rule in one pass over every byte: rules with a literal anchor in one Vectorscan
database, the rest in one lazy DFA (the shape pass, see rust/src/engine/shape.rs). A loose pattern
(a wide character class with no literal to anchor on) in the Vectorscan database slows every scan
of every input; in the shape DFA it adds states. This tool builds an engine per rule and measures
it alone, then per rule file, then the whole set, on the same seeded corpus the benchmarks use:

- ``raw MB/s``: throughput of ``Engine.scan_raw`` (the match-end pass only: Vectorscan for rules
  with a literal anchor, the shape DFA for the rest; no span recovery)
  over a mixed corpus of logs, JSON tool results and prose (``--mb`` MB, seed 7), best of 3;
- ``us/1KB``: microseconds per ``scan_raw`` call on 1 KB of plain English prose (the text of
  the per-call benchmark in test_bench_engine.py), best of 3 batches;
- ``matches``: raw match ends on the corpus (each costs a callback, and in the full pipeline a
  regex recovery);
- ``shape``: how many of the rules run in the shape DFA (no literal anchor) rather than Vectorscan;
- for files and the whole set also ``scan MB/s`` and ``scan us/1KB``: the full pipeline
  (``Engine.scan``: spans, validators, scores, overlaps).

Rules are read from the TOML files on disk (not the ones embedded in the built module), so a
rule can be measured before rebuilding. Rows are sorted worst first (slowest per 1 KB call).

Usage (from the project root)::

    .venv/bin/python benchmarks/rule_cost.py                       # every rule, top 25
    .venv/bin/python benchmarks/rule_cost.py --files 'pii*.toml' --top 0   # all rules of pii*
    .venv/bin/python benchmarks/rule_cost.py --rule pii.ipv4       # one rule (and the totals)
    .venv/bin/python benchmarks/rule_cost.py --extra my_rules.toml # a new rule file

An anchored (Vectorscan) rule that runs under ~2 us per 1 KB call and above ~1000 MB/s alone is
cheap; one that is slower deserves a longer literal anchor (a prefix, a label) or narrower classes.
A shape rule alone shows the lazy DFA's floor (~2.6 us per 1 KB, ~520 MB/s in one lane): compare
the whole-set row with and without it (``--rule``). See patterns/README.md.
Compiled databases are cached on disk (WEIR_CACHE_DIR), so the second run is faster.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import make_text  # noqa: E402
from weir import _core  # noqa: E402
from weir.rules import Rule, parse_rules  # noqa: E402

MB = 1_000_000
SEED = 7
FILLER = (
    "The quarterly review went well and the team agreed on the next steps for the launch. "
    "Please read the notes before the planning session and add anything we missed. "
)


def prose_1kb() -> bytes:
    """About 1 KB of plain prose with one email address: the per-call benchmark's input."""
    half = (FILLER * 4)[:500]
    return f"{half} Write to jordan.lee@fabrikam.eu with questions. {half}".encode()


def best_of(fn: Callable[[], object], repeat: int = 3, number: int = 1) -> float:
    """Best seconds per call of ``fn`` over ``repeat`` batches of ``number`` calls.

    Timed in this process's CPU time, not wall time: the scan is single-threaded, so the two
    agree on an idle machine, and CPU time does not count the time other processes hold the core.
    """
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best


def calls_for(fn: Callable[[], object], budget: float = 0.01) -> int:
    """How many calls of ``fn`` fill about ``budget`` seconds (at least 1)."""
    start = time.process_time()
    fn()
    once = max(time.process_time() - start, 1e-7)
    return max(1, min(20_000, int(budget / once)))


@dataclass
class Cost:
    name: str
    rules: int
    raw_mbps: float
    raw_us_1kb: float
    matches: int
    compile_s: float
    shape: int
    scan_mbps: float | None = None
    scan_us_1kb: float | None = None


def measure(name: str, rules: Sequence[Rule], corpus: bytes, small: bytes, full: bool) -> Cost:
    """Build one engine over ``rules`` and time it on the corpus and the 1 KB sample."""
    engine = _core.Engine(list(rules))
    matches = engine.scan_raw(corpus)
    raw = best_of(lambda: engine.scan_raw(corpus))
    n = calls_for(lambda: engine.scan_raw(small))
    raw_small = best_of(lambda: engine.scan_raw(small), number=n)
    cost = Cost(
        name,
        len(rules),
        len(corpus) / MB / raw,
        raw_small * 1e6,
        matches,
        engine.compile_seconds,
        len(engine.shape_rules),
    )
    if full:
        cost.scan_mbps = len(corpus) / MB / best_of(lambda: engine.scan(corpus))
        n = calls_for(lambda: engine.scan(small))
        cost.scan_us_1kb = best_of(lambda: engine.scan(small), number=n) * 1e6
    return cost


def load(paths: Sequence[Path]) -> dict[str, list[Rule]]:
    """Rules per file, parsed from the TOML on disk."""
    return {p.name: parse_rules(p.read_text(), str(p)) for p in paths}


def fmt(cost: Cost, width: int) -> str:
    line = (
        f"{cost.name:<{width}} {cost.rules:>5} {cost.shape:>5} {cost.raw_mbps:>10.1f} "
        f"{cost.raw_us_1kb:>9.2f} {cost.matches:>9}"
    )
    if cost.scan_mbps is not None and cost.scan_us_1kb is not None:
        line += f" {cost.scan_mbps:>10.1f} {cost.scan_us_1kb:>9.2f}"
    return line


def table(title: str, costs: list[Cost], full: bool) -> None:
    width = max([len(c.name) for c in costs] + [24])
    head = f"{title:<{width}} {'rules':>5} {'shape':>5} {'raw MB/s':>10} {'us/1KB':>9} {'matches':>9}"
    if full:
        head += f" {'scan MB/s':>10} {'scan us':>9}"
    print(head)
    print("-" * len(head))
    for cost in costs:
        print(fmt(cost, width))
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=4.0, help="mixed corpus size in MB (default 4)")
    parser.add_argument(
        "--files", default="*.toml", help="glob of rule files under patterns/ (default *.toml)"
    )
    parser.add_argument("--extra", action="append", default=[], help="another rule file to include")
    parser.add_argument("--rule", action="append", default=[], help="only these rule ids (glob)")
    parser.add_argument("--top", type=int, default=25, help="rules to show, worst first; 0 = all")
    parser.add_argument("--no-rules", action="store_true", help="only the file and whole-set totals")
    args = parser.parse_args(argv)

    paths = sorted(p for p in (ROOT / "patterns").glob("*.toml") if fnmatch.fnmatch(p.name, args.files))
    paths += [Path(p) for p in args.extra]
    if not paths:
        print(f"no rule files match {args.files!r} under {ROOT / 'patterns'}", file=sys.stderr)
        return 2
    files = load(paths)
    corpus = make_text(int(args.mb * MB), SEED, "mixed").encode()
    small = prose_1kb()
    print(
        f"corpus: {len(corpus) / MB:.2f} MB mixed (seed {SEED}); 1 KB sample: {len(small)} bytes; "
        f"{_core.hyperscan_library()}\n"
    )

    if not args.no_rules:
        costs: list[Cost] = []
        for rules in files.values():
            for rule in rules:
                if args.rule and not any(fnmatch.fnmatch(rule.id, g) for g in args.rule):
                    continue
                costs.append(measure(rule.id, [rule], corpus, small, full=False))
        costs.sort(key=lambda c: (-c.raw_us_1kb, c.raw_mbps))
        shown = costs if args.top <= 0 else costs[: args.top]
        table(f"rule (worst {len(shown)} of {len(costs)})", shown, full=False)

    per_file = [measure(name, rules, corpus, small, full=True) for name, rules in files.items()]
    per_file.sort(key=lambda c: (-c.raw_us_1kb, c.raw_mbps))
    table("file", per_file, full=True)

    everything = [r for rules in files.values() for r in rules]
    total = measure("all", everything, corpus, small, full=True)
    table("whole set", [total], full=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
