"""Masking policies: what happens to what was found, decided by the operator in a file.

A policy maps entities and categories to actions (report, redact, mask, hash, tokenize, block),
with a default, a minimum score, allow- and deny-lists, and overrides per MCP tool (glob) and
direction; the most specific override wins. Keys for ``hash`` and ``tokenize`` never live in the
policy: they come from ``WEIR_KEY`` or the file named by ``key_file``.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from weir import _core
from weir.limits import Limits
from weir.results import Finding

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Action = Literal["report", "redact", "mask", "hash", "tokenize", "block"]
ACTIONS: tuple[str, ...] = ("report", "redact", "mask", "hash", "tokenize", "block")
Direction = Literal["inbound", "outbound"]
Score = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]
BUILTIN = ("default", "strict", "audit")


class ActionSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An action with its options; a bare action name in a policy file means the defaults."""

    action: Action
    template: str = "[{entity}]"
    """For ``redact``: the replacement; ``{entity}``, ``{rule}`` and ``{category}`` are filled in."""
    mask_char: Annotated[str, msgspec.Meta(min_length=1, max_length=1)] = "*"
    keep_first: Annotated[int, msgspec.Meta(ge=0, le=64)] = 0
    keep_last: Annotated[int, msgspec.Meta(ge=0, le=64)] = 0
    hash_length: Annotated[int, msgspec.Meta(ge=8, le=64)] = 12
    min_score: Score | None = None
    """Findings of this entity below it are ignored (the policy's ``min_score`` otherwise)."""


ActionLike = Action | ActionSpec


