"""``DLPMiddleware``: weir as FastMCP middleware.

Each hook turns FastMCP's objects into the MCP wire form, lets the ``Guard`` decide, and builds
new objects from what comes back (FastMCP's own are never edited in place). A blocked tool call
or result becomes a tool error the model can read (``mcp.on_block = "tool_error"``) or a JSON-RPC
error (``"jsonrpc_error"``); a withheld resource, prompt or listing is always a JSON-RPC error.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

import mcp_types as mt
from fastmcp.exceptions import ToolError
from fastmcp.prompts.base import Message, Prompt, PromptResult
from fastmcp.resources.base import Resource, ResourceContent, ResourceResult
from fastmcp.resources.template import ResourceTemplate
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools.base import Tool, ToolResult
from mcp.shared.exceptions import MCPError
from pydantic import TypeAdapter

from weir.mcp.audit import AuditLog
from weir.mcp.guard import Guard, Withheld
from weir.policy import Policy

WITHHELD_CODE = -32001
"""JSON-RPC error code for a message weir withheld (server-error range)."""

_blocks: TypeAdapter[mt.ContentBlock] = TypeAdapter(mt.ContentBlock)
C = TypeVar("C", Resource, ResourceTemplate, Prompt)


def _wire(model: Any) -> Any:
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def jsonrpc_error(e: Withheld) -> MCPError:
    return MCPError(WITHHELD_CODE, str(e), {"reason": e.reason, "counts": e.counts})


class DLPMiddleware(Middleware):
    """Scans tool arguments (inbound) and results (outbound: text, ``structured_content``, images
    through OCR, embedded resources and blobs), resource reads, prompts, the server's
    instructions and tool listings (injection, pinning) under ``policy``.

    ``policy``: a ``weir.Policy``, a built-in name (``default``, ``strict``, ``audit``) or None
    for ``default``. ``server`` names the server in audit events. ``.stats()`` gives counters
    per tool and entity.
    """

    def __init__(
        self,
        policy: Policy | str | None = None,
        *,
        server: str | None = None,
        audit: AuditLog | bool | None = True,
        guard: Guard | None = None,
    ) -> None:
        self.guard = guard if guard is not None else Guard(policy, server=server, audit=audit)

    def __repr__(self) -> str:
        return f"DLPMiddleware({self.guard!r})"

    def stats(self) -> dict[str, Any]:
        return self.guard.stats()

    def _tool_error(self, e: Withheld) -> ToolResult:
        if self.guard.settings.on_block == "jsonrpc_error":
            raise jsonrpc_error(e) from None
        return ToolResult(content=[mt.TextContent(type="text", text=str(e))], is_error=True)

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        name = context.message.name
        arguments = context.message.arguments
        try:
            checked = self.guard.tool_call(name, arguments)
        except Withheld as e:
            return self._tool_error(e)
        if checked is not arguments:
            context = context.copy(message=context.message.model_copy(update={"arguments": checked}))
        try:
            result = await call_next(context)
        except ToolError as e:
            # A tool's error message goes to the model too.
            try:
                text = self.guard.outbound("tools/call", str(e))
            except Withheld as w:
                return self._tool_error(w)
            raise ToolError(text) from None
        wire: dict[str, Any] = {"content": [_wire(b) for b in result.content], "isError": result.is_error}
        if result.structured_content is not None:
            wire["structuredContent"] = result.structured_content
        if result.meta is not None:
            wire["_meta"] = result.meta
        try:
            guarded = self.guard.tool_result(name, wire, checked)
        except Withheld as e:
            return self._tool_error(e)
        if guarded is wire:
            return result
        return ToolResult(
            content=[_blocks.validate_python(b) for b in guarded["content"]],
            structured_content=guarded.get("structuredContent"),
            meta=guarded.get("_meta"),
            is_error=bool(guarded.get("isError", False)),
        )

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        tools = list(await call_next(context))
        wire = [_wire(t.to_mcp_tool()) for t in tools]
        try:
            guarded = self.guard.tools_list(wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return tools
        by_name = {d["name"]: d for d in guarded}
        out: list[Tool] = []
        for tool, original in zip(tools, wire, strict=True):
            new = by_name.get(original["name"])
            if new is None:
                continue
            if new is original:
                out.append(tool)
                continue
            out.append(
                tool.model_copy(
                    update={
                        "description": new.get("description"),
                        "title": new.get("title"),
                        "parameters": new.get("inputSchema", tool.parameters),
                        "output_schema": new.get("outputSchema"),
                    }
                )
            )
        return out

    async def on_list_resources(
        self,
        context: MiddlewareContext[mt.ListResourcesRequest],
        call_next: CallNext[mt.ListResourcesRequest, Sequence[Resource]],
    ) -> Sequence[Resource]:
        items = list(await call_next(context))
        return self._described("resources/list", items, [_wire(r.to_mcp_resource()) for r in items])

    async def on_list_resource_templates(
        self,
        context: MiddlewareContext[mt.ListResourceTemplatesRequest],
        call_next: CallNext[mt.ListResourceTemplatesRequest, Sequence[ResourceTemplate]],
    ) -> Sequence[ResourceTemplate]:
        items = list(await call_next(context))
        return self._described("resources/templates/list", items, [_wire(t.to_mcp_template()) for t in items])

    async def on_list_prompts(
        self,
        context: MiddlewareContext[mt.ListPromptsRequest],
        call_next: CallNext[mt.ListPromptsRequest, Sequence[Prompt]],
    ) -> Sequence[Prompt]:
        items = list(await call_next(context))
        return self._described("prompts/list", items, [_wire(p.to_mcp_prompt()) for p in items])

    def _described(self, method: str, items: list[C], wire: list[dict[str, Any]]) -> list[C]:
        """Listings other than tools: descriptions checked for injection (a poisoned one is
        replaced by a warning; there is no call to refuse)."""
        try:
            guarded = self.guard.metadata_list(method, wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return items
        return [
            item if new is old else item.model_copy(update={"description": new.get("description")})
            for item, old, new in zip(items, wire, guarded, strict=True)
        ]

    async def on_read_resource(
        self,
        context: MiddlewareContext[mt.ReadResourceRequestParams],
        call_next: CallNext[mt.ReadResourceRequestParams, ResourceResult],
    ) -> ResourceResult:
        uri = str(context.message.uri)
        result = await call_next(context)
        if not isinstance(result, ResourceResult):
            return result  # an input-required interim result carries no content
        wire = _wire(result.to_mcp_result(uri))
        try:
            guarded = self.guard.resource_result(uri, wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return result
        contents = []
        for item in guarded["contents"]:
            data: str | bytes = item["text"] if "text" in item else base64.b64decode(item["blob"])
            contents.append(ResourceContent(data, mime_type=item.get("mimeType"), meta=item.get("_meta")))
        return ResourceResult(contents, meta=guarded.get("_meta"))

    async def on_get_prompt(
        self,
        context: MiddlewareContext[mt.GetPromptRequestParams],
        call_next: CallNext[mt.GetPromptRequestParams, PromptResult],
    ) -> PromptResult:
        name = context.message.name
        arguments = context.message.arguments
        try:
            checked = self.guard.prompt_arguments(name, arguments)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if checked is not arguments:
            context = context.copy(message=context.message.model_copy(update={"arguments": checked}))
        result = await call_next(context)
        if not isinstance(result, PromptResult):
            return result
        wire = _wire(result.to_mcp_prompt_result())
        try:
            guarded = self.guard.prompt_result(name, wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return result
        messages = [
            Message(_blocks.validate_python(m["content"]), role=m["role"]) for m in guarded["messages"]
        ]
        return PromptResult(messages, description=guarded.get("description"), meta=guarded.get("_meta"))

    async def on_discover(
        self,
        context: MiddlewareContext[mt.DiscoverRequest],
        call_next: CallNext[mt.DiscoverRequest, mt.DiscoverResult | dict[str, Any]],
    ) -> mt.DiscoverResult | dict[str, Any]:
        result = await call_next(context)
        wire = result if isinstance(result, dict) else _wire(result)
        if not wire.get("instructions"):
            return result
        try:
            guarded = self.guard.initialize_result(wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return result
        if isinstance(result, dict):
            return guarded
        return result.model_copy(update={"instructions": guarded.get("instructions")})

    async def on_initialize(
        self,
        context: MiddlewareContext[mt.InitializeRequest],
        call_next: CallNext[mt.InitializeRequest, mt.InitializeResult | None],
    ) -> mt.InitializeResult | None:
        result = await call_next(context)
        if result is None or not result.instructions:
            return result
        wire = _wire(result)
        try:
            guarded = self.guard.initialize_result(wire)
        except Withheld as e:
            raise jsonrpc_error(e) from None
        if guarded is wire:
            return result
        return result.model_copy(update={"instructions": guarded.get("instructions")})
