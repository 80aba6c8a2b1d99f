"""``weir proxy -- CMD ARGS...``: weir in front of any stdio MCP server, in any language, and
``weir proxy --url URL``: in front of a remote one over Streamable HTTP (see ``weir.mcp.http``).

The proxy starts CMD with pipes for its stdin and stdout (its stderr is the proxy's own, so the
server's logs come through as they are), reads newline-delimited JSON-RPC from the client on
stdin and from the server on the child's stdout, and passes every message through the policy's
``Guard`` before forwarding it:

- the client's requests: ``tools/call`` arguments (a withheld tool, a denied URL or blocked
  arguments: the call is refused and never reaches the server), ``prompts/get`` arguments, any
  other request's params. Each forwarded request's id is remembered with its method and target
  (tool, resource URI, prompt), so the server's response is checked for what it answers;
- the server's responses: tool results, tool / resource / prompt listings, resource contents,
  prompt messages, ``initialize`` instructions, errors;
- notifications both ways, the server's requests to the client (sampling, elicitation, roots)
  and the client's responses to them.

What is withheld is answered in its place, with the same id: a refused ``tools/call``, or one
whose result is withheld, becomes a tool error the model can read (``{"content": [{"type":
"text", "text": ...}], "isError": true}``) when the policy's ``mcp.on_block`` is ``tool_error``,
else a JSON-RPC error with code ``-32001`` (``WITHHELD_CODE``) and ``data: {"reason", "counts"}``;
anything else withheld is always that JSON-RPC error. A withheld notification is dropped. The
texts name entities and counts, never values.

A message the guard left unchanged is forwarded as the bytes received, provided they are the
canonical compact encoding of what was scanned (otherwise, e.g. with duplicate keys that
another parser might resolve differently, the scanned form is forwarded, re-serialised).
Members JSON-RPC does not define are dropped. Messages keep their order in each direction:
each direction is one pump handling its messages one at a time. Long lines, and any that may
hold an image (OCR), are scanned in a worker thread so the two directions progress independently;
short ones on the event loop, where a thread hand-off would cost more than the scan. Batches
(JSON arrays) are handled element by element; replies the proxy makes for a batch go back as one
array.

Fail closed: a message the proxy cannot read (not JSON, or a line over ``--max-line``) is never
forwarded; when its id can be read from its first members, the pending request it answers, or
the request it is, gets the error reply. Any error while checking a message withholds it.

Exit status: the child's, or 128 + N when a signal N ended it (127: CMD was not found). SIGINT,
SIGTERM and SIGHUP are forwarded to the child; when the client closes stdin, the child's stdin
is closed and the proxy waits for it to exit. In front of a URL, the client's end of stdin ends
the session (replies in flight are waited for, then the session is deleted) and the exit status
is 0; a signal ends it the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import stat
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, BinaryIO, Literal, Protocol

import msgspec

from weir.mcp.guard import MCP_METHODS, Guard, Withheld

__all__ = ["DEFAULT_LINE_LIMIT", "WITHHELD_CODE", "Proxy", "Routed", "Router", "SpawnError", "run", "run_url"]

DEFAULT_LINE_LIMIT = 256 * 1024 * 1024
"""The longest line read (bytes); a longer one is withheld, not forwarded."""
WITHHELD_CODE = -32001
PARSE_ERROR = -32700  # JSON-RPC 2.0: invalid JSON was received
"""JSON-RPC error code (server-error range) of a message weir withheld."""

Side = Literal["client", "server"]
_OTHER: dict[Side, Side] = {"client": "server", "server": "client"}
_MEMBERS = frozenset({"jsonrpc", "id", "method", "params", "result", "error"})
_LISTS = {  # listing methods and the member holding their items
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
    "prompts/list": "prompts",
}
_KNOWN = MCP_METHODS | {"response"}
_HEAD = 4096  # bytes of an unreadable line kept to find its id
# Lines up to this size with no media field are checked on the event loop: a hand-off to a worker
# thread costs more than their scan. Longer ones, and any that may hold an image, go to a thread.
_INLINE = 16 * 1024
_GRACE = 10.0  # seconds to finish reading the child's output after it exits
_MISSING: Any = object()

_OPEN = re.compile(rb"\s*\{")
# One leading member with a scalar value; each character is matched by one branch only (linear).
_MEMBER = re.compile(
    rb'\s*("(?:[^"\\]|\\.){0,64}")\s*:\s*("(?:[^"\\]|\\.){0,1024}"|-?[0-9][0-9.eE+-]{0,40}|null|true|false)\s*([,}]|\Z)'
)


class SpawnError(Exception):
    """The server command could not be started; ``status`` is what a shell would exit with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Routed:
    """What to do with one line: bytes to forward to the other side, bytes to send back to the
    side it came from, notes for stderr (never holding a value)."""

    forward: bytes | None = None
    back: bytes | None = None
    notes: list[str] = field(default_factory=list)


