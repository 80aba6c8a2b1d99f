"""How ``weir scan`` scales with input size and with threads.

    python benchmarks/scaling.py                       # 10, 100, 1000 MB; -j 1..cores
    python benchmarks/scaling.py --sizes 10 100 300    # other sizes (MB, 10^6 bytes)
    python benchmarks/scaling.py --quick               # 1, 2, 4 MB: a smoke run of a few seconds

The input is the CLI benchmark's log (``bench_cli.build_log``: the seeded ``logs`` corpus), made
once at the largest size and cached under ``benchmarks/data/``; each smaller size is a prefix of
it cut at a line end. Every run is the command a user types,
``weir scan --format jsonl --fail-on none FILE > /dev/null``, timed from outside, so interpreter
start-up and loading the (warm) compiled-database cache are included. Alongside each size, the
same run times a read-only pass (``cat FILE > /dev/null``), the same-run baseline for a ratio.

Thread scaling (``-j 1``, ``-j 2``, ... up to the core count) is measured on the largest size
(``--threads-mb`` to change it). Results go to ``benchmarks/results/scaling.json``, which
``benchmarks/report.py`` plots.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_cli import build_log, platform_line  # noqa: E402

MB = 1_000_000
DEFAULT_SIZES = [10.0, 100.0, 1000.0]
QUICK_SIZES = [1.0, 2.0, 4.0]


def source_log(data_dir: Path, size: int) -> Path:
    """A cached ``bench-*mb.log`` of at least ``size`` bytes, made by ``build_log`` if none is.

    ``build_log`` repeats one seeded block, so any larger log's prefix is the smaller log.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    have = sorted((p.stat().st_size, p) for p in data_dir.glob("bench-*mb.log") if p.stat().st_size >= size)
    if have:
        return have[0][1]
    big = data_dir / f"bench-{-(-size // MB)}mb.log"
    build_log(big, size)
    return big


def prefix_file(big: Path, size: int, data_dir: Path) -> Path:
    """The first ``size`` bytes of ``big``, cut back to the last line end (cached on disk)."""
    with open(big, "rb") as f:
        head = f.read(size)
    cut = head.rfind(b"\n") + 1 if len(head) == size else len(head)
    head = head[: cut or len(head)]
    out = data_dir / f"scale-{size}.log"
    if not out.exists() or out.stat().st_size != len(head):
        out.write_bytes(head)
    return out


def timed(cmd: list[str], repeat: int) -> float:
    """Best (least) wall seconds of ``repeat`` runs of ``cmd``, stdout to /dev/null."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-400:]}")
        best = min(best, elapsed)
    return best


def scan_cmd(weir: str, path: Path, threads: int | None) -> list[str]:
    jobs = ["-j", str(threads)] if threads else []
    return [weir, "scan", *jobs, "--format", "jsonl", "--fail-on", "none", str(path)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", help="input sizes in MB (default 10 100 1000)")
    ap.add_argument("--quick", action="store_true", help="sizes 1 2 4 MB (a smoke run)")
    ap.add_argument("--threads-mb", type=float, help="size for the thread sweep (default: the largest)")
    ap.add_argument("--max-threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per point; the best is kept")
    ap.add_argument("--weir", default=str(ROOT / ".venv" / "bin" / "weir"), help="the weir command")
    ap.add_argument("--data-dir", type=Path, default=HERE / "data")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "scaling.json")
    args = ap.parse_args(argv)

    sizes_mb = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    sizes = sorted({int(mb * MB) for mb in sizes_mb})
    largest = sizes[-1]
    threads_size = int(args.threads_mb * MB) if args.threads_mb else largest
    big = source_log(args.data_dir, max(largest, threads_size))

    # Warm the compiled-database cache, so no point pays a cold compile.
    subprocess.run([args.weir, "scan", "--fail-on", "none", "/dev/null"], capture_output=True, check=False)

    by_size: list[dict[str, Any]] = []
    for size in sizes:
        path = prefix_file(big, size, args.data_dir)
        n = path.stat().st_size
        read_s = timed(["sh", "-c", f"cat '{path}' > /dev/null"], args.repeat)
        scan_s = timed(scan_cmd(args.weir, path, None), args.repeat)
        row = {
            "bytes": n,
            "mb": round(n / MB, 3),
            "threads": os.cpu_count(),
            "seconds": round(scan_s, 4),
            "mb_per_s": round(n / MB / scan_s, 3),
            "read_mb_per_s": round(n / MB / read_s, 3),
        }
        by_size.append(row)
        print(
            f"{n / MB:9.1f} MB  weir scan {row['mb_per_s']:9.2f} MB/s   cat {row['read_mb_per_s']:9.1f} MB/s"
        )

    by_threads: list[dict[str, Any]] = []
    path = prefix_file(big, threads_size, args.data_dir)
    n = path.stat().st_size
    for threads in range(1, max(1, args.max_threads) + 1):
        scan_s = timed(scan_cmd(args.weir, path, threads), args.repeat)
        row = {
            "threads": threads,
            "bytes": n,
            "seconds": round(scan_s, 4),
            "mb_per_s": round(n / MB / scan_s, 3),
        }
        by_threads.append(row)
        print(f"-j {threads:<3} {n / MB:9.1f} MB  weir scan {row['mb_per_s']:9.2f} MB/s")

    command = "python benchmarks/scaling.py" + (" --quick" if args.quick and not args.sizes else "")
    if args.sizes:
        command += " --sizes " + " ".join(f"{mb:g}" for mb in args.sizes)
    if args.threads_mb:
        command += f" --threads-mb {args.threads_mb:g}"
    if args.repeat != 1:
        command += f" --repeat {args.repeat}"
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": platform_line(), "cores": os.cpu_count()},
        "command": command,
        "quick": bool(args.quick and not args.sizes),
        "corpus": "logs corpus (benchmarks/corpus.py, seed 7), prefixes cut at line ends",
        "weir_command": "weir scan [-j N] --format jsonl --fail-on none FILE > /dev/null",
        "by_size": by_size,
        "by_threads": by_threads,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
