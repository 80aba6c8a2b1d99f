"""Evasion: values hidden by look-alike or invisible characters, or inside encodings, are found,
with spans on the hidden form in the original text, and redacted there."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

import weir
from weir import Scanner
from weir.cli import main

EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
AWS = "AKIAJM5UH2KFBIVIYILZ"

scanner = Scanner()
plain = Scanner(normalize=False, decode_depth=0)


def only(text: str | bytes, entity: str, s: Scanner = scanner) -> weir.Finding:
    found = [f for f in s.scan(text) if f.entity == entity]
    assert len(found) == 1, found
    return found[0]


def hidden_in(text: str, hidden: str, entity: str, decoded: str) -> None:
    """``hidden`` (sitting in ``text``) is found as ``entity``, spanning exactly ``hidden``."""
    f = only(text, entity)
    assert text[f.start : f.end] == hidden
    assert f.value == hidden
    assert f.decoded == decoded
    assert not [g for g in plain.scan(text) if g.entity == entity], "the plain scan should miss it"
    redacted = scanner.redact(text)
    assert hidden not in redacted and f"[{entity}]" in redacted


def fw(text: str) -> str:
    """Full-width digits."""
    return "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in text)


def digits(text: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    ("hidden", "entity"),
    [
        (fw(CARD), "CREDIT_CARD"),
        (fw("4111-1111-1111-1111"), "CREDIT_CARD"),
        (digits("4111111111111111", 0x660), "CREDIT_CARD"),  # Arabic-Indic
        (digits("4111 1111 1111 1111", 0x966), "CREDIT_CARD"),  # Devanagari
        ("4111\u200b1111\u200b1111\u200b1111", "CREDIT_CARD"),
        ("4111\u00ad1111\u00ad1111\u00ad1111", "CREDIT_CARD"),
        ("4111\u00a01111\u00a01111\u00a01111", "CREDIT_CARD"),
        ("4111\u20131111\u20131111\u20131111", "CREDIT_CARD"),
        ("4\ufeff1\u200c1\u200d1 1111 1111 1111", "CREDIT_CARD"),
        (fw("536-22-1847"), "US_SSN"),
        ("536\u221222\u22121847", "US_SSN"),
        ("536\u200b-22-1847", "US_SSN"),
        (fw("GB82WEST12345698765432"), "IBAN_CODE"),
        ("GB82\u00a0WEST\u00a01234\u00a05698\u00a07654\u00a032", "IBAN_CODE"),
        ("(415)\u00a0555\u20102671", "PHONE_NUMBER"),
        (fw("212-555-7489"), "PHONE_NUMBER"),
        ("jane.doe\uff20example.com", "EMAIL_ADDRESS"),
        ("AKIA\u200bJM5UH2KFBIVIYILZ", "AWS_ACCESS_KEY_ID"),
        # Issue 20, item 4: more invisible and look-alike characters.
        ("4111\u034f1111\u034f1111\u034f1111", "CREDIT_CARD"),  # combining grapheme joiner
        ("4\ufe0f111 1111 1111 1111", "CREDIT_CARD"),  # variation selector 16
        ("41\U000e002011 1111 1111 1111", "CREDIT_CARD"),  # a tag character
        ("4\u0301111 1111 1111 1111", "CREDIT_CARD"),  # a combining mark on a digit
        ("41\u202e11 1111 1111 1111", "CREDIT_CARD"),  # a bidirectional override
        ("4111\u31641111\u31641111\u31641111", "CREDIT_CARD"),  # Hangul filler as separator
        ("\u2463\u2460\u2460\u2460 1111 1111 1111", "CREDIT_CARD"),  # circled digits
        ("\u2075\u00b3\u2076-22-1847", "US_SSN"),  # superscript digits
        ("536-\u2082\u2082-1847", "US_SSN"),  # subscript digits
        ("jane.doe\ufe6bexample.com", "EMAIL_ADDRESS"),  # small commercial at
        ("jane.doe@of\ufb01ce.example.com", "EMAIL_ADDRESS"),  # a ligature in the domain
        # Digits stored reversed behind a right-to-left override display as the card.
        ("\u202e1111 1111 1111 1114\u202c", "CREDIT_CARD"),
    ],
)
def test_normalized_forms(hidden: str, entity: str) -> None:
    hidden_in(f"paid with {hidden} today", hidden, entity, "normalized")


def test_reversed_ssn_is_found_and_never_leaks() -> None:
    """Behind a right-to-left override the SSN is found; the override's own finding (invisible
    Unicode, scored higher) may name the redacted span, which holds the digits either way."""
    text = "ssn \u202e7481-22-635\u202c on file"
    f = only(text, "US_SSN")
    assert f.decoded == "normalized" and text[f.start : f.end] == "\u202e7481-22-635\u202c"
    assert "7481" not in scanner.redact(text)


def test_separator_forms_found_plainly() -> None:
    """Spaces, dashes, dots and none: the forms the rules take as written."""
    for text, entity in [
        ("card 4111111111111111", "CREDIT_CARD"),
        ("card 4111-1111-1111-1111", "CREDIT_CARD"),
        ("card 4111 1111 1111 1111", "CREDIT_CARD"),
        ("card 4111.1111.1111.1111", "CREDIT_CARD"),
        ("SSN: 536-22-1847", "US_SSN"),
        ("SSN: 536 22 1847", "US_SSN"),
        ("SSN: 536.22.1847", "US_SSN"),
        ("SSN: 536221847", "US_SSN"),
        ("IBAN GB82WEST12345698765432", "IBAN_CODE"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
        ("phone 212.555.7489", "PHONE_NUMBER"),
        ("phone 212-555-7489", "PHONE_NUMBER"),
        ("phone 212 555 7489", "PHONE_NUMBER"),
        ("phone: 2125557489", "PHONE_NUMBER"),
        ("call me back on 4155552671 tomorrow", "PHONE_NUMBER"),
        ("reach Dana at 2125557489 (mobile)", "PHONE_NUMBER"),
        # Issue 20, item 4: the separators a value can be written with to slip past the rules.
        ("card 4111/1111/1111/1111", "CREDIT_CARD"),
        ("card 4111\t1111\t1111\t1111", "CREDIT_CARD"),
        ("card 4111_1111_1111_1111", "CREDIT_CARD"),
        ("card 4111|1111|1111|1111", "CREDIT_CARD"),
        ("card 4111 - 1111 - 1111 - 1111", "CREDIT_CARD"),
        ("card 4111  1111  1111  1111", "CREDIT_CARD"),
        ("SSN: 536/22/1847", "US_SSN"),
        ("To: jane.doe=40example.com (quoted-printable)", "EMAIL_ADDRESS"),
    ]:
        f = only(text, entity, plain)
        assert f.decoded is None, text


def test_bare_ten_digit_phone_needs_a_phone_word() -> None:
    """Ten plain digits are a phone number next to a phone word, or under a key like "phone";
    elsewhere they are IDs, amounts and timestamps."""
    record = {"phone": "4155552671", "order_id": "4155552671", "notes": "ship 2125557489 units"}
    found = scanner.scan(record)
    assert [(f.path, f.entity) for f in found] == [("/phone", "PHONE_NUMBER")]
    assert not scanner.scan("order 4155552671 shipped at 2125557489")
    far = "phone on file; " + "x" * 60 + " ref 4155552671"
    assert not scanner.scan(far), "a phone word outside the 40-byte window does not count"


def test_match_does_not_depend_on_buffer_length() -> None:
    """Vectorscan 5.4.9 (Debian 12's library) missed this e-mail address for most lengths of the
    text around it; weir links 5.4.12, which finds it at every length."""
    text = (
        "git clone https://x-access-token:ghp_6XqGQO9M324dff4wtDAIhbtVFusgNKNgICOX@github.com/acme/infra.git"
    )
    for end in range(text.index(".com") + 4, len(text) + 1):
        found = weir.scan(text[:end], entities=["EMAIL_ADDRESS"])
        assert [f.value for f in found] == [text[text.index("ghp_") : text.index(".com") + 4]], end


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


@pytest.mark.parametrize(
    ("hidden", "entity", "decoded"),
    [
        (b64(f"contact {EMAIL}"), "EMAIL_ADDRESS", "base64"),
        (base64.urlsafe_b64encode(f"?>?{EMAIL}".encode()).decode().rstrip("="), "EMAIL_ADDRESS", "base64"),
        (b64(f"aws_access_key_id={AWS}"), "AWS_ACCESS_KEY_ID", "base64"),
        (f"{EMAIL}".encode().hex(), "EMAIL_ADDRESS", "hex"),
        (quote(f"{EMAIL}", safe=""), "EMAIL_ADDRESS", "url"),
        ("4111%201111%201111%201111", "CREDIT_CARD", "url"),
        ("jane.doe\\u0040example.com", "EMAIL_ADDRESS", "escape"),
        ("\\u0034\\u0031\\u0031\\u0031111111111111", "CREDIT_CARD", "escape"),
        ("\\x34\\x31\\x31\\x31 1111 1111 1111", "CREDIT_CARD", "escape"),
        ("jane.doe&#64;example&period;com", "EMAIL_ADDRESS", "html"),
        ("jane.doe&#x40;example.com", "EMAIL_ADDRESS", "html"),
        ("jane.doe&#64example.com", "EMAIL_ADDRESS", "html"),  # no `;`: browsers take it (issue 20)
        ("4111&nbsp;1111&nbsp;1111&nbsp;1111", "CREDIT_CARD", "html/normalized"),
        ("\\uff14\\uff11\\uff11\\uff11111111111111", "CREDIT_CARD", "escape/normalized"),
        (quote(b64(f"mail {EMAIL}"), safe=""), "EMAIL_ADDRESS", "url/base64"),
        (base64.b32encode(f"mail {EMAIL}".encode()).decode(), "EMAIL_ADDRESS", "base32"),
    ],
)
def test_encoded_forms(hidden: str, entity: str, decoded: str) -> None:
    text = f'log {{"note": "x {hidden} y"}} end'
    f = only(text, entity)
    # The finding points at the encoded text: the whole run, or its decoded units.
    assert text[f.start : f.end] in hidden
    assert text[f.start : f.end] == f.value
    assert f.decoded == decoded
    assert not [g for g in plain.scan(text) if g.entity == entity]
    redacted = scanner.redact(text)
    assert f"[{entity}]" in redacted and text[f.start : f.end] not in redacted


def test_base64_span_is_whole_quanta() -> None:
    hidden = b64(EMAIL)
    text = f"token={hidden};"
    f = only(text, "EMAIL_ADDRESS")
    assert text[f.start : f.end] == hidden  # the email is the whole payload


def test_bytes_offsets_are_bytes() -> None:
    hidden = fw("4111 1111 1111 1111")
    data = f"é card {hidden} ok".encode()
    f = only(data, "CREDIT_CARD")
    assert data[f.start : f.end] == hidden.encode()
    assert f.decoded == "normalized"


def test_depth_is_honoured() -> None:
    twice = base64.b64encode(b64(f"email {EMAIL}").encode()).decode()
    text = f"blob {twice} end"
    assert not [f for f in Scanner(decode_depth=1).scan(text) if f.entity == "EMAIL_ADDRESS"]
    f = only(text, "EMAIL_ADDRESS", Scanner(decode_depth=2))
    assert f.decoded == "base64/base64"
    assert text[f.start : f.end] in twice
    assert not [f for f in Scanner(decode_depth=0).scan(text) if f.entity == "EMAIL_ADDRESS"]
    # Normalisation does not count as a layer and works without decoding.
    assert only(fw(f"card {CARD}"), "CREDIT_CARD", Scanner(decode_depth=0)).decoded == "normalized"
    with pytest.raises(ValueError, match="decode_depth"):
        Scanner(decode_depth=9)


def test_json_nested_in_json_strings() -> None:
    inner = {"user": {"name": "Jane", "ssn": "536-22-1847", "email": EMAIL}}
    once = json.dumps(inner)
    # A tool result whose text is serialised JSON, itself holding escaped JSON with \\u escapes.
    escaped = json.dumps({"ssn": "536\u201022\u20101847"})  # ensure_ascii: \\u2010 escapes
    payload = {"content": [{"type": "text", "text": once}, {"type": "text", "text": json.dumps(escaped)}]}
    found = scanner.scan(payload).findings
    ssn = [f for f in found if f.entity == "US_SSN"]
    assert {f.path for f in ssn} == {"/content/0/text", "/content/1/text"}
    by_path = {f.path: f for f in ssn}
    leaf1 = payload["content"][1]["text"]  # type: ignore[index]
    f = by_path["/content/1/text"]
    assert isinstance(leaf1, str) and leaf1[f.start : f.end] == f.value
    assert f.value == "536\\\\u201022\\\\u20101847"
    assert f.decoded == "escape/escape/normalized"
    assert only(once, "US_SSN").decoded is None
    redacted = scanner.redact(payload)
    assert "1847" not in json.dumps(redacted)


def test_payload_paths_and_consistency() -> None:
    payload = {"a": fw(CARD), "b": [b64(EMAIL)], "c": "plain 4111-1111-1111-1111"}
    found = scanner.scan(payload).findings
    assert {(f.path, f.decoded) for f in found} >= {("/a", "normalized"), ("/b/0", "base64"), ("/c", None)}
    # Each leaf's findings are what scanning the leaf alone gives.
    for f in found:
        leaf = {"/a": payload["a"], "/b/0": payload["b"][0], "/c": payload["c"]}[f.path or ""]
        alone = [(g.start, g.end, g.rule, g.decoded) for g in scanner.scan(leaf)]
        assert (f.start, f.end, f.rule, f.decoded) in alone


def test_stream_finds_hidden_values() -> None:
    lines = [f"line {i} card {fw(CARD)} mail {b64(EMAIL)}\n".encode() for i in range(200)]
    data = b"".join(lines)
    want = [(f.start, f.end, f.rule, f.decoded) for f in scanner.scan(data)]
    stream = scanner.stream(min_block=512)
    got = []
    for k in range(0, len(data), 333):
        got += stream.feed(data[k : k + 333])
    got += stream.close()
    assert sorted((f.start, f.end, f.rule, f.decoded) for f in got) == sorted(want)
    assert sum(f.decoded == "normalized" for f in got) == 200
    assert sum(f.decoded == "base64" for f in got) == 200


def test_repr_never_shows_values() -> None:
    f = only(f"x {b64(EMAIL)} y", "EMAIL_ADDRESS")
    assert "decoded='base64'" in repr(f)
    assert b64(EMAIL) not in repr(f) and EMAIL not in repr(f)


BENIGN = [
    # sha256 and md5 hex, git shas
    "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "etag d41d8cd98f00b204e9800998ecf8427e commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    # random base64 ids and tokens that decode to binary
    "request id 3q2+7w== nonce kZ8r1bX0mJqV4oY2tLw9Pg== session dGhpcyBpcyBub3QgYSBzZWNyZXQ",
    "uuid 123e4567-e89b-12d3-a456-426614174000 trace 4bf92f3577b34da6a3ce929d0e0e4736",
    # URLs with %20 and form encoding; HTML with &amp;
    "GET /search?q=hello%20world&lang=en%2Dus&page=2 HTTP/1.1",
    "https://example.com/a%2Fb?x=1+2&y=%E2%82%AC",
    "<p>Fish &amp; chips &lt;b&gt;now&lt;/b&gt; &quot;fresh&quot; &#169; 2024</p>",
    'log {"msg": "user said \\"hi\\" \\u00e9t\\u00e9", "path": "C:\\\\temp"}',
    # Unicode text with nothing hidden
    "Ça coûte 12\u00a0€ — à bientôt, 東京 ２０２４年",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_encodings_add_nothing(text: str) -> None:
    assert [f for f in scanner.scan(text) if f.decoded is not None] == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(base64.b64encode(b"A" * 7_500_000), id="10MB base64 run"),
        pytest.param(b"%41" * 1_000_000, id="1M %41"),
        pytest.param(b"x=" + b"%25" * 50 + b"34111111111111111", id="percent 50 deep"),
        pytest.param(b"".join([b"&#x26;" * 1000, b"\\u0026" * 1000]) * 500, id="entities and escapes"),
    ],
)
def test_hostile_inputs_finish_fast(data: bytes) -> None:
    started = time.perf_counter()
    scanner.scan(data)
    assert time.perf_counter() - started < 10.0


def test_nested_base64_50_deep_is_bounded() -> None:
    blob = f"card {CARD}".encode()
    for _ in range(50):
        blob = base64.b64encode(blob)
        if len(blob) > 2_000_000:
            break
    started = time.perf_counter()
    deep = Scanner(decode_depth=8)
    found = [f for f in deep.scan(blob) if f.decoded is not None]
    assert found == []  # far deeper than 8 layers: nothing decoded to the card
    assert time.perf_counter() - started < 10.0


def test_cli_reports_and_redacts_hidden_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hidden = b64(f"mail {EMAIL}")
    log = tmp_path / "app.log"
    log.write_text(f"INFO start\nWARN token {hidden} card {fw(CARD)}\nINFO done\n", encoding="utf-8")
    assert main(["scan", "--format", "json", str(log)]) == 1
    doc = json.loads(capsys.readouterr().out)
    by_entity = {f["entity"]: f for f in doc["findings"]}
    assert by_entity["EMAIL_ADDRESS"]["decoded"] == "base64"
    assert by_entity["CREDIT_CARD"]["decoded"] == "normalized"
    email = by_entity["EMAIL_ADDRESS"]
    # Inside the base64 run on line 2, from the quantum holding the email's first character.
    hidden_at = len("INFO start\nWARN token ")
    assert hidden_at <= email["start"] < email["end"] == hidden_at + len(hidden)
    assert (email["line"], email["column"]) == (2, email["start"] - len("INFO start\n") + 1)
    assert EMAIL not in json.dumps(doc) and hidden not in json.dumps(doc)
    assert main(["scan", "--format", "sarif", str(log)]) == 1
    sarif = json.loads(capsys.readouterr().out)
    assert {r["properties"].get("decoded") for r in sarif["runs"][0]["results"]} >= {"base64", "normalized"}
    out = tmp_path / "clean.log"
    assert main(["redact", str(log), "-o", str(out)]) == 0
    clean = out.read_text(encoding="utf-8")
    assert hidden[-8:] not in clean and fw(CARD) not in clean
    assert clean.startswith("INFO start\n") and clean.endswith("INFO done\n")


def test_utf16le_text_in_bytes_is_found_and_redacted() -> None:
    """Issue 20, item 4: UTF-16LE text (a Windows log, a .reg export) inside bytes."""
    data = b"EventData: " + f"mail {EMAIL} card {CARD}".encode("utf-16-le") + b" end"
    found = scanner.scan(data).findings
    assert {f.entity for f in found} == {"EMAIL_ADDRESS", "CREDIT_CARD"}
    email = next(f for f in found if f.entity == "EMAIL_ADDRESS")
    assert data[email.start : email.end] == EMAIL.encode("utf-16-le") and email.decoded == "utf16"
    assert not plain.scan(data).findings
    redacted = scanner.redact(data)
    assert EMAIL.encode("utf-16-le") not in redacted and CARD.encode("utf-16-le") not in redacted
