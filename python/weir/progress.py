"""A progress line on stderr for long runs: bytes done, MB/s, ETA. Only on a terminal."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO


class Progress:
    """Thread-safe byte counter that redraws at most ten times a second."""

    def __init__(self, total: int | None, stream: IO[str] | None = None, min_total: int = 32 << 20) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.enabled = self.stream.isatty() and (total is None or total >= min_total)
        self.done = 0
        self.started = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()

    def add(self, n: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            self.done += n
            now = time.monotonic()
            if now - self._last >= 0.1:
                self._last = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        line = f"  {_size(self.done)}"
        if self.total:
            pct = min(100.0, 100.0 * self.done / self.total)
            eta = (self.total - self.done) / rate if rate > 0 else 0.0
            line += f" / {_size(self.total)} ({pct:4.1f}%)  {_size(int(rate))}/s  ETA {eta:4.0f}s"
        else:
            line += f"  {_size(int(rate))}/s"
        self.stream.write("\r" + line.ljust(72))
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1000
    return f"{value:.1f} TB"
