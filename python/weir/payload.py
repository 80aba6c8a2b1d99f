"""Walking JSON-like payloads: every string leaf and every key, with its JSON Pointer.

Tool arguments and results arrive as nested dicts and lists. The walker flattens them into leaves
the engine scans in one batch; the key a value sits under travels with it as context, so
``{"ssn": "123456789"}`` scores higher than the bare digits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from weir.limits import MAX_DEPTH, LimitExceeded


class Leaf(NamedTuple):
    text: str | bytes
    path: str
    context: str | None
    in_key: bool


class PayloadError(ValueError):
    """A payload weir cannot walk; the message names the JSON Pointer at fault."""


class PayloadTooDeep(PayloadError, LimitExceeded):
    """A payload nested deeper than ``Limits.max_depth``; the message names the JSON Pointer."""

    def __init__(self, max_depth: int, pointer: str) -> None:
        ValueError.__init__(
            self,
            f"payload nested deeper than {max_depth} levels at {pointer}; raise the limit with "
            f"weir.Limits(max_depth=...) or `max_depth = ...` in the policy's [limits] table "
            f"(at most {MAX_DEPTH})",
        )
        self.limit, self.observed, self.allowed = "max_depth", max_depth + 1, max_depth


def escape(token: str) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def scalar_text(value: Any) -> str | bytes | None:
    """The text of a scalar leaf, or None for leaves with nothing to scan (None, booleans)."""
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)  # a card number stored as an integer is still a card number
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return None


def is_container(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple))


def walk(data: Any, *, max_depth: int = MAX_DEPTH) -> Iterator[Leaf]:
    """Yield the leaves of ``data`` in document order. Keys are leaves too (``in_key=True``)."""
    # An explicit stack: deep payloads must not exhaust Python's recursion limit.
    stack: list[tuple[Any, str, str | None, int]] = [(data, "", None, 0)]
    while stack:
        node, path, context, depth = stack.pop()
        if depth > max_depth:
            raise PayloadTooDeep(max_depth, path or "/")
        if isinstance(node, Mapping):
            children = []
            for key, value in node.items():
                key_text = key if isinstance(key, str) else str(key)
                child = f"{path}/{escape(key_text)}"
                yield Leaf(key_text, child, context, True)
                children.append((value, child, key_text, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(node, (list, tuple)):
            stack.extend((v, f"{path}/{i}", context, depth + 1) for i, v in reversed(list(enumerate(node))))
        else:
            text = scalar_text(node)
            if text is not None:
                yield Leaf(text, path, context, False)
            elif not (node is None or isinstance(node, bool)):
                raise TypeError(
                    f"cannot scan a {type(node).__name__} at {path or '/'}: payloads may hold dict, "
                    "list, tuple, str, bytes, int, float, bool and None"
                )
