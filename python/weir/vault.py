"""A reversible token vault: ``tokenize`` swaps a value for a stable token, ``detokenize`` swaps it back.

A token is ``<ENTITY_xxxxxxxxxxxx>``: a keyed digest of the value, so the same value always gets the
same token under the same key, whether or not a vault records it. The vault is a SQLite file
(mode 0600, WAL) holding each value encrypted with AES-GCM under a key separate from the token key,
with the token as associated data, so a row cannot be edited or moved to another token unnoticed.
"""

from __future__ import annotations

import hmac
import os
import re
import sqlite3
import threading
import time
from types import TracebackType
from typing import overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from weir.keys import keyed_digest, load_key

TOKEN_HEX = 12
_ENTITY = r"[A-Z][A-Z0-9_]{0,63}"
_ENTITY_RE = re.compile(rf"{_ENTITY}\Z")
# Linear: no nested quantifiers; at most 64 retries of a fixed-length tail per start position.
TOKEN_RE = re.compile(rf"<({_ENTITY})_([0-9a-f]{{{TOKEN_HEX}}})>")
_TOKEN_RE_BYTES = re.compile(TOKEN_RE.pattern.encode("ascii"))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    created REAL NOT NULL
)
"""


class VaultError(RuntimeError):
    """The vault cannot do what was asked (closed, unopenable, or a token collision)."""


class TamperedVaultError(VaultError):
    """A row failed authentication: the file was modified, or it was written under another key."""


def make_token(key: bytes, entity: str, value: str) -> str:
    """The token for ``value`` under the "tokenize" key: ``<ENTITY_hex12>``.

    Public so that tokenizing without a vault produces exactly what a vault would.
    """
    if not _ENTITY_RE.match(entity):
        raise ValueError(
            f"entity {entity!r} cannot be tokenized: names must match [A-Z][A-Z0-9_]{{0,63}} "
            "so detokenize() can find the token again"
        )
    return f"<{entity}_{keyed_digest(key, entity, value, TOKEN_HEX)}>"


def _encode(value: str) -> bytes:
    # surrogatepass so any str round-trips, including lone surrogates from decoded JSON.
    return value.encode("utf-8", "surrogatepass")


class Vault:
    """Tokens and their encrypted values in one SQLite file.

    Safe to share between threads of one process: a single connection behind a lock (SQLite
    serializes writers anyway, and one connection is one that ``close()`` can really close).
    Several processes may share the file too; WAL and a busy timeout cover that.
    """

    def __init__(self, path: str | os.PathLike[str], *, key_file: str | None = None) -> None:
        self._path = os.fspath(path)
        # Keys first: a missing key must not leave an empty vault file behind.
        self._token_key = load_key(key_file, purpose="tokenize")
        self._aead = AESGCM(load_key(key_file, purpose="vault"))
        self._lock = threading.Lock()
        self._create_private(self._path)
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=30.0)
        except sqlite3.Error as exc:
            raise VaultError(f"cannot open vault {self._path!r}: {exc}") from None
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except sqlite3.Error as exc:
            conn.close()
            raise VaultError(f"cannot use {self._path!r} as a vault: {exc}") from None
        self._conn: sqlite3.Connection | None = conn

    @staticmethod
    def _create_private(path: str) -> None:
        """Create the file 0600 before SQLite touches it; SQLite would use the umask (often 0644),
        and its -wal/-shm files copy the main file's mode."""
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise VaultError(f"cannot create vault {path!r}: {exc.strerror or exc}") from None
        os.close(fd)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise VaultError(f"vault {self._path!r} is closed")
        return self._conn

    @property
    def path(self) -> str:
        """The vault file."""
        return self._path

    def tokenize(self, entity: str, value: str) -> str:
        """The token for ``value``, recording it so ``lookup``/``detokenize`` can reverse it."""
        token = make_token(self._token_key, entity, value)
        plain = _encode(value)
        nonce = os.urandom(12)
        ciphertext = self._aead.encrypt(nonce, plain, token.encode("utf-8"))
        with self._lock:
            conn = self._connection()
            cur = conn.execute(
                "INSERT OR IGNORE INTO tokens (token, entity, nonce, ciphertext, created) VALUES (?, ?, ?, ?, ?)",
                (token, entity, nonce, ciphertext, time.time()),
            )
            if cur.rowcount:
                return token
            stored = self._decrypt_locked(conn, token)
        # Already there: it must be the same value, else two values share a 48-bit token and
        # detokenize would silently hand back the wrong one.
        if stored is None or not hmac.compare_digest(_encode(stored), plain):
            raise VaultError(
                f"token collision in vault {self._path!r}: {token} already stands for a different {entity} value"
            )
        return token

    def lookup(self, token: str) -> str | None:
        """The value behind ``token``, or None if the vault does not hold it.

        Raises TamperedVaultError when the row fails authentication; never returns garbage.
        """
        with self._lock:
            return self._decrypt_locked(self._connection(), token)

    def _decrypt_locked(self, conn: sqlite3.Connection, token: str) -> str | None:
        row = conn.execute("SELECT nonce, ciphertext FROM tokens WHERE token = ?", (token,)).fetchone()
        if row is None:
            return None
        nonce, ciphertext = row
        try:
            plain = self._aead.decrypt(bytes(nonce), bytes(ciphertext), token.encode("utf-8"))
        except (InvalidTag, ValueError, TypeError):
            raise TamperedVaultError(
                f"vault {self._path!r}: the row for {token} failed authentication; the file was "
                "modified, or it was written under a different key (check WEIR_KEY / key_file)"
            ) from None
        return plain.decode("utf-8", "surrogatepass")

    def _count(self) -> int:
        with self._lock:
            (n,) = self._connection().execute("SELECT count(*) FROM tokens").fetchone()
        return int(n)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL into the file). Idempotent."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Vault:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # Path and size only: never values, never keys.
        if self._conn is None:
            return f"Vault({self._path!r}, closed)"
        try:
            return f"Vault({self._path!r}, tokens={self._count()})"
        except (sqlite3.Error, VaultError):
            return f"Vault({self._path!r}, tokens=?)"


@overload
def detokenize(text: str, vault: Vault) -> str: ...
@overload
def detokenize(text: bytes, vault: Vault) -> bytes: ...
def detokenize(text: str | bytes, vault: Vault) -> str | bytes:
    """``text`` with every token the vault knows replaced by its value; unknown tokens stay as they are.

    Bytes are accepted too (values are written back as UTF-8). Each distinct token is looked up once.
    """
    seen: dict[str, str | None] = {}

    def value_of(token: str) -> str | None:
        if token not in seen:
            seen[token] = vault.lookup(token)
        return seen[token]

    if isinstance(text, bytes):

        def sub_bytes(m: re.Match[bytes]) -> bytes:
            value = value_of(m.group(0).decode("ascii"))
            return m.group(0) if value is None else _encode(value)

        return _TOKEN_RE_BYTES.sub(sub_bytes, text)
    if not isinstance(text, str):
        raise TypeError(f"detokenize() takes str or bytes, not {type(text).__name__}")

    def sub(m: re.Match[str]) -> str:
        value = value_of(m.group(0))
        return m.group(0) if value is None else value

    return TOKEN_RE.sub(sub, text)
