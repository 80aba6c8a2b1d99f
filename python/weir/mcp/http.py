"""The server side of ``weir proxy --url``: a remote MCP server over Streamable HTTP.

MCP's Streamable HTTP transport (specification 2025-06-18, "Transports") carries the same
JSON-RPC messages as stdio, one HTTP exchange each: the client POSTs a message to the server's
endpoint; a notification or a response is acknowledged (202), a request is answered with the
response as JSON or as a stream of server-sent events that may carry the server's own requests
and notifications before it. The server names the session (``Mcp-Session-Id``) on its reply to
``initialize``; every later exchange carries it, and the protocol version agreed. Once the
session is initialised, a GET opens a stream for what the server sends unasked.

``HttpUpstream`` turns that into what the proxy's pumps already speak: ``send`` takes one line
(a message the guard let through) and POSTs it; every message that comes back, from any reply or
from the server's stream, becomes one line of ``reader``, which the server pump reads and guards
like a child's stdout. The bytes are the server's own, not re-encoded, unless a body spreads a
message over several lines. What the server refuses (an HTTP error, a dropped connection) comes
back to the client as a JSON-RPC error for the request it answers, so no request waits forever.

Messages are sent in order: a notification or a response is sent and acknowledged before the
next message goes; a request is sent and the next message follows without waiting for the
answer, so a long tool call does not hold up a cancellation or a ping.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec

__all__ = ["HttpUpstream", "UpstreamError"]

_GRACE = 10.0  # seconds to wait for replies still coming when the client has gone
_CONNECT = 30.0  # seconds to connect and to send a message (reading a reply has no bound)


def shown_url(url: str) -> str:
    """``url`` as weir may print it: scheme, host, port and path; user, password, query and
    fragment (where tokens ride: ``https://key@host``, ``?api_key=``) left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class UpstreamError(Exception):
    """The remote server cannot be used (a bad URL, no HTTP client library)."""


def _info(line: bytes) -> tuple[Any, str | None, bool]:
    """The message's id, its method, and whether the server will answer it (a request)."""
    try:
        message = msgspec.json.decode(line)
    except msgspec.DecodeError:
        return None, None, False
    if not isinstance(message, dict):  # a batch: the server answers it with an array (or 202)
        return (
            None,
            None,
            isinstance(message, list)
            and any(isinstance(m, dict) and "method" in m and "id" in m for m in message),
        )
    method = message.get("method")
    return (
        message.get("id"),
        method if isinstance(method, str) else None,
        "method" in message and "id" in message,
    )


def _one_line(message: bytes) -> bytes:
    """A JSON message as one line: as it came when it has no line break in it, else re-encoded."""
    message = message.strip()
    if b"\n" not in message and b"\r" not in message:
        return message + b"\n"
    try:
        return msgspec.json.encode(msgspec.json.decode(message)) + b"\n"
    except msgspec.DecodeError:
        return message.replace(b"\r", b" ").replace(b"\n", b" ") + b"\n"


async def _events(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The data of each server-sent event (the ``data:`` lines of an event, joined by newlines)."""
    data: list[str] = []
    async for line in lines:
        if not line:
            if data:
                yield "\n".join(data)
            data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        # event:, id:, retry: and comments (":") say nothing the proxy needs.
    if data:
        yield "\n".join(data)


class HttpUpstream:
    """A remote MCP server over Streamable HTTP, as a line reader and a line sink."""

    def __init__(self, url: str, headers: Mapping[str, str], *, line_limit: int) -> None:
        try:
            import httpx
        except ImportError:
            raise UpstreamError(
                "weir proxy --url needs the httpx package (pip install 'weir-dlp[mcp]')"
            ) from None
        if not url.startswith(("http://", "https://")):
            raise UpstreamError("the server URL must start with http:// or https://")
        self._httpx = httpx
        self.url = url
        self._shown = shown_url(url)
        self.reader = asyncio.StreamReader(limit=line_limit)
        self._headers = {
            **headers,
            "Accept": "application/json, text/event-stream",
        }
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(_CONNECT, read=None), follow_redirects=False)
        self._session: str | None = None
        self._version: str | None = None
        self._initialize_id: Any = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._stream: asyncio.Task[None] | None = None
        self._order = asyncio.Lock()
        self.closed = False

    def _request_headers(self) -> dict[str, str]:
        headers = dict(self._headers)
        if self._session is not None:
            headers["Mcp-Session-Id"] = self._session
        if self._version is not None:
            headers["MCP-Protocol-Version"] = self._version
        return headers

    async def send(self, data: bytes) -> None:
        """POST one line to the server (in order; see the module's docstring)."""
        if self.closed:
            return
        rid, method, answered = _info(data)
        if method == "initialize":
            self._initialize_id = rid
        async with self._order:
            if answered:
                task = asyncio.create_task(self._exchange(data, rid))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
                await asyncio.sleep(0)  # let the request start before the next message
            else:
                await self._exchange(data, rid)
        if method == "notifications/initialized" and self._stream is None:
            self._stream = asyncio.create_task(self._listen())

    async def _exchange(self, data: bytes, rid: Any) -> None:
        """One POST and what comes back; an answerable request that fails is answered here."""
        httpx = self._httpx
        try:
            request = self._client.build_request(
                "POST",
                self.url,
                content=data.rstrip(b"\n"),
                headers={**self._request_headers(), "Content-Type": "application/json"},
            )
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as e:
            self._failed(rid, f"cannot reach the server ({type(e).__name__})")
            return
        try:
            session = response.headers.get("mcp-session-id")
            if session and self._session is None:
                self._session = session
            if response.status_code == 202:
                return
            if response.status_code >= 400:
                self._failed(rid, f"the server answered HTTP {response.status_code}")
                return
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind == "text/event-stream":
                async for event in _events(response.aiter_lines()):
                    self._deliver(event.encode())
            elif kind == "application/json":
                self._deliver(await response.aread())
            else:
                self._failed(rid, f"the server answered with {kind or 'no content type'}")
        except httpx.HTTPError as e:
            self._failed(rid, f"the server's reply broke off ({type(e).__name__})")
        finally:
            await response.aclose()

    async def _listen(self) -> None:
        """The server's own stream (GET), for as long as it keeps it open; a server that offers
        none answers 405, which is fine."""
        httpx = self._httpx
        try:
            async with self._client.stream("GET", self.url, headers=self._request_headers()) as response:
                if response.status_code != 200:
                    return
                async for event in _events(response.aiter_lines()):
                    self._deliver(event.encode())
        except httpx.HTTPError:
            return

    def _deliver(self, message: bytes) -> None:
        """A message from the server, as one line for the server pump."""
        if not message.strip():
            return
        line = _one_line(message)
        if self._version is None and self._initialize_id is not None:
            self._note_version(line)
        if not self.reader.at_eof():
            self.reader.feed_data(line)

    def _note_version(self, line: bytes) -> None:
        with contextlib.suppress(msgspec.DecodeError):
            message = msgspec.json.decode(line)
            if isinstance(message, dict) and message.get("id") == self._initialize_id:
                result = message.get("result")
                version = result.get("protocolVersion") if isinstance(result, dict) else None
                if isinstance(version, str):
                    self._version = version

    def _failed(self, rid: Any, why: str) -> None:
        """The client's request ``rid`` gets an error reply in the server's stead (a failed
        notification or response has no one to answer: it is noted on stderr)."""
        if rid is None or self.reader.at_eof():
            with contextlib.suppress(OSError, ValueError):
                print(f"weir proxy: {why} ({self._shown})", file=sys.stderr, flush=True)
            return
        error = {
            "jsonrpc": "2.0",
            "id": rid,
            "error": {"code": -32603, "message": f"weir proxy: {why} ({self._shown})"},
        }
        self.reader.feed_data(msgspec.json.encode(error) + b"\n")

    async def close(self) -> None:
        """The client is done: let replies in flight arrive (within a grace period), end the
        session, and end the reader."""
        if self.closed:
            return
        self.closed = True
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=_GRACE)
        for task in [*self._inflight, *([self._stream] if self._stream else [])]:
            task.cancel()
        await asyncio.gather(
            *self._inflight, *([self._stream] if self._stream else []), return_exceptions=True
        )
        if self._session is not None:
            with contextlib.suppress(self._httpx.HTTPError):
                await self._client.delete(self.url, headers=self._request_headers())
        await self._client.aclose()
        self.reader.feed_eof()
