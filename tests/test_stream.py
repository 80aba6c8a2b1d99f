"""Streaming: chunks of any size find exactly what one scan of the whole finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import weir

PIECES = [
    b"user jane.doe@example.com logged in\n",
    b"card=4111-1111-1111-1111 ",
    b"AKIAIOSFODNN7EXAMPLE ",
    b"iban GB82 WEST 1234 5698 7654 32\n",
    b"ssn: 536-22-1234 ",
    b"\xff\xfe\x00 binary-ish ",
    b"12345678901234567890 ",
    "ünïcode \u2013 ok\n".encode(),
    b"-----BEGIN RSA PRIVATE KEY-----\n"
    + b"MIIEpAIBAAKCAQEA7bq98VaB9xV1k3y5dHcE2Zk" * 3
    + b"\n-----END RSA PRIVATE KEY-----\n",
]


def stream_all(scanner: weir.Scanner, data: bytes, size: int) -> list[tuple[str, int, int, bytes]]:
    # min_block=1 scans at every feed, so chunk boundaries really fall inside matches.
    s = scanner.stream(min_block=1)
    out = []
    for i in range(0, len(data), size):
        out.extend(s.feed(data[i : i + size]))
    out.extend(s.close())
    return sorted((f.rule, f.start, f.end, bytes(f.value)) for f in out)


def block(scanner: weir.Scanner, data: bytes) -> list[tuple[str, int, int, bytes]]:
    return sorted((f.rule, f.start, f.end, bytes(f.value)) for f in scanner.scan(data))


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(st.sampled_from(PIECES), min_size=1, max_size=25),
    size=st.one_of(st.just(1), st.just(7), st.just(65536), st.integers(min_value=1, max_value=300)),
)
def test_any_chunking_equals_one_scan(scanner: weir.Scanner, parts: list[bytes], size: int) -> None:
    data = b"".join(parts)
    assert stream_all(scanner, data, size) == block(scanner, data)


def test_match_spanning_chunks_is_found(scanner: weir.Scanner) -> None:
    data = b"x" * 100 + b" jane.doe@example.com " + b"y" * 100
    got = stream_all(scanner, data, 110)
    assert any(v == b"jane.doe@example.com" for _, _, _, v in got)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_memory_stays_bounded_on_a_long_stream(scanner: weir.Scanner) -> None:
    s = scanner.stream()
    line = b"2024-01-01T00:00:00Z INFO request served in 12ms for user 42 from 10.1.2.3\n"
    chunk = line * 2000
    total = 0
    for i in range(200):
        if i == 20:
            warmed = rss_bytes()
        total += len(s.feed(chunk))
    total += len(s.close())
    assert s.position == len(chunk) * 200  # about 30 MB streamed
    assert total >= 200 * 2000  # every line's IP address
    assert rss_bytes() - warmed < 16 << 20