def _encode(message: Any) -> bytes:
    return msgspec.json.encode(message) + b"\n"


def _key(rid: Any) -> bytes:
    """Ids as the JSON they are: 1 and "1" are different requests."""
    return msgspec.json.encode(rid)


def _valid_id(rid: Any) -> bool:
    return rid is None or (isinstance(rid, (str, int, float)) and not isinstance(rid, bool))


def _leading(head: bytes, whole: bool = False) -> tuple[Any, str | None]:
    """The ``id`` and ``method`` among an unreadable message's first members (scalars only, read
    up to the first object or array), or ``_MISSING`` for the id. ``whole``: ``head`` is the whole
    line, so its last member may end the line (`{"id":33,"method":"ping"` without its brace);
    otherwise a member cut at the end of ``head`` (an id of 1234 kept as 12) does not count."""
    m = _OPEN.match(head)
    if m is None:
        return _MISSING, None
    found: dict[str, Any] = {}
    pos = m.end()
    while (m := _MEMBER.match(head, pos)) is not None:
        try:
            key = msgspec.json.decode(m.group(1))
            value = msgspec.json.decode(m.group(2))
        except msgspec.DecodeError:
            break
        if key in found:  # a repeated member: which one counts is anyone's guess
            return _MISSING, None
        if m.group(3) == b"" and not whole:
            break
        found[key] = value
        if m.group(3) != b",":
            break
        pos = m.end()
    rid = found.get("id", _MISSING)
    method = found.get("method")
    if rid is not _MISSING and not _valid_id(rid):
        rid = _MISSING
    return rid, method if isinstance(method, str) else None


