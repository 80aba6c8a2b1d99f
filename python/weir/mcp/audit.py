"""The audit log: one JSON object per line for every MCP message weir changed, blocked or flagged.

An event names the server, tool, direction and action, and for each finding its entity, rule,
JSON path and an HMAC fingerprint of the value (the same value gives the same fingerprint under
the same key, so incidents can be correlated without storing what was found). Raw values never
reach the log. The key comes from ``WEIR_KEY`` or the policy's ``key_file``; without one, a random
per-process key is used and events say so (fingerprints then only correlate within one process).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Any

from weir.keys import MissingKeyError, load_key
from weir.results import Finding

FINGERPRINT_HEX = 32


class Fingerprinter:
    """HMAC-SHA-256 fingerprints of finding values; the key never leaves this object."""

    def __init__(self, key_file: str | None = None) -> None:
        try:
            self._key = load_key(key_file, purpose="audit-fingerprint")
            self.ephemeral = False
        except MissingKeyError:
            self._key = secrets.token_bytes(32)
            self.ephemeral = True

    def __repr__(self) -> str:
        return f"Fingerprinter(ephemeral={self.ephemeral})"

    def __call__(self, f: Finding) -> str:
        value = f.value.encode("utf-8", "surrogatepass") if isinstance(f.value, str) else f.value
        mac = hmac.new(self._key, f.entity.encode() + b"\0" + value, sha256)
        return mac.hexdigest()[:FINGERPRINT_HEX]


class AuditLog:
    """Appends events to a JSON Lines file, rotating it by size (``path.1`` ... ``path.N``).

    Thread-safe; each event is one ``write`` followed by a flush, so a reader never sees half a
    line. The file is created with mode 0600: fingerprints are not values, but the log still says
    who sent what where.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = 16 * 1024 * 1024,
        backups: int = 5,
        key_file: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self.fingerprint = Fingerprinter(key_file)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"

    def event(
        self,
        *,
        server: str | None,
        method: str,
        tool: str | None,
        direction: str | None,
        action: str,
        findings: Iterable[Finding] = (),
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Build an event (never containing a raw value) and append it."""
        record: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "server": server,
            "method": method,
            "tool": tool,
            "direction": direction,
            "action": action,
        }
        if reason:
            record["reason"] = reason
        found = list(findings)
        paths = masked_paths(found)
        record["findings"] = [
            {
                "entity": f.entity,
                "rule": f.rule,
                "category": f.category,
                "path": paths[i],
                "score": round(f.score, 3),
                "fingerprint": self.fingerprint(f),
            }
            for i, f in enumerate(found)
        ]
        if self.fingerprint.ephemeral:
            record["fingerprint_key"] = "ephemeral"
        self.write(record)
        return record

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            try:
                size = self.path.stat().st_size
            except FileNotFoundError:
                size = 0
            if size and size + len(line) > self.max_bytes:
                self._rotate()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def _rotate(self) -> None:
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
            return
        for i in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{i}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{i + 1}"))
        self.path.replace(self.path.with_name(f"{self.path.name}.1"))


def masked_paths(findings: Sequence[Finding]) -> list[str | None]:
    """Each finding's JSON Pointer with every key that holds a finding replaced by its entities
    (``/users/jane@example.com/name`` -> ``/users/[EMAIL_ADDRESS]/name``): a key can be the
    sensitive value itself, and an audit record never carries one."""
    keys: dict[str, set[str]] = {}
    for f in findings:
        if f.in_key and f.path:
            keys.setdefault(f.path, set()).add(f.entity)
    if not keys:
        return [f.path for f in findings]
    # Longest first: a masked inner key leaves its outer keys' raw prefix to be masked in turn.
    order = sorted(keys, key=len, reverse=True)
    masked = {p: p.rpartition("/")[0] + "/[" + "|".join(sorted(keys[p])) + "]" for p in order}
    out: list[str | None] = []
    for f in findings:
        path = f.path
        if path:
            for p in order:
                if path == p or path.startswith(p + "/"):
                    path = masked[p] + path[len(p) :]
        out.append(path)
    return out


def from_settings(path: str | None, max_bytes: int, backups: int, key_file: str | None) -> AuditLog | None:
    """The audit log a policy asks for (``mcp.audit_log``, else ``WEIR_AUDIT_LOG``), or None."""
    target = path or os.environ.get("WEIR_AUDIT_LOG")
    if not target:
        return None
    return AuditLog(target, max_bytes=max_bytes, backups=backups, key_file=key_file)
