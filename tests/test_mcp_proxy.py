"""``weir proxy``: the real command as a subprocess in front of a plain-Python MCP server.

The fixture server (tests/fixtures/mcp_stdio_server.py) returns what weir must catch; each test
speaks newline-delimited JSON-RPC to the proxy as an MCP client would, and checks what comes out,
what reaches the server (its ``--log``), the audit log, stderr and the exit status.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import weir
from mcp_session import SERVER, WEIR, Session
from weir.mcp.guard import Guard
from weir.mcp.proxy import Router

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SERVER.parent))

from mcp_stdio_server import AWS_KEY, CARD, EMAIL, GITHUB_TOKEN, POISON  # noqa: E402

WITHHELD = -32001
PLANTED = (AWS_KEY, EMAIL, GITHUB_TOKEN, CARD, "4111111111111111")


def _has_injection_rules() -> bool:
    try:
        weir.Scanner(categories=["injection"])
    except ValueError:
        return False
    return True


needs_injection = pytest.mark.skipif(
    not _has_injection_rules(),
    reason="no injection rules in the native module (patterns/injection.toml; make build)",
)
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def call(rid: Any, name: str, **arguments: Any) -> dict[str, Any]:
    """A tools/call request."""
    return {
        "jsonrpc": "2.0",
        "id": rid,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


def received(log: Path) -> str:
    """What the server read (its --log), or nothing."""
    return log.read_text() if log.exists() else ""


def text_of(response: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in response["result"]["content"] if b.get("type") == "text")


def tool_error(response: dict[str, Any]) -> str:
    result = response["result"]
    assert result["isError"] is True, response
    return text_of(response)


def assert_no_planted(*texts: str | bytes) -> None:
    for t in texts:
        s = t.decode("utf-8", "replace") if isinstance(t, bytes) else t
        for value in PLANTED:
            assert value not in s


def write_policy(path: Path, body: str) -> str:
    path.write_text('[categories]\nsecret = "block"\ninjection = "block"\n' + body)
    return str(path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """One proxy under the default policy, for the tests that need nothing else."""
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    s = Session("--audit-log", str(audit))
    s.audit = audit
    yield s
    s.close()


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "received.jsonl"


# --- results -----------------------------------------------------------------------------------


def test_aws_key_in_a_result_becomes_a_tool_error_naming_the_entity(shared: Session) -> None:
    response = shared.tool("aws_key")
    message = tool_error(response)
    assert "AWS_ACCESS_KEY_ID" in message and "1 x" in message
    assert AWS_KEY not in json.dumps(response)


def test_jsonrpc_error_mode_names_reason_and_counts(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.toml", '[mcp]\non_block = "jsonrpc_error"\n')
    s = Session("--policy", policy)
    try:
        response = s.tool("aws_key")
        error = response["error"]
        assert error["code"] == WITHHELD
        assert error["data"] == {"reason": "blocked", "counts": {"AWS_ACCESS_KEY_ID": 1}}
        assert "AWS_ACCESS_KEY_ID" in error["message"] and AWS_KEY not in json.dumps(response)
    finally:
        s.close()


def test_email_in_structured_content_is_masked_in_both_forms(shared: Session) -> None:
    result = shared.tool("lookup_user", id=42)["result"]
    assert result["structuredContent"]["email"] == "[EMAIL_ADDRESS]"
    assert result["structuredContent"]["id"] == 42
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert_no_planted(json.dumps(result))


def test_embedded_resource_blob_with_a_token_is_withheld(shared: Session) -> None:
    message = tool_error(shared.tool("resource_blob"))
    assert "GITHUB_TOKEN" in message
    assert GITHUB_TOKEN not in message


@needs_tesseract
def test_card_number_in_an_image_is_masked(shared: Session) -> None:
    from mcp_stdio_server import card_png

    original = card_png()
    assert any(f.entity == "CREDIT_CARD" for f in weir.scan(original, ocr=True).findings)
    block = shared.tool("card_image")["result"]["content"][0]
    assert block["type"] == "image"
    out = base64.b64decode(block["data"])
    assert out != original and out.startswith(b"\x89PNG")
    assert not any(f.entity == "CREDIT_CARD" for f in weir.scan(out, ocr=True).findings)


@needs_tesseract
def test_card_number_in_an_image_is_blocked_under_a_blocking_policy(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.toml", '[entities]\nCREDIT_CARD = "block"\n')
    s = Session("--policy", policy)
    try:
        message = tool_error(s.tool("card_image"))
        assert "CREDIT_CARD" in message
        # a resource blob is an image too
        response = s.request("resources/read", {"uri": "file:///card.png"})
        assert response["error"]["data"]["counts"] == {"CREDIT_CARD": 1}
    finally:
        s.close()


def test_error_from_the_server_quoting_a_secret_is_withheld(shared: Session) -> None:
    response = shared.tool("leaky_error")
    assert "AWS_ACCESS_KEY_ID" in tool_error(response)
    assert AWS_KEY not in json.dumps(response)


# --- calls ---------------------------------------------------------------------------------------


def test_blocked_arguments_never_reach_the_server(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        message = tool_error(s.tool("echo", text=f"deploy with {AWS_KEY}"))
        assert "AWS_ACCESS_KEY_ID" in message
        masked = s.tool("echo", text=f"write to {EMAIL}")
        assert text_of(masked) == "write to [EMAIL_ADDRESS]"
    finally:
        assert s.close() == 0
    got = received(server_log)
    assert AWS_KEY not in got and EMAIL not in got
    assert "[EMAIL_ADDRESS]" in got


def test_prompt_arguments_and_resources(shared: Session) -> None:
    prompt = shared.request("prompts/get", {"name": "greet", "arguments": {"who": EMAIL}})
    assert prompt["result"]["messages"][0]["content"]["text"] == "Say hello to [EMAIL_ADDRESS]."
    notes = shared.request("resources/read", {"uri": "file:///notes.txt"})
    assert notes["result"]["contents"][0]["text"] == "Call [EMAIL_ADDRESS] tomorrow."
    # not a tool call: a JSON-RPC error even though on_block is tool_error
    secret = shared.request("resources/read", {"uri": "file:///secret.env"})
    assert secret["error"]["code"] == WITHHELD
    assert secret["error"]["data"]["counts"] == {"AWS_ACCESS_KEY_ID": 1}
    assert_no_planted(json.dumps(prompt), json.dumps(notes), json.dumps(secret))


def test_clean_calls_and_requested_uris_pass_unchanged(server_log: Path) -> None:
    """Issue 22: a URL with an IP reaches the tool as typed, and a resource URI that names a
    person is neither rewritten on the way in nor on the way back."""
    s = Session(server_args=("--log", str(server_log)))
    uri = f"test://template/{EMAIL}/data"
    try:
        fetched = s.tool("echo", text="http://127.0.0.1:8765/clean.txt")
        record = s.request("resources/read", {"uri": uri})
    finally:
        assert s.close() == 0
    assert "error" not in fetched
    assert record["result"]["contents"][0] == {
        "uri": uri,
        "mimeType": "text/plain",
        "text": "a record, nothing else",
    }
    got = received(server_log)
    assert "http://127.0.0.1:8765/clean.txt" in got and uri in got


def test_notification_from_the_server_is_masked(shared: Session) -> None:
    shared.seen.clear()
    assert text_of(shared.tool("notify")) == "sent"
    notes = [m for m in shared.seen if isinstance(m, dict) and m.get("method") == "notifications/message"]
    assert [n["params"]["data"] for n in notes] == ["mail sent to [EMAIL_ADDRESS]"]


def test_sampling_request_masked_and_blocked_client_answer_replaced(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        rid = 7
        s.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": "ask_client"}})
        request = json.loads(s.line())
        assert request["method"] == "sampling/createMessage" and request["id"] == "srv-1"
        assert (
            request["params"]["messages"][0]["content"]["text"] == "Summarise the mail from [EMAIL_ADDRESS]"
        )
        answer = {
            "role": "assistant",
            "content": {"type": "text", "text": f"the key is {AWS_KEY}"},
            "model": "m",
        }
        s.send({"jsonrpc": "2.0", "id": "srv-1", "result": answer})
        result = s.response(rid)[0]
        error = json.loads(text_of(result))  # the server saw an error in place of the answer
        assert error["code"] == WITHHELD and error["data"]["counts"] == {"AWS_ACCESS_KEY_ID": 1}
    finally:
        s.close()
    assert AWS_KEY not in received(server_log)


# --- tool definitions ------------------------------------------------------------------------------


@needs_injection
def test_poisoned_tool_is_withheld_from_the_listing_and_its_call_refused(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        tools = s.request("tools/list")["result"]["tools"]
        names = {t["name"] for t in tools}
        assert "add" not in names and {"echo", "weather"} <= names
        assert POISON not in json.dumps(tools)
        message = tool_error(s.tool("add", a=1, b=2))
        assert "add" in message and "withheld" in message
    finally:
        s.close()
    assert '"add"' not in received(server_log).split('"tools/list"', 1)[1]


@needs_injection
def test_tool_whose_definition_changes_is_withheld_after_the_change(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        first = {t["name"] for t in s.request("tools/list")["result"]["tools"]}
        assert "weather" in first
        assert text_of(s.tool("weather", city="Oslo")) == "Sunny in Oslo."
        second = {t["name"] for t in s.request("tools/list")["result"]["tools"]}
        assert "weather" not in second and "echo" in second
        assert "changed" in tool_error(s.tool("weather", city="Oslo"))
    finally:
        s.close()
    calls = [json.loads(line) for line in received(server_log).splitlines()]
    weather = [c for c in calls if c.get("params", {}).get("name") == "weather"]
    assert len(weather) == 1  # the second call never reached the server


@needs_injection
def test_initialize_instructions_checked_for_injection() -> None:
    params = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    s = Session()
    try:
        clean = s.request("initialize", params)["result"]
        assert clean["instructions"] == "A fixture server for the tests of weir's proxy."
        assert clean["serverInfo"]["name"] == "fixture"
    finally:
        s.close()
    s = Session(server_args=("--instructions", POISON))
    try:
        result = s.request("initialize", params)["result"]
        assert "withheld" in result["instructions"] and "id_rsa" not in result["instructions"]
    finally:
        s.close()


# --- the wire ------------------------------------------------------------------------------------


def test_unchanged_messages_pass_byte_for_byte() -> None:
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        call("two", "echo", text="hé"),
        call(3, "report", rows=60),
        {"jsonrpc": "2.0", "id": 4, "method": "resources/read", "params": {"uri": "file:///missing"}},
    ]
    outputs = []
    for direct in (True, False):
        s = Session(direct=direct)
        for r in requests:
            s.send(r)
        assert s.close() == 0
        outputs.append(s.output())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == len(requests)


def test_ids_and_order_are_preserved_across_pipelined_requests() -> None:
    ids: list[Any] = []
    for i in range(300):
        ids.append([i, str(i), f"{i:04d}", -i, 2**53 + i, f"id with spaces {i}"][i % 6])
    blocked = set(range(5, 300, 37))
    s = Session()
    try:
        for i, rid in enumerate(ids):
            text = f"n{i} {AWS_KEY}" if i in blocked else f"n{i}"
            s.send(call(rid, "echo", text=text))
        got = [json.loads(s.line()) for _ in ids]
    finally:
        s.close()
    assert sorted(map(json.dumps, (m["id"] for m in got))) == sorted(map(json.dumps, ids))
    forwarded = [m for m in got if not m["result"]["isError"]]
    expected = [rid for i, rid in enumerate(ids) if i not in blocked]
    assert [m["id"] for m in forwarded] == expected  # same values and types, same order
    assert [text_of(m) for m in forwarded] == [f"n{i}" for i in range(300) if i not in blocked]
    by_id = {json.dumps(m["id"]): m for m in got}
    for i in blocked:
        assert "AWS_ACCESS_KEY_ID" in tool_error(by_id[json.dumps(ids[i])])


def test_batches_are_split_between_server_and_proxy(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        s.send(
            [
                {"jsonrpc": "2.0", "id": 1, "method": "ping"},
                call(2, "echo", text=AWS_KEY),
                call(3, "echo", text="ok"),
            ]
        )
        first, second = json.loads(s.line()), json.loads(s.line())
    finally:
        s.close()
    batches = sorted([first, second], key=len)
    assert [m["id"] for m in batches[0]] == [2] and "AWS_ACCESS_KEY_ID" in tool_error(batches[0][0])
    assert [m["id"] for m in batches[1]] == [1, 3] and text_of(batches[1][1]) == "ok"
    got = json.loads(received(server_log).splitlines()[0])
    assert [m["id"] for m in got] == [1, 3]


def test_lines_of_16_mb_and_more_pass_both_ways() -> None:
    size = 17 * 1024 * 1024
    s = Session()
    try:
        s.send(call(1, "big", size=size))
        response, raw = s.response(1)
        assert len(text_of(response)) == size and len(raw) > size
        payload = "plain words only " * (size // 17 + 1)
        s.send(call(2, "echo", text=payload))
        assert text_of(s.response(2)[0]) == payload
    finally:
        assert s.close() == 0
    direct = Session(direct=True)
    direct.send(call(1, "big", size=size))
    assert direct.line() == raw  # unchanged: the very bytes the server wrote
    direct.close()


def test_a_line_over_the_limit_is_withheld_and_the_session_goes_on(server_log: Path) -> None:
    s = Session("--max-line", "65536", server_args=("--log", str(server_log)))
    try:
        too_big = s.tool("big", size=200_000)
        assert "65536" in tool_error(too_big)
        big_request = call("x", "echo", text="y" * 100_000)
        s.send(big_request)
        assert "65536" in tool_error(s.response("x")[0])
        assert s.request("ping")["result"] == {}
    finally:
        assert s.close() == 0
    assert "y" * 1000 not in received(server_log)
    assert "more than 65536 bytes" in s.stderr


def test_a_message_over_the_policy_size_limit_is_withheld(tmp_path: Path) -> None:
    policy = write_policy(tmp_path / "p.toml", "[mcp]\nmax_bytes = 4096\n")
    s = Session("--policy", policy)
    try:
        message = tool_error(s.tool("report", rows=200))
        assert "max_bytes" in message
        assert not s.tool("report", rows=5)["result"]["isError"]
    finally:
        s.close()


def test_invalid_json_from_the_server_is_not_forwarded(shared: Session) -> None:
    response = shared.tool("garbage")
    assert "not valid JSON" in tool_error(response)
    assert AWS_KEY not in json.dumps(response)


def test_invalid_json_from_the_client_is_dropped(server_log: Path) -> None:
    s = Session(server_args=("--log", str(server_log)))
    try:
        s.send(b"this is not json " + EMAIL.encode())
        s.send(b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"echo"')
        assert "not valid JSON" in tool_error(s.response(9)[0])  # its id could be read: answered
        assert s.request("ping")["result"] == {}
    finally:
        s.close()
    assert EMAIL not in received(server_log) and '"id":9' not in received(server_log)
    assert "not valid JSON" in s.stderr and EMAIL not in s.stderr


# --- faults --------------------------------------------------------------------------------------


def test_media_that_cannot_be_scanned_is_withheld(shared: Session) -> None:
    assert "BadBase64" in tool_error(shared.tool("bad_image"))
    assert "cannot scan" in tool_error(shared.tool("not_an_image"))


def test_an_image_when_tesseract_is_missing_is_withheld() -> None:
    s = Session(env={"PATH": "/nonexistent"})
    try:
        message = tool_error(s.tool("card_image"))
        assert "cannot scan" in message and "OCR" in message
        assert text_of(s.tool("echo", text="still fine")) == "still fine"
    finally:
        s.close()


_FAULT = """
import sys
{patch}
from weir.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_fault_in_the_scanner_withholds_everything(server_log: Path) -> None:
    patch = (
        "import weir.scanner\n"
        "def boom(self, *a, **k):\n"
        f"    raise RuntimeError('injected fault {AWS_KEY}')\n"
        "weir.scanner.Scanner.scan = boom\n"
    )
    s = Session(
        prefix=[sys.executable, "-c", _FAULT.format(patch=patch)], server_args=("--log", str(server_log))
    )
    try:
        refused = tool_error(s.tool("echo", text="hello"))
        assert "RuntimeError" in refused
        withheld = tool_error(s.tool("report", rows=2))
        assert "could not be scanned (RuntimeError)" in withheld
    finally:
        s.close()
    assert '"echo"' not in received(server_log)  # the call was refused, not forwarded
    assert AWS_KEY not in s.stderr


