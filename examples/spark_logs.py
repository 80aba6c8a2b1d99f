"""Scan a directory of (gzipped) logs with Spark: findings as Parquet, redacted logs as text.

    .venv/bin/python examples/spark_logs.py LOG_DIR OUT_DIR [--policy examples/policy.toml]
    .venv/bin/python examples/spark_logs.py --demo OUT_DIR      # generated gzipped logs

Reads every file under LOG_DIR (``.gz``, ``.bz2`` and plain text, recursively) with
``spark.read.text``, one row per line, and writes

- ``OUT_DIR/findings``: Parquet, one row per finding: file, row_id (a per-run row id; in a
  gzipped file, which Spark never splits, ids count up line by line), column_name, entity, rule,
  category, start, end (code points in the line), score, fingerprint. Never the matched value.
- ``OUT_DIR/redacted``: text, each line as ``weir redact`` would write it; a line the policy
  blocks is replaced by a marker.

With a policy that hashes or tokenizes, export WEIR_KEY first; on a cluster, pass it to the
executors with ``--conf spark.executorEnv.WEIR_KEY=...`` (YARN cluster mode: also
``spark.yarn.appMasterEnv.WEIR_KEY``). Fingerprints need a key too (``--no-fingerprint`` skips them).
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

import weir
from weir.spark import redact_column, scan_column

WITHHELD = "[weir: line withheld by policy]"


def read_logs(spark: SparkSession, src: str) -> DataFrame:
    """One row per line: file, row_id, value. Compressed files are read by their extension."""
    return (
        spark.read.option("recursiveFileLookup", "true")
        .text(src)
        .select(
            F.col("_metadata.file_path").alias("file"),
            F.monotonically_increasing_id().alias("row_id"),
            "value",
        )
    )


def run(
    spark: SparkSession,
    src: str,
    out: str,
    *,
    policy: weir.Policy | str | None = None,
    fingerprint: bool = True,
) -> dict[str, int]:
    """Write findings and redacted logs; return findings per entity (from the Parquet written)."""
    logs = read_logs(spark, src).cache()  # read once, scanned twice
    try:
        findings = scan_column(
            logs, "value", key_cols=["file", "row_id"], policy=policy, fingerprint=fingerprint
        )
        findings.write.mode("overwrite").parquet(f"{out}/findings")
        redacted = redact_column(logs, "value", policy=policy, flag_column="withheld")
        lines = redacted.select(
            F.when(F.col("withheld"), F.lit(WITHHELD)).otherwise(F.col("value")).alias("value")
        )
        lines.write.mode("overwrite").text(f"{out}/redacted")
    finally:
        logs.unpersist()
    counts = spark.read.parquet(f"{out}/findings").groupBy("entity").count().collect()
    return {row["entity"]: row["count"] for row in counts}


def write_demo_logs(directory: Path, files: int = 4, lines: int = 2000) -> None:
    """Small gzipped logs with a few planted values."""
    planted = [
        "user jane.doe@example.com logged in",
        "payment card 4111 1111 1111 1111 accepted",
        "ssn on file 536-22-1234",
        "deploy key AKIAZ2XQ7RTVNBLZ4GRA rotated",
    ]
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(files):
        with gzip.open(directory / f"app-{n}.log.gz", "wt", encoding="utf-8") as fh:
            for i in range(lines):
                fh.write(f"2024-03-01T00:00:{i % 60:02d}Z INFO req={n}-{i} ")
                fh.write(planted[i % len(planted)] if i % 97 == 0 else f"GET /api/items/{i} 200")
                fh.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", help="directory of log files")
    parser.add_argument("out", help="output directory (findings/, redacted/)")
    parser.add_argument("--demo", action="store_true", help="scan generated gzipped logs instead of SRC")
    parser.add_argument("--policy", help="policy file or built-in name (default: redact every finding)")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--no-fingerprint", action="store_true", help="no HMAC fingerprints (no key needed)")
    args = parser.parse_args(argv)
    if args.demo == (args.src is not None):
        parser.error("give either SRC or --demo")
    policy: weir.Policy | str | None = None
    if args.policy:
        policy = weir.Policy.load(args.policy) if Path(args.policy).exists() else args.policy
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        SparkSession.builder.master(args.master)
        .appName("weir-logs")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            src = args.src
            if args.demo:
                src = str(Path(tmp) / "logs")
                write_demo_logs(Path(src))
            counts = run(spark, src, args.out, policy=policy, fingerprint=not args.no_fingerprint)
    finally:
        spark.stop()
    for entity, n in sorted(counts.items()):
        print(f"{entity:24} {n}")
    print(f"findings: {args.out}/findings (Parquet); redacted logs: {args.out}/redacted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
