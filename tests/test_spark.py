"""weir.spark on a real local Spark (local[2], Debian's JRE): results equal weir.scan and
weir.redact on the same rows; keys travel through the executors' environment."""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if shutil.which("java") is None:  # make test installs default-jre-headless; this is for bare pytest
    pytest.skip(
        "no Java runtime: apt-get install default-jre-headless (make deps does)", allow_module_level=True
    )

import msgspec
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import LongType, StringType, StructField, StructType

import weir
from weir.keys import MissingKeyError
from weir.mcp.audit import Fingerprinter
from weir.rules import load_builtin
from weir.spark import redact_column, scan_column
from weir.spark import worker as spark_worker
from weir.spark.batches import redact_batches, scan_batches
from weir.spark.worker import Settings

ROOT = Path(__file__).resolve().parent.parent
EXECUTOR_KEY = "executor-key-0123456789abcdef"  # only the executors get it, via spark.executorEnv

SECRETS_AND_PII = [
    "héllo ✓ jane.doe@example.com paid with 4111 1111 1111 1111",  # non-ASCII before the finds
    "ssn 536-22-1234, phone (212) 736-5000, 日本語 then bob@example.org",
    "deploy key AKIAZ2XQ7RTVNBLZ4GRA rotated",
    "iban DE89 3704 0044 0532 0130 00 and ip 203.0.113.9",
    "nothing to see here",
    "",
    # hidden: base64 of an email, a card in full-width digits, an SSN split by zero-width spaces
    "payload=ZXhmaWwgdG8gamFuZS5kb2VAZXhhbXBsZS5jb20gbm93",
    "card \uff14\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11 \uff11\uff11\uff11\uff11",
    "ssn 536\u200b-22\u200b-1234",
]


def _rows() -> list[str | None]:
    """Hand-made lines, every built-in rule's examples, and nulls."""
    examples = [ex for rule in load_builtin() for ex in rule.examples]
    return [*SECRETS_AND_PII, *examples, *(f"👀 {ex} tail" for ex in examples[::7]), None, None]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    saved = os.environ.pop("WEIR_KEY", None)  # the JVM and its Python workers must not inherit one
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("weir-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")  # many batches per task
        .config("spark.executorEnv.WEIR_KEY", EXECUTOR_KEY)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if saved is not None:
        os.environ["WEIR_KEY"] = saved


@pytest.fixture(scope="module")
def lines(spark: SparkSession) -> DataFrame:
    schema = StructType([StructField("id", LongType(), False), StructField("text", StringType(), True)])
    return spark.createDataFrame(list(enumerate(_rows())), schema).repartition(2).cache()


def _scan_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (r["id"], r["entity"], r["rule"], r["category"], r["start"], r["end"], r["score"], r["decoded"])
        for r in rows
    )


def _expected_scan(**options: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (i, f.entity, f.rule, f.category, f.start, f.end, f.score, f.decoded)
        for i, text in enumerate(_rows())
        if text is not None
        for f in weir.scan(text, **options)
    )


def test_scan_equals_weir_scan_row_by_row(lines: DataFrame) -> None:
    result = scan_column(lines, "text", key_cols=["id"])
    assert [(f.name, f.dataType.simpleString()) for f in result.schema.fields] == [
        ("id", "bigint"),
        ("column_name", "string"),
        ("entity", "string"),
        ("rule", "string"),
        ("category", "string"),
        ("start", "int"),
        ("end", "int"),
        ("score", "double"),
        ("decoded", "string"),
    ]
    rows = [r.asDict() for r in result.collect()]
    expected = _expected_scan()
    assert len(expected) > 300  # every rule's examples, plus the hand-made lines
    assert _scan_tuples(rows) == expected
    assert {r["column_name"] for r in rows} == {"text"}
    assert {"base64", "normalized"} <= {r["decoded"] for r in rows}  # hidden values come through


def test_filters_and_policy_equal_weir_scan(lines: DataFrame) -> None:
    policy = weir.Policy.from_dict({"default": "redact", "min_score": 0.8, "deny": {"terms": ["see here"]}})
    options: list[dict[str, Any]] = [
        {
            "categories": ["secret", "financial"],
            "entities": ["US_SSN", "IBAN_CODE", "GITHUB_TOKEN"],
            "min_score": 0.9,
        },
        {"policy": policy},
    ]
    for opts in options:
        got = _scan_tuples(
            [r.asDict() for r in scan_column(lines, "text", key_cols=["id"], **opts).collect()]
        )
        expected = _expected_scan(**opts)
        assert got == expected, opts
        assert expected
    assert any(e[1] == "DENIED_TERM" for e in _expected_scan(policy=policy))  # "nothing to see here"