class Override(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    tool: str | None = None
    """A glob over MCP tool names (``crm_*``)."""
    direction: Direction | None = None
    """``inbound``: tool arguments; ``outbound``: tool results."""
    default: ActionLike | None = None
    entities: dict[str, ActionLike] = {}
    categories: dict[str, ActionLike] = {}


class AllowList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    values: list[str] = []
    """Exact values never reported (``support@example.com``)."""
    patterns: list[str] = []
    """Regexes (linear-time engine); a value any of them matches is never reported."""


class DenyList(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    terms: list[Annotated[str, msgspec.Meta(min_length=2, max_length=256)]] = []
    """Terms always flagged, case-insensitively, as entity DENIED_TERM."""


class Domains(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where URLs in tool arguments may point (exfiltration by URL). Entries are host names;
    ``*.example.com`` matches subdomains, ``example.com`` matches itself and its subdomains."""

    allow: list[str] = []
    """When not empty, a URL to any other host is blocked."""
    deny: list[str] = []
    """A URL to any of these hosts is blocked (checked before ``allow``)."""


class McpSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the MCP layers (middleware, SDK wrapper, proxy) apply the policy."""

    on_block: Literal["tool_error", "jsonrpc_error"] = "tool_error"
    """A blocked tool call becomes a tool error the model can read, or a JSON-RPC error."""
    poisoned_tools: Literal["withhold", "warn", "report"] = "withhold"
    """A tool whose metadata matches an injection rule (at a ``block`` action) is withheld from
    the listing and its calls refused; ``warn`` keeps it with its description replaced by a
    warning; ``report`` only audits."""
    changed_tools: Literal["block", "flag"] = "block"
    """A tool whose definition changed after its first listing (a rug pull): ``block`` withholds
    it and refuses its calls; ``flag`` audits and lets it through."""
    pin_file: str | None = None
    """Keep tool pins in this JSON file, so a definition that changes across restarts is caught."""
    unscannable: Literal["withhold", "allow"] = "withhold"
    """Content weir cannot scan (audio, an image that cannot be OCR'd): withheld unless ``allow``."""
    locators: Literal["block", "pass"] = "block"
    """A finding the policy would rewrite inside a tool or prompt argument that is a URL, a file
    path or a host (rewritten, it would point somewhere else): ``block`` refuses the call,
    ``pass`` forwards it unchanged and audits it. Blocked findings block either way; see
    ``weir.mcp.fields``."""
    max_bytes: Annotated[int, msgspec.Meta(ge=1024)] = 32 * 1024 * 1024
    """A message larger than this is withheld, not forwarded unscanned."""
    ner: bool = False
    """Run spaCy NER on prose fields of tool traffic (costs milliseconds per call)."""
    ocr: bool = True
    """OCR images in tool results and resources (Tesseract)."""
    audit_log: str | None = None
    """JSON Lines audit log (else ``WEIR_AUDIT_LOG``; none when neither is set)."""
    audit_max_bytes: Annotated[int, msgspec.Meta(ge=4096)] = 16 * 1024 * 1024
    audit_backups: Annotated[int, msgspec.Meta(ge=0, le=100)] = 5
    domains: Domains = Domains()


class Policy(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    default: ActionLike = "redact"
    min_score: Score = 0.5
    entities: dict[str, ActionLike] = {}
    categories: dict[str, ActionLike] = {}
    overrides: list[Override] = []
    allow: AllowList = AllowList()
    deny: DenyList = DenyList()
    key_file: str | None = None
    """A file holding the key for hash and tokenize (else ``WEIR_KEY``)."""
    vault: str | None = None
    """A SQLite vault that makes ``tokenize`` reversible (``weir.detokenize``)."""
    mcp: McpSettings = McpSettings()
    """Settings for the MCP middleware, SDK wrapper and proxy."""
    limits: Limits | None = None
    """The ``[limits]`` table (``weir.Limits``): when present, it bounds every scan made under
    this policy in place of the Scanner's limits; fields it leaves out take their defaults. Input
    over a limit is entity ``LIMIT_EXCEEDED``: blocked when that entity's action (else the
    default) is ``block``, an error otherwise."""

    # --- loading ---------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "policy") -> Policy:
        """A policy from a dict of the file's shape; errors name the field and what is allowed."""
        try:
            policy = msgspec.convert(dict(data), cls)
        except msgspec.ValidationError as e:
            raise PolicyError(f"{source}: {_describe(_name_key(str(e), data))}") from None
        policy._check(source)
        return policy

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read a TOML, YAML or JSON policy file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as e:
            raise PolicyError(f"{p}: cannot read policy: {e.strerror or e}") from None
        suffix = p.suffix.lower()
        try:
            if suffix == ".toml":
                data: Any = tomllib.loads(text)
            elif suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            elif suffix == ".json":
                data = json.loads(text)
            else:
                raise PolicyError(f"{p}: policy files are .toml, .yaml, .yml or .json")
        except (tomllib.TOMLDecodeError, ValueError) as e:
            raise PolicyError(f"{p}: not valid {suffix[1:].upper()}: {e}") from None
        except Exception as e:  # yaml.YAMLError and friends
            if type(e).__module__.startswith("yaml"):
                raise PolicyError(f"{p}: not valid YAML: {e}") from None
            raise
        if not isinstance(data, Mapping):
            raise PolicyError(f"{p}: a policy is a table/mapping at the top level")
        return cls.from_dict(data, source=str(p))

    @classmethod
    def builtin(cls, name: str) -> Policy:
        """``default`` (redact PII, block secrets), ``strict`` (block at medium score and above)
        or ``audit`` (report only)."""
        if name not in BUILTIN:
            raise PolicyError(f"no built-in policy {name!r}; choose one of {', '.join(BUILTIN)}")
        text = (files("weir") / "policies" / f"{name}.toml").read_text(encoding="utf-8")
        return cls.from_dict(tomllib.loads(text), source=f"built-in policy {name!r}")

    def _check(self, source: str) -> None:
        try:
            _core.RegexSet(self.allow.patterns)
        except ValueError as e:
            raise PolicyError(f"{source}: field 'allow.patterns': {e}") from None

    # --- deciding --------------------------------------------------------------------------

    def resolve(
        self, entity: str, category: str, *, tool: str | None = None, direction: str | None = None
    ) -> ActionSpec:
        """The action for a finding. Most specific wins: tool + direction > tool > direction >
        the base policy; within each, entity > category > that level's default."""
        levels: list[tuple[int, Override]] = []
        for o in self.overrides:
            if o.tool is not None and (tool is None or not fnmatch.fnmatchcase(tool, o.tool)):
                continue
            if o.direction is not None and o.direction != direction:
                continue
            rank = (2 if o.tool is not None else 0) + (1 if o.direction is not None else 0)
            if rank:
                levels.append((rank, o))
        levels.sort(key=lambda x: -x[0])
        for _, o in levels:
            found = o.entities.get(entity) or o.categories.get(category) or o.default
            if found is not None:
                return _spec(found)
        return _spec(self.entities.get(entity) or self.categories.get(category) or self.default)

    def threshold(self, spec: ActionSpec) -> float:
        return spec.min_score if spec.min_score is not None else self.min_score

    def allowed_values(self) -> tuple[frozenset[str], _core.RegexSet]:
        """The allow-list, compiled once per distinct list: ``decide`` runs on every message."""
        return _allow_list(tuple(self.allow.values), tuple(self.allow.patterns))


@functools.lru_cache(maxsize=256)
def _allow_list(values: tuple[str, ...], patterns: tuple[str, ...]) -> tuple[frozenset[str], _core.RegexSet]:
    return frozenset(values), _core.RegexSet(list(patterns))


class PolicyError(ValueError):
    """A policy that cannot be used; the message names the file, the field and what is allowed."""


class Blocked(Exception):
    """A ``block`` action fired. Names entities and counts, never values."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = dict(counts)
        self.entities = sorted(self.counts)
        what = ", ".join(f"{n} x {e}" for e, n in sorted(self.counts.items()))
        super().__init__(f"blocked by policy: {what}")

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Blocked:
        return cls(Counter(f.entity for f in findings))


def _spec(a: ActionLike) -> ActionSpec:
    return a if isinstance(a, ActionSpec) else ActionSpec(action=a)


def _name_key(message: str, data: Mapping[str, Any]) -> str:
    """msgspec writes a mapping key as ``[...]``; put the entity or category name back."""
    for table in ("entities", "categories"):
        marker = f"$.{table}[...]"
        entries = data.get(table)
        if marker in message and isinstance(entries, Mapping):
            for key, value in entries.items():
                try:
                    msgspec.convert(value, ActionLike)
                except msgspec.ValidationError:
                    return message.replace(marker, f"$.{table}.{key}")
    return message


def _describe(message: str) -> str:
    """``Invalid enum value 'hsah' - at `$.entities.EMAIL`` -> a sentence naming the field. A bad
    mapping key comes as ``... - at `key` in `$.entities```: the field is the mapping."""
    what, _, where = message.partition(" - at ")
    where = where.strip("`")
    in_key = where.startswith("key` in `")
    field = where.removeprefix("key` in `").removeprefix("$").lstrip(".") or "(top level)"
    if in_key:
        return f"field '{field}': a key is not valid: {what}"
    hint = ""
    if "enum value" in what or "Expected `str" in what or "ActionSpec" in what:
        hint = f"; actions are {', '.join(ACTIONS)}"
    return f"field '{field}': {what}{hint}"
