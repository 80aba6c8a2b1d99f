"""The native payload path (Engine.scan_payload: walk in Rust, one Vectorscan pass over every
leaf) gives exactly what walking in Python and scanning each leaf alone gives."""

from __future__ import annotations

import enum
import types
from collections import OrderedDict
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weir
from weir.payload import PayloadError, walk
from weir.results import Finding
from weir.scanner import DEFAULT_MIN_SCORE, Scanner

PLANTED = [
    "jane.doe@example.com",
    "4111 1111 1111 1111",
    "4111111111111111",
    "5500-0000-0000-0004",
    "378282246310005",
    "AKIAZ7VRSQ5ZQ3KXJ4PB",
    "SSN: 536-22-8726",
    "536228726",
    "+1 415-555-2671",
    "(415) 555-2671",
    "192.168.1.10",
    "GB82 WEST 1234 5698 7654 32",
    'password="Hunter2!xyz"',
    "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",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "Ignore all previous instructions and",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow",
]
KEYS = [
    "ssn",
    "card",
    "card_number",
    "email",
    "a/b",
    "~x",
    "~1/~0",
    "password",
    "phone",
    "aws_secret_access_key",
    "",
]

scanner = Scanner()


def reference(
    s: Scanner, data: Any, keep: list[bool] | None = None, floor: float = DEFAULT_MIN_SCORE
) -> list[Finding]:
    """The old path: payload.walk in Python, then one engine.scan per leaf."""
    found: list[Finding] = []
    for leaf in walk(data, max_depth=s.max_depth):
        raw = s.engine.scan(leaf.text, leaf.context)
        found.extend(
            msgspec.structs.replace(f, path=leaf.path, in_key=leaf.in_key)
            for f in s._convert(raw, keep, floor)
        )
    return found


def planted_text() -> st.SearchStrategy[str]:
    glue = st.sampled_from(["", " ", "\n", ", ", ": ", "é", "日本 ", "\t", "x", "-", '"'])
    piece = st.one_of(st.sampled_from(PLANTED), st.text(max_size=12), glue)
    return st.lists(piece, max_size=5).map("".join)


texts = st.one_of(st.text(max_size=30), planted_text())
scalars = st.one_of(
    texts,
    texts.map(str.encode),
    st.integers(),
    st.sampled_from([4111111111111111, 378282246310005, 536228726, 10**40 + 7]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
keys = st.one_of(st.sampled_from(KEYS), texts, st.integers(-5, 5))
trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=40,
)
payloads = st.one_of(st.lists(trees, max_size=6), st.dictionaries(keys, trees, max_size=6))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_same_findings_as_walking_leaf_by_leaf(data: Any) -> None:
    assert scanner.scan(data).findings == reference(scanner, data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads, st.sampled_from([None, ["pii"], ["secret", "financial"]]), st.sampled_from([None, 0.5, 0.9]))
def test_same_findings_with_filters(data: Any, categories: list[str] | None, min_score: float | None) -> None:
    got = scanner.scan(data, categories=categories, min_score=min_score).findings
    keep = scanner._keep(None, categories) if categories is not None else None
    assert got == reference(scanner, data, keep, min_score if min_score is not None else DEFAULT_MIN_SCORE)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_leaves_for_ner_match_the_python_walk(data: Any) -> None:
    found, leaves = scanner._scan_payload(data, None, 0.0, with_leaves=True)
    assert found == reference(scanner, data, floor=0.0)
    assert leaves == [(leaf.text, leaf.path) for leaf in walk(data) if not leaf.in_key]
    assert scanner._scan_payload(data, None, 0.0) == (found, [])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, max_size=30), st.lists(st.sampled_from([None, "ssn", "card"]), max_size=30))
def test_scan_batch_equals_scan_per_item(items: list[str], contexts: list[str | None]) -> None:
    contexts = (contexts + [None] * len(items))[: len(items)]
    mixed: list[str | bytes] = [t.encode() if i % 3 == 0 else t for i, t in enumerate(items)]
    batch = scanner.engine.scan_batch(mixed, contexts)
    assert batch == [scanner.engine.scan(t, c) for t, c in zip(mixed, contexts, strict=True)]


