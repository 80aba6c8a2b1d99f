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
