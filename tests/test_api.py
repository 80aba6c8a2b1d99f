"""The public Python API: scan(), redact(), Scanner, Finding, ScanResult."""

from __future__ import annotations

import textwrap
from pathlib import Path

import msgspec
import pytest

import weir

CARD = "4111 1111 1111 1111"
EMAIL = "jane.doe@example.com"


def entities(result: weir.ScanResult) -> list[str]:
    return [f.entity for f in result]


def test_scan_str_finds_exact_spans() -> None:
    text = f"Customer {EMAIL} paid with {CARD}."
    result = weir.scan(text)
    by_entity = {f.entity: f for f in result}
    assert text[by_entity["EMAIL_ADDRESS"].start : by_entity["EMAIL_ADDRESS"].end] == EMAIL
    assert by_entity["CREDIT_CARD"].value == CARD
    assert by_entity["CREDIT_CARD"].category == "financial"
    assert 0.0 < by_entity["CREDIT_CARD"].score <= 1.0


def test_offsets_count_code_points_for_str_and_bytes_for_bytes() -> None:
    text = f"Ünïcødé → {EMAIL} ✓"
    f = next(f for f in weir.scan(text) if f.entity == "EMAIL_ADDRESS")
    assert text[f.start : f.end] == EMAIL
    data = text.encode()
    g = next(f for f in weir.scan(data) if f.entity == "EMAIL_ADDRESS")
    assert data[g.start : g.end] == EMAIL.encode()
    assert g.start > f.start  # multi-byte characters come before it


def test_invalid_utf8_bytes_are_scanned_as_bytes() -> None:
    data = b"\xff\xfe garbage \xc3\x28 " + EMAIL.encode() + b" \x80"
    found = weir.scan(data)
    assert [f.value for f in found if f.entity == "EMAIL_ADDRESS"] == [EMAIL.encode()]


def test_lone_surrogates_are_scanned() -> None:
    assert weir.scan("abc \udcff def").findings == []
    (f,) = weir.scan(f"\udcff {EMAIL}").findings
    assert (f.start, f.value) == (2, EMAIL)


def test_repr_never_shows_the_value() -> None:
    f = next(iter(weir.scan(f"card {CARD}")))
    for text in (repr(f), str(f), repr(weir.scan(f"card {CARD}"))):
        assert "4111" not in text
    assert "hidden" in repr(f)


def test_finding_is_frozen_struct() -> None:
    f = next(iter(weir.scan(EMAIL)))
    assert isinstance(f, msgspec.Struct)
    with pytest.raises(AttributeError):
        f.start = 3  # type: ignore[misc]


def test_unsupported_type_says_what_is_accepted() -> None:
    with pytest.raises(TypeError, match="str, bytes"):
        weir.scan(3.5)
    with pytest.raises(TypeError, match="set"):
        weir.scan({"a": {1, 2}})


def test_payload_paths_keys_and_numbers() -> None:
    payload = {
        "user": {"email": EMAIL, "cards": ["none", 4111111111111111]},
        f"owner {EMAIL}": True,
        "a/b~c": {"note": f"mail {EMAIL}"},
    }
    found = weir.scan(payload)
    where = {(f.entity, f.path, f.in_key) for f in found}
    assert ("EMAIL_ADDRESS", "/user/email", False) in where
    assert ("CREDIT_CARD", "/user/cards/1", False) in where
    assert ("EMAIL_ADDRESS", f"/owner {EMAIL}", True) in where
    assert ("EMAIL_ADDRESS", "/a~1b~0c/note", False) in where


def test_key_name_counts_as_a_hotword() -> None:
    bare = [f.score for f in weir.scan({"x": "536221234"}, min_score=0) if f.entity == "US_SSN"]
    keyed = [f.score for f in weir.scan({"ssn": "536221234"}, min_score=0) if f.entity == "US_SSN"]
    assert bare and keyed and keyed[0] > bare[0]


def test_filters() -> None:
    text = f"{EMAIL} {CARD}"
    assert entities(weir.scan(text, entities=["CREDIT_CARD"])) == ["CREDIT_CARD"]
    assert entities(weir.scan(text, categories=["pii"])) == ["EMAIL_ADDRESS"]
    assert entities(weir.scan(text, min_score=1.01)) == []
    with pytest.raises(ValueError, match="unknown categories"):
        weir.scan(text, categories=["nope"])


def test_redact_keeps_type_and_shape() -> None:
    assert weir.redact(f"to {EMAIL}!") == "to [EMAIL_ADDRESS]!"
    assert weir.redact(f"to {EMAIL}!".encode()) == b"to [EMAIL_ADDRESS]!"
    assert weir.redact(bytearray(f"to {EMAIL}!".encode())) == bytearray(b"to [EMAIL_ADDRESS]!")
    out = weir.redact({"a": [f"x {EMAIL}", 1, None], "b": {"card": CARD}})
    assert out == {"a": ["x [EMAIL_ADDRESS]", 1, None], "b": {"card": "[CREDIT_CARD]"}}
    # Redacting what was redacted finds nothing new.
    assert weir.redact(out) == out


