"""Scanning files for the CLI: one stream per input, inputs in parallel, findings with line and
column. The native engine releases the GIL, so plain threads use every core."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from weir import _core
from weir.inputs import DECOMPRESS_ERRORS, SNIFF, InputError, Source, looks_binary, open_source
from weir.limits import LimitExceeded
from weir.progress import Progress
from weir.report import Hit
from weir.report import json_string as _js
from weir.scanner import Scanner, _is_image

CHUNK = 2 << 20
"""Bytes read at a time per thread scanning the file: large enough for each thread's share of a
block to be worth it, small enough to keep memory flat (one thread: 2 MiB, 122 MiB peak on a
1 GB log; 1 MiB costs 9% of the speed, 4 MiB 10 MiB more memory)."""


Counts = list[tuple[int, int, int]]
"""(rule index, severity index, findings) for a batch of native records."""


@dataclass
class FileResult:
    source: Source
    hits: list[Hit] = field(default_factory=list)
    records: list[tuple[bytes, Counts]] = field(default_factory=list)
    """With ``ScanOptions.records``: the findings as JSON records, batch by batch."""
    bytes_scanned: int = 0
    error: str | None = None
    skipped: str | None = None


@dataclass(frozen=True)
class Records:
    """Findings written as JSON records by the native engine (``weir.report.Hit.to_json``, byte
    for byte), each between ``before`` and ``after``: no Python object per finding."""

    before: bytes
    after: bytes
    show_values: bool


@dataclass(frozen=True)
class ScanOptions:
    binary: bool = False
    threads: int = 1
    records: Records | None = None


OnHits = Callable[[list[Hit]], None]
OnRecords = Callable[[bytes, Counts], None]


def scan_source(
    scanner: Scanner,
    source: Source,
    options: ScanOptions,
    progress: Progress,
    on_hits: OnHits | None = None,
    on_records: OnRecords | None = None,
) -> FileResult:
    """Scan one input. A read error or a corrupt archive ends this input with an error; what was
    found before it is kept. With ``on_hits`` (or ``on_records`` when ``options.records``), the
    findings are handed over chunk by chunk (memory stays flat however many there are) instead
    of collected in the result."""
    result = FileResult(source)
    sink: list[Hit] = result.hits
    batches = result.records

    def deliver() -> None:
        if on_hits is not None and sink:
            on_hits(sink[:])
            sink.clear()
        if on_records is not None and batches:
            for blob, counts in batches:
                on_records(blob, counts)
            batches.clear()

    meta = [(r.entity, r.id, r.category) for r in scanner.rules]
    floor = scanner.floor
    try:
        stream_in, _compression = open_source(source)
    except InputError as e:
        result.error = str(e)
        return result
    native = scanner.engine.stream(1 << 16, options.threads)
    chunk_size = CHUNK * max(1, options.threads)
    fmt = options.records
    if fmt is None:

        def feed(chunk: bytes) -> Any:
            return native.feed(chunk)

        def close() -> Any:
            return native.close()

        def collect(raw: Any) -> None:
            _collect(raw, source.name, meta, floor, sink)
    else:
        spec = _core.RecordFormat(_js(source.name), meta, fmt.show_values, floor, fmt.before, fmt.after)

        def feed(chunk: bytes) -> Any:
            return native.feed_records(chunk, spec)

        def close() -> Any:
            return native.close_records(spec)

        def collect(raw: Any) -> None:
            if raw[1]:
                batches.append(raw)

    try:
        first = True
        while True:
            chunk = stream_in.read(chunk_size)
            if first:
                first = False
                if chunk and _is_image(chunk):
                    _scan_image_file(scanner, source, chunk, stream_in, result)
                    progress.add(result.bytes_scanned)
                    return result
                if chunk and not options.binary and looks_binary(chunk[:SNIFF]):
                    result.skipped = "binary file (NUL bytes); scan it with --binary"
                    return result
            if not chunk:
                break
            for raw, size in _fed(feed, chunk, stream_in, chunk_size, ahead=options.threads > 1):
                result.bytes_scanned += size
                progress.add(size)
                collect(raw)
                deliver()
            break
        collect(close())
        deliver()
    except DECOMPRESS_ERRORS as e:
        result.error = f"{source.name}: cannot read past byte {result.bytes_scanned}: {_reason(e)}"
    finally:
        if source.path != "-":
            stream_in.close()
    return result


def _fed(
    feed: Callable[[bytes], Any], first: bytes, stream_in: Any, chunk_size: int, *, ahead: bool
) -> Iterator[tuple[Any, int]]:
    """Each chunk's final findings and its size, ``first`` first, then the rest of ``stream_in``.
    With ``ahead`` the next chunk is read and scanned on a worker thread while the caller handles
    the findings of this one (the native scan releases the GIL): the per-finding Python work
    (lines, previews, JSON) then overlaps the scan instead of following it."""
    if not ahead:
        chunk = first
        while chunk:
            yield feed(chunk), len(chunk)
            chunk = stream_in.read(chunk_size)
        return

    def feed_next() -> tuple[Any, int] | None:
        chunk = stream_in.read(chunk_size)
        return (feed(chunk), len(chunk)) if chunk else None

    with ThreadPoolExecutor(max_workers=1) as pool:
        current: tuple[Any, int] | None = (feed(first), len(first))
        while current is not None:
            upcoming = pool.submit(feed_next)  # one at a time: the stream sees chunks in order
            yield current
            current = upcoming.result()


def _scan_image_file(
    scanner: Scanner, source: Source, head: bytes, stream_in: Any, result: FileResult
) -> None:
    """OCR an image file; each finding is reported at line 1 with its pixel box. Image files are
    read whole, so they are bounded by ``Limits.max_image_bytes`` (text files are streamed)."""
    limit = scanner.limits.max_image_bytes
    data = head + stream_in.read(max(limit + 1 - len(head), 0))
    result.bytes_scanned = len(data)
    from weir.ocr import OcrError

    try:
        found = scanner.scan(data).findings
    except (OcrError, LimitExceeded) as e:
        result.error = f"{source.name}: {e}"
        return
    for f in found:
        value = f.value.encode() if isinstance(f.value, str) else f.value
        result.hits.append(
            Hit(
                source.name,
                1,
                f.start + 1,
                f.start,
                f.end,
                f.entity,
                f.rule,
                f.category,
                f.score,
                value,
                f.box,
                f.decoded,
            )
        )


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def _collect(
    raw: list[_core.RawFinding],
    name: str,
    meta: Sequence[tuple[str, str, str]],
    floor: float,
    out: list[Hit],
) -> None:
    for i, s, e, score, value, decoded, _path, _in_key, line, column in raw:
        if score >= floor:
            assert isinstance(value, bytes) and line is not None and column is not None  # a stream's
            entity, rule, category = meta[i]
            out.append(Hit(name, line, column, s, e, entity, rule, category, score, value, decoded=decoded))


def scan_all(
    scanner: Scanner,
    sources: Sequence[Source],
    jobs: int,
    binary: bool,
    progress: Progress,
    on_hits: OnHits | None = None,
    records: Records | None = None,
    on_records: OnRecords | None = None,
) -> Iterator[FileResult]:
    """Results in input order. One input gets all ``jobs`` threads inside its stream and streams
    its hits to ``on_hits`` (its records to ``on_records``); many inputs are scanned ``jobs`` at
    a time, one thread each, and each result carries its hits or records."""
    if len(sources) == 1:
        options = ScanOptions(binary, jobs, records)
        yield scan_source(scanner, sources[0], options, progress, on_hits, on_records)
        return
    options = ScanOptions(binary, 1, records)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(lambda s: scan_source(scanner, s, options, progress), sources)
