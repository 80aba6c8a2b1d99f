"""weir on Apache Spark: scan and redact DataFrame columns where the data already lives.

    from weir.spark import scan_column, redact_column

    findings = scan_column(logs, "value", key_cols=["file", "row_id"])   # one row per finding
    findings.groupBy("entity").count().show()
    clean = redact_column(logs, "value", policy="default")                 # same schema

Both run ``mapInArrow``: each Python worker compiles one ``Scanner`` on first use and reuses it
for every Arrow batch, with one native call per column per batch. Keys for ``hash``, ``tokenize``
and fingerprints are read on the executors from ``WEIR_KEY`` (set it with
``spark.executorEnv.WEIR_KEY``) or the policy's ``key_file``; they never travel with the job.
Needs ``pip install 'weir-dlp[spark]'`` and Java 17 or 21.
"""

from __future__ import annotations

try:
    import pyarrow  # noqa: F401
    import pyspark  # noqa: F401
except ImportError as e:  # pragma: no cover - the test environment has both
    raise ImportError(
        f"weir.spark needs PySpark and pyarrow ({e.name} is missing): pip install 'weir-dlp[spark]'"
    ) from None

from weir.spark.batches import OnBlock
from weir.spark.frames import findings_schema, redact_column, scan_column

__all__ = ["OnBlock", "findings_schema", "redact_column", "scan_column"]
