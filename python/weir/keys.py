"""Where weir's secret comes from and how it is turned into per-purpose keys.

The master secret never leaves this module: callers get an HKDF-derived subkey for one purpose
("hash", "tokenize", "vault"), so a leaked fingerprint key does not open the vault, and vice versa.
Keys come from a key file or the environment, never from code or policy files, and no message
raised here ever contains key material.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV_VAR = "WEIR_KEY"
MIN_KEY_BYTES = 16
SUBKEY_BYTES = 32

_HOW_TO = (
    "Set a key with `export WEIR_KEY=$(openssl rand -hex 32)`, or put "
    '`key_file = "/path/to/key"` in the policy, naming a file that holds the key '
    f"(at least {MIN_KEY_BYTES} bytes, e.g. made with `openssl rand -hex 32 > /path/to/key`)."
)


class MissingKeyError(RuntimeError):
    """No usable key: none set, an unreadable key file, or too little key material.

    One exception type, so a caller that needs a key can fail closed on every such case; the
    message says what was wrong and how to set a key, and never contains key material.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {_HOW_TO}")


def _read_master(key_file: str | None) -> bytes:
    """The raw master secret, stripped of surrounding whitespace (a trailing newline in a file or
    variable is an accident, not key material)."""
    if key_file is not None:
        path = os.path.expanduser(key_file)
        try:
            with open(path, "rb") as fh:
                return fh.read().strip()
        except OSError as exc:
            # strerror names the cause (not found, permission denied); never echo the content.
            raise MissingKeyError(
                f"cannot read key file {path!r}: {exc.strerror or type(exc).__name__}."
            ) from None
    value = os.environ.get(ENV_VAR)
    if not value:
        raise MissingKeyError(f"no key: {ENV_VAR} is not set and the policy names no key_file.")
    # fsencode round-trips whatever bytes the OS handed us (surrogateescape), so decoding can't fail
    # and drag the secret into a UnicodeError.
    return os.fsencode(value).strip()


def load_key(key_file: str | None = None, *, purpose: str) -> bytes:
    """A 32-byte key for ``purpose``, derived from weir's master secret.

    Where the secret comes from, first match wins:

    1. ``key_file``, when the policy names one: the file's bytes, surrounding whitespace stripped.
       If it cannot be read this is an error; weir does not fall back to the environment, so a
       policy that names a key never silently runs under a different one.
    2. The ``WEIR_KEY`` environment variable, surrounding whitespace stripped.

    The secret must hold at least 16 bytes. It is never returned as is: HKDF-SHA256 with
    ``info=b"weir/" + purpose`` gives independent keys for "hash", "tokenize" and "vault".

    Raises MissingKeyError (message says how to set a key) and ValueError for an empty purpose.
    """
    if not purpose:
        raise ValueError("purpose must be a non-empty string, e.g. 'hash', 'tokenize' or 'vault'")
    master = _read_master(key_file)
    if len(master) < MIN_KEY_BYTES:
        source = f"key file {key_file!r}" if key_file is not None else ENV_VAR
        raise MissingKeyError(
            f"the key from {source} is too short: it has {len(master)} bytes, at least {MIN_KEY_BYTES} are required."
        )
    hkdf = HKDF(algorithm=hashes.SHA256(), length=SUBKEY_BYTES, salt=None, info=b"weir/" + purpose.encode())
    return hkdf.derive(master)


def keyed_digest(key: bytes, entity: str, value: str | bytes, length: int) -> str:
    """Hex HMAC-SHA256 of ``entity + "\\0" + value``, cut to ``length`` hex characters (8..64).

    Keyed, so a fingerprint cannot be reversed by hashing candidate values without the key; the
    entity is mixed in so the same string found as two entities gets two unrelated fingerprints.
    """
    if isinstance(length, bool) or not isinstance(length, int) or not 8 <= length <= 64:
        raise ValueError(f"length must be an integer from 8 to 64, got {length!r}")
    if not key:
        raise ValueError("key must not be empty; get one from weir.keys.load_key()")
    # surrogatepass: identical to utf-8 for every valid string, and lone surrogates from decoded
    # JSON still hash instead of raising an error that would carry the value.
    data = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    mac = hmac.new(key, entity.encode("utf-8") + b"\0" + data, hashlib.sha256)
    return mac.hexdigest()[:length]
