"""Replacing found spans, for every input shape: the mechanics under ``redact()``.

What a span is replaced *with* is the caller's (a label, a mask, a hash); this module only splices,
merges overlaps so each character is replaced once, and rebuilds structures with the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

from weir.payload import MAX_DEPTH, escape, scalar_text
from weir.results import Finding

Replace = Callable[[Finding], str]


def merge_spans(findings: Sequence[Finding]) -> list[tuple[int, int, Finding]]:
    """Union overlapping spans; each merged span keeps the finding that starts it (the
    highest-scoring one among those that start there)."""
    ordered = sorted(findings, key=lambda f: (f.start, -f.score, -f.end))
    merged: list[tuple[int, int, Finding]] = []
    for f in ordered:
        if merged and f.start < merged[-1][1]:
            start, end, lead = merged[-1]
            merged[-1] = (start, max(end, f.end), lead)
        else:
            merged.append((f.start, f.end, f))
    return merged


@overload
def splice(text: str, findings: Sequence[Finding], replace: Replace) -> str: ...
@overload
def splice(text: bytes, findings: Sequence[Finding], replace: Replace) -> bytes: ...
def splice(text: str | bytes, findings: Sequence[Finding], replace: Replace) -> str | bytes:
    """``text`` with every finding's span replaced; all other characters (or bytes) unchanged."""
    if not findings:
        return text
    out: list[Any] = []
    at = 0
    for start, end, lead in merge_spans(findings):
        out.append(text[at:start])
        label = replace(lead)
        out.append(label.encode() if isinstance(text, bytes) else label)
        at = end
    out.append(text[at:])
    return (b"" if isinstance(text, bytes) else "").join(out)  # type: ignore[no-any-return,unused-ignore]


def rebuild(data: Any, findings: Sequence[Finding], replace: Replace) -> Any:
    """A copy of a dict/list payload with findings replaced in values and keys. Leaves without
    findings keep their type; a number with a finding becomes a string."""
    by_leaf: dict[tuple[str, bool], list[Finding]] = {}
    for f in findings:
        by_leaf.setdefault((f.path or "", f.in_key), []).append(f)
    return _copy(data, "", by_leaf, replace, 0)


def _copy(
    node: Any, path: str, by_leaf: dict[tuple[str, bool], list[Finding]], replace: Replace, depth: int
) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"payload nested deeper than {MAX_DEPTH} levels at {path or '/'}")
    if isinstance(node, Mapping):
        out = {}
        for key, value in node.items():
            key_text = key if isinstance(key, str) else str(key)
            child = f"{path}/{escape(key_text)}"
            hits = by_leaf.get((child, True))
            new_key = splice(key_text, hits, replace) if hits else key
            out[new_key] = _copy(value, child, by_leaf, replace, depth + 1)
        return out
    if isinstance(node, (list, tuple)):
        items = [_copy(v, f"{path}/{i}", by_leaf, replace, depth + 1) for i, v in enumerate(node)]
        return items if isinstance(node, list) else tuple(items)
    hits = by_leaf.get((path, False))
    if not hits:
        return node
    text = scalar_text(node)
    return node if text is None else splice(text, hits, replace)
