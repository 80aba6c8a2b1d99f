"""Fields of an MCP message that a rewrite would break, and what the guard does there instead.

Redacting a value in free text keeps the message usable; redacting it inside a field the other
side acts on does not. ``http://[IP_ADDRESS]:8765/`` is no URL a tool can fetch, and a resource
whose ``uri`` comes back rewritten no longer matches the request. Two kinds of field are never
rewritten:

- **Protocol identifiers**: the ``uri`` of a resource or a resource link, ``mimeType``,
  ``type``, cursors and progress tokens. In what the server sends, a finding there that the
  policy would rewrite withholds the message, except in the URI the client itself asked for,
  echoed back (it holds nothing the client did not send): that one passes, audited.
- **Locators** the client chose: a tool or prompt argument whose whole value is a URL, a file
  path or a host. The tool needs them as they are, so a finding there that the policy would
  rewrite blocks the call instead (``mcp.locators = "block"``, the default: a card number in a
  URL is what exfiltration by URL looks like) or passes, audited (``"pass"``). Network
  identifiers a user types (IP and MAC addresses) are only reported in what the client sends,
  by the default policy itself, so ``fetch("http://127.0.0.1:8765/")`` works.
- The identifiers of a request (the ``uri`` of a ``resources/read``, a cursor) pass, audited:
  the server needs them to answer, and the client already holds them.

- **Echoes**: a tool's result often repeats a locator its call was given (`Contents of
  http://127.0.0.1:8765/clean.txt:`). A finding in a result that lies inside a URL, path or host
  the call's own arguments held is what the client sent: it passes, audited.

Findings the policy blocks (secrets, injection) block wherever they are; nothing here weakens a
block. Findings inside a key are left to the policy (keys are data, not identifiers).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from weir.masking import Decided
from weir.policy import ActionSpec

_REWRITES = frozenset({"redact", "mask", "hash", "tokenize"})
BLOCK_IN_FIELD = ActionSpec(action="block")
"""The block a rewrite becomes in a field it would break (the guard's message says so)."""
WHY_BLOCKED = {
    "inbound": "inside a URL, path or host argument, which weir does not rewrite (it would point "
    'somewhere else); a policy with mcp.locators = "pass" forwards such calls, audited',
    "outbound": "inside a protocol identifier (a URI, a MIME type, a cursor), which weir does not "
    "rewrite (the client could no longer use it)",
}
_REPORT = ActionSpec(action="report")

# Keys the MCP schema uses for identifiers a peer acts on. Only outside structuredContent and
# tool arguments, where keys are the tool's own data.
IDENTIFIER_KEYS = frozenset(
    {"uri", "uriTemplate", "mimeType", "type", "cursor", "nextCursor", "progressToken", "requestId"}
)
_DATA_ROOTS = frozenset({"structuredContent", "arguments"})

# A whole value that is one locator; each alternative is bounded runs of character classes, so
# the match is linear. URL: a scheme with `//` (or mailto/urn/tel/file/data) and no white space.
# Path: POSIX (absolute, ~, ./, ../), Windows drive or UNC; spaces allowed, line breaks not.
# Host: a dotted name ending in a letter label, localhost, or an IP literal; a port may follow.
_MAX_LOCATOR = 8192
_PORT = r"(?::[0-9]{1,5})?"
_LOCATOR = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s]{0,8192}"
    r"|(?i:mailto|urn|tel|file|data):[^\s]{1,8192}"
    r"|(?:~|\.{1,2})?/[^\r\n\t]{0,8192}"
    r"|[A-Za-z]:\\[^\r\n\t]{0,8192}"
    r"|\\\\[^\r\n\t]{1,8192}"
    r"|[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
    + _PORT
    + r"|\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[A-Za-z0-9]{1,16})?\]?"
    + _PORT
    + r"|(?:[A-Za-z0-9\-]{1,63}\.){1,16}[A-Za-z][A-Za-z0-9\-]{0,62}\.?"
    + _PORT
    + r"|localhost"
    + _PORT
)


MAX_ECHOES = 64
"""Locators taken from one call's arguments, at most (a call has a few; the bound keeps a hostile
argument list from making every finding a long search)."""


