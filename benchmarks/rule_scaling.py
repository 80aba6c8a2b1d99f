"""Throughput against the number of rules: does each rule added make every scan slower?

The engine runs every rule in one match-end pass (anchored rules in Vectorscan, shape rules in
one lazy DFA), so adding rules should cost little. This measures it: random subsets of the
built-in rules (50, 100, 200), the full set, and the full set plus synthetic rules drawn from the
shapes real detectors have (a prefixed token, a label-gated value, a letters-and-digits ID, a
grouped number), in the built-in set's proportion of shape rules. Every engine scans the same
seeded mixed corpus; a ``zlib.crc32`` read pass in the same loop is the baseline.

Usage (from the project root)::

    .venv/bin/python benchmarks/rule_scaling.py                      # 16 MB, sizes 50..2x
    .venv/bin/python benchmarks/rule_scaling.py --mb 4 --plot benchmarks/results/rule_scaling.png

The first run compiles the synthetic databases (tens of seconds); they are cached on disk after.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import make_text  # noqa: E402
from rule_cost import MB, SEED, best_of, load  # noqa: E402
from weir import _core  # noqa: E402
from weir.rules import Rule  # noqa: E402

ROOT = HERE.parent
WORDS = [
    "acct",
    "badge",
    "batch",
    "cargo",
    "claim",
    "court",
    "depot",
    "fleet",
    "grant",
    "guild",
    "ledger",
    "lease",
    "locker",
    "member",
    "parcel",
    "permit",
    "policy",
    "quota",
    "realm",
    "route",
    "seal",
    "shift",
    "slot",
    "stock",
    "tender",
    "ticket",
    "tract",
    "vessel",
    "voucher",
]


def synthetic(n: int, template: Rule, shape_share: float, seed: int = SEED) -> list[Rule]:
    """``n`` rules shaped like real detectors, about ``shape_share`` of them without an anchor."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = []
    for i in range(n):
        if rng.random() < shape_share:
            if rng.random() < 0.5:
                k, m = rng.randint(1, 3), rng.randint(5, 9)
                pattern = rf"\b(?P<value>[A-Z]{{{k}}}\d{{{m}}}[A-Z]?)\b"
            else:
                a, b, c = rng.randint(2, 4), rng.randint(3, 6), rng.randint(2, 5)
                sep = rng.choice(["-", "/", " "])
                pattern = rf"\b(?P<value>\d{{{a}}}{sep}\d{{{b}}}{sep}\d{{{c}}})\b"
        elif rng.random() < 0.5:
            prefix = "".join(rng.choice(letters) for _ in range(rng.randint(3, 5)))
            pattern = rf"\b(?P<value>{prefix}_[A-Za-z0-9]{{{rng.randint(20, 40)}}})\b"
        else:
            label = rng.choice(WORDS) + rng.choice(["", "_id", " number", "-no"])
            lo = rng.randint(6, 10)
            pattern = rf"(?i:(?:\b|_){label})[^0-9A-Za-z\r\n]{{1,6}}(?P<value>[A-Z0-9]{{{lo},{lo + 6}}})\b"
        out.append(
            Rule(
                **{
                    **template.to_dict(),
                    "id": f"synthetic.rule_{i}",
                    "entity": "SYNTHETIC",
                    "pattern": pattern,
                    "validator": None,
                    "hotwords": [],
                    "require_hotword": False,
                    "min_entropy": None,
                }
            )
        )
    return out


def rule_sets(builtin: Sequence[Rule], sizes: Sequence[int]) -> list[tuple[str, list[Rule]]]:
    """Subsets of the built-in rules below its size, the full set, synthetic rules above it."""
    rng = random.Random(SEED)
    shape = len(_core.Engine(list(builtin)).shape_rules) / len(builtin)
    extra = synthetic(max(sizes) - len(builtin), builtin[0], shape) if max(sizes) > len(builtin) else []
    sets = []
    for n in sorted(set(sizes)):
        if n < len(builtin):
            sets.append((f"{n} built-in", rng.sample(list(builtin), n)))
        elif n == len(builtin):
            sets.append((f"{n} built-in (all)", list(builtin)))
        else:
            sets.append(
                (f"{len(builtin)} + {n - len(builtin)} synthetic", [*builtin, *extra[: n - len(builtin)]])
            )
    return sets


def measure(rules: list[Rule], corpus: bytes) -> dict[str, float]:
    engine = _core.Engine(rules)
    engine.scan(corpus)  # warm: the lazy DFA builds its states on first use
    crc = best_of(lambda: zlib.crc32(corpus))
    raw = best_of(lambda: engine.scan_raw(corpus))
    scan = best_of(lambda: engine.scan(corpus))
    mb = len(corpus) / MB
    return {
        "rules": len(rules),
        "shape": len(engine.shape_rules),
        "raw": mb / raw,
        "scan": mb / scan,
        "crc": mb / crc,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=16.0, help="mixed corpus size in MB (default 16)")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=None, help="rule counts (default 50 100 200 400, all, 2x)"
    )
    parser.add_argument("--plot", type=Path, default=None, help="write a PNG plot here")
    parser.add_argument("--json", type=Path, default=None, help="write the rows as JSON here (for report.py)")
    args = parser.parse_args(argv)
    builtin = [r for rules in load(sorted((ROOT / "patterns").glob("*.toml"))).values() for r in rules]
    sizes = args.sizes or [50, 100, 200, len(builtin), 400, 2 * len(builtin)]
    corpus = make_text(int(args.mb * MB), SEED, "mixed").encode()
    rows = []
    print(f"{'rule set':<28} {'rules':>5} {'shape':>5} {'raw MB/s':>9} {'scan MB/s':>9} {'scan/crc32':>10}")
    for name, rules in rule_sets(builtin, sizes):
        started = time.perf_counter()
        row = measure(rules, corpus) | {"name": name}
        rows.append(row)
        print(
            f"{name:<28} {row['rules']:>5.0f} {row['shape']:>5.0f} {row['raw']:>9.1f} {row['scan']:>9.1f} "
            f"{row['scan'] / row['crc']:>10.3f}   ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    full = next(r for r in rows if r["rules"] == len(builtin))
    double = next((r for r in rows if r["rules"] == 2 * len(builtin)), None)
    if double:
        print(
            f"\ndoubling {len(builtin)} -> {2 * len(builtin)} rules costs "
            f"{(1 - double['scan'] / full['scan']) * 100:.0f}% of the scan's throughput and "
            f"{(1 - double['raw'] / full['raw']) * 100:.0f}% of the raw pass's (target: at most 15%)"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "command": "rule_scaling.py " + " ".join(argv or sys.argv[1:]),
            "mb": args.mb,
            "builtin": len(builtin),
        }
        args.json.write_text(json.dumps(doc | {"rows": rows}, indent=1) + "\n", encoding="utf-8")
        print(f"json: {args.json}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        xs = [r["rules"] for r in rows]
        ax.plot(xs, [r["raw"] for r in rows], marker="o", label="match-end pass (scan_raw)")
        ax.plot(xs, [r["scan"] for r in rows], marker="o", label="Engine.scan")
        ax.set_xlabel("rules")
        ax.set_ylabel("MB/s, 1 thread")
        ax.set_ylim(bottom=0)
        ax.set_title(f"weir throughput against the rule count ({args.mb:g} MB mixed corpus)")
        ax.legend()
        fig.tight_layout()
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=110)
        print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
