"""``protect(server)``: weir in front of a server written on the low-level ``mcp`` SDK.

The SDK's ``Server.middleware`` sees every inbound request with its raw params and the handler's
result before it is serialised, which is exactly the wire form ``Guard`` works on. ``protect``
adds one such middleware. Server-initiated traffic (log notifications, sampling requests) does
not pass through it; put ``weir proxy`` in front of the server to cover that too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import mcp_types as mt
from mcp.server.lowlevel.server import Server
from mcp.shared.exceptions import MCPError

from weir.mcp.audit import AuditLog
from weir.mcp.guard import Guard, Withheld
from weir.policy import Policy

WITHHELD_CODE = -32001

S = TypeVar("S", bound=Server[Any])

# Listings whose items' descriptions go into the model's context, and the key holding them.
_LISTINGS = {
    "resources/list": "resources",
    "resources/templates/list": "resourceTemplates",
    "prompts/list": "prompts",
}


def _wire(result: Any) -> Any:
    if result is None or isinstance(result, dict):
        return result
    return result.model_dump(by_alias=True, exclude_none=True, mode="json")


class SdkGuard:
    """The middleware ``protect`` installs; ``.stats()`` gives counters per tool and entity."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def __repr__(self) -> str:
        return f"SdkGuard({self.guard!r})"

    def stats(self) -> dict[str, Any]:
        return self.guard.stats()

    def _error(self, e: Withheld, *, tool: bool) -> mt.CallToolResult:
        if tool and self.guard.settings.on_block == "tool_error":
            return mt.CallToolResult(content=[mt.TextContent(type="text", text=str(e))], is_error=True)
        raise MCPError(WITHHELD_CODE, str(e), {"reason": e.reason, "counts": e.counts}) from None

    async def __call__(self, ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        method = ctx.method
        params: Mapping[str, Any] = ctx.params or {}
        if ctx.request_id is None:  # notifications: nothing flows to the model
            return await call_next(ctx)
        try:
            if method == "tools/call":
                return await self._call_tool(ctx, params, call_next)
            if method == "prompts/get":
                name = str(params.get("name"))
                args = params.get("arguments")
                checked = self.guard.prompt_arguments(name, args)
                if checked is not args:
                    ctx = dataclasses.replace(ctx, params={**params, "arguments": checked})
                result = _wire(await call_next(ctx))
                return self.guard.prompt_result(name, result) if isinstance(result, dict) else result
            result = _wire(await call_next(ctx))
            if not isinstance(result, dict):
                return result
            if method == "tools/list":
                tools = result.get("tools", [])
                kept = self.guard.tools_list(tools)
                return result if kept is tools else {**result, "tools": kept}
            if method == "resources/read":
                return self.guard.resource_result(str(params.get("uri")), result)
            if method in ("initialize", "server/discover"):  # both carry the server's instructions
                return self.guard.initialize_result(result)
            if method in _LISTINGS:
                key = _LISTINGS[method]
                items = result.get(key, [])
                kept = self.guard.metadata_list(method, items)
                return result if kept is items else {**result, key: kept}
            if method == "completion/complete":
                return self.guard.outbound(method, result)
            return result
        except Withheld as e:
            return self._error(e, tool=False)

    async def _call_tool(
        self, ctx: Any, params: Mapping[str, Any], call_next: Callable[[Any], Awaitable[Any]]
    ) -> Any:
        name = str(params.get("name"))
        args = params.get("arguments")
        try:
            checked = self.guard.tool_call(name, args)
        except Withheld as e:
            return self._error(e, tool=True)
        if checked is not args:
            ctx = dataclasses.replace(ctx, params={**params, "arguments": checked})
        result = _wire(await call_next(ctx))
        if not isinstance(result, dict) or "content" not in result:
            return result  # an input-required interim result
        try:
            return self.guard.tool_result(name, result, checked)
        except Withheld as e:
            return self._error(e, tool=True)


def protect(
    server: S,
    policy: Policy | str | None = None,
    *,
    name: str | None = None,
    audit: AuditLog | bool | None = True,
    guard: Guard | None = None,
) -> S:
    """Install weir on a low-level ``mcp.server.lowlevel.Server`` and return the server.

    Tool arguments and results, resource reads, prompts, the server's instructions and every
    listing are checked under ``policy`` (a ``weir.Policy``, a built-in name, or None for
    ``default``). The middleware goes first in the chain, so it sees what the client sent and
    what the handlers returned.
    """
    g = guard if guard is not None else Guard(policy, server=name or server.name, audit=audit)
    server.middleware.insert(0, SdkGuard(g))
    return server