def test_a_fault_in_the_proxy_withholds_the_message() -> None:
    patch = (
        "import weir.mcp.guard\n"
        "def boom(self, *a, **k):\n"
        "    raise KeyError('injected')\n"
        "weir.mcp.guard.Guard.tool_result = boom\n"
    )
    s = Session(prefix=[sys.executable, "-c", _FAULT.format(patch=patch)])
    try:
        assert "could not be checked (KeyError)" in tool_error(s.tool("echo", text="hello"))
        assert s.request("ping")["result"] == {}
    finally:
        s.close()


# --- process ---------------------------------------------------------------------------------------


def test_stderr_of_the_server_is_forwarded(shared: Session) -> None:
    assert text_of(shared.tool("stderr", text="fixture-marker-9931")) == "ok"
    deadline = time.monotonic() + 10
    while "fixture-marker-9931" not in shared.stderr and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "fixture: started" in shared.stderr and "fixture-marker-9931" in shared.stderr


def test_exit_status_of_the_server_is_the_proxy_s() -> None:
    s = Session(server_args=("--exit-code", "5"))
    assert s.request("ping")["result"] == {}
    assert s.close() == 5
    s = Session()
    s.send(call(1, "crash", code=3))
    assert s.proc.wait(60) == 3
    s.close()
    s = Session()
    s.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "kill_self"}})
    assert s.proc.wait(60) == 128 + signal.SIGKILL
    s.close()


