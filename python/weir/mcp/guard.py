"""The MCP guard: a policy applied to MCP messages, whatever carries them.

``Guard`` works on the wire form of MCP (the JSON objects of the protocol, camelCase keys), so
the FastMCP middleware, the low-level SDK wrapper and the stdio proxy share one implementation
and behave the same. Each method takes a request's params or a result and returns the message to
forward — the same object when nothing changed, a new one otherwise (the input is never
modified) — or raises ``Withheld`` with a message that can go to the model as is.

Fail closed: any error while scanning withholds the message, and the reason given names the
error's type only (an exception's text can quote the data).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

import msgspec

from weir.limits import LimitExceeded
from weir.masking import Decided, apply, decide
from weir.mcp import content, domains, fields
from weir.mcp.audit import AuditLog, from_settings
from weir.mcp.tools import ToolWatch, definition_hash
from weir.policy import ActionSpec, Policy
from weir.results import Finding
from weir.scanner import Scanner, as_policy, default_scanner
from weir.scanner import _is_image as is_image

log = logging.getLogger("weir.mcp")

T = TypeVar("T")

WARNING = (
    "[weir: this text was withheld: it contained {counts}, instructions aimed at the model rather "
    "than a description of the tool]"
)
_WARN_SPEC = ActionSpec(action="redact", template="[withheld by weir: {entity}]")
_WHY = {
    "poisoned": "its definition carries instructions aimed at the model",
    "changed": "its definition changed after it was first listed",
}


class Withheld(Exception):
    """weir withheld an MCP message or refused a call. ``str()`` is written for the model and the
    user: the reason, entities and counts — never a value."""

    def __init__(self, reason: str, message: str, counts: Mapping[str, int] | None = None) -> None:
        self.reason = reason
        """``blocked``, ``poisoned``, ``changed``, ``denied_domain``, ``too_large``,
        ``unscannable``, ``invalid_json`` (the proxy could not parse the line) or ``error``."""
        self.counts = dict(counts or {})
        super().__init__(message)


def _counts(findings: Iterable[Finding]) -> dict[str, int]:
    return dict(sorted(Counter(f.entity for f in findings).items()))


def _describe(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} x {e}" for e, n in counts.items())


# MCP's own method names; anything else a peer sends is logged as a placeholder, never as is.
MCP_METHODS = frozenset(
    {
        "initialize",
        "server/discover",
        "ping",
        "tools/list",
        "tools/call",
        "resources/list",
        "resources/templates/list",
        "resources/read",
        "resources/subscribe",
        "resources/unsubscribe",
        "prompts/list",
        "prompts/get",
        "completion/complete",
        "logging/setLevel",
        "sampling/createMessage",
        "elicitation/create",
        "roots/list",
        "notifications/initialized",
        "notifications/cancelled",
        "notifications/progress",
        "notifications/message",
        "notifications/resources/updated",
        "notifications/resources/list_changed",
        "notifications/tools/list_changed",
        "notifications/prompts/list_changed",
        "notifications/roots/list_changed",
        "notifications/elicitation/complete",
    }
)
_TOOL_NAME = re.compile(r"[A-Za-z0-9_.\-/]{1,128}")


def _safe_method(method: str) -> str:
    return method if method in MCP_METHODS else "<other method>"


def _safe_tool(tool: str | None) -> str | None:
    """Tool names come from the peer (a model can put anything in a call): only names of MCP's
    shape are recorded, so a value smuggled into a name never reaches logs or the audit."""
    if tool is None or _TOOL_NAME.fullmatch(tool):
        return tool
    return "<invalid tool name>"


class Guard:
    """One server's policy, pins, audit log and counters.

    ``policy`` is a Policy, a built-in name or a path-free dict (``Policy.from_dict``); its
    ``[mcp]`` table sets the MCP behaviour. ``server`` names the server in audit events.
    """

    def __init__(
        self,
        policy: Policy | str | None = None,
        *,
        server: str | None = None,
        scanner: Scanner | None = None,
        audit: AuditLog | bool | None = True,
    ) -> None:
        self.policy = as_policy(policy if policy is not None else "default")
        self.settings = self.policy.mcp
        self.server = server
        base = scanner if scanner is not None else default_scanner()
        self.scanner = base.with_deny_terms(self.policy.deny.terms)
        # Built now, not on the first listing: a missing rule set is one clear error at startup.
        self._injection = default_scanner(categories=["injection"])
        if audit is True:
            s = self.settings
            self.audit = from_settings(s.audit_log, s.audit_max_bytes, s.audit_backups, self.policy.key_file)
        else:
            self.audit = audit or None
        self.watch = ToolWatch(self.settings.pin_file)
        self._lock = threading.Lock()
        self._stats: dict[str, Counter[str]] = defaultdict(Counter)
        self._entities: dict[str, Counter[str]] = defaultdict(Counter)

    def __repr__(self) -> str:
        return f"Guard(server={self.server!r}, audit={self.audit!r})"

    # --- tools ----------------------------------------------------------------------------

    def tool_call(self, tool: str, arguments: dict[str, Any] | None) -> dict[str, Any] | None:
        """Inbound: refuse a withheld tool, check URLs against the domain lists, then scan the
        arguments under the policy's ``inbound`` actions. Returns the arguments to forward."""
        return self._guarded(
            "tools/call", tool, "inbound", "tool call", lambda: self._tool_call(tool, arguments)
        )

    def _tool_call(self, tool: str, arguments: dict[str, Any] | None) -> dict[str, Any] | None:
        self._count(tool, "calls")
        reason = self.watch.withheld(tool)
        if reason is not None:
            self._record("tools/call", tool, "inbound", "refuse", (), reason)
            raise Withheld(reason, f"weir refused the call: tool {tool!r} is withheld ({_WHY[reason]})")
        if not arguments:
            return arguments
        denied = domains.check(arguments, self.settings.domains)
        if denied:
            counts = _counts(denied)
            self._record("tools/call", tool, "inbound", "block", denied, "denied_domain")
            raise Withheld(
                "denied_domain",
                f"weir blocked the call: its arguments point to {len(denied)} URL(s) on a host the "
                "policy does not allow",
                counts,
            )
        return self._apply(
            arguments, method="tools/call", tool=tool, direction="inbound", what="tool call", arguments=True
        )

    def tool_result(self, tool: str, result: dict[str, Any], arguments: Any = None) -> dict[str, Any]:
        """Outbound: every text block, ``structuredContent``, images (OCR), embedded resources
        and blobs. A text block that mirrors ``structuredContent`` is rebuilt from it. With the
        call's ``arguments`` (as forwarded), a URL, path or host they held that the result
        repeats passes audited (see ``weir.mcp.fields``)."""
        return self._guarded(
            "tools/call", tool, "outbound", "tool result", lambda: self._tool_result(tool, result, arguments)
        )

    def _tool_result(self, tool: str, result: dict[str, Any], arguments: Any) -> dict[str, Any]:
        self._count(tool, "results")
        mirrors = content.mirrored_text_blocks(result)
        return self._apply(
            result,
            method="tools/call",
            tool=tool,
            direction="outbound",
            what="tool result",
            mirrors=mirrors,
            echo=fields.echoes(arguments) if arguments else (),
        )

    def tools_list(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Pin each definition; withhold (or annotate) tools that changed or carry instructions
        aimed at the model. Returns the listing to forward."""
        return self._guarded("tools/list", None, "outbound", "tool listing", lambda: self._tools_list(tools))

    def _tools_list(self, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        changed = False
        for tool in tools:
            name = tool.get("name")
            if not isinstance(name, str):
                raise ValueError("a tool without a name")
            kept = self._check_tool(name, tool)
            changed |= kept is not tool
            if kept is not None:
                out.append(kept)
        return out if changed else tools

    def _check_tool(self, name: str, tool: dict[str, Any]) -> dict[str, Any] | None:
        if self.watch.check(name, definition_hash(tool)):
            block = self.settings.changed_tools == "block"
            self._record("tools/list", name, "outbound", "withhold" if block else "flag", (), "changed")
            if block:
                self.watch.withhold(name, "changed")
        if self.watch.withheld(name) == "changed":
            return None
        # The whole definition, _meta included: every string the client receives is scanned.
        meta = tool
        decided = self._injection_decided(meta, tool=name)
        hits = decided.blocked
        if not hits:
            self.watch.release(name)
            return self._act_on_metadata(tool, meta, decided, "tools/list", name)
        mode = self.settings.poisoned_tools
        action = {"withhold": "withhold", "warn": "redact", "report": "report"}[mode]
        self._record("tools/list", name, "outbound", action, hits, "poisoned")
        if mode == "withhold":
            self.watch.withhold(name, "poisoned")
            return None
        if mode == "report":
            return tool
        return self._warned(tool, meta, hits, "description")

    # --- resources, prompts, initialize ---------------------------------------------------

    def resource_result(self, uri: str, result: dict[str, Any]) -> dict[str, Any]:
        """Outbound: text contents and blobs (images through OCR) of a ``resources/read``."""
        return self._guarded(
            "resources/read",
            None,
            "outbound",
            "resource",
            lambda: self._apply(
                result,
                method="resources/read",
                tool=None,
                direction="outbound",
                what="resource",
                requested=uri,
            ),
        )

    def prompt_arguments(self, name: str, arguments: dict[str, Any] | None) -> dict[str, Any] | None:
        """Inbound: the arguments of a ``prompts/get``."""
        if not arguments:
            return arguments
        return self._guarded(
            "prompts/get",
            None,
            "inbound",
            "prompt request",
            lambda: self._apply(
                arguments,
                method="prompts/get",
                tool=None,
                direction="inbound",
                what="prompt request",
                arguments=True,
            ),
        )

    def prompt_result(self, name: str, result: dict[str, Any]) -> dict[str, Any]:
        """Outbound: the messages of a ``prompts/get``."""
        return self._guarded(
            "prompts/get",
            None,
            "outbound",
            "prompt",
            lambda: self._apply(result, method="prompts/get", tool=None, direction="outbound", what="prompt"),
        )

    def initialize_result(self, result: dict[str, Any]) -> dict[str, Any]:
        """The server's ``instructions`` go into the model's context: checked for injection."""
        return self._guarded(
            "initialize", None, "outbound", "server's instructions", lambda: self._initialize(result)
        )

    def _initialize(self, result: dict[str, Any]) -> dict[str, Any]:
        instructions = result.get("instructions")
        if not isinstance(instructions, str) or not instructions:
            return result
        decided = self._injection_decided({"instructions": instructions}, tool=None)
        hits = decided.blocked
        if not hits:
            return self._act_on_metadata(result, {"instructions": instructions}, decided, "initialize", None)
        mode = self.settings.poisoned_tools
        self._record(
            "initialize", None, "outbound", "report" if mode == "report" else "redact", hits, "poisoned"
        )
        if mode == "report":
            return result
        return {**result, "instructions": WARNING.format(counts=_describe(_counts(hits)))}

    def metadata_list(self, method: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``resources/list``, ``prompts/list`` and the like: descriptions checked for injection;
        poisoned ones replaced by a warning (these listings have no calls to refuse)."""

        def run() -> list[dict[str, Any]]:
            out, changed = [], False
            for item in items:
                meta = item  # _meta included, as for tools
                decided = self._injection_decided(meta, tool=None)
                hits = decided.blocked
                new = item
                if hits and self.settings.poisoned_tools != "report":
                    self._record(method, None, "outbound", "redact", hits, "poisoned")
                    new = self._warned(item, meta, hits, "description")
                elif hits:
                    self._record(method, None, "outbound", "report", hits, "poisoned")
                else:
                    new = self._act_on_metadata(item, meta, decided, method, None)
                changed |= new is not item
                out.append(new)
            return out if changed else items

        return self._guarded(method, None, "outbound", "listing", run)

    # --- anything else --------------------------------------------------------------------

    def outbound(self, method: str, payload: T) -> T:
        """Server-to-client traffic with no dedicated check (log notifications, completions,
        error messages, sampling requests): scanned as a payload under ``outbound`` actions."""
        return self._guarded(
            method,
            None,
            "outbound",
            "message",
            lambda: self._apply(payload, method=method, tool=None, direction="outbound", what="message"),
        )

    def inbound(self, method: str, payload: T) -> T:
        """Client-to-server traffic with no dedicated check, under ``inbound`` actions."""
        return self._guarded(
            method,
            None,
            "inbound",
            "message",
            lambda: self._apply(payload, method=method, tool=None, direction="inbound", what="message"),
        )

    def stats(self) -> dict[str, Any]:
        """Counters per tool (calls, results, blocked, redacted, refused, withheld) and findings
        per tool and entity."""
        with self._lock:
            return {
                "tools": {t: dict(c) for t, c in self._stats.items()},
                "entities": {t: dict(c) for t, c in self._entities.items()},
            }

    # --- the machinery --------------------------------------------------------------------

    def _guarded(self, method: str, tool: str | None, direction: str, what: str, run: Callable[[], T]) -> T:
        try:
            return run()
        except Withheld:
            raise
        except LimitExceeded as e:
            # Its message names the limit and the size seen, never a value: safe to pass on.
            self._record(method, tool, direction, "withhold", (), "too_large")
            raise Withheld("too_large", f"weir withheld the {what}: {e}") from None
        except Exception as e:
            kind = type(e).__name__
            log.error(
                "weir: %s %s for %s failed (%s); withheld",
                _safe_method(method),
                direction,
                _safe_tool(tool),
                kind,
            )
            self._record(method, tool, direction, "withhold", (), "error")
            raise Withheld("error", f"weir withheld the {what}: it could not be scanned ({kind})") from None

    def _apply(
        self,
        message: T,
        *,
        method: str,
        tool: str | None,
        direction: str,
        what: str,
        mirrors: list[tuple[int, str]] | None = None,
        arguments: bool = False,
        requested: str | None = None,
        echo: tuple[str, ...] = (),
    ) -> T:
        size = content.encoded_size(message)
        if size > self.settings.max_bytes:
            self._record(method, tool, direction, "withhold", (), "too_large")
            raise Withheld(
                "too_large",
                f"weir withheld the {what}: {size} bytes is over the policy's limit of "
                f"{self.settings.max_bytes} (mcp.max_bytes)",
            )
        view, media = content.split(message)
        for i, _ in mirrors or ():
            view = content.copy_path(view, ("content", i, "text"))
            view["content"][i]["text"] = ""
        result = self.scanner.scan(view, ner=self.settings.ner, ocr=False, limits=self.policy.limits)
        decided = decide(result.findings, self.policy, tool=tool, direction=direction, enforce=False)
        decided = fields.constrain(
            decided,
            view,
            direction=direction,
            arguments=arguments,
            requested=requested,
            locators=self.settings.locators,
            echo=echo,
        )
        scanned = [(m, self._decide_media(m, method, tool, direction, what)) for m in media]

        chosen = Decided([*decided.actions, *(a for _, d in scanned for a in d.actions)])
        blocked = chosen.blocked
        if blocked:
            counts = _counts(blocked)
            self._record(method, tool, direction, "block", chosen.findings, "blocked")
            why = "which the policy blocks"
            if all(s is fields.BLOCK_IN_FIELD for _, s in chosen.actions if s.action == "block"):
                why = fields.WHY_BLOCKED[direction]
            raise Withheld(
                "blocked", f"weir withheld the {what}: it contains {_describe(counts)}, {why}", counts
            )
        if chosen:
            self._record(method, tool, direction, "redact" if chosen.replaced else "report", chosen.findings)

        out = apply(view, decided, self.policy, share_unchanged=True)
        redacted_media = [(m, self._redacted_media(m, d)) for m, d in scanned]
        if out is view and all(raw is m.raw for m, raw in redacted_media):
            return message  # nothing replaced: the message as it came (media and mirrors included)
        for m, raw in redacted_media:
            out = content.copy_path(out, m.path)
            content.put(out, m.path, raw)
        original: Any = message
        structured_kept = isinstance(original, dict) and out.get("structuredContent") is original.get(
            "structuredContent"
        )
        for i, form in mirrors or ():
            out = content.copy_path(out, ("content", i, "text"))
            # Unchanged structure: the server's own text, byte for byte; else rebuilt from it.
            if structured_kept:
                text = original["content"][i]["text"]
            elif form == "result":
                text = out["structuredContent"]["result"]
            else:
                text = content.to_json(out["structuredContent"])
            out["content"][i]["text"] = text
        return cast(T, out)

    def _decide_media(
        self, m: content.Media, method: str, tool: str | None, direction: str, what: str
    ) -> Decided:
        pointer = "/" + "/".join(str(p) for p in m.path)
        found: list[Finding] = []
        image = m.kind == "image" or (m.mime or "").startswith("image/")
        if m.kind == "audio" or (image and not self.settings.ocr):
            self._unscannable(
                method, tool, direction, what, "audio" if m.kind == "audio" else "an image (OCR is off)"
            )
        elif image and not is_image(m.raw):
            self._unscannable(method, tool, direction, what, "an image block whose bytes are not an image")
        elif image:
            from weir.ocr import OcrError

            try:
                found = self.scanner.scan(
                    m.raw, ocr=True, ner=self.settings.ner, limits=self.policy.limits
                ).findings
            except OcrError as e:
                self._unscannable(
                    method, tool, direction, what, f"an image OCR could not read ({type(e).__name__})"
                )
        else:
            found = self.scanner.scan(m.raw, ocr=False, limits=self.policy.limits).findings
        found = [msgspec.structs.replace(f, path=pointer) for f in found]
        return decide(found, self.policy, tool=tool, direction=direction, enforce=False)

    def _unscannable(self, method: str, tool: str | None, direction: str, what: str, thing: str) -> None:
        if self.settings.unscannable == "allow":
            self._record(method, tool, direction, "pass", (), "unscannable")
            return
        self._record(method, tool, direction, "withhold", (), "unscannable")
        raise Withheld("unscannable", f"weir withheld the {what}: it holds {thing}, which weir cannot scan")

    def _redacted_media(self, m: content.Media, d: Decided) -> bytes:
        replaced = d.replaced.findings
        if not replaced:
            return m.raw
        if any(f.box is not None for f in replaced):
            from weir.ocr import redact_image

            out = redact_image(m.raw, replaced, limits=self.policy.limits or self.scanner.limits)
            assert isinstance(out, bytes)
            return out
        out_bytes = apply(m.raw, d, self.policy)
        assert isinstance(out_bytes, bytes)
        return out_bytes

    def _injection_decided(self, metadata: dict[str, Any], tool: str | None) -> Decided:
        found = self._injection.scan(metadata, ocr=False, limits=self.policy.limits).findings
        return decide(found, self.policy, tool=tool, direction="outbound", enforce=False)

    def _act_on_metadata(
        self, item: dict[str, Any], meta: dict[str, Any], decided: Decided, method: str, tool: str | None
    ) -> dict[str, Any]:
        """Injection findings under a non-blocking action: report audits, others rewrite."""
        if not decided:
            return item
        self._record(
            method,
            tool,
            "outbound",
            "redact" if decided.replaced else "report",
            decided.findings,
            "injection",
        )
        new = apply(meta, decided, self.policy)
        return item if new is meta else {**item, **new}

    def _warned(
        self, item: dict[str, Any], meta: dict[str, Any], hits: list[Finding], field: str
    ) -> dict[str, Any]:
        new = apply(meta, Decided([(f, _WARN_SPEC) for f in hits]), self.policy)
        out = {**item, **new}
        if field in item:
            out[field] = WARNING.format(counts=_describe(_counts(hits)))
        return out

    def _count(self, tool: str | None, key: str) -> None:
        with self._lock:
            self._stats[tool or "-"][key] += 1

    def _record(
        self,
        method: str,
        tool: str | None,
        direction: str,
        action: str,
        findings: Iterable[Finding],
        reason: str | None = None,
    ) -> None:
        found = list(findings)
        method, tool = _safe_method(method), _safe_tool(tool)
        key = tool or "-"
        stat = {
            "block": "blocked",
            "redact": "redacted",
            "refuse": "refused",
            "withhold": "withheld",
            "flag": "flagged",
            "report": "reported",
            "pass": "passed",
        }[action]
        with self._lock:
            self._stats[key][stat] += 1
            self._entities[key].update(f.entity for f in found)
        if self.audit is not None:
            self.audit.event(
                server=self.server,
                method=method,
                tool=tool,
                direction=direction,
                action=action,
                findings=found,
                reason=reason,
            )
