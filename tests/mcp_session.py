"""A JSON-RPC session over a process's stdin/stdout, for the proxy tests: ``weir proxy`` in
front of an MCP server, or the server alone, spoken to as an MCP client would."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "fixtures" / "mcp_stdio_server.py"
WEIR = Path(sys.executable).with_name("weir")
TIMEOUT = 120.0


class Session:
    """A process speaking JSON-RPC on its stdin/stdout: the proxy, or the server alone."""

    _ids = itertools.count(1000)

    def __init__(
        self,
        *options: str,
        server_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        direct: bool = False,
        prefix: list[str] | None = None,
        server: list[str] | None = None,
        cwd: str | None = None,
        url: str | None = None,
    ) -> None:
        server = server or [sys.executable, str(SERVER), *server_args]
        if url is not None:  # weir proxy in front of a remote server (Streamable HTTP)
            cmd = [*(prefix or [str(WEIR)]), "proxy", *options, "--url", url]
        else:
            cmd = server if direct else [*(prefix or [str(WEIR)]), "proxy", *options, "--", *server]
        full_env = {k: v for k, v in os.environ.items() if k != "WEIR_AUDIT_LOG"}
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env, cwd=cwd
        )
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self._err: list[bytes] = []
        self.seen: list[Any] = []  # messages read while waiting for another
        self.audit: Path | None = None
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            self.lines.put(line)
        self.lines.put(None)

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):  # type: ignore[union-attr]
            self._err.append(chunk)

    @property
    def stderr(self) -> str:
        return b"".join(self._err).decode("utf-8", "replace")

    def send(self, message: Any) -> None:
        assert self.proc.stdin is not None
        data = message if isinstance(message, bytes) else json.dumps(message, separators=(",", ":")).encode()
        self.proc.stdin.write(data if data.endswith(b"\n") else data + b"\n")
        self.proc.stdin.flush()

    def line(self, timeout: float = TIMEOUT) -> bytes:
        line = self.lines.get(timeout=timeout)
        assert line is not None, f"the process closed its output; stderr:\n{self.stderr}"
        return line

    def response(self, rid: Any, timeout: float = TIMEOUT) -> tuple[dict[str, Any], bytes]:
        """The response with this id (and its raw line); other messages go to ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            raw = self.line(max(0.1, deadline - time.monotonic()))
            message = json.loads(raw)
            if isinstance(message, dict) and "method" not in message and message.get("id") == rid:
                return message, raw
            self.seen.append(message)

    def request(self, method: str, params: dict[str, Any] | None = None, rid: Any = None) -> dict[str, Any]:
        rid = next(self._ids) if rid is None else rid
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.response(rid)[0]

    def tool(self, name: str, **arguments: Any) -> dict[str, Any]:
        return self.request("tools/call", {"name": name, "arguments": arguments})

    def close(self, timeout: float = 60) -> int:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def output(self) -> bytes:
        """Everything not yet read, up to the end (call after close)."""
        out = []
        while (line := self.lines.get(timeout=TIMEOUT)) is not None:
            out.append(line)
        return b"".join(out)
