"""The native JSON records (``Stream.feed_records``) are, byte for byte, what ``Hit.to_json``
writes: the CLI takes the native path for JSON output without a policy, the Python path with
one, and both must print the same report."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import weir
from weir import _core
from weir.cli import main
from weir.filescan import _collect
from weir.report import Hit, json_string

EMAIL = "jane.doe@example.com"


def tricky() -> bytes:
    """Findings of every kind a record can carry: plain, decoded, normalised, non-ASCII and
    unprintable values, invalid UTF-8 around them, long lines."""
    hidden = base64.b64encode(f"contact {EMAIL} now".encode()).decode()
    lines = [
        f"INFO user {EMAIL} card 4111 1111 1111 1111 ip 10.1.2.3",
        f"DEBUG payload={hidden}",
        "WARN card "
        + "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in "4111 1111 1111 1111")
        + " wide",
        "WARN zero\u200bwidth\u200bjoined\u200bword and an email j\u0430ne@example.com",
        "ERROR \x1b[8mhidden text\x1b[28m and \x1b]52;c;ZWNobyBoaQ==\x07 in a log line",
        "INFO token ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + " in é ü 漢字 text",
        "INFO aws AKIAZ2XQ7RTVNBLZ4GRA secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "x" * 5000 + f" {EMAIL}",
    ]
    data = "\n".join(lines).encode("utf-8")
    return data[:40] + b"\xff\xfe" + data[40:] + b"\n\xed\xa0\x80 tail jane@ex.io\n"


@pytest.mark.parametrize("show_values", [False, True])
@pytest.mark.parametrize("before,after", [(b",\n  ", b""), (b"", b"\n")])
def test_native_records_equal_the_python_records(show_values: bool, before: bytes, after: bytes) -> None:
    scanner = weir.Scanner()
    meta = [(r.entity, r.id, r.category) for r in scanner.rules]
    data = tricky() * 3
    name = "logs/app é.log"
    floor = 0.0

    hits: list[Hit] = []
    plain = scanner.engine.stream()
    for at in range(0, len(data), 777):
        _collect(plain.feed(data[at : at + 777]), name, meta, floor, hits)
    _collect(plain.close(), name, meta, floor, hits)
    expected = b"".join(before + h.to_json(show_values).encode("ascii") + after for h in hits)

    fmt = _core.RecordFormat(json_string(name), meta, show_values, floor, before, after)
    native = scanner.engine.stream()
    blobs, total = [], 0
    for at in range(0, len(data), 777):
        blob, counts = native.feed_records(data[at : at + 777], fmt)
        blobs.append(blob)
        total += sum(n for _, _, n in counts)
    blob, counts = native.close_records(fmt)
    blobs.append(blob)
    total += sum(n for _, _, n in counts)

    assert len(hits) > 20 and total == len(hits)
    assert {h.decoded for h in hits} >= {None, "base64", "normalized"}
    assert b"".join(blobs) == expected


def test_counts_are_per_rule_and_severity_and_respect_the_floor() -> None:
    scanner = weir.Scanner()
    meta = [(r.entity, r.id, r.category) for r in scanner.rules]
    fmt = _core.RecordFormat('"f"', meta, False, 0.85, b"", b"\n")
    stream = scanner.engine.stream()
    blob, counts = stream.feed_records(tricky(), fmt)
    tail, more = stream.close_records(fmt)
    rows = [json.loads(line) for line in (blob + tail).splitlines()]
    assert rows and all(r["score"] >= 0.85 and r["severity"] == "high" for r in rows)
    per_rule: dict[str, int] = {}
    for rule, sev, n in counts + more:
        assert sev == 2
        per_rule[meta[rule][1]] = per_rule.get(meta[rule][1], 0) + n
    seen: dict[str, int] = {}
    for r in rows:
        seen[r["rule"]] = seen.get(r["rule"], 0) + 1
    assert per_rule == seen


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_prints_the_same_report_on_both_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, jobs: str
) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(tricky() * 200)
    # A policy that reports everything sends every finding through Python (Hit.to_json).
    policy = tmp_path / "all.toml"
    policy.write_text('default = "report"\nmin_score = 0.0\n')
    args = ["scan", "--format", fmt, "-j", jobs, "--show-values"]
    assert main([*args, str(log)]) == 1
    native = capsys.readouterr().out
    assert main([*args, "--policy", str(policy), str(log)]) == 1
    python = capsys.readouterr().out
    assert native == python
    if fmt == "json":
        doc = json.loads(native)
        assert doc["totals"]["findings"] == len(doc["findings"]) > 1000
