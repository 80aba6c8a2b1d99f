"""Streaming: chunks of any size find exactly what one scan of the whole finds, scored the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import weir

PIECES = [
    b"user jane.doe@example.com logged in\n",
    b"card=4111-1111-1111-1111 ",
    b"AKIAZ2XQ7RTVNBLZ4GRA ",
    b"iban GB82 WEST 1234 5698 7654 32\n",
    b"ssn: 536-22-1234 ",
    b"\xff\xfe\x00 binary-ish ",
    b"12345678901234567890 ",
    "ünïcode \u2013 ok\n".encode(),
    # Hotwords after the values: a stream must wait for them before scoring (or, for the bare
    # phone number, reporting) the value.
    b"4111 1111 1111 1111, 4012-8888-8888-1881 were the cards\n",
    b"reach me at 4155552671 on my mobile ",
    b"-----BEGIN RSA PRIVATE KEY-----\n"
    + b"MIIEpAIBAAKCAQEA7bq98VaB9xV1k3y5dHcE2Zk" * 3
    + b"\n-----END RSA PRIVATE KEY-----\n",
]


Found = list[tuple[str, int, int, bytes, float]]


def stream_all(scanner: weir.Scanner, data: bytes, size: int) -> Found:
    # min_block=1 scans at every feed, so chunk boundaries really fall inside matches.
    s = scanner.stream(min_block=1)
    out = []
    for i in range(0, len(data), size):
        out.extend(s.feed(data[i : i + size]))
    out.extend(s.close())
    return sorted((f.rule, f.start, f.end, bytes(f.value), round(f.score, 6)) for f in out)


def block(scanner: weir.Scanner, data: bytes) -> Found:
    return sorted((f.rule, f.start, f.end, bytes(f.value), round(f.score, 6)) for f in scanner.scan(data))


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
    assert any(v == b"jane.doe@example.com" for _, _, _, v, _ in got)


def test_hotword_after_a_value_counts_in_a_stream(scanner: weir.Scanner) -> None:
    data = b"4111 1111 1111 1111, 4012-8888-8888-1881 were the cards\n" * 3
    whole = block(scanner, data)
    assert len(whole) == 6
    for size in range(1, 60):
        assert stream_all(scanner, data, size) == whole, size


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
