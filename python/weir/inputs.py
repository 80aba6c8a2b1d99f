"""Where the CLI's bytes come from: paths, directories, globs and stdin, decompressed by content.

Compression is recognised by its magic bytes, not the file name, so a rotated ``app.log.1`` that
is really gzip is read as gzip, and a ``.gz`` that is plain text is read as plain text.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import io
import lzma
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import zstandard

SNIFF = 8192
"""Bytes looked at to decide compression and whether an input is binary."""

MAGIC = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}


@dataclass(frozen=True)
class Source:
    """One input: a path, or ``-`` for standard input."""

    path: str

    @property
    def name(self) -> str:
        return "<stdin>" if self.path == "-" else self.path

    def size(self) -> int | None:
        """Bytes on disk (compressed size for compressed files); None for stdin."""
        if self.path == "-":
            return None
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None


class InputError(Exception):
    """An input that cannot be read; the message says which and why, in one line."""


def expand(paths: Sequence[str], errors: list[str]) -> Iterator[Source]:
    """Files named, files matched by globs, and files under directories (recursively; a symlink
    loop is reported once and not followed again). Problems go to ``errors``."""
    for raw in paths:
        if raw == "-":
            yield Source("-")
        elif os.path.isdir(raw):
            yield from _walk(raw, errors)
        elif os.path.exists(raw):
            yield Source(raw)
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                errors.append(f"{raw}: no file matches this pattern")
            for m in matches:
                if os.path.isdir(m):
                    yield from _walk(m, errors)
                else:
                    yield Source(m)
        else:
            errors.append(f"{raw}: no such file or directory")


def _walk(top: str, errors: list[str]) -> Iterator[Source]:
    seen: set[tuple[int, int]] = set()

    def onerror(e: OSError) -> None:
        errors.append(f"{e.filename}: cannot list directory: {e.strerror}")

    for root, dirs, files in os.walk(top, followlinks=True, onerror=onerror):
        st = os.stat(root)
        if (st.st_dev, st.st_ino) in seen:
            errors.append(f"{root}: directory loop through a symlink; not followed again")
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        for name in sorted(files):
            yield Source(os.path.join(root, name))


def open_source(source: Source) -> tuple[BinaryIO, str | None]:
    """A binary stream of the decompressed content, and the compression found (or None)."""
    try:
        raw: BinaryIO = sys.stdin.buffer if source.path == "-" else open(source.path, "rb")  # noqa: SIM115
    except IsADirectoryError:
        raise InputError(f"{source.name}: is a directory") from None
    except OSError as e:
        raise InputError(f"{source.name}: cannot read: {e.strerror or e}") from None
    buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]
    head = buffered.peek(8)[:8]
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return _decompressor(kind, buffered), kind
    return buffered, None


def _decompressor(kind: str, raw: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if kind == "bzip2":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    return zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first block: the same test grep and ripgrep use."""
    return b"\x00" in head[:SNIFF]


DECOMPRESS_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    lzma.LZMAError,
    zstandard.ZstdError,
    gzip.BadGzipFile,
)
"""What a corrupt or truncated compressed input raises while it is read."""
