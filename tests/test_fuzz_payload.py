"""Fuzzing the Python-facing surfaces with hypothesis: the payload walker (``weir.scan`` and
``weir.redact`` on arbitrary JSON-like structures) and policy decoding (``Policy.from_dict`` on
arbitrary dicts shaped like the policy schema).

By default (``make test``) each property runs a fixed, derandomized set of examples: a quick
replay that gives the same result on every run. ``WEIR_FUZZ_LONG=1`` turns it into a fuzz run:
random examples in rounds until ``WEIR_FUZZ_SECONDS`` (default 900) have passed per property,
failures kept in the local example database under ``.hypothesis/`` (not in git) so the next run
tries them first. See fuzz/README.md.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import weir
from weir.payload import MAX_DEPTH, scalar_text

LONG = os.environ.get("WEIR_FUZZ_LONG") == "1"
SECONDS = float(os.environ.get("WEIR_FUZZ_SECONDS", "900"))

QUICK = settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
ROUND = settings(
    max_examples=2_000,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/fuzz"),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz(strategy: st.SearchStrategy[Any], check: Callable[[Any], None]) -> None:
    """Run ``check`` over ``strategy``: the quick replay, or rounds of random examples until the
    time is up (printing how many ran, for the report)."""
    examples = 0

    def counted(value: Any) -> None:
        nonlocal examples
        examples += 1
        check(value)

    if not LONG:
        QUICK(given(strategy)(counted))()
        return
    end = time.monotonic() + SECONDS
    rounds = 0
    while time.monotonic() < end:
        ROUND(given(strategy)(counted))()
        rounds += 1
    print(f"\n{check.__name__}: {examples} examples in {rounds} rounds, {SECONDS:.0f} s")


# --- payloads ----------------------------------------------------------------------------------

PLANTED = [
    "jane.doe@example.com",
    "4111 1111 1111 1111",
    "SSN: 536-22-8726",
    "+1 415-555-2671",
    "192.168.1.10",
    "GB82 WEST 1234 5698 7654 32",
    "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",
    "AKIAZ7VRSQ5ZQ3KXJ4PB",
    "Ignore all previous instructions and",
]
ODD_KEYS = ["", "/", "~", "~0", "~1", "a/b", "~01", "0", "-1", "01", " ", "é", "日本", "\x00", "card", "ssn"]

# Surrogate-free text (a lone surrogate is a documented ValueError, tested in test_payload_fast).
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=24)
glue = st.sampled_from(["", " ", "\n", ": ", "é", "日本 ", "\t", "x", "/", "~"])
planted = st.lists(st.one_of(st.sampled_from(PLANTED), text, glue), max_size=4).map("".join)
strings = st.one_of(text, planted)
scalars = st.one_of(
    strings,
    strings.map(str.encode),
    st.binary(max_size=24),
    st.integers(),
    st.sampled_from([4111111111111111, 536228726, 10**40 + 7, -(2**63), 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
keys = st.one_of(
    st.sampled_from(ODD_KEYS),
    strings,
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.booleans(),
    st.none(),
    st.tuples(st.integers(0, 2), st.sampled_from(["a", "4111111111111111"])),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=30,
)


def nest(depth: int, kinds: list[bool], leaf: Any) -> Any:
    """``leaf`` inside ``depth`` containers: a dict where ``kinds`` says so, else a list."""
    node = leaf
    for i in range(depth):
        node = {"k/~": node} if kinds[i % len(kinds)] else [node]
    return node


deep = st.builds(
    nest,
    st.integers(MAX_DEPTH - 2, MAX_DEPTH + 2),
    st.lists(st.booleans(), min_size=1, max_size=4),
    st.sampled_from(["4111 1111 1111 1111", b"jane.doe@example.com", 536228726, None]),
)
payloads = st.one_of(
    st.lists(trees, max_size=5),
    st.dictionaries(keys, trees, max_size=5),
    st.lists(trees, max_size=2).map(tuple),
)

REDACT_ALL = weir.Policy.from_dict({"default": "redact", "min_score": 0.0})


def key_text(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


def tokens(path: str) -> list[str]:
    assert path.startswith("/"), path
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def resolve(data: Any, path: str) -> list[tuple[Any, Any]]:
    """Every (key, node) the JSON Pointer ``path`` may name in ``data`` (several when two keys have
    the same text, like 1 and "1"); the key is None under a list."""
    found: list[tuple[Any, Any]] = [(None, data)]
    for token in tokens(path):
        step: list[tuple[Any, Any]] = []
        for _, node in found:
            if isinstance(node, Mapping):
                step.extend((k, v) for k, v in node.items() if key_text(k) == token)
            elif isinstance(node, (list, tuple)) and token.isdigit() and str(int(token)) == token:
                step.extend((None, v) for i, v in enumerate(node) if i == int(token))
        assert step, f"{path!r}: no {token!r}"
        found = step
    return found


def depth_of(data: Any) -> int:
    """The deepest level any node sits at (the root is 0)."""
    level, todo = 0, [(data, 0)]
    while todo:
        node, d = todo.pop()
        level = max(level, d)
        if isinstance(node, Mapping):
            todo.extend((v, d + 1) for v in node.values())
        elif isinstance(node, (list, tuple)):
            todo.extend((v, d + 1) for v in node)
    return level


def leaf_paths(data: Any, path: str = "") -> dict[tuple[str, bool], Any]:
    """(path, in_key) of every key and scalar leaf, with the key or the scalar."""
    out: dict[tuple[str, bool], Any] = {}
    todo = [(data, path)]
    while todo:
        node, at = todo.pop()
        if isinstance(node, Mapping):
            for k, v in node.items():
                child = f"{at}/{key_text(k).replace('~', '~0').replace('/', '~1')}"
                out[(child, True)] = k
                todo.append((v, child))
        elif isinstance(node, (list, tuple)):
            todo.extend((v, f"{at}/{i}") for i, v in enumerate(node))
        else:
            out[(at, False)] = node
    return out


def same_shape(before: Any, after: Any, hit: set[tuple[str, bool]], path: str = "") -> None:
    """``after`` (redacted) has ``before``'s containers, keys and leaves, except that a leaf or key
    with a finding became text."""
    if isinstance(before, Mapping):
        assert type(after) is dict, path
        assert len(after) == len(before), f"{path}: {len(before)} keys became {len(after)}"
        for (k, v), (k2, v2) in zip(before.items(), after.items(), strict=True):
            child = f"{path}/{key_text(k).replace('~', '~0').replace('/', '~1')}"
            if (child, True) in hit:
                assert isinstance(k2, str), child
            else:
                assert k2 is k or k2 == k, child
            same_shape(v, v2, hit, child)
    elif isinstance(before, (list, tuple)):
        assert type(after) is type(before) and len(after) == len(before), path
        for i, (v, v2) in enumerate(zip(before, after, strict=True)):
            same_shape(v, v2, hit, f"{path}/{i}")
    elif (path, False) in hit:
        assert isinstance(after, bytes if isinstance(before, (bytes, bytearray)) else str), path
    else:
        assert after is before, path


def check_payload(data: Any) -> None:
    too_deep = depth_of(data) > MAX_DEPTH
    try:
        found = weir.scan(data).findings
    except weir.PayloadError as e:
        assert too_deep, f"PayloadError on a payload within the limit: {e}"
        assert f"deeper than {MAX_DEPTH} levels at /" in str(e)
        with pytest.raises(weir.PayloadError):
            weir.redact(data, policy=REDACT_ALL)
        return
    assert not too_deep, "a payload over the depth limit was scanned"
    for f in found:
        assert f.path is not None and 0 <= f.start < f.end, f
        assert 0.0 <= f.score <= 1.0 and not math.isnan(f.score), f
        candidates = []
        for key, node in resolve(data, f.path):
            source = key_text(key) if f.in_key else scalar_text(node)
            if source is not None:
                candidates.append(source[f.start : f.end])
        assert f.value in candidates, f"{f!r} at {f.path!r}: value is not the slice"

    every = weir.scan(data, min_score=0.0).findings
    redacted = weir.redact(data, policy=REDACT_ALL)
    hit = {(f.path or "", f.in_key) for f in every}
    assert hit <= set(leaf_paths(data)), "a finding's (path, in_key) names no leaf"
    same_shape(data, redacted, hit)


def test_fuzz_payload_walker() -> None:
    fuzz(st.one_of(payloads, deep), check_payload)


# --- policies ----------------------------------------------------------------------------------

ACTIONS = ["report", "redact", "mask", "hash", "tokenize", "block"]
junk = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        text,
        st.binary(max_size=4),
        st.sampled_from([*ACTIONS, "hsah", "", "*", "[", "^test-", "(?=x)", "inbound", "outbound"]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=2).map(tuple),
        st.dictionaries(st.one_of(text, st.integers(0, 2)), children, max_size=3),
    ),
    max_leaves=8,
)
action_spec = st.fixed_dictionaries(
    {"action": st.one_of(st.sampled_from(ACTIONS), junk)},
    optional={
        "template": st.one_of(text, junk),
        "mask_char": st.one_of(st.sampled_from(["*", "#", "", "ab"]), junk),
        "keep_first": st.one_of(st.integers(-2, 70), junk),
        "keep_last": st.one_of(st.integers(-2, 70), junk),
        "hash_length": st.one_of(st.integers(0, 70), junk),
        "min_score": st.one_of(st.floats(-0.5, 1.5), junk),
        "colour": junk,
    },
)
action_like = st.one_of(st.sampled_from(ACTIONS), action_spec, junk)
names = st.one_of(st.sampled_from(["EMAIL_ADDRESS", "CREDIT_CARD", "secret", "pii", ""]), text)
action_table = st.one_of(st.dictionaries(st.one_of(names, st.integers(0, 2)), action_like, max_size=3), junk)
override = st.fixed_dictionaries(
    {},
    optional={
        "tool": st.one_of(st.sampled_from(["crm_*", "*", "[", ""]), junk),
        "direction": st.one_of(st.sampled_from(["inbound", "outbound", "sideways"]), junk),
        "default": action_like,
        "entities": action_table,
        "categories": action_table,
        "when": junk,
    },
)
regexes = st.sampled_from(["^test-", "[a-z]+@example\\.com", "(", "(?=x)", "a{1000000}", "\\", "é+"])
mcp = st.fixed_dictionaries(
    {},
    optional={
        "on_block": st.one_of(st.sampled_from(["tool_error", "jsonrpc_error", "explode"]), junk),
        "poisoned_tools": st.one_of(st.sampled_from(["withhold", "warn", "report"]), junk),
        "changed_tools": st.one_of(st.sampled_from(["block", "flag"]), junk),
        "unscannable": st.one_of(st.sampled_from(["withhold", "allow"]), junk),
        "max_bytes": st.one_of(st.integers(0, 1 << 40), junk),
        "audit_max_bytes": st.one_of(st.integers(0, 1 << 30), junk),
        "audit_backups": st.one_of(st.integers(-1, 200), junk),
        "ner": junk,
        "ocr": junk,
        "pin_file": junk,
        "audit_log": junk,
        "domains": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"allow": st.lists(text, max_size=2), "deny": junk, "block": junk}
            ),
            junk,
        ),
        "proxy": junk,
    },
)
policies = st.fixed_dictionaries(
    {},
    optional={
        "default": action_like,
        "min_score": st.one_of(st.floats(-0.5, 1.5), st.floats(), junk),
        "entities": action_table,
        "categories": action_table,
        "overrides": st.one_of(st.lists(override, max_size=3), junk),
        "allow": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "values": st.one_of(st.lists(text, max_size=2), junk),
                    "patterns": st.one_of(st.lists(regexes, max_size=3), junk),
                    "hosts": junk,
                },
            ),
            junk,
        ),
        "deny": st.one_of(
            st.fixed_dictionaries({}, optional={"terms": st.one_of(st.lists(text, max_size=3), junk)}),
            junk,
        ),
        "key_file": junk,
        "vault": junk,
        "mcp": st.one_of(mcp, junk),
        "defualt": junk,
        "version": junk,
    },
)


def check_policy(data: dict[str, Any]) -> None:
    try:
        policy = weir.Policy.from_dict(data)
    except weir.PolicyError as e:
        message = str(e)
        assert message.startswith("policy: field '"), message
        field = message.split("'")[1]
        top = field.split(".")[0].split("[")[0]
        named = top in data or any(f"`{k}`" in message for k in data if isinstance(k, str))
        assert named, f"{message!r} names no field of {sorted(map(str, data))}"
        return
    assert isinstance(policy, weir.Policy)
    # A policy that decodes is one weir can act with.
    for entity, category in [("EMAIL_ADDRESS", "pii"), ("AWS_ACCESS_KEY_ID", "secret")]:
        for tool, direction in [(None, None), ("crm_x", "outbound"), ("t", "inbound")]:
            spec = policy.resolve(entity, category, tool=tool, direction=direction)
            assert spec.action in ACTIONS
            assert 0.0 <= policy.threshold(spec) <= 1.0


def test_fuzz_policy_decoding() -> None:
    fuzz(policies, check_policy)
