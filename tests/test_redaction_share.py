"""``rebuild(..., share_unchanged=True)``: the MCP fast path gives the same result as a full copy."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import weir
from weir.redaction import rebuild
from weir.results import Finding

PLANTS = ["jane.doe@example.com", "4111 1111 1111 1111", "AKIAZ2XQ7RTVNBLZ4GRA", "plain text", "a/b~c"]
keys = st.sampled_from(["email", "a/b", "x~y", "note", "jane.doe@example.com", "k"]) | st.text(max_size=6)
leaves = st.sampled_from(PLANTS) | st.integers() | st.none() | st.booleans() | st.text(max_size=12)
payloads = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25,
)


def label(f: Finding) -> str:
    return f"[{f.entity}]"


@settings(max_examples=150, deadline=None)
@given(payloads)
def test_shared_rebuild_equals_full_copy(data: Any) -> None:
    if not isinstance(data, (dict, list)):
        data = {"v": data}
    findings = weir.scan(data).findings
    assert rebuild(data, findings, label, share_unchanged=True) == rebuild(data, findings, label)


def test_shared_rebuild_shares_only_untouched_subtrees() -> None:
    data = {"a": {"email": "jane.doe@example.com"}, "b": {"city": "Paris"}, "c": [1, 2]}
    out = rebuild(data, weir.scan(data).findings, label, share_unchanged=True)
    assert out == {"a": {"email": "[EMAIL_ADDRESS]"}, "b": {"city": "Paris"}, "c": [1, 2]}
    assert out["b"] is data["b"] and out["c"] is data["c"] and out["a"] is not data["a"]
    assert data["a"]["email"] == "jane.doe@example.com"


def test_key_findings_keep_key_order() -> None:
    data = {"first": 1, "jane.doe@example.com": "x", "last": 2}
    out = rebuild(data, weir.scan(data).findings, label, share_unchanged=True)
    assert list(out) == ["first", "[EMAIL_ADDRESS]", "last"]
