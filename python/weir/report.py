"""Report formats for the CLI: text for people, JSON / JSON Lines for programs.

Values are masked in every format unless the caller asks for them (``show_values``).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from typing import IO, Any, NamedTuple, Protocol
from urllib.parse import quote

from weir.results import mask_preview
from weir.rules import Rule

SEVERITY_FLOORS = {"low": 0.0, "medium": 0.5, "high": 0.8}
"""A finding's severity is the highest level whose score floor it reaches."""
SEVERITIES = ("low", "medium", "high")
"""Severity by index, as the native records count them."""


def severity(score: float) -> str:
    if score >= SEVERITY_FLOORS["high"]:
        return "high"
    if score >= SEVERITY_FLOORS["medium"]:
        return "medium"
    return "low"


class Hit(NamedTuple):
    """A finding in a file, as the CLI reports it."""

    file: str
    line: int
    column: int
    start: int
    end: int
    entity: str
    rule: str
    category: str
    score: float
    value: bytes
    box: tuple[int, int, int, int] | None = None
    """For findings in images: (left, top, width, height) in pixels."""
    decoded: str | None = None
    """How the value was hidden ("base64", "url/base64", "normalized", ...); None if plain."""

    def preview(self) -> str:
        return mask_preview(self.value)

    def to_json(self, show_values: bool) -> str:
        """``json.dumps(self.as_dict(show_values))``, built directly: reports write one per
        finding, and logs can hold hundreds of thousands. Rule ids, entities and categories are
        identifiers (the rule schema enforces it); the file, preview and value are escaped."""
        value = f', "value": {_js(self.value.decode("utf-8", "replace"))}' if show_values else ""
        if self.box is not None:
            value += f', "box": [{", ".join(map(str, self.box))}]'
        if self.decoded is not None:
            value += f', "decoded": {_js(self.decoded)}'
        return (
            f'{{"file": {_js(self.file)}, "line": {self.line}, "column": {self.column}, '
            f'"start": {self.start}, "end": {self.end}, "entity": "{self.entity}", "rule": "{self.rule}", '
            f'"category": "{self.category}", "score": {round(self.score, 4)}, '
            f'"severity": "{severity(self.score)}", "preview": {_js(self.preview())}{value}}}'
        )

    def as_dict(self, show_values: bool) -> dict[str, Any]:
        d: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "start": self.start,
            "end": self.end,
            "entity": self.entity,
            "rule": self.rule,
            "category": self.category,
            "score": round(self.score, 4),
            "severity": severity(self.score),
            "preview": self.preview(),
        }
        if show_values:
            d["value"] = self.value.decode("utf-8", "replace")
        if self.box is not None:
            d["box"] = list(self.box)
        if self.decoded is not None:
            d["decoded"] = self.decoded
        return d


class Report(Protocol):
    """Where findings go: one call per finding, then the totals."""

    def hit(self, h: Hit) -> None: ...
    def finish(self, totals: Totals) -> None: ...


_js = json.encoder.encode_basestring_ascii
json_string = _js
"""A str as a JSON string, ASCII only, as ``Hit.to_json`` writes it (and the native records)."""


