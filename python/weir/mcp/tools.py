"""Tool definitions: pinned at first sight, and checked for instructions aimed at the model.

A tool's description and its parameters' descriptions go straight into the model's context, so a
malicious server can hide instructions there (tool poisoning), or serve a harmless definition
first and a poisoned one once the user has approved it (a rug pull). ``ToolWatch`` hashes each
definition the first time it is listed and compares every later listing against that pin.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

# Fields that change without changing what the tool is or says; not part of the pin.
_UNPINNED = frozenset({"_meta", "icons", "execution"})


def definition_hash(tool: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the definition (sorted keys, no volatile fields)."""
    pinned = {k: v for k, v in tool.items() if k not in _UNPINNED}
    canonical = json.dumps(pinned, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class ToolWatch:
    """Pins and the set of withheld tools, for one server. Thread-safe.

    ``pin_file`` keeps pins across restarts (JSON, written atomically, mode 0600); without it
    they live as long as the process.
    """

    def __init__(self, pin_file: str | None = None) -> None:
        self._lock = threading.Lock()
        self._pins: dict[str, str] = {}
        self._withheld: dict[str, str] = {}
        self._pin_file = Path(pin_file) if pin_file else None
        if self._pin_file is not None and self._pin_file.exists():
            try:
                data = json.loads(self._pin_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise ValueError(
                    f"{self._pin_file}: cannot read tool pins ({type(e).__name__}); "
                    "fix or delete the file to pin tools afresh"
                ) from None
            if not (isinstance(data, dict) and all(isinstance(v, str) for v in data.values())):
                raise ValueError(f"{self._pin_file}: tool pins must be a JSON object of name -> sha256")
            self._pins = data

    def check(self, name: str, digest: str) -> bool:
        """Pin a tool seen for the first time; True when a pinned tool's definition changed."""
        with self._lock:
            pinned = self._pins.get(name)
            if pinned is None:
                self._pins[name] = digest
                self._save()
                return False
            return pinned != digest

    def withhold(self, name: str, reason: str) -> None:
        with self._lock:
            self._withheld[name] = reason

    def release(self, name: str) -> None:
        """A poisoned tool listed clean again is callable again; a changed one stays withheld."""
        with self._lock:
            if self._withheld.get(name) == "poisoned":
                del self._withheld[name]

    def withheld(self, name: str) -> str | None:
        """Why the tool is withheld (``poisoned`` or ``changed``), or None."""
        return self._withheld.get(name)

    def pins(self) -> dict[str, str]:
        with self._lock:
            return dict(self._pins)

    def _save(self) -> None:
        if self._pin_file is None:
            return
        self._pin_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._pin_file.parent, prefix=".weir-pins-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self._pins, out, sort_keys=True, indent=1)
            os.replace(tmp, self._pin_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
