"""What ``weir proxy`` adds to a call on real, unmodified MCP servers (issue 22): p50 / p99 of
sequential ``tools/call`` round trips, each server spoken to directly and through the proxy
(default policy), in the same run.

The servers are the conformance suite's (requirements/mcp-servers.lock, ``make mcp-servers``):
``mcp-server-time`` (``convert_time``), ``mcp-server-git`` (``git_status`` on a small
repository) and ``mcp-server-fetch`` (a clean text page from a local HTTP server).

    .venv/bin/python benchmarks/bench_mcp_servers.py --calls 200
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_bench_proxy import WEIR, percentiles

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv-mcp-servers" / "bin"
PAGE = b"Release notes: version 2.3 fixes the retry loop and adds a --dry-run flag.\n" * 20
INIT = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the http.server API names it so
        if self.path != "/clean.txt":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Peer:
    """One server process (alone, or behind ``weir proxy``), one request at a time."""

    def __init__(self, command: list[str], through_proxy: bool) -> None:
        cmd = [str(WEIR), "proxy", "--", *command] if through_proxy else command
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.next_id = 0
        self.request("initialize", INIT)
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdout is not None
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads(self.proc.stdout.readline())
            if message.get("id") == self.next_id and "method" not in message:
                return message  # type: ignore[no-any-return]

    def timed_call(self, tool: str, arguments: dict[str, Any]) -> float:
        started = time.perf_counter()
        reply = self.request("tools/call", {"name": tool, "arguments": arguments})
        elapsed = time.perf_counter() - started
        if "result" not in reply or reply["result"].get("isError"):
            raise AssertionError(f"{tool} failed: {json.dumps(reply)[:300]}")
        return elapsed

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


def cases(repo: Path, port: int) -> list[tuple[str, list[str], str, dict[str, Any]]]:
    return [
        (
            "mcp-server-time `convert_time`",
            [str(BIN / "mcp-server-time"), "--local-timezone", "UTC"],
            "convert_time",
            {"source_timezone": "America/New_York", "time": "16:30", "target_timezone": "Asia/Tokyo"},
        ),
        (
            "mcp-server-git `git_status`",
            [str(BIN / "mcp-server-git")],
            "git_status",
            {"repo_path": str(repo)},
        ),
        (
            "mcp-server-fetch `fetch` (1.5 KB page)",
            [str(BIN / "mcp-server-fetch"), "--allow-private-ips"],
            "fetch",
            {"url": f"http://localhost:{port}/clean.txt"},
        ),
    ]


def make_repo(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / "notes.txt").write_text("first line\n")
    subprocess.run(["git", "-C", str(path), "add", "notes.txt"], check=True)
    env = ["-c", "user.name=Dev", "-c", "user.email=dev", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "-C", str(path), *env, "commit", "-q", "-m", "first"], check=True)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200, help="calls per server and mode (default 200)")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    if not (BIN / "mcp-server-time").exists():
        print("the public MCP servers are not installed: run `make mcp-servers`", file=sys.stderr)
        return 2
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp))
        print("| server and call | direct p50 / p99 | through `weir proxy` p50 / p99 | overhead p50 / p99 |")
        print("| --- | ---: | ---: | ---: |")
        for name, command, tool, arguments in cases(repo, httpd.server_address[1]):
            stats = {}
            for mode in ("direct", "proxy"):
                peer = Peer(command, mode == "proxy")
                for _ in range(args.warmup):
                    peer.timed_call(tool, arguments)
                stats[mode] = percentiles([peer.timed_call(tool, arguments) for _ in range(args.calls)])
                peer.close()
            d, p = stats["direct"], stats["proxy"]
            print(
                f"| {name} | {d['p50_us'] / 1000:.2f} / {d['p99_us'] / 1000:.2f} ms "
                f"| {p['p50_us'] / 1000:.2f} / {p['p99_us'] / 1000:.2f} ms "
                f"| {(p['p50_us'] - d['p50_us']) / 1000:+.2f} / {(p['p99_us'] - d['p99_us']) / 1000:+.2f} ms |",
                flush=True,
            )
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
