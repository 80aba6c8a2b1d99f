"""What travels from the Spark driver to its Python workers, and what each worker builds from it.

``Settings`` is small and picklable: filters, the policy as plain data and any extra rules (read on
the driver, so rule files need not exist on the executors). No key material is ever in it: keys
for ``hash``, ``tokenize`` and fingerprints are read on the worker, from ``WEIR_KEY`` or the
policy's ``key_file``. Each worker process compiles one ``Scanner`` per distinct ``Settings`` on
first use and reuses it for every batch of every task that process runs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from weir.keys import keyed_digest, load_key
from weir.masking import Decided, decide
from weir.policy import Policy
from weir.results import Category, Finding
from weir.rules import Rule
from weir.scanner import DEFAULT_MIN_SCORE, Scanner, make_finding

if TYPE_CHECKING:  # a name in the stubs only
    from weir._core import RawFinding

# Same purpose and length as the MCP audit log's fingerprints, so a value found by a Spark job
# and one withheld by the MCP middleware correlate under the same WEIR_KEY.
FINGERPRINT_PURPOSE = "audit-fingerprint"
FINGERPRINT_HEX = 32


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """The scanner configuration a job ships to its workers."""

    entities: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    min_score: float | None = None
    policy: dict[str, Any] | None = None
    """``msgspec.to_builtins(policy)``; rebuilt (and validated again) on the worker."""
    extra_rules: tuple[dict[str, Any], ...] = ()
    """The extra rules, as ``Rule.to_dict()``: rebuilt with ``Rule(**d)`` on the worker."""

    def cache_key(self) -> str:
        """Equal settings give equal keys, in any process (the worker's cache is keyed by it)."""
        return hashlib.sha256(msgspec.json.encode(self, order="sorted")).hexdigest()


class Prepared:
    """A worker's compiled state for one ``Settings``: the scanner (deny terms included), the
    policy and, once a fingerprint is asked for, the derived fingerprint key (never in a repr)."""

    def __init__(self, settings: Settings) -> None:
        base = Scanner(
            rules=None
            if not settings.extra_rules
            else _with_builtin([Rule(**d) for d in settings.extra_rules]),
            entities=settings.entities,
            categories=settings.categories,
        )
        self.policy = Policy.from_dict(settings.policy) if settings.policy is not None else None
        self.scanner = base.with_deny_terms(self.policy.deny.terms) if self.policy is not None else base
        if settings.min_score is not None:
            self.floor = settings.min_score
        else:  # as weir.scan: the default threshold, or the policy's thresholds decide
            self.floor = 0.0 if self.policy is not None else DEFAULT_MIN_SCORE
        self._meta: list[tuple[str, str, Category]] = [
            (r.entity, r.id, r.category) for r in self.scanner.rules
        ]
        self.rule_index = {r.id: i for i, r in enumerate(self.scanner.rules)}
        """Rule id -> the engine's rule index."""
        self.rule_columns: tuple[list[str], list[str], list[str]] = (
            [r.entity for r in self.scanner.rules],
            [r.id for r in self.scanner.rules],
            [r.category for r in self.scanner.rules],
        )
        """Entity, rule id and category per rule index, for expanding indices into columns."""
        self._fingerprint_key: bytes | None = None

    def __repr__(self) -> str:
        return f"Prepared(rules={len(self._meta)}, policy={self.policy is not None})"

    def raw(self, texts: Sequence[str | bytes]) -> list[list[RawFinding]]:
        """Per text, the engine's (rule index, start, end, score, decoded) at or above the score floor:
        ``findings`` without building a Finding per match. One native call for the whole list."""
        floor = self.floor
        found = self.scanner.engine.scan_batch(texts, [None] * len(texts))
        if floor <= 0.0:
            return found
        return [[t for t in per if t[3] >= floor] for per in found]

    def findings(self, texts: Sequence[str | bytes]) -> list[list[Finding]]:
        """Per text, its findings at or above the score floor, as ``weir.scan`` would report them
        (offsets in code points for str, bytes for bytes). One native call for the whole list."""
        raw = self.scanner.engine.scan_batch(texts, [None] * len(texts))
        meta, floor = self._meta, self.floor
        return [
            [
                make_finding(meta[i], s, e, score, text[s:e], decoded=how)
                for i, s, e, score, how in found
                if score >= floor
            ]
            for text, found in zip(texts, raw, strict=True)
        ]

    def decide(self, findings: list[Finding]) -> Decided:
        """The policy's verdict on one value's findings (never raises ``Blocked``)."""
        assert self.policy is not None
        return decide(findings, self.policy, enforce=False)

    def reported(self, texts: Sequence[str | bytes]) -> list[list[Finding]]:
        """What ``weir.scan(text, policy=...)`` returns for each text: with a policy, only what
        it would act on."""
        found = self.findings(texts)
        if self.policy is None:
            return found
        return [self.decide(fs).findings if fs else fs for fs in found]

    def fingerprint(self, f: Finding) -> str:
        """HMAC-SHA-256 of the entity and value under ``WEIR_KEY`` (or the policy's key file):
        the MCP audit log's fingerprint. Raises ``MissingKeyError`` without a key: a per-process
        random key would make fingerprints from different executors disagree."""
        if self._fingerprint_key is None:
            key_file = self.policy.key_file if self.policy is not None else None
            self._fingerprint_key = load_key(key_file, purpose=FINGERPRINT_PURPOSE)
        return keyed_digest(self._fingerprint_key, f.entity, f.value, FINGERPRINT_HEX)


def _with_builtin(extra: Sequence[Rule]) -> list[Rule]:
    from weir.rules import load_builtin

    return [*load_builtin(), *extra]


# One compiled state per settings per process. Python workers run one task at a time and are
# reused across tasks (spark.python.worker.reuse, on by default), so this lives for the executor.
_cache: dict[str, Prepared] = {}
_lock = threading.Lock()
MAX_CACHED = 8
built: dict[str, int] = {}
"""Compilations per settings key in this process (the tests check each stays at one)."""
calls = 0
"""Batches served from the cache in this process."""


def prepared(key: str, settings: Settings) -> Prepared:
    """The process's ``Prepared`` for ``settings``, compiled on first use."""
    global calls
    calls += 1
    state = _cache.get(key)
    if state is None:
        with _lock:
            state = _cache.get(key)
            if state is None:
                if len(_cache) >= MAX_CACHED:
                    _cache.pop(next(iter(_cache)))
                state = _cache[key] = Prepared(settings)
                built[key] = built.get(key, 0) + 1
    return state
