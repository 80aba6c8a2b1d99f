"""Typed results: what a scan found. Values never show in a repr."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Literal

import msgspec

Category = Literal["pii", "financial", "secret", "injection"]
CATEGORIES: tuple[Category, ...] = ("pii", "financial", "secret", "injection")

Box = tuple[int, int, int, int]


class Finding(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One thing found. ``value`` is the matched text; ``repr()`` never shows it.

    Offsets count code points for ``str`` input and bytes for ``bytes`` input, relative to the
    string leaf named by ``path`` (a JSON Pointer) when the input was a dict or list.
    """

    # gc=False: every field is a str, number, bool, None or a tuple of ints, so a Finding can
    # never be part of a reference cycle; left tracked, three million of them made every garbage
    # collection walk them all (merging their spans for redaction took 4 s instead of 0.4 s).

    entity: str
    rule: str
    category: Category
    start: int
    end: int
    score: float
    value: str | bytes
    path: str | None = None
    box: Box | None = None
    in_key: bool = False
    """True when the finding is in a mapping key rather than a value."""
    decoded: str | None = None
    """None for a value found as written; else how it was hidden, outermost layer first:
    "normalized" (look-alike or invisible characters), "base64", "hex", "url", "escape", "html",
    or a chain such as "url/base64". ``start``/``end`` then cover the hidden form, so ``value`` is
    the text as it appears in the input."""

    def __repr__(self) -> str:
        path = self.path
        if path is not None and self.in_key:  # the key is the value: its token stays hidden
            path = path.rpartition("/")[0] + "/<key hidden>"
        where = f", path={path!r}" if path is not None else ""
        where += ", in_key=True" if self.in_key else ""
        where += f", box={self.box!r}" if self.box is not None else ""
        where += f", decoded={self.decoded!r}" if self.decoded is not None else ""
        return (
            f"Finding(entity={self.entity!r}, rule={self.rule!r}, category={self.category!r}, "
            f"start={self.start}, end={self.end}, score={self.score:.2f}{where}, "
            f"value=<{len(self.value)} {'bytes' if isinstance(self.value, bytes) else 'chars'} hidden>)"
        )

    __str__ = __repr__

    def __rich_repr__(self) -> list[tuple[str, object]]:
        return [
            ("entity", self.entity),
            ("rule", self.rule),
            ("score", round(self.score, 2)),
            ("span", (self.start, self.end)),
        ]

    @property
    def preview(self) -> str:
        """The value masked for display: a few edge characters kept, the rest starred."""
        return mask_preview(self.value)


def mask_preview(value: str | bytes) -> str:
    """Mask a value for reports: keep at most 2 leading and 2 trailing characters of long values,
    fewer of short ones, and star the rest (lengths over 24 are capped so length leaks little)."""
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if not text.isprintable():
        text = "".join(c if c.isprintable() else "?" for c in text)
    n = len(text)
    keep = 0 if n < 8 else 1 if n < 12 else 2
    hidden = min(n - 2 * keep, 24)
    return f"{text[:keep]}{'*' * hidden}{text[n - keep :] if keep else ''}"


class ScanResult(msgspec.Struct, frozen=True):
    """The findings of one scan, sorted by position (by path first for structured input)."""

    findings: list[Finding]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __bool__(self) -> bool:
        return bool(self.findings)

    def counts(self) -> dict[str, int]:
        """Findings per entity."""
        return dict(Counter(f.entity for f in self.findings))

    def __repr__(self) -> str:
        return f"ScanResult({len(self.findings)} findings: {self.counts()})"