def use_color(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class TextReport:
    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.out, self.show_values, self.color = out, show_values, use_color(out)

    def _c(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def hit(self, h: Hit) -> None:
        sev = severity(h.score)
        colour = {"high": "1;31", "medium": "33", "low": "36"}[sev]
        shown = _printable(h.value.decode("utf-8", "replace")) if self.show_values else h.preview()
        where = self._c("35", f"{h.file}:{h.line}:{h.column}")
        box = f", box {h.box}" if h.box is not None else ""
        box += f", decoded {h.decoded}" if h.decoded is not None else ""
        self.out.write(
            f"{where}: {self._c(colour, h.entity)} {shown} ({h.rule}, score {h.score:.2f}, {sev}{box})\n"
        )

    def finish(self, totals: Totals) -> None:
        summary = ", ".join(f"{e} {n}" for e, n in totals.by_entity.most_common()) or "nothing found"
        sys.stderr.write(
            f"weir: {totals.findings} findings in {totals.files} files ({totals.bytes_scanned} bytes): {summary}\n"
        )


class JsonReport:
    """One JSON object: ``findings`` and ``totals``. Written as it goes, so memory stays flat."""

    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.out, self.show_values = out, show_values
        self.count = 0
        self.out.write('{"findings": [')

    def hit(self, h: Hit) -> None:
        self.out.write(("\n  " if self.count == 0 else ",\n  ") + h.to_json(self.show_values))
        self.count += 1

    RECORDS = (b",\n  ", b"")
    """What the native records are written between (see ``filescan.Records``)."""

    def records(self, blob: bytes, n: int) -> None:
        """``n`` records written natively, each after ``,\\n  ``."""
        if self.count == 0:
            blob = b"\n  " + blob[len(self.RECORDS[0]) :]
        _write_bytes(self.out, blob)
        self.count += n

    def finish(self, totals: Totals) -> None:
        self.out.write(f'\n], "totals": {json.dumps(totals.as_dict())}}}\n')


class JsonLinesReport:
    """One JSON object per finding, written as found."""

    def __init__(self, out: IO[str], show_values: bool) -> None:
        self.out, self.show_values = out, show_values

    def hit(self, h: Hit) -> None:
        self.out.write(h.to_json(self.show_values) + "\n")

    RECORDS = (b"", b"\n")

    def records(self, blob: bytes, n: int) -> None:
        _write_bytes(self.out, blob)

    def finish(self, totals: Totals) -> None:
        pass


def _write_bytes(out: IO[str], blob: bytes) -> None:
    """Bytes onto a text stream: straight to its buffer when it has one (after what the text
    layer holds), else decoded (the records are ASCII)."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(blob.decode("ascii"))
        return
    out.flush()
    buffer.write(blob)


SARIF_LEVEL = {"high": "error", "medium": "warning", "low": "note"}


class SarifReport:
    """SARIF 2.1.0: one run, the rules that fired as ``tool.driver.rules``, one result per finding.
    Messages carry the masked preview only."""

    def __init__(self, out: IO[str], show_values: bool, rules: Sequence[Rule], version: str) -> None:
        self.out, self.show_values, self.version = out, show_values, version
        self.rules = {r.id: r for r in rules}
        self.count = 0
        self.used: dict[str, int] = {}
        self.notifications: list[dict[str, Any]] = []
        # Results are written as found; the tool section (which lists the rules that fired) goes
        # after them, since JSON members are unordered.
        self.out.write(
            '{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", '
            '"runs": [{"columnKind": "unicodeCodePoints", "results": ['
        )

    def hit(self, h: Hit) -> None:
        index = self.used.setdefault(h.rule, len(self.used))
        text = h.value.decode("utf-8", "replace")
        lines = text.split("\n")
        end_line = h.line + len(lines) - 1
        end_column = (h.column if len(lines) == 1 else 1) + len(lines[-1])
        shown = text if self.show_values else h.preview()
        properties: dict[str, Any] = {"entity": h.entity, "category": h.category, "score": round(h.score, 4)}
        if h.decoded is not None:
            properties["decoded"] = h.decoded
        result = {
            "ruleId": h.rule,
            "ruleIndex": index,
            "level": SARIF_LEVEL[severity(h.score)],
            "message": {"text": f"{h.entity} found: {shown} (score {h.score:.2f})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(h.file)},
                        "region": {
                            "startLine": h.line,
                            "startColumn": h.column,
                            "endLine": end_line,
                            "endColumn": end_column,
                            "byteOffset": h.start,
                            "byteLength": h.end - h.start,
                        },
                    }
                }
            ],
            "properties": properties,
        }
        self.out.write(("\n" if self.count == 0 else ",\n") + json.dumps(result))
        self.count += 1

    def error(self, message: str) -> None:
        self.notifications.append({"level": "error", "message": {"text": message}})

    def finish(self, totals: Totals) -> None:
        rules = []
        for rule_id in self.used:
            r = self.rules.get(rule_id)
            rules.append(
                {
                    "id": rule_id,
                    "name": r.name if r else rule_id,
                    "shortDescription": {"text": r.name if r else rule_id},
                    "helpUri": r.references[0] if r and r.references else None,
                    "properties": {"entity": r.entity, "category": r.category, "tags": [r.category, r.entity]}
                    if r
                    else {},
                }
            )
        for rule in rules:
            if rule["helpUri"] is None:
                del rule["helpUri"]
        tool = {"driver": {"name": "weir", "version": self.version, "rules": rules}}
        tool["driver"]["informationUri"] = "https://pypi.org/project/weir-dlp/"
        invocations = [
            {"executionSuccessful": totals.errors == 0, "toolExecutionNotifications": self.notifications}
        ]
        self.out.write(f'\n], "tool": {json.dumps(tool)}, "invocations": {json.dumps(invocations)}}}]}}\n')


def _uri(path: str) -> str:
    """A relative URI reference for a file path (SARIF artifactLocation.uri)."""
    if path == "<stdin>":
        return "stdin"
    return quote(path.replace(os.sep, "/"), safe="/:._-~")


def make_report(fmt: str, out: IO[str], show_values: bool, rules: Sequence[Rule], version: str) -> Report:
    if fmt == "sarif":
        return SarifReport(out, show_values, rules, version)
    if fmt == "json":
        return JsonReport(out, show_values)
    if fmt == "jsonl":
        return JsonLinesReport(out, show_values)
    return TextReport(out, show_values)


class Totals:
    def __init__(self) -> None:
        self.files = 0
        self.bytes_scanned = 0
        self.findings = 0
        self.errors = 0
        self.skipped = 0
        self.by_entity: Counter[str] = Counter()
        self.by_severity: Counter[str] = Counter()

    def add(self, h: Hit) -> None:
        self.findings += 1
        self.by_entity[h.entity] += 1
        self.by_severity[severity(h.score)] += 1

    def add_counts(self, counts: Sequence[tuple[int, int, int]], entities: Sequence[str]) -> int:
        """Native records' counts, (rule index, severity index, n); returns how many."""
        total = 0
        for rule, sev, n in counts:
            self.by_entity[entities[rule]] += n
            self.by_severity[SEVERITIES[sev]] += n
            total += n
        self.findings += total
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "bytes": self.bytes_scanned,
            "findings": self.findings,
            "errors": self.errors,
            "skipped": self.skipped,
            "by_entity": dict(self.by_entity),
            "by_severity": dict(self.by_severity),
        }


def _printable(text: str) -> str:
    """A value as it may go to a terminal: control and invisible characters escaped, so a found
    ANSI or OSC sequence is shown, never executed (OSC 52 could write the clipboard)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