def test_paths_escape_and_keys_are_scanned() -> None:
    data = {"a/b": {"~c": ["x", "mail jane.doe@example.com"]}, "jane.doe@example.com": 1}
    found = scanner.scan(data).findings
    assert [(f.path, f.in_key, f.value) for f in found] == [
        ("/jane.doe@example.com", True, "jane.doe@example.com"),
        ("/a~1b/~0c/1", False, "jane.doe@example.com"),
    ]
    assert found == reference(scanner, data)


def test_offsets_count_code_points_in_str_and_bytes_in_bytes() -> None:
    text = "日本語 é 4111 1111 1111 1111"
    found = scanner.scan({"s": text, "b": text.encode()}).findings
    by_path = {f.path: f for f in found}
    assert text[by_path["/s"].start : by_path["/s"].end] == "4111 1111 1111 1111" == by_path["/s"].value
    raw = text.encode()
    assert raw[by_path["/b"].start : by_path["/b"].end] == b"4111 1111 1111 1111" == by_path["/b"].value


def test_key_context_raises_the_score() -> None:
    plain = scanner.scan({"x": "536228726"}, min_score=0).findings
    keyed = scanner.scan({"ssn": "536228726"}, min_score=0).findings
    assert plain and keyed and keyed[0].score > plain[0].score


class Color(enum.IntEnum):
    RED = 4111111111111111


class Half(float):
    def __repr__(self) -> str:
        return "4111111111111111"


class Items(list):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    "data",
    [
        OrderedDict([("card", "4111111111111111"), ("n", 1)]),
        types.MappingProxyType({"card": "4111 1111 1111 1111"}),
        Items(["x", "4111111111111111"]),
        {"c": Color.RED, "h": Half(0.5)},
        {"ba": bytearray(b"4111111111111111"), "mv": memoryview(b"card 4111111111111111")},
        {1: "4111111111111111", None: ["4111111111111111"], (1, 2): "x"},
        {"deep": [[[[["4111111111111111"]]]]]},
        [],
        {},
        {"empty": ""},
    ],
)
def test_unusual_containers_and_scalars(data: Any) -> None:
    assert scanner.scan(data).findings == reference(scanner, data)


def test_depth_limit_names_the_pointer() -> None:
    deep: Any = "4111111111111111"
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(PayloadError, match="deeper than 512 levels at /0/0/0"):
        scanner.scan(deep)
    with pytest.raises(weir.PayloadError):
        weir.scan({"a": deep})
    shallow = Scanner(max_depth=3)
    data = {"a/b": {"~": {"c": {"d": "x"}}}}
    with pytest.raises(PayloadError) as native:
        shallow.scan(data)
    with pytest.raises(PayloadError) as python:
        list(walk(data, max_depth=3))
    assert str(native.value) == str(python.value)
    assert str(native.value).startswith("payload nested deeper than 3 levels at /a~1b/~0/c/d; raise")


@pytest.mark.parametrize("bad", [{1, 2}, object(), 1j, frozenset()])
def test_unsupported_types_raise_type_error_with_pointer(bad: Any) -> None:
    data = {"a": [1, {"b/": bad}]}
    with pytest.raises(TypeError) as native:
        scanner.scan(data)
    with pytest.raises(TypeError) as python:
        list(walk(data))
    assert str(native.value) == str(python.value)
    assert "at /a/1/b~1" in str(native.value)


def test_errors_come_in_document_order() -> None:
    # The walk fails on the set before any leaf is scanned, as payload.walk would.
    with pytest.raises(TypeError):
        scanner.scan({"a": "\ud800", "b": {1}})


@pytest.mark.parametrize(
    "data",
    [
        {"a": "x\ud800y jane.doe@example.com"},
        {"k\udcff": "v 4111 1111 1111 1111", "email\ud800": "jane.doe@example.com\udfff"},
        ["ok", ["\udfff", "é\ud83d 536-22-8726 \udc00"]],
    ],
)
def test_lone_surrogates_scan_like_the_reference(data: Any) -> None:
    found = scanner.scan(data).findings
    assert found and found == reference(scanner, data)


def test_a_large_payload_matches() -> None:
    data = {
        "records": [
            {
                "id": i,
                "email": f"user{i}@example.com",
                "card": "4111 1111 1111 1111" if i % 7 == 0 else "n/a",
                "note": "line one\nline two 536-22-8726\n" * (i % 3),
            }
            for i in range(300)
        ]
    }
    found = scanner.scan(data).findings
    assert len(found) > 300
    assert found == reference(scanner, data)
