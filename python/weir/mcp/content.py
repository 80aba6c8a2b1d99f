"""Taking MCP messages apart for scanning and putting them back together.

MCP results carry base64 media (image and audio blocks, resource blobs) beside text. Scanning the
base64 as text would be slow and wrong, so ``split`` copies the message without those fields and
lists them as ``Media`` with their location; the text tree is scanned in one payload pass, each
medium on its own (images through OCR, other blobs as bytes), and ``put`` writes the (possibly
redacted) media back into the rebuilt tree. The original message is never modified.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import msgspec

# Keys whose subtrees never hold media under the MCP schema; not descending saves time.
_NO_MEDIA = frozenset({"structuredContent", "inputSchema", "outputSchema", "annotations", "_meta"})

Path = tuple[str | int, ...]


@dataclass
class Media:
    """A base64 field pulled out of a message: where it was, what it is, its decoded bytes."""

    path: Path
    """Location of the field itself (the last key is ``data`` or ``blob``)."""
    kind: str
    """``image``, ``audio`` or ``blob`` (a resource's binary contents)."""
    mime: str | None
    raw: bytes


class BadBase64(ValueError):
    pass


def split(message: Any) -> tuple[Any, list[Media]]:
    """A copy of ``message`` without its base64 fields (only the containers on the way to one are
    copied), and the fields as decoded ``Media``."""
    media: list[Media] = []
    view = _split(message, (), media)
    return view, media


def _split(node: Any, path: Path, media: list[Media]) -> Any:
    if isinstance(node, dict):
        field = _media_field(node)
        out: dict[str, Any] | None = None
        if field is not None:
            out = dict(node)
            del out[field]
            kind = "blob" if field == "blob" else str(node.get("type"))
            mime = node.get("mimeType")
            media.append(
                Media((*path, field), kind, mime if isinstance(mime, str) else None, _b64(node[field]))
            )
        for key, value in node.items():
            if key in _NO_MEDIA or not isinstance(value, (dict, list)):
                continue
            new = _split(value, (*path, key), media)
            if new is not value:
                if out is None:
                    out = dict(node)
                out[key] = new
        return node if out is None else out
    if isinstance(node, list):
        copy: list[Any] | None = None
        for i, value in enumerate(node):
            if not isinstance(value, (dict, list)):
                continue
            new = _split(value, (*path, i), media)
            if new is not value:
                if copy is None:
                    copy = list(node)
                copy[i] = new
        return node if copy is None else copy
    return node


def _media_field(node: dict[str, Any]) -> str | None:
    if isinstance(node.get("blob"), str):
        return "blob"
    if node.get("type") in ("image", "audio") and isinstance(node.get("data"), str):
        return "data"
    return None


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadBase64("a base64 field in the message is not valid base64") from None


def put(tree: Any, path: Path, raw: bytes) -> None:
    """Write ``raw`` (base64-encoded) at ``path`` in ``tree``. Every container on the path must be
    one ``split`` or the redaction copied, never the caller's original."""
    node = tree
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = base64.b64encode(raw).decode("ascii")


def copy_path(tree: Any, path: Path) -> Any:
    """``tree`` with fresh containers along ``path`` (so ``put`` cannot touch shared ones)."""
    root: Any = _shallow(tree)
    node: Any = root
    for key in path[:-1]:
        node[key] = _shallow(node[key])
        node = node[key]
    return root


def _shallow(container: Any) -> Any:
    return dict(container) if isinstance(container, dict) else list(container)


def mirrored_text_blocks(result: dict[str, Any]) -> list[tuple[int, str]]:
    """Text blocks that repeat ``structuredContent`` for clients that read only ``content``, as
    (index, form): ``json`` when the text is the structure's JSON (FastMCP, the SDK), ``result``
    when it is the string FastMCP wrapped as ``{"result": text}``. They are not scanned on their
    own: after redaction they are rebuilt from the redacted structure, so the two never disagree.

    A block counts as a mirror only when its text is, byte for byte, an encoding weir itself makes
    of the structure it scans: then it holds nothing the scan did not see. Text that merely
    decodes to an equal value is not enough (a duplicate key decodes away, and its hidden value
    would be forwarded unscanned), so such a block is scanned as the text it is."""
    structured = result.get("structuredContent")
    content = result.get("content")
    if not isinstance(structured, dict) or not isinstance(content, list):
        return []
    wrapped = structured.get("result") if len(structured) == 1 else None
    out = []
    forms = _MirrorForms(structured)
    for i, block in enumerate(content):
        if not (isinstance(block, dict) and block.get("type") == "text"):
            continue
        text = block.get("text")
        if not isinstance(text, str):
            continue
        if isinstance(wrapped, str) and text == wrapped:
            out.append((i, "result"))
            continue
        if text.startswith(("{", "[")) and forms.includes(text):
            out.append((i, "json"))
    return out


class _MirrorForms:
    """The JSON texts servers write as the mirror of a structure, each made only when a text
    could be it: FastMCP's compact form, ``json.dumps`` with its default separators, and the
    SDK's ``json.dumps(..., indent=2)`` (an indented text starts with a bracket and a line
    break), all as this process encodes the decoded structure. The C encoders are tried first;
    the pure-Python indenting encoder, ten times slower, only when they do not match."""

    def __init__(self, structured: dict[str, Any]) -> None:
        self.structured = structured
        self.made: dict[str, str | None] = {}

    def includes(self, text: str) -> bool:
        indented = text[1:2] == "\n"
        kinds = (
            ("indent_fast", "indent", "indent_ascii") if indented else ("compact", "spaced", "spaced_ascii")
        )
        return any(text == self._form(kind) for kind in kinds)

    def _form(self, kind: str) -> str | None:
        if kind not in self.made:
            self.made[kind] = self._make(kind)
        return self.made[kind]

    def _make(self, kind: str) -> str | None:
        s = self.structured
        try:
            if kind == "compact":
                return to_json(s)
            if kind == "indent_fast":
                return msgspec.json.format(to_json(s), indent=2)
            ascii_only = kind.endswith("_ascii")
            if kind.startswith("indent"):
                return json.dumps(s, indent=2, ensure_ascii=ascii_only)
            return json.dumps(s, ensure_ascii=ascii_only)
        except (TypeError, ValueError):  # not JSON-encodable as it stands: no mirror
            return None


def encoded_size(message: Any) -> int:
    """Bytes of the message as JSON; what the size limit is checked against."""
    return len(msgspec.json.encode(message))


def to_json(value: Any) -> str:
    """Compact JSON, as FastMCP and most servers write the text mirror of structured content."""
    return msgspec.json.encode(value).decode("utf-8")
