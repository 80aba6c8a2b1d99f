"""Regression tests for the leaks found by trying weir as an adversary would (issue 20). Each case
goes through every way in that it applies to: weir.scan, weir.redact, the CLI and the MCP guard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import weir
from weir.cli import main
from weir.mcp import Guard

# Luhn-valid test numbers of several brands.
CARDS = ["4111111111111111", "5500000000000004", "4012888888881881", "5555555555554444", "6011000990139424"]
GROUPED = ["4111 1111 1111 1111", "5500 0000 0000 0004", "4012 8888 8888 1881"]


def _rows() -> list[tuple[str, list[str]]]:
    """(text, the values in it) for cards written one after another."""
    return [
        (" ".join(CARDS[:2]), CARDS[:2]),
        (" ".join(CARDS), CARDS),
        (" ".join(GROUPED), GROUPED),
        ("-".join(CARDS[:3]), CARDS[:3]),
        ("cards: " + " ".join(CARDS[:3]) + " end", CARDS[:3]),
        (" ".join(["4111111111111111"] * 50), ["4111111111111111"] * 50),
        ("  ".join(GROUPED), GROUPED),
    ]


@pytest.mark.parametrize(("text", "values"), _rows())
def test_cards_in_a_row_are_each_found(text: str, values: list[str]) -> None:
    found = [f for f in weir.scan(text).findings if f.entity == "CREDIT_CARD"]
    assert [f.value for f in found] == values
    redacted = weir.redact(text)
    for value in values:
        assert value not in redacted, redacted
    assert redacted.count("[CREDIT_CARD]") == len(values)


def test_a_thousand_cards_in_a_row_keep_none() -> None:
    text = " ".join(CARDS[i % len(CARDS)] for i in range(1000))
    redacted = weir.redact(text)
    assert not any(card in redacted for card in CARDS)
    assert redacted.count("[CREDIT_CARD]") == 1000


def test_cards_in_a_row_in_bytes_and_payloads() -> None:
    row = " ".join(CARDS[:3])
    assert weir.redact(row.encode()) == b" ".join([b"[CREDIT_CARD]"] * 3)
    assert weir.redact({"cards": row}) == {"cards": " ".join(["[CREDIT_CARD]"] * 3)}


@pytest.mark.parametrize(
    ("text", "entity", "n"),
    [
        # A match that ends on a byte of context after its value: the next value needs that byte.
        ("aa:bb:cc:dd:ee:f1 11:22:33:44:55:66", "MAC_ADDRESS", 2),
        ("mac 0a1b.2c3d.4e5f 0a1b.2c3d.4e60 up", "MAC_ADDRESS", 2),
        ("536-22-1847 536-22-1848", "US_SSN", 2),
    ],
)
def test_other_shapes_in_a_row(text: str, entity: str, n: int) -> None:
    assert [f.entity for f in weir.scan(text).findings].count(entity) == n


def test_card_shaped_groups_inside_a_valid_iban_are_the_iban() -> None:
    # 5292 3584 5955 6609 passes Luhn: it is found, then dropped as part of the validated IBAN.
    found = weir.scan('"iban":"ES45 1326 5292 3584 5955 6609"').findings
    assert [f.entity for f in found] == ["IBAN_CODE"]


def test_cli_redact_keeps_no_card_of_a_row(tmp_path: Path) -> None:
    log = tmp_path / "cards.log"
    log.write_text("charge " + " ".join(CARDS) + "\n" + " ".join(GROUPED) + "\n")
    out = tmp_path / "clean.log"
    assert main(["redact", str(log), "-o", str(out)]) == 0
    clean = out.read_text()
    assert not any(card in clean for card in CARDS + GROUPED), clean
    assert clean.count("[CREDIT_CARD]") == len(CARDS) + len(GROUPED)


def test_cli_scan_counts_every_card_of_a_row(tmp_path: Path) -> None:
    log = tmp_path / "cards.log"
    log.write_text(" ".join(CARDS) + "\n")
    weir_bin = Path(sys.executable).with_name("weir")
    proc = subprocess.run(
        [str(weir_bin), "scan", "--format", "jsonl", str(log)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stdout.count('"CREDIT_CARD"') == len(CARDS)


def test_mcp_guard_masks_every_card_of_a_row() -> None:
    guard = Guard("default", server="test", audit=False)
    result = {"content": [{"type": "text", "text": " ".join(CARDS)}]}
    out = guard.tool_result("t", result)["content"][0]["text"]
    assert not any(card in out for card in CARDS), out


def test_allow_list_is_compiled_once_per_policy() -> None:
    # decide() runs on every MCP message; recompiling the RegexSet each time cost ~0.4 ms a finding.
    policy = weir.Policy.from_dict({"allow": {"patterns": ["^test-"], "values": ["support@example.com"]}})
    first = policy.allowed_values()
    assert policy.allowed_values()[1] is first[1]
    again = weir.Policy.from_dict({"allow": {"patterns": ["^test-"], "values": ["support@example.com"]}})
    assert again.allowed_values()[1] is first[1]
    assert weir.redact("mail support@example.com or jane@corp.example", policy=policy) == (
        "mail support@example.com or [EMAIL_ADDRESS]"
    )


def test_keys_that_redact_alike_keep_every_entry() -> None:
    data = {"alice@example.com": "a", "bob@example.com": "b", "[EMAIL_ADDRESS]": "c"}
    out = weir.redact(data)
    assert sorted(out.values()) == ["a", "b", "c"]
    assert out["[EMAIL_ADDRESS]"] == "c"  # a key that was not redacted keeps its name
    assert not any("example.com" in k for k in out)
    guard = Guard("default", server="test", audit=False)
    result = {
        "content": [{"type": "text", "text": "ok"}],
        "structuredContent": {"alice@example.com": "a", "bob@example.com": "b"},
    }
    structured = guard.tool_result("t", result)["structuredContent"]
    assert sorted(structured.values()) == ["a", "b"] and len(structured) == 2


def test_audit_log_masks_keys_that_are_values(tmp_path: Path) -> None:
    from weir.mcp import AuditLog

    log = tmp_path / "audit.jsonl"
    guard = Guard("default", server="test", audit=AuditLog(log))
    payload = {"users": {"jane@example.com": {"name": "x", "ssn": "536-22-1847"}}}
    guard.tool_result("t", {"content": [{"type": "text", "text": "ok"}], "structuredContent": payload})
    text = log.read_text()
    assert "jane@example.com" not in text and "536-22-1847" not in text
    assert '"/structuredContent/users/[EMAIL_ADDRESS]/ssn"' in text


def test_finding_repr_hides_a_key_that_is_the_value() -> None:
    (finding,) = weir.scan({"users": {"jane@example.com": 1}}).findings
    assert "jane" not in repr(finding) and "/users/<key hidden>" in repr(finding)


def _nested(depth: int, leaf: object) -> list[object]:
    root: list[object] = []
    node = root
    for _ in range(depth - 1):
        child: list[object] = []
        node.append(child)
        node = child
    node.append(leaf)
    return root


@pytest.mark.parametrize("depth", [500, 512])
def test_redact_within_max_depth_does_not_hit_the_recursion_limit(depth: int) -> None:
    out: object = weir.redact(_nested(depth, "jane.doe@example.com"))
    while isinstance(out, list):
        out = out[0]
    assert out == "[EMAIL_ADDRESS]"
    guard = Guard("default", server="test", audit=False)
    args = guard.tool_call("t", {"k": _nested(depth - 1, "jane.doe@example.com")})
    node: object = args["k"]
    while isinstance(node, list):
        node = node[0]
    assert node == "[EMAIL_ADDRESS]"


def test_an_integer_too_long_for_python_to_print_is_a_weir_error() -> None:
    hidden = 10**5000 + 4111111111111111  # a card hidden in the low digits
    with pytest.raises(weir.PayloadError, match="integer of about 5001 digits"):
        weir.scan({"n": hidden})
    with pytest.raises(weir.PayloadError):
        weir.redact({"n": hidden})
    guard = Guard("default", server="test", audit=False)
    with pytest.raises(Exception) as e:  # withheld, never forwarded
        guard.tool_call("t", {"n": hidden})
    assert "4111111111111111" not in str(e.value)
    assert weir.redact({"n": 4111111111111111}) == {"n": "[CREDIT_CARD]"}


# --- item 8: a user rule whose matches can outgrow the recovery window ------------------------

LONG_RULE = """
[[rules]]
id = "acme.secret"
name = "ACME secret"
entity = "ACME_SECRET"
category = "secret"
pattern = '''{pattern}'''
score = 0.9
examples = ["secret=abcdef BEGIN x END abc=end"]
negative_examples = ["nothing here"]
"""
LONG_VALUE = "a" * 5000


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # Found whole by today's engine, but only by luck of its shape: refused all the same.
        (r"secret=(?P<value>[A-Za-z0-9]+)", f"x secret={LONG_VALUE} y"),
        (r"[A-Za-z0-9]+=end", f"x {LONG_VALUE}=end y"),  # was cut short to its last 4 KiB
        (r"BEGIN[^#]+END", f"x BEGIN{LONG_VALUE}END y"),  # was not found at all
        (r"BEGIN[a-z]{1,20000}END", f"x BEGIN{'a' * 17000}END y"),  # bounded, but over 16 KiB
    ],
)
def test_a_rule_that_can_outgrow_the_window_is_refused_naming_the_rule(
    tmp_path: Path, pattern: str, text: str
) -> None:
    path = tmp_path / "long.toml"
    path.write_text(LONG_RULE.format(pattern=pattern))
    refused = r"rule 'acme\.secret': field 'pattern': .*16384 bytes.*\{1,256\} instead of \+"
    with pytest.raises(weir.RuleError, match=refused) as e:
        weir.Scanner(extra_rules=[path]).scan(text)
    assert str(path) in str(e.value) and pattern not in str(e.value)
    with pytest.raises(weir.RuleError, match=refused):
        weir.Scanner(rules=weir.rules.load_file(path))
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("weir")), "rules", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout
    assert "acme.secret" in proc.stderr and "{1,256}" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bounded_rule_finds_a_long_value_whole(tmp_path: Path) -> None:
    path = tmp_path / "bounded.toml"
    path.write_text(LONG_RULE.format(pattern=r"secret=(?P<value>[A-Za-z0-9]{1,8192})"))
    assert main(["rules", "check", str(path)]) == 0
    scanner = weir.Scanner(extra_rules=[path])
    (finding,) = [f for f in scanner.scan(f"x secret={LONG_VALUE} y").findings if f.rule == "acme.secret"]
    assert finding.value == LONG_VALUE
    assert scanner.redact(f"x secret={LONG_VALUE} y") == "x secret=[ACME_SECRET] y"


def test_the_built_in_rules_fit_the_window() -> None:
    for rule in weir.rules.load_builtin():
        longest = weir._core.pattern_max_len(rule.pattern)
        assert longest is not None and longest <= weir.rules.MAX_WINDOW, rule.id


# --- item 9: deny terms keep the settings of the scanner they extend ---------------------------

DENY = weir.Policy.from_dict({"deny": {"terms": ["Project Nightingale"]}})


def test_deny_terms_keep_ner_filters_and_options() -> None:
    base = weir.Scanner(
        entities=["PERSON", "EMAIL_ADDRESS", "CREDIT_CARD"],
        ner=True,
        normalize=False,
        decode_depth=0,
        limits=weir.Limits(max_bytes=4096),
    )
    text = "Please ask Angela Merkel in Boston about Project Nightingale, mail jane.doe@example.com"
    assert base.redact(text, DENY) == (
        "Please ask [PERSON] in Boston about [DENIED_TERM], mail [EMAIL_ADDRESS]"  # no LOCATION
    )
    derived = base.with_deny_terms(DENY.deny.terms)
    assert sorted(f.entity for f in derived.scan(text)) == ["DENIED_TERM", "EMAIL_ADDRESS", "PERSON"]
    assert [f.entity for f in derived.scan(text, categories=["pii"])] == ["PERSON", "EMAIL_ADDRESS"]
    wide = "".join(chr(0xFF10 + int(c)) for c in "4111111111111111")  # full-width digits
    hidden = f"card {wide} and amFuZS5kb2VAZXhhbXBsZS5jb20="  # and a base64 e-mail address
    assert base.scan(hidden).findings == [] and derived.scan(hidden).findings == []
    with pytest.raises(weir.LimitExceeded):
        base.redact("x" * 5000, DENY)


def test_deny_terms_keep_categories_and_min_score() -> None:
    base = weir.Scanner(categories=["pii"], ner="auto", min_score=0.8)  # a bare SSN scores 0.75
    text = "Project Nightingale: Angela Merkel, jane.doe@example.com, 536-22-1847, card 4111111111111111"
    expected = "[DENIED_TERM]: [PERSON], [EMAIL_ADDRESS], 536-22-1847, card 4111111111111111"
    assert base.redact(text, DENY) == expected


# --- item 10: the CLI's redaction writer, with report-only findings overlapping redacted ones --


def _cli_redact(tmp_path: Path, text: str, policy: str) -> tuple[int, str]:
    log, pol, out = tmp_path / "in.log", tmp_path / "policy.toml", tmp_path / "out.log"
    log.write_text(text)
    pol.write_text(policy)
    code = main(["redact", str(log), "--policy", str(pol), "-o", str(out)])
    return code, out.read_text() if out.exists() else ""


@pytest.mark.parametrize(
    ("term", "kept"),
    [
        ("doe@example.com and more", " and more text"),  # a report that ends after the redacted span
        ("mail jane", "mail "),  # one that starts before it
        ("example", " and more text"),  # one inside it
    ],
)
def test_cli_redact_keeps_bytes_of_a_report_overlapping_a_redaction(
    tmp_path: Path, term: str, kept: str
) -> None:
    text = "mail jane.doe@example.com and more text\n" * 3
    policy = f'default = "redact"\n[entities]\nDENIED_TERM = "report"\n[deny]\nterms = ["{term}"]\n'
    code, out = _cli_redact(tmp_path, text, policy)
    assert code == 0
    assert out == weir.redact(text, weir.Policy.load(tmp_path / "policy.toml"))
    assert out == "mail [EMAIL_ADDRESS] and more text\n" * 3 and kept in out


def test_cli_redact_blocks_inside_a_redacted_span(tmp_path: Path) -> None:
    text = "mail jane.doe@example.com and more text\n"
    policy = 'default = "redact"\n[entities]\nDENIED_TERM = "block"\n[deny]\nterms = ["doe@example"]\n'
    code, out = _cli_redact(tmp_path, text, policy)
    assert code == 1 and out == ""  # was 0, with the e-mail redacted and the block never seen
    with pytest.raises(weir.Blocked):
        weir.redact(text, weir.Policy.load(tmp_path / "policy.toml"))
