"""The Scanner: a compiled rule set and the ways to run it over str, bytes and payloads."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import msgspec

from weir import _core
from weir import ner as ner_layer
from weir.limits import LIMIT_ENTITY, Deadline, LimitExceeded, Limits, check_size
from weir.masking import Decided, decide
from weir.masking import apply as apply_policy
from weir.payload import PayloadError, PayloadTooDeep, is_container
from weir.policy import Blocked, Policy
from weir.results import CATEGORIES, Category, Finding, ScanResult
from weir.rules import Rule, check_window, load_builtin, load_file

D = TypeVar("D")

ACCEPTED = "str, bytes, bytearray, memoryview, or a JSON-like dict/list"


def make_finding(meta: Sequence[tuple[str, str, Category]], raw: _core.RawFinding) -> Finding:
    """The ``Finding`` for one of the engine's ``RawFinding`` tuples; ``meta`` is (entity, rule
    id, category) per rule index. The one place a native finding becomes a Python one."""
    i, start, end, score, value, decoded, path, in_key, _line, _column = raw
    entity, rule, category = meta[i]
    return Finding(
        entity=entity,
        rule=rule,
        category=category,
        start=start,
        end=end,
        score=score,
        value=value,
        path=path,
        in_key=in_key,
        decoded=decoded,
    )


DEFAULT_MIN_SCORE = 0.5
"""Findings scored below this are left out unless the caller sets ``min_score`` (0 keeps them
all). A rule reports a bare value with nothing around it, a number that only has the shape of an
ID, at a low score, and context (a label or hotword near it, a JSON key, a valid checksum) lifts
it over this line; a policy applies its own thresholds instead (``Policy.min_score``)."""


class Scanner:
    """A reusable compiled engine: all rules in one Vectorscan database, built once.

    ``extra_rules`` adds rule files; ``entities``, ``categories`` and ``min_score`` set defaults
    that each call may override (``min_score`` defaults to ``DEFAULT_MIN_SCORE``; 0 reports every
    candidate, bare low-scored ones too). ``limits`` bounds each call (``weir.Limits``: input bytes,
    payload depth and items, image pixels and bytes, seconds); ``max_depth`` is a shortcut for
    ``limits.max_depth``. ``normalize`` looks through look-alike and invisible characters
    (full-width and other Unicode digits, Unicode dashes and spaces, zero-width characters, soft
    hyphens); ``decode_depth`` (0 to 8; 0 turns decoding off) is how many layers of base64, hex,
    URL-encoding, backslash escapes and HTML entities are decoded inside each other. A value found
    that way has ``Finding.decoded`` set and its span covers the hidden form. Thread-safe: share
    one Scanner across threads.
    """

    def __init__(
        self,
        *,
        extra_rules: Iterable[str | Path] = (),
        rules: Sequence[Rule] | None = None,
        entities: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        min_score: float | None = None,
        max_depth: int | None = None,
        ner: bool | str = False,
        limits: Limits | None = None,
        normalize: bool = True,
        decode_depth: int = 2,
    ) -> None:
        chosen = list(rules) if rules is not None else load_builtin()
        for path in extra_rules:
            chosen.extend(load_file(path))
        _check_categories(categories)
        # Rules a scanner will never report are not compiled at all: fewer rules, faster pass.
        chosen = [
            r
            for r in chosen
            if (entities is None or r.entity in entities) and (categories is None or r.category in categories)
        ]
        if not chosen and not (ner_layer.ENTITIES & set(entities or ())):
            raise ValueError("no rule matches the entities and categories asked for; see `weir rules list`")
        self.rules: list[Rule] = chosen
        self.engine = _core.Engine(chosen, normalize, decode_depth)
        check_window(chosen)  # after the engine's own checks, whose errors say more
        self._meta: list[tuple[str, str, Category]] = [(r.entity, r.id, r.category) for r in chosen]
        self.entities = frozenset(entities) if entities is not None else None
        self.categories = frozenset(categories) if categories is not None else None
        self.min_score = min_score
        limits = limits if limits is not None else Limits()
        if max_depth is not None:
            limits = msgspec.structs.replace(limits, max_depth=max_depth)
        self.limits: Limits = msgspec.convert(msgspec.to_builtins(limits), Limits)  # validated
        self.ner = ner
        self._deny_cache: dict[tuple[str, ...], Scanner] = {}

    def __repr__(self) -> str:
        return f"Scanner(rules={len(self.rules)}, database_bytes={self.engine.database_bytes})"

    @property
    def max_depth(self) -> int:
        return self.limits.max_depth

    @property
    def floor(self) -> float:
        """The score under which findings are left out when a call sets none."""
        return self.min_score if self.min_score is not None else DEFAULT_MIN_SCORE

    def _keep(
        self, entities: Collection[str] | None, categories: Collection[str] | None
    ) -> list[bool] | None:
        """Per rule index: is it reported under these filters? None means every rule is."""
        if entities is None and categories is None:
            return None
        return [
            (entities is None or ent in entities) and (categories is None or cat in categories)
            for ent, _, cat in self._meta
        ]

    def scan(
        self,
        data: Any,
        *,
        entities: Collection[str] | None = None,
        categories: Collection[str] | None = None,
        min_score: float | None = None,
        ner: bool | str | None = None,
        ocr: bool | None = None,
        limits: Limits | None = None,
    ) -> ScanResult:
        """Scan ``data``: str, bytes (offsets in bytes), a dict/list (each finding has a
        ``path``), or an image (PIL image, image bytes; each finding has a ``box``).

        ``ner``: True runs spaCy NER on prose (an error if it is not installed), "auto" runs it
        when installed, False (the default, unless the Scanner was built with ``ner=``) skips it.
        ``ocr``: None/True reads images, False treats image bytes as plain bytes.
        ``limits`` replaces the Scanner's for this call; over one, ``weir.LimitExceeded``."""
        lim = limits if limits is not None else self.limits
        deadline = Deadline(lim.max_seconds)
        keep = None
        wanted_entities = entities if entities is not None else self.entities
        wanted_categories = categories if categories is not None else self.categories
        if entities is not None or categories is not None:
            _check_categories(categories)
            keep = self._keep(wanted_entities, wanted_categories)
        floor = min_score if min_score is not None else self.floor
        use_ner = self._use_ner(ner if ner is not None else self.ner, wanted_entities, wanted_categories)
        if ocr is not False and _is_image(data):
            from weir import ocr as ocr_layer

            def scan_text(text: str) -> list[Finding]:
                deadline.check("the image")
                return self.scan(
                    text,
                    entities=entities,
                    categories=categories,
                    min_score=min_score,
                    ner=ner,
                    ocr=False,
                    limits=lim,
                ).findings

            found = ocr_layer.scan_image(
                scan_text,
                data,
                timeout=deadline.remaining(),
                max_pixels=lim.max_pixels,
                max_bytes=lim.max_image_bytes,
            )
            deadline.check("the image")
            return ScanResult(found)
        leaves: list[tuple[str | bytes, str | None]]
        if isinstance(data, (str, bytes)):
            check_size(len(data), lim, unit="code points" if isinstance(data, str) else "bytes")
            found = self._convert(self._native_scan(data, lim), keep, floor)
            leaves = [(data, None)]
        elif isinstance(data, (bytearray, memoryview)):
            check_size(data.nbytes if isinstance(data, memoryview) else len(data), lim)
            blob = bytes(data)
            found = self._convert(self._native_scan(blob, lim), keep, floor)
            leaves = [(blob, None)]
        elif is_container(data):
            found, leaves = self._scan_payload(data, keep, floor, with_leaves=use_ner, limits=lim)
        else:
            raise TypeError(f"weir cannot scan a {type(data).__name__}: pass {ACCEPTED}")
        if use_ner:
            deadline.check()
            found = self._with_ner(found, leaves, wanted_entities, floor, deadline)
        deadline.check()
        return ScanResult(found)

    def _use_ner(
        self, setting: bool | str, entities: Collection[str] | None, categories: Collection[str] | None
    ) -> bool:
        if setting not in (True, False, "auto"):
            raise ValueError(f"ner must be True, False or 'auto', not {setting!r}")
        if setting is False:
            return False
        if categories is not None and "pii" not in categories:
            return False
        if entities is not None and not (set(entities) & ner_layer.ENTITIES):
            return False
        if setting == "auto":
            return ner_layer.available()
        ner_layer.model()  # raises NerUnavailable with how to install it
        return True

    def _with_ner(
        self,
        found: list[Finding],
        leaves: Sequence[tuple[str | bytes, str | None]],
        entities: Collection[str] | None,
        floor: float,
        deadline: Deadline,
    ) -> list[Finding]:
        """Add NER findings for each text leaf; offsets in the leaf's own units."""
        texts = [t if isinstance(t, str) else t.decode("utf-8", "surrogateescape") for t, _ in leaves]
        by_path: dict[str | None, list[tuple[int, int]]] = {}
        for f in found:
            if not f.in_key:
                by_path.setdefault(f.path, []).append((f.start, f.end))
        taken = [
            _char_spans(by_path.get(path, []), raw, text)
            for (raw, path), text in zip(leaves, texts, strict=True)
        ]
        extra: list[Finding] = []
        for (raw, path), text, ents in zip(
            leaves,
            texts,
            ner_layer.find(texts, taken, check=deadline.check, keys=[_leaf_key(p) for _, p in leaves]),
            strict=True,
        ):
            for ent in ents:
                if ent.score < floor or (entities is not None and ent.entity not in entities):
                    continue
                start, end = ent.start, ent.end
                value: str | bytes = text[start:end]
                if isinstance(raw, bytes):
                    start, end = _byte_offset(text, start), _byte_offset(text, end)
                    value = raw[start:end]
                extra.append(
                    Finding(
                        entity=ent.entity,
                        rule=f"ner.{ent.entity.lower()}",
                        category="pii",
                        start=start,
                        end=end,
                        score=ent.score,
                        value=value,
                        path=path,
                    )
                )
        if not extra:
            return found
        return sorted([*found, *extra], key=lambda f: (f.path or "", f.start, f.end))

    def _native_scan(self, data: str | bytes, lim: Limits) -> list[_core.RawFinding]:
        try:
            return self.engine.scan(data, None, lim.max_findings)
        except _core.PayloadLimitError as e:
            limit, observed, allowed = e.args
            raise LimitExceeded(limit, observed, allowed) from None

    def _scan_payload(
        self,
        data: Any,
        keep: list[bool] | None,
        floor: float,
        *,
        with_leaves: bool = False,
        limits: Limits | None = None,
    ) -> tuple[list[Finding], list[tuple[str | bytes, str | None]]]:
        """Findings in a dict/list payload, in document order, each with its leaf's path. One
        native walk: every leaf and key scanned in one pass, and, when asked for (NER needs them),
        the value leaves as (text, path) from the same walk."""
        lim = limits if limits is not None else self.limits
        try:
            raw, leaves = self.engine.scan_payload(
                data, lim.max_depth, lim.max_items, lim.max_bytes, lim.max_findings, with_leaves
            )
        except _core.PayloadDepthError as e:
            raise PayloadTooDeep(lim.max_depth, str(e).partition(" levels at ")[2]) from None
        except _core.PayloadLimitError as e:
            limit, observed, allowed = e.args
            if limit == "int_digits":
                raise PayloadError(
                    f"the payload holds an integer of about {observed} digits, more than the "
                    f"{allowed} Python converts to text (sys.set_int_max_str_digits), so weir cannot "
                    "scan it; send numbers that long as strings"
                ) from None
            # The walk stops at its limits: what it counted is a lower bound. Findings are counted
            # whole, after the scan.
            at_least = limit != "max_findings"
            raise LimitExceeded(limit, observed, allowed, what="the payload", at_least=at_least) from None
        return self._convert(raw, keep, floor), cast("list[tuple[str | bytes, str | None]]", leaves)

    def _convert(self, raw: list[_core.RawFinding], keep: list[bool] | None, floor: float) -> list[Finding]:
        """The engine's findings scored at least ``floor``, of the rules ``keep`` selects."""
        meta = self._meta
        return [make_finding(meta, r) for r in raw if r[3] >= floor and (keep is None or keep[r[0]])]

    def with_deny_terms(self, terms: Sequence[str]) -> Scanner:
        """This scanner plus one case-insensitive rule per denied term (entity DENIED_TERM)."""
        key = tuple(terms)
        if not key:
            return self
        cached = self._deny_cache.get(key)
        if cached is None:
            extra = [deny_rule(i, t) for i, t in enumerate(key)]
            cached = Scanner(
                rules=[*self.rules, *extra],
                min_score=self.min_score,
                ner=self.ner,
                limits=self.limits,
                normalize=self.engine.normalize,
                decode_depth=self.engine.decode_depth,
            )
            # self.rules are already filtered; the filters stay the defaults (NER and call-time
            # filters read them), widened so they never hide the terms this scanner adds.
            if self.entities is not None:
                cached.entities = self.entities | {"DENIED_TERM"}
            if self.categories is not None:
                cached.categories = self.categories | {"secret"}
            self._deny_cache[key] = cached
        return cached

    def scan_with_policy(
        self,
        data: Any,
        policy: Policy | str,
        *,
        tool: str | None = None,
        direction: str | None = None,
        **options: Any,
    ) -> tuple[ScanResult, Decided]:
        """Scan, then apply the policy's allow-list, thresholds and actions. Raises ``Blocked``
        when a finding's action is ``block``; the policy's ``[limits]``, when it has them, bound
        the scan (see ``blocks_over_limit`` for what happens over one)."""
        pol = as_policy(policy)
        if pol.limits is not None:
            options.setdefault("limits", pol.limits)
        if self.min_score is None:
            options.setdefault("min_score", 0.0)  # the policy's thresholds decide
        result = self.with_deny_terms(pol.deny.terms).scan(data, **options)
        return result, decide(result.findings, pol, tool=tool, direction=direction)

    def redact(
        self,
        data: D,
        policy: Policy | str | None = None,
        *,
        tool: str | None = None,
        direction: str | None = None,
        **options: Any,
    ) -> D:
        """A copy of ``data`` (same type) with findings masked: by ``policy`` (a Policy or a
        built-in name) when given, else every finding replaced by ``[ENTITY]``. ``tool`` and
        ``direction`` select the policy's overrides. Raises ``weir.Blocked`` on a block action.
        Input over a limit (``weir.Limits``) raises ``weir.LimitExceeded``, or ``weir.Blocked``
        when the policy blocks what it cannot see (``blocks_over_limit``): never a partial copy."""
        pol = as_policy(policy) if policy is not None else None
        if pol is None:
            result = self.scan(data, **options)
            decided = decide(result.findings, None)
        else:
            try:
                result, decided = self.scan_with_policy(data, pol, tool=tool, direction=direction, **options)
            except LimitExceeded as e:
                if blocks_over_limit(pol, tool=tool, direction=direction):
                    raise Blocked({LIMIT_ENTITY: 1}) from e
                raise
        if options.get("ocr") is not False and _is_image(data):
            # An image cannot show a mask or a token: every finding the policy does not leave as
            # it is gets its box filled.
            return cast(D, self._redact_image(data, decided.replaced.findings, options))
        return cast(D, apply_policy(data, decided, pol))

    def _redact_image(self, data: object, findings: list[Finding], options: dict[str, Any]) -> object:
        """The image with each finding's box filled, in the kind it came as (PIL, bytes...)."""
        from weir import ocr as ocr_layer

        limits = options.get("limits") or self.limits
        return ocr_layer.redact_image(data, findings, limits=limits)

    def stream(self, *, min_block: int = 1 << 16, threads: int = 1) -> Stream:
        """A stream scan over bytes chunks; findings carry absolute byte offsets. Bytes are
        scanned once ``min_block`` of them are waiting, and at ``close()``; with ``threads`` > 1
        large blocks are shared between threads (same findings, sooner). Normalised and decoded
        views are taken over complete lines (a line over 1 MiB in pieces of that size), so a value
        hidden across a line break or such a cut is not seen."""
        return Stream(self, min_block, threads)


