"""The functions ``mapInArrow`` runs on the workers: Arrow record batches in, record batches out.

Each column of a batch is scanned with one native call over all its non-null values; the
worker's compiled scanner comes from ``worker.prepared`` and is reused across batches and tasks.
Nulls pass through unscanned and unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

import pyarrow as pa

from weir.masking import apply, decide
from weir.spark.worker import Prepared, Settings, prepared

OnBlock = Literal["withhold", "raise"]

# The finding columns scan_column adds after the key columns, in order.
FINDING_COLUMNS = ("column_name", "entity", "rule", "category", "start", "end", "score", "decoded")
FINGERPRINT_COLUMN = "fingerprint"
PREVIEW_COLUMN = "preview"


def _non_null(column: pa.Array | pa.ChunkedArray) -> tuple[list[int], list[str | bytes]]:
    """Row indices and values of the non-null cells (str for strings, bytes for binary)."""
    values = column.to_pylist()
    if column.null_count == 0:
        return list(range(len(values))), values
    rows = [i for i, v in enumerate(values) if v is not None]
    return rows, [values[i] for i in rows]


def scan_batches(
    batches: Iterator[pa.RecordBatch],
    *,
    key: str,
    settings: Settings,
    cols: Sequence[str],
    key_cols: Sequence[str],
    fingerprint: bool,
    preview: bool,
    large_strings: bool,
) -> Iterator[pa.RecordBatch]:
    """One output row per finding: the row's key columns, the column it was found in, then
    entity, rule, category, start, end (code points for strings, bytes for binary), score and
    decoded (None for plain text)."""
    text = pa.large_string() if large_strings else pa.string()
    names = [*key_cols, *FINDING_COLUMNS]
    names += [FINGERPRINT_COLUMN] if fingerprint else []
    names += [PREVIEW_COLUMN] if preview else []
    for batch in batches:
        state = prepared(key, settings)
        # Column-wise accumulators; rule and column names are indices, expanded by Arrow at the end.
        rows: list[int] = []
        in_col: list[int] = []
        rule_at: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        scores: list[float] = []
        decoded: list[str | None] = []
        extra: list[str] = []  # fingerprint and/or preview, interleaved per finding
        plain = state.policy is None and not fingerprint and not preview
        for c, col in enumerate(cols):
            where, values = _non_null(batch.column(col))
            if plain:  # the hot path: the engine's tuples, no Finding objects
                for row, found in zip(where, state.raw(values), strict=True):
                    for i, start, end, score, _value, how, *_place in found:
                        rows.append(row)
                        in_col.append(c)
                        rule_at.append(i)
                        starts.append(start)
                        ends.append(end)
                        scores.append(score)
                        decoded.append(how)
                continue
            for row, reported in zip(where, state.reported(values), strict=True):
                for f in reported:
                    rows.append(row)
                    in_col.append(c)
                    rule_at.append(state.rule_index[f.rule])
                    starts.append(f.start)
                    ends.append(f.end)
                    scores.append(f.score)
                    decoded.append(f.decoded)
                    if fingerprint:
                        extra.append(state.fingerprint(f))
                    if preview:
                        extra.append(f.preview)
        if not rows:
            continue
        taken = pa.array(rows, pa.int64())
        rule_idx = pa.array(rule_at, pa.int32())
        arrays: list[pa.Array] = [batch.column(k).take(taken) for k in key_cols]
        arrays.append(pa.array(list(cols), text).take(pa.array(in_col, pa.int32())))
        arrays += [pa.array(names_, text).take(rule_idx) for names_ in state.rule_columns]
        arrays += [pa.array(starts, pa.int32()), pa.array(ends, pa.int32()), pa.array(scores, pa.float64())]
        arrays.append(pa.array(decoded, text))
        step = int(fingerprint) + int(preview)
        arrays += [pa.array(extra[k::step], text) for k in range(step)]
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def redact_values(
    state: Prepared, values: Sequence[str | bytes], on_block: OnBlock
) -> list[str | bytes | None]:
    """Each value as ``weir.redact(value, policy)`` returns it; ``None`` for a value the policy
    blocks (``on_block="withhold"``), or ``Blocked`` raised (``"raise"``), naming only counts."""
    out: list[str | bytes | None] = []
    for value, fs in zip(values, state.findings(values), strict=True):
        decided = decide(fs, state.policy, enforce=False) if fs else None
        if decided is None:
            out.append(value)
        elif decided.blocked:
            if on_block == "raise":
                decided.enforce()
            out.append(None)
        else:
            out.append(apply(value, decided, state.policy))
    return out


def redact_batches(
    batches: Iterator[pa.RecordBatch],
    *,
    key: str,
    settings: Settings,
    cols: Sequence[str],
    on_block: OnBlock,
    flag_column: str | None,
) -> Iterator[pa.RecordBatch]:
    """Each batch with ``cols`` redacted, every other column as it came; with ``flag_column``, a
    boolean column that is true where a value was withheld."""
    for batch in batches:
        state = prepared(key, settings)
        names = list(batch.schema.names)
        arrays = list(batch.columns)
        withheld = [False] * batch.num_rows
        for col in cols:
            at = names.index(col)
            column = arrays[at]
            where, values = _non_null(column)
            redacted = redact_values(state, values, on_block)
            if all(new is old for new, old in zip(redacted, values, strict=True)):
                continue  # nothing changed: keep the original array
            cells: list[str | bytes | None] = [None] * batch.num_rows
            for row, new in zip(where, redacted, strict=True):
                cells[row] = new
                if new is None:
                    withheld[row] = True
            arrays[at] = pa.array(cells, column.type)
        if flag_column is not None:
            arrays.append(pa.array(withheld, pa.bool_()))
            names.append(flag_column)
        yield pa.RecordBatch.from_arrays(arrays, names=names)
