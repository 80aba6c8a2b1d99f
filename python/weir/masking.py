"""Applying a policy to findings: which to keep, what to replace them with, when to block.

The scanner finds; this module decides per finding (allow-list, score threshold, action) and
renders the replacement. ``redaction`` does the splicing for every input shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from weir.policy import ActionSpec, Blocked, Policy
from weir.redaction import rebuild, splice
from weir.results import Finding


@dataclass
class Decided:
    """Findings that survived the policy, each with its action."""

    actions: list[tuple[Finding, ActionSpec]] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for f, _ in self.actions]


def decide(
    findings: Sequence[Finding],
    policy: Policy,
    *,
    tool: str | None = None,
    direction: str | None = None,
    enforce: bool = True,
) -> Decided:
    """Drop allow-listed and low-scoring findings; with ``enforce``, raise ``Blocked`` if any
    left says block."""
    out = Decided()
    for f in findings:
        spec = action_for(policy, f.entity, f.category, f.score, f.value, tool=tool, direction=direction)
        if spec is not None:
            out.actions.append((f, spec))
    blocked = [f for f, spec in out.actions if spec.action == "block"]
    if blocked and enforce:
        raise Blocked.of(blocked)
    return out


def action_for(
    policy: Policy,
    entity: str,
    category: str,
    score: float,
    value: str | bytes,
    *,
    tool: str | None = None,
    direction: str | None = None,
) -> ActionSpec | None:
    """What the policy does with one finding, or None when it drops it (under the entity's
    threshold, or allow-listed). The one place a policy decides: ``decide``, the CLI and the MCP
    guard all come through here."""
    spec = policy.resolve(entity, category, tool=tool, direction=direction)
    if score < policy.threshold(spec):
        return None
    values, patterns = policy.allowed_values()
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if text in values or patterns.is_match(text):
        return None
    return spec


class Renderer:
    """Turns a finding into its replacement text. Keys are loaded once, only when an action
    needs one, and never kept anywhere a repr could show them."""

    def __init__(self, policy: Policy, specs: dict[int, ActionSpec]) -> None:
        """``specs`` maps ``id(finding)`` to its action, for use as a splice callback."""
        self.policy = policy
        self.specs = specs
        self._keys: dict[str, bytes] = {}
        self._vault: Any = None

    def __repr__(self) -> str:
        return f"Renderer(actions={len(self.specs)})"

    def _key(self, purpose: str) -> bytes:
        if purpose not in self._keys:
            from weir.keys import load_key

            self._keys[purpose] = load_key(self.policy.key_file, purpose=purpose)
        return self._keys[purpose]

    def __call__(self, f: Finding) -> str:
        return self.render(f, self.specs[id(f)])

    def render(self, f: Finding, spec: ActionSpec) -> str:
        value = f.value.decode("utf-8", "replace") if isinstance(f.value, bytes) else f.value
        if spec.action == "redact":
            return spec.template.format(entity=f.entity, rule=f.rule, category=f.category)
        if spec.action == "mask":
            return mask(value, spec)
        if spec.action == "hash":
            from weir.keys import keyed_digest

            return f"[{f.entity}:{keyed_digest(self._key('hash'), f.entity, value, spec.hash_length)}]"
        if spec.action == "tokenize":
            if self.policy.vault is not None:
                if self._vault is None:
                    from weir.vault import Vault

                    self._vault = Vault(self.policy.vault, key_file=self.policy.key_file)
                return str(self._vault.tokenize(f.entity, value))
            from weir.vault import make_token

            return make_token(self._key("tokenize"), f.entity, value)
        raise AssertionError(f"action {spec.action} does not replace")  # report/block never reach here


def mask(value: str, spec: ActionSpec) -> str:
    """Mask letters and digits, keeping the first/last N of them and every separator:
    ``4111-1111-1111-1111`` with keep_last=4 gives ``****-****-****-1111``."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    keep = set(positions[: spec.keep_first]) | set(
        positions[len(positions) - spec.keep_last :] if spec.keep_last else []
    )
    return "".join(c if (i in keep or not c.isalnum()) else spec.mask_char for i, c in enumerate(value))


def apply(
    data: Any, findings: Sequence[Finding], decided: Decided, policy: Policy, *, share_unchanged: bool = False
) -> Any:
    """``data`` with the decided findings replaced (``report`` ones left as they are)."""
    replaced = [(f, s) for f, s in decided.actions if s.action != "report"]
    if not replaced:
        return data
    render = Renderer(policy, {id(f): s for f, s in replaced})
    chosen = [f for f, _ in replaced]
    if isinstance(data, str):
        return splice(data, chosen, render)
    if isinstance(data, (bytes, bytearray, memoryview)):
        out = splice(bytes(data), chosen, render)
        return bytearray(out) if isinstance(data, bytearray) else out
    return rebuild(data, chosen, render, share_unchanged=share_unchanged)