def test_sigterm_is_forwarded_to_the_server() -> None:
    s = Session()
    assert s.request("ping")["result"] == {}
    s.proc.send_signal(signal.SIGTERM)
    assert s.proc.wait(60) == 128 + signal.SIGTERM
    s.close()


def test_usage_errors() -> None:
    missing = subprocess.run([str(WEIR), "proxy"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "no server command" in missing.stderr
    for argv, why in [
        (["--url", "http://127.0.0.1:1/mcp", "--", "cat"], "not both"),
        (["--header", "A=b", "--", "cat"], "go with --url"),
        (["--url", "ftp://example.org/mcp"], "http:// or https://"),
        (["--url", "http://127.0.0.1:1/mcp", "--header", "Authorization"], "NAME=VALUE"),
        (
            ["--url", "http://127.0.0.1:1/mcp", "--header-env", "Authorization=WEIR_NO_SUCH_VAR_7781"],
            "not set",
        ),
    ]:
        bad = subprocess.run([str(WEIR), "proxy", *argv], capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and why in bad.stderr, (argv, bad.stderr)
    missing = subprocess.run([str(WEIR), "proxy", "--"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    not_found = subprocess.run(
        [str(WEIR), "proxy", "--", "no-such-mcp-server-7781"], capture_output=True, text=True, timeout=60
    )
    assert not_found.returncode == 127 and "command not found: no-such-mcp-server-7781" in not_found.stderr
    bad_policy = subprocess.run(
        [str(WEIR), "proxy", "--policy", "/nonexistent.toml", "--", "true"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad_policy.returncode == 2


def test_audit_log_has_fingerprints_and_never_values(shared: Session) -> None:
    shared.tool("aws_key")
    shared.tool("lookup_user", id=1)
    shared.tool("echo", text=f"to {EMAIL}")
    assert shared.audit is not None
    text = shared.audit.read_text()
    events = [json.loads(line) for line in text.splitlines()]
    blocked = [e for e in events if e["action"] == "block" and e["tool"] == "aws_key"]
    assert blocked and blocked[0]["direction"] == "outbound" and blocked[0]["reason"] == "blocked"
    finding = blocked[0]["findings"][0]
    assert finding["entity"] == "AWS_ACCESS_KEY_ID" and len(finding["fingerprint"]) == 32
    assert any(e["action"] == "redact" and e["direction"] == "inbound" for e in events)
    assert_no_planted(text)


# --- the router, in process ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(Guard("default", audit=None))


def test_router_forwards_the_scanned_form_when_the_bytes_could_be_read_otherwise(router: Router) -> None:
    clean = '{"name":"echo","arguments":{"text":"hi"}}'
    leaky = clean.replace('"hi"', json.dumps(AWS_KEY))
    # duplicate members: weir scanned the last, a first-wins parser would read the first
    routed = router.route(
        f'{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{leaky},"params":{clean}}}\n'.encode(),
        "client",
    )
    assert routed.forward == f'{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{clean}}}\n'.encode()
    # members JSON-RPC does not define are dropped
    routed = router.route(
        f'{{"jsonrpc":"2.0","id":2,"method":"ping","extra":"{AWS_KEY}"}}\n'.encode(), "client"
    )
    assert routed.forward == b'{"jsonrpc":"2.0","id":2,"method":"ping"}\n'
    # other spacing: re-serialised compactly; the canonical form passes as it came
    assert router.route(b'{ "jsonrpc": "2.0", "id": 3, "method": "ping" }', "client").forward == (
        b'{"jsonrpc":"2.0","id":3,"method":"ping"}\n'
    )
    line = b'{"jsonrpc":"2.0","id":4,"method":"ping"}\r\n'
    assert router.route(line, "client").forward is line
    for rid in (1, 2, 3, 4):
        router.route(b'{"jsonrpc":"2.0","id":%d,"result":{}}\n' % rid, "server")


def test_router_pairs_responses_by_id_value_and_type(router: Router) -> None:
    request = b'{"jsonrpc":"2.0","id":"7","method":"tools/call","params":{"name":"aws_key","arguments":{}}}\n'
    assert router.route(request, "client").forward is request
    leaky = {"content": [{"type": "text", "text": f"key {AWS_KEY}"}]}
    # id 7 is not "7": no pending tools/call, yet scanned all the same
    withheld = json.loads(
        router.route(json.dumps({"jsonrpc": "2.0", "id": 7, "result": leaky}).encode(), "server").forward
        or b""
    )
    assert withheld["error"]["code"] == WITHHELD and router.pending("client") == 1
    answer = json.loads(
        router.route(json.dumps({"jsonrpc": "2.0", "id": "7", "result": leaky}).encode(), "server").forward
        or b""
    )
    assert answer["id"] == "7" and "AWS_ACCESS_KEY_ID" in tool_error(answer) and router.pending("client") == 0


def test_router_answers_the_request_an_unreadable_response_was_for(router: Router) -> None:
    router.route(
        b'{"jsonrpc":"2.0","id":12,"method":"resources/read","params":{"uri":"file:///x"}}\n', "client"
    )
    routed = router.route(
        b'{"jsonrpc":"2.0","id":12,"result":{"contents":[{"text":"' + AWS_KEY.encode(), "server"
    )
    error = json.loads(routed.forward or b"")
    assert error["id"] == 12 and error["error"]["code"] == WITHHELD and routed.back is None
    assert router.pending("client") == 0 and AWS_KEY not in "".join(routed.notes)
    overlong = router.overlong(
        b'{"jsonrpc":"2.0","method":"tools/call","id":"q","params":{"name":"echo"', "client"
    )
    assert json.loads(overlong.back or b"")["id"] == "q" and overlong.forward is None
    assert router.overlong(b'{"params":{"id":5},"id"', "client").back is None  # no id before an object


def test_router_answers_a_truncated_request_whose_id_it_can_read(router: Router) -> None:
    """Issue 22: a request line cut before its closing brace got no reply, and the client waited."""
    routed = router.route(b'{"jsonrpc":"2.0","id":33,"method":"ping"\n', "client")
    answer = json.loads(routed.back or b"")
    assert answer["id"] == 33 and answer["error"]["code"] == -32700 and routed.forward is None
    # A line cut by the proxy's own head limit may have lost digits of its id: no guess is made.
    assert router.overlong(b'{"jsonrpc":"2.0","method":"ping","id":12', "client").back is None


def test_the_upstream_url_is_shown_without_its_credentials() -> None:
    """What weir prints or sends about the upstream (stderr, a JSON-RPC error) never carries the
    user, password, query or fragment of the URL: tokens ride there."""
    from weir.mcp.http import shown_url

    url = "https://svc:hunter2secret@api.example.com:8443/mcp?api_key=sk_live_abc123#frag"
    shown = shown_url(url)
    assert shown == "https://api.example.com:8443/mcp"
    for secret in ("svc", "hunter2secret", "sk_live_abc123", "frag"):
        assert secret not in shown
    assert shown_url("http://[::1]:9000/mcp") == "http://[::1]:9000/mcp"
