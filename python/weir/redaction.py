"""Replacing found spans, for every input shape: the mechanics under ``redact()``.

What a span is replaced *with* is the caller's (a label, a mask, a hash); this module only splices,
merges overlaps so each character is replaced once, and rebuilds structures with the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import Any, overload

from weir.limits import MAX_DEPTH
from weir.payload import escape, scalar_text
from weir.results import Finding

Replace = Callable[[Finding], str]


def merge_spans(findings: Sequence[Finding]) -> list[tuple[int, int, Finding]]:
    """Union overlapping spans; each merged span keeps the finding that starts it: among those
    that start there, a secret first, then the highest-scoring, then the longest.

    Secrets first: two readings of one start are the same characters, and the label must not
    downgrade a credential to personal data. A database URL's password followed by its host
    (``postgres://svc:Pw0rd@db.example.com``) is also an e-mail-shaped ``Pw0rd@db.example.com``,
    which a nearby "mail" can score above the password; the span is the password's."""
    # One stable sort by start (linear on the engine's output, which is already in that order),
    # then one pass: a finding that starts where the current span starts may take the lead.
    merged: list[tuple[int, int, Finding]] = []
    start = end = -1
    lead: Finding | None = None
    for f in sorted(findings, key=_start):
        if lead is not None and f.start < end:
            if f.start == start and _rank(f) > _rank(lead):
                lead = f
            if f.end > end:
                end = f.end
            continue
        if lead is not None:
            merged.append((start, end, lead))
        start, end, lead = f.start, f.end, f
    if lead is not None:
        merged.append((start, end, lead))
    return merged


_start = attrgetter("start")


def _rank(f: Finding) -> tuple[bool, float, int]:
    """Which of the findings that start at one place labels the merged span (highest first)."""
    return (f.category == "secret", f.score, f.end)


@overload
def splice(text: str, findings: Sequence[Finding], replace: Replace) -> str: ...
@overload
def splice(text: bytes, findings: Sequence[Finding], replace: Replace) -> bytes: ...
def splice(text: str | bytes, findings: Sequence[Finding], replace: Replace) -> str | bytes:
    """``text`` with every finding's span replaced; all other characters (or bytes) unchanged."""
    if not findings:
        return text
    out: list[Any] = []
    add = out.append
    at = 0
    as_bytes = isinstance(text, bytes)
    for start, end, lead in merge_spans(findings):
        add(text[at:start])
        label = replace(lead)
        add(label.encode() if as_bytes else label)
        at = end
    add(text[at:])
    return (b"" if as_bytes else "").join(out)  # type: ignore[no-any-return,unused-ignore]


def rebuild(
    data: Any, findings: Sequence[Finding], replace: Replace, *, share_unchanged: bool = False
) -> Any:
    """A copy of a dict/list payload with findings replaced in values and keys. Leaves without
    findings keep their type; a number with a finding becomes a string.

    ``share_unchanged``: copy only the containers on the way to a finding and share every other
    subtree with ``data`` (much faster on large payloads with few findings; the result must then
    be treated as read-only where it was not changed)."""
    if not share_unchanged:
        by_leaf: dict[tuple[str, bool], list[Finding]] = {}
        for f in findings:
            by_leaf.setdefault((f.path or "", f.in_key), []).append(f)
        return _copy(data, "", by_leaf, replace, 0)
    trie: dict[Any, Any] = {}
    for f in findings:
        node = trie
        for token in _tokens(f.path or ""):
            node = node.setdefault(token, {})
        node.setdefault(_KEY if f.in_key else _VALUE, []).append(f)
    return _patch(data, trie, replace)


def _copy(
    node: Any, path: str, by_leaf: dict[tuple[str, bool], list[Finding]], replace: Replace, depth: int
) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"payload nested deeper than {MAX_DEPTH} levels at {path or '/'}")
    if isinstance(node, Mapping):
        entries = []
        for key, value in node.items():
            key_text = key if isinstance(key, str) else str(key)
            child = f"{path}/{escape(key_text)}"
            hits = by_leaf.get((child, True))
            new_key = splice(key_text, hits, replace) if hits else key
            entries.append((key, new_key, _copy(value, child, by_leaf, replace, depth + 1)))
        return _distinct_keys(entries)
    if isinstance(node, (list, tuple)):
        # A loop, not a comprehension: one frame a level keeps MAX_DEPTH inside Python's limit.
        items = []
        for i, v in enumerate(node):
            items.append(_copy(v, f"{path}/{i}", by_leaf, replace, depth + 1))
        return items if isinstance(node, list) else tuple(items)
    hits = by_leaf.get((path, False))
    if not hits:
        return node
    text = scalar_text(node)
    return node if text is None else splice(text, hits, replace)


def _distinct_keys(entries: list[tuple[Any, Any, Any]]) -> dict[Any, Any]:
    """A dict from (old key, new key, value) in order, losing no entry: keys that redact to the
    same text (two e-mail addresses -> ``[EMAIL_ADDRESS]``) or to a key already there get a
    ``#2``, ``#3``... suffix. Keys left as they were keep their name."""
    taken = {old for old, new, _ in entries if new is old or new == old}
    out: dict[Any, Any] = {}
    for old, new, value in entries:
        if not (new is old or new == old) and (new in taken or new in out):
            n = 2
            while f"{new}#{n}" in taken or f"{new}#{n}" in out:
                n += 1
            new = f"{new}#{n}"
        out[new] = value
    return out


# Trie markers for findings in a key or in a value at that node (never equal to a path token).
_KEY = ("key",)
_VALUE = ("value",)


def _tokens(path: str) -> list[str]:
    """JSON Pointer reference tokens, unescaped (RFC 6901)."""
    if not path:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _patch(node: Any, trie: dict[Any, Any], replace: Replace) -> Any:
    """``node`` with the findings under ``trie`` applied; subtrees without findings shared."""
    if isinstance(node, Mapping):
        children = [(t, sub) for t, sub in trie.items() if t is not _KEY and t is not _VALUE]
        if any(_KEY in sub for _, sub in children):  # a key changes: rebuild in order
            subs = dict(children)
            entries = []
            for key, value in node.items():
                sub = subs.get(key if isinstance(key, str) else str(key))
                if sub is None:
                    entries.append((key, key, value))
                    continue
                new_key = splice(str(key), sub[_KEY], replace) if _KEY in sub else key
                entries.append((key, new_key, _patch(value, sub, replace)))
            return _distinct_keys(entries)
        copied = dict(node)
        by_text: dict[str, Any] | None = None
        for token, sub in children:
            actual: Any = token
            if token not in node:  # a non-str key, found by its text
                if by_text is None:
                    by_text = {str(k): k for k in node}
                actual = by_text[token]
            copied[actual] = _patch(node[actual], sub, replace)
        return copied
    if isinstance(node, (list, tuple)):
        items = list(node)
        for token, sub in trie.items():
            if token is not _KEY and token is not _VALUE:
                i = int(token)
                items[i] = _patch(items[i], sub, replace)
        return items if isinstance(node, list) else tuple(items)
    hits = trie.get(_VALUE)
    if not hits:
        return node
    text = scalar_text(node)
    return node if text is None else splice(text, hits, replace)