def echoes(arguments: Any) -> tuple[str, ...]:
    """The URL, path and host values among a call's arguments (nested too), for ``constrain``."""
    found: list[str] = []
    stack = [arguments]
    while stack and len(found) < MAX_ECHOES:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and is_locator(node.strip()):
            found.append(node)
    return tuple(found)


def is_locator(value: str) -> bool:
    """Whether ``value`` as a whole is a URL, a file path or a host (with or without a port)."""
    return len(value) <= _MAX_LOCATOR and _LOCATOR.fullmatch(value) is not None


def unescape(token: str) -> str:
    """One JSON Pointer reference token, unescaped (RFC 6901)."""
    return token.replace("~1", "/").replace("~0", "~")


def tokens(pointer: str) -> list[str]:
    return [unescape(t) for t in pointer.split("/")[1:]] if pointer else []


def leaf(tree: Any, parts: list[str]) -> Any:
    """The value at ``parts`` in ``tree``, or None when the path does not lead to one."""
    node = tree
    for part in parts:
        if isinstance(node, dict):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return None
            node = node[int(part)]
        else:
            return None
    return node


def is_identifier(parts: list[str]) -> bool:
    """Whether a message field is one of MCP's identifiers (not the tool's own data)."""
    return bool(parts) and parts[-1] in IDENTIFIER_KEYS and not _DATA_ROOTS.intersection(parts[:1])


def constrain(
    decided: Decided,
    message: Any,
    *,
    direction: str,
    arguments: bool,
    requested: str | None = None,
    locators: Literal["pass", "block"] = "block",
    echo: tuple[str, ...] = (),
) -> Decided:
    """``decided`` with the rewrites that would break an identifier or a locator replaced.

    ``message`` is the tree the findings' paths point into; ``arguments`` says it is a tool's or
    a prompt's arguments (every value is the client's choice, no key is MCP's); ``requested`` is
    the URI the client asked for, when the message answers a ``resources/read``; ``echo`` the
    locators of the call a result answers (``echoes``).
    """
    if not any(s.action in _REWRITES for _, s in decided.actions):
        return decided
    out: list[tuple[Any, ActionSpec]] = []
    changed = False
    for f, spec in decided.actions:
        new = spec
        if spec.action in _REWRITES and not f.in_key:
            new = _constrained(spec, f.path or "", message, direction, arguments, requested, locators)
            if new is spec and echo and direction == "outbound" and _echoed(f.value, echo):
                new = _REPORT
        changed |= new is not spec
        out.append((f, new))
    return Decided(out) if changed else decided


def _echoed(value: str | bytes, echo: tuple[str, ...]) -> bool:
    """Whether ``value`` stands whole in one of the locators: not as part of a longer name or
    number (``10.0.0.7`` is not an echo of ``10.0.0.70``)."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if not text:
        return False
    for loc in echo:
        at = loc.find(text)
        while at >= 0:
            before = loc[at - 1] if at > 0 else ""
            after = loc[at + len(text)] if at + len(text) < len(loc) else ""
            if not (_joins(before) or _joins(after)):
                return True
            at = loc.find(text, at + 1)
    return False


def _joins(c: str) -> bool:
    return c.isalnum() or c in "._-"


def _constrained(
    spec: ActionSpec,
    pointer: str,
    message: Any,
    direction: str,
    arguments: bool,
    requested: str | None,
    locators: Literal["pass", "block"],
) -> ActionSpec:
    if arguments:
        if direction != "inbound":
            return spec
        value = leaf(message, tokens(pointer))
        if isinstance(value, str) and is_locator(value.strip()):
            return _REPORT if locators == "pass" else BLOCK_IN_FIELD
        return spec
    # Most findings are in text: look at the last key before walking the path.
    if unescape(pointer[pointer.rfind("/") + 1 :]) not in IDENTIFIER_KEYS:
        return spec
    parts = tokens(pointer)
    value = leaf(message, parts)
    if not (isinstance(value, str) and is_identifier(parts)):
        return spec
    if direction == "inbound":
        return _REPORT
    return _REPORT if requested is not None and value == requested else BLOCK_IN_FIELD
