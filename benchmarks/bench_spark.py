"""weir.spark on a generated log: throughput in local[1] and local[2] against `weir scan` on the
same file in the same run, and the per-row overhead of going through Spark.

    python benchmarks/bench_spark.py --mb 1000 --out benchmarks/results/spark.md

The log is bench_cli's (the seeded ``logs`` corpus, a 50 MB block repeated; cached under
benchmarks/data/). Rows, each timed end to end (JVM already up, plan to last task):

- ``weir scan -j 1`` / ``-j N`` on the file, findings counted from its JSON Lines;
- per master: ``spark.read.text`` alone (noop sink), an identity ``mapInArrow`` (every line
  through Python and Arrow, nothing scanned), ``scan_column(...).count()`` (the findings) and
  ``redact_column`` (noop sink);
- per-row overhead on short rows (``--rows`` lines of ~40 bytes): in-process ``weir.scan`` per
  row, the batched native call weir.spark makes per Arrow batch, and ``scan_column`` in local[1].

The file is read in splits of ``--split-mb`` (``spark.sql.files.maxPartitionBytes``, 16 MB here
rather than Spark's 128 MB, so a 100 MB file still makes tasks for both cores); each Python worker
compiles its scanner once (a fraction of a second, inside the numbers).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_cli import BIN, MB, build_log, platform_line  # noqa: E402

Row = dict[str, Any]


def cli_rows(path: Path, threads: list[int]) -> list[Row]:
    weir = str(BIN / "weir")
    subprocess.run([weir, "scan", "--fail-on", "none", "/dev/null"], capture_output=True, check=False)
    rows = []
    for j in threads:
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            proc = subprocess.run(
                [weir, "scan", "-j", str(j), "--format", "jsonl", "--fail-on", "none", str(path)],
                stdout=out,
                stderr=subprocess.PIPE,
                check=False,
            )
            secs = time.perf_counter() - started
            if proc.returncode not in (0, 1):
                raise SystemExit(f"weir scan failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
            out.seek(0)
            found = sum(1 for _ in out)
        rows.append(_row(f"weir scan -j {j}", "CLI", path.stat().st_size, secs, findings=found))
    return rows


def _row(label: str, where: str, n: int, secs: float, **extra: Any) -> Row:
    row = {
        "case": label,
        "where": where,
        "bytes": n,
        "seconds": round(secs, 3),
        "mb_per_s": round(n / MB / secs, 2),
    }
    row.update(extra)
    print(f"{where:<10} {label:<44} {n / MB / secs:8.1f} MB/s  {secs:7.1f} s  {extra or ''}", flush=True)
    return row


def session(master: str, split_mb: int = 128) -> Any:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("weir-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "2g")
        # A file is read in splits of this size: the tasks there are to share between cores.
        .config("spark.sql.files.maxPartitionBytes", str(split_mb * MB))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def identity(batches: Iterator[Any]) -> Iterator[Any]:
    yield from batches


def spark_rows(path: Path, master: str, split_mb: int) -> list[Row]:
    from weir.spark import redact_column, scan_column

    spark = session(master, split_mb)
    try:
        n = path.stat().st_size
        logs = spark.read.text(str(path))
        print(f"{master}: {logs.rdd.getNumPartitions()} input partitions of <= {split_mb} MB", flush=True)
        # Warm-up on a slice: JVM JIT and a first Python worker, so rows time steady work.
        scan_column(logs.limit(20_000), "value").count()
        rows = []
        secs, _ = timed(lambda: logs.write.format("noop").mode("overwrite").save())
        rows.append(_row("spark.read.text only (noop sink)", master, n, secs))
        secs, _ = timed(
            lambda: logs.mapInArrow(identity, logs.schema).write.format("noop").mode("overwrite").save()
        )
        rows.append(_row("identity mapInArrow (no scan)", master, n, secs))
        secs, found = timed(lambda: scan_column(logs, "value").count())
        rows.append(_row("scan_column(...).count()", master, n, secs, findings=found))
        secs, _ = timed(lambda: redact_column(logs, "value").write.format("noop").mode("overwrite").save())
        rows.append(_row("redact_column (noop sink)", master, n, secs))
        return rows
    finally:
        spark.stop()


def per_row(count: int) -> list[Row]:
    """Microseconds per short row: weir.scan per row, the batched call, scan_column in local[1]."""
    import weir
    from weir.spark import scan_column
    from weir.spark.worker import Prepared, Settings

    texts = [f"2024-03-01 INFO id={i} user=u{i % 977}@example.com ok" for i in range(count)]
    out: list[Row] = []
    secs, _ = timed(lambda: [weir.scan(t) for t in texts])
    out.append({"case": "weir.scan(row) in a Python loop", "us_per_row": round(secs / count * 1e6, 2)})
    state = Prepared(Settings())
    secs, _ = timed(lambda: [state.findings(texts[i : i + 10_000]) for i in range(0, count, 10_000)])
    out.append(
        {"case": "batched native scan, 10,000 rows per call", "us_per_row": round(secs / count * 1e6, 2)}
    )
    spark = session("local[1]")
    try:
        df = spark.createDataFrame([(t,) for t in texts], "value string").repartition(1).cache()
        df.count()
        scan_column(df.limit(1000), "value").count()
        secs, _ = timed(
            lambda: df.mapInArrow(identity, df.schema).write.format("noop").mode("overwrite").save()
        )
        out.append({"case": "identity mapInArrow, local[1]", "us_per_row": round(secs / count * 1e6, 2)})
        secs, found = timed(lambda: scan_column(df, "value").count())
        out.append(
            {"case": "scan_column, local[1]", "us_per_row": round(secs / count * 1e6, 2), "findings": found}
        )
    finally:
        spark.stop()
    for r in out:
        print(f"per row    {r['case']:<44} {r['us_per_row']:8.2f} us/row", flush=True)
    return out


def write_report(out: Path, args: argparse.Namespace, rows: list[Row], small: list[Row]) -> None:
    command = (
        f"python benchmarks/bench_spark.py --mb {args.mb:g} --rows {args.rows} --split-mb {args.split_mb}"
    )
    lines = [
        f"Machine: {os.cpu_count()} cores, `{platform_line()}`; "
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; command: `{command}`; "
        f"load average at the start {args.load_before:.1f}, at the end {os.getloadavg()[0]:.1f} "
        "(a shared machine: other work takes cores from every row alike)",
        "",
        "| where | what | input | seconds | MB/s | findings |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['where']} | {r['case']} | {r['bytes'] // MB} MB | {r['seconds']:.1f} | {r['mb_per_s']:.1f} | "
        f"{r.get('findings', '')} |"
        for r in rows
    ]
    lines += [
        "",
        f"Per-row cost on {args.rows:,} short rows (~45 bytes):",
        "",
        "| what | us/row |",
        "| --- | ---: |",
    ]
    lines += [f"| {r['case']} | {r['us_per_row']:.2f} |" for r in small]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    out.with_suffix(".json").write_text(
        json.dumps({"command": command, "rows": rows, "per_row": small}, indent=2) + "\n"
    )
    print(f"\nwrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=1000.0, help="log size in MB (10^6 bytes)")
    ap.add_argument("--rows", type=int, default=500_000, help="short rows for the per-row overhead")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--split-mb", type=int, default=16, help="spark.sql.files.maxPartitionBytes, in MB")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "spark.md")
    args = ap.parse_args()
    args.load_before = os.getloadavg()[0]

    size = int(args.mb * MB)
    path = HERE / "data" / f"bench-{size // MB}mb.log"
    build_log(path, size)
    rows = cli_rows(path, [1, os.cpu_count() or 1])
    for master in args.masters.split(","):
        rows += spark_rows(path, master, args.split_mb)
    small = per_row(args.rows)
    write_report(args.out, args, rows, small)


if __name__ == "__main__":
    main()