def test_a_url_password_is_not_redacted_as_an_email_address() -> None:
    # The password and its host read as an e-mail address from the same start; "mail" near it
    # scores that reading 1.0, above the password's. The span is labelled as the credential.
    for text in (
        "postgres://billing_svc:Tr0ub4dor@db.internal:5432/billing",
        "send mail to: postgres://billing_svc:tangerine@db.example.com/x",
    ):
        found = {f.entity for f in weir.scan(text).findings}
        assert "DATABASE_URL" in found
        out = weir.redact(text)
        assert "[DATABASE_URL]" in out and "EMAIL_ADDRESS" not in out, out
    # A plain e-mail address keeps its label.
    assert weir.redact(f"mail {EMAIL}") == "mail [EMAIL_ADDRESS]"


def test_deep_payload_is_refused_cleanly() -> None:
    deep: object = "x"
    for _ in range(2000):
        deep = [deep]
    with pytest.raises(weir.PayloadError, match="deeper"):
        weir.scan(deep)


def write_rules(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "mine.toml"
    p.write_text(textwrap.dedent(body))
    return p


GOOD_RULE = """
    [[rules]]
    id = "acme.badge"
    name = "ACME badge number"
    entity = "ACME_BADGE"
    category = "pii"
    pattern = '''\\bACME-(?P<value>[0-9]{6})\\b'''
    score = 0.7
    hotwords = ["badge"]
    examples = ["badge ACME-123456", "ACME-654321 entered"]
    negative_examples = ["ACME-12345", "XACME-123456"]
"""


def test_extra_rules_are_loaded(tmp_path: Path) -> None:
    scanner = weir.Scanner(extra_rules=[write_rules(tmp_path, GOOD_RULE)])
    found = [f for f in scanner.scan("my badge ACME-123456") if f.entity == "ACME_BADGE"]
    assert [f.value for f in found] == ["123456"]
    assert found[0].score == pytest.approx(0.95)


def test_bad_rule_file_names_file_rule_and_field(tmp_path: Path) -> None:
    bad = write_rules(tmp_path, GOOD_RULE.replace("score = 0.7", 'score = "high"'))
    with pytest.raises(weir.RuleFileError) as e:
        weir.Scanner(extra_rules=[bad])
    msg = str(e.value)
    assert "mine.toml" in msg and "acme.badge" in msg and "'score'" in msg


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    bad = write_rules(tmp_path, GOOD_RULE.replace("score = 0.7", "score = 0.7\nscroe = 1"))
    with pytest.raises(weir.RuleFileError, match="scroe"):
        weir.Scanner(extra_rules=[bad])


def test_rule_that_does_not_compile_is_named(tmp_path: Path) -> None:
    bad = write_rules(tmp_path, GOOD_RULE.replace("\\bACME-", "(?<=x)ACME-"))
    with pytest.raises(weir.RuleError, match=r"acme\.badge"):
        weir.Scanner(extra_rules=[bad])


def test_unknown_validator_is_named(tmp_path: Path) -> None:
    bad = write_rules(tmp_path, GOOD_RULE.replace("score = 0.7", 'score = 0.7\nvalidator = "luhnn"'))
    with pytest.raises(weir.RuleFileError, match="luhnn"):
        weir.Scanner(extra_rules=[bad])


def test_scanner_is_reusable_and_thread_safe(scanner: weir.Scanner) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"row {i}: {EMAIL} {CARD}" for i in range(200)]
    expected = [scanner.scan(t).findings for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: scanner.scan(t).findings, texts))
    assert got == expected


def test_database_cache_survives_corruption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEIR_CACHE_DIR", str(tmp_path / "cache"))
    rules = write_rules(tmp_path, GOOD_RULE)
    first = weir.Scanner(extra_rules=[rules]).scan("badge ACME-123456").findings
    # One database for the anchored rules, one for the shape rules' Vectorscan fallback.
    files = list((tmp_path / "cache").glob("*.hsdb"))
    assert 1 <= len(files) <= 2
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in files)
    for f in files:
        f.write_bytes(f.read_bytes()[:-40] + b"\0" * 40)  # corrupt it
    again = weir.Scanner(extra_rules=[rules]).scan("badge ACME-123456").findings
    assert again == first
    monkeypatch.setenv("WEIR_CACHE_DIR", "off")
    assert weir.Scanner(extra_rules=[rules]).scan("badge ACME-123456").findings == first


def test_filtered_scanner_compiles_only_those_rules() -> None:
    secrets = weir.Scanner(categories=["secret"])
    assert secrets.rules and {r.category for r in secrets.rules} == {"secret"}
    assert secrets.engine.rule_count == len(secrets.rules) < len(weir.Scanner().rules)
    assert not secrets.scan(f"{EMAIL} {CARD}")
    assert [f.entity for f in weir.scan(f"key AKIAZ2XQ7RTVNBLZ4GRA {EMAIL}", categories=["secret"])] == [
        "AWS_ACCESS_KEY_ID"
    ]
    # AWS's documentation key is not one (issue 19's false alarm).
    assert not weir.scan("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", categories=["secret"]).findings
    with pytest.raises(ValueError, match="no rule matches"):
        weir.Scanner(entities=["NO_SUCH_ENTITY"])
