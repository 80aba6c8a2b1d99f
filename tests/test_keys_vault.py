"""Keys (where they come from, how they are derived) and the reversible token vault."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import sys
import threading
from pathlib import Path

import pytest

from weir.keys import MissingKeyError, keyed_digest, load_key
from weir.vault import TOKEN_RE, TamperedVaultError, Vault, VaultError, detokenize, make_token

ENV_KEY = "0123456789abcdef0123456789abcdef-env"
FILE_KEY = "fedcba9876543210fedcba9876543210-file"
SECRET = "4111 1111 1111 1111"


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WEIR_KEY", ENV_KEY)
    return ENV_KEY


@pytest.fixture
def no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEIR_KEY", raising=False)


@pytest.fixture
def key_file(tmp_path: Path) -> str:
    path = tmp_path / "weir.key"
    path.write_text(f"  {FILE_KEY}\n")
    return str(path)


# -- keys ---------------------------------------------------------------------------------------


def test_key_from_env(env_key: str) -> None:
    key = load_key(purpose="hash")
    assert len(key) == 32
    assert env_key.encode() not in key
    assert load_key(purpose="hash") == key


def test_key_from_file_strips_whitespace(no_env_key: None, key_file: str, tmp_path: Path) -> None:
    key = load_key(key_file, purpose="hash")
    assert len(key) == 32
    bare = tmp_path / "bare.key"
    bare.write_text(FILE_KEY)
    assert load_key(str(bare), purpose="hash") == key


def test_key_file_wins_over_env(env_key: str, key_file: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from_file = load_key(key_file, purpose="hash")
    from_env = load_key(purpose="hash")
    assert from_file != from_env
    monkeypatch.delenv("WEIR_KEY")
    assert load_key(key_file, purpose="hash") == from_file


def test_unreadable_key_file_is_an_error_naming_the_path(env_key: str, tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    with pytest.raises(MissingKeyError) as info:
        load_key(str(missing), purpose="hash")  # no silent fallback to WEIR_KEY
    assert str(missing) in str(info.value)
    assert ENV_KEY not in str(info.value)


def test_too_short_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WEIR_KEY", "short-key-15byt")
    with pytest.raises(MissingKeyError, match="too short") as info:
        load_key(purpose="hash")
    assert "short-key-15byt" not in str(info.value)
    short = tmp_path / "short.key"
    short.write_text("   tiny   \n")
    with pytest.raises(MissingKeyError, match="at least 16"):
        load_key(str(short), purpose="hash")
    monkeypatch.setenv("WEIR_KEY", "x" * 16)
    assert len(load_key(purpose="hash")) == 32


def test_missing_key_message_says_how_to_set_one(no_env_key: None) -> None:
    with pytest.raises(MissingKeyError) as info:
        load_key(purpose="vault")
    message = str(info.value)
    assert "export WEIR_KEY=$(openssl rand -hex 32)" in message
    assert 'key_file = "/path/to/key"' in message
    assert isinstance(info.value, RuntimeError)


def test_empty_env_key_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEIR_KEY", "")
    with pytest.raises(MissingKeyError, match="WEIR_KEY"):
        load_key(purpose="hash")


def test_key_file_content_never_in_errors(no_env_key: None, tmp_path: Path) -> None:
    short = tmp_path / "short.key"
    short.write_text("s3cr3t-bits")
    with pytest.raises(MissingKeyError) as info:
        load_key(str(short), purpose="hash")
    assert "s3cr3t-bits" not in str(info.value)
    assert "s3cr3t-bits" not in repr(info.value)


def test_subkeys_differ_per_purpose(env_key: str) -> None:
    keys = {p: load_key(purpose=p) for p in ("hash", "tokenize", "vault")}
    assert len(set(keys.values())) == 3
    assert all(len(k) == 32 for k in keys.values())
    with pytest.raises(ValueError):
        load_key(purpose="")


def test_keyed_digest_is_stable_and_keyed() -> None:
    key = b"k" * 32
    d = keyed_digest(key, "EMAIL_ADDRESS", "jane@example.com", 16)
    assert d == keyed_digest(key, "EMAIL_ADDRESS", b"jane@example.com", 16)
    assert re.fullmatch(r"[0-9a-f]{16}", d)
    assert keyed_digest(key, "EMAIL_ADDRESS", "jane@example.com", 64).startswith(d)
    assert d != keyed_digest(b"j" * 32, "EMAIL_ADDRESS", "jane@example.com", 16)
    assert d != keyed_digest(key, "PERSON", "jane@example.com", 16)
    # entity and value are separated, so the boundary cannot shift
    assert keyed_digest(key, "AB", "C", 16) != keyed_digest(key, "A", "BC", 16)
    # a known answer pins the construction: HMAC-SHA256(key, entity \0 value)
    import hashlib
    import hmac

    expected = hmac.new(key, b"EMAIL_ADDRESS\0jane@example.com", hashlib.sha256).hexdigest()
    assert keyed_digest(key, "EMAIL_ADDRESS", "jane@example.com", 64) == expected


@pytest.mark.parametrize("length", [8, 12, 64])
def test_keyed_digest_length(length: int) -> None:
    assert len(keyed_digest(b"k" * 32, "X", "v", length)) == length


@pytest.mark.parametrize("length", [0, 7, 65, 128, -1])
def test_keyed_digest_length_bounds(length: int) -> None:
    with pytest.raises(ValueError, match="8 to 64"):
        keyed_digest(b"k" * 32, "X", "v", length)


# -- vault --------------------------------------------------------------------------------------


def test_round_trip_several_entities(env_key: str, tmp_path: Path) -> None:
    values = {
        "EMAIL_ADDRESS": ["jane@example.com", "joe@example.org"],
        "CREDIT_CARD": [SECRET],
        "US_SSN": ["078-05-1120"],
        "PERSON": ["Zoë Ångström"],
    }
    with Vault(tmp_path / "v.db") as vault:
        tokens = {(e, v): vault.tokenize(e, v) for e, vs in values.items() for v in vs}
        for (entity, _), token in tokens.items():
            assert re.fullmatch(rf"<{entity}_[0-9a-f]{{12}}>", token)
            assert TOKEN_RE.fullmatch(token)
        original = (
            "From jane@example.com to joe@example.org: card 4111 1111 1111 1111, "
            "SSN 078-05-1120, signed Zoë Ångström; cc jane@example.com."
        )
        masked = original
        for (_, value), token in tokens.items():
            masked = masked.replace(value, token)
        for _, value in tokens:
            assert value not in masked
        assert detokenize(masked, vault) == original
        assert detokenize(masked.encode(), vault) == original.encode()
        assert vault.lookup(tokens[("US_SSN", "078-05-1120")]) == "078-05-1120"


def test_same_value_same_token_with_or_without_vault(env_key: str, tmp_path: Path) -> None:
    with Vault(tmp_path / "a.db") as a, Vault(tmp_path / "b.db") as b:
        t1 = a.tokenize("CREDIT_CARD", SECRET)
        assert a.tokenize("CREDIT_CARD", SECRET) == t1
        assert b.tokenize("CREDIT_CARD", SECRET) == t1
        assert make_token(load_key(purpose="tokenize"), "CREDIT_CARD", SECRET) == t1
        assert a.tokenize("PHONE_NUMBER", SECRET) != t1
        assert "tokens=1" in repr(b)


def test_different_key_different_token(env_key: str, key_file: str, tmp_path: Path) -> None:
    with Vault(tmp_path / "env.db") as by_env, Vault(tmp_path / "file.db", key_file=key_file) as by_file:
        assert by_env.tokenize("CREDIT_CARD", SECRET) != by_file.tokenize("CREDIT_CARD", SECRET)


def test_unknown_tokens_untouched(env_key: str, tmp_path: Path) -> None:
    with Vault(tmp_path / "v.db") as vault:
        known = vault.tokenize("EMAIL_ADDRESS", "jane@example.com")
        unknown = "<EMAIL_ADDRESS_0123456789ab>"
        text = f"{known} {unknown} <lower_0123456789ab> <EMAIL_ADDRESS_0123456789AB> <X_123>"
        assert detokenize(text, vault) == text.replace(known, "jane@example.com")
        assert vault.lookup(unknown) is None
        assert detokenize("", vault) == ""


def test_detokenize_is_linear_on_hostile_input(env_key: str, tmp_path: Path) -> None:
    hostile = "<" + "A_" * 50_000 + "0123456789a" + ">" + "<A" * 50_000
    with Vault(tmp_path / "v.db") as vault:
        assert detokenize(hostile, vault) == hostile


def test_file_is_private_and_holds_no_plaintext(env_key: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    vault = Vault(path)
    for i in range(50):
        vault.tokenize("CREDIT_CARD", f"{SECRET}-{i}")
    vault.tokenize("PERSON", "Zoë Ångström")
    vault.close()
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    files = [p for p in tmp_path.iterdir() if p.name.startswith("v.db")]
    blob = b"".join(p.read_bytes() for p in files)
    assert blob
    for needle in (SECRET, "Zoë Ångström", "Ångström"):
        assert needle.encode() not in blob
        assert needle.encode("utf-16-le") not in blob
    assert ENV_KEY.encode() not in blob
    # the data outlives the connection
    with Vault(path) as again:
        assert (
            again.lookup(make_token(load_key(purpose="tokenize"), "CREDIT_CARD", f"{SECRET}-7"))
            == f"{SECRET}-7"
        )


def test_tampered_ciphertext_raises(env_key: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    with Vault(path) as vault:
        token = vault.tokenize("US_SSN", "078-05-1120")
    raw = sqlite3.connect(path)
    (ct,) = raw.execute("SELECT ciphertext FROM tokens WHERE token = ?", (token,)).fetchone()
    flipped = bytes([ct[0] ^ 0x01]) + bytes(ct[1:])
    raw.execute("UPDATE tokens SET ciphertext = ? WHERE token = ?", (flipped, token))
    raw.commit()
    raw.close()
    with Vault(path) as vault:
        with pytest.raises(TamperedVaultError, match="failed authentication") as info:
            vault.lookup(token)
        assert "078-05-1120" not in str(info.value)
        with pytest.raises(TamperedVaultError):
            detokenize(f"ssn {token}", vault)


def test_row_moved_to_another_token_raises(env_key: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    with Vault(path) as vault:
        a = vault.tokenize("PERSON", "Alice")
        b = vault.tokenize("PERSON", "Bob")
    raw = sqlite3.connect(path)
    nonce, ct = raw.execute("SELECT nonce, ciphertext FROM tokens WHERE token = ?", (a,)).fetchone()
    raw.execute("UPDATE tokens SET nonce = ?, ciphertext = ? WHERE token = ?", (nonce, ct, b))
    raw.commit()
    raw.close()
    with Vault(path) as vault, pytest.raises(TamperedVaultError):
        vault.lookup(b)


def test_other_key_cannot_read_the_vault(env_key: str, key_file: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    with Vault(path) as vault:
        token = vault.tokenize("PERSON", "Alice")
    with Vault(path, key_file=key_file) as other, pytest.raises(TamperedVaultError, match="different key"):
        other.lookup(token)


def test_repr_hides_values_and_keys(env_key: str, tmp_path: Path) -> None:
    vault = Vault(tmp_path / "v.db")
    vault.tokenize("CREDIT_CARD", SECRET)
    vault.tokenize("PERSON", "Alice")
    text = repr(vault)
    assert str(tmp_path / "v.db") in text
    assert "tokens=2" in text
    assert SECRET not in text and "Alice" not in text
    for purpose in ("tokenize", "vault"):
        key = load_key(purpose=purpose)
        assert key.hex() not in text and repr(key) not in text
    assert ENV_KEY not in text
    vault.close()
    assert "closed" in repr(vault)
    vault.close()  # idempotent
    with pytest.raises(VaultError, match="closed"):
        vault.tokenize("PERSON", "Alice")


def test_missing_key_leaves_no_vault_file(no_env_key: None, tmp_path: Path) -> None:
    with pytest.raises(MissingKeyError):
        Vault(tmp_path / "v.db")
    assert not (tmp_path / "v.db").exists()


def test_bad_entity_name_rejected(env_key: str, tmp_path: Path) -> None:
    with Vault(tmp_path / "v.db") as vault:
        for entity in ("email", "", "A" * 65, "A-B", "1ABC"):
            with pytest.raises(ValueError, match="cannot be tokenized"):
                vault.tokenize(entity, "x")


def test_concurrent_tokenize_from_8_threads(env_key: str, tmp_path: Path) -> None:
    path = tmp_path / "v.db"
    errors: list[BaseException] = []
    results: dict[int, dict[str, str]] = {}
    with Vault(path) as vault:
        barrier = threading.Barrier(8)

        def work(n: int) -> None:
            try:
                barrier.wait()
                mine: dict[str, str] = {}
                for i in range(100):
                    # half shared across threads (same rows raced), half private
                    value = f"shared-{i}" if i % 2 else f"t{n}-{i}"
                    mine[value] = vault.tokenize("PERSON", value)
                results[n] = mine
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert "tokens=450" in repr(vault)  # 50 shared + 8 x 50 private
        for mine in results.values():
            for value, token in mine.items():
                assert vault.lookup(token) == value
