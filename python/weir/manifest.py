"""The manifest of the rule files that ship with weir: their sha256 sums, checked on load.

``patterns/MANIFEST.sha256`` is in ``sha256sum`` format (``sha256sum -c`` checks it too). It is
embedded in the native module beside the rule files, and :func:`verify_builtin` runs every time the
built-in rules are loaded: a built-in file that does not match its sum, is missing, or is not listed
is an error, never a silently different rule set. A rule change therefore needs a manifest change,
which makes it visible in review (regenerate with ``make rules-manifest``).

This guards the rules between review and use (a patched checkout, a tampered build input). It does
not stand against someone who can rewrite both the files and the manifest, or the compiled module;
hash-pinned installs (requirements/*.lock, Cargo.lock) are the defence there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import msgspec

_LINE = re.compile(r"^([0-9a-f]{64})  ([A-Za-z0-9_.-]+\.toml)$")

Status = Literal["ok", "modified", "missing", "unlisted"]


class ManifestError(ValueError):
    """A manifest that cannot be read, or rule files that do not match it."""


class FileCheck(msgspec.Struct, frozen=True):
    """The verdict on one rule file. Sums are of the file's bytes; no rule text is kept."""

    name: str
    status: Status
    expected: str | None
    actual: str | None


def parse(text: str, source: str = "MANIFEST.sha256") -> dict[str, str]:
    """File name -> expected sha256 (lowercase hex). Malformed or duplicate lines are errors."""
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            raise ManifestError(
                f"{source}:{number}: expected '<64 hex digits>  <file>.toml' (sha256sum format)"
            )
        digest, name = m.groups()
        if name in sums:
            raise ManifestError(f"{source}:{number}: {name} is listed twice")
        sums[name] = digest
    return sums


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(files: Iterable[tuple[str, bytes]], sums: dict[str, str]) -> list[FileCheck]:
    """Compare (name, content) pairs with the manifest's sums, one verdict per name, sorted."""
    seen: dict[str, str] = {name: sha256(data) for name, data in files}
    verdicts = []
    for name in sorted(seen.keys() | sums.keys()):
        expected, actual = sums.get(name), seen.get(name)
        if actual is None:
            status: Status = "missing"
        elif expected is None:
            status = "unlisted"
        else:
            status = "ok" if actual == expected else "modified"
        verdicts.append(FileCheck(name, status, expected, actual))
    return verdicts


def describe(bad: list[FileCheck], where: str) -> str:
    """One error message for the files that failed, saying what to do next."""
    parts = []
    for c in bad:
        if c.status == "modified":
            parts.append(
                f"{where}/{c.name} does not match its sha256 in the manifest "
                f"(expected {c.expected}, got {c.actual})"
            )
        elif c.status == "missing":
            parts.append(f"{where}/{c.name} is listed in the manifest but absent")
        else:
            parts.append(f"{where}/{c.name} is not listed in the manifest")
    return (
        "; ".join(parts)
        + ". The rule files may have been tampered with. If you changed them on purpose, review the "
        "change and regenerate the manifest with `make rules-manifest`."
    )


def verify_builtin(files: Iterable[tuple[str, str]], manifest: str) -> list[FileCheck]:
    """Check the embedded rule files against the embedded manifest; raise on any mismatch."""
    verdicts = check(((n, t.encode("utf-8")) for n, t in files), parse(manifest))
    bad = [c for c in verdicts if c.status != "ok"]
    if bad:
        raise ManifestError(describe(bad, "patterns"))
    return verdicts


def verify_directory(directory: str | Path) -> list[FileCheck]:
    """Check ``directory/*.toml`` against ``directory/MANIFEST.sha256`` (a source checkout, say)."""
    root = Path(directory)
    manifest = root / "MANIFEST.sha256"
    try:
        sums = parse(manifest.read_text(encoding="utf-8"), str(manifest))
    except OSError as e:
        raise ManifestError(f"{manifest}: cannot read the manifest: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{manifest}: not UTF-8 text") from None
    files = [(p.name, p.read_bytes()) for p in sorted(root.glob("*.toml"))]
    return check(files, sums)
