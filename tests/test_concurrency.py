"""Threads and resources: one Scanner shared by many threads gives single-threaded results, a
million scans do not grow memory, and every long native call lets other Python threads run."""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import weir
from weir.scanner import deny_rule

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
KEY = "AKIAZ2XQ7RTVNBLZ4GRA"


def inputs() -> list[Any]:
    """Varied inputs: str with non-ASCII, bytes with invalid UTF-8, payloads, nothing at all."""
    out: list[Any] = []
    for i in range(40):
        out.append(f"row {i} é {EMAIL} ünd card {CARD} " * (i % 3 + 1))
        out.append(f"\xff{i} key {KEY} mail {i}{EMAIL}\x00".encode("latin-1"))
        out.append({"user": {"email": f"u{i}.{EMAIL}", "ssn": "078-05-1120"}, "cards": [CARD] * (i % 4)})
        out.append(f"nothing to see in line {i}")
    return out


def run_all(scanner: weir.Scanner, items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.append([(f.entity, f.start, f.end, f.path, f.value) for f in scanner.scan(item).findings])
        out.append(scanner.redact(item))
    return out


def test_many_threads_on_one_scanner_match_one_thread() -> None:
    scanner = weir.Scanner()
    items = inputs()
    expected = run_all(scanner, items)
    assert any(expected[::2])  # something is found, so equality means something

    # Each thread walks the inputs from a different starting point, so different inputs are in
    # flight at the same moment; each pass must give the same results.
    def worker(shift: int) -> list[Any]:
        rotated = items[shift:] + items[:shift]
        got = run_all(scanner, rotated)
        for _ in range(4):
            assert run_all(scanner, rotated) == got
        k = 2 * shift  # a scan and a redaction per input: rotate back
        return got[-k:] + got[:-k] if k else got

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(worker, [0, 7, 19, 33, 50, 81, 101, 150]))
    for got in results:
        assert got == expected

    stream_expected = _stream_all(scanner)
    with ThreadPoolExecutor(max_workers=8) as pool:
        streamed = list(pool.map(lambda _: _stream_all(scanner), range(8)))
    assert all(s == stream_expected for s in streamed) and stream_expected


def _stream_all(scanner: weir.Scanner) -> list[tuple[str, int, int]]:
    stream = scanner.stream(min_block=4096)
    data = b"".join(f"line {i} {EMAIL} {CARD}\n".encode() for i in range(2000))
    found = []
    for at in range(0, len(data), 1000):  # chunks split values: spans must still be exact
        found += stream.feed(data[at : at + 1000])
    found += stream.close()
    return [(f.entity, f.start, f.end) for f in found]


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


CALLS = int(os.environ.get("WEIR_RSS_CALLS", "1000000"))


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_rss_is_flat_over_a_million_scans() -> None:
    texts = [f"ticket {i}: mail {EMAIL}, card {CARD}" if i % 4 == 0 else f"plain line {i}" for i in range(64)]
    for text in texts * 200:  # warm up: shared scanner, caches, allocator pools
        weir.scan(text)
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    found = 0
    for i in range(CALLS):
        found += len(weir.scan(texts[i & 63]).findings)
    elapsed = time.perf_counter() - started
    gc.collect()
    grown = rss_bytes() - before
    assert found == CALLS // 4 * 2
    print(f"{CALLS} scans in {elapsed:.1f} s; RSS grew {grown / 1e6:.1f} MB")
    assert grown < 20 * (1 << 20), f"RSS grew by {grown / (1 << 20):.1f} MiB over {CALLS} scans"


# --- the GIL ---------------------------------------------------------------------------------


class Counter(threading.Thread):
    """Counts loop iterations until stopped: how much Python work other threads get done."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.count = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.count += 1


def progress_during(call: Callable[[], object]) -> tuple[float, float]:
    """(iterations per second of a counting thread while ``call`` runs in this thread, seconds
    ``call`` took). While the GIL is held the counter cannot move at all."""
    counter = Counter()
    counter.start()
    time.sleep(0.05)  # let it get going
    start_count, started = counter.count, time.perf_counter()
    call()
    elapsed = time.perf_counter() - started
    counted = counter.count - start_count
    counter.running = False
    counter.join()
    return counted / elapsed, elapsed


def baseline_rate() -> float:
    rate, _ = progress_during(lambda: time.sleep(0.3))  # sleep releases the GIL: the best case
    return rate


SIZE = 32 << 20
BIG = ("lorem ipsum dolor " * (SIZE // 18))[:SIZE]
BIG_BYTES = BIG.encode()
PAYLOAD = {"rows": [BIG[i : i + (1 << 20)] for i in range(0, SIZE, 1 << 20)]}


def _compiler() -> Callable[[weir.Scanner], object]:
    base = weir.Scanner(categories=["financial", "pii"]).rules  # ~0.5 s to compile; all: ~12 s

    def compile_new(_: weir.Scanner) -> object:
        # A new pattern each time: no compile cache to hit, so Vectorscan really compiles.
        return weir.Scanner(rules=[*base, deny_rule(0, f"term-{time.time_ns()}")])

    return compile_new


def _repeated(call: Callable[[weir.Scanner], object]) -> Callable[[], Callable[[weir.Scanner], object]]:
    # Four calls in a row: one scan of 32 MB of plain prose takes under 0.1 s, too short to tell.
    return lambda: lambda s: [call(s) for _ in range(4)]


# Inputs are built beforehand: what is measured is the call, not Python building its argument.
CALLS_UNDER_TEST: dict[str, Callable[[], Callable[[weir.Scanner], object]]] = {
    "scan str": _repeated(lambda s: s.scan(BIG)),
    "scan bytes": _repeated(lambda s: s.scan(BIG_BYTES)),
    "scan payload": _repeated(lambda s: s.scan(PAYLOAD)),
    "stream feed": _repeated(lambda s: s.stream().feed(BIG_BYTES)),
    "compile": _compiler,
}


RELEASED = 0.2
"""A counter keeps more than this share of its pace beside a call that releases the GIL. Beside
one that holds it, it gets at most a switch interval (5 ms) per call: ~0.05 of a 0.1 s call."""


@pytest.mark.parametrize("name", list(CALLS_UNDER_TEST))
def test_long_native_calls_release_the_gil(name: str) -> None:
    scanner = weir.Scanner()
    call = CALLS_UNDER_TEST[name]()
    if name != "compile":
        call(scanner)  # warm: first-use compiles (the joined payload database) are not measured
    shares = []
    for _ in range(3):  # the machine is shared: a busy moment may slow the counter, not stop it
        baseline = baseline_rate()
        rate, elapsed = progress_during(lambda: call(scanner))
        assert elapsed > 0.1, f"{name} took {elapsed:.3f} s: too short to tell"
        shares.append(rate / baseline)
        if shares[-1] > RELEASED:
            break
    assert max(shares) > RELEASED, f"{name}: the counter kept only {shares} of its pace"


def test_the_gil_check_catches_a_call_that_holds_it() -> None:
    """The control: ``bytes.count`` holds the GIL, and the measure above sees it."""
    big = BIG_BYTES * 10  # long enough (0.3 s or more) on a quiet machine too
    baseline = baseline_rate()
    rate, elapsed = progress_during(lambda: big.count(b"zq"))
    assert elapsed > 0.1, f"the control took {elapsed:.3f} s: too short to tell"
    assert rate / baseline < RELEASED