def test_several_columns_keys_and_nulls(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("eu", 1, "mail jane.doe@example.com", None),
            ("us", 2, None, "ssn 536-22-1234"),
            ("us", 3, None, None),
            ("eu", 4, "card 4111 1111 1111 1111", "key AKIAZ2XQ7RTVNBLZ4GRA"),
        ],
        "region string, n int, a string, b string",
    )
    got = sorted(
        (r.region, r.n, r.column_name, r.entity, r.start, r.end)
        for r in scan_column(df, ["a", "b"], key_cols=["region", "n"]).collect()
    )
    expected = sorted(
        (region, n, col, f.entity, f.start, f.end)
        for region, n, a, b in df.collect()
        for col, text in (("a", a), ("b", b))
        if text is not None
        for f in weir.scan(text)
    )
    assert got == expected
    assert {(n, c) for _, n, c, *_ in got} == {(1, "a"), (2, "b"), (4, "a"), (4, "b")}
    # Findings aggregate with Spark SQL like any table.
    scan_column(df, ["a", "b"], key_cols=["region"]).createOrReplaceTempView("weir_findings")
    per_region = df.sparkSession.sql(
        "SELECT region, count(*) AS n FROM weir_findings GROUP BY region"
    ).collect()
    assert {r.region: r.n for r in per_region} == {"eu": 3, "us": 1}

    redacted = redact_column(df, ["a", "b"]).orderBy("n").collect()
    assert redacted[2].a is None and redacted[2].b is None  # nulls pass through
    assert [(r.a, r.b) for r in redacted] == [
        (weir.redact(a) if a is not None else None, weir.redact(b) if b is not None else None)
        for _, _, a, b in sorted(df.collect(), key=lambda r: r.n)
    ]