class Router:
    """The proxy's message logic, without I/O: one line in, what to forward and what to answer
    out. Thread-safe; the two directions may be routed concurrently."""

    def __init__(self, guard: Guard, *, line_limit: int = DEFAULT_LINE_LIMIT) -> None:
        self.guard = guard
        self.line_limit = line_limit
        self._lock = threading.Lock()
        # Requests each side sent and the other has not answered yet: id -> (method, target).
        self._pending: dict[Side, dict[bytes, tuple[str, str | None, Any]]] = {"client": {}, "server": {}}

    def pending(self, side: Side) -> int:
        """How many of ``side``'s requests await an answer."""
        with self._lock:
            return len(self._pending[side])

    # --- lines ----------------------------------------------------------------------------

    def route(self, line: bytes, side: Side) -> Routed:
        """A line from ``side`` (``client`` or ``server``)."""
        out = Routed()
        try:
            message = msgspec.json.decode(line)
        except msgspec.DecodeError:
            withheld = Withheld("invalid_json", "weir withheld the message: it is not valid JSON")
            whole = len(line) <= _HEAD
            return self._unreadable(line[:_HEAD], side, withheld, "a line that is not valid JSON", whole)
        except RecursionError:  # msgspec stops at Python's recursion limit (~1000 levels)
            withheld = Withheld(
                "too_large", "weir withheld the message: its JSON is nested too deeply to be checked"
            )
            return self._unreadable(line[:_HEAD], side, withheld, "a line of JSON nested too deeply")
        if isinstance(message, dict):
            fwd, back = self._message(message, side, out.notes)
            if fwd is message and self._canonical(line, message):
                out.forward = line if line.endswith(b"\n") else line + b"\n"
            elif fwd is not None:
                out.forward = _encode(fwd)
            if back is not None:
                out.back = _encode(back)
        elif isinstance(message, list) and message:
            forwards: list[Any] = []
            backs: list[Any] = []
            same = True
            for item in message:
                fwd, back = self._message(item, side, out.notes)
                same = same and fwd is item
                if fwd is not None:
                    forwards.append(fwd)
                if back is not None:
                    backs.append(back)
            if same and self._canonical(line, message):
                out.forward = line if line.endswith(b"\n") else line + b"\n"
            elif forwards:
                out.forward = _encode(forwards)
            if backs:
                out.back = _encode(backs)
        else:
            out.notes.append(f"weir proxy: dropped a line from the {side} that is not a JSON-RPC message")
        return out

    def overlong(self, head: bytes, side: Side) -> Routed:
        """A line over the limit, of which only ``head`` (its first bytes) was kept."""
        withheld = Withheld(
            "too_large",
            f"weir withheld the message: it is longer than the proxy's limit of {self.line_limit} bytes "
            "(weir proxy --max-line)",
        )
        return self._unreadable(head, side, withheld, f"a line of more than {self.line_limit} bytes")

    @staticmethod
    def _canonical(line: bytes, message: Any) -> bool:
        """The received bytes are exactly the compact encoding of what was scanned."""
        return msgspec.json.encode(message) == line.rstrip(b"\r\n")

    def failed(self, head: bytes, side: Side, error: Exception) -> Routed:
        """A line the proxy failed on (a fault of its own), of which ``head`` is the beginning."""
        kind = type(error).__name__
        withheld = Withheld("error", f"weir withheld the message: it could not be checked ({kind})")
        return self._unreadable(head, side, withheld, f"a line it failed on ({kind})")

    def _unreadable(
        self, head: bytes, side: Side, withheld: Withheld, what: str, whole: bool = False
    ) -> Routed:
        out = Routed()
        rid, method = _leading(head.rstrip(b"\r\n") if whole else head, whole)
        answered = ""
        if rid is not _MISSING and method is not None:  # a request: refused, answered to its sender
            answer = self._refusal(rid, method, withheld, to_client=side == "client")
            if withheld.reason == "invalid_json" and "error" in answer:
                answer["error"]["code"] = PARSE_ERROR  # the sender's own JSON: JSON-RPC's parse error
            out.back = _encode(answer)
            answered = f"; answered its {_shown(method)} request with an error"
        elif rid is not _MISSING:  # a response: the pending request gets the error instead
            with self._lock:
                entry = self._pending[_OTHER[side]].pop(_key(rid), None)
            if entry is not None:
                out.forward = _encode(self._refusal(rid, entry[0], withheld, to_client=side == "server"))
                answered = f"; answered the {_shown(entry[0])} request it responds to with an error"
        out.notes.append(f"weir proxy: withheld {what} from the {side}{answered}")
        return out

    # --- messages -------------------------------------------------------------------------

    def _message(self, message: Any, side: Side, notes: list[str]) -> tuple[Any, Any]:
        """(what to forward, what to answer the sender), either None."""
        if not isinstance(message, dict):
            notes.append(
                f"weir proxy: dropped a batch element from the {side} that is not a JSON-RPC message"
            )
            return None, None
        if message.keys() - _MEMBERS:
            message = {k: v for k, v in message.items() if k in _MEMBERS}
        method = message.get("method")
        rid = message.get("id", _MISSING)
        if message.get("jsonrpc", "2.0") != "2.0" or (rid is not _MISSING and not _valid_id(rid)):
            notes.append(f"weir proxy: dropped a malformed JSON-RPC message from the {side}")
            return None, None
        if isinstance(method, str):
            if rid is _MISSING:
                return self._notification(message, method, side, notes), None
            return self._request(message, method, rid, side, notes)
        if rid is not _MISSING and ("result" in message or "error" in message):
            return self._response(message, rid, side, notes), None
        notes.append(f"weir proxy: dropped a malformed JSON-RPC message from the {side}")
        return None, None

    def _request(
        self, message: dict[str, Any], method: str, rid: Any, side: Side, notes: list[str]
    ) -> tuple[Any, Any]:
        params = message.get("params")
        target = _target(method, params)
        try:
            new = self._safely("request", lambda: self._request_params(method, params, rid, side))
        except Withheld as e:
            notes.append(f"weir proxy: refused a {_shown(method)} request from the {side} ({e.reason})")
            return None, self._refusal(rid, method, e, to_client=side == "client")
        # A call's forwarded arguments go with it: its result may echo their URLs and paths.
        sent = new.get("arguments") if method == "tools/call" and isinstance(new, dict) else None
        with self._lock:
            self._pending[side][_key(rid)] = (method, target, sent)
        return (message if new is params else {**message, "params": new}), None

    def _request_params(self, method: str, params: Any, rid: Any, side: Side) -> Any:
        guard = self.guard
        if side == "server":
            if isinstance(rid, str) and guard.outbound(method, rid) is not rid:
                raise Withheld(
                    "blocked", "weir refused this request: its id holds data the policy does not pass"
                )
            return params if params is None else guard.outbound(method, params)
        name = params.get("name") if isinstance(params, dict) else None
        if method == "tools/call" and isinstance(name, str):
            assert isinstance(params, dict)
            args = params.get("arguments")
            new = guard.tool_call(name, args)
            return params if new is args else {**params, "arguments": new}
        if method == "prompts/get" and isinstance(name, str):
            assert isinstance(params, dict)
            args = params.get("arguments")
            new = guard.prompt_arguments(name, args)
            return params if new is args else {**params, "arguments": new}
        return params if params is None else guard.inbound(method, params)

    def _notification(self, message: dict[str, Any], method: str, side: Side, notes: list[str]) -> Any:
        params = message.get("params")
        if params is None:
            return message
        check = self.guard.inbound if side == "client" else self.guard.outbound
        try:
            new = self._safely("notification", lambda: check(method, params))
        except Withheld as e:
            notes.append(f"weir proxy: dropped a {_shown(method)} notification from the {side} ({e.reason})")
            return None
        return message if new is params else {**message, "params": new}

    def _response(self, message: dict[str, Any], rid: Any, side: Side, notes: list[str]) -> Any:
        with self._lock:
            entry = self._pending[_OTHER[side]].pop(_key(rid), None)
        method, target, sent = entry if entry is not None else ("response", None, None)
        out = message
        try:
            for member in ("result", "error"):
                if member not in message:
                    continue
                value = message[member]
                new = self._safely(
                    "response", partial(self._response_value, member, value, method, target, side, sent)
                )
                if new is not value:
                    out = {**out, member: new}
        except Withheld as e:
            notes.append(f"weir proxy: withheld the {side}'s response to {_shown(method)} ({e.reason})")
            return self._refusal(rid, method, e, to_client=side == "server")
        return out

    def _response_value(
        self, member: str, value: Any, method: str, target: str | None, side: Side, sent: Any = None
    ) -> Any:
        guard = self.guard
        if value is None:
            return value
        if side == "client" or member == "error":
            check = guard.inbound if side == "client" else guard.outbound
            return check(method, value)
        if not isinstance(value, dict):
            return guard.outbound(method, value)
        if method == "tools/call" and target is not None:
            return guard.tool_result(target, value, sent)
        if method in _LISTS:
            key = _LISTS[method]
            items = value.get(key)
            if isinstance(items, list) and all(isinstance(i, dict) for i in items):
                if method == "tools/list":
                    new_items = guard.tools_list(items)
                else:
                    new_items = guard.metadata_list(method, items)
                return self._with_rest(value, key, new_items, method)
            return guard.outbound(method, value)
        if method == "resources/read":
            return guard.resource_result(target or "", value)
        if method == "prompts/get":
            return guard.prompt_result(target or "", value)
        if method == "initialize":
            checked = guard.initialize_result(value)
            return self._with_rest(checked, "instructions", checked.get("instructions", _MISSING), method)
        return guard.outbound(method, value)

    def _with_rest(self, value: dict[str, Any], key: str, checked: Any, method: str) -> dict[str, Any]:
        """``value`` with ``checked`` at ``key`` and every other member scanned as a payload."""
        rest = {k: v for k, v in value.items() if k != key}
        new_rest = self.guard.outbound(method, rest) if rest else rest
        if new_rest is rest and (checked is _MISSING or checked is value.get(key)):
            return value
        out = dict(new_rest)
        if checked is not _MISSING:
            out[key] = checked
        return out

    def _safely(self, what: str, run: Callable[[], Any]) -> Any:
        """Fail closed on a fault in the proxy itself (the guard already fails closed on its own)."""
        try:
            return run()
        except Withheld:
            raise
        except Exception as e:
            raise Withheld(
                "error", f"weir withheld the {what}: it could not be checked ({type(e).__name__})"
            ) from None

    def _refusal(self, rid: Any, method: str, e: Withheld, *, to_client: bool) -> dict[str, Any]:
        """The answer in place of a refused request or a withheld response."""
        if to_client and method == "tools/call" and self.guard.settings.on_block == "tool_error":
            result = {"content": [{"type": "text", "text": str(e)}], "isError": True}
            return {"jsonrpc": "2.0", "id": rid, "result": result}
        error = {"code": WITHHELD_CODE, "message": str(e), "data": {"reason": e.reason, "counts": e.counts}}
        return {"jsonrpc": "2.0", "id": rid, "error": error}


