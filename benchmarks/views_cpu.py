"""Process CPU time of ``Scanner.scan`` with normalisation and decoding on, off, and normalising
only, on the mixed, log and encoding-heavy corpora: a cross-check of the pytest-benchmark cases
in ``test_bench_engine.py`` that a busy machine disturbs less than wall-clock time.

    .venv/bin/python benchmarks/views_cpu.py --mb 4
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import weir
from corpus import DEFAULT_SEED, make_corpus, make_text
from test_bench_engine import encoding_heavy


def best_cpu_seconds(scanner: weir.Scanner, data: bytes, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        scanner.scan(data)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=4.0, help="corpus size in MB (default 4)")
    parser.add_argument("--rounds", type=int, default=5, help="best of this many scans (default 5)")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    mixed = make_corpus(size, DEFAULT_SEED, "mixed").text
    corpora = {
        "mixed": mixed.encode(),
        "logs": make_text(size, DEFAULT_SEED, "logs").encode(),
        "encoded": encoding_heavy(mixed, DEFAULT_SEED).encode(),
    }
    scanners = {
        "off": weir.Scanner(normalize=False, decode_depth=0),
        "on": weir.Scanner(),
        "normalize only": weir.Scanner(decode_depth=0),
    }
    print("| corpus | " + " | ".join(f"{name} (MB/s)" for name in scanners) + " | on / off |")
    print("|---" * (len(scanners) + 2) + "|")
    for kind, data in corpora.items():
        mbps = {n: len(data) / 1e6 / best_cpu_seconds(s, data, args.rounds) for n, s in scanners.items()}
        cells = " | ".join(f"{v:.1f}" for v in mbps.values())
        print(f"| {kind} | {cells} | {mbps['on'] / mbps['off']:.2f} |")


if __name__ == "__main__":
    main()
