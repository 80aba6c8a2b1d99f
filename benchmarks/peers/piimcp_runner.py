"""pii-mcp's scrubber over the records weir is scored on; runs inside ``.venv-peers``.

    .venv-peers/bin/python benchmarks/peers/piimcp_runner.py IN.json [--out OUT.json]
    .venv-peers/bin/python benchmarks/peers/piimcp_runner.py --payload P.json --calls N

pii-mcp (PyPI ``pii-mcp``, foro.sh, MIT) is a pattern-only (regex + checksum) PII masker for MCP
tool results with a Rust core (``pii_mcp._native``, PyO3). Its API is ``scrub_text(text)`` ->
``{"text", "found", "counts"}`` and ``scrub_payload(obj)`` -> ``{"payload", "found", "counts"}``:
it returns masked text with placeholders such as ``[EMAIL]`` and per-type counts, but no offsets.
It has no dependencies, no model and never touches the network; it does no NER (its ``person``
count is always 0 by design) and its ``location`` detector finds coordinates, not place names.

Text mode (``IN.json``, the same input as ``presidio_runner.py``: ``{"labelled": [...], ...}``)
prints one JSON object::

    {"versions": {...}, "backend": "native", "languages": [...], "entities": [...],
     "sets": {NAME: {"records": n, "bytes": b, "seconds": s, "unaligned": k,
                     "predictions": [[[start, end, entity, 1.0], ...], ...]}}}

``seconds`` is ``scrub_text(text)`` called once per record. The spans are recovered afterwards
(outside the timing) by aligning each masked output with its input: the text between placeholders
is copied verbatim, so each placeholder stands for the input between the neighbouring literal
pieces. A record whose output cannot be aligned (``unaligned``) gets no predictions. Offsets count
code points. Placeholders are renamed to weir's (Presidio's) entity names where they mean the same
thing (``ENTITY_MAP``); the rest keep pii-mcp's name, so the scorer ignores them.

Payload mode (``--payload``) times ``scrub_payload(obj)`` per call on one JSON document and prints
``{"versions": ..., "calls": n, "bytes": b, "us": [per-call microseconds, ...]}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

# Language packs: pii-mcp's default is ("en", "nl"); "de" is opt-in.
DEFAULT_LANGUAGES = ("en", "nl")

# pii-mcp placeholder -> weir (Presidio) entity where they mean the same thing. [SSN] also covers
# grouped UK NHS numbers and [TAX_ID] US ITINs / UK NINOs / DE IdNr, [LOCATION] is decimal or DMS
# coordinates (not a place name), so those are left as pii-mcp's own names.
ENTITY_MAP = {
    "EMAIL": "EMAIL_ADDRESS",
    "IBAN": "IBAN_CODE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP": "IP_ADDRESS",
    "PHONE": "PHONE_NUMBER",
    "SSN": "US_SSN",
    "MAC": "MAC_ADDRESS",
    "BIC": "SWIFT_BIC",
    "ADDRESS": "STREET_ADDRESS",
    "LOCATION": "COORDINATES",
}
PLACEHOLDERS = (
    "EMAIL",
    "IBAN",
    "CREDIT_CARD",
    "BIC",
    "MAC",
    "IMEI",
    "IP",
    "LOCATION",
    "BSN",
    "SSN",
    "TAX_ID",
    "VAT_ID",
    "PASSPORT",
    "PHONE",
    "ADDRESS",
    "LICENSE_PLATE",
)
PLACEHOLDER_RE = re.compile(r"\[(" + "|".join(PLACEHOLDERS) + r")\]")


def _no_network(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("piimcp_runner: something tried to use the network; the comparison must run offline")


def _offline() -> None:
    socket.getaddrinfo = _no_network  # type: ignore[assignment]
    socket.create_connection = _no_network  # type: ignore[assignment]
    socket.socket.connect = _no_network  # type: ignore[method-assign]


def align(original: str, masked: str) -> list[tuple[int, int, str]] | None:
    """Spans of ``original`` that ``masked`` replaced with placeholders, or None if unalignable.

    ``masked`` is ``L0 [P1] L1 [P2] ... Ln`` with the literal pieces copied from ``original``;
    each placeholder stands for a non-empty run of ``original``. The pieces are matched in order,
    the first possible end for each placeholder (a lazy match anchored at both ends).
    """
    pieces = PLACEHOLDER_RE.split(masked)
    literals, kinds = pieces[0::2], pieces[1::2]
    if not kinds:
        return [] if masked == original else None
    if PLACEHOLDER_RE.search(original):
        return None  # the input itself contains placeholder text: ambiguous
    pattern = re.escape(literals[0]) + "".join("(.+?)" + re.escape(lit) for lit in literals[1:])
    m = re.fullmatch(pattern, original, re.DOTALL)
    if m is None:
        return None
    return [(m.start(i + 1), m.end(i + 1), ENTITY_MAP.get(k, k)) for i, k in enumerate(kinds)]


def _versions() -> dict[str, str]:
    import pii_mcp

    return {
        "pii-mcp": metadata.version("pii-mcp"),
        "backend": "native" if pii_mcp.using_native() else "python",
    }


def run_text(sets: dict[str, list[str]], languages: tuple[str, ...]) -> dict[str, Any]:
    _offline()
    from pii_mcp import scrub_text

    scrub_text("warm up: ada@example.com, 4111 1111 1111 1111", languages=languages)
    out: dict[str, Any] = {
        "versions": _versions(),
        "python": sys.version.split()[0],
        "languages": list(languages),
        "entities": sorted({ENTITY_MAP.get(k, k) for k in PLACEHOLDERS}),
        "sets": {},
    }
    for name, texts in sets.items():
        t = time.perf_counter()
        masked = [scrub_text(text, languages=languages)["text"] for text in texts]
        seconds = time.perf_counter() - t
        preds: list[list[list[Any]]] = []
        unaligned = 0
        for text, m in zip(texts, masked, strict=True):
            spans = align(text, m)
            if spans is None:
                unaligned += 1
                spans = []
            preds.append([[s, e, ent, 1.0] for s, e, ent in spans])
        out["sets"][name] = {
            "records": len(texts),
            "bytes": sum(len(x.encode("utf-8")) for x in texts),
            "seconds": round(seconds, 4),
            "unaligned": unaligned,
            "predictions": preds,
        }
    return out


def run_payload(payload: Any, calls: int, languages: tuple[str, ...]) -> dict[str, Any]:
    _offline()
    from pii_mcp import scrub_payload

    for _ in range(min(50, calls)):
        scrub_payload(payload, languages=languages)
    us: list[float] = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        scrub_payload(payload, languages=languages)
        us.append((time.perf_counter_ns() - t) / 1000)
    result = scrub_payload(payload, languages=languages)
    return {
        "versions": _versions(),
        "languages": list(languages),
        "calls": calls,
        "bytes": len(json.dumps(payload).encode("utf-8")),
        "found": {k: v for k, v in result["counts"].items() if v},
        "us": us,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("input", nargs="?", help="JSON object: set name -> list of texts")
    ap.add_argument("--out", help="write the result here instead of stdout")
    ap.add_argument("--payload", help="time scrub_payload on this JSON document instead")
    ap.add_argument("--calls", type=int, default=2000, help="calls to time with --payload")
    ap.add_argument(
        "--languages",
        default=",".join(DEFAULT_LANGUAGES),
        help="pii-mcp language packs, comma-separated (en, nl, de)",
    )
    args = ap.parse_args(argv)
    if os.environ.get("PII_MCP_BACKEND", "").lower() in ("python", "py"):
        print("note: PII_MCP_BACKEND=python forces pii-mcp's pure-Python path", file=sys.stderr)
    languages = tuple(x for x in args.languages.split(",") if x)
    if args.payload:
        payload = json.loads(Path(args.payload).read_text(encoding="utf-8"))
        result = run_payload(payload, args.calls, languages)
    elif args.input:
        sets = json.loads(Path(args.input).read_text(encoding="utf-8"))
        if not isinstance(sets, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in sets.values()
        ):
            print(f"{args.input}: expected a JSON object of set name -> list of strings", file=sys.stderr)
            return 2
        result = run_text(sets, languages)
    else:
        ap.error("give IN.json or --payload P.json")
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