def _shown(method: str) -> str:
    """A method name fit for stderr: MCP's own, else a placeholder (a peer can put anything in it)."""
    return method if method in _KNOWN else "(unknown method)"


def _target(method: str, params: Any) -> str | None:
    """What a request is about: the tool, the resource URI or the prompt."""
    if not isinstance(params, dict):
        return None
    key = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}.get(method)
    value = params.get(key) if key else None
    return value if isinstance(value, str) else None


# ------------------------------------------------------------------------------------------ I/O


@dataclass
class _Overlong:
    head: bytes


async def _read_line(reader: asyncio.StreamReader) -> bytes | _Overlong | None:
    """The next line with its newline (the last one may lack it), an ``_Overlong`` for a line
    over the reader's limit (read to its end and discarded), or None at the end."""
    try:
        return await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as e:
        return e.partial or None
    except asyncio.LimitOverrunError as e:
        consumed = e.consumed
    head = b""
    while True:
        while consumed > 0:
            chunk = await reader.read(min(consumed, 1 << 20))
            if not chunk:
                return _Overlong(head)
            if len(head) < _HEAD:
                head += chunk[: _HEAD - len(head)]
            consumed -= len(chunk)
        try:
            await reader.readuntil(b"\n")
            return _Overlong(head)
        except asyncio.IncompleteReadError:
            return _Overlong(head)
        except asyncio.LimitOverrunError as e:
            consumed = max(e.consumed, 1)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Outlet(Protocol):
    """Where a pump sends lines: a pipe (``_Sink``) or a remote server (``HttpUpstream``)."""

    async def send(self, data: bytes) -> None: ...

    async def close(self) -> None: ...