class Stream:
    """Feed bytes chunks; each call returns the findings that became final. A match that spans
    two chunks is found, with its exact span. ``close()`` returns the rest."""

    def __init__(self, scanner: Scanner, min_block: int, threads: int = 1) -> None:
        self._scanner = scanner
        self._native = scanner.engine.stream(min_block, threads)
        self._floor = scanner.floor

    def _convert(self, raw: list[_core.RawFinding]) -> list[Finding]:
        return self._scanner._convert(raw, None, self._floor)

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[Finding]:
        if not isinstance(chunk, bytes):
            if not isinstance(chunk, (bytearray, memoryview)):
                raise TypeError(f"Stream.feed takes bytes, not {type(chunk).__name__}")
            chunk = bytes(chunk)
        return self._convert(self._native.feed(chunk))

    def close(self) -> list[Finding]:
        return self._convert(self._native.close())

    @property
    def position(self) -> int:
        """Bytes fed so far."""
        return self._native.position


def _check_categories(categories: Collection[str] | None) -> None:
    if categories is None:
        return
    unknown = set(categories) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}; known: {', '.join(CATEGORIES)}")


_shared: dict[tuple[frozenset[str] | None, frozenset[str] | None], Scanner] = {}
_shared_lock = threading.Lock()


def default_scanner(
    entities: Collection[str] | None = None, categories: Collection[str] | None = None
) -> Scanner:
    """A shared Scanner over the built-in rules, compiled on first use; one per filter set, so
    ``scan(data, categories=["secret"])`` runs only the secret rules."""
    key = (
        frozenset(entities) if entities is not None else None,
        frozenset(categories) if categories is not None else None,
    )
    scanner = _shared.get(key)
    if scanner is None:
        with _shared_lock:
            scanner = _shared.get(key)
            if scanner is None:
                if len(_shared) >= 32:  # filter sets are few in practice; keep the cache bounded
                    _shared.pop(next(iter(_shared)))
                scanner = _shared[key] = Scanner(entities=entities, categories=categories)
    return scanner


