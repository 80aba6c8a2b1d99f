"""Unmodified public MCP servers from PyPI behind weir (issue 22): each is spoken to directly and
through ``weir proxy`` under the default policy. Tool lists must be identical, clean calls must
keep working and give the same results (timestamps aside), and seeded values must be caught in
both directions.

The servers (requirements/mcp-servers.in, pinned by hash) live in ``.venv-mcp-servers``, apart
from weir's environment, because they pin their own ``mcp``; ``make test`` installs them
(``make mcp-servers``). What each case covers is listed in the README's MCP section.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mcp_session import ROOT, Session

BIN = ROOT / ".venv-mcp-servers" / "bin"
INIT = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "weir-conformance", "version": "1"},
}
EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
AWS = "AKIAZ2XQ7RTVNBLZ4GRA"
CLEAN_TEXT = "Release notes: version 2.3 fixes the retry loop and adds a --dry-run flag.\n"
CUSTOMER_TEXT = f"Customer {EMAIL} paid with card {CARD} on Tuesday.\n"

pytestmark = pytest.mark.skipif(
    not (BIN / "mcp-server-time").exists()
    or not (BIN / "better-mcps-filesystem").exists()
    or not (ROOT / ".venv-mcp-sqlite" / "bin" / "mcp-server-sqlite").exists()
    or not (ROOT / ".venv-mcp-sqlite" / "bin" / "mcp-proxy").exists(),
    reason="the public MCP servers are not installed (make mcp-servers; make test installs them)",
)


PAGES = {"/clean.txt": CLEAN_TEXT, "/customer.txt": CUSTOMER_TEXT}


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the http.server API names it so
        body = PAGES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[int]:
    """A local HTTP server for mcp-server-fetch (the machine reaches no other host)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with two commits, authored without an address (an e-mail in `git log`
    would be redacted on the way out, which is right but not a clean result)."""
    path = tmp_path_factory.mktemp("repo")
    env = ["-c", "user.name=Dev", "-c", "user.email=dev", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    for i, text in enumerate(["first line\n", "second line\n"]):
        (path / "notes.txt").write_text(text * (i + 1))
        subprocess.run(["git", "-C", str(path), "add", "notes.txt"], check=True)
        subprocess.run(["git", "-C", str(path), *env, "commit", "-q", "-m", f"change {i}"], check=True)
    (path / "notes.txt").write_text("work in progress\n")
    return path


SQLITE_BIN = ROOT / ".venv-mcp-sqlite" / "bin"  # mcp-server-sqlite needs mcp 1.x: its own venv
DB = Path(tempfile.mkdtemp(prefix="weir-conformance-")) / "shop.db"
FILES = Path(tempfile.mkdtemp(prefix="weir-conformance-files-")).resolve()  # the filesystem server's root
SERVERS = {
    "time": [str(BIN / "mcp-server-time"), "--local-timezone", "UTC"],
    "git": [str(BIN / "mcp-server-git")],
    # The page server is on this machine: fetch refuses loopback addresses unless told.
    "fetch": [str(BIN / "mcp-server-fetch"), "--allow-private-ips"],
    "sqlite": [str(SQLITE_BIN / "mcp-server-sqlite"), "--db-path", str(DB)],
    "filesystem": [str(BIN / "better-mcps-filesystem"), str(FILES)],
}


def make_files() -> None:
    (FILES / "docs").mkdir(exist_ok=True)
    (FILES / "docs" / "release.txt").write_text(CLEAN_TEXT)
    (FILES / "customer.txt").write_text(CUSTOMER_TEXT)


def make_db() -> None:
    """Orders without personal data, and one customer row that has some."""
    with sqlite3.connect(DB) as db:
        db.execute("create table if not exists orders (id integer, item text, qty integer)")
        db.execute("create table if not exists customers (name text, email text, card text)")
        db.execute("delete from orders")
        db.execute("delete from customers")
        db.executemany("insert into orders values (?, ?, ?)", [(1, "kettle", 2), (2, "mug", 6)])
        db.execute("insert into customers values (?, ?, ?)", ("Jane", EMAIL, CARD))


def start(server: str, *, direct: bool, audit: Path | None = None) -> Session:
    command = SERVERS[server]
    options = ("--audit-log", str(audit)) if audit is not None else ()
    s = Session(*options, server=command, direct=direct)
    reply = s.request("initialize", INIT)
    assert "result" in reply, reply
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return s


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Session]]:
    """Each server twice: alone and behind `weir proxy` (default policy, an audit log)."""
    audit = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    make_db()
    make_files()
    opened: dict[tuple[str, str], Session] = {}
    for server in SERVERS:
        opened[(server, "direct")] = start(server, direct=True)
        proxied = start(server, direct=False, audit=audit)
        proxied.audit = audit
        opened[(server, "proxy")] = proxied
    yield opened
    for s in opened.values():
        s.close()


def call(s: Session, tool: str, **arguments: Any) -> dict[str, Any]:
    reply = s.request("tools/call", {"name": tool, "arguments": arguments})
    assert "result" in reply, reply
    result: dict[str, Any] = reply["result"]
    return result


def text_of(result: dict[str, Any]) -> str:
    return "".join(b.get("text", "") for b in result.get("content", []) if b.get("type") == "text")


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


def without_timestamps(result: dict[str, Any]) -> str:
    return _TIMESTAMP.sub("<time>", json.dumps(result, sort_keys=True))


@pytest.mark.parametrize("server", list(SERVERS))
def test_tool_lists_are_identical(sessions: dict[tuple[str, str], Session], server: str) -> None:
    direct = sessions[(server, "direct")].request("tools/list", {})
    proxied = sessions[(server, "proxy")].request("tools/list", {})
    assert proxied["result"] == direct["result"]
    assert direct["result"]["tools"]


def test_time_server_clean_calls(sessions: dict[tuple[str, str], Session]) -> None:
    args = {"source_timezone": "America/New_York", "time": "16:30", "target_timezone": "Asia/Tokyo"}
    direct = call(sessions[("time", "direct")], "convert_time", **args)
    proxied = call(sessions[("time", "proxy")], "convert_time", **args)
    assert proxied == direct and not direct.get("isError")
    now_direct = call(sessions[("time", "direct")], "get_current_time", timezone="Europe/Paris")
    now_proxied = call(sessions[("time", "proxy")], "get_current_time", timezone="Europe/Paris")
    assert without_timestamps(now_proxied) == without_timestamps(now_direct)


def test_git_server_clean_calls(sessions: dict[tuple[str, str], Session], repo: Path) -> None:
    for tool, args in [
        ("git_status", {"repo_path": str(repo)}),
        ("git_log", {"repo_path": str(repo), "max_count": 5}),
        ("git_diff_unstaged", {"repo_path": str(repo)}),
        ("git_branch", {"repo_path": str(repo), "branch_type": "local"}),
    ]:
        direct = call(sessions[("git", "direct")], tool, **args)
        proxied = call(sessions[("git", "proxy")], tool, **args)
        assert proxied == direct, tool
        assert not direct.get("isError"), (tool, direct)


def test_fetch_of_a_clean_page_by_ip_works_through_weir(
    sessions: dict[tuple[str, str], Session], site: int
) -> None:
    """Issue 22, item 1: the URL reaches the server as typed (it used to arrive as
    http://[IP_ADDRESS]:port/ and fail validation), and the server's echo of it in the result is
    what the client sent: the result is the server's, byte for byte."""
    url = f"http://127.0.0.1:{site}/clean.txt"
    direct = call(sessions[("fetch", "direct")], "fetch", url=url)
    proxied = call(sessions[("fetch", "proxy")], "fetch", url=url)
    assert not proxied.get("isError"), proxied
    assert CLEAN_TEXT.strip() in text_of(direct) and "127.0.0.1" in text_of(direct)
    assert proxied == direct
    by_name = f"http://localhost:{site}/clean.txt"
    assert call(sessions[("fetch", "proxy")], "fetch", url=by_name) == call(
        sessions[("fetch", "direct")], "fetch", url=by_name
    )


def test_seeded_values_in_a_fetched_page_are_caught(
    sessions: dict[tuple[str, str], Session], site: int
) -> None:
    url = f"http://localhost:{site}/customer.txt"
    direct = text_of(call(sessions[("fetch", "direct")], "fetch", url=url))
    proxied = text_of(call(sessions[("fetch", "proxy")], "fetch", url=url))
    assert EMAIL in direct and CARD in direct
    assert EMAIL not in proxied and CARD not in proxied
    assert "[EMAIL_ADDRESS]" in proxied and "**** **** **** 1111" in proxied


def test_a_secret_in_arguments_never_reaches_the_server(
    sessions: dict[tuple[str, str], Session], repo: Path
) -> None:
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    s = sessions[("git", "proxy")]
    call(s, "git_add", repo_path=str(repo), files=["notes.txt"])
    result = call(s, "git_commit", repo_path=str(repo), message=f"deploy with {AWS}")
    assert result.get("isError") is True and "AWS_ACCESS_KEY_ID" in text_of(result)
    after = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert after.stdout == head.stdout
    subprocess.run(["git", "-C", str(repo), "reset", "-q"], check=True)
    assert (
        AWS
        not in subprocess.run(
            ["git", "-C", str(repo), "log", "--format=%B"], capture_output=True, text=True
        ).stdout
    )


def test_a_card_in_a_url_argument_blocks_the_call(
    sessions: dict[tuple[str, str], Session], site: int
) -> None:
    result = call(sessions[("fetch", "proxy")], "fetch", url=f"http://localhost:{site}/?c=4111111111111111")
    assert result.get("isError") is True and "CREDIT_CARD" in text_of(result)
    assert "4111111111111111" not in json.dumps(result)


def test_sqlite_server_clean_queries_and_seeded_rows(sessions: dict[tuple[str, str], Session]) -> None:
    for tool, args in [
        ("list_tables", {}),
        ("describe_table", {"table_name": "orders"}),
        ("read_query", {"query": "select * from orders order by id"}),
    ]:
        direct = call(sessions[("sqlite", "direct")], tool, **args)
        proxied = call(sessions[("sqlite", "proxy")], tool, **args)
        assert proxied == direct and not direct.get("isError"), tool
    query = {"query": "select * from customers"}
    direct = text_of(call(sessions[("sqlite", "direct")], "read_query", **query))
    proxied = text_of(call(sessions[("sqlite", "proxy")], "read_query", **query))
    assert EMAIL in direct and EMAIL not in proxied and CARD not in proxied
    assert "[EMAIL_ADDRESS]" in proxied


def test_a_secret_never_reaches_the_database(sessions: dict[tuple[str, str], Session]) -> None:
    insert = f"insert into orders values (3, 'key {AWS}', 1)"
    result = call(sessions[("sqlite", "proxy")], "write_query", query=insert)
    assert result.get("isError") is True and "AWS_ACCESS_KEY_ID" in text_of(result)
    with sqlite3.connect(DB) as db:
        assert db.execute("select count(*) from orders").fetchone() == (2,)


def test_sqlite_resources_and_prompts(sessions: dict[tuple[str, str], Session]) -> None:
    """Listings and a resource read are the server's own; a prompt that repeats a value the
    client gave it comes back without the value."""
    direct, proxied = sessions[("sqlite", "direct")], sessions[("sqlite", "proxy")]
    for method, params in [
        ("resources/list", {}),
        ("resources/read", {"uri": "memo://insights"}),
        ("prompts/list", {}),
    ]:
        want, got = direct.request(method, params), proxied.request(method, params)
        assert "result" in want and got["result"] == want["result"], method
    ask = {"name": "mcp-demo", "arguments": {"topic": f"refunds for {EMAIL}"}}
    want, got = direct.request("prompts/get", ask), proxied.request("prompts/get", ask)
    assert EMAIL in json.dumps(want["result"])
    assert EMAIL not in json.dumps(got["result"]) and "[EMAIL_ADDRESS]" in json.dumps(got["result"])


def test_filesystem_server_clean_calls_and_resources(sessions: dict[tuple[str, str], Session]) -> None:
    direct, proxied = sessions[("filesystem", "direct")], sessions[("filesystem", "proxy")]
    for tool, args in [
        ("list_dir", {"params": {"path": str(FILES)}}),
        ("list_dir", {"params": {"path": str(FILES / "docs")}}),
        ("read_text_file", {"params": {"path": str(FILES / "docs" / "release.txt")}}),
    ]:
        want, got = call(direct, tool, **args), call(proxied, tool, **args)
        assert got == want and not want.get("isError"), (tool, want)
    assert CLEAN_TEXT.strip() in json.dumps(want)
    for method, params in [("resources/list", {}), ("resources/read", {"uri": "resource://roots"})]:
        want_r, got_r = direct.request(method, params), proxied.request(method, params)
        assert "result" in want_r and got_r["result"] == want_r["result"], method


def test_filesystem_server_seeded_file_is_masked(sessions: dict[tuple[str, str], Session]) -> None:
    args = {"params": {"path": str(FILES / "customer.txt")}}
    direct = json.dumps(call(sessions[("filesystem", "direct")], "read_text_file", **args))
    proxied = json.dumps(call(sessions[("filesystem", "proxy")], "read_text_file", **args))
    assert EMAIL in direct and CARD in direct
    assert EMAIL not in proxied and CARD not in proxied and "[EMAIL_ADDRESS]" in proxied


def test_the_audit_log_holds_no_value(sessions: dict[tuple[str, str], Session]) -> None:
    audit = sessions[("fetch", "proxy")].audit
    assert audit is not None and audit.exists()
    text = audit.read_text()
    assert '"action": "redact"' in text or '"action":"redact"' in text
    for value in (EMAIL, CARD, AWS, "4111111111111111"):
        assert value not in text


# --- the FastMCP middleware in front of the same servers ---------------------------------------


def through_fastmcp(server: str, body: Any, *, guarded: bool) -> Any:
    """Run ``body(client)`` against ``server`` behind a FastMCP proxy, with DLPMiddleware (the
    default policy) when ``guarded``: the middleware as a FastMCP user would put it there."""
    fastmcp = pytest.importorskip("fastmcp")
    from fastmcp.client.transports import StdioTransport
    from fastmcp.server import create_proxy

    from weir.mcp import DLPMiddleware

    command = SERVERS[server]
    proxy = create_proxy(StdioTransport(command=command[0], args=command[1:]), name=f"{server}-proxy")
    if guarded:
        proxy.add_middleware(DLPMiddleware("default", audit=False))

    async def go() -> Any:
        async with fastmcp.Client(proxy) as client:
            return await body(client)

    return asyncio.run(go())


def _listing(client: Any) -> Any:
    async def go() -> Any:
        return [t.model_dump(mode="json") for t in await client.list_tools()]

    return go()


# FastMCP 4's proxy lists no tools from the mcp 1.x sqlite server, with or without weir: that
# server is tested through `weir proxy` only.
@pytest.mark.parametrize("server", ["time", "git", "fetch"])
def test_fastmcp_middleware_keeps_tool_lists(server: str) -> None:
    plain = through_fastmcp(server, _listing, guarded=False)
    guarded = through_fastmcp(server, _listing, guarded=True)
    assert guarded == plain and plain


def test_fastmcp_middleware_on_real_servers(site: int, repo: Path) -> None:
    clean, customer = f"http://127.0.0.1:{site}/clean.txt", f"http://localhost:{site}/customer.txt"

    async def fetches(client: Any) -> list[tuple[bool, str]]:
        out = []
        for url in (clean, customer, f"http://localhost:{site}/?c=4111111111111111"):
            r = await client.call_tool("fetch", {"url": url}, raise_on_error=False)
            out.append((r.is_error, "".join(getattr(b, "text", "") for b in r.content)))
        return out

    plain = through_fastmcp("fetch", fetches, guarded=False)
    guarded = through_fastmcp("fetch", fetches, guarded=True)
    assert not guarded[0][0] and CLEAN_TEXT.strip() in guarded[0][1]
    assert guarded[0][1] == plain[0][1]
    assert EMAIL in plain[1][1] and EMAIL not in guarded[1][1] and "**** **** **** 1111" in guarded[1][1]
    assert guarded[2][0] and "CREDIT_CARD" in guarded[2][1] and "4111111111111111" not in guarded[2][1]

    async def commit(client: Any) -> Any:
        await client.call_tool("git_add", {"repo_path": str(repo), "files": ["notes.txt"]})
        return await client.call_tool(
            "git_commit", {"repo_path": str(repo), "message": f"key {AWS}"}, raise_on_error=False
        )

    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    result = through_fastmcp("git", commit, guarded=True)
    assert result.is_error and "AWS_ACCESS_KEY_ID" in result.content[0].text
    after = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert after.stdout == head.stdout
    subprocess.run(["git", "-C", str(repo), "reset", "-q"], check=True)


# --- weir proxy --url: the same servers over Streamable HTTP -----------------------------------

MCP_PROXY = SQLITE_BIN / "mcp-proxy"  # serves a stdio server over Streamable HTTP (mcp 1.x too)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def remote() -> Iterator[dict[str, str]]:
    """The time and filesystem servers, each behind mcp-proxy's Streamable HTTP endpoint."""
    make_files()
    procs, urls = [], {}
    for server in ("time", "filesystem"):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [str(MCP_PROXY), "--host", "127.0.0.1", "--port", str(port), "--", *SERVERS[server]],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls[server] = f"http://127.0.0.1:{port}/mcp"
    try:
        for url in urls.values():
            _wait_for(url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)


def _wait_for(url: str) -> None:
    import socket
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((parts.hostname or "", parts.port or 80)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def start_remote(url: str) -> Session:
    s = Session(url=url)
    reply = s.request("initialize", INIT)
    assert "result" in reply, (reply, s.stderr)
    s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return s


def test_over_http_tool_lists_and_clean_calls_are_the_servers(
    sessions: dict[tuple[str, str], Session], remote: dict[str, str]
) -> None:
    """weir proxy --url in front of a server over Streamable HTTP gives what the same server
    gives over stdio: the same tool list, the same clean results."""
    time_s, files_s = start_remote(remote["time"]), start_remote(remote["filesystem"])
    try:
        for server, s in (("time", time_s), ("filesystem", files_s)):
            want = sessions[(server, "direct")].request("tools/list", {})
            assert s.request("tools/list", {})["result"] == want["result"], server
        args = {"source_timezone": "America/New_York", "time": "16:30", "target_timezone": "Asia/Tokyo"}
        assert call(time_s, "convert_time", **args) == call(
            sessions[("time", "direct")], "convert_time", **args
        )
        read = {"params": {"path": str(FILES / "docs" / "release.txt")}}
        want_r = call(sessions[("filesystem", "direct")], "read_text_file", **read)
        assert call(files_s, "read_text_file", **read) == want_r and not want_r.get("isError")
        roots = {"uri": "resource://roots"}
        assert (
            files_s.request("resources/read", roots)["result"]
            == sessions[("filesystem", "direct")].request("resources/read", roots)["result"]
        )
    finally:
        assert time_s.close() == 0 and files_s.close() == 0


def test_over_http_seeded_values_are_caught_both_ways(remote: dict[str, str]) -> None:
    files_s, time_s = start_remote(remote["filesystem"]), start_remote(remote["time"])
    try:
        text = json.dumps(call(files_s, "read_text_file", params={"path": str(FILES / "customer.txt")}))
        assert EMAIL not in text and CARD not in text and "[EMAIL_ADDRESS]" in text
        refused = call(time_s, "get_current_time", timezone=AWS)
        assert refused.get("isError") is True and "AWS_ACCESS_KEY_ID" in text_of(refused)
    finally:
        files_s.close()
        time_s.close()


def test_over_http_an_unreachable_server_answers_every_request() -> None:
    """Fail closed, and never leave the client waiting: a request the server cannot take gets
    a JSON-RPC error in its stead."""
    s = Session(url=f"http://127.0.0.1:{_free_port()}/mcp")
    try:
        reply = s.request("initialize", INIT)
        assert "error" in reply and "cannot reach the server" in reply["error"]["message"]
        assert s.request("tools/list", {})["error"]["code"] == -32603
    finally:
        assert s.close() == 0