class _Sink:
    """One output. Each ``send`` writes whole lines, one sender at a time; once the other end is
    gone or the sink is closed, writes are dropped."""

    def __init__(self, writer: asyncio.StreamWriter | None = None, file: BinaryIO | None = None) -> None:
        self._writer = writer
        self._file = file
        self._lock = asyncio.Lock()
        self.closed = False

    async def send(self, data: bytes) -> None:
        async with self._lock:
            if self.closed:
                return
            try:
                if self._writer is not None:
                    self._writer.write(data)
                    await self._writer.drain()
                elif self._file is not None:
                    await asyncio.to_thread(_write_all, self._file.fileno(), data)
            except (ConnectionError, OSError, RuntimeError):
                self.closed = True

    async def close(self) -> None:
        async with self._lock:
            if self.closed:
                return
            self.closed = True
            if self._writer is not None:
                self._writer.close()
                with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                    await self._writer.wait_closed()
            if self._file is not None:
                self._file.close()


def _pollable(fd: int) -> bool:
    """A pipe or a socket: what the event loop can wait on."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _open_stdin(limit: int) -> tuple[asyncio.StreamReader, Callable[[], None]]:
    """A reader over stdin, and how to close it."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit)
    pipe = os.fdopen(os.dup(0), "rb", buffering=0)
    if _pollable(pipe.fileno()):
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
        return reader, transport.close
    # A file, a terminal or /dev/null (which epoll refuses): read in a thread.

    def feed() -> None:
        try:
            while chunk := pipe.read(1 << 20):
                loop.call_soon_threadsafe(reader.feed_data, chunk)
            loop.call_soon_threadsafe(reader.feed_eof)
        except (OSError, ValueError, RuntimeError):  # closed under us, or the loop is gone
            pass

    threading.Thread(target=feed, name="weir-proxy-stdin", daemon=True).start()
    return reader, lambda: None


