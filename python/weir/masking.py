"""The policy stages of weir's one pipeline: scan (``scanner``) → **decide** → **apply**.

``decide`` turns findings into a ``Decided`` (per finding: dropped by the allow-list or a
threshold, or kept with its action); ``apply`` writes the replacements into a copy of the input
(``redaction`` does the splicing for every input shape). ``weir.redact``, ``weir scan/redact``,
the MCP guard and the Spark functions all come through these two; with no policy, every finding is
redacted to ``[ENTITY]`` (``LABEL``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from weir.policy import ActionSpec, Blocked, Policy
from weir.redaction import Replace, rebuild, splice
from weir.results import Finding

LABEL = ActionSpec(action="redact")
"""What happens to every finding when there is no policy: replaced by ``[ENTITY]``."""


class Decided:
    """Findings that survived the policy, each with its action: two parallel lists rather than a
    pair per finding, so three million findings cost no extra objects for the garbage collector
    to walk."""

    __slots__ = ("findings", "specs")

    def __init__(self, actions: Iterable[tuple[Finding, ActionSpec]] = ()) -> None:
        self.findings: list[Finding] = []
        self.specs: list[ActionSpec] = []
        for f, spec in actions:
            self.add(f, spec)

    @classmethod
    def every(cls, findings: Sequence[Finding], spec: ActionSpec) -> Decided:
        """Each of ``findings`` with the same action."""
        out = cls()
        out.findings = list(findings)
        out.specs = [spec] * len(out.findings)
        return out

    def add(self, finding: Finding, spec: ActionSpec) -> None:
        self.findings.append(finding)
        self.specs.append(spec)

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        return f"Decided({len(self)} findings)"  # never the values

    @property
    def actions(self) -> list[tuple[Finding, ActionSpec]]:
        return list(zip(self.findings, self.specs, strict=True))

    @property
    def blocked(self) -> list[Finding]:
        """The findings whose action is ``block``."""
        return [f for f, spec in zip(self.findings, self.specs, strict=True) if spec.action == "block"]

    @property
    def replaced(self) -> Decided:
        """What ``apply`` replaces: every action but ``report`` (``block`` never gets that far)."""
        if all(spec.action != "report" for spec in set(self.specs)):
            return self
        return Decided(a for a in zip(self.findings, self.specs, strict=True) if a[1].action != "report")

    def enforce(self) -> Decided:
        """Raise ``Blocked`` (naming counts only) if any finding's action is ``block``."""
        blocked = self.blocked
        if blocked:
            raise Blocked.of(blocked)
        return self


def decide(
    findings: Sequence[Finding],
    policy: Policy | None,
    *,
    tool: str | None = None,
    direction: str | None = None,
    enforce: bool = True,
) -> Decided:
    """Drop allow-listed and low-scoring findings and give each one left its action; with
    ``enforce``, raise ``Blocked`` if any says block. No policy: every finding is redacted
    (``LABEL``); the scanner's threshold has already chosen them."""
    if policy is None:
        return Decided.every(findings, LABEL)
    out = Decided()
    for f in findings:
        spec = action_for(policy, f.entity, f.category, f.score, f.value, tool=tool, direction=direction)
        if spec is not None:
            out.add(f, spec)
    return out.enforce() if enforce else out


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


def label(finding: Finding) -> str:
    """``LABEL``'s replacement: the entity name in brackets."""
    return f"[{finding.entity}]"


def apply(data: Any, decided: Decided, policy: Policy | None, *, share_unchanged: bool = False) -> Any:
    """``data`` (str, bytes, or a JSON-like payload) with the decided findings replaced
    (``report`` ones left as they are); ``data`` itself when nothing is. Decide with
    ``enforce`` first: ``apply`` does not block."""
    replaced = decided.replaced
    if not replaced:
        return data
    chosen = replaced.findings
    render: Replace
    if set(replaced.specs) <= {LABEL}:
        render = label  # no keys, no per-finding lookup: finding-dense input stays cheap
    else:
        if policy is None:
            raise ValueError("apply: these actions need the policy that decided them")
        render = Renderer(policy, dict(zip(map(id, chosen), replaced.specs, strict=True)))
    if isinstance(data, str):
        return splice(data, chosen, render)
    if isinstance(data, (bytes, bytearray, memoryview)):
        out = splice(bytes(data), chosen, render)
        return bytearray(out) if isinstance(data, bytearray) else out
    return rebuild(data, chosen, render, share_unchanged=share_unchanged)
