"""``scan_column`` and ``redact_column``: DataFrame in, DataFrame out, checked on the driver.

Everything that can be wrong with a call (a missing or non-text column, a clashing name, a bad
policy, an unknown category, a rule file that does not compile) is raised here, on the driver,
before any task runs. The work itself is ``mapInArrow`` over ``batches``.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

import msgspec
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DoubleType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from weir.policy import Policy, PolicyError
from weir.rules import load_file
from weir.scanner import as_policy
from weir.spark.batches import (
    FINDING_COLUMNS,
    FINGERPRINT_COLUMN,
    PREVIEW_COLUMN,
    OnBlock,
    redact_batches,
    scan_batches,
)
from weir.spark.worker import Settings, prepared

_FINDING_FIELDS = StructType(
    [
        StructField("column_name", StringType(), False),
        StructField("entity", StringType(), False),
        StructField("rule", StringType(), False),
        StructField("category", StringType(), False),
        StructField("start", IntegerType(), False),
        StructField("end", IntegerType(), False),
        StructField("score", DoubleType(), False),
        StructField("decoded", StringType(), True),
    ]
)
assert tuple(_FINDING_FIELDS.fieldNames()) == FINDING_COLUMNS


def findings_schema(
    df: DataFrame, key_cols: Sequence[str] = (), *, fingerprint: bool = False, preview: bool = False
) -> StructType:
    """The schema ``scan_column`` returns: the key columns as they are in ``df``, then
    column_name, entity, rule, category, start, end, score, decoded (how a hidden value was
    hidden, null for plain text; and fingerprint, preview if asked)."""
    fields = [df.schema[k] for k in key_cols] + list(_FINDING_FIELDS.fields)
    if fingerprint:
        fields.append(StructField(FINGERPRINT_COLUMN, StringType(), False))
    if preview:
        fields.append(StructField(PREVIEW_COLUMN, StringType(), False))
    return StructType(fields)


def scan_column(
    df: DataFrame,
    col: str | Sequence[str],
    *,
    key_cols: Sequence[str] = (),
    entities: Collection[str] | None = None,
    categories: Collection[str] | None = None,
    min_score: float | None = None,
    policy: Policy | str | None = None,
    extra_rules: Iterable[str | Path] = (),
    fingerprint: bool = False,
    preview: bool = False,
) -> DataFrame:
    """Findings in one or more string (or binary) columns of ``df``, one row per finding, typed:
    ``key_cols`` as in ``df``, then ``column_name``, ``entity``, ``rule``, ``category``,
    ``start``, ``end`` (code points for strings, bytes for binary) and ``score``.

    The same findings ``weir.scan(value, entities=..., categories=..., min_score=...,
    policy=...)`` gives for each value. Matched values are never in the output; ``fingerprint``
    adds an HMAC-SHA-256 of each (keyed from ``WEIR_KEY`` on the executors, as the MCP audit log
    is; a task fails when no key is set), ``preview`` a masked preview.
    """
    cols = _columns(df, col)
    keys = list(key_cols)
    _check_exist(df, keys, "key column")
    clash = set(keys) & {*FINDING_COLUMNS, FINGERPRINT_COLUMN, PREVIEW_COLUMN}
    if clash:
        raise ValueError(
            f"key columns {sorted(clash)} clash with scan_column's output columns; rename them first"
        )
    settings = _settings(entities, categories, min_score, policy, extra_rules)
    run = functools.partial(
        scan_batches,
        key=settings.cache_key(),
        settings=settings,
        cols=tuple(cols),
        key_cols=tuple(keys),
        fingerprint=fingerprint,
        preview=preview,
        large_strings=_large_strings(df),
    )
    needed = list(dict.fromkeys([*keys, *cols]))
    schema = findings_schema(df, keys, fingerprint=fingerprint, preview=preview)
    return df.select(*[_ref(c) for c in needed]).mapInArrow(run, schema)


def redact_column(
    df: DataFrame,
    col: str | Sequence[str],
    *,
    policy: Policy | str | None = None,
    entities: Collection[str] | None = None,
    categories: Collection[str] | None = None,
    min_score: float | None = None,
    extra_rules: Iterable[str | Path] = (),
    on_block: OnBlock = "withhold",
    flag_column: str | None = None,
) -> DataFrame:
    """``df`` with each value of ``col`` (one name or several) replaced by what
    ``weir.redact(value, policy)`` returns; every other column and the schema unchanged.

    A value the policy blocks is never passed on: ``on_block="withhold"`` (the default) makes it
    null, and ``flag_column`` (when named) adds a boolean column that is true on such rows;
    ``on_block="raise"`` fails the task, and so the job, with ``weir.Blocked`` (entity counts,
    never values). Keys for ``hash`` and ``tokenize`` come from ``WEIR_KEY`` on the executors.
    """
    cols = _columns(df, col)
    if on_block not in ("withhold", "raise"):
        raise ValueError(f"on_block must be 'withhold' or 'raise', not {on_block!r}")
    schema = StructType(list(df.schema.fields))
    if flag_column is not None:
        if flag_column in df.columns:
            raise ValueError(
                f"flag column {flag_column!r} already exists in the DataFrame; pick another name"
            )
        schema = schema.add(StructField(flag_column, BooleanType(), False))
    settings = _settings(entities, categories, min_score, policy, extra_rules)
    run = functools.partial(
        redact_batches,
        key=settings.cache_key(),
        settings=settings,
        cols=tuple(cols),
        on_block=on_block,
        flag_column=flag_column,
    )
    return df.mapInArrow(run, schema)


def _columns(df: DataFrame, col: str | Sequence[str]) -> list[str]:
    cols = [col] if isinstance(col, str) else list(dict.fromkeys(col))
    if not cols:
        raise ValueError("name at least one column to scan")
    _check_exist(df, cols, "column")
    for c in cols:
        kind = df.schema[c].dataType
        if not isinstance(kind, (StringType, BinaryType)):
            raise TypeError(
                f"column {c!r} is {kind.simpleString()}; weir scans string and binary columns "
                f"(cast it first: df.withColumn({c!r}, df[{c!r}].cast('string')))"
            )
    return cols


def _check_exist(df: DataFrame, names: Sequence[str], what: str) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise ValueError(f"no {what} {missing[0]!r} in the DataFrame; it has {', '.join(df.columns)}")


def _settings(
    entities: Collection[str] | None,
    categories: Collection[str] | None,
    min_score: float | None,
    policy: Policy | str | None,
    extra_rules: Iterable[str | Path],
) -> Settings:
    """Settings for the workers, compiled once here so every mistake surfaces on the driver.
    Rule files are read here: executors need not have them."""
    pol = as_policy(policy) if policy is not None else None
    if pol is not None and pol.vault is not None:
        raise PolicyError(
            "the policy names a vault, a local SQLite file that Spark executors cannot share; "
            "drop `vault` (tokenize then gives keyed pseudonyms from WEIR_KEY) or redact with `weir redact`"
        )
    settings = Settings(
        entities=tuple(sorted(entities)) if entities is not None else None,
        categories=tuple(sorted(categories)) if categories is not None else None,
        min_score=min_score,
        policy=msgspec.to_builtins(pol) if pol is not None else None,
        extra_rules=tuple(rule.to_dict() for path in extra_rules for rule in load_file(path)),
    )
    prepared(settings.cache_key(), settings)  # compiled (and cached) here too: errors surface now
    return settings


def _large_strings(df: DataFrame) -> bool:
    """Whether Arrow batches carry Spark strings as large_string (Spark's useLargeVarTypes)."""
    conf = df.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    return str(conf).lower() == "true"


def _ref(name: str) -> Column:
    """A column by its exact name (dots and spaces taken literally)."""
    return F.col("`" + name.replace("`", "``") + "`")
