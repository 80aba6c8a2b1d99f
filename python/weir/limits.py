"""Limits on what one in-memory scan may cost: input size, payload shape, image size and time.

Hostile input must get a clear error or bounded work, never a crash or a hang. The native scan is
linear in its input (Vectorscan plus a linear-time regex over bounded windows), so ``max_bytes``
bounds its time and memory; the other limits bound what is built before it (a payload's walk, an
image's pixels) and the stages after it (NER, OCR), between which ``max_seconds`` is checked.

Streams (``Scanner.stream()``, the CLI over files) keep a bounded tail whatever their length, so
``max_bytes`` does not apply to them.

Over a limit, ``LimitExceeded`` names the limit, what was seen and how to raise it, never a value.
Under a policy that blocks what it cannot see (its action for entity ``LIMIT_EXCEEDED``, else its
default, is ``block``), ``redact`` raises ``weir.Blocked`` instead.
"""

from __future__ import annotations

import time
from typing import Annotated

import msgspec

MAX_DEPTH = 512
"""The deepest payload nesting weir walks, and the most ``Limits.max_depth`` may be raised to:
redaction rebuilds a payload recursively, and no legitimate tool payload needs more."""

LIMIT_ENTITY = "LIMIT_EXCEEDED"
"""The entity a policy names to choose what happens to input over a limit."""


class Limits(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Bounds on one ``scan``/``redact`` call; in a policy file, the ``[limits]`` table."""

    max_bytes: Annotated[int, msgspec.Meta(ge=1)] = 64 << 20
    """Largest in-memory input: bytes for bytes input, code points for a ``str``, the sum of
    every key's and leaf's bytes for a payload. Default 64 MiB (about 0.1-0.3 s of native scan)."""
    max_depth: Annotated[int, msgspec.Meta(ge=1, le=MAX_DEPTH)] = MAX_DEPTH
    """Deepest nesting of dicts and lists in a payload. Default (and most) 512."""
    max_items: Annotated[int, msgspec.Meta(ge=1)] = 4_000_000
    """Most keys, values and list items in one payload, counted as the walk meets them, so a
    dict of 10 million keys is refused before it is walked. Default 4 million (a 1 million-key
    dict is 2 million items)."""
    max_findings: Annotated[int, msgspec.Meta(ge=1)] = 4_000_000
    """Most findings one call returns, counted before a Python object is made for any of them
    (a finding costs a few hundred bytes in Python): 64 MiB of back-to-back email addresses would
    otherwise need about 4 GB. Default 4 million. Streams (``Scanner.stream()``, the CLI) have no
    such bound: their findings leave as they are found."""
    max_pixels: Annotated[int, msgspec.Meta(ge=1)] = 40_000_000
    """Largest image, in pixels, checked from its header before any pixel is decoded
    (decompression bombs). Default 40 million (e.g. 8000 x 5000)."""
    max_image_bytes: Annotated[int, msgspec.Meta(ge=1)] = 64 << 20
    """Largest encoded image (file, bytes, or decoded base64). Default 64 MiB."""
    max_seconds: Annotated[float, msgspec.Meta(gt=0)] | None = 60.0
    """Wall-clock budget of one call, checked between stages (after the payload walk and scan,
    between NER segments, around OCR, whose Tesseract run gets the time left as its timeout).
    A native scan is not interrupted: ``max_bytes`` bounds it. None: no deadline. Default 60 s."""


UNITS = {
    "max_bytes": "bytes",
    "max_depth": "levels",
    "max_items": "items",
    "max_findings": "findings",
    "max_pixels": "pixels",
    "max_image_bytes": "bytes",
    "max_seconds": "seconds",
}


class LimitExceeded(ValueError):
    """Input over one of weir's limits. The message names the limit, the size seen and how to
    raise it, never any part of the input."""

    def __init__(
        self,
        limit: str,
        observed: float,
        allowed: float,
        what: str = "the input",
        *,
        at_least: bool = False,
        unit: str | None = None,
    ) -> None:
        self.limit = limit
        self.observed = observed
        """What was seen; with ``at_least``, where counting stopped (work ends at the limit)."""
        self.allowed = allowed
        unit = unit or UNITS.get(limit, "")
        seen, bound = _number(observed), _number(allowed)
        if at_least:
            seen = f"more than {bound}" if observed <= allowed else f"at least {seen}"
        super().__init__(
            f"{what} is over weir's {limit} limit ({seen} {unit}, allowed {bound}); "
            f"raise it with weir.Limits({limit}=...) or `{limit} = ...` in the policy's [limits] table"
        )


def _number(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:.3g}"


class Deadline:
    """The ``max_seconds`` budget of one call, started when it is made."""

    __slots__ = ("_end", "_seconds", "_start")

    def __init__(self, seconds: float | None) -> None:
        self._start = time.monotonic()
        self._seconds = seconds
        self._end = None if seconds is None else self._start + seconds

    def remaining(self) -> float | None:
        """Seconds left (at least a millisecond), or None without a deadline."""
        if self._end is None:
            return None
        return max(self._end - time.monotonic(), 0.001)

    def check(self, stage: str = "the input") -> None:
        """Raise ``LimitExceeded`` if the budget is spent; ``stage`` says what was running."""
        if self._end is None or self._seconds is None:
            return
        now = time.monotonic()
        if now > self._end:
            raise LimitExceeded("max_seconds", now - self._start, self._seconds, what=stage)


def check_size(size: int, limits: Limits, *, unit: str = "bytes") -> None:
    """Raise ``LimitExceeded`` when an in-memory input is over ``max_bytes``."""
    if size > limits.max_bytes:
        raise LimitExceeded("max_bytes", size, limits.max_bytes, unit=unit)
