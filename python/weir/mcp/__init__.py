"""weir in front of MCP servers: the FastMCP middleware, the low-level SDK wrapper and the
stdio proxy, all built on one ``Guard`` that applies a policy to MCP messages.

    from fastmcp import FastMCP
    from weir.mcp import DLPMiddleware

    mcp = FastMCP("crm")
    mcp.add_middleware(DLPMiddleware(policy="default"))

The FastMCP and SDK adapters import their frameworks only when used (``pip install weir-dlp[mcp]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weir.mcp.audit import AuditLog
from weir.mcp.guard import Guard, Withheld

if TYPE_CHECKING:
    from weir.mcp.fastmcp import DLPMiddleware
    from weir.mcp.sdk import protect

__all__ = ["AuditLog", "DLPMiddleware", "Guard", "Withheld", "protect"]


def __getattr__(name: str) -> Any:
    if name == "DLPMiddleware":
        from weir.mcp.fastmcp import DLPMiddleware

        return DLPMiddleware
    if name == "protect":
        from weir.mcp.sdk import protect

        return protect
    raise AttributeError(f"module 'weir.mcp' has no attribute {name!r}")