async def _open_stdout() -> _Sink:
    loop = asyncio.get_running_loop()
    pipe = os.fdopen(os.dup(1), "wb", buffering=0)
    if not _pollable(pipe.fileno()):  # a file, a terminal, /dev/null: blocking writes in a thread
        return _Sink(file=pipe)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, pipe)
    return _Sink(writer=asyncio.StreamWriter(transport, protocol, None, loop))


class Proxy:
    """The running proxy: the server (a child process, or a URL), the two pumps, signals."""

    def __init__(
        self,
        guard: Guard,
        command: Sequence[str] = (),
        *,
        url: str | None = None,
        headers: dict[str, str] | None = None,
        line_limit: int = DEFAULT_LINE_LIMIT,
    ) -> None:
        if not command and url is None:
            raise ValueError("no server command")
        self.command = list(command)
        self.url = url
        self.headers = dict(headers or {})
        self.line_limit = line_limit
        self.router = Router(guard, line_limit=line_limit)

    async def run(self) -> int:
        """Run until the server is done; the exit status (the child's, 128 + N for signal N)."""
        if self.url is not None:
            return await self._run_url(self.url)
        return await self._run_child()

    async def _run_url(self, url: str) -> int:
        """In front of a remote server: until the client closes stdin, or a signal."""
        from weir.mcp.http import HttpUpstream

        loop = asyncio.get_running_loop()
        upstream = HttpUpstream(url, self.headers, line_limit=self.line_limit)
        blocking = {}
        for fd in (0, 1):
            with contextlib.suppress(OSError):
                blocking[fd] = os.get_blocking(fd)
        client_in, close_stdin = await _open_stdin(self.line_limit)
        client_out = await _open_stdout()

        async def client_pump() -> None:
            try:
                await self._pump(client_in, "client", forward=upstream, back=client_out)
            finally:
                await upstream.close()  # the client is done: so is the session

        client = asyncio.create_task(client_pump())
        server = asyncio.create_task(self._pump(upstream.reader, "server", forward=client_out, back=upstream))
        handled = []
        for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                    loop.add_signal_handler(signum, client.cancel)
                    handled.append(signum)
        try:
            await asyncio.gather(client, return_exceptions=True)
            await upstream.close()
            await asyncio.wait({server}, timeout=_GRACE)
        finally:
            server.cancel()
            await asyncio.gather(server, return_exceptions=True)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(client_out.close(), _GRACE)
            close_stdin()
            for signum in handled:
                loop.remove_signal_handler(signum)
            for fd, was in blocking.items():
                with contextlib.suppress(OSError):
                    os.set_blocking(fd, was)
        return 0

    async def _run_child(self) -> int:
        """Run until the child exits; its exit status (128 + N for signal N)."""
        loop = asyncio.get_running_loop()
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=None,
                limit=self.line_limit,
            )
        except FileNotFoundError:
            raise SpawnError(f"command not found: {self.command[0]}", 127) from None
        except PermissionError:
            raise SpawnError(f"permission denied: {self.command[0]}", 126) from None
        except OSError as e:
            raise SpawnError(f"cannot run {self.command[0]}: {e.strerror or e}", 126) from None
        assert proc.stdin is not None and proc.stdout is not None

        def forward(signum: int) -> None:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signum)

        handled = []
        for signum in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if signum is not None:
                with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                    loop.add_signal_handler(signum, forward, signum)
                    handled.append(signum)

        blocking = {}
        for fd in (0, 1):
            with contextlib.suppress(OSError):
                blocking[fd] = os.get_blocking(fd)
        client_in, close_stdin = await _open_stdin(self.line_limit)
        client_out = await _open_stdout()
        server_out = _Sink(writer=proc.stdin)

        async def client_pump() -> None:
            try:
                await self._pump(client_in, "client", forward=server_out, back=client_out)
            finally:
                await server_out.close()  # the client is done: so is the server's input

        client = asyncio.create_task(client_pump())
        server = asyncio.create_task(self._pump(proc.stdout, "server", forward=client_out, back=server_out))
        exited = asyncio.create_task(proc.wait())
        try:
            await asyncio.wait({server, exited}, return_when=asyncio.FIRST_COMPLETED)
            if not server.done():  # the child is gone: finish its last output, within reason
                await asyncio.wait({server}, timeout=_GRACE)
            status = await exited
        finally:
            for task in (client, server):
                task.cancel()
            await asyncio.gather(client, server, return_exceptions=True)
            # The last responses go out, unless the client stopped reading.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(client_out.close(), _GRACE)
            close_stdin()
            for signum in handled:
                loop.remove_signal_handler(signum)
            for fd, was in blocking.items():
                with contextlib.suppress(OSError):
                    os.set_blocking(fd, was)
        return status if status >= 0 else 128 - status

    async def _pump(self, reader: asyncio.StreamReader, side: Side, *, forward: Outlet, back: Outlet) -> None:
        """Lines from ``side``, one at a time, in order."""
        router = self.router
        while True:
            try:
                line = await _read_line(reader)
            except (ConnectionError, OSError) as e:
                _note(f"weir proxy: reading from the {side} failed ({type(e).__name__})")
                return
            if line is None:
                return
            try:
                if isinstance(line, _Overlong):
                    routed = router.overlong(line.head, side)
                elif len(line) <= _INLINE and b'"data"' not in line and b'"blob"' not in line:
                    routed = router.route(line, side)  # small and without media (OCR): not worth a thread
                else:
                    routed = await asyncio.to_thread(router.route, line, side)
            except Exception as e:  # a fault in the proxy itself: this line is withheld, the rest goes on
                head = line.head if isinstance(line, _Overlong) else line[:_HEAD]
                routed = router.failed(head, side, e)
            for note in routed.notes:
                _note(note)
            if routed.forward is not None:
                await forward.send(routed.forward)
            if routed.back is not None:
                await back.send(routed.back)


def _note(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr, flush=True)


def run(guard: Guard, command: Sequence[str], *, line_limit: int = DEFAULT_LINE_LIMIT) -> int:
    """Run ``command`` behind ``guard`` on this process's stdin and stdout; the exit status.
    Raises ``SpawnError`` when the command cannot be started."""
    return asyncio.run(Proxy(guard, command, line_limit=line_limit).run())


def run_url(
    guard: Guard, url: str, *, headers: dict[str, str] | None = None, line_limit: int = DEFAULT_LINE_LIMIT
) -> int:
    """Put ``guard`` between this process's stdin and stdout and the MCP server at ``url``
    (Streamable HTTP); 0 when the client has closed stdin. Raises ``weir.mcp.http.UpstreamError``
    for a URL that cannot be used."""
    return asyncio.run(Proxy(guard, url=url, headers=headers, line_limit=line_limit).run())