def scan(
    data: Any,
    *,
    entities: Collection[str] | None = None,
    categories: Collection[str] | None = None,
    min_score: float | None = None,
    ner: bool | str | None = None,
    ocr: bool | None = None,
    policy: Policy | str | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Scan str, bytes or a JSON-like payload with the built-in rules. With a ``policy``, only
    what the policy would act on is returned (allow-lists and thresholds applied, deny terms
    added); nothing is blocked here: ``redact`` enforces. ``limits`` (else the policy's, else
    the defaults) bound the call; over one, ``weir.LimitExceeded``."""
    scanner = default_scanner(entities, categories)
    if policy is None:
        return scanner.scan(data, min_score=min_score, ner=ner, ocr=ocr, limits=limits)
    pol = as_policy(policy)
    result = scanner.with_deny_terms(pol.deny.terms).scan(
        data,
        min_score=min_score if min_score is not None else 0.0,  # the policy's thresholds decide
        ner=ner,
        ocr=ocr,
        limits=limits if limits is not None else pol.limits,
    )
    return ScanResult(decide(result.findings, pol, enforce=False).findings)


def _is_image(data: Any) -> bool:
    """Images go through OCR; the check is cheap (magic bytes) and imports nothing heavy. Full
    signatures only, so text that merely starts with "BM" or "GIF" stays text."""
    if isinstance(data, (bytes, bytearray)):
        head = bytes(data[:12])
        return (
            head[:4] in _IMAGE_MAGIC4
            or head[:6] in (b"GIF87a", b"GIF89a")
            or (head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00")
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
        )
    if isinstance(data, str):
        return data.startswith("data:image/")
    return type(data).__module__.startswith("PIL.")


_IMAGE_MAGIC4 = {
    b"\x89PNG",
    b"\xff\xd8\xff\xe0",
    b"\xff\xd8\xff\xe1",
    b"\xff\xd8\xff\xdb",
    b"\xff\xd8\xff\xee",
    b"II*\x00",
    b"MM\x00*",
}


def _char_spans(spans: list[tuple[int, int]], raw: str | bytes, text: str) -> list[tuple[int, int]]:
    """Pattern spans in a bytes leaf are byte offsets; NER works in characters."""
    if isinstance(raw, str) or not spans:
        return spans
    starts = {0: 0}
    pos = 0
    for i, ch in enumerate(text):
        starts[pos] = i
        pos += len(ch.encode("utf-8", "surrogateescape"))
    starts[pos] = len(text)
    return [(starts.get(s, 0), starts.get(e, len(text))) for s, e in spans]


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogateescape"))


def blocks_over_limit(policy: Policy, *, tool: str | None = None, direction: str | None = None) -> bool:
    """Whether input over a limit is blocked under ``policy``: input weir could not scan is
    treated as one finding of entity ``LIMIT_EXCEEDED``, whose action is the one the policy names
    for that entity, else its default (``strict``: block). Otherwise ``LimitExceeded`` stands."""
    return policy.resolve(LIMIT_ENTITY, "", tool=tool, direction=direction).action == "block"


def as_policy(policy: Policy | str) -> Policy:
    """A Policy, or the built-in one of that name."""
    return policy if isinstance(policy, Policy) else Policy.builtin(policy)


def deny_rule(index: int, term: str) -> Rule:
    """A rule that finds ``term`` anywhere, case-insensitively. Every byte that is not a letter or
    digit is hex-escaped, so the pattern means the same to Vectorscan and the regex crate."""
    escaped = "".join(
        c if c.isascii() and c.isalnum() else "".join(f"\\x{b:02x}" for b in c.encode()) for c in term
    )
    return Rule(
        id=f"deny.term_{index}",
        name="Term on the policy's deny-list",
        entity="DENIED_TERM",
        category="secret",
        pattern=f"(?i){escaped}",
        score=1.0,
        examples=[term],
        negative_examples=["-"],
        source="policy deny-list",
    )


def redact(data: D, policy: Policy | str | None = None, **options: Any) -> D:
    """A copy of ``data`` (same type) with findings masked by ``policy`` (default: each replaced
    by ``[ENTITY]``). Raises ``weir.Blocked`` when the policy blocks."""
    entities, categories = options.pop("entities", None), options.pop("categories", None)
    return default_scanner(entities, categories).redact(data, policy, **options)


def _leaf_key(path: str | None) -> str | None:
    """The key a payload leaf is the value of, from its JSON Pointer ("/contact/first_name" gives
    "first_name"); None for the root and for list items."""
    if not path:
        return None
    key = path.rsplit("/", 1)[-1]
    if key.isdigit():
        return None
    return key.replace("~1", "/").replace("~0", "~")