def test_redact_equals_weir_redact(lines: DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = weir.Policy.from_dict(
        {
            "default": "redact",
            "min_score": 0.5,
            "entities": {
                "CREDIT_CARD": {"action": "mask", "keep_last": 4},
                "EMAIL_ADDRESS": "hash",
                "US_SSN": "tokenize",
                "PHONE_NUMBER": "report",
            },
            "categories": {"secret": {"action": "redact", "template": "<{category}:{rule}>"}},
        }
    )
    result = redact_column(lines, "text", policy=policy)
    assert result.schema == lines.schema
    got = {r.id: r.text for r in result.collect()}
    # The executors had the key from spark.executorEnv; compute the same here with it.
    monkeypatch.setenv("WEIR_KEY", EXECUTOR_KEY)
    expected = {i: weir.redact(t, policy) if t is not None else None for i, t in enumerate(_rows())}
    assert got == expected
    assert any("[EMAIL_ADDRESS:" in (t or "") for t in got.values())
    assert any("<US_SSN_" in (t or "") for t in got.values())
    plain = {r.id: r.text for r in redact_column(lines, "text").collect()}
    assert plain == {i: weir.redact(t) if t is not None else None for i, t in enumerate(_rows())}


def test_fingerprints_use_the_executor_key(lines: DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = scan_column(lines, "text", key_cols=["id"], fingerprint=True, preview=True).collect()
    monkeypatch.setenv("WEIR_KEY", EXECUTOR_KEY)
    audit = Fingerprinter()  # the MCP audit log's fingerprints, under the same key
    assert not audit.ephemeral
    texts = _rows()
    for r in rows:
        f = next(f for f in weir.scan(texts[r.id]) if (f.start, f.end, f.rule) == (r.start, r.end, r.rule))
        assert r.fingerprint == audit(f)
        assert r.preview == f.preview
        assert f.value not in r.preview or len(f.value) < 4


def test_block_policy_withholds_or_fails_closed(lines: DataFrame) -> None:
    texts = _rows()

    def blocked(text: str | None) -> bool:
        try:
            weir.redact(text, "default")
        except weir.Blocked:
            return True
        return False

    result = redact_column(lines, "text", policy="default", flag_column="withheld")
    assert result.columns == [*lines.columns, "withheld"]
    got = {r.id: (r.text, r.withheld) for r in result.collect()}
    for i, text in enumerate(texts):
        if text is not None and blocked(text):
            assert got[i] == (None, True)
        else:
            expected = weir.redact(text, "default") if text is not None else None
            assert got[i] == (expected, False)
    assert sum(w for _, w in got.values()) > 10

    with pytest.raises(Exception, match="blocked by policy") as failed:
        redact_column(lines, "text", policy="default", on_block="raise").collect()
    assert "AKIAZ2XQ7RTVNBLZ4GRA" not in str(failed.value)


def test_one_scanner_per_worker_process(lines: DataFrame) -> None:
    scan_column(lines, "text", categories=["pii"]).count()

    def probe(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for _ in batches:
            builds = list(spark_worker.built.values())
            yield pa.RecordBatch.from_pydict(
                {"pid": [os.getpid()], "most": [max(builds, default=0)], "calls": [spark_worker.calls]}
            )

    stats = lines.mapInArrow(probe, "pid long, most long, calls long").collect()
    assert stats and all(s.most <= 1 for s in stats)  # never compiled twice for the same settings
    assert max(s.calls for s in stats) > 1  # and reused across batches


def test_driver_side_errors(lines: DataFrame, spark: SparkSession) -> None:
    with pytest.raises(TypeError, match="cast it first"):
        scan_column(lines, "id")
    with pytest.raises(ValueError, match="no column 'nope'"):
        redact_column(lines, "nope")
    with pytest.raises(ValueError, match="clash"):
        scan_column(lines.withColumnRenamed("id", "entity"), "text", key_cols=["entity"])
    with pytest.raises(ValueError, match="unknown categories"):
        scan_column(lines, "text", categories=["bogus"])
    with pytest.raises(weir.PolicyError, match="vault"):
        redact_column(lines, "text", policy=weir.Policy.from_dict({"vault": "tokens.db"}))
    with pytest.raises(ValueError, match="already exists"):
        redact_column(lines, "text", flag_column="id")


def test_a_worker_without_key_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEIR_KEY", raising=False)
    policy = weir.Policy.from_dict({"entities": {"EMAIL_ADDRESS": "hash"}})
    settings = Settings(policy=msgspec.to_builtins(policy))
    batch = pa.RecordBatch.from_pydict({"t": ["mail jane.doe@example.com"]})
    with pytest.raises(MissingKeyError):
        list(
            redact_batches(
                iter([batch]),
                key=settings.cache_key(),
                settings=settings,
                cols=["t"],
                on_block="withhold",
                flag_column=None,
            )
        )


def _example_job() -> Any:
    spec = importlib.util.spec_from_file_location("spark_logs", ROOT / "examples" / "spark_logs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_job_on_gzipped_logs(spark: SparkSession, tmp_path: Path) -> None:
    job = _example_job()
    logs = tmp_path / "logs"
    job.write_demo_logs(logs / "nested", files=3, lines=400)
    (logs / "plain.log").write_text("plain file, mail bob@example.org\n", encoding="utf-8")
    counts = job.run(spark, str(logs), str(tmp_path / "out"), policy="default", fingerprint=False)

    originals: list[str] = []
    for path in sorted(logs.rglob("*")):
        if path.is_file():
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as fh:
                originals.extend(fh.read().splitlines())
    expected = Counter(f.entity for line in originals for f in weir.scan(line, policy="default"))
    assert counts == dict(expected)
    assert {"EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN", "AWS_ACCESS_KEY_ID"} <= set(counts)

    def redacted(line: str) -> str:
        try:
            return weir.redact(line, "default")
        except weir.Blocked:
            return job.WITHHELD

    written = spark.read.text(str(tmp_path / "out" / "redacted")).collect()
    assert Counter(r.value for r in written) == Counter(redacted(line) for line in originals)
    findings = spark.read.parquet(str(tmp_path / "out" / "findings"))
    assert findings.where("file LIKE '%.log.gz'").count() > 0


def test_binary_values_and_large_strings_in_arrow_batches() -> None:
    """The worker side alone: binary cells give byte offsets and redact to bytes, as
    weir.scan/weir.redact on bytes do; large_string batches (useLargeVarTypes) come back large."""
    blobs = [b"mail jane.doe@example.com \xff\xfe", None, "héllo jane.doe@example.com".encode()]
    batch = pa.RecordBatch.from_pydict(
        {"k": pa.array(["a", "b", "c"], pa.large_string()), "blob": pa.array(blobs, pa.binary())}
    )
    settings = Settings()
    found = list(
        scan_batches(
            iter([batch]),
            key=settings.cache_key(),
            settings=settings,
            cols=["blob"],
            key_cols=["k"],
            fingerprint=False,
            preview=False,
            large_strings=True,
        )
    )
    assert found[0].schema.field("entity").type == pa.large_string()
    got = [(r["k"], r["entity"], r["start"], r["end"]) for r in found[0].to_pylist()]
    expected = [
        (k, f.entity, f.start, f.end)
        for k, blob in zip("abc", blobs, strict=True)
        if blob is not None
        for f in weir.scan(blob)
    ]
    assert got == expected and got[-1][2] == len("héllo ".encode())
    out = list(
        redact_batches(
            iter([batch]),
            key=settings.cache_key(),
            settings=settings,
            cols=["blob"],
            on_block="raise",
            flag_column=None,
        )
    )
    assert out[0].column("blob").to_pylist() == [weir.redact(b) if b is not None else None for b in blobs]
